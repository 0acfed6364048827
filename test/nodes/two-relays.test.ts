import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { specTopology } from './helpers.js';

function run(t: ReturnType<typeof specTopology>, send: Parameters<typeof t.world.send>[1], until = 20 * SECOND) {
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
  t.world.at(100_000, () => t.world.send('psa', send));
  t.world.run(until);
  return t;
}

describe('push through two relays with the receiver behind a firewall (SPEC §5, RFC 4976 §3)', () => {
  const t = run(specTopology(), { session: 's1', contentType: 'image/jpeg', size: 5000, chunkSize: 2048, successReport: 'yes' });
  const tokenA = (t.of('relay.auth-ok', 'relay-a')[0]!.token as string);
  const tokenB = (t.of('relay.auth-ok', 'relay-b')[0]!.token as string);
  const psaUri = (t.of('session.offer', 'psa')[0]!.path as string[]).at(-1)!;
  const praUri = (t.of('session.answer', 'pra')[0]!.path as string[]).at(-1)!;

  it('authenticates each endpoint to its relay with a Digest challenge (R-03, R-04, R-06)', () => {
    for (const [node, relay] of [['psa', 'relay-a'], ['pra', 'relay-b']] as const) {
      const statuses = t.of('msrp.send', relay).filter((r) => r.kind === 'response' && t.of('msrp.recv', relay).some((q) => q.method === 'AUTH' && q.transactionId === r.transactionId)).map((r) => r.status);
      expect(statuses).toEqual([401, 200]);
      expect(t.of('auth.ok', node)).toHaveLength(1);
      expect(t.of('endpoint.violation', node)).toHaveLength(0); // rspauth checked
    }
  });

  it('puts Use-Path in front of the peer path and reverses it in a=path (R-07)', () => {
    expect(t.of('session.offer', 'psa')[0]!.path).toEqual([tokenA, psaUri]);
    expect(t.of('session.answer', 'pra')[0]!.path).toEqual([tokenB, praUri]);
    const first = t.of('msrp.send', 'psa').find((r) => r.method === 'SEND')!;
    expect(first.toPath).toEqual([tokenA, tokenB, praUri]);
    expect(first.fromPath).toEqual([psaUri]);
  });

  it('rewrites the paths at each hop (R-19): exact To-Path / From-Path at every node', () => {
    const atB = t.of('msrp.recv', 'relay-b').find((r) => r.method === 'SEND')!;
    expect(atB.toPath).toEqual([tokenB, praUri]);
    expect(atB.fromPath).toEqual([tokenA, psaUri]);
    const atPra = t.of('msrp.recv', 'pra').find((r) => r.method === 'SEND')!;
    expect(atPra.toPath).toEqual([praUri]);
    expect(atPra.fromPath).toEqual([tokenB, tokenA, psaUri]);
  });

  it('answers each SEND hop by hop with a new transaction id per hop (R-20, A-06)', () => {
    const inA = t.of('msrp.recv', 'relay-a').filter((r) => r.method === 'SEND');
    const okA = t.of('msrp.send', 'relay-a').filter((r) => r.status === 200 && inA.some((q) => q.transactionId === r.transactionId));
    expect(okA).toHaveLength(inA.length);
    for (const ok of okA) expect(ok.toPath).toEqual([psaUri]); // previous hop only (E-33)
    const forwards = t.of('relay.forward', 'relay-a');
    for (const f of forwards) expect(f.outTransactionId).not.toBe(f.inTransactionId);
  });

  it('delivers the message intact and returns the success REPORT end to end', () => {
    const sent = t.of('endpoint.message', 'psa')[0]!;
    const got = t.of('endpoint.deliver', 'pra');
    expect(got).toHaveLength(1);
    expect(got[0]!.digest).toBe(sent.digest);
    const report = t.of('endpoint.report', 'psa')[0]!;
    expect(report).toMatchObject({ status: 200, byteRange: { start: 1, end: 5000, total: 5000 } });
    expect(report.fromPath).toEqual([tokenA, tokenB, praUri]);
    // E-31: nobody answers a REPORT.
    const reportTids = [...t.of('msrp.recv')].filter((r) => r.method === 'REPORT').map((r) => r.transactionId);
    expect(t.of('msrp.send').filter((r) => r.kind === 'response' && reportTids.includes(r.transactionId))).toHaveLength(0);
  });

  it('lets the receiver behind the firewall be reached only over the connection it opened', () => {
    expect(t.of('fw.drop')).toHaveLength(0);
    const passes = t.of('fw.pass', 'fw-b');
    expect(passes.every((r) => r.direction === 'outbound')).toBe(true);
  });
});
