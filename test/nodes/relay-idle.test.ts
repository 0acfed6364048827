/**
 * R-27, RFC 4976 §6.5: a relay with an idle limit closes a connection that has carried no MSRP
 * traffic in either direction for that long (and has nothing pending on it), traced as a relay
 * decision under R-27. What the close means for the state bound to the connection (R-12 tokens)
 * and for the client at the other end (E-19) follows from the ordinary close.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';
import { createTimelineWriter } from '../../src/output/timeline.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { RELAY_A, build, endpoint, oneRelay, relay, type Built } from './helpers.js';

/** psa and carol, clients of relay-a; bob, a relay-less peer psa talks to. Session s1 psa -> bob at 0. */
function world(relayOptions: { idleLimit?: number; transactionTimeout?: number } = {}, psa: Parameters<typeof endpoint>[1] = {}): Built {
  const t = build(
    [
      { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: RELAY_A, username: 'psa', password: 's3cret' }], ...psa }) },
      { id: 'carol', role: 'endpoint', endpoint: endpoint('carol.example.com', { relays: [{ uri: RELAY_A, username: 'carol', password: 'c4rol' }] }) },
      { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret', carol: 'c4rol' }, { idleLimit: 10 * SECOND, ...relayOptions }) },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('bob.example.com', { port: 9000, acceptTypes: ['*'] }) },
    ],
    [
      ['psa', 'relay-a', { latency: 10_000 }],
      ['carol', 'relay-a', { latency: 10_000 }],
      ['relay-a', 'bob', { latency: 10_000 }],
    ],
  );
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'bob'));
  return t;
}

/** The last MSRP frame sent or received on the relay's connection `conn` (its time). */
function lastMsrpOn(t: Built, conn: string, before: number): number {
  const times = t.trace.filter((r) => (r.type === 'msrp.send' || r.type === 'msrp.recv') && r.node === 'relay-a' && r.conn === conn && r.t <= before).map((r) => r.t);
  return Math.max(...times);
}

const clientConn = (t: Built, user: string): string => String(t.of('relay.auth-ok', 'relay-a').find((r) => r.user === user)!.conn);

describe('a connection idle for the limit (R-27)', () => {
  it('is closed by the relay exactly idleLimit after its last MSRP bytes, traced under R-27', () => {
    const t = world();
    t.world.run(15 * SECOND);
    const closes = t.of('relay.idle-close', 'relay-a');
    // carol authenticated and then said nothing: her connection goes first.
    const carol = clientConn(t, 'carol');
    const close = closes.find((r) => r.conn === carol)!;
    expect(close).toMatchObject({ rule: 'R-27', user: 'carol', limit: 10 * SECOND, tokens: 1 });
    const last = lastMsrpOn(t, carol, close.t);
    expect(close.t).toBe(last + 10 * SECOND);
    expect(close.idle).toBe(10 * SECOND);
    // The close is a real TCP close on the wire (FIN from the relay) ...
    const fin = t.trace.find((r) => r.type === 'tcp.segment' && r.node === 'relay-a' && r.conn === carol && String(r.flags).includes('F'));
    expect(fin!.t).toBe(close.t);
    // ... and carol's token, valid on that connection only, goes with it.
    const token = String(t.of('relay.auth-ok', 'relay-a').find((r) => r.user === 'carol')!.token);
    expect(t.of('relay.token-invalidated', 'relay-a').find((r) => r.token === token)).toMatchObject({ rule: 'R-12' });
    // carol learns that her relay connection is gone and connects again (E-19).
    expect(t.of('endpoint.relay-lost', 'carol')[0]).toMatchObject({ rule: 'E-19' });
    expect(t.of('endpoint.relay-connected', 'carol')).toHaveLength(2);
  });

  it('shows in the timeline as the relay closing the connection, with the rule', () => {
    const t = world();
    t.world.run(12 * SECOND);
    const timeline = createTimelineWriter({ nodes: ['psa', 'carol', 'relay-a', 'bob'] });
    const text = t.trace.map((r) => timeline.write(r)).join('');
    expect(text).toMatch(/relay-a +closes c\d+ \(client carol\): no MSRP traffic for 10 s \(limit 10 s\), 1 token\(s\) bound to it +\[R-27 RFC 4976 §6\.5\]/);
  });

  it('fails the sessions on it: the client sees E-19 and, when it re-establishes, offers a new path', () => {
    const t = world({}, { onSessionFailure: 'reestablish' });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'before' }));
    t.world.at(15 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'after' }));
    t.world.run(20 * SECOND);
    const psaConn = clientConn(t, 'psa');
    const close = t.of('relay.idle-close', 'relay-a').find((r) => r.conn === psaConn)!;
    expect(t.of('session.failed', 'psa')[0]).toMatchObject({ rule: 'E-19', t: close.t + 10_000 });
    expect(t.of('session.reestablish', 'psa')).toHaveLength(1);
    // The second offer carries the token of the new AUTH: the old one died with its connection.
    const offers = t.of('session.offer', 'psa').map((r) => (r.path as string[])[0]);
    const tokens = t.of('relay.auth-ok', 'relay-a').filter((r) => r.user === 'psa').map((r) => r.token);
    expect(offers).toEqual(tokens);
    expect(offers[1]).not.toBe(offers[0]);
    expect(t.of('endpoint.deliver', 'bob').map((r) => r.size)).toEqual([6, 5]);
  });
});

