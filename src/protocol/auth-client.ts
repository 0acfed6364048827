/**
 * The endpoint's Digest AUTH client (RFC 4976 §5.1, §9.1), sans-I/O: it AUTHs to each relay of the
 * list in order, the second through the first, answers 401 challenges with credentials
 * retries a 423 within the relay's Expires bounds, checks the 200's
 * Authentication-Info, builds the Use-Path the sessions' paths come from, and renews
 * the tokens at 80 % of Expires. It writes nothing itself: frames, timers, events and the
 * outcome of a round go through `AuthClientHost`, which the node implements over its relay
 * connection and clock, and a unit test with a recording host.
 */
import { buildRequest } from '../wire/builder.js';
import type { MsrpRequest, MsrpResponse } from '../wire/frame.js';
import { parseUri, type MsrpUri } from '../wire/uri.js';
import {
  computeDigestResponse,
  computeRspauth,
  formatAuthorization,
  formatNc,
  parseAuthenticationInfo,
  parseWwwAuthenticate,
} from '../wire/digest.js';
import type { EndpointEvents, EndpointEventType } from './endpoint-events.js';
import { header } from './relay-host.js';
import type { StateAuth } from './state-events.js';

/** Stale-nonce 401s retried in a row before the AUTH is given up (R-16h). */
export const MAX_STALE_RETRIES = 3;
/** the tokens are renewed when this share of their Expires has passed. */
export const REAUTH_AT = 0.8;
const SECOND = 1_000_000;

export interface RelayCredentials {
  /** The relay's URI as configured (no session part), e.g. `msrps://relay.a.example.com:2855;tcp`. */
  uri: string;
  username: string;
  password: string;
  /**
   * Whether the Authorization carries the digest `uri` parameter (default true: RFC 2617 §3.2.2
   * requires it). False leaves it out, as AG Projects' own client does: an msrprelay relay never
   * answers credentials that carry it (docs/relay-profiles.md, `msrprelay:auth-uri-unanswered`).
   */
  digestUri?: boolean;
  /**
   * Whether the endpoint AUTHs to this relay once per session instead of once for the device, as
   * AG Projects' client does (msrplib `RelayConnection`): a new connection to the relay for each
   * session, one AUTH on it whose From-Path is the session's own URI, and the Use-Path it returns
   * used for that session only, never renewed. An msrprelay relay binds the session it grants to
   * the AUTH's From-Path and connection (docs/relay-profiles.md, `msrprelay:session-per-auth`).
   * Default false: one AUTH round for the device, its Use-Path shared by every session (RFC 4976 §5.1).
   */
  authPerSession?: boolean;
}

/**
 * Where the client is: `idle` (no relay connection), `connecting` (the connection to the first
 * relay is being opened), `requesting` (an AUTH without credentials is out), `authorizing` (an
 * AUTH with credentials is out), `ready` (a Use-Path is known), `failed` (no answer in time: worth
 * another try), `refused` (a relay said no: not retried).
 */
export type AuthState = 'idle' | 'connecting' | 'requesting' | 'authorizing' | 'ready' | 'failed' | 'refused';

/**
 * The moves the client may make. Once a request is out, a response or a timeout of any AUTH still
 * open may come (a late one of an earlier round too), so the states after `connecting` reach one
 * another; what can never happen is an AUTH without a connection, or a Use-Path without an AUTH.
 * A crash (`reset`) goes back to `idle` from anywhere.
 */
const AFTER_REQUEST: readonly AuthState[] = ['requesting', 'authorizing', 'ready', 'refused', 'failed', 'idle', 'connecting'];
/** How `state.auth` names each state (trace format 2). */
const STATE_NAMES: Record<AuthState, StateAuth['state']> = {
  idle: 'idle',
  connecting: 'connecting',
  requesting: 'connecting',
  authorizing: 'challenged',
  ready: 'authenticated',
  failed: 'failed',
  refused: 'refused',
};

const MOVES: Record<AuthState, readonly AuthState[]> = {
  idle: ['connecting', 'ready', 'refused', 'idle'],
  connecting: ['requesting', 'refused', 'idle', 'connecting'],
  requesting: AFTER_REQUEST,
  authorizing: AFTER_REQUEST,
  ready: AFTER_REQUEST,
  failed: AFTER_REQUEST,
  refused: AFTER_REQUEST,
};

