/**
 * The endpoint's Digest AUTH client without a World (CHECKLIST d.1, d.3 R-16g and
 * R-16h, ambiguity A-13): each row feeds the relay's responses, timeouts and clock moves into the
 * machine and checks the AUTHs it wrote, the events and the round's outcome.
 */
import { describe, expect, it } from 'vitest';
import { AuthClient, MAX_STALE_RETRIES, type RelayCredentials } from '../../src/protocol/auth-client.js';
import { buildResponse } from '../../src/wire/builder.js';
import { computeDigestResponse, computeRspauth, formatAuthenticationInfo, formatNc, formatWwwAuthenticate, parseAuthorization } from '../../src/wire/digest.js';
import type { MsrpRequest, MsrpResponse } from '../../src/wire/frame.js';
import { FakeEndpointHost } from './fake-endpoint-host.js';

const S = 1_000_000;
const R1: RelayCredentials = { uri: 'msrps://r1.example.com:2855;tcp', username: 'alice', password: 'secret1' };
const R2: RelayCredentials = { uri: 'msrps://r2.example.com:2855;tcp', username: 'alice2', password: 'secret2' };
const ME = 'msrps://alice.example.com:2855/dev;tcp';
const TOKEN1 = 'msrps://r1.example.com:2855/tok1;tcp';
const TOKEN2 = 'msrps://r2.example.com:2855/tok2;tcp';

function rig(relays: RelayCredentials[] = [R1], expires: number | null = null) {
  const h = new FakeEndpointHost();
  const auth = new AuthClient<number>(h, relays, ME, expires);
  return { h, auth };
}

/** The Authorization header of an AUTH, if it has one. */
function authorizationOf(frame: MsrpRequest): string | undefined {
  return frame.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1];
}

/** The last AUTH written. */
function lastAuth(h: FakeEndpointHost): MsrpRequest {
  const frames = h.sent();
  return frames[frames.length - 1] as MsrpRequest;
}

function challenge(to: MsrpRequest, nonce: string, stale?: boolean): MsrpResponse {
  return buildResponse({
    transactionId: to.transactionId,
    statusCode: 401,
    toPath: to.fromPath,
    fromPath: [to.toPath[to.toPath.length - 1]!],
    wwwAuthenticate: formatWwwAuthenticate({ realm: 'example.com', nonce, qop: ['auth'], stale }),
  });
}

/** The relay's 200, with an rspauth computed from the credentials the AUTH carried. */
function ok(to: MsrpRequest, relay: RelayCredentials, usePath: string[], expires: number | null, rspauth?: string): MsrpResponse {
  const creds = authorizationOf(to) === undefined ? null : parseAuthorization(authorizationOf(to)!);
  let authenticationInfo: string | undefined;
  if (creds && creds.ok) {
    const c = creds.value;
    const nc = parseInt(c.nc ?? '0', 16);
    const expected = computeRspauth({ username: relay.username, realm: c.realm, password: relay.password, uri: relay.uri, nonce: c.nonce, nc, cnonce: c.cnonce ?? '' });
    authenticationInfo = formatAuthenticationInfo({ rspauth: rspauth ?? expected, cnonce: c.cnonce, nc: formatNc(nc), qop: 'auth' });
  }
  return buildResponse({
    transactionId: to.transactionId,
    statusCode: 200,
    toPath: to.fromPath,
    fromPath: [to.toPath[to.toPath.length - 1]!],
    usePath,
    ...(expires !== null ? { expires } : {}),
    authenticationInfo,
  });
}

function status(to: MsrpRequest, code: number, extra: { minExpires?: number; maxExpires?: number } = {}): MsrpResponse {
  return buildResponse({ transactionId: to.transactionId, statusCode: code, toPath: to.fromPath, fromPath: [to.toPath[to.toPath.length - 1]!], ...extra });
}

/** Runs a whole challenge round with relay `relay` (index `i`). */
function authenticate(h: FakeEndpointHost, auth: AuthClient<number>, relay: RelayCredentials, i: number, usePath: string[], expires: number | null, nonce = `n${i}`): void {
  auth.response(challenge(lastAuth(h), nonce), i);
  auth.response(ok(lastAuth(h), relay, usePath, expires), i);
}

