/**
 * How long a relay keeps per-transaction state (R-28, RFC 4976 §3: "Relays only keep transaction
 * states for a short time for each chunk"), and what it does within that time and after, by
 * Failure-Report (CHECKLIST d.5 rows for partial and no; docs/ambiguities.md ). Over
 * real bytes: the next hop is a scripted relay-less peer that stays silent (a partial SEND that
 * arrived), or answers an error when the test says so.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { MsrpRequest } from '../../src/wire/frame.js';
import type { RelayNode } from '../../src/nodes/relay/relay-node.js';
import { isRequest, isResponse, oneRelay, sent, type Built, type OneRelay } from './helpers.js';
import type { Script } from './peers.js';

/** 200 to the binding SEND; silence to message chunks (what a partial or no receiver sends on success). */
const silentOnSuccess: Script = (r) => (r.method === 'REPORT' ? null : r.body === null ? 200 : null);

const relayA = (t: Built): RelayNode => t.world.relays.get('relay-a')!;

/** The message chunks psa wrote, and the relay's forwarded copies as bob received them. */
function chunks(r: OneRelay): { in: MsrpRequest[]; out: MsrpRequest[] } {
  const inbound = sent(r.t, 'psa', isRequest('SEND')).map((x) => x.frame as MsrpRequest).filter((f) => f.body !== null);
  const out = r.bob.requests.filter((q) => q.method === 'SEND' && q.body !== null);
  return { in: inbound, out };
}

/**
 * bob answers `request` (as he received it) with `code`, on his connection from the relay: To-Path
 * the previous hop for a SEND, the whole From-Path otherwise (E-33), unless `toPath` says.
 */
function answer(r: OneRelay, request: MsrpRequest, code: number, toPath = request.method === 'SEND' ? [request.fromPath[0]!] : request.fromPath): void {
  r.bob.write([`MSRP ${request.transactionId} ${code} Failed`, `To-Path: ${toPath.join(' ')}`, `From-Path: ${request.toPath[0]}`, `-------${request.transactionId}$`, ''].join('\r\n'));
}

/** Resets the relay's connection to bob (a next hop lost). */
function dropNextHop(r: OneRelay): void {
  const conn = String(r.t.of('relay.forward', 'relay-a').find((f) => f.method === 'SEND')!.outConn);
  r.t.world.network.resetConnection(conn);
}

const reportsOf = (t: Built): MsrpRequest[] => sent(t, 'relay-a', isRequest('REPORT')).map((x) => x.frame as MsrpRequest);

