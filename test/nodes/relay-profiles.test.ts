/**
 * Relay profiles (SPEC §3.2, docs/relay-profiles.md): one test per deviation of kamailio,
 * msrprelay and opensips, showing it in the trace under the profile's rule id, against what the
 * strict relay does in the same situation.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { MsrpRequest } from '../../src/wire/frame.js';
import type { RelayProfileName } from '../../src/protocol/relay-profile.js';
import { AG_CLIENT, addHost, build, chain, headerOf, isRequest, isResponse, oneRelay, relay, sent, type Built } from './helpers.js';
import { ScriptedPeer, type Script } from './peers.js';

const chunksGet = (code: number | null): Script => (r) => (r.method === 'REPORT' ? null : r.body === null ? 200 : code);
const raw = (lines: string[]) => new Uint8Array(Buffer.from(lines.concat('').join('\r\n')));
const forge = (token: string, id: string): string => token.replace(/\/[^/;]+;tcp$/, `/${id};tcp`);
const rules = (t: Built, node?: string) => t.trace.filter((r) => node === undefined || r.node === node).map((r) => r.rule);
const statusesTo = (t: Built, node: string, tid: string) => sent(t, node, isResponse()).filter((x) => x.frame.transactionId === tid).map((x) => (x.frame.kind === 'response' ? x.frame.statusCode : 0));

function rawSend(tid: string, to: string[], from: string, opts: { fr?: string; body?: string; method?: string } = {}): Uint8Array {
  const body = opts.body ?? 'hello';
  const lines = [`MSRP ${tid} ${opts.method ?? 'SEND'}`, `To-Path: ${to.join(' ')}`, `From-Path: ${from}`, `Message-ID: ${tid}m`, `Byte-Range: 1-${body.length}/${body.length}`];
  if (opts.fr) lines.push(`Failure-Report: ${opts.fr}`);
  lines.push('Content-Type: text/plain', '', body, `-------${tid}$`);
  return raw(lines);
}

// -------------------------------------------------------------------------------------------------

describe('kamailio', () => {
  const K = { relay: { profile: 'kamailio' as RelayProfileName } };

  it('kamailio:keep-tid — a forwarded SEND and AUTH keep their transaction id (strict: a new one per hop, A-06)', () => {
    const r = oneRelay(chunksGet(200), K);
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'hi' }));
    r.t.world.run(3 * SECOND);
    const fwd = r.t.of('relay.forward', 'relay-a');
    expect(fwd.length).toBe(2); // binding SEND and the message
    for (const f of fwd) {
      expect(f.outTransactionId).toBe(f.inTransactionId);
      expect(f.rule).toBe('kamailio:keep-tid');
    }
    const t = chain(2, 0, K);
    t.world.start();
    t.world.run(2 * SECOND);
    const authFwd = t.of('relay.forward', 'a1').filter((f) => f.method === 'AUTH');
    expect(authFwd.length).toBe(2);
    for (const f of authFwd) expect([f.outTransactionId, f.rule]).toEqual([f.inTransactionId, 'kamailio:keep-tid']);
  });

  it('kamailio:200-for-no and 200-for-partial — every SEND gets 200 (strict: none, A-03, A-11)', () => {
    for (const fr of ['no', 'partial'] as const) {
      const r = oneRelay(chunksGet(200), K);
      r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x', failureReport: fr }));
      r.t.world.run(3 * SECOND);
      const respond = r.t.of('relay.respond', 'relay-a').filter((x) => x.rule === `kamailio:200-for-${fr}`);
      expect(respond).toHaveLength(1);
      expect(respond[0]).toMatchObject({ status: 200, method: 'SEND' });
    }
  });

  it('kamailio:drop-send-responses — a 415 from the next hop is dropped, no REPORT (strict: REPORT 415, R-22)', () => {
    const r = oneRelay(chunksGet(415), K);
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x' }));
    r.t.world.run(40 * SECOND);
    expect(r.t.of('relay.response-dropped', 'relay-a').map((x) => [x.status, x.rule])).toContainEqual([415, 'kamailio:drop-send-responses']);
    expect(sent(r.t, 'relay-a', isRequest('REPORT'))).toHaveLength(0);
  });

  it('kamailio:never-reports — no 408 timer, and nothing when the next hop goes away (strict: R-21, A-02)', () => {
    const r = oneRelay(chunksGet(null), K);
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x' }));
    // The relay's connection to bob is reset while bob has not answered.
    r.t.world.at(2 * SECOND, () => r.t.world.network.resetConnection(r.t.of('tcp.connect', 'relay-a')[0]!.conn as string));
    r.t.world.run(40 * SECOND);
    expect(r.t.of('relay.no-timer', 'relay-a').every((x) => x.rule === 'kamailio:never-reports')).toBe(true);
    expect(r.t.of('relay.no-timer', 'relay-a').length).toBeGreaterThan(0);
    expect(r.t.of('relay.timeout')).toHaveLength(0);
    expect(r.t.of('relay.report-suppressed', 'relay-a')[0]).toMatchObject({ rule: 'kamailio:never-reports', status: 408 });
    expect(sent(r.t, 'relay-a', isRequest('REPORT'))).toHaveLength(0);
  });

  it('kamailio:unknown-session-481-last-hop and no-lookup-before-last-hop (strict: 481 either way, R-14)', () => {
    // As Kamailio 5.6 does (test/differential): the first URI is looked up only at the last hop;
    // before that the SEND gets its 200 and goes on to the next URI, here this relay's own token.
    const r = oneRelay(chunksGet(200), K);
    r.t.world.at(SECOND, () => {
      const bad = forge(r.token, 'Unknown00000');
      r.t.world.raw('psa', rawSend('kls00001', [bad, r.bobUri], r.psaUri));
      r.t.world.raw('psa', rawSend('kls00002', [bad, r.token, r.bobUri], r.psaUri));
    });
    r.t.world.run(3 * SECOND);
    expect(statusesTo(r.t, 'relay-a', 'kls00001')).toEqual([481]);
    expect(r.t.of('relay.refuse', 'relay-a')[0]).toMatchObject({ rule: 'kamailio:unknown-session-481-last-hop' });
    expect(statusesTo(r.t, 'relay-a', 'kls00002')).toEqual([200]);
    expect(r.t.of('relay.unauthenticated', 'relay-a')[0]).toMatchObject({ rule: 'kamailio:no-lookup-before-last-hop', transactionId: 'kls00002' });
    expect(r.bob.requests.filter((q) => q.transactionId === 'kls00002')).toHaveLength(1);
  });

  it('kamailio:relay-unauthenticated — a SEND through a known token from any connection is relayed (strict: 481, R-12)', () => {
    for (const profile of ['kamailio', 'rfc4976'] as const) {
      const t = chain(1, 1, { relay: { profile } });
      addHost(t, 'mallory', 'mallory.example.org', [['a1', { latency: 10_000 }]]);
      const mallory = new ScriptedPeer(t.world, 'mallory', { host: 'mallory.example.org', port: 9000, script: () => null });
      t.world.start();
      t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
      t.world.at(SECOND, () => mallory.connect('relay1.a.example.com', 2855, true));
      t.world.at(2 * SECOND, () => {
        const A = t.of('relay.auth-ok', 'a1')[0]!.token as string;
        const B = t.of('relay.auth-ok', 'b1')[0]!.token as string;
        const pra = (t.of('session.answer', 'pra')[0]!.path as string[]).at(-1)!;
        mallory.write(rawSend('kun00001', [A, B, pra], 'msrp://mallory.example.org:9000/m;tcp', { body: 'forged' }));
      });
      t.world.run(4 * SECOND);
      const atPra = t.of('msrp.recv', 'pra').filter((x) => x.messageId === 'kun00001m');
      if (profile === 'kamailio') {
        // Not looked up at all before the last hop (Kamailio's nexthops > 1).
        expect(t.of('relay.unauthenticated', 'a1')[0]).toMatchObject({ rule: 'kamailio:no-lookup-before-last-hop' });
        expect(atPra).toHaveLength(1);
      } else {
        expect(t.of('relay.refuse', 'a1')[0]).toMatchObject({ rule: 'R-12' });
        expect(atPra).toHaveLength(0);
      }
    }
  });

  it('kamailio:unknown-method-501 — an unknown method is refused (strict: forwarded like REPORT, R-24)', () => {
    const r = oneRelay(chunksGet(200), K);
    r.t.world.at(SECOND, () => r.t.world.raw('psa', rawSend('kum00001', [r.token, r.bobUri], r.psaUri, { method: 'FROB' })));
    r.t.world.run(3 * SECOND);
    expect(statusesTo(r.t, 'relay-a', 'kum00001')).toEqual([501]);
    expect(r.t.of('relay.respond', 'relay-a').find((x) => x.transactionId === 'kum00001')!.rule).toBe('kamailio:unknown-method-501');
    expect(r.bob.requests.some((q) => q.method === 'FROB')).toBe(false);
  });

  it('kamailio:large-frame-501 and drop-connection-large-frame — 12 KB answered 501, 17 KB drops the connection', () => {
    const r = oneRelay(chunksGet(200), K);
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 12_000, chunkSize: 12_000 }));
    r.t.world.at(2 * SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 17_000, chunkSize: 17_000 }));
    r.t.world.run(5 * SECOND);
    const big = r.t.of('relay.respond', 'relay-a').filter((x) => x.rule === 'kamailio:large-frame-501');
    expect(big).toHaveLength(1);
    expect(big[0]).toMatchObject({ status: 501 });
    expect(r.bob.requests.filter((q) => (q.body?.length ?? 0) >= 12_000)).toHaveLength(0);
    expect(r.t.of('relay.drop-connection', 'relay-a')[0]).toMatchObject({ rule: 'kamailio:drop-connection-large-frame' });
    expect(r.t.of('endpoint.relay-lost', 'psa')).toHaveLength(1);
  });

  it('kamailio:malformed-423 — an AUTH with Expires gets 423 without Min-/Max-Expires; the client cannot recover (strict: R-05)', () => {
    const r = oneRelay(chunksGet(200), { ...K, psa: { authExpires: 600 } });
    r.t.world.run(3 * SECOND);
    const resp = sent(r.t, 'relay-a', isResponse(423))[0]!.frame;
    expect(headerOf(resp, 'Min-Expires')).toBeUndefined();
    expect(headerOf(resp, 'Max-Expires')).toBeUndefined();
    expect(r.t.of('relay.respond', 'relay-a').find((x) => x.status === 423)!.rule).toBe('kamailio:malformed-423');
    expect(r.t.of('auth.fail', 'psa')[0]).toMatchObject({ rule: 'R-05' });
  });

  it('kamailio:no-authentication-info — the 200 to AUTH has none; the client notes the R-06 violation', () => {
    const r = oneRelay(chunksGet(200), K);
    r.t.world.run(2 * SECOND);
    const ok = sent(r.t, 'relay-a', isResponse(200)).find((x) => x.frame.usePath !== undefined)!;
    expect(headerOf(ok.frame, 'Authentication-Info')).toBeUndefined();
    expect(r.t.of('relay.respond', 'relay-a').find((x) => x.method === 'AUTH' && x.status === 200)!.rule).toBe('kamailio:no-authentication-info');
    expect(r.t.of('endpoint.violation', 'psa')[0]).toMatchObject({ rule: 'R-06' });
  });
});

// -------------------------------------------------------------------------------------------------

describe('msrprelay', () => {
  // Its endpoints AUTH as AG Projects' client does (once per session, no digest uri): an msrprelay
  // relay never answers msrp-sim's default AUTH, and binds a session to the AUTH's From-Path.
  const M = { relay: { profile: 'msrprelay' as RelayProfileName }, credentials: AG_CLIENT };
  const clientFor = (profile: RelayProfileName) => (profile === 'msrprelay' ? { credentials: AG_CLIENT } : {});

  it('msrprelay:cut-through — the body goes on before the chunk has arrived, and other frames cut it with + (strict: store and forward, W-35 only above 2048)', () => {
    const t = chain(1, 1, M);
    t.world.network.setLink('psa', 'a1', { bandwidth: 1_000_000 });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 30_000, chunkStrategy: 'interruptible', successReport: 'yes' }));
    t.world.at(1.1 * SECOND, () => t.world.send('pra', { session: 's1', contentType: 'text/plain', body: 'meanwhile' }));
    t.world.run(10 * SECOND);
    const message = t.of('endpoint.message', 'psa')[0]!;
    // b1 starts forwarding before a1 has even received the end of psa's chunk.
    const a1Got = t.of('msrp.recv', 'a1').find((x) => x.method === 'SEND' && x.messageId === message.messageId)!;
    const b1Head = t.of('relay.cut-through', 'b1')[0]!;
    expect(b1Head.rule).toBe('msrprelay:cut-through');
    expect(b1Head.t).toBeLessThan(a1Got.t);
    // A forwarded chunk was cut short with '+' so that other frames could pass, under the profile's rule.
    const cut = t.of('msrp.send', 'b1').filter((x) => x.method === 'SEND' && x.rule === 'msrprelay:cut-through');
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((x) => x.continuation === '+' && (x.byteRange as { end: number | null }).end === null)).toBe(true);
    // And the message still arrives intact, as does the one that overtook it.
    expect(t.of('endpoint.deliver', 'pra')[0]).toMatchObject({ digest: message.digest });
    expect(t.of('endpoint.deliver', 'psa')).toHaveLength(1);
  });

  it('msrprelay:connection-per-session — a new connection to the next relay for each session (strict: reuse, R-25)', () => {
    for (const [profile, expected] of [['msrprelay', 2], ['rfc4976', 1]] as const) {
      const t = chain(1, 1, { relay: { profile }, ...clientFor(profile) });
      t.world.start();
      t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
      t.world.at(0, () => t.world.openSession('s2', 'psa', 'pra'));
      t.world.run(3 * SECOND);
      const connects = t.of('relay.connect', 'a1');
      expect(connects).toHaveLength(expected);
      if (profile === 'msrprelay') expect(connects.every((c) => c.rule === 'msrprelay:connection-per-session')).toBe(true);
    }
  });

  it('msrprelay:report-received-range — the failure REPORT names the chunk received, not the piece sent (strict: W-27)', () => {
    // The relay re-chunks into 2000-byte pieces; the next hop refuses the second one.
    let seen = 0;
    const script: Script = (q) => (q.method === 'REPORT' ? null : q.body === null ? 200 : ++seen === 2 ? 415 : 200);
    const ranges: Record<string, unknown> = {};
    for (const profile of ['msrprelay', 'rfc4976'] as const) {
      seen = 0;
      const r = oneRelay(script, { relay: { profile, maxChunk: 2000 }, ...clientFor(profile) });
      r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 5000, chunkSize: 5000, chunkStrategy: 'fixed' }));
      r.t.world.run(5 * SECOND);
      const rep = sent(r.t, 'relay-a', isRequest('REPORT'))[0]!.frame as MsrpRequest;
      ranges[profile] = rep.byteRange;
      if (profile === 'msrprelay') expect(r.t.of('relay.report-range', 'relay-a')[0]).toMatchObject({ rule: 'msrprelay:report-received-range', instead: { start: 2001, end: 4000, total: 5000 } });
    }
    expect(ranges).toEqual({ msrprelay: { start: 1, end: 5000, total: 5000 }, rfc4976: { start: 2001, end: 4000, total: 5000 } });
  });

  it('msrprelay:session-ends-with-leg — the next hop goes away: 408 REPORTs "Session got disconnected" for what it had not answered, then psa\'s leg is closed (strict: 408 REPORTs, the connection stays, A-02)', () => {
    for (const profile of ['msrprelay', 'rfc4976'] as const) {
      const r = oneRelay(chunksGet(null), { relay: { profile }, ...clientFor(profile) });
      r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x' }));
      r.t.world.at(2 * SECOND, () => r.t.world.network.crash('bob'));
      // Written to a crashed host, it draws a reset: the relay loses its connection to bob.
      r.t.world.at(3 * SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'y' }));
      r.t.world.run(30 * SECOND);
      const reports = sent(r.t, 'relay-a', isRequest('REPORT')).map((x) => x.frame as MsrpRequest);
      expect(reports.length).toBeGreaterThan(0);
      expect(reports.every((x) => x.status?.code === 408)).toBe(true);
      if (profile === 'msrprelay') {
        expect(r.t.of('relay.report', 'relay-a').every((x) => x.rule === 'msrprelay:session-ends-with-leg')).toBe(true);
        expect(reports.every((x) => x.status?.comment === 'Session got disconnected')).toBe(true);
        expect(r.t.of('relay.drop-connection', 'relay-a')[0]).toMatchObject({ rule: 'msrprelay:session-ends-with-leg' });
      } else {
        expect(r.t.of('relay.report', 'relay-a').every((x) => x.rule === 'A-02')).toBe(true);
        expect(r.t.of('relay.drop-connection', 'relay-a')).toHaveLength(0);
      }
    }
  });

  it('msrprelay:failed-auth-403 — wrong credentials get 403, the third failure only a disconnect (strict: 401, R-04, R-15)', () => {
    const t = build([{ id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }, { profile: 'msrprelay' }) }], []);
    addHost(t, 'mallory', 'mallory.example.org', [['relay-a', { latency: 10_000 }]]);
    const mallory = new ScriptedPeer(t.world, 'mallory', { host: 'mallory.example.org', port: 9000, script: () => null });
    t.world.start();
    t.world.at(SECOND, () => mallory.connect('relay.a.example.com', 2855, true));
    t.world.at(1.2 * SECOND, () => mallory.write(raw(['MSRP mal00001 AUTH', 'To-Path: msrps://relay.a.example.com:2855;tcp', 'From-Path: msrp://mallory.example.org:9000/x1;tcp', '-------mal00001$'])));
    t.world.at(1.5 * SECOND, () => {
      const www = headerOf(mallory.received[0]!.frame, 'WWW-Authenticate')!;
      const nonce = /nonce="([^"]+)"/.exec(www)![1];
      const opaque = /opaque="([^"]+)"/.exec(www)![1];
      // As AG Projects' client writes them (no uri, the opaque echoed): anything else is never answered.
      for (let i = 1; i <= 3; i++) {
        const authz = `Digest username="psa", realm="relay.a.example.com", nonce="${nonce}", qop=auth, nc=0000000${i}, cnonce="c${i}", response="${'0'.repeat(32)}", opaque="${opaque}"`;
        mallory.write(raw([`MSRP mal1000${i} AUTH`, 'To-Path: msrps://relay.a.example.com:2855;tcp', 'From-Path: msrp://mallory.example.org:9000/x1;tcp', `Authorization: ${authz}`, `-------mal1000${i}$`]));
      }
    });
    t.world.run(5 * SECOND);
    expect(mallory.received.map((x) => (x.frame.kind === 'response' ? x.frame.statusCode : 0))).toEqual([401, 403, 403]);
    expect(t.of('relay.respond', 'relay-a').filter((x) => x.status === 403).every((x) => x.rule === 'msrprelay:failed-auth-403')).toBe(true);
    expect(t.of('relay.auth-disconnect', 'relay-a')[0]).toMatchObject({ failures: 3 });
  });

  it('msrprelay:no-stale-nonce — a nonce past its lifetime is a failed login, 403 (strict: 401 stale=true, R-16h)', () => {
    // 1 s each way and a 1 s nonce lifetime: the credentials come 2 s after the challenge.
    const r = oneRelay(chunksGet(200), { relay: { profile: 'msrprelay', nonceLifetime: SECOND }, credentials: AG_CLIENT });
    r.t.world.network.setLink('psa', 'relay-a', { latency: SECOND });
    r.t.world.run(20 * SECOND);
    expect(r.t.of('relay.auth-fail', 'relay-a')[0]).toMatchObject({ rule: 'msrprelay:no-stale-nonce', reason: 'nonce expired' });
    expect(r.t.of('auth.challenge', 'relay-a').filter((x) => x.stale)).toHaveLength(0);
    expect(r.t.of('auth.fail', 'psa')[0]).toMatchObject({ rule: 'R-11' });
  });

  it('its defaults: Expires 60/600/3600, nonce 15 s, probation 30 s, 3 failed AUTHs — unless the scenario sets them', () => {
    const t = build(
      [
        { id: 'm', role: 'relay', relay: relay('m.example.com', {}, { profile: 'msrprelay' }) },
        { id: 'n', role: 'relay', relay: relay('n.example.com', {}, { profile: 'msrprelay', nonceLifetime: 100 * SECOND, expiresDefault: 900 }) },
        { id: 'o', role: 'relay', relay: relay('o.example.com', {}, { profile: 'opensips' }) },
      ],
      [],
    );
    const pick = (id: string) => {
      const o = t.world.relays.get(id)!.options;
      return [o.expiresMin, o.expiresDefault, o.expiresMax, o.nonceLifetime, o.probation, o.maxFailedAuths];
    };
    expect(pick('m')).toEqual([60, 600, 3600, 15 * SECOND, 30 * SECOND, 3]);
    expect(pick('n')).toEqual([60, 900, 3600, 100 * SECOND, 30 * SECOND, 3]);
    // OpenSIPS: no Expires bounds unless configured, a nonce lives 30 s, no probation, no limit of failed AUTHs.
    expect(pick('o')).toEqual([0, 1800, Number.MAX_SAFE_INTEGER, 30 * SECOND, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });

  it('msrprelay:expires-not-enforced — bounds checked at AUTH, but the token outlives its Expires (strict: 481 after Expires, R-13)', () => {
    const r = oneRelay(chunksGet(200), { ...M, psa: { authExpires: 60 } });
    // The session keeps the first token past its Expires: no re-INVITE with the new one.
    r.t.world.signalling.reoffer = () => false;
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'early' }));
    r.t.world.at(100 * SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'late' }));
    r.t.world.run(110 * SECOND);
    expect(r.t.of('relay.auth-ok', 'relay-a')[0]).toMatchObject({ expires: 60 });
    expect(r.t.of('relay.token-past-expiry', 'relay-a').length).toBeGreaterThan(0);
    expect(r.t.of('relay.token-past-expiry', 'relay-a')[0]!.rule).toBe('msrprelay:expires-not-enforced');
    expect(r.bob.requests.filter((q) => q.body !== null).map((q) => Buffer.from(q.body!).toString())).toEqual(['early', 'late']);
    // Out of bounds is still refused with 423 and the bound.
    const low = oneRelay(chunksGet(200), { ...M, psa: { authExpires: 10 } });
    low.t.world.run(3 * SECOND);
    expect(headerOf(sent(low.t, 'relay-a', isResponse(423))[0]!.frame, 'Min-Expires')).toBe('60');
  });

  it('msrprelay:realm-from-to-path — the realm is the host the AUTH was sent to (strict: the configured realm, R-04)', () => {
    const r = oneRelay(chunksGet(200), { relay: { profile: 'msrprelay', realm: 'example' }, credentials: AG_CLIENT });
    r.t.world.run(2 * SECOND);
    expect(r.t.of('auth.challenge', 'relay-a')[0]).toMatchObject({ realm: 'relay.a.example.com' });
    expect(r.t.of('relay.realm', 'relay-a')[0]).toMatchObject({ rule: 'msrprelay:realm-from-to-path', configured: 'example' });
    expect(r.t.of('auth.ok', 'psa')).toHaveLength(1);
  });
});

// -------------------------------------------------------------------------------------------------

describe('opensips', () => {
  // OpenSIPS serves msrp:// only (opensips:scheme-not-served): its relays here use that scheme.
  const O = { relay: { profile: 'opensips' as RelayProfileName, scheme: 'msrp' as const } };

  it('opensips:200-for-partial — Failure-Report partial gets 200 (strict: never, A-03)', () => {
    const r = oneRelay(chunksGet(200), O);
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x', failureReport: 'partial' }));
    r.t.world.run(3 * SECOND);
    expect(r.t.of('relay.respond', 'relay-a').filter((x) => x.rule === 'opensips:200-for-partial')).toHaveLength(1);
  });

  it('opensips:report-not-response — an unknown session gets 200 and a REPORT 481 (strict: a 481 response, R-14)', () => {
    const r = oneRelay(chunksGet(200), O);
    r.t.world.at(SECOND, () => r.t.world.raw('psa', rawSend('osr00001', [forge(r.token, 'Unknown00000'), r.bobUri], r.psaUri)));
    r.t.world.run(3 * SECOND);
    expect(statusesTo(r.t, 'relay-a', 'osr00001')).toEqual([200]);
    const report = sent(r.t, 'relay-a', isRequest('REPORT'))[0]!.frame as MsrpRequest;
    expect(report.status!.code).toBe(481);
    expect(report.toPath).toEqual([r.psaUri]);
    expect(report.byteRange).toEqual({ start: 1, end: 5, total: 5 });
    expect(r.t.of('relay.report', 'relay-a')[0]).toMatchObject({ rule: 'opensips:report-not-response' });
  });

  it('opensips:408-only-for-explicit-yes — no timer when Failure-Report is absent (strict: absent means yes, W-29)', () => {
    for (const [fr, expected] of [[undefined, 0], ['yes', 1]] as const) {
      const r = oneRelay(chunksGet(null), O);
      r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x', failureReport: fr }));
      r.t.world.run(40 * SECOND);
      expect(r.t.of('relay.report', 'relay-a').filter((x) => x.status === 408)).toHaveLength(expected);
      if (fr === undefined) expect(r.t.of('relay.no-timer', 'relay-a').some((x) => x.rule === 'opensips:408-only-for-explicit-yes')).toBe(true);
    }
  });

  it('opensips:reads-limit — a frame that arrives in more than 4 reads closes the connection (strict: any size, W-33)', () => {
    const r = oneRelay(chunksGet(200), O);
    // A 20 KB interruptible chunk: about 14 segments, each a read.
    r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 20_000, chunkStrategy: 'interruptible' }));
    r.t.world.run(5 * SECOND);
    const limit = r.t.of('msrp.limit', 'relay-a');
    expect(limit).toHaveLength(1);
    expect(limit[0]!.rule).toBe('opensips:reads-limit');
    expect(limit[0]!.reads as number).toBeGreaterThan(4);
    expect(r.t.of('endpoint.relay-lost', 'psa')).toHaveLength(1);
    // 2048-byte chunks fit in a few reads each and go through.
    const ok = oneRelay(chunksGet(200), O);
    ok.t.world.at(SECOND, () => ok.t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 20_000, chunkSize: 2048 }));
    ok.t.world.run(5 * SECOND);
    expect(ok.t.of('msrp.limit')).toHaveLength(0);
    expect(ok.bob.requests.filter((q) => q.body !== null).reduce((n, q) => n + q.body!.length, 0)).toBe(20_000);
  });

  it('its default Expires is 1800', () => {
    const r = oneRelay(chunksGet(200), O);
    r.t.world.run(2 * SECOND);
    expect(r.t.of('relay.auth-ok', 'relay-a')[0]).toMatchObject({ expires: 1800 });
  });
});

// Every rule a profile traced is one of the documented deviation ids (docs/relay-profiles.md).
describe('deviation ids', () => {
  it('are the ones docs/relay-profiles.md lists', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/relay-profiles.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/`((?:kamailio|msrprelay|opensips):[a-z0-9-]+)`/g)].map((m) => m[1]));
    const seen = new Set<string>();
    for (const profile of ['kamailio', 'msrprelay', 'opensips'] as const) {
      const r = oneRelay(chunksGet(415), { relay: { profile } });
      r.t.world.at(SECOND, () => r.t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 3000, failureReport: 'partial' }));
      r.t.world.run(40 * SECOND);
      for (const rule of rules(r.t)) if (rule && /^(kamailio|msrprelay|opensips):/.test(rule)) seen.add(rule);
    }
    expect(seen.size).toBeGreaterThan(0);
    for (const rule of seen) expect(documented.has(rule), rule).toBe(true);
    expect(documented.size).toBeGreaterThanOrEqual(25);
  });
});
