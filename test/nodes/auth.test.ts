/**
 * AUTH at relays (RFC 4976 §5.1, §6.1, §6.3, §9.1; CHECKLIST d.1-d.3): the Digest challenge and
 * its answer, refused credentials and brute force, stale nonces, Expires bounds, tokens used where
 * they are not valid or after they expire, and a relay that crashes and comes back.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { MsrpRequest } from '../../src/wire/frame.js';
import type { EndpointOptions } from '../../src/nodes/endpoint/endpoint-node.js';
import type { RelayOptions } from '../../src/nodes/relay/relay-node.js';
import { addHost, build, chain, endpoint, headerOf, isRequest, isResponse, relay, sent, type Built } from './helpers.js';
import { ScriptedPeer } from './peers.js';

const RELAY_A = 'msrps://relay.a.example.com:2855;tcp';

/** psa and its relay only. */
function alone(opts: { psa?: Partial<EndpointOptions>; relay?: Partial<RelayOptions>; latency?: number } = {}): Built {
  const t = build(
    [
      { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: RELAY_A, username: 'psa', password: 's3cret' }], ...opts.psa }) },
      { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }, opts.relay) },
    ],
    [['psa', 'relay-a', { latency: opts.latency ?? 10_000 }]],
  );
  t.world.start();
  return t;
}

/** The AUTH exchanges psa had: [request, response status] in order. */
function exchanges(t: Built): [MsrpRequest, number][] {
  return sent(t, 'psa', isRequest('AUTH')).map((x) => {
    const resp = sent(t, 'relay-a', isResponse()).find((r) => r.frame.transactionId === x.frame.transactionId);
    return [x.frame as MsrpRequest, resp && resp.frame.kind === 'response' ? resp.frame.statusCode : 0];
  });
}

const respTo = (t: Built, f: MsrpRequest) => sent(t, 'relay-a', isResponse()).find((r) => r.frame.transactionId === f.transactionId)!.frame;

/** A raw client (no credentials) with a TLS connection to relay-a. */
function withMallory(t: Built): ScriptedPeer {
  addHost(t, 'mallory', 'mallory.example.org', [['relay-a', { latency: 10_000 }]]);
  return new ScriptedPeer(t.world, 'mallory', { host: 'mallory.example.org', port: 9000, script: () => null });
}

const raw = (lines: string[]) => lines.concat('').join('\r\n');

describe('the Digest handshake (R-04, R-06, R-16)', () => {
  const t = alone();
  t.world.run(2 * SECOND);
  const [[a1, s1], [a2, s2]] = exchanges(t);

  it('AUTH without credentials gets 401 with a Digest challenge: qop="auth", MD5, no domain, no stale', () => {
    expect(s1).toBe(401);
    expect(a1!.toPath).toEqual([RELAY_A]);
    const r = respTo(t, a1!);
    expect(r.toPath).toEqual(a1!.fromPath); // E-33: a non-SEND response takes the whole From-Path
    expect(r.fromPath).toEqual([RELAY_A]);
    const www = headerOf(r, 'WWW-Authenticate')!;
    expect(www).toMatch(/^Digest realm="relay\.a\.example\.com", qop="auth", nonce="[^"]+", algorithm=MD5$/);
    expect(www).not.toMatch(/domain|stale|auth-int|MD5-sess|Basic/);
  });

  it('the retry has a new transaction id and an Authorization over the rightmost To-Path URI (R-16e-g)', () => {
    expect(a2!.transactionId).not.toBe(a1!.transactionId);
    const authz = headerOf(a2!, 'Authorization')!;
    expect(authz).toMatch(/^Digest username="psa", realm="relay\.a\.example\.com", nonce="[^"]+", uri="msrps:\/\/relay\.a\.example\.com:2855;tcp", qop=auth, nc=00000001, cnonce="[^"]+", response="[0-9a-f]{32}"$/);
    const nonce = /nonce="([^"]+)"/.exec(headerOf(respTo(t, a1!), 'WWW-Authenticate')!)![1];
    expect(authz).toContain(`nonce="${nonce}"`);
  });

  it('200 carries Use-Path (FQDN and port), Expires and Authentication-Info with rspauth, cnonce, nc, qop', () => {
    expect(s2).toBe(200);
    const r = respTo(t, a2!);
    expect(r.usePath).toHaveLength(1);
    expect(r.usePath![0]).toMatch(/^msrps:\/\/relay\.a\.example\.com:2855\/[A-Za-z0-9+=/_-]{11,};tcp$/);
    expect(r.expires).toBe(900);
    const info = headerOf(r, 'Authentication-Info')!;
    expect(info).toMatch(/rspauth="[0-9a-f]{32}"/);
    expect(info).toMatch(/cnonce="[^"]+"/);
    expect(info).toMatch(/nc=00000001/);
    expect(info).toMatch(/qop=auth/);
    expect(t.of('endpoint.violation', 'psa')).toHaveLength(0); // the rspauth checked out
    expect(t.of('auth.ok', 'psa')[0]).toMatchObject({ rule: 'R-06', expires: 900 });
  });
});

