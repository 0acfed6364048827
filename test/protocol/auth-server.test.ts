/**
 * The relay's AUTH server machine without a World (CHECKLIST d.2, d.3; c.2 for the client side it
 * answers): each row feeds AUTH requests, connection events and clock moves into the machine and
 * checks what it wrote and traced.
 */
import { describe, expect, it } from 'vitest';
import { AuthServer, type AuthPeer, type AuthSettings } from '../../src/protocol/auth-server.js';
import { RELAY_PROFILES, type RelayProfile, type RelayProfileName } from '../../src/protocol/relay-profile.js';
import { buildRequest } from '../../src/wire/builder.js';
import { computeDigestResponse, formatAuthorization, parseWwwAuthenticate } from '../../src/wire/digest.js';
import type { MsrpRequest, MsrpResponse } from '../../src/wire/frame.js';
import { parseUri } from '../../src/wire/uri.js';
import { FakeRelayHost } from './fake-relay-host.js';

const S = 1_000_000;
const RELAY = 'msrps://relay.example.com:2855;tcp';
const CLIENT = 'msrps://alice.invalid:2855/c1;tcp';

const SETTINGS: AuthSettings = {
  scheme: 'msrps',
  host: 'relay.example.com',
  port: 2855,
  realm: 'relay.example.com',
  expiresMin: 60,
  expiresDefault: 900,
  expiresMax: 3600,
  probation: 30 * S,
  maxFailedAuths: 3,
  nonceLifetime: 300 * S,
};

interface Rig {
  h: FakeRelayHost;
  auth: AuthServer<string, number>;
  peer: AuthPeer<string, number>;
  /** An AUTH on the client connection: no credentials, or credentials for the last nonce the relay gave. */
  send(creds?: { user?: string; password?: string; nonce?: string; expires?: number }): MsrpResponse;
}

function rig(profile: RelayProfileName | RelayProfile = 'rfc4976', settings: Partial<AuthSettings> = {}, uri?: boolean): Rig {
  // An msrprelay relay answers no Authorization with `uri`: its rows send credentials as AG Projects' client does.
  const sendUri = uri ?? !(typeof profile === 'object' ? profile : RELAY_PROFILES[profile]).authUriUnanswered;
  const h = new FakeRelayHost('c1');
  const auth = new AuthServer(h, { ...SETTINGS, ...settings }, { alice: 'secret' }, typeof profile === 'object' ? profile : RELAY_PROFILES[profile]);
  const peer = auth.open('c1', true);
  let nonce = '';
  let opaque: string | undefined;
  let n = 0;
  const send = (creds?: { user?: string; password?: string; nonce?: string; expires?: number }): MsrpResponse => {
    let authorization: string | undefined;
    if (creds) {
      const username = creds.user ?? 'alice';
      const c = { username, realm: SETTINGS.realm, password: creds.password ?? 'secret', method: 'AUTH', uri: RELAY, nonce: creds.nonce ?? nonce, nc: 1, cnonce: 'cn', qop: 'auth' as const };
      authorization = formatAuthorization({ username, realm: c.realm, nonce: c.nonce, uri: sendUri ? RELAY : undefined, response: computeDigestResponse(c), cnonce: 'cn', nc: '00000001', qop: 'auth', opaque });
    }
    const frame: MsrpRequest = buildRequest({ transactionId: `a${++n}`, method: 'AUTH', toPath: [RELAY], fromPath: [CLIENT], authorization, expires: creds?.expires });
    const before = h.sent().length;
    auth.auth(peer, frame);
    const written = h.sent().slice(before);
    expect(written).toHaveLength(1);
    const response = written[0]!.frame as MsrpResponse;
    const www = response.headers.find(([k]) => k === 'WWW-Authenticate');
    if (www) {
      const parsed = parseWwwAuthenticate(www[1]);
      if (parsed.ok) {
        nonce = parsed.value.nonce;
        opaque = parsed.value.opaque;
      }
    }
    return response;
  };
  return { h, auth, peer, send };
}

const header = (f: MsrpResponse, name: string) => f.headers.find(([k]) => k.toLowerCase() === name)?.[1];
const rules = (h: FakeRelayHost) => h.events().map((e) => `${e.type} ${e.rule ?? ''}`.trim());

