/**
 * CHECKLIST table d.5, row by row: when a relay answers, forwards or reports, over real bytes.
 * The next hop is a scripted relay-less peer (test/nodes/peers.ts) so that it can answer 200, an
 * error, or nothing at all; rows about AUTH and REPORT use real relays and endpoints.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { FailureReport, MsrpRequest } from '../../src/wire/frame.js';
import { chain, headerOf, isRequest, isResponse, oneRelay, sent, type Built } from './helpers.js';
import type { Script } from './peers.js';

/** A token URI of the same relay with another (unknown) token. */
const forge = (token: string, id: string): string => token.replace(/\/[^/;]+;tcp$/, `/${id};tcp`);

/** Answers the binding SEND with 200 and every chunk of a message as `code` (null = silence). */
const chunksGet = (code: number | null): Script => (r) => (r.method === 'REPORT' ? null : r.body === null ? 200 : code);

/** The message's SENDs as psa wrote them. */
function messageSends(t: Built): MsrpRequest[] {
  return sent(t, 'psa', isRequest('SEND'))
    .map((x) => x.frame as MsrpRequest)
    .filter((f) => f.body !== null);
}

function responsesTo(t: Built, node: string, tids: string[]) {
  return sent(t, node, isResponse()).filter((x) => tids.includes(x.frame.transactionId));
}

