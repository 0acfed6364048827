/**
 * The link between the two relays fails while a message is crossing it (SPEC §1 job 1): what the
 * sender hears. The relay before the break has answered 200 for every chunk; for each chunk
 * the next relay did not confirm, it owes the sender a 408 REPORT — from the 30 s timer or
 * when the connection gives up — and for a short outage TCP recovers and nothing is owed.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { ByteRange } from '../../src/wire/frame.js';
import type { SendAction } from '../../src/nodes/endpoint/endpoint-node.js';
import { chain, type Built } from './helpers.js';

const SIZE = 200_000;

function crossing(opts: { down: number; up?: number; patientTcp?: boolean; send?: Partial<SendAction> }): Built {
  // Impatient TCP gives up after about 10 s, before the 30 s timer; patient TCP retransmits for
  // about 50 s, after it. Both are set here so that the network's defaults do not decide the case.
  const t = chain(1, 1, { network: { tcp: opts.patientTcp ? { maxRetries: 10, rtoMax: 8 * SECOND } : { maxRetries: 6, rtoMax: 2 * SECOND } } });
  // A 1 Mbit/s inter-relay link: the message takes 1.6 s to cross it.
  t.world.network.setLink('a1', 'b1', { bandwidth: 1_000_000 });
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
  t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: SIZE, chunkSize: 2048, successReport: 'yes', ...opts.send }));
  t.world.at(opts.down, () => t.world.network.linkDown('a1', 'b1'));
  if (opts.up !== undefined) t.world.at(opts.up, () => t.world.network.linkUp('a1', 'b1'));
  t.world.run(120 * SECOND);
  return t;
}

/** Byte ranges b1 confirmed to a1 (200 to a forwarded chunk), and the 408 REPORT ranges at psa. */
function accounts(t: Built): { confirmed: ByteRange[]; reported: ByteRange[] } {
  const forwards = new Map(t.of('relay.forward', 'a1').map((f) => [f.outTransactionId as string, f.byteRangeOut as ByteRange | null]));
  const confirmed = t.of('relay.next-hop-ok', 'a1').map((r) => forwards.get(r.outTransactionId as string)).filter((r): r is ByteRange => !!r && r.total === SIZE);
  const reported = t.of('endpoint.report', 'psa').filter((r) => r.status === 408).map((r) => r.byteRange as ByteRange);
  return { confirmed, reported };
}

/** The ranges are disjoint and together cover 1..SIZE exactly. */
function expectPartition(ranges: ByteRange[]): void {
  let next = 1;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    expect(r.start).toBe(next);
    next = r.end! + 1;
  }
  expect(next - 1).toBe(SIZE);
}

describe('the inter-relay link goes down mid-message', () => {
  it('for good: every chunk b1 did not confirm comes back to psa as a 408 REPORT when the connection gives up (A-02)', () => {
    const t = crossing({ down: 1.5 * SECOND });
    const { confirmed, reported } = accounts(t);
    expect(confirmed.length).toBeGreaterThan(0);
    expect(reported.length).toBeGreaterThan(0);
    // What b1 confirmed and what psa hears was lost add up to the message, with no overlap.
    expectPartition([...confirmed, ...reported]);
    const reports = t.of('relay.report', 'a1');
    expect(reports.every((r) => r.status === 408 && r.rule === 'A-02')).toBe(true);
    // The REPORTs go to psa with the paths of d.5: To-Path = psa's From-Path, From-Path = a1's token.
    const atPsa = t.of('msrp.recv', 'psa').filter((r) => r.method === 'REPORT' && r.reportStatus === 408);
    const token = t.of('relay.auth-ok', 'a1')[0]!.token;
    expect(atPsa.every((r) => (r.toPath as string[]).length === 1 && (r.fromPath as string[])[0] === token)).toBe(true);
    // psa treats its session as failed (E-32) and never sees the message complete.
    expect(t.of('session.failed', 'psa')[0]).toMatchObject({ rule: 'E-32', reason: 'failure REPORT 408' });
    expect(t.of('endpoint.report', 'psa').some((r) => r.status === 200)).toBe(false);
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(0);
  });

  it('for good, with TCP patient enough: the 30 s timer speaks first for the chunks written, 30 s after each (R-21)', () => {
    const t = crossing({ down: 1.5 * SECOND, patientTcp: true });
    const { confirmed, reported } = accounts(t);
    expectPartition([...confirmed, ...reported]);
    const timeouts = t.of('relay.timeout', 'a1');
    expect(timeouts.length).toBeGreaterThan(0);
    const sentAt = new Map(t.of('msrp.send', 'a1').filter((r) => r.method === 'SEND').map((r) => [r.transactionId as string, r.t]));
    for (const to of timeouts) expect(to.t - sentAt.get(to.outTransactionId as string)!).toBe(30 * SECOND);
    const rules = t.of('relay.report', 'a1').map((r) => r.rule);
    expect(rules.filter((r) => r === 'R-21')).toHaveLength(timeouts.length);
    // What was still queued behind the dead connection is reported when TCP gives up.
    expect(rules.filter((r) => r === 'A-02').length).toBeGreaterThan(0);
    expect(t.of('tcp.close', 'a1').find((r) => r.kind === 'timeout')!.t).toBeGreaterThan(31.5 * SECOND);
  });

  it('one interruptible chunk cut off by the break: a 408 for all of it, since no transaction of it completed', () => {
    const t = crossing({ down: 1.5 * SECOND, send: { chunkStrategy: 'interruptible' } });
    const reports = t.of('relay.report', 'a1');
    expect(reports.map((r) => [r.status, r.rule, r.byteRange])).toEqual([[408, 'A-02', { start: 1, end: SIZE, total: SIZE }]]);
    expect(t.of('relay.undeliverable', 'a1')[0]).toMatchObject({ rule: 'A-02' });
  });

  it('for 5 s: TCP retransmits, the message arrives intact and nobody owes a REPORT but the success one', () => {
    const t = crossing({ down: 1.5 * SECOND, up: 6.5 * SECOND });
    const sent = t.of('endpoint.message', 'psa')[0]!;
    expect(t.of('endpoint.deliver', 'pra')[0]).toMatchObject({ digest: sent.digest, size: SIZE });
    expect(t.of('relay.report')).toHaveLength(0);
    expect(t.of('endpoint.report', 'psa').map((r) => [r.status, r.complete])).toEqual([[200, true]]);
    expect(t.of('net.drop').length).toBeGreaterThan(0); // the outage did drop segments
  });
});