describe('AUTH server: challenge, credentials, Expires (d.2, d.3)', () => {
  const rows: { id: string; profile?: RelayProfileName; run: (r: Rig) => MsrpResponse; status: number; headers?: Record<string, RegExp>; events: string[] }[] = [
    {
      id: 'R-04: an AUTH without Authorization gets 401 with WWW-Authenticate (R-16c, R-16e: qop="auth", MD5)',
      run: (r) => r.send(),
      status: 401,
      headers: { 'www-authenticate': /^Digest realm="relay\.example\.com", qop="auth", nonce="nonce1", algorithm=MD5$/ },
      events: ['auth.challenge R-04', 'relay.respond R-04'],
    },
    {
      id: 'R-06: good credentials get 200, Use-Path with a new token, Expires (the default), Authentication-Info',
      run: (r) => (r.send(), r.send({})),
      status: 200,
      headers: { 'use-path': /^msrps:\/\/relay\.example\.com:2855\/tok2;tcp$/, expires: /^900$/, 'authentication-info': /rspauth="[0-9a-f]{32}".*nc=00000001.*qop=auth/ },
      events: ['auth.challenge R-04', 'relay.respond R-04', 'relay.auth-ok R-06', 'relay.respond R-06'],
    },
    {
      id: 'R-05: Expires below the minimum gets 423 with Min-Expires',
      run: (r) => (r.send(), r.send({ expires: 10 })),
      status: 423,
      headers: { 'min-expires': /^60$/ },
      events: ['auth.challenge R-04', 'relay.respond R-04', 'relay.respond R-05'],
    },
    {
      id: 'R-05: Expires above the maximum gets 423 with Max-Expires',
      run: (r) => (r.send(), r.send({ expires: 7200 })),
      status: 423,
      headers: { 'max-expires': /^3600$/ },
      events: ['auth.challenge R-04', 'relay.respond R-04', 'relay.respond R-05'],
    },
    {
      id: 'R-05: an Expires within the bounds is granted as asked',
      run: (r) => (r.send(), r.send({ expires: 120 })),
      status: 200,
      headers: { expires: /^120$/ },
      events: ['auth.challenge R-04', 'relay.respond R-04', 'relay.auth-ok R-06', 'relay.respond R-06'],
    },
    {
      id: 'R-04: a nonce the relay never issued is a failed AUTH, challenged again',
      run: (r) => r.send({ nonce: 'forged' }),
      status: 401,
      events: ['relay.auth-fail R-04', 'auth.challenge R-04', 'relay.respond R-04'],
    },
    {
      id: 'R-11: an unknown user is a failed AUTH',
      run: (r) => (r.send(), r.send({ user: 'mallory' })),
      status: 401,
      events: ['auth.challenge R-04', 'relay.respond R-04', 'relay.auth-fail R-11', 'auth.challenge R-04', 'relay.respond R-04'],
    },
    {
      id: 'R-16h: a nonce past its lifetime gets a new challenge with stale=true',
      run: (r) => (r.send(), r.h.advance(301 * S), r.send({})),
      status: 401,
      headers: { 'www-authenticate': /stale=true/ },
      events: ['auth.challenge R-16h', 'relay.respond R-16h'],
    },
    {
      id: 'msrprelay:no-stale-nonce: a nonce past its lifetime is a failed login, 403',
      profile: 'msrprelay',
      run: (r) => (r.send(), r.h.advance(16 * S), r.send({})),
      status: 403,
      events: ['relay.auth-fail msrprelay:no-stale-nonce', 'relay.respond msrprelay:failed-auth-403'],
    },
    {
      id: 'kamailio:malformed-423: an AUTH with Expires gets a 423 without Min- or Max-Expires',
      profile: 'kamailio',
      run: (r) => (r.send(), r.send({ expires: 120 })),
      status: 423,
      headers: { 'min-expires': /^$/, 'max-expires': /^$/ },
      events: ['auth.challenge R-04', 'relay.respond R-04', 'relay.respond kamailio:malformed-423'],
    },
    {
      id: 'kamailio:no-authentication-info: the 200 carries no Authentication-Info',
      profile: 'kamailio',
      run: (r) => (r.send(), r.send({})),
      status: 200,
      headers: { 'authentication-info': /^$/ },
      events: ['auth.challenge R-04', 'relay.respond R-04', 'relay.auth-ok R-06', 'relay.respond kamailio:no-authentication-info'],
    },
  ];
  it.each(rows)('$id', ({ profile, run, status, headers, events }) => {
    const r = rig(profile, profile === 'msrprelay' ? { nonceLifetime: 15 * S } : {});
    const response = run(r);
    expect(response.statusCode).toBe(status);
    for (const [name, pattern] of Object.entries(headers ?? {})) expect(header(response, name) ?? '').toMatch(pattern);
    // Only what the last AUTH caused, unless the row shows the whole exchange.
    const all = rules(r.h);
    expect(all.slice(all.length - events.length)).toEqual(events);
  });
});