/** What the AUTH client asks of the node that runs it. `T` is the node's timer handle. */
export interface AuthClientHost<T> {
  /** Virtual (or wall) time now, in microseconds. */
  readonly now: number;
  emit<K extends EndpointEventType>(type: K, fields: EndpointEvents[K], rule?: string): void;
  newTransactionId(): string;
  newCnonce(): string;
  /** An AUTH transaction begins (the node runs its timer, A-13): before its request is traced. */
  openTransaction(transactionId: string, relayIndex: number): void;
  /** Writes an AUTH request on the connection to the first relay. */
  send(frame: MsrpRequest): void;
  setTimer(at: number, fire: () => void): T;
  cancelTimer(timer: T | null): void;
  /** The round is complete: `usePath` holds the new Use-Path; `previous` the one before it. */
  ready(previous: readonly string[], refreshed: boolean): void;
  /** The round ended without a Use-Path, for `reason`: what waits for it fails. */
  gaveUp(reason: string, rule: string): void;
  /** Expires is running out: renew the tokens (on the connection if it is still there). */
  reauthenticate(): void;
  /** The client's state changed (trace format 2, `state.auth`): towards the relay it is at. */
  state?(fields: StateAuth): void;
  /**
   * Whether to build the record for `state` now (asked once per change, just before building it):
   * false when nothing reads state records. Absent: always.
   */
  wantsState?(): boolean;
}

export class AuthClient<T> {
  private current: AuthState = 'idle';
  private index = 0;
  private path: string[] = [];
  private roundPath: string[] = [];
  private refreshing = false;
  private nc = 0;
  private cnonce = '';
  private challenge: { realm: string; nonce: string; opaque?: string } | null = null;
  private stale = 0;
  private expiresAsk: number | null;
  private reauthTimer: T | null = null;
  /** When the re-AUTH runs (µs), while its timer is set. */
  private refreshAt: number | null = null;
  /** The Expires the last 200 granted (seconds), or null. */
  private granted: number | null = null;
  private lastFailure: { reason: string; rule: string } | null = null;

  /**
   * `fromUri` is the From-Path of the AUTH requests (the endpoint's own URI); `expires` the
   * Expires to ask for (seconds), or null to let the relay choose; `renew` false: the tokens are
   * never renewed (R-08 not run), as for a session's own AUTH (`authPerSession`).
   */
  constructor(
    private readonly host: AuthClientHost<T>,
    private readonly relays: readonly RelayCredentials[],
    private fromUri: string,
    private expires: number | null,
    private readonly renew = true,
  ) {
    this.expiresAsk = expires;
  }

  get state(): AuthState {
    return this.current;
  }

  /** Use-Path of the last complete round: what the sessions' paths are built from (R-07). */
  get usePath(): readonly string[] {
    return this.path;
  }

  /** Why the last round failed, while none is under way. */
  get failure(): { reason: string; rule: string } | null {
    return this.current === 'refused' || this.current === 'failed' ? this.lastFailure : null;
  }

  private transition(to: AuthState): void {
    if (!MOVES[this.current].includes(to)) throw new Error(`AUTH client: illegal move ${this.current} -> ${to}`);
    this.current = to;
  }

  /**
   * What the client is now towards the relay it is at (`state.auth`): `requesting` is reported as
   * `connecting` (no answer yet), `authorizing` as `challenged`, `ready` as `authenticated`.
   */
  private report(change: string): void {
    if (!this.host.state || this.relays.length === 0 || this.host.wantsState?.() === false) return;
    const path = this.current === 'ready' ? this.path : this.roundPath;
    this.host.state({
      relay: (this.relays[this.index] ?? this.relays[0]!).uri,
      state: STATE_NAMES[this.current],
      usePath: path.length > 0 ? path.join(' ') : null,
      expires: this.granted,
      refreshAt: this.refreshAt,
      change,
    });
  }

  /** Starts the client: with no relay, there is nothing to AUTH to and the endpoint is ready at once. */
  start(): boolean {
    if (this.relays.length > 0) return true;
    this.transition('ready');
    return false;
  }

  /**
   * A new connection to the first relay is to be opened: the tokens of the old one are gone with
   * it. Returns the relay's URI, or null when it is not usable (the round is refused).
   */
  connect(): MsrpUri | null {
    const first = parseUri(this.relays[0]!.uri);
    if (!first.ok) {
      this.refuse({ relay: this.relays[0]!.uri, reason: first.message }, first.rule);
      return null;
    }
    this.transition('connecting');
    this.lastFailure = null;
    this.index = 0;
    this.path = [];
    this.roundPath = [];
    this.refreshing = false;
    this.report('connect');
    return first.uri;
  }

  /** The connection to the first relay is open: the round begins. */
  connected(): void {
    this.send(null);
  }

