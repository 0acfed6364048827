/**
 * CHECKLIST table c.4 at an endpoint: the transaction responses and REPORTs a receiver sends for
 * each Failure-Report and Success-Report value, and what a sender does with what comes back (or
 * does not). Direct sessions (no relay), so that the receiver's frames are the ones checked.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { FailureReport, MsrpRequest, SuccessReport } from '../../src/wire/frame.js';
import type { EndpointOptions } from '../../src/nodes/endpoint/endpoint-node.js';
import { addHost, build, endpoint, headerOf, isRequest, isResponse, sent, type Built } from './helpers.js';
import { ScriptedPeer } from './peers.js';

function direct(b: Partial<EndpointOptions> = {}): Built {
  const t = build(
    [
      { id: 'alice', role: 'endpoint', endpoint: endpoint('atlanta.example.com') },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('biloxi.example.com', { port: 12763, ...b }) },
    ],
    [['alice', 'bob', { latency: 10_000 }]],
  );
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
  return t;
}

const uris = (t: Built) => ({
  alice: (t.of('session.offer', 'alice')[0]!.path as string[]).at(-1)!,
  bob: (t.of('session.answer', 'bob')[0]!.path as string[]).at(-1)!,
});

function rawSend(opts: { tid: string; messageId?: string; to: string; from: string; fr?: FailureReport; sr?: SuccessReport; range?: string; type?: string; body?: string; method?: string; flag?: string }): Uint8Array {
  const lines = [`MSRP ${opts.tid} ${opts.method ?? 'SEND'}`, `To-Path: ${opts.to}`, `From-Path: ${opts.from}`, `Message-ID: ${opts.messageId ?? `${opts.tid}m`}`];
  if (opts.range !== undefined) lines.push(`Byte-Range: ${opts.range}`);
  if (opts.sr) lines.push(`Success-Report: ${opts.sr}`);
  if (opts.fr) lines.push(`Failure-Report: ${opts.fr}`);
  if (opts.body !== undefined) lines.push(`Content-Type: ${opts.type ?? 'text/plain'}`, '', opts.body);
  lines.push(`-------${opts.tid}${opts.flag ?? '$'}`, '');
  return new Uint8Array(Buffer.from(lines.join('\r\n')));
}

/** bob's response to the request `tid` (status), or null when he sent none. */
const responseOf = (t: Built, node: string, tid: string): number | null => {
  const r = sent(t, node, isResponse()).find((x) => x.frame.transactionId === tid);
  return r && r.frame.kind === 'response' ? r.frame.statusCode : null;
};