describe('AUTH server: tokens, connections, probation (d.2, d.6)', () => {
  it('R-15: the third failed AUTH on a client connection closes it', () => {
    const r = rig();
    for (let i = 0; i < 3; i++) r.send({ nonce: 'forged' });
    expect(rules(r.h).filter((x) => x.startsWith('relay.auth-'))).toEqual(['relay.auth-fail R-04', 'relay.auth-fail R-04', 'relay.auth-fail R-04', 'relay.auth-disconnect R-15']);
    expect(r.h.out.at(-1)).toEqual({ kind: 'close', conn: 'c1' });
  });

  it('R-15: failed AUTHs from another relay (mutual TLS) never close the connection', () => {
    const r = rig();
    r.h.relays.set('c1', []);
    for (let i = 0; i < 5; i++) r.send({ nonce: 'forged' });
    expect(r.h.out.some((o) => o.kind === 'close')).toBe(false);
  });

  it.each([
    ['R-09: a client connection with no successful request within the probation is closed', false, ['relay.probation-close R-09']],
    ['R-09: a successful AUTH ends the probation', true, ['relay.auth-ok R-06']],
  ] as const)('%s', (_name, authenticate, expected) => {
    const r = rig();
    if (authenticate) {
      r.send();
      r.send({});
    }
    r.h.advance(31 * S);
    expect(rules(r.h).filter((x) => x.startsWith('relay.probation') || x.startsWith('relay.auth-ok'))).toEqual(expected);
    expect(r.h.isOpen('c1')).toBe(authenticate);
    expect(r.peer.state).toBe(authenticate ? 'trusted' : 'probation');
  });

  it('R-09: a connection the relay opened to a next hop has no probation', () => {
    const h = new FakeRelayHost('out');
    new AuthServer(h, SETTINGS, {}, RELAY_PROFILES.rfc4976).open('out', false);
    expect(h.pending).toEqual([]);
  });

  it('R-12: a token is valid for the connection it was granted on, and invalidated when it closes', () => {
    const r = rig();
    r.send();
    const ok = r.send({});
    const uri = parseUri(header(ok, 'use-path')!);
    if (!uri.ok) throw new Error('bad Use-Path');
    expect(r.auth.token(uri.uri)).toMatchObject({ conn: 'c1', viaRelay: null, user: 'alice' });
    r.auth.closed(r.peer);
    expect(r.auth.token(uri.uri)).toBeUndefined();
    expect(rules(r.h).at(-1)).toBe('relay.token-invalidated R-12');
    expect(r.peer.state).toBe('closed');
  });

  it('R-13, R-28: a token expires after its Expires, and is forgotten one Expires later', () => {
    const r = rig();
    r.send();
    const ok = r.send({ expires: 100 });
    const uri = parseUri(header(ok, 'use-path')!);
    if (!uri.ok) throw new Error('bad Use-Path');
    const token = r.auth.token(uri.uri)!;
    r.h.advance(99 * S);
    expect(r.auth.expired(token)).toBe(false);
    r.h.advance(100 * S);
    expect(r.auth.expired(token)).toBe(true);
    r.h.advance(200 * S);
    expect(r.auth.token(uri.uri)).toBeUndefined();
    expect(r.h.events().at(-1)).toMatchObject({ type: 'relay.token-forgotten', rule: 'R-28', fields: { user: 'alice', expiredAt: 100 * S } });
  });

  it('msrprelay:expires-not-enforced: the token outlives its Expires', () => {
    const r = rig('msrprelay');
    r.send();
    const ok = r.send({ expires: 100 });
    const uri = parseUri(header(ok, 'use-path')!);
    if (!uri.ok) throw new Error('bad Use-Path');
    r.h.advance(500 * S);
    expect(r.auth.expired(r.auth.token(uri.uri)!)).toBe(false);
  });

  it('R-13: fault expireTokens expires every token now, whatever the profile', () => {
    const r = rig('msrprelay');
    r.send();
    const uri = parseUri(header(r.send({}), 'use-path')!);
    if (!uri.ok) throw new Error('bad Use-Path');
    r.auth.expireAll();
    expect(r.auth.expired(r.auth.token(uri.uri)!)).toBe(true);
    expect(rules(r.h).at(-1)).toBe('relay.tokens-expired R-13');
  });

  it('R-11: an AUTH through another relay is refused 403 unless the connection leads to the relay named first in From-Path', () => {
    const h = new FakeRelayHost('r1');
    h.relays.set('r1', ['msrps://other.example.com:2855']);
    const auth = new AuthServer(h, SETTINGS, { alice: 'secret' }, RELAY_PROFILES.rfc4976);
    const peer = auth.open('r1', true);
    auth.auth(peer, buildRequest({ transactionId: 'x', method: 'AUTH', toPath: [RELAY], fromPath: ['msrps://evil.example.com:2855/t;tcp', CLIENT] }));
    auth.auth(peer, buildRequest({ transactionId: 'y', method: 'AUTH', toPath: [RELAY], fromPath: ['msrps://other.example.com:2855/t;tcp', CLIENT] }));
    expect(h.sent().map((s) => (s.frame as MsrpResponse).statusCode)).toEqual([403, 401]);
  });

  it('the connection record moves only forward: a closed connection cannot become trusted', () => {
    const r = rig();
    r.auth.closed(r.peer);
    expect(() => r.peer.transition('trusted')).toThrow(/illegal move closed -> trusted/);
  });
});

