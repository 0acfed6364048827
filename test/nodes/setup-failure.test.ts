/**
 * A session whose set-up never completes fails, and no message sent on it goes without a record:
 * every send ends in `endpoint.message` (sent), `endpoint.send-refused` (no session to send it on)
 * or `endpoint.send-failed` (it waited for a session that failed). An INVITE with no final
 * response fails its session after Timer B (RFC 3261 §17.1.1.2); an AUTH that fails fails the
 * sessions waiting for it at once.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { World } from '../../src/nodes/world.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { SummaryCollector } from '../../src/output/summary.js';
import { endpoint, specTopology, type Built } from './helpers.js';

function direct(inviteTimeout?: number): Built {
  const world = new World({
    seed: 1,
    nodes: [
      { id: 'alice', role: 'endpoint', endpoint: endpoint('atlanta.example.com') },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('biloxi.example.com') },
    ],
    links: [{ a: 'alice', b: 'bob', options: { latency: 10_000 } }],
    ...(inviteTimeout !== undefined ? { inviteTimeout } : {}),
  });
  const trace: AnyTraceRecord[] = [];
  world.sim.trace.addSink((r) => trace.push(r));
  return { world, trace, of: (type, node) => trace.filter((r) => r.type === type && (node === undefined || r.node === node)) };
}

function summarize(trace: AnyTraceRecord[]) {
  const c = new SummaryCollector();
  for (const r of trace) c.record(r);
  return c.finish();
}

describe('an answerer that crashed before the INVITE', () => {
  it('fails the session after Timer B (32 s), and the send that waited for it fails with it', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.network.crash('bob'));
    t.world.at(100_000, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(200_000, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'anyone there?' }));
    t.world.run(60 * SECOND);

    const invite = t.of('sip.send', 'alice').find((r) => r.method === 'INVITE')!;
    expect(t.of('endpoint.send-queued', 'alice')).toMatchObject([{ session: 's1', state: 'offering' }]);
    const timeout = t.of('sip.timeout', 'alice');
    expect(timeout).toMatchObject([{ session: 's1', method: 'INVITE', rule: 'RFC 3261 §17.1.1.2' }]);
    expect(timeout[0]!.t - invite.t).toBe(32 * SECOND);
    const failed = t.of('session.failed', 'alice');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.t).toBe(timeout[0]!.t);
    expect(String(failed[0]!.reason)).toMatch(/408.*Timer B/);
    const sendFailed = t.of('endpoint.send-failed', 'alice');
    expect(sendFailed).toMatchObject([{ session: 's1', reason: failed[0]!.reason, queued: true }]);
    expect(sendFailed[0]!.t).toBe(failed[0]!.t);
    expect(t.of('endpoint.message')).toEqual([]);
    // Nothing is left waiting: the session is forgotten once its grace is over.
    expect(t.world.endpoint('alice').stateSizes.waiting).toBe(0);

    const s1 = summarize(t.trace).sessions.s1!;
    expect(s1).toMatchObject({ established: false, failed: failed[0]!.reason, messagesSent: 0, messagesNotSent: 1, messagesWaiting: 0 });
    expect(t.world.counters.toJSON()).toMatchObject({ sessionsFailed: 1, messagesSent: 0, messagesNotSent: 1 });
  });

  it('takes Timer B from the world (a scenario setting)', () => {
    const t = direct(5 * SECOND);
    t.world.start();
    t.world.at(0, () => t.world.network.crash('bob'));
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.run(60 * SECOND);
    const invite = t.of('sip.send', 'alice').find((r) => r.method === 'INVITE')!;
    expect(t.of('session.failed', 'alice').map((r) => r.t - invite.t)).toEqual([5 * SECOND]);
  });

  it('a final response in time stops Timer B: the session goes on', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'hi' }));
    t.world.run(40 * SECOND);
    expect(t.of('sip.timeout')).toEqual([]);
    expect(t.of('session.failed')).toEqual([]);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(1);
  });

  it('an answer that comes after Timer B gets an ACK and a BYE: the session stays failed at both ends', () => {
    // bob is slow to answer: its INVITE arrives after 30 s of signalling delay.
    const world = new World({
      seed: 1,
      nodes: [
        { id: 'alice', role: 'endpoint', endpoint: endpoint('atlanta.example.com') },
        { id: 'bob', role: 'endpoint', endpoint: endpoint('biloxi.example.com') },
      ],
      links: [{ a: 'alice', b: 'bob', options: { latency: 10_000 } }],
      signallingDelay: 20 * SECOND,
    });
    const trace: AnyTraceRecord[] = [];
    world.sim.trace.addSink((r) => trace.push(r));
    const of = (type: string, node?: string) => trace.filter((r) => r.type === type && (node === undefined || r.node === node));
    world.start();
    world.at(0, () => world.openSession('s1', 'alice', 'bob'));
    world.run(120 * SECOND);
    expect(of('session.failed', 'alice')).toHaveLength(1);
    expect(of('session.answer-ignored', 'alice')).toMatchObject([{ session: 's1', state: 'failed', status: 200, bye: true }]);
    expect(of('sip.send', 'alice').map((r) => r.method ?? r.status)).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(of('session.closed', 'bob')).toMatchObject([{ session: 's1', why: 'bye' }]);
  });
});

describe('an offerer whose AUTH fails', () => {
  it('fails the sessions waiting for the AUTH at once, with its reason, and their sends with them', () => {
    const t = specTopology({ psa: { relays: [{ uri: 'msrps://relay.a.example.com:2855;tcp', username: 'psa', password: 'wrong' }] } });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(0, () => t.world.openSession('s2', 'psa', 'pra'));
    t.world.at(0, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'first' }));
    t.world.run(60 * SECOND);
    const authFail = t.of('auth.fail', 'psa');
    expect(authFail).toHaveLength(1);
    const failed = t.of('session.failed', 'psa');
    expect(failed.map((r) => r.session)).toEqual(['s1', 's2']);
    for (const f of failed) {
      expect(f.t).toBe(authFail[0]!.t);
      expect(String(f.reason)).toContain('credentials refused (401)');
      expect(f.rule).toBe(authFail[0]!.rule);
    }
    expect(t.of('endpoint.send-failed', 'psa')).toMatchObject([{ session: 's1', reason: failed[0]!.reason, queued: true }]);
    expect(t.of('sip.send', 'psa')).toEqual([]);
    // A session asked for after the AUTH failed fails at once too, instead of waiting for ever.
    t.world.at(61 * SECOND, () => t.world.openSession('s3', 'psa', 'pra'));
    t.world.run(62 * SECOND);
    expect(t.of('session.failed', 'psa').filter((r) => r.session === 's3').map((r) => r.t)).toEqual([61 * SECOND]);
    const summary = summarize(t.trace);
    expect(summary.sessions.s1).toMatchObject({ established: false, messagesSent: 0, messagesNotSent: 1 });
    expect(summary.sessions.s1!.failed).toContain('credentials refused');
  });

  it('an answerer whose AUTH fails declines the INVITE it owes an answer; the offerer fails too', () => {
    const t = specTopology({ pra: { relays: [{ uri: 'msrps://relay.b.example.net:2855;tcp', username: 'pra', password: 'wrong' }] } });
    t.world.start();
    // pra's AUTH is still under way when the INVITE arrives.
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(0, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'first' }));
    t.world.run(60 * SECOND);
    const authFail = t.of('auth.fail', 'pra');
    expect(authFail).toHaveLength(1);
    expect(t.of('sip.recv', 'pra').some((r) => r.method === 'INVITE' && r.t < authFail[0]!.t)).toBe(true);
    expect(t.of('session.failed', 'pra')).toMatchObject([{ session: 's1', rule: authFail[0]!.rule, t: authFail[0]!.t }]);
    expect(t.of('session.rejected', 'psa')).toMatchObject([{ session: 's1', status: 488 }]);
    expect(t.of('sip.timeout')).toEqual([]);
    expect(t.of('endpoint.send-failed', 'psa')).toMatchObject([{ session: 's1', queued: true }]);
    expect(summarize(t.trace).sessions.s1).toMatchObject({ established: false, messagesNotSent: 1 });
    expect(summarize(t.trace).sessions.s1!.failed).not.toBeNull();
  });
});

describe('a send with no session to go on', () => {
  it('on a session id that never existed: refused, saying so', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.send('alice', { session: 'nope', contentType: 'text/plain', body: 'x' }));
    t.world.run(SECOND);
    expect(t.of('endpoint.send-refused', 'alice')).toMatchObject([{ session: 'nope', reason: 'no session nope at alice' }]);
    expect(summarize(t.trace).sessions.nope).toMatchObject({ messagesSent: 0, messagesNotSent: 1 });
  });

  it('on a session that has ended: refused, saying so', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(SECOND, () => t.world.endSession('s1', 'alice'));
    t.world.at(2 * SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'x' }));
    t.world.run(3 * SECOND);
    expect(t.of('endpoint.send-refused', 'alice')).toMatchObject([{ session: 's1', reason: 'session s1 has ended' }]);
  });

  it('on a session ended before it was established: the waiting send fails with it', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(1_000, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'x' }));
    t.world.at(2_000, () => t.world.endSession('s1', 'alice'));
    t.world.run(3 * SECOND);
    expect(t.of('endpoint.send-failed', 'alice')).toMatchObject([{ session: 's1', reason: 'the session ended before it was established', queued: true }]);
  });

  it('waiting when its node crashes: it fails with the node', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(1_000, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'x' }));
    t.world.at(2_000, () => t.world.network.crash('alice'));
    t.world.run(3 * SECOND);
    expect(t.of('endpoint.send-failed', 'alice')).toMatchObject([{ session: 's1', reason: 'the node crashed', queued: true }]);
  });
});

