/**
 * SPEC §9: "memory grows with live state, not with the length of the trace". Over a long run of
 * steady traffic through two relays, what the relays and the endpoints remember (transactions,
 * tokens, messages) stays within what is live at any moment (R-28: "Relays only keep transaction
 * states for a short time for each chunk"), instead of growing with every frame ever sent.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { FailureReport, SuccessReport } from '../../src/wire/frame.js';
import type { EndpointOptions } from '../../src/nodes/endpoint/endpoint-node.js';
import { build, chain, endpoint, type Built } from './helpers.js';

const MINUTE = 60 * SECOND;

describe('state over a long run', () => {
  it('relays and endpoints keep what is live, not what was ever sent', () => {
    // Tokens for 2 minutes: each endpoint re-AUTHs (and re-offers) about every 96 s.
    const t = chain(1, 1, { relay: { expiresMin: 60 }, psa: { authExpires: 120 }, pra: { authExpires: 120 } });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    const frs: FailureReport[] = ['yes', 'partial', 'no'];
    const srs: SuccessReport[] = ['no', 'yes'];
    const count = 900;
    for (let i = 0; i < count; i++) {
      t.world.at(5 * SECOND + i * 2 * SECOND, () =>
        t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, chunkSize: 2048, failureReport: frs[i % 3], successReport: srs[i % 2] }),
      );
    }
    const peak = { relayTransactions: 0, tokens: 0, nonces: 0, transactions: 0, messagesOut: 0, messagesIn: 0 };
    const last: typeof peak[] = [];
    const sample = () => {
      const now = { relayTransactions: 0, tokens: 0, nonces: 0, transactions: 0, messagesOut: 0, messagesIn: 0 };
      for (const id of ['a1', 'b1']) {
        const s = t.world.relays.get(id)!.stateSizes;
        now.relayTransactions = Math.max(now.relayTransactions, s.transactions);
        now.tokens = Math.max(now.tokens, s.tokens);
        now.nonces = Math.max(now.nonces, s.nonces);
      }
      for (const id of ['psa', 'pra']) {
        const s = t.world.endpoint(id).stateSizes;
        now.transactions = Math.max(now.transactions, s.transactions);
        now.messagesOut = Math.max(now.messagesOut, s.messagesOut);
        now.messagesIn = Math.max(now.messagesIn, s.messagesIn);
      }
      for (const k of Object.keys(peak) as (keyof typeof peak)[]) peak[k] = Math.max(peak[k], now[k]);
      last.push(now);
    };
    const end = 5 * SECOND + count * 2 * SECOND;
    for (let at = MINUTE; at <= end + 5 * MINUTE; at += 10 * SECOND) t.world.at(at, sample);
    t.world.run(end + 5 * MINUTE);

    // Every message arrived: the run is the steady traffic it means to be.
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(count);
    expect(t.of('session.failed')).toHaveLength(0);
    // Live at any time: the partial chunks of the last 30 s (about 10), at most three tokens per
    // client (issued every 96 s, forgotten one Expires after they expire), the nonces of the last
    // nonce lifetime (5 min), and the messages of the last grace period (a transaction timeout per
    // hop: 90 s, about 45 messages). 900 messages were sent.
    expect(peak.relayTransactions).toBeLessThanOrEqual(25);
    expect(peak.tokens).toBeLessThanOrEqual(3);
    expect(peak.nonces).toBeLessThanOrEqual(5);
    expect(peak.transactions).toBeLessThanOrEqual(25);
    expect(peak.messagesOut).toBeLessThanOrEqual(60);
    expect(peak.messagesIn).toBeLessThanOrEqual(60);
    // Once the traffic is over and the windows have passed, the relays remember no transaction.
    const quiet = last.at(-1)!;
    expect(quiet.relayTransactions).toBe(0);
    expect(quiet.transactions).toBe(0);
  });
});

/** psa - fw - bob, direct (no relay), psa inside a firewall that reads the MSRP of every connection. */
function direct(psa: Partial<EndpointOptions> = {}): Built {
  return build(
    [
      { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', psa) },
      { id: 'fw', role: 'firewall', firewall: { inside: ['psa'], rules: [{ action: 'allow', direction: 'outbound' }] }, policy: { maxFrame: 100_000 } },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('bob.example.com', { port: 9000 }) },
    ],
    [
      ['psa', 'fw', { latency: 5_000 }],
      ['fw', 'bob', { latency: 5_000 }],
    ],
  );
}

/**
 * `count` sessions psa -> bob, one a minute, one message each, ended after 20 s by either side;
 * `sample` runs 30 s into each minute.
 */
function sessionsOneAMinute(t: Built, count: number, sample: () => void): void {
  t.world.start();
  for (let i = 0; i < count; i++) {
    const at = i * MINUTE;
    t.world.at(at, () => t.world.openSession(`s${i}`, 'psa', 'bob'));
    t.world.at(at + 5 * SECOND, () => t.world.send('psa', { session: `s${i}`, contentType: 'text/plain', body: `m${i}` }));
    t.world.at(at + 20 * SECOND, () => t.world.endSession(`s${i}`, i % 2 === 0 ? 'psa' : 'bob'));
    t.world.at(at + 30 * SECOND, sample);
  }
  t.world.run(count * MINUTE + 5 * MINUTE);
  expect(t.of('endpoint.deliver', 'bob')).toHaveLength(count);
  expect(t.of('session.closed')).toHaveLength(2 * count);
  expect(t.of('session.failed')).toHaveLength(0);
}