/** The msrprelay profile with what is read but not switched on yet (its sessions, the `uri` bug). */
const MSRPRELAY: RelayProfile = { ...RELAY_PROFILES.msrprelay, authUriUnanswered: true, sessionPerAuth: true };

describe('AUTH server: the msrprelay and opensips readings', () => {
  it('msrprelay: the challenge carries opaque and no algorithm, its phrase "Unauthenticated"', () => {
    const r = rig('msrprelay', { nonceLifetime: 15 * S });
    const c = r.send();
    expect(c.comment).toBe('Unauthenticated');
    expect(header(c, 'www-authenticate')).toMatch(/opaque="[^"]+"/);
    expect(header(c, 'www-authenticate')).not.toMatch(/algorithm/);
  });

  it('msrprelay:auth-uri-unanswered: credentials with a uri parameter get no answer at all, and are not counted', () => {
    const r = rig(MSRPRELAY, { nonceLifetime: 15 * S });
    r.send();
    const before = r.h.sent().length;
    const frame = buildRequest({ transactionId: 'u1', method: 'AUTH', toPath: [RELAY], fromPath: [CLIENT], authorization: formatAuthorization({ username: 'alice', realm: SETTINGS.realm, nonce: 'n', uri: RELAY, response: '0'.repeat(32), cnonce: 'cn', nc: '00000001', qop: 'auth', opaque: 'o' }) });
    r.auth.auth(r.peer, frame);
    expect(r.h.sent().length).toBe(before);
    expect(rules(r.h).at(-1)).toBe('relay.discard msrprelay:auth-uri-unanswered');
    expect(r.peer.failedAuths).toBe(0);
    // Without uri (as AG Projects' own client sends them) the same credentials are checked.
    const ok = rig(MSRPRELAY, { nonceLifetime: 15 * S }, false);
    ok.send();
    const granted = ok.send({});
    expect(granted.statusCode).toBe(200);
    // msrprelay names the session by the AUTH's nonce.
    expect(granted.usePath![0]).toMatch(/\/nonce\d+;tcp$/);
  });

  it('msrprelay:auth-refused-uncounted: a realm that does not match gets 403 "Unauthorized: realm does not match", not counted', () => {
    const r = rig(MSRPRELAY, { nonceLifetime: 15 * S }, false);
    for (let i = 0; i < 4; i++) {
      const frame = buildRequest({ transactionId: `x${i}`, method: 'AUTH', toPath: [RELAY], fromPath: [CLIENT], authorization: 'Digest username="alice", realm="elsewhere", nonce="n", qop=auth, response="r"' });
      r.auth.auth(r.peer, frame);
      expect((r.h.sent().at(-1)!.frame as MsrpResponse).comment).toBe('Unauthorized: realm does not match');
    }
    expect(r.h.out.some((o) => o.kind === 'close')).toBe(false);
  });

  it('msrprelay:failed-auth-403: a wrong password gets "Unauthorized: Login failed: Incorrect password"', () => {
    const r = rig(MSRPRELAY, { nonceLifetime: 15 * S }, false);
    r.send();
    expect(r.send({ password: 'wrong' }).comment).toBe('Unauthorized: Login failed: Incorrect password');
  });

  it('opensips:failed-auth-codes: 403 "Unauthorized" for a wrong password, 400 "Bad nonce" for an unknown one; nobody is disconnected', () => {
    const r = rig(RELAY_PROFILES.opensips, { maxFailedAuths: Number.POSITIVE_INFINITY, probation: Number.POSITIVE_INFINITY, nonceLifetime: 30 * S });
    expect(r.h.pending).toEqual([]); // no probation timer
    r.send();
    for (let i = 0; i < 5; i++) expect([r.send({ password: 'wrong' })].map((x) => `${x.statusCode} ${x.comment}`)).toEqual(['403 Unauthorized']);
    expect(`${r.send({ nonce: 'ffff' }).statusCode}`).toBe('400');
    expect((r.h.sent().at(-1)!.frame as MsrpResponse).comment).toBe('Bad nonce');
    expect(r.h.out.some((o) => o.kind === 'close')).toBe(false);
  });

  it('opensips: a nonce lives 30 s (then 401 stale=true); no Expires bounds by default; Use-Path names only the relay, no Authentication-Info', () => {
    const settings = { expiresMin: 0, expiresMax: Number.MAX_SAFE_INTEGER, nonceLifetime: 30 * S };
    const r = rig(RELAY_PROFILES.opensips, settings);
    r.send();
    r.h.advance(31 * S);
    expect(header(r.send({}), 'www-authenticate')).toMatch(/stale=true/);
    const ok = r.send({ expires: 5 });
    expect(ok.statusCode).toBe(200);
    expect(ok.expires).toBe(5);
    expect(ok.usePath).toHaveLength(1);
    expect(header(ok, 'authentication-info')).toBeUndefined();
    expect(rules(r.h).at(-1)).toBe('relay.respond opensips:use-path-own-only');
  });
});

