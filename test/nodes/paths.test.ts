/**
 * Path construction with 0 to 3 relays on each side, checked frame by frame at
 * every hop, and the RFC 4976 §3 and §5.1 example flows reproduced with the same paths and headers
 * (transaction ids and tokens differ: they are random).
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { MsrpFrame, MsrpRequest, MsrpResponse } from '../../src/wire/frame.js';
import { build, chain, endpoint, headerOf, isRequest, isResponse, relay, sent, type Built } from './helpers.js';

function tokensOf(t: Built, node: 'psa' | 'pra'): string[] {
  return (t.of('endpoint.ready', node)[0]?.usePath as string[] | undefined) ?? [];
}

function deviceUri(t: Built, node: string): string {
  return sent(t, node, isRequest('AUTH'))[0]!.frame.fromPath[0]!;
}

/** The relays a request from psa crosses, in order: a1..aN then bM..b1. */
function relaysOnTheWay(a: number, b: number): string[] {
  return [...Array.from({ length: a }, (_, i) => `a${i + 1}`), ...Array.from({ length: b }, (_, i) => `b${b - i}`)];
}

describe('paths with 0, 1, 2 and 3 relays per side (R-07, R-19)', () => {
  for (const a of [0, 1, 2, 3]) {
    for (const b of [0, 1, 2, 3]) {
      it(`${a} relay(s) for psa, ${b} for pra: exact To-Path and From-Path at every hop, both ways`, () => {
        const t = chain(a, b);
        t.world.start();
        t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
        t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'from psa', successReport: 'yes' }));
        t.world.at(3 * SECOND, () => t.world.send('pra', { session: 's1', contentType: 'text/plain', body: 'from pra', successReport: 'yes' }));
        t.world.run(10 * SECOND);

        const usePsa = tokensOf(t, 'psa');
        const usePra = tokensOf(t, 'pra');
        expect(usePsa).toHaveLength(a);
        expect(usePra).toHaveLength(b);
        // Each Use-Path URI is a token of the relay at that position (FQDN and port, U-10).
        usePsa.forEach((u, i) => expect(u).toMatch(new RegExp(`^msrps://relay${i + 1}\\.a\\.example\\.com:2855/[^;]+;tcp$`)));
        usePra.forEach((u, i) => expect(u).toMatch(new RegExp(`^msrps://relay${i + 1}\\.b\\.example\\.net:2855/[^;]+;tcp$`)));

        // own a=path = reverse(Use-Path) ++ own URI; To-Path = Use-Path ++ peer's a=path.
        const psaPath = t.of('session.offer', 'psa')[0]!.path as string[];
        const praPath = t.of('session.answer', 'pra')[0]!.path as string[];
        const psaUri = psaPath.at(-1)!;
        const praUri = praPath.at(-1)!;
        expect(psaPath).toEqual([...usePsa].reverse().concat(psaUri));
        expect(praPath).toEqual([...usePra].reverse().concat(praUri));

        for (const [from, to, fromUri, toUri, use, peerPath, relays] of [
          ['psa', 'pra', psaUri, praUri, usePsa, praPath, relaysOnTheWay(a, b)],
          ['pra', 'psa', praUri, psaUri, usePra, psaPath, relaysOnTheWay(a, b).reverse()],
        ] as const) {
          const body = `from ${from}`;
          const isMessage = (f: MsrpFrame) => f.kind === 'request' && f.method === 'SEND' && f.body !== null && Buffer.from(f.body).toString() === body;
          const full = [...use, ...peerPath];
          const first = sent(t, from, isMessage)[0]!.frame as MsrpRequest;
          expect(first.toPath).toEqual(full);
          expect(first.fromPath).toEqual([fromUri]);
          // R-19 at each relay: the frame it receives, and the 200 it answers to the previous hop.
          relays.forEach((relayId, k) => {
            const got = t.of('msrp.recv', relayId).find((r) => r.method === 'SEND' && r.bodyLength === body.length && r.messageId === first.messageId)!;
            expect(got.toPath).toEqual(full.slice(k));
            expect(got.fromPath).toEqual([...full.slice(0, k)].reverse().concat(fromUri));
            const ok = sent(t, relayId, isResponse(200)).find((x) => x.frame.transactionId === got.transactionId)!.frame;
            expect(ok.toPath).toEqual([(got.fromPath as string[])[0]]);
            expect(ok.fromPath).toEqual([full[k]]);
          });
          const atPeer = t.of('msrp.recv', to).find((r) => r.method === 'SEND' && r.messageId === first.messageId)!;
          expect(atPeer.toPath).toEqual([toUri]);
          expect(atPeer.fromPath).toEqual([...full.slice(0, -1)].reverse().concat(fromUri));
          expect(t.of('endpoint.deliver', to).find((d) => d.messageId === first.messageId)).toBeDefined();
          // E-29: the success REPORT goes back along the From-Path received, and arrives with the
          // mirror image of it.
          const report = sent(t, to, isRequest('REPORT')).find((x) => x.frame.messageId === first.messageId)!.frame;
          expect(report.toPath).toEqual(atPeer.fromPath);
          expect(report.fromPath).toEqual([toUri]);
          const back = t.of('msrp.recv', from).find((r) => r.method === 'REPORT' && r.messageId === first.messageId)!;
          expect(back.toPath).toEqual([fromUri]);
          expect(back.fromPath).toEqual(full);
        }
        expect(t.of('relay.refuse')).toHaveLength(0);
        expect(t.of('msrp.violation')).toHaveLength(0);
      });
    }
  }

  it('both endpoints on one relay: it consumes its own URI twice and opens no connection to itself (R-19)', () => {
    const R = 'msrps://relay.a.example.com:2855;tcp';
    const t = build(
      [
        { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: R, username: 'psa', password: 's3cret' }] }) },
        { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret', pra: 'hunter2' }) },
        { id: 'pra', role: 'receiver', endpoint: endpoint('phone.b.example.net', { relays: [{ uri: R, username: 'pra', password: 'hunter2' }] }) },
      ],
      [['psa', 'relay-a', { latency: 10_000 }], ['relay-a', 'pra', { latency: 10_000 }]],
    );
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'hi', successReport: 'yes' }));
    t.world.run(10 * SECOND);
    const [tokPsa] = tokensOf(t, 'psa');
    const [tokPra] = tokensOf(t, 'pra');
    const atPra = t.of('msrp.recv', 'pra').find((r) => r.method === 'SEND' && r.bodyLength === 2)!;
    expect(atPra.fromPath).toEqual([tokPra, tokPsa, (t.of('session.offer', 'psa')[0]!.path as string[]).at(-1)]);
    expect(t.of('relay.local-hop', 'relay-a').length).toBeGreaterThan(0);
    expect(t.of('relay.connect', 'relay-a')).toHaveLength(0);
    expect(t.of('endpoint.report', 'psa')[0]).toMatchObject({ status: 200, complete: true });
  });
});