describe('refused credentials and brute force (R-04, R-15)', () => {
  it('a wrong password gets 401 again; the endpoint gives up and says so', () => {
    const t = alone({ psa: { relays: [{ uri: RELAY_A, username: 'psa', password: 'wrong' }] } });
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'nobody'));
    t.world.run(5 * SECOND);
    expect(exchanges(t).map(([, s]) => s)).toEqual([401, 401]);
    expect(t.of('relay.auth-fail', 'relay-a')[0]).toMatchObject({ failures: 1 });
    expect(t.of('auth.fail', 'psa')[0]).toMatchObject({ rule: 'R-04', reason: 'credentials refused (401)' });
    expect(t.of('session.offer', 'psa')).toHaveLength(0);
  });

  for (const max of [3, 2]) {
    it(`after ${max} failed AUTHs the relay closes the client connection (maxFailedAuths ${max})`, () => {
      const t = build([{ id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }, { maxFailedAuths: max }) }], []);
      const mallory = withMallory(t);
      t.world.start();
      t.world.at(SECOND, () => mallory.connect('relay.a.example.com', 2855, true));
      t.world.at(1.2 * SECOND, () => mallory.write(raw(['MSRP mal00001 AUTH', `To-Path: ${RELAY_A}`, 'From-Path: msrp://mallory.example.org:9000/x1;tcp', '-------mal00001$'])));
      t.world.at(1.5 * SECOND, () => {
        const www = headerOf(mallory.received[0]!.frame, 'WWW-Authenticate')!;
        const nonce = /nonce="([^"]+)"/.exec(www)![1];
        for (let i = 1; i <= 4; i++) {
          const authz = `Digest username="psa", realm="relay.a.example.com", nonce="${nonce}", uri="${RELAY_A}", qop=auth, nc=0000000${i}, cnonce="c${i}", response="${'0'.repeat(32)}"`;
          mallory.write(raw([`MSRP mal1000${i} AUTH`, `To-Path: ${RELAY_A}`, 'From-Path: msrp://mallory.example.org:9000/x1;tcp', `Authorization: ${authz}`, `-------mal1000${i}$`]));
        }
      });
      t.world.run(5 * SECOND);
      const statuses = mallory.received.map((r) => (r.frame.kind === 'response' ? r.frame.statusCode : 0));
      expect(statuses).toEqual([401, ...Array(max).fill(401)]);
      expect(t.of('relay.auth-disconnect', 'relay-a')[0]).toMatchObject({ rule: 'R-15', failures: max });
      expect(t.of('tcp.close', 'mallory')).toHaveLength(1);
    });
  }

  it('a connection that makes no successful request within the probation period is closed (R-09)', () => {
    const t = build([{ id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }, { probation: 30 * SECOND }) }], []);
    const mallory = withMallory(t);
    t.world.start();
    t.world.at(SECOND, () => mallory.connect('relay.a.example.com', 2855, true));
    t.world.run(60 * SECOND);
    const close = t.of('relay.probation-close', 'relay-a');
    expect(close).toHaveLength(1);
    expect(close[0]).toMatchObject({ rule: 'R-09', seconds: 30 });
    // 30 s from the end of the TCP and TLS handshakes.
    const accepted = t.of('tcp.accept', 'relay-a')[0]!;
    expect(close[0]!.t - accepted.t).toBeGreaterThanOrEqual(30 * SECOND);
    expect(close[0]!.t - accepted.t).toBeLessThan(30.1 * SECOND);
  });
});

