/**
 * The relay's AUTH server (RFC 4976 §5.1, §6.3, §9.1; CHECKLIST c.2 and c.3): Digest challenges
 * and their nonces, Expires bounds, the Use-Path tokens it grants (bound to the connection the AUTH
 * came on, R-12, or to the relay it came through), their expiry and forgetting, failed
 * AUTHs and the probation of new connections. Sans-I/O: it acts through a RelayHost.
 */
import {
  computeRspauth,
  formatAuthenticationInfo,
  formatWwwAuthenticate,
  parseAuthorization,
  verifyAuthorization,
} from '../wire/digest.js';
import type { MsrpRequest } from '../wire/frame.js';
import { pathUri } from '../wire/path-uris.js';
import { parseUri, uriKey, type MsrpUri } from '../wire/uri.js';
import { authority } from './paths.js';
import { answer, header, type AnswerExtra, type RelayHost } from './relay-host.js';
import { deviation, reasonFor, type RelayProfile, type RelayTunables } from './relay-profile.js';
import type { StateToken } from './state-events.js';

const SECOND = 1_000_000;

/** The settings the AUTH server reads (RelayOptions; durations in microseconds, Expires values in seconds as on the wire). */
export interface AuthSettings extends RelayTunables {
  scheme: 'msrp' | 'msrps';
  host: string;
  port: number;
  realm: string;
}

/**
 * A connection's standing with the AUTH server: on probation until a request on it succeeds
 * then trusted; closed when it closes.
 */
export type AuthPeerState = 'probation' | 'trusted' | 'closed';

const PEER_MOVES: Record<AuthPeerState, readonly AuthPeerState[]> = {
  probation: ['trusted', 'closed'],
  trusted: ['closed'],
  closed: [],
};

/** The AUTH server's record of one connection. */
export class AuthPeer<C, T> {
  private current: AuthPeerState = 'probation';
  failedAuths = 0;
  /** The user the connection authenticated as, if any. */
  user: string | null = null;
  /** the probation timer, for a connection a client opened. */
  probation: T | null = null;

  /** `client`: a connection a client opened (the AUTH server's peers proper; others are next hops). */
  constructor(
    readonly conn: C,
    readonly client = false,
  ) {}

  get state(): AuthPeerState {
    return this.current;
  }

  transition(to: AuthPeerState): void {
    if (!PEER_MOVES[this.current].includes(to)) throw new Error(`AUTH peer: illegal move ${this.current} -> ${to}`);
    this.current = to;
  }
}

/** A Use-Path URI this relay handed out. */
export interface Token<C, T> {
  uri: string;
  /** The client connection the token is valid on, or null for a token given through another relay. */
  conn: C | null;
  /** For tokens given through another relay: that relay's authority (valid on any connection to it). */
  viaRelay: string | null;
  user: string;
  /** When it expires by the Expires granted (R-13; a profile may not enforce it). */
  grantedUntil: number;
  /** When fault `expireTokens` made it expire, whatever the profile; null if it did not. */
  expiredAt: number | null;
  /** forgets the token one Expires after it expired (docs/ambiguities.md R-28). */
  forget: T | null;
  /** The From-Path of the AUTH that got it (msrprelay binds its session to it; opensips tells the owner's requests by its first URI). */
  fromPath: readonly string[];
  /**
   * The other side of the token's session, for the profiles that keep one (msrprelay: the other
   * leg, its connection and the path it is bound to; opensips: the connection the peer opened, if
   * it connected first). Null until known.
   */
  peer: { conn: C | null; path: readonly string[] | null } | null;
}

/** The authority of a received frame's path URI at `index`, parsed once per path; null if it does not parse. */
function pathAuthority(path: readonly string[], index: number): string | null {
  const p = pathUri(path, index);
  return p?.ok ? authority(p.uri) : null;
}

export class AuthServer<C, T> {
  private tokens = new Map<string, Token<C, T>>();
  private nonces = new Map<string, number>();
  /**
   * the accounts, by username. A Map of the own entries of the users object: a username from
   * an Authorization header must not find what a plain object inherits (`constructor`, ...).
   */
  private users: ReadonlyMap<string, string>;

  constructor(
    private readonly host: RelayHost<C, T>,
    private readonly settings: AuthSettings,
    users: Record<string, string>,
    /** The profile every decision from now on follows; the node changes it on a scenario `set`. */
    public profile: RelayProfile,
  ) {
    this.users = new Map(Object.entries(users));
  }