describe('c.4 at the receiver: the response for each Failure-Report value', () => {
  // | situation | yes / absent | partial | no |
  const rows: { what: string; frame: (u: { alice: string; bob: string }, fr?: FailureReport) => Uint8Array; ok: number; rule: string }[] = [
    { what: 'a chunk received', frame: (u, fr) => rawSend({ tid: 'c4ok', to: u.bob, from: u.alice, fr, range: '1-5/5', body: 'hello' }), ok: 200, rule: 'E-33' },
    { what: 'a type not accepted', frame: (u, fr) => rawSend({ tid: 'c4ty', to: u.bob, from: u.alice, fr, range: '1-5/5', type: 'video/mp4', body: 'hello' }), ok: 415, rule: 'E-34' },
    { what: 'a message over max-size', frame: (u, fr) => rawSend({ tid: 'c4bg', to: u.bob, from: u.alice, fr, range: '1-5/999999999', body: 'hello', flag: '+' }), ok: 413, rule: 'E-24' },
    { what: 'an unknown session', frame: (u, fr) => rawSend({ tid: 'c4ns', to: u.bob.replace(/\/[^/;]+;tcp$/, '/nosuchsession;tcp'), from: u.alice, fr, range: '1-5/5', body: 'hello' }), ok: 481, rule: 'E-17' },
    { what: 'a To-Path of two URIs', frame: (u, fr) => rawSend({ tid: 'c4tp', to: `${u.bob} ${u.bob}`, from: u.alice, fr, range: '1-5/5', body: 'hello' }), ok: 481, rule: 'E-17' },
    { what: 'an impossible Byte-Range', frame: (u, fr) => rawSend({ tid: 'c4br', to: u.bob, from: u.alice, fr, range: '6-10/5', body: 'hello' }), ok: 400, rule: 'W-25' },
    { what: 'an unknown method', frame: (u, fr) => rawSend({ tid: 'c4um', to: u.bob, from: u.alice, fr, method: 'FROB' }), ok: 501, rule: 'E-35' },
  ];
  for (const row of rows) {
    for (const fr of [undefined, 'yes', 'partial', 'no'] as const) {
      // partial: no 200 ever, the error otherwise (SHOULD); no: nothing at all (A-11).
      const expected = fr === 'no' ? null : fr === 'partial' && row.ok === 200 ? null : row.ok;
      it(`${row.what}, Failure-Report ${fr ?? '(absent)'}: ${expected ?? 'no response'}`, () => {
        const t = direct({ maxSize: 1_000_000, acceptTypes: ['text/plain'] });
        const tid = Buffer.from(row.frame({ alice: 'x', bob: 'x' })).toString().split(' ')[1]!;
        t.world.at(SECOND, () => t.world.raw('alice', row.frame(uris(t), fr), 's1'));
        t.world.run(3 * SECOND);
        expect(responseOf(t, 'bob', tid)).toBe(expected);
        if (expected !== null) {
          const resp = sent(t, 'bob', isResponse()).find((x) => x.frame.transactionId === tid)!.frame;
          // E-33: a SEND response goes to the previous hop only; other methods get the whole path.
          expect(resp.toPath).toEqual([uris(t).alice]);
          expect(resp.fromPath).toHaveLength(1);
          if (expected !== 200) expect(t.of('endpoint.reject', 'bob').find((r) => r.transactionId === tid)!.rule).toBe(row.rule);
        } else {
          expect(t.of('endpoint.no-response', 'bob').find((r) => r.transactionId === tid)!.rule).toBe(fr === 'no' ? 'A-11' : 'A-03');
        }
        // A receiver never sends a failure REPORT (it answers in the transaction, E-30).
        expect(sent(t, 'bob', isRequest('REPORT'))).toHaveLength(0);
      });
    }
  }

  it('506 to a SEND for a session bound to another connection, none with Failure-Report no (E-16, S-03)', () => {
    const t = build(
      [
        { id: 'alice', role: 'endpoint', endpoint: endpoint('atlanta.example.com') },
        { id: 'bob', role: 'endpoint', endpoint: endpoint('biloxi.example.com', { port: 12763 }) },
      ],
      [['alice', 'bob', { latency: 10_000 }]],
    );
    addHost(t, 'mallory', 'mallory.example.org', [['bob', { latency: 10_000 }]]);
    const mallory = new ScriptedPeer(t.world, 'mallory', { host: 'mallory.example.org', port: 9000 });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(SECOND, () => mallory.connect('biloxi.example.com', 12763, false));
    t.world.at(2 * SECOND, () => {
      const u = uris(t);
      mallory.write(rawSend({ tid: 'hj506a', to: u.bob, from: 'msrp://mallory.example.org:9000/m1;tcp', range: '1-3/3', body: 'boo' }));
      mallory.write(rawSend({ tid: 'hj506b', to: u.bob, from: 'msrp://mallory.example.org:9000/m1;tcp', fr: 'no', range: '1-3/3', body: 'boo' }));
    });
    t.world.run(4 * SECOND);
    expect(mallory.received.map((x) => x.frame.kind === 'response' && [x.frame.transactionId, x.frame.statusCode])).toEqual([['hj506a', 506]]);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(0);
  });
});