describe('AUTH through the first relay to the second and third (R-03, RFC 4976 §5.1)', () => {
  it('the n-th AUTH has To-Path = Use-Path so far ++ the relay URI; the relay forwarding it uses a new id and maps the responses back', () => {
    const t = chain(3, 0);
    t.world.start();
    t.world.run(3 * SECOND);
    const dev = deviceUri(t, 'psa');
    const uses = t.of('auth.ok', 'psa').map((r) => r.usePath as string[]);
    expect(uses.map((u) => u.length)).toEqual([1, 2, 3]);
    expect(uses[1]!.slice(0, 1)).toEqual(uses[0]);
    expect(uses[2]!.slice(0, 2)).toEqual(uses[1]);
    const auths = sent(t, 'psa', isRequest('AUTH')).map((x) => x.frame as MsrpRequest);
    expect(auths).toHaveLength(6); // a 401 and a 200 from each relay
    const relayUri = (i: number) => `msrps://relay${i}.a.example.com:2855;tcp`;
    for (let i = 0; i < 3; i++) {
      for (const auth of auths.slice(2 * i, 2 * i + 2)) {
        expect(auth.toPath).toEqual([...(i === 0 ? [] : uses[i - 1]!), relayUri(i + 1)]);
        expect(auth.fromPath).toEqual([dev]);
        // The response psa gets: original tid, To-Path = its From-Path, From-Path = the hops back.
        const resp = t.of('msrp.recv', 'psa').find((r) => r.kind === 'response' && r.transactionId === auth.transactionId)!;
        expect(resp.toPath).toEqual([dev]);
        expect(resp.fromPath).toEqual([...auth.toPath.slice(0, -1), relayUri(i + 1)]);
        // Each relay on the way forwards with a new transaction id and rewrites paths.
        let tid = auth.transactionId;
        for (let k = 1; k <= i; k++) {
          const fwd = t.of('relay.forward', `a${k}`).find((f) => f.inTransactionId === tid)!;
          expect(fwd.outTransactionId).not.toBe(tid);
          expect(fwd.toPathAfter).toEqual(auth.toPath.slice(k));
          expect(fwd.fromPathAfter).toEqual([...auth.toPath.slice(0, k)].reverse().concat(dev));
          tid = fwd.outTransactionId as string;
        }
      }
      // 401 first, then 200 with Use-Path = the tokens in To-Path order.
      const statuses = auths.slice(2 * i, 2 * i + 2).map((q) => t.of('msrp.recv', 'psa').find((r) => r.kind === 'response' && r.transactionId === q.transactionId)!.status);
      expect(statuses).toEqual([401, 200]);
    }
    expect(t.of('endpoint.violation', 'psa')).toHaveLength(0); // rspauth verified at every relay
  });
});