  setUsers(users: Record<string, string>): void {
    this.users = new Map(Object.entries(users));
  }

  get tokenCount(): number {
    return this.tokens.size;
  }

  get nonceCount(): number {
    return this.nonces.size;
  }

  /** The relay's own URI, as clients configure it. */
  private get ownUri(): string {
    return `${this.settings.scheme}://${this.settings.host}:${this.settings.port};tcp`;
  }

  /**
   * A new connection. One a client opened (not one this relay opened to a next hop) is on
   * probation: R-09, RFC 4976 §6.1, a new connection that makes no successful request within the
   * probation period is closed.
   */
  open(conn: C, fromClient: boolean): AuthPeer<C, T> {
    const peer = new AuthPeer<C, T>(conn, fromClient);
    // A profile may have no probation at all (opensips: an infinite period).
    if (fromClient && Number.isFinite(this.settings.probation)) peer.probation = this.host.setTimer(this.host.now + this.settings.probation, () => this.probationOver(peer));
    this.peerState(peer, 'opened');
    return peer;
  }

  /** A client connection's standing changed (`state.peer`). */
  private peerState(peer: AuthPeer<C, T>, change: string): void {
    if (!peer.client) return;
    if (this.host.wantsState()) this.host.emitState('state.peer', { conn: this.host.connId(peer.conn), state: peer.state, failures: peer.failedAuths, user: peer.user, change });
  }

  /** A token's state changed (`state.token`). */
  private tokenState(token: Token<C, T>, state: StateToken['state'], change: string): void {
    if (!this.host.wantsState()) return;
    const expiresAt = token.expiredAt ?? token.grantedUntil;
    this.host.emitState('state.token', { token: token.uri, user: token.user, conn: token.conn === null ? null : this.host.connId(token.conn), expiresAt, state, change });
  }

  private probationOver(peer: AuthPeer<C, T>): void {
    if (peer.state === 'probation' && this.host.isOpen(peer.conn)) {
      this.host.emit('relay.probation-close', { conn: this.host.connId(peer.conn), seconds: this.settings.probation / SECOND }, 'R-09');
      this.host.close(peer.conn);
    }
  }

  /** A request on the connection succeeded (R-09: it is no longer on probation). */
  accept(peer: AuthPeer<C, T>): void {
    if (peer.state === 'probation') {
      peer.transition('trusted');
      this.peerState(peer, 'trusted');
    }
    this.host.cancelTimer(peer.probation);
  }

  /** "If the client's connection is closed and then reopened, the URI MUST be invalidated." */
  closed(peer: AuthPeer<C, T>): void {
    peer.transition('closed');
    this.peerState(peer, 'closed');
    this.host.cancelTimer(peer.probation);
    // A profile that keeps its sessions until they expire (Kamailio's connection map), or whose
    // tokens are not bound to a connection at all (opensips: they last their Expires).
    if (this.profile.keepTokensOnClose || this.profile.routeByToPath) return;
    const conn = peer.conn;
    for (const [key, token] of this.tokens) {
      if (token.conn === conn) {
        this.tokens.delete(key);
        this.host.cancelTimer(token.forget);
        this.host.emit('relay.token-invalidated', { token: token.uri, reason: `connection ${this.host.connId(conn)} closed` }, 'R-12');
        this.tokenState(token, 'invalidated', 'connection-closed');
      }
    }
  }

  /** The relay crashed: tokens and nonces live in memory only, and a restart loses them. */
  reset(peers: Iterable<AuthPeer<C, T>>): void {
    for (const token of this.tokens.values()) {
      this.host.cancelTimer(token.forget);
      this.tokenState(token, 'forgotten', 'crash');
    }
    for (const peer of peers) this.host.cancelTimer(peer.probation);
    this.tokens = new Map();
    this.nonces = new Map();
  }

  /** Every token this relay remembers (the msrprelay profile's sessions are kept on them). */
  get all(): Iterable<Token<C, T>> {
    return this.tokens.values();
  }

  /** The token `uri` names, if this relay granted it and still remembers it. */
  token(uri: MsrpUri): Token<C, T> | undefined {
    return uri.sessionId === null ? undefined : this.tokens.get(uriKey(uri));
  }

  /** How many tokens are bound to `conn`. */
  tokensOn(conn: C): number {
    let n = 0;
    for (const token of this.tokens.values()) if (token.conn === conn) n++;
    return n;
  }