describe('AUTH client: the round (R-03, R-04, R-06, R-07)', () => {
  it('R-03, R-04: AUTH without credentials, 401, AUTH with Digest credentials for the realm, 200: ready with the Use-Path', () => {
    const { h, auth } = rig();
    expect(auth.start()).toBe(true);
    expect(auth.connect()?.host).toBe('r1.example.com');
    expect(auth.state).toBe('connecting');
    auth.connected();
    expect(auth.state).toBe('requesting');
    const first = lastAuth(h);
    expect(first.method).toBe('AUTH');
    expect(first.toPath).toEqual([R1.uri]);
    expect(first.fromPath).toEqual([ME]);
    expect(authorizationOf(first)).toBeUndefined();
    auth.response(challenge(first, 'n1'), 0);
    expect(auth.state).toBe('authorizing');
    const second = lastAuth(h);
    expect(second.transactionId).not.toBe(first.transactionId);
    const creds = parseAuthorization(authorizationOf(second)!);
    expect(creds.ok).toBe(true);
    if (!creds.ok) return;
    // R-16g: H(A2) is computed over the rightmost To-Path URI, the relay's.
    const expected = computeDigestResponse({ username: 'alice', realm: 'example.com', password: 'secret1', method: 'AUTH', uri: R1.uri, nonce: 'n1', nc: 1, cnonce: creds.value.cnonce!, qop: 'auth' });
    expect(creds.value.response).toBe(expected);
    expect(creds.value.nc).toBe('00000001');
    auth.response(ok(second, R1, [TOKEN1], 600), 0);
    expect(auth.state).toBe('ready');
    expect(auth.usePath).toEqual([TOKEN1]);
    expect(h.shape()).toEqual(['open', 'auth.request', 'send', 'auth.challenged', 'open', 'auth.request', 'send', 'auth.ok', 'endpoint.ready', 'ready']);
    expect(h.events('endpoint.ready')[0]).toEqual({ fields: { usePath: [TOKEN1] }, rule: 'R-07' });
  });

  it('digestUri false: the Authorization leaves the uri parameter out (as msrprelay needs); the response is computed over the relay URI all the same', () => {
    const relay: RelayCredentials = { ...R1, digestUri: false };
    const { h, auth } = rig([relay]);
    auth.start();
    auth.connect();
    auth.connected();
    auth.response(challenge(lastAuth(h), 'n1'), 0);
    const header = authorizationOf(lastAuth(h))!;
    expect(header).not.toMatch(/uri=/);
    const creds = parseAuthorization(header);
    expect(creds.ok).toBe(true);
    if (!creds.ok) return;
    expect(creds.value.uri).toBeUndefined();
    expect(creds.value.response).toBe(computeDigestResponse({ username: 'alice', realm: 'example.com', password: 'secret1', method: 'AUTH', uri: R1.uri, nonce: 'n1', nc: 1, cnonce: creds.value.cnonce!, qop: 'auth' }));
    // The default keeps it (RFC 2617 §3.2.2).
    const other = rig();
    other.auth.start();
    other.auth.connect();
    other.auth.connected();
    other.auth.response(challenge(lastAuth(other.h), 'n1'), 0);
    expect(authorizationOf(lastAuth(other.h))).toMatch(/uri="msrps:\/\/r1\.example\.com:2855;tcp"/);
  });

  it('R-03: the second relay is AUTHed through the first: To-Path R1 token, R2; the Use-Path is the last 200\'s', () => {
    const { h, auth } = rig([R1, R2]);
    auth.connect();
    auth.connected();
    authenticate(h, auth, R1, 0, [TOKEN1], 600);
    expect(auth.state).toBe('requesting');
    const viaFirst = lastAuth(h);
    expect(viaFirst.toPath).toEqual([TOKEN1, R2.uri]);
    expect(h.out.filter((o) => o.kind === 'open').map((o) => (o.kind === 'open' ? o.relayIndex : -1))).toEqual([0, 0, 1]);
    authenticate(h, auth, R2, 1, [TOKEN1, TOKEN2], 600);
    expect(lastAuth(h).toPath).toEqual([TOKEN1, R2.uri]);
    expect(auth.state).toBe('ready');
    expect(auth.usePath).toEqual([TOKEN1, TOKEN2]);
    // A new relay's nonce starts the nonce count again (R-16h, RFC 2617 §3.2.2).
    const auths = h.sent().filter((f) => authorizationOf(f as MsrpRequest) !== undefined) as MsrpRequest[];
    expect(auths.map((f) => (parseAuthorization(authorizationOf(f)!) as { value: { nc: string } }).value.nc)).toEqual(['00000001', '00000001']);
  });

  it.each([
    ['R-06', 'no Authentication-Info', undefined, '200 to AUTH without Authentication-Info'],
    ['R-06', 'a wrong rspauth', 'deadbeef', 'Authentication-Info rspauth does not match'],
  ])('%s: a 200 with %s is a violation, and the Use-Path is still taken', (rule, _what, rspauth, message) => {
    const { h, auth } = rig();
    auth.connect();
    auth.connected();
    auth.response(challenge(lastAuth(h), 'n1'), 0);
    const req = lastAuth(h);
    const response = rspauth === undefined ? buildResponse({ transactionId: req.transactionId, statusCode: 200, toPath: [ME], fromPath: [R1.uri], usePath: [TOKEN1] }) : ok(req, R1, [TOKEN1], null, rspauth);
    auth.response(response, 0);
    expect(h.events('endpoint.violation')).toEqual([{ fields: { peer: R1.uri, message }, rule }]);
    expect(auth.state).toBe('ready');
  });
});