describe('d.5, Failure-Report partial: state for the transaction timeout, a REPORT only for an error response', () => {
  it('a partial SEND that gets no response is forgotten 30 s after its last byte, without a REPORT; closing the next hop later reports nothing', () => {
    const r = oneRelay(silentOnSuccess);
    const { t } = r;
    const sizes: number[] = [];
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, chunkSize: 2048, failureReport: 'partial' }));
    t.world.at(20 * SECOND, () => sizes.push(relayA(t).stateSizes.transactions));
    t.world.at(40 * SECOND, () => sizes.push(relayA(t).stateSizes.transactions));
    // Long after delivery, the next hop's connection goes away.
    t.world.at(100 * SECOND, () => dropNextHop(r));
    t.world.run(110 * SECOND);
    expect(chunks(r).out).toHaveLength(2);
    // Within the window both chunks are remembered (an error response may still come); then not.
    expect(sizes).toEqual([2, 0]);
    const forgets = t.of('relay.forget', 'relay-a');
    const forwarded = sent(t, 'relay-a', isRequest('SEND')).filter((x) => (x.frame as MsrpRequest).body !== null);
    expect(forgets.map((f) => [f.rule, f.failureReport, f.outTransactionId])).toEqual(forwarded.map((x) => ['R-28', 'partial', x.frame.transactionId]));
    // "Delivery over each hop should take no more than 30 seconds after the last byte of data is sent".
    forgets.forEach((f, i) => expect(f.t - forwarded[i]!.record.t).toBe(30 * SECOND));
    // No 200, no REPORT: not at the end of the window, not when the connection closed.
    expect(sent(t, 'relay-a', isResponse()).filter((x) => chunks(r).in.some((c) => c.transactionId === x.frame.transactionId))).toHaveLength(0);
    expect(reportsOf(t)).toHaveLength(0);
    expect(t.of('relay.report', 'relay-a')).toHaveLength(0);
    expect(t.of('endpoint.report', 'psa')).toHaveLength(0);
  });

  it('an error response within the window: a REPORT with its code to the sender and no transaction response; one after the window is a stray (R-22, W-05)', () => {
    const r = oneRelay(silentOnSuccess);
    const { t } = r;
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, chunkSize: 2048, failureReport: 'partial' }));
    t.world.at(10 * SECOND, () => answer(r, chunks(r).out[0]!, 415));
    t.world.at(45 * SECOND, () => answer(r, chunks(r).out[1]!, 415));
    t.world.run(60 * SECOND);
    // RFC 4976 §6.4.3: "the relay MUST send a REPORT indicating the nature of the failure", with the
    // code received; To-Path = the SEND's From-Path as received, Byte-Range of the chunk (W-27).
    const reports = reportsOf(t);
    expect(reports.map((f) => [f.status!.code, f.byteRange, f.toPath, f.fromPath])).toEqual([[415, { start: 1, end: 2048, total: 3000 }, [r.psaUri], [r.token]]]);
    expect(t.of('relay.report', 'relay-a')[0]!.rule).toBe('R-22');
    // The relay answers none of psa's partial transactions: the REPORT is the one report of the failure.
    const tids = chunks(r).in.map((c) => c.transactionId);
    expect(sent(t, 'relay-a', isResponse()).filter((x) => tids.includes(x.frame.transactionId))).toHaveLength(0);
    // The second chunk was forgotten at the end of its window: the late 415 changes nothing.
    expect(t.of('relay.forget', 'relay-a').map((f) => f.outTransactionId)).toEqual([chunks(r).out[1]!.transactionId]);
    expect(t.of('relay.stray-response', 'relay-a').map((s) => [s.transactionId, s.status, s.rule])).toEqual([[chunks(r).out[1]!.transactionId, 415, 'W-05']]);
    expect(relayA(t).stateSizes.transactions).toBe(0);
  });

  it('the next hop lost within the window after the chunk went out: no 408 (the relay knows of no failure, A-03)', () => {
    const r = oneRelay(silentOnSuccess);
    const { t } = r;
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, chunkSize: 2048, failureReport: 'partial' }));
    t.world.at(10 * SECOND, () => dropNextHop(r));
    t.world.run(60 * SECOND);
    expect(chunks(r).out).toHaveLength(2);
    expect(reportsOf(t)).toHaveLength(0);
    expect(t.of('relay.forget', 'relay-a').map((f) => [f.rule, f.t])).toEqual([['A-03', 10 * SECOND], ['A-03', 10 * SECOND]]);
    expect(relayA(t).stateSizes.transactions).toBe(0);
  });

  it('the next hop lost within the window before it received the chunk: a 408 REPORT, a failure the relay knows of (R-22, A-03)', () => {
    const r = oneRelay(silentOnSuccess);
    const { t } = r;
    // The link to bob fails: the chunk goes into the connection but bob's TCP never acknowledges it.
    t.world.at(500_000, () => t.world.network.linkDown('relay-a', 'bob'));
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 100, failureReport: 'partial' }));
    t.world.at(5 * SECOND, () => dropNextHop(r));
    t.world.run(60 * SECOND);
    expect(chunks(r).out).toHaveLength(0);
    expect(reportsOf(t).map((f) => [f.status!.code, f.byteRange])).toEqual([[408, { start: 1, end: 100, total: 100 }]]);
    expect(t.of('relay.report', 'relay-a').map((x) => [x.rule, x.t])).toEqual([['A-03', 5 * SECOND]]);
    expect(t.of('relay.forget', 'relay-a')).toHaveLength(0);
    expect(relayA(t).stateSizes.transactions).toBe(0);
  });
});