  /** whether `token` is no longer valid: its Expires has passed (a profile may not enforce it), or a fault expired it. */
  expired(token: Token<C, T>): boolean {
    const until = token.expiredAt ?? (this.profile.expiresNotEnforced ? null : token.grantedUntil);
    return until !== null && this.host.now >= until;
  }

  /** Fault `expireTokens`: every token this relay handed out expires now. */
  expireAll(): void {
    for (const token of this.tokens.values()) token.expiredAt = this.host.now;
    this.host.emit('relay.tokens-expired', { count: this.tokens.size }, 'R-13');
    for (const token of this.tokens.values()) this.tokenState(token, 'expired', 'expired-by-fault');
  }

  /** a token one Expires past its expiry is forgotten (unless the profile still honours it). */
  private forgetToken(key: string, token: Token<C, T>): void {
    token.forget = null;
    if (this.tokens.get(key) !== token || !this.expired(token)) return;
    this.tokens.delete(key);
    this.host.emit('relay.token-forgotten', { token: token.uri, user: token.user, expiredAt: token.expiredAt ?? token.grantedUntil }, 'R-28');
    this.tokenState(token, 'forgotten', 'forgotten');
  }

  /** An AUTH addressed to this relay (To-Path names only it). */
  auth(peer: AuthPeer<C, T>, frame: MsrpRequest): void {
    const conn = peer.conn;
    const peerRelay = this.host.isPeerRelay(conn);
    if (peerRelay && frame.fromPath.length > 1) {
      // R-11, RFC 4976 §6.3: a previous hop relay is authenticated by mutual TLS: its certificate
      // must name "the host of the FIRST From-Path URI".
      const via = pathAuthority(frame.fromPath, 0);
      if (via === null || !this.host.leadsTo(conn, via)) {
        this.answer(conn, frame, 403, 'R-11');
        return;
      }
    }
    if (this.profile.sessionPerAuth && (peer.state === 'trusted' || !peer.client)) {
      // msrprelay: a connection that has a session (its AUTH succeeded, or a SEND bound it) takes
      // every request as the session's: an AUTH addressed to the relay alone has nowhere to go.
      this.answer(conn, frame, 481, deviation(this.profile, 'session-per-auth'), { comment: 'Indicated session does not exist, please terminate: Non-response with me as endpoint, nowhere to relay to' });
      return;
    }
    const realm = this.realmFor(frame);
    const authz = header(frame, 'authorization');
    if (authz === undefined) {
      // R-04: AUTH with no Authorization "MUST respond with a "401 Unauthorized" response
      // containing a WWW-Authenticate header".
      this.challenge(conn, frame, realm, false, 'R-04');
      return;
    }
    if (this.profile.authUriUnanswered && !this.msrprelayPrecheck(peer, frame, realm, authz)) return;
    const creds = parseAuthorization(authz);
    if (!creds.ok) {
      this.failed(peer, frame, realm, creds.rule, creds.message);
      return;
    }
    const c = creds.value;
    const issued = this.nonces.get(c.nonce);
    if (issued === undefined) {
      this.failed(peer, frame, realm, 'R-04', 'unknown nonce');
      return;
    }
    if (this.profile.failedAuthCodes && c.algorithm !== undefined && c.algorithm.toLowerCase() !== 'md5') {
      this.failed(peer, frame, realm, 'R-16c', 'Unsupported algorithm');
      return;
    }
    if (this.profile.failedAuthCodes && (c.qop ?? '').toLowerCase() !== 'auth') {
      this.failed(peer, frame, realm, 'R-16e', 'Unsupported qop');
      return;
    }
    if (this.host.now - issued > this.settings.nonceLifetime) {
      this.nonces.delete(c.nonce);
      if (this.profile.noStaleNonce) {
        this.failed(peer, frame, realm, deviation(this.profile, 'no-stale-nonce'), 'nonce expired');
        return;
      }
      // R-16h: a nonce past its lifetime gets a new challenge with stale=true.
      this.challenge(conn, frame, realm, true, 'R-16h');
      return;
    }
    const password = this.users.get(c.username);
    // R-16g: the digest uri is the rightmost To-Path URI; a profile may take the one the client put
    // in its credentials (kamailio), or ignore the `uri` parameter altogether (opensips).
    const uri = this.profile.digestUriUnchecked && c.uri !== undefined ? c.uri : frame.toPath[frame.toPath.length - 1]!;
    const checked = this.profile.failedAuthCodes ? { ...c, uri: undefined } : c;
    const verdict = password === undefined ? { ok: false as const, rule: 'R-11', message: `unknown user ${c.username}` } : verifyAuthorization(checked, { password, realm, nonce: c.nonce, uri });
    if (!verdict.ok) {
      this.failed(peer, frame, realm, verdict.rule, verdict.message);
      return;
    }
    // Expires bounds; out of range => 423 with Min-Expires or Max-Expires.
    const expires = frame.expires ?? this.settings.expiresDefault;
    if (frame.expires !== undefined && this.profile.malformed423OnExpires) {
      this.answer(conn, frame, 423, deviation(this.profile, 'malformed-423'));
      return;
    }
    if (frame.expires !== undefined) {
      const phrase = this.phrase(423);
      if (frame.expires < this.settings.expiresMin) {
        this.answer(conn, frame, 423, 'R-05', { minExpires: this.settings.expiresMin, ...phrase });
        return;
      }
      if (frame.expires > this.settings.expiresMax) {
        this.answer(conn, frame, 423, 'R-05', { maxExpires: this.settings.expiresMax, ...phrase });
        return;
      }
    }
    this.accept(peer);
    peer.user = c.username;
    this.peerState(peer, 'authenticated');
    // "at least 64 bits of cryptographically random material" (here: the seeded stream).
    // msrprelay names the session by the nonce of the AUTH.
    const tokenId = this.profile.sessionPerAuth ? c.nonce : this.newSessionId();
    const tokenUri = `${this.settings.scheme}://${this.settings.host}:${this.settings.port}/${tokenId};tcp`;
    const parsed = parseUri(tokenUri);
    if (!parsed.ok) return;
    // a client's token is valid only on this connection; a token requested through another
    // relay is valid on any connection to that relay.
    const viaRelay = peerRelay && frame.fromPath.length > 1 ? pathAuthority(frame.fromPath, 0) : null;
    // "the relay MUST ensure that the URI is invalidated after the expiry time".
    const grantedUntil = this.host.now + expires * SECOND;
    const key = uriKey(parsed.uri);
    const token: Token<C, T> = { uri: tokenUri, conn: viaRelay === null ? conn : null, viaRelay, user: c.username, grantedUntil, expiredAt: null, forget: null, fromPath: frame.fromPath, peer: null };
    // R-28 (docs/ambiguities.md): a token is remembered one Expires past its expiry, so that a late
    // use is still told apart (R-13, expired) from a token never issued; then it is
    // forgotten, so that a client's re-AUTHs do not pile up tokens for as long as its connection lasts.
    token.forget = this.host.setTimer(grantedUntil + expires * SECOND, () => this.forgetToken(key, token));
    this.tokens.set(key, token);
    this.tokenState(token, 'granted', 'granted');
    // Use-Path lists the URIs "in the order the client will put them in To-Path": the
    // relays the AUTH came through (From-Path minus the client, reversed), then the new token.
    // opensips names only itself in Use-Path, whatever relays the AUTH came through.
    const usePath = this.profile.routeByToPath ? [tokenUri] : [...frame.fromPath.slice(0, -1)].reverse().concat(tokenUri);
    const extra: AnswerExtra = { usePath, expires, ...this.phrase(200) };
    if (!this.profile.noAuthenticationInfo && !this.profile.routeByToPath) {
      extra.authenticationInfo = formatAuthenticationInfo({
        rspauth: computeRspauth({ username: c.username, realm, password: password!, uri, nonce: c.nonce, nc: c.nc ?? '00000001', cnonce: c.cnonce ?? '' }),
        cnonce: c.cnonce,
        nc: c.nc,
        qop: 'auth',
      });
    }
    this.host.emit('relay.auth-ok', { conn: this.host.connId(conn), user: c.username, token: tokenUri, expires, usePath }, 'R-06');
    const rule = this.profile.noAuthenticationInfo ? deviation(this.profile, 'no-authentication-info') : this.profile.routeByToPath ? deviation(this.profile, 'use-path-own-only') : 'R-06';
    this.answer(conn, frame, 200, rule, extra);
  }