describe('AUTH client: refusals and retries (R-04, R-05, R-11, R-16h, A-13)', () => {
  const rows: { name: string; rule: string; respond: (h: FakeEndpointHost, auth: AuthClient<number>) => void; reason: string }[] = [
    {
      name: 'a 401 to credentials, not stale: credentials refused',
      rule: 'R-04',
      respond: (h, auth) => {
        auth.response(challenge(lastAuth(h), 'n1'), 0);
        auth.response(challenge(lastAuth(h), 'n2'), 0);
      },
      reason: 'credentials refused (401)',
    },
    {
      name: 'a 401 without WWW-Authenticate',
      rule: 'R-04',
      respond: (h, auth) => auth.response(status(lastAuth(h), 401), 0),
      reason: '401 without a usable WWW-Authenticate',
    },
    {
      name: 'a 403',
      rule: 'R-11',
      respond: (h, auth) => auth.response(status(lastAuth(h), 403), 0),
      reason: '403 Forbidden',
    },
    {
      name: 'a 423 without Min-Expires or Max-Expires',
      rule: 'R-05',
      respond: (h, auth) => auth.response(status(lastAuth(h), 423), 0),
      reason: '423 without a usable Min-Expires or Max-Expires',
    },
    {
      name: `a stale nonce ${MAX_STALE_RETRIES + 1} times in a row`,
      rule: 'R-16h',
      respond: (h, auth) => {
        auth.response(challenge(lastAuth(h), 'n0'), 0);
        for (let i = 1; i <= MAX_STALE_RETRIES + 1; i++) auth.response(challenge(lastAuth(h), `s${i}`, true), 0);
      },
      reason: `nonce stale ${MAX_STALE_RETRIES + 1} times in a row`,
    },
  ];
  it.each(rows)('$rule: $name refuses the round, with no retry', ({ rule, respond, reason }) => {
    const { h, auth } = rig();
    auth.connect();
    auth.connected();
    respond(h, auth);
    expect(auth.state).toBe('refused');
    expect(h.events('auth.fail')).toEqual([{ fields: { relay: R1.uri, reason }, rule }]);
    expect(h.out[h.out.length - 1]).toEqual({ kind: 'gave-up', reason: `AUTH to ${R1.uri} failed: ${reason}`, rule });
    expect(auth.failure).toEqual({ reason: `AUTH to ${R1.uri} failed: ${reason}`, rule });
    // Refused: losing the connection does not bring a reconnect.
    expect(auth.lost()).toBe(false);
  });

  it('R-16h: a stale nonce is retried with the new nonce, its count starting again at 1', () => {
    const { h, auth } = rig();
    auth.connect();
    auth.connected();
    auth.response(challenge(lastAuth(h), 'n1'), 0);
    auth.response(challenge(lastAuth(h), 'n2', true), 0);
    expect(auth.state).toBe('authorizing');
    const creds = parseAuthorization(authorizationOf(lastAuth(h))!);
    expect(creds.ok && creds.value.nonce).toBe('n2');
    expect(creds.ok && creds.value.nc).toBe('00000001');
    expect(h.events('auth.challenged').map((e) => e.fields.stale)).toEqual([false, true]);
  });

  it('R-05: a 423 is retried with Min-Expires, then the next AUTH asks for it', () => {
    const { h, auth } = rig([R1], 30);
    auth.connect();
    auth.connected();
    auth.response(challenge(lastAuth(h), 'n1'), 0);
    expect(lastAuth(h).expires).toBe(30);
    auth.response(status(lastAuth(h), 423, { minExpires: 60 }), 0);
    expect(h.events('auth.retry-expires')).toEqual([{ fields: { relay: R1.uri, asked: 30, next: 60 }, rule: 'R-05' }]);
    expect(lastAuth(h).expires).toBe(60);
    expect(authorizationOf(lastAuth(h))).toBeDefined();
    // The same bound again cannot help: refused.
    auth.response(status(lastAuth(h), 423, { minExpires: 60 }), 0);
    expect(auth.state).toBe('refused');
  });

  it('A-13: no answer in time fails the round (worth another try: a lost connection reconnects)', () => {
    const { h, auth } = rig();
    auth.connect();
    auth.connected();
    auth.timedOut(0);
    expect(auth.state).toBe('failed');
    expect(h.out[h.out.length - 1]).toEqual({ kind: 'gave-up', reason: `no response to the AUTH to ${R1.uri}`, rule: 'A-13' });
    expect(auth.lost()).toBe(true);
    expect(auth.state).toBe('idle');
    expect(auth.failure).toBeNull();
  });

  it('an unusable relay URI refuses the round before any connection', () => {
    const h = new FakeEndpointHost();
    const auth = new AuthClient<number>(h, [{ uri: 'not a uri', username: 'a', password: 'b' }], ME, null);
    expect(auth.connect()).toBeNull();
    expect(auth.state).toBe('refused');
    expect(h.sent()).toHaveLength(0);
  });
});