describe('a request on a connection the relay has closed', () => {
  it('is discarded, not answered into the closed connection, and grants no token (E-33, R-09)', () => {
    // 300 ms each way and a 1 s probation: the AUTH with credentials arrives after the relay has
    // closed the connection (it had to succeed a request within the probation).
    const t = alone({ latency: 300_000, relay: { probation: SECOND } });
    t.world.run(3 * SECOND);
    const close = t.of('relay.probation-close', 'relay-a')[0]!;
    const late = t.of('msrp.recv', 'relay-a').filter((r) => r.t > close.t);
    expect(late.length).toBeGreaterThan(0);
    expect(t.of('relay.discard', 'relay-a').map((r) => [r.transactionId, r.rule])).toEqual(late.map((r) => [r.transactionId, 'E-33']));
    expect(t.of('relay.auth-ok', 'relay-a').filter((r) => r.t > close.t)).toEqual([]);
    expect(t.of('relay.respond', 'relay-a').filter((r) => r.t > close.t)).toEqual([]);
  });
});

describe('stale nonces (R-16h)', () => {
  it('a nonce past its lifetime gets 401 stale=true and the client retries with the new nonce', () => {
    // 300 ms each way and a 1 s nonce lifetime: after a 423 the retry with the same nonce comes
    // 1.2 s after the challenge.
    const t = alone({ latency: 300_000, relay: { nonceLifetime: SECOND }, psa: { authExpires: 10 } });
    t.world.run(10 * SECOND);
    const ex = exchanges(t);
    expect(ex.map(([, s]) => s)).toEqual([401, 423, 401, 200]);
    const stale = respTo(t, ex[2]![0]);
    expect(headerOf(stale, 'WWW-Authenticate')).toMatch(/stale=true/);
    expect(t.of('auth.challenge', 'relay-a').map((r) => [r.stale, r.rule])).toEqual([[false, 'R-04'], [true, 'R-16h']]);
    // nc counts per nonce: 1, 2 with the first nonce, 1 again with the new one.
    expect(ex.slice(1).map(([f]) => /nc=(\d+)/.exec(headerOf(f, 'Authorization')!)![1])).toEqual(['00000001', '00000002', '00000001']);
    expect(t.of('auth.ok', 'psa')[0]).toMatchObject({ expires: 60 });
  });

  it('a path slower than the nonce lifetime is not retried for ever: the client gives up after 3 stale nonces', () => {
    const t = alone({ latency: SECOND, relay: { nonceLifetime: SECOND } });
    t.world.run(120 * SECOND);
    expect(exchanges(t).map(([, s]) => s)).toEqual([401, 401, 401, 401, 401]);
    expect(t.of('auth.fail', 'psa')).toHaveLength(1);
    expect(t.of('auth.fail', 'psa')[0]).toMatchObject({ rule: 'R-16h', reason: 'nonce stale 4 times in a row' });
    // The relay closes the idle connection; a refused client does not dial again.
    expect(t.of('relay.probation-close', 'relay-a')).toHaveLength(1);
    expect(t.of('endpoint.relay-lost', 'psa')[0]).toMatchObject({ retryIn: null });
    expect(t.of('endpoint.relay-connected', 'psa')).toHaveLength(1);
  });
});

describe('Expires bounds (R-05, A-20)', () => {
  for (const [asked, header, bound] of [
    [10, 'Min-Expires', 60],
    [7200, 'Max-Expires', 3600],
  ] as const) {
    it(`Expires ${asked} is out of bounds: 423 with ${header} ${bound}, and the retry gets ${bound}`, () => {
      const t = alone({ psa: { authExpires: asked } });
      t.world.run(3 * SECOND);
      const ex = exchanges(t);
      expect(ex.map(([, s]) => s)).toEqual([401, 423, 200]);
      expect(ex[1]![0].expires).toBe(asked);
      const r423 = respTo(t, ex[1]![0]);
      expect(r423.kind === 'response' && r423.comment).toBe('Interval Out-of-Bounds');
      expect(headerOf(r423, header)).toBe(String(bound));
      expect(headerOf(r423, header === 'Min-Expires' ? 'Max-Expires' : 'Min-Expires')).toBeUndefined();
      expect(r423.toPath).toEqual(ex[1]![0].fromPath);
      expect(ex[2]![0].expires).toBe(bound);
      expect(ex[2]![0].transactionId).not.toBe(ex[1]![0].transactionId);
      expect(respTo(t, ex[2]![0]).expires).toBe(bound);
      expect(t.of('auth.retry-expires', 'psa')[0]).toMatchObject({ rule: 'R-05', asked, next: bound });
    });
  }
});