describe('d.5: a SEND through the relay, by Failure-Report and by what the next hop answers', () => {
  // | Failure-Report | next hop answers | relay answers the previous hop | relay REPORTs to the sender |
  const rows: { fr: FailureReport | undefined; next: number | null; answers: number[]; reports: number[]; ref: string }[] = [
    { fr: undefined, next: 200, answers: [200, 200], reports: [], ref: 'R-20; 200 from the next hop consumed (A-04)' },
    { fr: 'yes', next: 200, answers: [200, 200], reports: [], ref: 'R-20' },
    { fr: 'yes', next: 415, answers: [200, 200], reports: [415, 415], ref: 'RFC 4976 §6.4.3, R-22' },
    { fr: undefined, next: 413, answers: [200, 200], reports: [413, 413], ref: 'W-29 default yes, R-22' },
    { fr: 'yes', next: 481, answers: [200, 200], reports: [481, 481], ref: 'R-22' },
    { fr: 'yes', next: null, answers: [200, 200], reports: [408, 408], ref: 'R-21' },
    { fr: 'partial', next: 200, answers: [], reports: [], ref: 'A-03: no 200 for partial' },
    { fr: 'partial', next: 415, answers: [], reports: [415, 415], ref: 'R-22: REPORT on failure for partial' },
    { fr: 'partial', next: null, answers: [], reports: [], ref: 'R-21: no timer for partial' },
    { fr: 'no', next: 200, answers: [], reports: [], ref: 'A-11' },
    { fr: 'no', next: 415, answers: [], reports: [], ref: 'A-11: no REPORT for no' },
    { fr: 'no', next: null, answers: [], reports: [], ref: 'A-11: no timer for no' },
  ];

  for (const row of rows) {
    it(`Failure-Report ${row.fr ?? '(absent)'}, next hop ${row.next ?? 'silent'}: relay answers [${row.answers}], reports [${row.reports}] (${row.ref})`, () => {
      const r = oneRelay(chunksGet(row.next));
      const { t } = r;
      t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, chunkSize: 2048, failureReport: row.fr }));
      t.world.run(40 * SECOND);
      const sends = messageSends(t);
      expect(sends).toHaveLength(2);
      for (const s of sends) expect(s.failureReport).toBe(row.fr);
      const tids = sends.map((s) => s.transactionId);

      // The relay's transaction responses: only to the previous hop, To-Path one URI (E-33).
      const answers = responsesTo(t, 'relay-a', tids);
      expect(answers.map((a) => (a.frame.kind === 'response' ? a.frame.statusCode : 0))).toEqual(row.answers);
      for (const a of answers) {
        expect(a.frame.toPath).toEqual([r.psaUri]);
        expect(a.frame.fromPath).toEqual([r.token]);
        // "Immediately": in the same instant the relay received the SEND's end-line.
        const got = t.of('msrp.recv', 'relay-a').find((q) => q.transactionId === a.frame.transactionId)!;
        expect(a.record.t).toBe(got.t);
      }
      // psa never sees bob's responses: every response it gets to these SENDs is the relay's.
      const atPsa = t.of('msrp.recv', 'psa').filter((q) => q.kind === 'response' && tids.includes(q.transactionId as string));
      expect(atPsa.map((q) => q.fromPath)).toEqual(row.answers.map(() => [r.token]));

      // The relay's REPORTs (d.5 rows 6 and 7).
      const reports = sent(t, 'relay-a', isRequest('REPORT')).map((x) => x.frame as MsrpRequest);
      expect(reports.map((f) => f.status!.code)).toEqual(row.reports);
      const forwarded = sent(t, 'relay-a', isRequest('SEND')).filter((x) => (x.frame as MsrpRequest).body !== null);
      reports.forEach((rep, i) => {
        // To-Path = From-Path of the SEND as received; From-Path = the relay's URI (d.5).
        expect(rep.toPath).toEqual([r.psaUri]);
        expect(rep.fromPath).toEqual([r.token]);
        expect(headerOf(rep, 'Status')).toMatch(new RegExp(`^000 ${row.reports[i]}( |$)`));
        expect(rep.messageId).toBe(sends[0]!.messageId);
        // W-27: the Byte-Range of the chunk the failure is about, range-end from the data.
        expect(rep.byteRange).toEqual(i === 0 ? { start: 1, end: 2048, total: 3000 } : { start: 2049, end: 3000, total: 3000 });
        // W-24: a REPORT carries no Success-Report or Failure-Report.
        expect(headerOf(rep, 'Success-Report')).toBeUndefined();
        expect(headerOf(rep, 'Failure-Report')).toBeUndefined();
        if (row.next === null) {
          // 30 s after the last byte of the forwarded chunk was handed to TCP.
          const rec = sent(t, 'relay-a', isRequest('REPORT'))[i]!.record;
          expect(rec.t - forwarded[i]!.record.t).toBe(30 * SECOND);
          expect(rec.rule).toBe(undefined);
          expect(t.of('relay.report', 'relay-a')[i]!.rule).toBe('R-21');
        } else {
          expect(t.of('relay.report', 'relay-a')[i]!.rule).toBe('R-22');
        }
      });
      // Nobody answers a REPORT (E-31).
      const reportTids = t.of('msrp.recv', 'psa').filter((q) => q.method === 'REPORT').map((q) => q.transactionId);
      expect(t.of('msrp.send', 'psa').filter((q) => q.kind === 'response' && reportTids.includes(q.transactionId))).toHaveLength(0);
    });
  }

  it('forwards with a new transaction id per hop and the paths rewritten (R-18, R-19, A-06)', () => {
    const r = oneRelay(chunksGet(200));
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'hello' }));
    r.t.world.run(5 * SECOND);
    const out = r.bob.requests.filter((f) => f.body !== null);
    const inbound = messageSends(r.t);
    expect(out).toHaveLength(1);
    expect(out[0]!.transactionId).not.toBe(inbound[0]!.transactionId);
    expect(out[0]!.toPath).toEqual([r.bobUri]);
    expect(out[0]!.fromPath).toEqual([r.token, r.psaUri]);
    expect(out[0]!.messageId).toBe(inbound[0]!.messageId);
    expect(out[0]!.byteRange).toEqual({ start: 1, end: 5, total: 5 });
  });

  it('forwards an abort: the chunk that ends with # at the relay ends with # at the next hop (W-06, E-24)', () => {
    const r = oneRelay(chunksGet(200));
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 10_000, chunkSize: 2048, abortAfter: 4096 }));
    r.t.world.run(5 * SECOND);
    const psaFlags = messageSends(r.t).map((f) => f.continuation);
    expect(psaFlags.at(-1)).toBe('#');
    const bobFlags = r.bob.requests.filter((q) => q.method === 'SEND' && q.body !== null).map((q) => q.continuation);
    expect(bobFlags).toEqual(psaFlags);
  });

  it('stops the timer on the 200 from the next hop: no 408 later (d.5 row 5)', () => {
    const r = oneRelay(chunksGet(200));
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 100 }));
    r.t.world.run(100 * SECOND);
    expect(r.t.of('relay.next-hop-ok', 'relay-a').length).toBe(2); // binding SEND and the message
    expect(r.t.of('relay.timeout')).toHaveLength(0);
    expect(sent(r.t, 'relay-a', isRequest('REPORT'))).toHaveLength(0);
  });

  it('a response after the 408 is a stray: no second REPORT (W-05)', () => {
    const r = oneRelay(chunksGet(null));
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x' }));
    r.t.world.at(35 * SECOND, () => {
      const late = r.bob.requests.find((q) => q.body !== null)!;
      r.bob.write([`MSRP ${late.transactionId} 415 Unsupported Media Type`, `To-Path: ${late.fromPath[0]}`, `From-Path: ${r.bobUri}`, `-------${late.transactionId}$`, ''].join('\r\n'));
    });
    r.t.world.run(40 * SECOND);
    expect(sent(r.t, 'relay-a', isRequest('REPORT')).map((x) => (x.frame as MsrpRequest).status!.code)).toEqual([408]);
    expect(r.t.of('relay.stray-response', 'relay-a')).toHaveLength(1);
  });
});