describe('a connection that carries traffic (R-27)', () => {
  it('stays open while MSRP bytes cross it in either direction, however seldom, within the limit', () => {
    const t = world();
    // Failure-Report no: psa's connection carries only psa's SENDs, bob's only the relay's.
    for (let s = 1; s <= 37; s += 9) {
      t.world.at(s * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: `ping ${s}`, failureReport: 'no' }));
    }
    t.world.run(50 * SECOND);
    const psaConn = clientConn(t, 'psa');
    const bobConn = String(t.of('relay.forward', 'relay-a')[0]!.outConn);
    const frames = (conn: string) => new Set(t.trace.filter((r) => r.node === 'relay-a' && r.conn === conn && r.t > 2 * SECOND && (r.type === 'msrp.send' || r.type === 'msrp.recv')).map((r) => r.type));
    expect(frames(psaConn)).toEqual(new Set(['msrp.recv']));
    expect(frames(bobConn)).toEqual(new Set(['msrp.send']));
    const closes = t.of('relay.idle-close', 'relay-a');
    // Only after the last message (at 37 s) do they fall idle; carol's went long before.
    expect(closes.find((r) => r.conn === clientConn(t, 'carol'))!.t).toBeLessThan(11 * SECOND);
    for (const conn of [psaConn, bobConn]) {
      const close = closes.find((r) => r.conn === conn)!;
      expect(close.t).toBe(lastMsrpOn(t, conn, close.t) + 10 * SECOND);
      expect(close.t).toBeGreaterThan(47 * SECOND);
    }
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(5);
  });

  it('is not closed while a forwarded SEND waits for its response on it: the close comes idleLimit after the 408', () => {
    // bob never answers; the relay's 408 timer runs 30 s, longer than the 10 s limit.
    const { t } = oneRelay(() => null, { relay: { idleLimit: 10 * SECOND, transactionTimeout: 30 * SECOND } });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'anyone?' }));
    t.world.run(50 * SECOND);
    // Two timers: the binding SEND's (E-13) and the message's, which ends last.
    const timeout = t.of('relay.timeout', 'relay-a').at(-1)!;
    expect(timeout.rule).toBe('R-21');
    const closes = t.of('relay.idle-close', 'relay-a');
    expect(closes).toHaveLength(2);
    // Both connections were silent from about 1 s, but in use until the timer ran out at ~31 s:
    // the one to bob from then, psa's from the 408 REPORT it carried.
    for (const close of closes) {
      expect(close.t).toBe(timeout.t + 10 * SECOND);
      expect(close.forgotten).toBe(0);
    }
    expect(t.of('relay.report', 'relay-a').map((r) => r.status)).toEqual([408, 408]);
    expect(t.of('endpoint.report', 'psa').at(-1)).toMatchObject({ status: 408, t: timeout.t + 10_000 });
  });

  it('without a limit nothing is closed, however long the silence', () => {
    const t = world({ idleLimit: Number.POSITIVE_INFINITY });
    t.world.run(1000 * SECOND);
    expect(t.of('relay.idle-close')).toHaveLength(0);
    expect(t.of('endpoint.relay-lost')).toHaveLength(0);
  });
});