describe('c.4 at the receiver: success REPORTs (E-27, E-29)', () => {
  const cases: { sr: SuccessReport | undefined; fr: FailureReport | undefined; responses: number; reports: number }[] = [
    { sr: undefined, fr: undefined, responses: 3, reports: 0 },
    { sr: 'no', fr: 'yes', responses: 3, reports: 0 },
    { sr: 'yes', fr: 'yes', responses: 3, reports: 1 },
    { sr: 'yes', fr: 'partial', responses: 0, reports: 1 },
    { sr: 'yes', fr: 'no', responses: 0, reports: 1 }, // RFC 4975 §11.6
  ];
  for (const c of cases) {
    it(`Success-Report ${c.sr ?? '(absent)'}, Failure-Report ${c.fr ?? '(absent)'}: ${c.responses} responses, ${c.reports} REPORT`, () => {
      const t = direct();
      t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', size: 5000, chunkSize: 2048, successReport: c.sr, failureReport: c.fr }));
      t.world.run(40 * SECOND);
      const sends = sent(t, 'alice', isRequest('SEND')).map((x) => x.frame as MsrpRequest).filter((f) => f.body !== null);
      expect(sends).toHaveLength(3);
      const tids = sends.map((s) => s.transactionId);
      expect(sent(t, 'bob', isResponse()).filter((x) => tids.includes(x.frame.transactionId))).toHaveLength(c.responses);
      const reports = sent(t, 'bob', isRequest('REPORT')).map((x) => x.frame as MsrpRequest);
      expect(reports).toHaveLength(c.reports);
      for (const r of reports) {
        // E-29: To-Path = From-Path of the SEND; From-Path = own URI; Status 000 200; Message-ID.
        expect(r.toPath).toEqual([uris(t).alice]);
        expect(r.fromPath).toEqual([uris(t).bob]);
        expect(headerOf(r, 'Status')).toBe('000 200 OK');
        expect(r.messageId).toBe(sends[0]!.messageId);
        expect(r.byteRange).toEqual({ start: 1, end: 5000, total: 5000 });
      }
      expect(t.of('endpoint.deliver', 'bob')).toHaveLength(1);
      // Without responses to wait for (partial, no) the sender runs no timer (c.4).
      expect(t.of('endpoint.timeout', 'alice')).toHaveLength(0);
      if (c.reports) expect(t.of('endpoint.report', 'alice')[0]).toMatchObject({ status: 200, complete: true });
    });
  }

  it('an aborted message: a success REPORT for the bytes that did arrive (E-27)', () => {
    const t = direct();
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', size: 10_000, chunkSize: 2048, successReport: 'yes', abortAfter: 4096 }));
    t.world.run(5 * SECOND);
    expect(t.of('endpoint.aborted', 'bob')).toHaveLength(1);
    const reports = sent(t, 'bob', isRequest('REPORT')).map((x) => x.frame as MsrpRequest);
    // Two chunks went out; the second, which reaches 4096 bytes, ends with '#'.
    expect(reports.map((r) => r.byteRange)).toEqual([{ start: 1, end: 4096, total: 10000 }]);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(0);
    const sends = sent(t, 'alice', isRequest('SEND')).map((x) => x.frame as MsrpRequest).filter((f) => f.body !== null && f.body.length > 0);
    expect(sends.map((f) => [f.byteRange, f.continuation])).toEqual([
      [{ start: 1, end: 2048, total: 10000 }, '+'],
      [{ start: 2049, end: 4096, total: 10000 }, '#'],
    ]);
  });

  it('abortAfter stops at that byte, even inside one large interruptible chunk (E-24)', () => {
    const t = direct();
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', size: 100_000, chunkSize: 65_536, chunkStrategy: 'interruptible', abortAfter: 10_240 }));
    t.world.run(5 * SECOND);
    const sends = sent(t, 'alice', isRequest('SEND')).map((x) => x.frame as MsrpRequest).filter((f) => f.messageId !== undefined && f.byteRange?.total === 100_000);
    expect(sends.map((f) => [f.byteRange, f.body?.length, f.continuation])).toEqual([[{ start: 1, end: null, total: 100_000 }, 10_240, '#']]);
    expect(t.of('endpoint.aborted', 'bob')).toHaveLength(1);
    expect(t.of('msrp.violation', 'bob')).toEqual([]);
  });

  it('chunks out of order, then an abort: one REPORT per contiguous range received (E-27, A-16)', () => {
    const t = direct();
    t.world.at(SECOND, () => {
      const u = uris(t);
      for (const [tid, range, body, flag] of [['oo3', '7-9/9', 'ghi', '$'], ['oo1', '1-3/9', 'abc', '+'], ['oo2', '4-3/9', '', '#']] as const) {
        t.world.raw('alice', rawSend({ tid: `${tid}xyz`, messageId: 'ooo123', to: u.bob, from: u.alice, sr: 'yes', range, body, flag }), 's1');
      }
    });
    t.world.run(3 * SECOND);
    const reports = sent(t, 'bob', isRequest('REPORT')).map((x) => x.frame as MsrpRequest);
    expect(reports.map((r) => [r.messageId, r.byteRange])).toEqual([
      ['ooo123', { start: 1, end: 3, total: 9 }],
      ['ooo123', { start: 7, end: 9, total: 9 }],
    ]);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(0);
  });
});