describe('d.5: a SEND the relay itself cannot process or deliver (A-02)', () => {
  it('an unknown token: 481 in the transaction response, no REPORT (R-14)', () => {
    for (const fr of [undefined, 'partial', 'no'] as const) {
      const r = oneRelay(chunksGet(200));
      const { t } = r;
      // A forged token in the psa's To-Path, on psa's own authenticated connection.
      t.world.at(SECOND, () => {
        const forged = forge(r.token, 'AAAAAAAAAAAA');
        const lines = [`MSRP fk1a2b3c SEND`, `To-Path: ${forged} ${r.bobUri}`, `From-Path: ${r.psaUri}`, `Message-ID: m1a2b3c4`, 'Byte-Range: 1-2/2'];
        if (fr) lines.push(`Failure-Report: ${fr}`);
        lines.push('Content-Type: text/plain', '', 'hi', '-------fk1a2b3c$', '');
        t.world.raw('psa', new Uint8Array(Buffer.from(lines.join('\r\n'))));
      });
      t.world.run(5 * SECOND);
      const answers = responsesTo(t, 'relay-a', ['fk1a2b3c']);
      expect(answers.map((a) => (a.frame.kind === 'response' ? a.frame.statusCode : 0))).toEqual(fr === 'no' ? [] : [481]);
      if (fr !== 'no') {
        expect(answers[0]!.frame.toPath).toEqual([r.psaUri]);
        expect(t.of('relay.refuse', 'relay-a')[0]!.rule).toBe('R-14');
      }
      expect(sent(t, 'relay-a', isRequest('REPORT'))).toHaveLength(0);
      expect(r.bob.requests.filter((q) => q.messageId === 'm1a2b3c4')).toHaveLength(0);
    }
  });

  it('a next hop that cannot be reached, after the 200: a 408 REPORT for every byte (A-02)', () => {
    const r = oneRelay(chunksGet(200));
    const { t } = r;
    // bob goes away before the relay's first connection to him: the binding SEND and the message
    // are both answered 200 at once and then cannot be delivered.
    t.world.at(100_000, () => t.world.network.crash('bob'));
    t.world.at(300_000, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, chunkSize: 2048 }));
    t.world.run(40 * SECOND);
    const sends = messageSends(t);
    expect(responsesTo(t, 'relay-a', sends.map((s) => s.transactionId)).map((a) => (a.frame.kind === 'response' ? a.frame.statusCode : 0))).toEqual([200, 200]);
    const reports = sent(t, 'relay-a', isRequest('REPORT')).map((x) => x.frame as MsrpRequest);
    const ofMessage = reports.filter((f) => f.messageId === sends[0]!.messageId);
    expect(ofMessage.map((f) => [f.status!.code, f.byteRange])).toEqual([
      [408, { start: 1, end: 2048, total: 3000 }],
      [408, { start: 2049, end: 3000, total: 3000 }],
    ]);
    // The binding SEND's REPORT fails the session at psa (E-32).
    expect(t.of('session.failed', 'psa')[0]).toMatchObject({ rule: 'E-32' });
  });

  it('a request whose first To-Path URI is not the relay: 481, connection kept (A-01)', () => {
    const r = oneRelay(chunksGet(200));
    const { t } = r;
    t.world.at(SECOND, () => {
      const text = [`MSRP nm1a2b3c SEND`, `To-Path: msrps://elsewhere.example.org:2855/x1y2z3;tcp ${r.bobUri}`, `From-Path: ${r.psaUri}`, 'Message-ID: m9', 'Byte-Range: 1-0/0', '-------nm1a2b3c$', ''].join('\r\n');
      t.world.raw('psa', new Uint8Array(Buffer.from(text)));
    });
    t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'still here' }));
    t.world.run(5 * SECOND);
    expect(responsesTo(t, 'relay-a', ['nm1a2b3c'])[0]!.frame).toMatchObject({ statusCode: 481 });
    expect(t.of('relay.not-mine', 'relay-a')[0]!.rule).toBe('A-01');
    expect(r.bob.requests.some((q) => q.body !== null && Buffer.from(q.body).toString() === 'still here')).toBe(true);
  });
});

