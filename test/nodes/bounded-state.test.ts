/**
 * SPEC §9: "memory grows with live state, not with the length of the trace". Over a long run of
 * steady traffic through two relays, what the relays and the endpoints remember (transactions,
 * tokens, messages) stays within what is live at any moment (R-28: "Relays only keep transaction
 * states for a short time for each chunk"), instead of growing with every frame ever sent.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { FailureReport, SuccessReport } from '../../src/wire/frame.js';
import { chain } from './helpers.js';

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
