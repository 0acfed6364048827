/**
 * Scenario action `set` (SPEC §5) on a relay's `profile` and a firewall's `policy`: the new value
 * makes the decisions from then on (docs/scenario-format.md says what becomes of what is in flight).
 */
import { resolvingSink } from './helpers.js';
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { runScenario, type RunOptions } from '../../src/scenario/run.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { build, endpoint, oneRelay, relay } from './helpers.js';

function run(text: string, options: RunOptions = {}): AnyTraceRecord[] {
  const loaded = loadScenario('set.yaml', text);
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  const records: AnyTraceRecord[] = [];
  runScenario(loaded.scenario, { ...options, sinks: [resolvingSink(records)] });
  return records;
}

const of = (records: AnyTraceRecord[], type: string, node?: string) => records.filter((r) => r.type === type && (node === undefined || r.node === node));

describe('set: a relay profile', () => {
  const yaml = `
name: set-profile
seed: 4
duration: 20s
nodes:
  psa:     { role: sender, host: push.example.com, relays: [relay-a], password: pa }
  relay-a: { role: relay, host: relay.a.example.com, users: { psa: pa, pra: pb } }
  pra:     { role: receiver, host: phone.example.net, relays: [relay-a], password: pb, acceptTypes: [text/plain] }
links:
  - [psa, relay-a]
  - [relay-a, pra]
events:
  - at: 0s
    session: { id: s1, offerer: psa, answerer: pra }
  - at: 1s
    send: { session: s1, from: psa, contentType: text/plain, body: "before", failureReport: partial }
  - at: 3s
    set: { node: relay-a, profile: kamailio }
  - at: 5s
    send: { session: s1, from: psa, contentType: text/plain, body: "after", failureReport: partial }
`;

  it('decides by the new profile from the change on', () => {
    const records = run(yaml);
    const change = of(records, 'relay.profile', 'relay-a');
    expect(change.map((r) => [r.t, r.from, r.to])).toEqual([[3 * SECOND, 'rfc4976', 'kamailio']]);
    const partialSends = of(records, 'msrp.recv', 'relay-a').filter((r) => r.method === 'SEND' && r.bodyLength !== null);
    expect(partialSends).toHaveLength(2);
    const answered = (tid: unknown) => of(records, 'relay.respond', 'relay-a').filter((r) => r.transactionId === tid);
    // Before: the strict relay never answers a partial SEND. After: kamailio answers 200.
    expect(answered(partialSends[0]!.transactionId)).toHaveLength(0);
    expect(answered(partialSends[1]!.transactionId).map((r) => [r.status, r.rule])).toEqual([[200, 'kamailio:200-for-partial']]);
    // ... and forwards with the transaction id it came with.
    const forwards = of(records, 'relay.forward', 'relay-a').filter((r) => r.method === 'SEND' && r.t > 3 * SECOND);
    expect(forwards.map((r) => [r.inTransactionId === r.outTransactionId, r.rule])).toEqual([[true, 'kamailio:keep-tid']]);
    expect(of(records, 'endpoint.deliver', 'pra')).toHaveLength(2);
  });

  it('a profile forced on every relay for the run holds over the set', () => {
    // msrprelay answers no partial SEND (200 for yes or absent only); kamailio, which the set names,
    // would answer the second one 200. (The opensips profile delivers to a client by connecting to
    // its URI, which an RFC 4976 client refuses: no session of this file would carry a message.)
    // Its endpoints reach msrprelay as AG Projects' client does (once per session, no digest uri),
    // and pra has a relay of its own: msrprelay relays between two of its sessions by connecting to
    // itself, which the simulated network cannot (it has no loopback; docs/relay-profiles.md).
    const agYaml = yaml
      .replace('relays: [relay-a], password: pa', 'relays: [{ relay: relay-a, authPerSession: true, digestUri: false }], password: pa')
      .replace('relays: [relay-a], password: pb', 'relays: [{ relay: relay-b, authPerSession: true, digestUri: false }], password: pb')
      .replace('  pra:     {', '  relay-b: { role: relay, host: relay.b.example.net, users: { pra: pb } }\n  pra:     {')
      .replace('  - [relay-a, pra]', '  - [relay-a, relay-b]\n  - [relay-b, pra]');
    const records = run(agYaml, { profile: 'msrprelay' });
    expect(of(records, 'relay.profile')).toHaveLength(0);
    const partialSends = of(records, 'msrp.recv', 'relay-a').filter((r) => r.method === 'SEND' && r.bodyLength !== null);
    expect(partialSends).toHaveLength(2);
    const answers = partialSends.map((s) => of(records, 'relay.respond', 'relay-a').filter((r) => r.transactionId === s.transactionId));
    expect(answers).toEqual([[], []]);
    expect(of(records, 'endpoint.deliver', 'pra')).toHaveLength(2);
  });

  it('a transaction forwarded before the change ends under the profile in force when it ends', () => {
    // bob never answers the message: the strict relay's 408 timer runs; the relay then
    // becomes a kamailio relay, which generates no REPORT.
    const r = oneRelay((q) => (q.method === 'REPORT' ? null : q.body === null ? 200 : null));
    const { t } = r;
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x' }));
    t.world.at(5 * SECOND, () => t.world.relays.get('relay-a')!.reconfigure({ profile: 'kamailio' }));
    t.world.run(40 * SECOND);
    // The 200 it sent under the strict profile stays sent; the timer runs out at 31 s.
    expect(t.of('relay.respond', 'relay-a').filter((x) => x.method === 'SEND' && x.status === 200).map((x) => x.t < 5 * SECOND)).toEqual([true, true]);
    expect(t.of('relay.timeout', 'relay-a')).toHaveLength(1);
    expect(t.of('relay.report-suppressed', 'relay-a').map((x) => x.rule)).toEqual(['kamailio:never-reports']);
    expect(t.of('relay.report', 'relay-a')).toHaveLength(0);
  });
});