describe('AUTH client: renewal (R-08)', () => {
  it('re-AUTHs at 80 % of Expires; a refresh keeps the old Use-Path until the new round is complete', () => {
    const { h, auth } = rig();
    auth.connect();
    auth.connected();
    authenticate(h, auth, R1, 0, [TOKEN1], 100);
    expect(h.pending).toEqual([80 * S]);
    h.advance(80 * S);
    expect(h.out[h.out.length - 1]).toEqual({ kind: 'reauthenticate' });
    h.clear();
    auth.refresh();
    expect(h.events('auth.refresh')).toEqual([{ fields: { relays: 1 }, rule: 'R-08' }]);
    expect(lastAuth(h).toPath).toEqual([R1.uri]);
    expect(auth.usePath).toEqual([TOKEN1]);
    const NEW = 'msrps://r1.example.com:2855/tok9;tcp';
    authenticate(h, auth, R1, 0, [NEW], 100, 'n9');
    expect(auth.usePath).toEqual([NEW]);
    expect(h.out[h.out.length - 1]).toEqual({ kind: 'ready', previous: [TOKEN1], refreshed: true });
    // One renewal timer at a time: the old one was replaced.
    expect(h.pending).toEqual([80 * S + 80 * S]);
  });

  it('renew false (a session\'s own AUTH, authPerSession): the 200\'s Expires schedules no renewal', () => {
    const h = new FakeEndpointHost();
    const auth = new AuthClient<number>(h, [R1], ME, null, false);
    auth.connect();
    auth.connected();
    authenticate(h, auth, R1, 0, [TOKEN1], 100);
    expect(auth.state).toBe('ready');
    expect(h.pending).toEqual([]);
  });

  it('no Expires in the 200: no renewal is scheduled', () => {
    const { h, auth } = rig();
    auth.connect();
    auth.connected();
    authenticate(h, auth, R1, 0, [TOKEN1], null);
    expect(h.pending).toEqual([]);
  });

  it('a crash forgets the Use-Path, the renewal and the Expires learnt from a 423', () => {
    const { h, auth } = rig([R1], 30);
    auth.connect();
    auth.connected();
    auth.response(challenge(lastAuth(h), 'n1'), 0);
    auth.response(status(lastAuth(h), 423, { minExpires: 60 }), 0);
    auth.response(ok(lastAuth(h), R1, [TOKEN1], 60), 0);
    auth.reset();
    expect(auth.state).toBe('idle');
    expect(auth.usePath).toEqual([]);
    expect(h.pending).toEqual([]);
    auth.connect();
    auth.connected();
    auth.response(challenge(lastAuth(h), 'n2'), 0);
    expect(lastAuth(h).expires).toBe(30);
  });

  it('with no relay the endpoint is ready at once', () => {
    const { auth } = rig([]);
    expect(auth.start()).toBe(false);
    expect(auth.state).toBe('ready');
  });

  it('transition() rejects an illegal move: a Use-Path without any AUTH', () => {
    const { auth } = rig();
    auth.connect();
    expect(() => auth.response(buildResponse({ transactionId: 'x', statusCode: 200, toPath: [ME], fromPath: [R1.uri], usePath: [TOKEN1] }), 0)).toThrow(/illegal move connecting -> ready/);
  });
});