describe('the RFC 4976 §3 example (F-5): Alice - a.example.org - b.example.net - Bob', () => {
  const t = build(
    [
      { id: 'alice', role: 'sender', endpoint: endpoint('alice.example.org', { port: 7965, scheme: 'msrps', relays: [{ uri: 'msrps://a.example.org:9000;tcp', username: 'alice', password: 'a' }] }) },
      { id: 'a', role: 'relay', relay: relay('a.example.org', { alice: 'a' }, { port: 9000 }) },
      { id: 'b', role: 'relay', relay: relay('b.example.net', { bob: 'b' }, { port: 9000 }) },
      { id: 'bob', role: 'receiver', endpoint: endpoint('bob.example.net', { port: 8145, scheme: 'msrps', relays: [{ uri: 'msrps://b.example.net:9000;tcp', username: 'bob', password: 'b' }] }) },
    ],
    [
      ['alice', 'a', { latency: 10_000 }],
      ['a', 'b', { latency: 10_000 }],
      ['b', 'bob', { latency: 10_000, bandwidth: 64_000 }], // the slow link
    ],
  );
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
  t.world.at(2 * SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: "Hi Bob, I'm about to send you file.mpeg", successReport: 'yes' }));
  t.world.run(10 * SECOND);
  const A = tokensOf(t, 'alice' as 'psa')[0]!;
  const B = tokensOf(t, 'bob' as 'pra')[0]!;
  const alice = (t.of('session.offer', 'alice')[0]!.path as string[]).at(-1)!;
  const bob = (t.of('session.answer', 'bob')[0]!.path as string[]).at(-1)!;
  const isMsg = (f: MsrpFrame) => f.kind === 'request' && f.method === 'SEND' && f.body !== null && f.body.length === 39;
  const send1 = sent(t, 'alice', isMsg)[0]!.frame as MsrpRequest;
  const send3 = sent(t, 'a', isMsg)[0]!.frame as MsrpRequest;
  const send5 = sent(t, 'b', isMsg)[0]!.frame as MsrpRequest;
  const okTo = (node: string, f: MsrpRequest) => sent(t, node, isResponse(200)).find((x) => x.frame.transactionId === f.transactionId)!;

  it('has the URIs of the example: msrps, the ports, one token per relay', () => {
    expect(A).toMatch(/^msrps:\/\/a\.example\.org:9000\/[^;]+;tcp$/);
    expect(B).toMatch(/^msrps:\/\/b\.example\.net:9000\/[^;]+;tcp$/);
    expect(alice).toMatch(/^msrps:\/\/alice\.example\.org:7965\/[^;]+;tcp$/);
    expect(bob).toMatch(/^msrps:\/\/bob\.example\.net:8145\/[^;]+;tcp$/);
  });

  it('frames 1, 3 and 5: the SEND at each hop, same headers as the example', () => {
    expect(send1.toPath).toEqual([A, B, bob]);
    expect(send1.fromPath).toEqual([alice]);
    expect(send3.toPath).toEqual([B, bob]);
    expect(send3.fromPath).toEqual([A, alice]);
    expect(send5.toPath).toEqual([bob]);
    expect(send5.fromPath).toEqual([B, A, alice]);
    for (const f of [send1, send3, send5]) {
      expect(f.headers.map(([n]) => n).sort()).toEqual(['Byte-Range', 'Content-Type', 'From-Path', 'Message-ID', 'Success-Report', 'To-Path']);
      expect(f.successReport).toBe('yes');
      expect(f.messageId).toBe(send1.messageId);
      expect(Buffer.from(f.body!).toString()).toBe("Hi Bob, I'm about to send you file.mpeg");
    }
    expect(new Set([send1.transactionId, send3.transactionId, send5.transactionId]).size).toBe(3);
  });

  it('frames 2, 4 and 6: each hop answers 200 to the previous hop only', () => {
    const f2 = okTo('a', send1);
    const f4 = okTo('b', send3);
    const f6 = okTo('bob', send5);
    expect([f2.frame.toPath, f2.frame.fromPath]).toEqual([[alice], [A]]);
    expect([f4.frame.toPath, f4.frame.fromPath]).toEqual([[A], [B]]);
    expect([f6.frame.toPath, f6.frame.fromPath]).toEqual([[B], [bob]]);
    // Frame 2 leaves a before frame 3 reaches b (the relay answers before it forwards).
    expect(f2.record.t).toBeLessThanOrEqual(t.of('msrp.recv', 'b').find((r) => r.transactionId === send3.transactionId)!.t as number);
  });

  it('frames 7, 8 and 9: the success REPORT from Bob back to Alice, never answered', () => {
    const r7 = sent(t, 'bob', isRequest('REPORT'))[0]!.frame as MsrpRequest;
    const r8 = sent(t, 'b', isRequest('REPORT'))[0]!.frame as MsrpRequest;
    const r9 = sent(t, 'a', isRequest('REPORT'))[0]!.frame as MsrpRequest;
    expect([r7.toPath, r7.fromPath]).toEqual([[B, A, alice], [bob]]);
    expect([r8.toPath, r8.fromPath]).toEqual([[A, alice], [B, bob]]);
    expect([r9.toPath, r9.fromPath]).toEqual([[alice], [A, B, bob]]);
    for (const r of [r7, r8, r9]) {
      expect(r.byteRange).toEqual({ start: 1, end: 39, total: 39 });
      expect(headerOf(r, 'Status')).toBe('000 200 OK');
      expect(r.messageId).toBe(send1.messageId);
    }
    const tids = [r7, r8, r9].map((r) => r.transactionId);
    expect(t.of('msrp.send').filter((r) => r.kind === 'response' && tids.includes(r.transactionId as string))).toHaveLength(0);
  });
});