describe('set: a firewall policy', () => {
  const yaml = (policy: string, set: string) => `
name: set-policy
seed: 5
duration: 20s
nodes:
  psa:     { role: sender, host: push.example.com, relays: [relay-a], password: pa }
  fw:      { role: firewall, inside: [psa], rules: [ { allow: outbound } ]${policy} }
  relay-a: { role: relay, host: relay.a.example.com, scheme: msrp, users: { psa: pa, pra: pb } }
  pra:     { role: receiver, host: phone.example.net, relays: [relay-a], password: pb, acceptTypes: [text/plain] }
links:
  - [psa, fw]
  - [fw, relay-a]
  - [relay-a, pra]
events:
  - at: 0s
    session: { id: s1, offerer: psa, answerer: pra }
  - at: 1s
    send: { session: s1, from: psa, contentType: text/plain, size: 1500 }
  - at: 2s
    set: { node: fw, policy: ${set} }
  - at: 3s
    send: { session: s1, from: psa, contentType: text/plain, size: 1500 }
`;

  it('a policy set on a firewall that had none applies to the frames judged after it, on the connections already open too', () => {
    const records = run(yaml('', '{ maxFrame: 1000 }'));
    expect(of(records, 'fw.policy', 'fw').map((r) => r.t)).toEqual([2 * SECOND]);
    // The first message passed; the second, on the same connection, is dropped by the new policy.
    expect(of(records, 'endpoint.deliver', 'pra').map((r) => r.t < 2 * SECOND)).toEqual([true]);
    const drops = of(records, 'fw.drop', 'fw').filter((r) => String(r.rule).startsWith('fw#policy'));
    expect(drops[0]).toMatchObject({ rule: 'fw#policy.maxFrame', direction: 'outbound' });
    expect(drops[0]!.t).toBeGreaterThan(3 * SECOND);
    expect(of(records, 'fw.policy-skip')).toHaveLength(0);
  });

  it('a changed policy replaces the old one for what is judged after the change', () => {
    const records = run(yaml(', policy: { maxFrame: 5000 }', '{ maxFrame: 1000 }'));
    // 1500 bytes pass maxFrame 5000 at 1 s, not maxFrame 1000 at 3 s.
    expect(of(records, 'endpoint.deliver', 'pra').map((r) => r.t < 2 * SECOND)).toEqual([true]);
    const drops = of(records, 'fw.drop', 'fw').filter((r) => String(r.rule).startsWith('fw#policy'));
    expect(drops[0]).toMatchObject({ rule: 'fw#policy.maxFrame' });
    expect(String(drops[0]!.reason)).toMatch(/exceeds 1000$/);
    expect(drops[0]!.t).toBeGreaterThan(3 * SECOND);
  });

  it('a frame that the old policy refused would pass the new one', () => {
    const records = run(yaml(', policy: { contentTypes: [image/*] }', '{ contentTypes: [text/*] }').replace('  - at: 1s\n    send: { session: s1, from: psa, contentType: text/plain, size: 1500 }\n', ''));
    expect(of(records, 'fw.drop', 'fw').filter((r) => String(r.rule).startsWith('fw#policy'))).toHaveLength(0);
    expect(of(records, 'endpoint.deliver', 'pra').map((r) => r.size)).toEqual([1500]);
  });
});