describe('sessions over a long run', () => {
  it('sessions that ended are forgotten, by the endpoints and the signalling core', () => {
    const t = direct();
    const peak = { sessions: 0, calls: 0 };
    sessionsOneAMinute(t, 200, () => {
      peak.sessions = Math.max(peak.sessions, t.world.endpoint('psa').stateSizes.sessions, t.world.endpoint('bob').stateSizes.sessions);
      peak.calls = Math.max(peak.calls, t.world.signalling.callCount);
    });
    // Live at any time: the session of the minute, and the one before it within its grace (30 s).
    expect(peak.sessions).toBeLessThanOrEqual(2);
    expect(peak.calls).toBeLessThanOrEqual(2);
  });

  it('an inspecting firewall forgets the connections of sessions that ended', () => {
    const t = direct();
    let peak = 0;
    sessionsOneAMinute(t, 200, () => (peak = Math.max(peak, t.world.policyFlowCount('fw'))));
    // Each session's connection is closed once its BYE is answered; its firewall state goes 10 s
    // later, and with it what read its two directions.
    expect(peak).toBeLessThanOrEqual(2);
    expect(t.world.policyFlowCount('fw')).toBe(0);
  });

  it('sessions refused are forgotten too', () => {
    // No a=accept-types in psa's offer: bob answers 488 (E-05), and the session fails on both sides.
    const t = direct({ acceptTypes: [] });
    t.world.start();
    const count = 100;
    for (let i = 0; i < count; i++) t.world.at(i * MINUTE, () => t.world.openSession(`s${i}`, 'psa', 'bob'));
    t.world.run(count * MINUTE + 5 * MINUTE);
    expect(t.of('session.rejected', 'psa')).toHaveLength(count);
    expect(t.world.endpoint('psa').stateSizes.sessions).toBeLessThanOrEqual(2);
    expect(t.world.endpoint('bob').stateSizes.sessions).toBeLessThanOrEqual(2);
    expect(t.world.signalling.callCount).toBeLessThanOrEqual(2);
  });

  it('a session ended while its offer is on its way is kept until the answer comes, and gets its BYE', () => {
    // A grace of 1 ms: only what is under way keeps the session.
    const t = direct({ transactionTimeout: 1_000 });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'bob'));
    t.world.at(10_000, () => t.world.endSession('s1', 'psa'));
    // New sessions, the first before the answer to s1 is back, make psa forget what is over.
    t.world.at(20_000, () => t.world.openSession('s2', 'psa', 'bob'));
    for (let i = 3; i < 6; i++) t.world.at(i * MINUTE, () => t.world.openSession(`s${i}`, 'psa', 'bob'));
    t.world.run(7 * MINUTE);
    expect(t.of('session.answer-ignored', 'psa')).toMatchObject([{ session: 's1', bye: true }]);
    expect(t.of('session.closed', 'bob').map((r) => r.session)).toEqual(['s1']);
    // Then it goes like the others (with a grace of 1 ms, s2 to s5 fail at once for want of a 200
    // to their binding SEND): only the last one, s5, is left.
    expect(t.world.endpoint('psa').stateSizes.sessions).toBe(1);
  });

  it('what comes for a session forgotten is handled as for one never known', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'bob'));
    t.world.at(5 * SECOND, () => t.world.endSession('s1', 'psa'));
    // Within the grace the session is still known: a second end closes it again, as it always did.
    t.world.at(6 * SECOND, () => t.world.endSession('s1', 'bob'));
    // A new session makes the endpoints forget the old one once its grace is over.
    t.world.at(2 * MINUTE, () => t.world.openSession('s2', 'psa', 'bob'));
    t.world.at(2 * MINUTE + 5 * SECOND, () => {
      expect(t.world.endpoint('psa').stateSizes.sessions).toBe(1);
      expect(t.world.endpoint('bob').stateSizes.sessions).toBe(1);
      expect(t.world.signalling.callCount).toBe(1);
      t.world.endSession('s1', 'psa');
      t.world.endSession('s1', 'bob');
      t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'late' });
      t.world.send('psa', { session: 's2', contentType: 'text/plain', body: 'live' });
    });
    t.world.run(3 * MINUTE);
    expect(t.of('session.closed').map((r) => [r.node, r.session, r.why])).toEqual([
      ['psa', 's1', 'end'],
      ['bob', 's1', 'bye'],
      ['bob', 's1', 'end'],
      ['psa', 's1', 'bye'],
    ]);
    expect(t.of('endpoint.send-refused', 'psa').map((r) => r.session)).toEqual(['s1']);
    expect(t.of('endpoint.deliver', 'bob').map((r) => r.session)).toEqual(['s2']);
  });
});
