/**
 * A relay marked live (`live: { connect: HOST:PORT }`, or `--live ID=HOST:PORT`): what the
 * simulator cannot do to a real relay is refused where it is written (FILE:LINE:COL), every
 * problem at once; what a live relay needs no longer (links, users) is not asked for.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { relayUri } from '../../src/scenario/world-spec.js';
import { scenarioProblems } from '../helpers/scenario-text.js';

function load(lines: string[], options: Parameters<typeof loadScenario>[2] = {}) {
  return loadScenario('live.yaml', lines.join('\n') + '\n', options);
}
const problems = (lines: string[], options: Parameters<typeof loadScenario>[2] = {}): string[] => scenarioProblems('live.yaml', lines, options);

const good = [
  'name: live', //                                                                         1
  'duration: 5s', //                                                                       2
  'nodes:', //                                                                             3
  '  psa: { role: sender, relays: [relay-a], password: s3cret }', //                       4
  '  pra: { role: receiver, relays: [relay-a], password: hunter2 }', //                    5
  '  relay-a: { role: relay, scheme: msrp, live: { connect: 127.0.0.1:2855 } }', //        6
  'events:', //                                                                            7
  '  - at: 0s', //                                                                         8
  '    session: { id: s1, offerer: psa, answerer: pra }', //                               9
  '  - at: 1s', //                                                                         10
  '    send: { session: s1, from: psa, body: hello }', //                                  11
  'expect:', //                                                                            12
  '  - delivered: { session: s1, to: pra }', //                                            13
];

describe('a live relay in a scenario', () => {
  it('needs no links and no users: the relay is real, reached over real sockets', () => {
    expect(problems(good)).toEqual([]);
    const r = load(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const relay = r.scenario.nodes.find((n) => n.id === 'relay-a');
    expect(relay?.role === 'relay' && relay.live).toEqual({ connect: { host: '127.0.0.1', port: 2855 }, ca: null, serverName: null, clientCert: null, clientKey: null });
    // The endpoints are configured with its real address.
    if (relay?.role === 'relay') expect(relayUri(relay)).toBe('msrp://127.0.0.1:2855;tcp');
  });

  it('is made live, or moved, by the command line (--live ID=HOST:PORT)', () => {
    const simulated = good.map((l, i) => (i === 5 ? '  relay-a: { role: relay, scheme: msrp }' : l));
    const r = load(simulated, { live: { 'relay-a': { host: '127.0.0.1', port: 40000 } } });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.scenario.nodes.find((n) => n.id === 'relay-a')).toMatchObject({ live: { connect: { host: '127.0.0.1', port: 40000 } } });
    const moved = load(good, { live: { 'relay-a': { host: '::1', port: 2900 } } });
    if (moved.ok) {
      const relay = moved.scenario.nodes.find((n) => n.id === 'relay-a');
      if (relay?.role === 'relay') expect(relayUri(relay)).toBe('msrp://[::1]:2900;tcp');
    } else expect.fail('the override should load');
  });

  it('refuses a link, a firewall, faults, set and raw bytes to it by id, each where it is written', () => {
    const bad = [
      ...good.slice(0, 6),
      '  fw: { role: firewall, inside: [relay-a] }', //                                      7
      'links:', //                                                                           8
      '  - [psa, relay-a]', //                                                               9
      ...good.slice(6, 11), //                                                               10-14
      '  - at: 2s', //                                                                       15
      '    fault: { crash: relay-a }', //                                                    16
      '  - at: 2s', //                                                                       17
      '    fault: { expireTokens: relay-a }', //                                             18
      '  - at: 2s', //                                                                       19
      '    fault: { resetConnection: { node: psa, peer: relay-a } }', //                     20
      '  - at: 2s', //                                                                       21
      '    set: { node: relay-a, maxChunk: 100 }', //                                        22
      '  - at: 2s', //                                                                       23
      '    raw: { node: psa, to: relay-a, bytes: "x" }', //                                   24
      ...good.slice(11),
    ];
    const got = problems(bad).filter((p) => !p.includes('warning'));
    expect(got).toEqual([
      expect.stringMatching(/^live\.yaml:7:34: .*`relay-a` is a live relay \(a real one, at 127\.0\.0\.1:2855\): a simulated firewall cannot stand in front of it/),
      expect.stringMatching(/^live\.yaml:9:5: .*simulated links cannot carry its traffic/),
      expect.stringMatching(/^live\.yaml:16:21: .*simulated faults apply to simulated nodes and connections only/),
      expect.stringMatching(/^live\.yaml:18:28: .*simulated faults/),
      expect.stringMatching(/^live\.yaml:20:50: .*simulated faults/),
      expect.stringMatching(/^live\.yaml:22:18: .*`set` cannot change them/),
      expect.stringMatching(/^live\.yaml:24:27: .*raw bytes reach it on the sender's relay connection/),
    ]);
  });

  it('checks its address and its client certificate settings', () => {
    const bad = good.map((l, i) => (i === 5 ? '  relay-a: { role: relay, live: { connect: 127.0.0.1:70000, clientCert: c.pem } }' : l));
    const got = problems(bad);
    expect(got).toEqual([
      expect.stringMatching(/^live\.yaml:6:44: .*`127\.0\.0\.1:70000` is no address a relay can listen on/),
      expect.stringMatching(/^live\.yaml:6:61: .*`clientKey` is missing/),
    ]);
    const noPort = good.map((l, i) => (i === 5 ? '  relay-a: { role: relay, live: { connect: relay.example.com } }' : l));
    expect(problems(noPort).filter((p) => !p.includes("warning"))).toEqual([expect.stringMatching(/^live\.yaml:6:44: .*host:port/)]);
  });
});
