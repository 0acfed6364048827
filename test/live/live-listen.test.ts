/**
 * A scenario relay with `live: { listen: HOST:PORT }`: the relay stays simulated and serves the
 * scenario's simulated endpoints over simulated links, and it also accepts real MSRP clients on a
 * real loopback socket, which AUTH and relay through it like any client. Validation refuses what
 * cannot work (connect and listen together, msrps without a certificate, two relays on one
 * address, a crash of a relay whose real socket stays open).
 */
import { describe, expect, it } from 'vitest';
import { runLiveScenario } from '../../src/live/live-scenario.js';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { freePort } from '../helpers/kamailio.js';
import { headerOf, RawMsrpClient } from '../helpers/raw-msrp-client.js';
import { LIVE_PUSH } from '../helpers/scenario-text.js';

function problems(lines: string[]): string[] {
  const r = loadScenario('listen.yaml', lines.join('\n') + '\n');
  return r.ok ? [] : r.problems.map(formatProblem);
}

const base = (relay: string, extra: string[] = []): string[] => [
  'name: listen', //                                                                   1
  'duration: 5s', //                                                                   2
  'nodes:', //                                                                         3
  '  psa: { role: sender, relays: [relay-a], password: s3cret }', //                   4
  '  pra: { role: receiver, relays: [relay-a], password: hunter2 }', //                5
  `  relay-a: ${relay}`, //                                                            6
  'links:', //                                                                         7
  '  - [psa, relay-a]', //                                                             8
  '  - [pra, relay-a]', //                                                             9
  ...extra,
];

describe('live.listen in a scenario file', () => {
  it('is a simulated relay with a real listener: links and users stay as for any simulated relay', () => {
    const r = loadScenario('listen.yaml', base('{ role: relay, scheme: msrp, users: { psa: s3cret, pra: hunter2, carol: pw }, live: { listen: 127.0.0.1:2999 } }').join('\n'));
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const relay = r.scenario.nodes.find((n) => n.id === 'relay-a');
    expect(relay).toMatchObject({ role: 'relay', live: null, listen: { address: { host: '127.0.0.1', port: 2999 }, cert: null, key: null } });
  });

  it('refuses, where written, connect with listen, msrps without a certificate, keys of the other kind and a crash of a listening relay', () => {
    // (With `connect`, it is a real relay, so its links are refused too.)
    expect(problems(base('{ role: relay, scheme: msrp, live: { connect: 127.0.0.1:2855, listen: 127.0.0.1:2999 } }'))[0]).toMatch(
      /^listen\.yaml:6:\d+: .*either real \(`connect`.*or simulated with a real listener.*not both/u,
    );
    expect(problems(base('{ role: relay, live: { listen: 127.0.0.1:2999 } }'))).toEqual([expect.stringMatching(/^listen\.yaml:6:\d+: [\w.[\]-]+: `relay-a` serves msrps: real clients need a real certificate/u)]);
    expect(problems(base('{ role: relay, scheme: msrp, live: { listen: 127.0.0.1:2999, ca: ca.pem, cert: c.pem } }'))).toEqual([
      expect.stringMatching(/^listen\.yaml:6:\d+: [\w.[\]-]+: `ca` is for reaching a real relay/u),
      expect.stringMatching(/^listen\.yaml:6:\d+: [\w.[\]-]+: a certificate needs its key and the key its certificate: `key` is missing/u),
    ]);
    expect(problems(base('{ role: relay, scheme: msrp, live: { connect: 127.0.0.1:2855, cert: c.pem, key: k.pem } }')).filter((p) => /`(cert|key)` is the certificate a listening relay presents/u.test(p))).toHaveLength(2);
    expect(problems(base('{ role: relay, scheme: msrp, live: {} }'))).toEqual([expect.stringMatching(/^listen\.yaml:6:\d+: [\w.[\]-]+: live mode needs `connect`.*or `listen`/u)]);
    expect(problems(base('{ role: relay, scheme: msrp, live: { listen: 127.0.0.1:2999 } }', ['events:', '  - at: 1s', '    fault: { crash: relay-a }']))).toEqual([
      expect.stringMatching(/^listen\.yaml:12:\d+: [\w.[\]-]+: `relay-a` listens for real clients \(live\.listen\): its real socket cannot crash/u),
    ]);
  });
});

describe('a listening scenario relay in a live run', () => {
  it('relays the simulated push and, at the same time, AUTHs a real client on its real socket', async () => {
    const port = await freePort();
    const text = [
      'name: listen-live',
      'seed: 3',
      'duration: 2500ms',
      'nodes:',
      '  psa: { role: sender, relays: [relay-a], password: s3cret }',
      '  pra: { role: receiver, relays: [relay-a], password: hunter2 }',
      `  relay-a: { role: relay, scheme: msrp, users: { psa: s3cret, pra: hunter2, carol: pw }, live: { listen: 127.0.0.1:${port} } }`,
      'links:',
      '  - [psa, relay-a]',
      '  - [pra, relay-a]',
      ...LIVE_PUSH,
    ].join('\n');
    const loaded = loadScenario('listen.yaml', text);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const records: AnyTraceRecord[] = [];
    const running = runLiveScenario(loaded.scenario, { sinks: [(r) => records.push(r)] });
    // The listener is bound at the run's start: wait for it, then AUTH as carol (a real client).
    for (let i = 0; i < 100 && !records.some((r) => r.type === 'live.listen'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(records.find((r) => r.type === 'live.listen')).toMatchObject({ node: 'relay-a', address: `127.0.0.1:${port}`, tls: false });
    const carol = await RawMsrpClient.connect('127.0.0.1', port);
    const relayUri = 'msrp://relay-a.test:2855;tcp';
    const { challenge, result } = await carol.auth(relayUri, 'msrp://127.0.0.1:9/carol;tcp', 'carol', 'pw');
    await carol.close();
    const outcome = await running;
    expect(challenge.statusCode).toBe(401);
    expect(result.statusCode).toBe(200);
    // Its Use-Path names the relay as the simulation knows it.
    expect(headerOf(result, 'Use-Path')).toMatch(/^msrp:\/\/relay-a\.test:2855\/[^ ]+;tcp$/u);
    expect(records.some((r) => r.type === 'live.accept' && r.node === 'relay-a')).toBe(true);
    // The simulated side ran as in any run.
    expect(outcome.expectations.filter((e) => !e.passed)).toEqual([]);
    expect(outcome.expectations).toHaveLength(2);
  }, 20_000);
});