describe('d.5: responses to non-SEND requests and REPORTs at a relay', () => {
  it('a response to a forwarded AUTH goes back with the original transaction id, paths rewritten (RFC 4976 §6.4.3)', () => {
    const t = chain(2, 0);
    t.world.start();
    t.world.run(2 * SECOND);
    const auths = sent(t, 'psa', isRequest('AUTH')).map((x) => x.frame);
    // The third and fourth AUTHs go to a2 through a1.
    const viaA1 = auths.slice(2);
    for (const auth of viaA1) {
      const fwd = t.of('relay.forward', 'a1').find((f) => f.inTransactionId === auth.transactionId)!;
      expect(fwd.outTransactionId).not.toBe(auth.transactionId);
      const back = sent(t, 'a1', isResponse()).find((x) => x.frame.transactionId === auth.transactionId)!;
      const fromA2 = sent(t, 'a2', isResponse()).find((x) => x.frame.transactionId === fwd.outTransactionId)!;
      expect(fromA2.frame.toPath).toEqual([auths[2]!.toPath[0], auth.fromPath[0]]);
      expect(back.frame.toPath).toEqual(auth.fromPath);
      expect(back.frame.fromPath).toEqual([auth.toPath[0], ...fromA2.frame.fromPath]);
      expect((back.frame as { statusCode: number }).statusCode).toBe((fromA2.frame as { statusCode: number }).statusCode);
      expect(headerOf(back.frame, 'WWW-Authenticate') ?? null).toBe(headerOf(fromA2.frame, 'WWW-Authenticate') ?? null);
      expect(back.frame.usePath).toEqual(fromA2.frame.usePath);
    }
  });

  it('an AUTH addressed to the relay is answered with To-Path = the whole From-Path (E-33)', () => {
    const t = chain(2, 0);
    t.world.start();
    t.world.run(2 * SECOND);
    const toA2 = t.of('msrp.recv', 'a2').filter((q) => q.method === 'AUTH');
    for (const q of toA2) {
      const resp = sent(t, 'a2', isResponse()).find((x) => x.frame.transactionId === q.transactionId)!;
      expect(resp.frame.toPath).toEqual(q.fromPath);
      expect((q.fromPath as string[]).length).toBe(2);
    }
  });

  it('a REPORT is forwarded with a new id and never answered; a REPORT never causes a REPORT (R-24, E-31)', () => {
    const r = oneRelay((q) => (q.method === 'REPORT' ? null : q.body === null ? 200 : null));
    const { t } = r;
    // bob sends psa a REPORT through the relay (To-Path = the From-Path he received).
    t.world.at(SECOND, () => {
      const bind = r.bob.requests[0]!;
      const text = [`MSRP rp1a2b3c REPORT`, `To-Path: ${bind.fromPath.join(' ')}`, `From-Path: ${r.bobUri}`, `Message-ID: ${bind.messageId}`, 'Byte-Range: 1-0/0', 'Status: 000 200 OK', '-------rp1a2b3c$', ''].join('\r\n');
      r.bob.write(text);
      // And a REPORT through a token the relay does not know: silently dropped.
      const bad = text.replace(r.token, forge(r.token, 'ZZZZZZZZZZZZ')).replace(/rp1a2b3c/g, 'rp9z8y7x');
      r.bob.write(bad);
    });
    t.world.run(40 * SECOND);
    const fwd = t.of('relay.forward', 'relay-a').filter((f) => f.method === 'REPORT');
    expect(fwd).toHaveLength(1);
    expect(fwd[0]!.outTransactionId).not.toBe('rp1a2b3c');
    const atPsa = t.of('msrp.recv', 'psa').filter((q) => q.method === 'REPORT');
    expect(atPsa).toHaveLength(1);
    expect(atPsa[0]!.toPath).toEqual([r.psaUri]);
    expect(atPsa[0]!.fromPath).toEqual([r.token, r.bobUri]);
    expect(r.bob.received.filter((x) => x.frame.kind === 'response' && ['rp1a2b3c', 'rp9z8y7x'].includes(x.frame.transactionId))).toHaveLength(0);
    expect(t.of('msrp.send', 'psa').filter((q) => q.kind === 'response' && q.transactionId === atPsa[0]!.transactionId)).toHaveLength(0);
    // No 408 for the forwarded REPORT (no timer) and no REPORT about the dropped one.
    expect(t.of('relay.report', 'relay-a')).toHaveLength(0);
    expect(t.of('relay.refuse', 'relay-a').map((x) => x.rule)).toEqual(['R-14']);
  });

  it('a response that does not belong to a forwarded transaction is dropped (W-05, A-01)', () => {
    const r = oneRelay(chunksGet(200));
    const { t } = r;
    t.world.at(SECOND, () => r.bob.write(['MSRP zz1a2b3c 200 OK', `To-Path: ${r.token}`, `From-Path: ${r.bobUri}`, '-------zz1a2b3c$', ''].join('\r\n')));
    t.world.run(3 * SECOND);
    expect(t.of('relay.stray-response', 'relay-a')).toHaveLength(1);
    expect(t.of('msrp.recv', 'psa').filter((q) => q.transactionId === 'zz1a2b3c')).toHaveLength(0);
  });
});