describe('idleLimit in a scenario (R-27)', () => {
  const yaml = (idleLimit: string, extra = '') => `
name: relay-idle
seed: 3
duration: 2m
nodes:
  psa:     { role: sender, host: push.example.com, relays: [relay-a], password: pa, onSessionFailure: reestablish }
  relay-a: { role: relay, host: relay.a.example.com, users: { psa: pa, pra: pb }, idleLimit: ${idleLimit} }
  pra:     { role: receiver, host: phone.example.net, relays: [relay-a], password: pb, acceptTypes: [text/plain] }
links:
  - [psa, relay-a]
  - [relay-a, pra]
events:
  - at: 0s
    session: { id: s1, offerer: psa, answerer: pra }
  - at: 1s
    send: { session: s1, from: psa, contentType: text/plain, body: "first" }
  - at: 1m
    send: { session: s1, from: psa, contentType: text/plain, body: "after the silence" }
${extra}
expect:
  - delivered: { session: s1, to: pra, messages: 2 }
`;

  function run(text: string): { records: AnyTraceRecord[]; passed: boolean } {
    const loaded = loadScenario('relay-idle.yaml', text);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const records: AnyTraceRecord[] = [];
    const result = runScenario(loaded.scenario, { sinks: [(r) => records.push(r)] });
    return { records, passed: result.passed };
  }

  it('closes both clients\' connections after 20 s of silence; the sender re-establishes and the second message arrives', () => {
    const { records, passed } = run(yaml('20s'));
    // delivered: both messages, the second over the session re-established after the close.
    expect(passed).toBe(true);
    const closes = records.filter((r) => r.type === 'relay.idle-close');
    expect(closes.slice(0, 2).map((r) => [r.user, r.rule, r.limit, r.idle])).toEqual([['psa', 'R-27', 20 * SECOND, 20 * SECOND], ['pra', 'R-27', 20 * SECOND, 20 * SECOND]]);
    expect(closes.every((r) => r.rule === 'R-27')).toBe(true);
    // Each close fails the session at both ends (E-19); psa, the offerer, re-establishes it with
    // the paths of its new AUTH, and pra answers with its own.
    const failed = records.filter((r) => r.type === 'session.failed' && r.t < closes[2]!.t);
    expect(failed.map((r) => [r.node, r.rule])).toEqual([['psa', 'E-19'], ['pra', 'E-19']]);
    expect(records.filter((r) => r.type === 'session.reestablish' && r.t < closes[2]!.t).map((r) => r.node)).toEqual(['psa']);
    // A client that says nothing keeps being disconnected: every close is 20 s after the last traffic.
    expect(closes.length).toBeGreaterThan(2);
  });

  it('is the same run, byte for byte, for the same seed', () => {
    const a = run(yaml('20s')).records;
    const b = run(yaml('20s')).records;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('applies a limit set later to the connections already open', () => {
    const { records } = run(yaml('1h', '  - at: 10s\n    set: { node: relay-a, idleLimit: 15s }'));
    const closes = records.filter((r) => r.type === 'relay.idle-close');
    // Silent since ~1 s: closed 15 s after that, by the limit set at 10 s.
    expect(closes.slice(0, 2).map((r) => r.user)).toEqual(['psa', 'pra']);
    for (const c of closes.slice(0, 2)) {
      expect(c.t).toBeGreaterThanOrEqual(15 * SECOND);
      expect(c.t).toBeLessThan(17 * SECOND);
    }
  });

  it('refuses an idle limit of 0', () => {
    const loaded = loadScenario('relay-idle.yaml', yaml('0s'));
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems.map(formatProblem).join('\n')).toMatch(/idleLimit: an idle limit of 0 would close every connection at once/);
  });
});