describe('the RFC 4976 §5.1 example (F-8): AUTH to intra, then to extra through intra', () => {
  const t = build(
    [
      {
        id: 'alice',
        role: 'sender',
        endpoint: endpoint('alice.example.com', {
          port: 9892,
          scheme: 'msrps',
          relays: [
            { uri: 'msrps://alice@intra.example.com;tcp', username: 'Alice', password: 'a' },
            { uri: 'msrps://extra.example.com;tcp', username: 'Alice', password: 'a' },
          ],
        }),
      },
      { id: 'intra', role: 'relay', relay: relay('intra.example.com', { Alice: 'a' }, { expiresDefault: 900 }) },
      { id: 'extra', role: 'relay', relay: relay('extra.example.com', { Alice: 'a' }, { expiresDefault: 1800 }) },
    ],
    [
      ['alice', 'intra', { latency: 5_000 }],
      ['intra', 'extra', { latency: 5_000 }],
    ],
  );
  t.world.start();
  t.world.run(2 * SECOND);
  const dev = deviceUri(t, 'alice');
  const INTRA = 'msrps://alice@intra.example.com;tcp';
  const EXTRA = 'msrps://extra.example.com;tcp';
  const out = sent(t, 'alice', isRequest('AUTH')).map((x) => x.frame as MsrpRequest);
  const back = (f: MsrpRequest) => t.of('msrp.recv', 'alice').find((r) => r.kind === 'response' && r.transactionId === f.transactionId)!;
  const viaIntra = (f: MsrpRequest) => {
    const fwd = t.of('relay.forward', 'intra').find((r) => r.inTransactionId === f.transactionId)!;
    return {
      request: sent(t, 'intra', isRequest('AUTH')).find((x) => x.frame.transactionId === fwd.outTransactionId)!.frame as MsrpRequest,
      response: sent(t, 'extra', isResponse()).find((x) => x.frame.transactionId === fwd.outTransactionId)!.frame as MsrpResponse,
    };
  };
  const intraToken = () => (t.of('auth.ok', 'alice')[0]!.usePath as string[])[0]!;

  it('frames 1-4: AUTH (port-less To-Path with userinfo), 401, AUTH with Authorization, 200 with Use-Path and Expires 900', () => {
    const [f1, f3] = out;
    expect(f1!.toPath).toEqual([INTRA]);
    expect(f1!.fromPath).toEqual([dev]);
    expect(headerOf(f1!, 'Authorization')).toBeUndefined();
    expect(back(f1!)).toMatchObject({ status: 401, toPath: [dev], fromPath: [INTRA] });
    expect(headerOf(f3!, 'Authorization')).toMatch(/^Digest username="Alice", realm="intra\.example\.com", nonce="[^"]+", uri="msrps:\/\/alice@intra\.example\.com;tcp", qop=auth, nc=00000001, cnonce="[^"]+", response="[0-9a-f]{32}"$/);
    expect(f3!.transactionId).not.toBe(f1!.transactionId);
    const ok = t.of('msrp.recv', 'alice').find((r) => r.transactionId === f3!.transactionId)!;
    expect(ok).toMatchObject({ status: 200, toPath: [dev], fromPath: [INTRA] });
    const okFrame = sent(t, 'intra', isResponse(200)).find((x) => x.frame.transactionId === f3!.transactionId)!.frame;
    expect(okFrame.usePath).toEqual([intraToken()]);
    expect(okFrame.expires).toBe(900);
    expect(headerOf(okFrame, 'Authentication-Info')).toMatch(/rspauth="[0-9a-f]{32}".*cnonce=.*nc=00000001.*qop=auth/);
  });

  it('frames 5-8: AUTH to extra through intra, forwarded with a new tid; the 401 comes back with the original tid', () => {
    const f5 = out[2]!;
    expect(f5.toPath).toEqual([intraToken(), EXTRA]);
    expect(f5.fromPath).toEqual([dev]);
    const { request: f6, response: f7 } = viaIntra(f5);
    expect(f6.transactionId).not.toBe(f5.transactionId);
    expect(f6.toPath).toEqual([EXTRA]);
    expect(f6.fromPath).toEqual([intraToken(), dev]);
    expect(f7.statusCode).toBe(401);
    expect(f7.toPath).toEqual([intraToken(), dev]);
    expect(f7.fromPath).toEqual([EXTRA]);
    expect(headerOf(f7, 'WWW-Authenticate')).toMatch(/^Digest realm="extra\.example\.com", qop="auth", nonce="[^"]+", algorithm=MD5$/);
    const f8 = sent(t, 'intra', isResponse(401)).find((x) => x.frame.transactionId === f5.transactionId)!.frame;
    expect(f8.toPath).toEqual([dev]);
    expect(f8.fromPath).toEqual([intraToken(), EXTRA]);
    expect(headerOf(f8, 'WWW-Authenticate')).toBe(headerOf(f7, 'WWW-Authenticate'));
  });

  it('frames 9-12: the AUTH with credentials for extra; the 200 carries Use-Path = intra-token extra-token and Expires 1800', () => {
    const f9 = out[3]!;
    expect(f9.toPath).toEqual([intraToken(), EXTRA]);
    // A new nonce: the nonce count starts again at 1 (RFC 2617 §3.2.2, R-16h).
    expect(headerOf(f9, 'Authorization')).toMatch(/^Digest username="Alice", realm="extra\.example\.com", nonce="[^"]+", uri="msrps:\/\/extra\.example\.com;tcp", qop=auth, nc=00000001, cnonce="[^"]+", response="[0-9a-f]{32}"$/);
    const { request: f10, response: f11 } = viaIntra(f9);
    expect(f10.toPath).toEqual([EXTRA]);
    expect(headerOf(f10, 'Authorization')).toBe(headerOf(f9, 'Authorization'));
    expect(f11.statusCode).toBe(200);
    expect(f11.usePath).toHaveLength(2);
    expect(f11.usePath![0]).toBe(intraToken());
    expect(f11.usePath![1]).toMatch(/^msrps:\/\/extra\.example\.com:2855\/[^;]+;tcp$/);
    expect(f11.expires).toBe(1800);
    const f12 = sent(t, 'intra', isResponse(200)).find((x) => x.frame.transactionId === f9.transactionId)!.frame;
    expect(f12.toPath).toEqual([dev]);
    expect(f12.fromPath).toEqual([intraToken(), EXTRA]);
    // the relay does not rewrite Use-Path (the RFC's printed frame 12 is a misprint).
    expect(f12.usePath).toEqual(f11.usePath);
    expect(headerOf(f12, 'Authentication-Info')).toBe(headerOf(f11, 'Authentication-Info'));
    // Result: her a=path would be extra intra alice; her To-Path prefix intra extra.
    expect(t.of('endpoint.ready', 'alice')[0]!.usePath).toEqual(f11.usePath);
  });
});