describe('setFirewallPolicy on a firewall that read nothing until then', () => {
  it('leaves the connections that already carried MSRP uninspected, and inspects new ones from their first byte', () => {
    // psa and carol inside the firewall; relay-a outside. psa's relay connection is up before the
    // policy; carol's relay connection starts after it.
    const t = build(
      [
        { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: 'msrp://relay.a.example.com:2855;tcp', username: 'psa', password: 's3cret' }] }) },
        { id: 'carol', role: 'sender', endpoint: endpoint('carol.example.com', { relays: [{ uri: 'msrp://relay.a.example.com:2855;tcp', username: 'carol', password: 'c4rol' }] }) },
        { id: 'fw', role: 'firewall', firewall: { inside: ['psa', 'carol'], rules: [{ action: 'allow', direction: 'outbound' }] } },
        { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret', carol: 'c4rol' }, { scheme: 'msrp' }) },
        { id: 'bob', role: 'endpoint', endpoint: endpoint('bob.example.com', { port: 9000 }) },
      ],
      [
        ['psa', 'fw', { latency: 5_000 }],
        ['carol', 'fw', { latency: 5_000 }],
        ['fw', 'relay-a', { latency: 5_000 }],
        ['relay-a', 'bob', { latency: 5_000 }],
      ],
    );
    t.world.start();
    // carol's link is down at first: her connection gets through only after the policy is set.
    t.world.at(0, () => t.world.network.linkDown('carol', 'fw'));
    t.world.at(1500_000, () => t.world.network.linkUp('carol', 'fw'));
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'bob'));
    t.world.at(SECOND, () => t.world.setFirewallPolicy('fw', { maxFrame: 1000 }));
    t.world.at(2 * SECOND, () => t.world.openSession('s2', 'carol', 'bob'));
    t.world.at(3 * SECOND, () => {
      t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 1500 });
      t.world.send('carol', { session: 's2', contentType: 'text/plain', size: 1500 });
    });
    t.world.run(10 * SECOND);
    expect(t.of('endpoint.relay-connected', 'carol')[0]!.t).toBeGreaterThan(SECOND);
    const skips = t.of('fw.policy-skip', 'fw');
    expect(skips).toHaveLength(1);
    expect(skips[0]!.reason).toMatch(/before the policy was set/);
    expect(String(skips[0]!.flow)).toContain(t.world.network.host('psa').address);
    // psa's message passes uninspected; carol's, on a connection opened after the policy, does not.
    expect(t.of('endpoint.deliver', 'bob').map((r) => r.session)).toEqual(['s1']);
    const drops = t.of('fw.drop', 'fw').filter((r) => r.rule === 'fw#policy.maxFrame');
    expect(drops).not.toHaveLength(0);
    expect(String(drops[0]!.src).startsWith(`${t.world.network.host('carol').address}:`)).toBe(true);
  });
});

describe('set: a firewall idle timeout and an endpoint authExpires', () => {
  const yaml = `
name: set-idle
seed: 5
duration: 40s
nodes:
  psa:     { role: sender, host: push.example.com, relays: [relay-a], password: pa }
  relay-a: { role: relay, host: relay.a.example.com, users: { psa: pa, pra: pb }, expires: { min: 60s, max: 3600s, default: 600s } }
  fw:      { role: firewall, inside: [pra], idleTimeout: 10m }
  pra:     { role: receiver, host: phone.example.net, relays: [relay-a], password: pb, acceptTypes: [text/plain] }
links:
  - [psa, relay-a]
  - [relay-a, fw]
  - [fw, pra]
events:
  - at: 0s
    session: { id: s1, offerer: psa, answerer: pra }
  - at: 1s
    send: { session: s1, from: psa, contentType: text/plain, body: "before" }
  - at: 5s
    set: { node: fw, idleTimeout: 5s, idleMode: reset }
  - at: 6s
    set: { node: pra, authExpires: 120s }
  - at: 7s
    auth: { node: pra }
`;

  it('expires idle connections by the new timeout, counted from their last segment', () => {
    const records = run(yaml);
    expect(of(records, 'fw.idle', 'fw').map((r) => [r.t, r.idleTimeout, r.idleMode])).toEqual([[5 * SECOND, 5 * SECOND, 'reset']]);
    // With 10 minutes nothing would expire in this run; with 5 s the quiet connection does.
    const expired = of(records, 'fw.expire', 'fw');
    expect(expired.length).toBeGreaterThan(0);
    for (const r of expired) {
      expect(r.t).toBeGreaterThanOrEqual(5 * SECOND);
      expect(r.idle).toBeGreaterThanOrEqual(5 * SECOND);
    }
  });

  it('asks for the new Expires at the next AUTH', () => {
    const records = run(yaml);
    const asked = of(records, 'auth.request', 'pra').filter((r) => r.withCredentials === true);
    expect(asked.at(0)!.expires).toBeNull();
    expect(asked.at(-1)!.t).toBeGreaterThanOrEqual(7 * SECOND);
    expect(asked.at(-1)!.expires).toBe(120);
  });

  it('refuses a change of nat, with where and why', () => {
    const loaded = loadScenario('set.yaml', yaml.replace('set: { node: fw, idleTimeout: 5s, idleMode: reset }', 'set: { node: fw, nat: {} }'));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const text = loaded.problems.map(formatProblem).join('\n');
    expect(text).toMatch(/^set\.yaml:\d+:\d+: .*`nat` cannot change during a run/m);
  });
});