  /** The profile's reason phrase for `code`, as a response's comment (nothing: msrp-sim's own). */
  private phrase(code: number, detail?: string): AnswerExtra {
    const text = reasonFor(this.profile, code);
    if (text === undefined) return {};
    return { comment: detail === undefined ? text : `${text}: ${detail}` };
  }

  /**
   * msrprelay reads the Authorization header by splitting it at `, ` and `=` and checks, in this
   * order, the realm and qop (403, not counted as a failed login), the username and nonce (403).
   * It then calls its digest check with the `uri` it computed and the header's parameters, so a
   * header that carries `uri` makes that call raise, as do a missing `opaque`, `response`, `nc` or
   * `cnonce`: nothing catches the error, no response is sent, and the connection stays as it was
   * (its probation runs on). Unknown users are refused before that call (a failed login). Returns
   * whether the AUTH goes on to the digest check.
   */
  private msrprelayPrecheck(peer: AuthPeer<C, T>, frame: MsrpRequest, realm: string, authz: string): boolean {
    const conn = peer.conn;
    const params = new Map<string, string>();
    const space = authz.indexOf(' ');
    if (space < 0 || authz.slice(0, space) !== 'Digest') {
      this.answer(conn, frame, 400, deviation(this.profile, 'auth-unreadable'), this.phrase(400, 'Error parsing Authorization header'));
      return false;
    }
    for (const part of authz.slice(space + 1).split(', ')) {
      const eq = part.indexOf('=');
      if (eq < 0) {
        this.answer(conn, frame, 400, deviation(this.profile, 'auth-unreadable'), this.phrase(400, 'Error parsing Authorization header'));
        return false;
      }
      params.set(trimQuotes(part.slice(0, eq)), trimQuotes(part.slice(eq + 1)));
    }
    const refuse = (why: string): false => {
      this.host.emit('relay.auth-fail', { conn: this.host.connId(conn), failures: peer.failedAuths, reason: why }, deviation(this.profile, 'auth-refused-uncounted'));
      this.answer(conn, frame, 403, deviation(this.profile, 'auth-refused-uncounted'), { comment: `Unauthorized: ${why}` });
      return false;
    };
    if (params.get('realm') !== realm) return refuse('realm does not match');
    if (params.get('qop') !== 'auth') return refuse('qop != auth');
    for (const name of ['username', 'nonce']) if (!params.has(name)) return refuse(`${name} field not present in Authorization header`);
    if (!this.users.has(params.get('username')!)) return true; // refused as a failed login
    const missing = ['opaque', 'response', 'nc', 'cnonce'].filter((n) => !params.has(n));
    if (params.has('uri') || missing.length > 0) {
      const why = params.has('uri') ? 'the Authorization carries uri, which the digest check is also given: it raises' : `the Authorization lacks ${missing.join(', ')}: the digest check raises`;
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: `AUTH never answered: ${why}` }, deviation(this.profile, 'auth-uri-unanswered'));
      return false;
    }
    return true;
  }

  private answer(conn: C, frame: MsrpRequest, code: number, rule: string, extra?: AnswerExtra): void {
    answer(this.host, conn, frame, code, rule, this.ownUri, extra, this.profile);
  }

  /** Kamailio's sruid parts: a start time and a process id (drawn once), and a counter. */
  private sruid: { prefix: string; counter: number } | null = null;

  /** A Use-Path session id: random, or shaped as the profile's relay makes them. */
  private newSessionId(): string {
    if (this.profile.idStyle !== 'kamailio') return this.host.newToken();
    // Kamailio's msrp module names a session by sruid: `msrp-<time hex>-<pid hex>-<counter hex>`,
    // not random (docs/relay-profiles.md); both parts drawn from the seeded stream.
    this.sruid ??= { prefix: this.host.newNonce().slice(0, 12), counter: 0 };
    this.sruid.counter++;
    return `msrp-${this.sruid.prefix.slice(0, 8)}-${this.sruid.prefix.slice(8, 12)}-${this.sruid.counter.toString(16)}`;
  }

  /** A nonce: the strict relay's hex, or Kamailio's auth module's 29 bytes in base64 (40 characters). */
  private newNonce(): string {
    if (this.profile.idStyle !== 'kamailio') return this.host.newNonce();
    return Buffer.from(this.host.newNonce() + this.host.newNonce(), 'hex').subarray(0, 29).toString('base64');
  }

  /** the realm is the relay's policy; a profile may take it from the AUTH's To-Path. */
  private realmFor(frame: MsrpRequest): string {
    if (!this.profile.realmFromToPath) return this.settings.realm;
    const to = pathUri(frame.toPath, 0);
    return to?.ok ? to.uri.host : this.settings.realm;
  }

  private challenge(conn: C, frame: MsrpRequest, realm: string, stale: boolean, rule: string): void {
    // Nonces past their lifetime can only be refused: forget them (bounded state).
    const now = this.host.now;
    for (const [n, at] of this.nonces) if (now - at > this.settings.nonceLifetime) this.nonces.delete(n);
    const nonce = this.newNonce();
    this.nonces.set(nonce, now);
    // R-16c/R-16e: qop="auth" quoted, MD5, no auth-int, no MD5-sess, no domain. Kamailio's auth
    // module writes realm, nonce, qop, and no algorithm (its default, MD5); other profiles choose
    // whether opaque and algorithm are sent.
    const { opaque, algorithm } = this.profile.challenge;
    const www =
      this.profile.idStyle === 'kamailio'
        ? `Digest realm="${realm}", nonce="${nonce}", qop="auth"${stale ? ', stale=true' : ''}`
        : formatWwwAuthenticate({ realm, nonce, qop: ['auth'], algorithm: algorithm ? 'MD5' : undefined, stale: stale ? true : undefined, opaque: opaque ? this.host.newNonce() : undefined });
    const id = this.host.connId(conn);
    this.host.emit('auth.challenge', { conn: id, realm, stale }, rule);
    if (this.profile.realmFromToPath && realm !== this.settings.realm) {
      this.host.emit('relay.realm', { conn: id, realm, configured: this.settings.realm }, deviation(this.profile, 'realm-from-to-path'));
    }
    this.answer(conn, frame, 401, rule, { wwwAuthenticate: www, ...this.phrase(401) });
  }

  private failed(peer: AuthPeer<C, T>, frame: MsrpRequest, realm: string, rule: string, message: string): void {
    const conn = peer.conn;
    peer.failedAuths++;
    this.host.emit('relay.auth-fail', { conn: this.host.connId(conn), failures: peer.failedAuths, reason: message }, rule);
    this.peerState(peer, 'auth-failed');
    const last = !this.host.isPeerRelay(conn) && peer.failedAuths >= this.settings.maxFailedAuths;
    if (this.profile.failedAuthCodes) {
      // opensips: 400 for what it cannot read or match, 403 for what it refuses; no new challenge.
      const [code, phrase] = opensipsAuthFailure(message);
      this.answer(conn, frame, code, deviation(this.profile, 'failed-auth-codes'), { comment: phrase });
    } else if (this.profile.failedAuth403) {
      // The profile answers a failed login 403, and the last one not at all: it just disconnects.
      if (!last) this.answer(conn, frame, 403, deviation(this.profile, 'failed-auth-403'), reasonFor(this.profile, 403) !== undefined ? { comment: `Unauthorized: Login failed: ${msrprelayLoginFailure(message)}` } : undefined);
    } else {
      this.challenge(conn, frame, realm, false, 'R-04');
    }
    // R-15, RFC 4976 §6.3: several failed AUTHs on a client connection => SHOULD terminate it.
    if (last) {
      this.host.emit('relay.auth-disconnect', { conn: this.host.connId(conn), failures: peer.failedAuths }, 'R-15');
      this.host.close(conn);
    }
  }
}

/** A quoted-string's quotes off, as msrprelay strips them (every `"` at either end). */
function trimQuotes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 0x22) a++;
  while (b > a && s.charCodeAt(b - 1) === 0x22) b--;
  return s.slice(a, b);
}

/** msrprelay's words for a failed login (digest.py, backend/memory.py), from msrp-sim's reason. */
function msrprelayLoginFailure(message: string): string {
  if (message.startsWith('unknown user')) return 'Username not found';
  if (message === 'nonce expired') return 'This challenge has expired';
  if (message === 'unknown nonce') return 'This nonce/opaque combination was not issued by me';
  // Anything else fails its digest comparison first.
  return 'Incorrect password';
}

/** opensips' code and reason for a failed AUTH (modules/msrp_relay/auth.c, authorize()). */
function opensipsAuthFailure(message: string): [number, string] {
  if (message === 'Unsupported qop' || message === 'Unsupported algorithm') return [403, message];
  if (message === 'unknown nonce' || message.startsWith('nonce is not')) return [400, 'Bad nonce'];
  if (message.startsWith('credentials for realm') || message.startsWith('Authorization')) return [400, 'Invalid credentials'];
  return [403, 'Unauthorized'];
}