describe('where a token is valid (R-12, R-13, R-14, S-01)', () => {
  function twoSides() {
    const t = chain(1, 1);
    addHost(t, 'mallory', 'mallory.example.org', [['a1', { latency: 10_000 }]]);
    const mallory = new ScriptedPeer(t.world, 'mallory', { host: 'mallory.example.org', port: 9000, script: () => null });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    return { t, mallory };
  }
  const tokenOf = (t: Built, relayId: string) => t.of('relay.auth-ok', relayId)[0]!.token as string;
  const uriOf = (t: Built, node: 'psa' | 'pra') => (t.of(node === 'psa' ? 'session.offer' : 'session.answer', node)[0]!.path as string[]).at(-1)!;
  const send = (tid: string, to: string[], from: string, body: string) =>
    raw([`MSRP ${tid} SEND`, `To-Path: ${to.join(' ')}`, `From-Path: ${from}`, `Message-ID: ${tid}m`, `Byte-Range: 1-${body.length}/${body.length}`, 'Content-Type: text/plain', '', body, `-------${tid}$`]);

  it("psa's token on another connection: 481 when it routes on (R-12); to psa itself it is delivered (S-01)", () => {
    const { t, mallory } = twoSides();
    t.world.at(SECOND, () => mallory.connect('relay1.a.example.com', 2855, true));
    t.world.at(2 * SECOND, () => {
      const A = tokenOf(t, 'a1');
      const B = tokenOf(t, 'b1');
      mallory.write(send('steal001', [A, B, uriOf(t, 'pra')], 'msrp://mallory.example.org:9000/x1;tcp', 'via psa'));
      mallory.write(send('leak0001', [A, uriOf(t, 'psa')], 'msrp://mallory.example.org:9000/x1;tcp', 'to psa'));
    });
    t.world.run(5 * SECOND);
    const answers = mallory.received.map((r) => r.frame.kind === 'response' && [r.frame.transactionId, r.frame.statusCode]);
    expect(answers).toEqual([['steal001', 481], ['leak0001', 200]]);
    expect(t.of('relay.refuse', 'a1')[0]).toMatchObject({ rule: 'R-12', status: 481 });
    expect(t.of('msrp.recv', 'pra').filter((r) => r.messageId === 'steal001m')).toHaveLength(0);
    expect(t.of('msrp.recv', 'psa').filter((r) => r.messageId === 'leak0001m')).toHaveLength(1);
  });

  it('a token after its Expires: 481 (R-13), and the session fails at the sender', () => {
    const t = chain(1, 1, { psa: { authExpires: 60 } });
    // psa does not hand pra its new token (no re-INVITE, R-08; reoffer.test.ts has the endpoint
    // that does): its session keeps the first token past its Expires.
    t.world.signalling.reoffer = () => false;
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(30 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'in time' }));
    t.world.at(61 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'too late' }));
    t.world.run(70 * SECOND);
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(1);
    const refused = t.of('relay.refuse', 'a1');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ rule: 'R-13', status: 481 });
    expect(refused[0]!.t).toBeGreaterThanOrEqual(61 * SECOND);
    expect(t.of('session.failed', 'psa')[0]).toMatchObject({ rule: 'E-16' });
    // the endpoint re-authenticated at 80 % of Expires; the new token is not the old one.
    const oks = t.of('relay.auth-ok', 'a1');
    expect(oks).toHaveLength(2);
    expect(oks[1]!.t).toBeGreaterThanOrEqual(48 * SECOND);
    expect(oks[1]!.token).not.toBe(oks[0]!.token);
  });

  it('an expired token is remembered one Expires more, then forgotten: 481 for R-13, then for R-14 (R-28)', () => {
    const t = chain(1, 1, { psa: { authExpires: 60 } });
    t.world.signalling.reoffer = () => false;
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    const late = (tid: string) => () => t.world.raw('psa', new Uint8Array(Buffer.from(send(tid, [tokenOf(t, 'a1'), tokenOf(t, 'b1'), uriOf(t, 'pra')], uriOf(t, 'psa'), 'late'))));
    const sizes: number[] = [];
    t.world.at(100 * SECOND, late('late0100'));
    t.world.at(125 * SECOND, late('late0125'));
    for (let at = 50; at <= 400; at += 50) t.world.at(at * SECOND, () => sizes.push(t.world.relays.get('a1')!.stateSizes.tokens));
    t.world.run(400 * SECOND);
    const first = t.of('relay.auth-ok', 'a1')[0]!;
    expect(t.of('relay.refuse', 'a1').map((r) => [r.transactionId, r.rule, r.status])).toEqual([['late0100', 'R-13', 481], ['late0125', 'R-14', 481]]);
    const forgotten = t.of('relay.token-forgotten', 'a1');
    expect(forgotten[0]).toMatchObject({ token: first.token, rule: 'R-28', expiredAt: first.t + 60 * SECOND, t: first.t + 120 * SECOND });
    // psa re-AUTHs every 48 s on the same connection: the relay holds the live tokens and those
    // expired for less than an Expires, not one per AUTH since the start.
    expect(t.of('relay.auth-ok', 'a1').length).toBeGreaterThan(7);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });
});