  /**
   * renew the tokens on the same connection. The sessions keep the current Use-Path, whose
   * tokens stay valid until they expire, until the new one is complete and offered to their peers.
   */
  refresh(): void {
    this.host.emit('auth.refresh', { relays: this.relays.length }, 'R-08');
    this.index = 0;
    this.roundPath = [];
    this.refreshing = true;
    this.send(null);
  }

  /**
   * The relay connection is gone. Returns false when the relay refused the credentials (no point
   * reconnecting: principle 5, bounded retries; R-15 would count it as brute force).
   */
  lost(): boolean {
    if (this.current === 'refused') return false;
    this.transition('idle');
    this.report('connection-lost');
    return true;
  }

  /** The node crashed: everything is forgotten, the Expires asked for is the configured one again. */
  reset(): void {
    this.transition('idle');
    this.lastFailure = null;
    this.path = [];
    this.roundPath = [];
    this.refreshing = false;
    this.challenge = null;
    this.stale = 0;
    this.expiresAsk = this.expires;
    this.host.cancelTimer(this.reauthTimer);
    this.reauthTimer = null;
    this.refreshAt = null;
    this.granted = null;
  }

  /** A new Expires to ask for from the next AUTH on (scenario `set`). */
  setExpires(expires: number | null): void {
    this.expires = expires;
    this.expiresAsk = expires;
  }

  /** A new own URI (after a restart): the From-Path of the AUTHs from now on. */
  setFromUri(uri: string): void {
    this.fromUri = uri;
  }

  /** the AUTH to relay `relayIndex` got no answer in time. */
  timedOut(relayIndex: number): void {
    this.transition('failed');
    this.report('timed-out');
    this.giveUp(`no response to the AUTH to ${this.relays[relayIndex]?.uri ?? 'the relay'}`, 'A-13');
  }

  /**
   * R-03, RFC 4976 §5.1: the client "MUST send an AUTH request to each relay", the second tunnelled
   * through the first with To-Path `R1-URI R2-URI`.
   */
  private send(authorization: string | null): void {
    const relay = this.relays[this.index]!;
    const tid = this.host.newTransactionId();
    const frame = buildRequest({
      transactionId: tid,
      method: 'AUTH',
      toPath: [...this.roundPath, relay.uri],
      fromPath: [this.fromUri],
      authorization: authorization ?? undefined,
      expires: authorization !== null && this.expiresAsk !== null ? this.expiresAsk : undefined,
    });
    this.host.openTransaction(tid, this.index);
    if (authorization === null) this.stale = 0;
    this.transition(authorization === null ? 'requesting' : 'authorizing');
    this.lastFailure = null;
    this.host.emit('auth.request', { relay: relay.uri, transactionId: tid, withCredentials: authorization !== null, expires: frame.expires ?? null }, 'R-03');
    this.report(authorization === null ? 'auth-sent' : 'credentials-sent');
    this.host.send(frame);
  }