describe('d.5, Failure-Report no: no response, no timer, no REPORT, no state', () => {
  it('the relay remembers nothing of it: an error response is a stray, a lost next hop reports nothing', () => {
    const r = oneRelay(silentOnSuccess);
    const { t } = r;
    let remembered = -1;
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, chunkSize: 2048, failureReport: 'no' }));
    t.world.at(2 * SECOND, () => (remembered = relayA(t).stateSizes.transactions));
    t.world.at(5 * SECOND, () => answer(r, chunks(r).out[0]!, 415));
    t.world.at(10 * SECOND, () => dropNextHop(r));
    t.world.run(60 * SECOND);
    expect(chunks(r).out).toHaveLength(2);
    expect(remembered).toBe(0);
    expect(t.of('relay.stray-response', 'relay-a')).toHaveLength(1);
    expect(reportsOf(t)).toHaveLength(0);
    expect(t.of('relay.forget', 'relay-a')).toHaveLength(0);
    const tids = chunks(r).in.map((c) => c.transactionId);
    expect(sent(t, 'relay-a', isResponse()).filter((x) => tids.includes(x.frame.transactionId))).toHaveLength(0);
  });
});

describe('Failure-Report yes: state released once the transaction is over', () => {
  it('answered 200: nothing left; no response: the 408, then nothing left (R-20, R-21)', () => {
    for (const code of [200, null]) {
      const r = oneRelay((q) => (q.method === 'REPORT' ? null : q.body === null ? 200 : code));
      const { t } = r;
      const sizes: number[] = [];
      t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, chunkSize: 2048 }));
      t.world.at(2 * SECOND, () => sizes.push(relayA(t).stateSizes.transactions));
      t.world.at(40 * SECOND, () => sizes.push(relayA(t).stateSizes.transactions));
      t.world.run(40 * SECOND);
      expect(sizes).toEqual(code === 200 ? [0, 0] : [2, 0]);
      expect(reportsOf(t).map((f) => f.status!.code)).toEqual(code === 200 ? [] : [408, 408]);
    }
  });
});

describe('a forwarded non-SEND request that is never answered (R-24, R-28)', () => {
  it('is forgotten after the transaction timeout; a response after that is a stray', () => {
    const r = oneRelay((q) => (q.method === 'FOO' || q.method === 'REPORT' ? null : 200));
    const { t } = r;
    const sizes: number[] = [];
    t.world.at(SECOND, () => {
      const text = [`MSRP fo1a2b3c FOO`, `To-Path: ${r.token} ${r.bobUri}`, `From-Path: ${r.psaUri}`, '-------fo1a2b3c$', ''].join('\r\n');
      t.world.raw('psa', new Uint8Array(Buffer.from(text)));
    });
    t.world.at(20 * SECOND, () => sizes.push(relayA(t).stateSizes.transactions));
    t.world.at(40 * SECOND, () => sizes.push(relayA(t).stateSizes.transactions));
    t.world.at(45 * SECOND, () => answer(r, r.bob.requests.find((q) => q.method === 'FOO')!, 501));
    t.world.run(50 * SECOND);
    expect(r.bob.requests.filter((q) => q.method === 'FOO')).toHaveLength(1);
    expect(sizes).toEqual([1, 0]);
    expect(t.of('relay.forget', 'relay-a').map((f) => [f.method, f.rule])).toEqual([['FOO', 'R-28']]);
    expect(t.of('relay.stray-response', 'relay-a')).toHaveLength(1);
    expect(t.of('relay.response-forward', 'relay-a')).toHaveLength(0);
  });
});

describe('a response to a forwarded non-SEND request that names no hop after the relay', () => {
  it('is discarded: it cannot go back anywhere (E-33)', () => {
    const r = oneRelay((q) => (q.method === 'FOO' || q.method === 'REPORT' ? null : 200));
    const { t } = r;
    t.world.at(SECOND, () => {
      const text = [`MSRP fo1a2b3c FOO`, `To-Path: ${r.token} ${r.bobUri}`, `From-Path: ${r.psaUri}`, '-------fo1a2b3c$', ''].join('\r\n');
      t.world.raw('psa', new Uint8Array(Buffer.from(text)));
    });
    t.world.at(2 * SECOND, () => {
      const foo = r.bob.requests.find((q) => q.method === 'FOO')!;
      answer(r, foo, 501, [foo.fromPath[0]!]);
    });
    t.world.run(5 * SECOND);
    expect(t.of('relay.discard', 'relay-a').map((d) => d.rule)).toEqual(['E-33']);
    expect(t.of('relay.response-forward', 'relay-a')).toHaveLength(0);
    expect(t.of('msrp.recv', 'psa').filter((q) => q.transactionId === 'fo1a2b3c')).toHaveLength(0);
  });
});