describe('a relay that crashes and restarts: its tokens are gone', () => {
  it("psa's own relay: the next SEND meets a reset, psa reconnects, re-AUTHs, re-offers and resends the message (E-19)", () => {
    const t = chain(1, 1, { psa: { onSessionFailure: 'reestablish' } });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(5 * SECOND, () => t.world.network.crash('a1'));
    t.world.at(6 * SECOND, () => t.world.network.restart('a1'));
    t.world.at(10 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'after the crash', successReport: 'yes' }));
    t.world.run(30 * SECOND);
    const oks = t.of('auth.ok', 'psa');
    expect(oks).toHaveLength(2);
    expect(oks[1]!.usePath).not.toEqual(oks[0]!.usePath);
    expect(t.of('endpoint.relay-lost', 'psa')[0]).toMatchObject({ rule: 'E-19', reason: 'reset' });
    expect(t.of('session.reestablish', 'psa')).toHaveLength(1);
    const sentMsg = t.of('endpoint.message', 'psa');
    expect(sentMsg).toHaveLength(2); // the original and the resend, same Message-ID and bytes
    expect(sentMsg[1]).toMatchObject({ messageId: sentMsg[0]!.messageId, digest: sentMsg[0]!.digest });
    const got = t.of('endpoint.deliver', 'pra');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ messageId: sentMsg[0]!.messageId, digest: sentMsg[0]!.digest });
    // Dead transactions of the failed session do not time out later (no spurious A-13).
    expect(t.of('endpoint.timeout', 'psa')).toHaveLength(0);
  });

  it("pra's relay: a SEND through the lost token gets 481 (R-14) and a REPORT to psa; pra finds out at its re-AUTH and reconnects", () => {
    const t = chain(1, 1, { pra: { authExpires: 60 } });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(5 * SECOND, () => t.world.network.crash('b1'));
    t.world.at(6 * SECOND, () => t.world.network.restart('b1'));
    // The first SEND finds a1's connection to b1 dead (reset: 408, A-02); the second one goes
    // over a new connection and meets the restarted relay, which no longer knows the token.
    t.world.at(10 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'one' }));
    t.world.at(15 * SECOND, () => t.world.openSession('s2', 'psa', 'pra'));
    t.world.at(20 * SECOND, () => t.world.send('psa', { session: 's2', contentType: 'text/plain', body: 'two' }));
    t.world.at(55 * SECOND, () => t.world.openSession('s3', 'psa', 'pra'));
    t.world.at(58 * SECOND, () => t.world.send('psa', { session: 's3', contentType: 'text/plain', body: 'three' }));
    t.world.run(70 * SECOND);
    const reports = t.of('relay.report', 'a1').map((r) => [r.status, r.rule]);
    expect(reports[0]).toEqual([408, 'A-02']);
    expect(t.of('relay.refuse', 'b1').map((r) => [r.status, r.rule])).toContainEqual([481, 'R-14']);
    expect(reports).toContainEqual([481, 'R-22']);
    expect(t.of('session.failed', 'psa').map((r) => r.session)).toEqual(['s1', 's2']);
    // pra learns of the lost connection only when it writes on it: the re-AUTH at 80 % of 60 s.
    const lost = t.of('endpoint.relay-lost', 'pra');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.t).toBeGreaterThanOrEqual(48 * SECOND);
    expect(t.of('auth.ok', 'pra').length).toBeGreaterThanOrEqual(2);
    expect(t.of('endpoint.deliver', 'pra').map((r) => r.session)).toEqual(['s3']);
  });
});