  /** The response to the AUTH sent to relay `relayIndex`. */
  response(frame: MsrpResponse, relayIndex: number): void {
    const relay = this.relays[relayIndex]!;
    const code = frame.statusCode;
    if (code === 401) {
      // R-04, RFC 4976 §5.1: the client SHOULD retry with Authorization for that realm.
      const www = header(frame, 'www-authenticate');
      const parsed = www !== undefined ? parseWwwAuthenticate(www) : null;
      if (!parsed || !parsed.ok) {
        this.refuse({ relay: relay.uri, reason: '401 without a usable WWW-Authenticate' }, 'R-04');
        return;
      }
      if (this.current === 'authorizing' && !parsed.value.stale) {
        this.refuse({ relay: relay.uri, reason: 'credentials refused (401)' }, 'R-04');
        return;
      }
      if (parsed.value.stale) {
        // R-16h: a stale nonce is retried with the new one, a bounded number of times in a row
        // (a path slower than the relay's nonce lifetime would otherwise loop for ever).
        this.stale++;
        if (this.stale > MAX_STALE_RETRIES) {
          this.refuse({ relay: relay.uri, reason: `nonce stale ${this.stale} times in a row` }, 'R-16h');
          return;
        }
      }
      // R-16h, RFC 2617 §3.2.2: the nonce count counts the requests sent with this nonce, so a
      // new nonce (a new relay's, or a stale one replaced) starts again at 00000001.
      if (this.challenge?.nonce !== parsed.value.nonce) this.nc = 0;
      this.challenge = { realm: parsed.value.realm, nonce: parsed.value.nonce, opaque: parsed.value.opaque };
      this.host.emit('auth.challenged', { relay: relay.uri, realm: parsed.value.realm, stale: parsed.value.stale ?? false }, 'R-04');
      this.send(this.authorization(relay));
      return;
    }
    if (code === 423) {
      // R-05, RFC 4976 §4.6: out-of-bounds Expires; retry within Min-/Max-Expires.
      const next = frame.minExpires ?? frame.maxExpires ?? null;
      if (next === null || next === this.expiresAsk) {
        this.refuse({ relay: relay.uri, reason: '423 without a usable Min-Expires or Max-Expires' }, 'R-05');
        return;
      }
      this.host.emit('auth.retry-expires', { relay: relay.uri, asked: this.expiresAsk, next }, 'R-05');
      this.expiresAsk = next;
      this.send(this.authorization(relay));
      return;
    }
    if (code !== 200) {
      this.refuse({ relay: relay.uri, reason: `${code} ${frame.comment ?? ''}`.trim() }, code === 403 ? 'R-11' : 'R-04');
      return;
    }
    // "MUST include rspauth, cnonce, nc, and qop parameters in a "Authentication-Info" header".
    const info = header(frame, 'authentication-info');
    if (info === undefined) {
      this.host.emit('endpoint.violation', { peer: relay.uri, message: '200 to AUTH without Authentication-Info' }, 'R-06');
    } else if (this.challenge) {
      const parsed = parseAuthenticationInfo(info);
      const expected = computeRspauth({
        username: relay.username,
        realm: this.challenge.realm,
        password: relay.password,
        uri: relay.uri,
        nonce: this.challenge.nonce,
        nc: this.nc,
        cnonce: this.cnonce,
      });
      if (!parsed.ok || parsed.value.rspauth !== expected) {
        this.host.emit('endpoint.violation', { peer: relay.uri, message: 'Authentication-Info rspauth does not match' }, 'R-06');
      }
    }
    const usePath = frame.usePath ?? [];
    const expires = frame.expires ?? null;
    this.roundPath = usePath;
    this.granted = expires;
    this.stale = 0;
    this.host.emit('auth.ok', { relay: relay.uri, usePath, expires }, 'R-06');
    this.challenge = null;
    if (this.index + 1 < this.relays.length) {
      this.index++;
      this.send(null);
      return;
    }
    const previous = this.path;
    const refreshed = this.refreshing;
    this.path = this.roundPath;
    this.refreshing = false;
    this.transition('ready');
    this.host.emit('endpoint.ready', { usePath: this.path }, 'R-07');
    if (expires !== null && this.renew) {
      // re-AUTH (and re-negotiate) before the tokens expire; here at 80 % of Expires.
      this.host.cancelTimer(this.reauthTimer);
      this.refreshAt = this.host.now + Math.floor(expires * REAUTH_AT * SECOND);
      this.reauthTimer = this.host.setTimer(this.refreshAt, () => {
        this.refreshAt = null;
        this.host.reauthenticate();
      });
    }
    this.report(expires !== null ? 'granted-refresh-set' : 'granted');
    this.host.ready(previous, refreshed);
  }

  /** R-16g, RFC 4976 §9.1: the Authorization for the relay's last challenge. */
  private authorization(relay: RelayCredentials): string {
    const challenge = this.challenge!;
    this.nc++;
    this.cnonce = this.host.newCnonce();
    // R-16g: "The request-URI to be used in calculating H(A2) is the rightmost URI in the To-Path
    // header", which is the relay's own URI for each AUTH.
    const response = computeDigestResponse({
      username: relay.username,
      realm: challenge.realm,
      password: relay.password,
      method: 'AUTH',
      uri: relay.uri,
      nonce: challenge.nonce,
      nc: this.nc,
      cnonce: this.cnonce,
      qop: 'auth',
    });
    return formatAuthorization({
      username: relay.username,
      realm: challenge.realm,
      nonce: challenge.nonce,
      // H(A2) is computed over the relay's URI either way; only the parameter may be left out.
      ...(relay.digestUri === false ? {} : { uri: relay.uri }),
      response,
      cnonce: this.cnonce,
      nc: formatNc(this.nc),
      qop: 'auth',
      opaque: challenge.opaque,
    });
  }

  /**
   * The relay refused the AUTH (R-04, R-05, R-11, R-16h): no retry (it would only be refused
   * again), and what waits for the AUTH fails now, with this reason.
   */
  private refuse(fields: { relay: string; reason: string }, rule: string): void {
    this.host.emit('auth.fail', fields, rule);
    this.transition('refused');
    this.report('refused');
    this.giveUp(`AUTH to ${fields.relay} failed: ${fields.reason}`, rule);
  }

  private giveUp(reason: string, rule: string): void {
    this.lastFailure = { reason, rule };
    this.host.gaveUp(reason, rule);
  }
}