describe('AUTH server as node state (state.peer, state.token; trace format 2)', () => {
  const peers = (h: FakeRelayHost) => h.states.filter((s) => s.type === 'state.peer').map((s) => s.fields as { conn: string; state: string; failures: number; user: string | null; change: string });
  const tokens = (h: FakeRelayHost) => h.states.filter((s) => s.type === 'state.token').map((s) => s.fields as { token: string; user: string; conn: string | null; expiresAt: number; state: string; change: string });

  it('R-09: a client connection goes probation -> trusted -> closed, with its failed AUTHs and its user', () => {
    const r = rig();
    r.send({ password: 'wrong' }); // 401 first: no nonce yet
    r.send({ password: 'wrong' });
    r.send({ expires: 600 });
    r.auth.closed(r.peer);
    expect(peers(r.h).map((p) => `${p.state} ${p.change} ${p.failures} ${String(p.user)}`)).toEqual([
      'probation opened 0 null',
      'probation auth-failed 1 null',
      'probation auth-failed 2 null',
      'trusted trusted 2 null',
      'trusted authenticated 2 alice',
      'closed closed 2 alice',
    ]);
    expect(peers(r.h).every((p) => p.conn === 'c1')).toBe(true);
  });

  it('a connection the relay opened to a next hop is not a client peer', () => {
    const h = new FakeRelayHost('n1');
    const auth = new AuthServer(h, SETTINGS, {}, RELAY_PROFILES.rfc4976);
    auth.closed(auth.open('n1', false));
    expect(h.states).toEqual([]);
  });

  it('R-12, R-13, R-28: a token is granted, then invalidated with its connection', () => {
    const r = rig();
    r.send();
    r.send({ expires: 600 });
    r.auth.closed(r.peer);
    const t = tokens(r.h);
    expect(t.map((x) => `${x.state} ${x.change}`)).toEqual(['granted granted', 'invalidated connection-closed']);
    expect(t[0]).toMatchObject({ user: 'alice', conn: 'c1', expiresAt: 600 * S });
    expect(t[1]!.token).toBe(t[0]!.token);
  });

  it('R-13, R-28: a token expired by the fault, then forgotten one Expires later', () => {
    const r = rig();
    r.send();
    r.send({ expires: 600 });
    r.h.advance(10 * S);
    r.auth.expireAll();
    r.h.advance(1200 * S);
    expect(tokens(r.h).map((x) => `${x.state} ${x.change} ${x.expiresAt / S}`)).toEqual(['granted granted 600', 'expired expired-by-fault 10', 'forgotten forgotten 10']);
  });

  it('a crash forgets every token', () => {
    const r = rig();
    r.send();
    r.send({ expires: 600 });
    r.auth.reset([r.peer]);
    expect(tokens(r.h).map((x) => `${x.state} ${x.change}`)).toEqual(['granted granted', 'forgotten crash']);
  });
});