describe('c.4 at the sender', () => {
  function toScripted(script: ConstructorParameters<typeof ScriptedPeer>[2]['script']) {
    const t = build([{ id: 'alice', role: 'endpoint', endpoint: endpoint('atlanta.example.com') }], []);
    addHost(t, 'bob', 'bob.example.com', [['alice', { latency: 10_000 }]]);
    const bob = new ScriptedPeer(t.world, 'bob', { host: 'bob.example.com', port: 9000, script });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    return { t, bob };
  }

  it('Failure-Report yes and no 200 within 30 s of the last byte: the user is told (A-13)', () => {
    const { t } = toScripted((r) => (r.body === null ? 200 : null));
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'anyone?' }));
    t.world.run(60 * SECOND);
    const last = sent(t, 'alice', isRequest('SEND')).at(-1)!;
    const timeout = t.of('endpoint.timeout', 'alice');
    expect(timeout).toHaveLength(1);
    expect(timeout[0]).toMatchObject({ rule: 'A-13', transactionId: last.frame.transactionId });
    expect(timeout[0]!.t - last.record.t).toBe(30 * SECOND);
  });

  for (const fr of ['partial', 'no'] as const) {
    it(`Failure-Report ${fr}: no timer, nothing to wait for`, () => {
      const { t } = toScripted((r) => (r.body === null ? 200 : null));
      t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'x', failureReport: fr }));
      t.world.run(60 * SECOND);
      expect(t.of('endpoint.timeout', 'alice')).toHaveLength(0);
      expect(t.of('session.failed', 'alice')).toHaveLength(0);
    });
  }

  it('Failure-Report partial and a non-200: the user is told and the rest of the message aborted (c.4, E-24)', () => {
    const { t, bob } = toScripted((r) => (r.body === null ? 200 : 415));
    t.world.network.setLink('alice', 'bob', { bandwidth: 200_000 });
    // More than TCP's window, so that chunks are still waiting when the first 415 comes back.
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', size: 200_000, chunkSize: 2048, failureReport: 'partial' }));
    t.world.run(20 * SECOND);
    expect(t.of('endpoint.response', 'alice').filter((r) => r.status === 415)[0]).toMatchObject({ rule: 'E-24' });
    expect(t.of('endpoint.abort', 'alice')[0]).toMatchObject({ status: 415, rule: 'E-24' });
    const chunks = bob.requests.filter((q) => q.method === 'SEND' && q.body !== null);
    expect(chunks.at(-1)!.continuation).toBe('#');
    expect(chunks.reduce((n, c) => n + c.body!.length, 0)).toBeLessThan(200_000);
  });

  it('413 while an interruptible chunk is being written: it is cut short with # and nothing follows (RFC 4975 §10.5)', () => {
    // bob refuses the first part of the message (the chunk that ended with '+').
    const { t, bob } = toScripted((r) => (r.body === null ? 200 : r.continuation === '+' ? 413 : 200));
    t.world.network.setLink('alice', 'bob', { bandwidth: 200_000 });
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', size: 200_000, chunkStrategy: 'interruptible' }));
    // A SEND from bob makes alice interrupt the chunk to answer it (W-35) and resume in a new one.
    t.world.at(2 * SECOND, () => {
      const bind = bob.requests[0]!;
      bob.write(rawSend({ tid: 'bobsend1', to: bind.fromPath[0]!, from: bob.sessionUris[0]!, range: '1-2/2', body: 'hi' }));
    });
    t.world.run(30 * SECOND);
    const chunks = bob.requests.filter((q) => q.method === 'SEND' && q.body !== null);
    expect(chunks.map((c) => c.continuation)).toEqual(['+', '#']);
    expect(chunks[0]!.byteRange!.end).toBeNull(); // interruptible: range-end '*' (W-25)
    expect(chunks[1]!.byteRange!.start).toBe(chunks[0]!.body!.length + 1);
    expect(chunks.reduce((n, c) => n + c.body!.length, 0)).toBeLessThan(200_000);
    expect(t.of('endpoint.sent', 'alice')[0]).toMatchObject({ aborted: true });
  });

  it('a failure REPORT fails the session; a 408 REPORT counts as a timeout (E-32, RFC 4975 §10.4)', () => {
    const { t, bob } = toScripted((r) => (r.body === null ? 200 : 200));
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'x' }));
    t.world.at(2 * SECOND, () => {
      const q = bob.requests.find((f) => f.body !== null)!;
      bob.write(['MSRP rp408abc REPORT', `To-Path: ${q.fromPath.join(' ')}`, `From-Path: ${bob.sessionUris[0]}`, `Message-ID: ${q.messageId}`, 'Byte-Range: 1-1/1', 'Status: 000 408 Request Timeout', '-------rp408abc$', ''].join('\r\n'));
    });
    t.world.run(3 * SECOND);
    expect(t.of('endpoint.report', 'alice')[0]).toMatchObject({ status: 408, rule: 'E-32' });
    expect(t.of('session.failed', 'alice')[0]).toMatchObject({ rule: 'E-32' });
    // Never a response to a REPORT (E-31).
    expect(sent(t, 'alice', isResponse()).filter((x) => x.frame.transactionId === 'rp408abc')).toHaveLength(0);
  });
});
