/**
 * An MSRP endpoint (RFC 4975), which may use relays (RFC 4976 §5): the Push Sender Agent and Push
 * Receiver Agent of SPEC §3.1. It authenticates to its relays, negotiates sessions through the
 * signalling core, opens (or waits for) the connection, sends messages in chunks, reassembles what
 * it receives, and answers and reports exactly as the Failure-Report / Success-Report table says.
 */
import type { Host, TcpConnection } from '../net/index.js';
import type { ConnectionCloseReason } from './seams.js';
import { SimConnection } from './sim-connection.js';
import type { Timer } from '../sim/scheduler.js';
import { SECOND, type Micros } from '../sim/time.js';
import { buildRequest, buildResponse } from '../wire/builder.js';
import type { ByteRange, FailureReport, MsrpRequest, MsrpResponse, SuccessReport } from '../wire/frame.js';
import { parseUri, uriKey, formatUri } from '../wire/uri.js';
import {
  computeDigestResponse,
  computeRspauth,
  formatAuthorization,
  formatNc,
  parseAuthenticationInfo,
  parseWwwAuthenticate,
} from '../wire/digest.js';
import { malformedViolation } from '../wire/tolerance.js';
import { MessageAssembly } from '../protocol/reassembler.js';
import { requestToPath, responseToPath, sdpPath } from '../protocol/paths.js';
import { buildReport, effectiveFailureReport, effectiveSuccessReport, endpointResponse } from '../protocol/report.js';
import { mediaTypeAccepted } from '../signal/media-types.js';
import { MsrpConnection, type SendSource } from './msrp-connection.js';
import type { NodeContext } from './node-context.js';
import type { AnswerResult, OfferReceived, Signalling, SignallingPeer } from './signalling.js';
import { buildAnswer, buildOffer, validateAnswer, type EndpointSdpConfig } from '../signal/offer-answer.js';
import type { MsrpMediaDescription, SessionDescription } from '../signal/sdp.js';
import { contentFor, digestOf, type MessageBytes } from './content.js';

export interface RelayCredentials {
  /** The relay's URI as configured (no session part), e.g. `msrps://relay.a.example.com:2855;tcp`. */
  uri: string;
  username: string;
  password: string;
}

export interface EndpointOptions {
  host: string;
  port: number;
  scheme: 'msrp' | 'msrps';
  relays: RelayCredentials[];
  acceptTypes: string[];
  acceptWrappedTypes: string[];
  maxSize: number;
  chunkSize: number;
  chunkStrategy: 'fixed' | 'interruptible';
  successReport: SuccessReport;
  failureReport: FailureReport;
  transactionTimeout: Micros;
  /** Expires to ask for in AUTH (seconds), or null to let the relay choose. */
  authExpires: number | null;
  connectionModel: 'rfc4975' | 'rfc6135';
  /** RFC 6135: whether this endpoint has a globally reachable address (E-18). */
  reachable: boolean;
  /** What to do when a session fails: only report it, or re-establish it with a new offer. */
  onSessionFailure: 'report' | 'reestablish';
  tlsVersion: '1.2' | '1.3';
  /** Names in this endpoint's TLS server certificate (default: its host name). */
  certificateNames?: string[];
}

export interface SendAction {
  session: string;
  contentType: string;
  body?: string;
  size?: number;
  chunkSize?: number;
  chunkStrategy?: 'fixed' | 'interruptible';
  successReport?: SuccessReport;
  failureReport?: FailureReport;
  /** Send even what the peer did not signal (type or size), to provoke 415 / 413. */
  force?: boolean;
  /** Abort the message after this many bytes (E-24). */
  abortAfter?: number;
}

type SessionState = 'waiting-auth' | 'offering' | 'answering' | 'connecting' | 'established' | 'failed' | 'closed';

/** A resend (E-19): the same bytes under the same Message-ID. */
/** A send action, or a message sent again after its session was re-established (its Message-ID and bytes kept). */
export type Resend = SendAction & { messageIdKeep?: string; dataKeep?: MessageBytes };

interface Outgoing {
  messageId: string;
  /** The action that made it, kept to send it again (E-19). */
  action: Resend;
  /** Transactions of its chunks still waiting for their 200 (Failure-Report yes). */
  unconfirmed: Set<string>;
  source: SendSource;
  size: number;
  successReport: SuccessReport;
  failureReport: FailureReport;
  digest: string;
  reported: number;
  done: boolean;
  /** Its transactions still open: Failure-Report yes waiting for a response, partial within its window. */
  live: number;
  /** Once nothing more is expected of it: when it is forgotten (docs/ambiguities.md E-32). */
  forgetAt: Micros | null;
}

interface Incoming {
  assembly: MessageAssembly;
  contentType: string;
  successReport: SuccessReport;
  fromPath: string[];
  firstAt: Micros;
  tooLarge?: boolean;
  /** Once the message is complete or aborted: when it is forgotten (docs/ambiguities.md E-32). */
  forgetAt: Micros | null;
}

interface Session {
  id: string;
  peer: string;
  role: 'offerer' | 'answerer';
  state: SessionState;
  localUri: string;
  localKey: string;
  offer: SessionDescription | null;
  peerMedia: MsrpMediaDescription | null;
  toPath: string[];
  active: boolean;
  conn: MsrpConnection | null;
  incoming: Map<string, Incoming>;
  outgoing: Map<string, Outgoing>;
  /** Messages nothing more is expected of, in the order they fall due to be forgotten (E-32); from settledHead on. */
  settled: Settled[];
  settledHead: number;
  queued: Resend[];
  attempts: number;
  /** Message-ID of the bodiless SEND that bound the connection (E-13), to recognise its REPORTs. */
  bindingMessageId: string | null;
  /**
   * The SDP this side sent last, offer or answer, taken or not: the next one keeps its o= line with
   * the version one higher (RFC 3264 §8).
   */
  localSdp: SessionDescription | null;
  /** The a=path of the last exchange that completed: what the peer builds its To-Path from. */
  advertisedPath: readonly string[];
  /** A new offer/answer exchange under way on the session (RFC 4975 §8.4). */
  negotiation: 'none' | 'reoffering' | 'answering';
  /** The new offer sent, while `reoffering`. */
  pendingOffer: SessionDescription | null;
  /** A new offer waiting to be sent again after a 491 (RFC 3261 §14.1). */
  reofferTimer: Timer | null;
  /** Its INVITE was sent and its answer has not come back yet. */
  offerPending: boolean;
  /** Its BYE was sent and its 200 has not come back yet. */
  byePending: boolean;
  /** Actions for it waiting for the AUTH to finish (`afterAuth`). */
  waiting: number;
  /** Once it has ended or failed and nothing more is under way for it: when it is forgotten (docs/signalling.md). */
  forgetAt: Micros | null;
}

/** A message sent or received that is forgotten at `at` (docs/ambiguities.md E-32). */
interface Settled {
  at: Micros;
  out?: Outgoing;
  incoming?: Incoming;
}

const EMPTY_SETTLED: Settled = { at: 0 };

interface Transaction {
  kind: 'send' | 'auth';
  session?: Session;
  message?: Outgoing;
  range?: ByteRange;
  timer: Timer | null;
  relayIndex?: number;
}

/** `failed`: no answer in time (worth another try); `refused`: the relay said no (not retried). */
type AuthState = 'idle' | 'connecting' | 'challenged' | 'authorizing' | 'ready' | 'failed' | 'refused';

const DEFAULT_RELAY_PORT = 2855;
/** Stale-nonce 401s retried in a row before the AUTH is given up (R-16h). */
const MAX_STALE_RETRIES = 3;

/** `scheme://host:port` of an MSRP URI: what a raw connection is opened to and looked up by. */
function rawKey(target: string): string {
  const p = parseUri(target);
  return p.ok ? `${p.uri.scheme}://${p.uri.host.toLowerCase()}:${p.uri.port ?? DEFAULT_RELAY_PORT}` : target;
}

export class EndpointNode implements SignallingPeer {
  readonly id: string;
  private readonly sessions = new Map<string, Session>();
  private readonly byUri = new Map<string, Session>();
  /** Sessions ended or failed, still remembered: each is forgotten once it is over (docs/signalling.md). */
  private readonly ended = new Set<Session>();
  private readonly transactions = new Map<string, Transaction>();
  private readonly connections = new Set<MsrpConnection>();
  private relayConn: MsrpConnection | null = null;
  private authState: AuthState = 'idle';
  private authIndex = 0;
  /** Use-Path of the last complete AUTH round: what the sessions' paths are built from (R-07). */
  private usePath: string[] = [];
  /** Use-Path of the AUTH round under way, relay by relay (R-03: each AUTH goes through the last token). */
  private authPath: string[] = [];
  /** The AUTH round under way refreshes tokens of a connection that had them. */
  private refreshing = false;
  private authNc = 0;
  private authCnonce = '';
  private authChallenge: { realm: string; nonce: string; opaque?: string } | null = null;
  /** 401s with stale=true in a row (R-16h). */
  private authStale = 0;
  private authExpiresAsk: number | null;
  private reauthTimer: Timer | null = null;
  private reconnectTimer: Timer | null = null;
  private deviceUri: string;
  private crashed = false;
  /** One more at each crash: what was scheduled before it belongs to a life of the node that is over. */
  private epoch = 0;
  /** What waits for the AUTH round to finish: `run` once it has, `fail` if it fails. */
  private readonly whenReady: { run: () => void; fail: (reason: string, rule: string) => void }[] = [];
  /** Why the last AUTH round failed, while the endpoint has none under way. */
  private authFailure: { reason: string; rule: string } | null = null;

  constructor(
    readonly ctx: NodeContext,
    readonly host: Host,
    readonly options: EndpointOptions,
    private readonly signalling: Signalling,
  ) {
    this.id = ctx.id;
    this.authExpiresAsk = options.authExpires;
    this.deviceUri = this.makeUri(ctx.newSessionId());
    this.listen();
    host.onCrash = () => this.crash();
    host.onRestart = () => this.restart();
  }

  // ----------------------------------------------------------------------------------------------
  // Life cycle

  /** Starts the node: authenticates to its relays if it has any. */
  start(): void {
    if (this.options.relays.length > 0) this.connectRelay();
    else this.authState = 'ready';
  }

  /** The host name SIP reaches this endpoint at. */
  get sipHost(): string {
    return this.options.host;
  }

  get ready(): boolean {
    return this.authState === 'ready';
  }

  /**
   * How much the endpoint remembers, for tests of bounded state (SPEC §9): open transactions,
   * sessions, messages sent and received still remembered, actions waiting for the AUTH.
   */
  get stateSizes(): { transactions: number; sessions: number; messagesOut: number; messagesIn: number; waiting: number } {
    let messagesOut = 0;
    let messagesIn = 0;
    for (const s of this.sessions.values()) {
      messagesOut += s.outgoing.size;
      messagesIn += s.incoming.size;
    }
    return { transactions: this.transactions.size, sessions: this.sessions.size, messagesOut, messagesIn, waiting: this.whenReady.length };
  }

  /** The URIs of Use-Path after the last AUTH (empty without relays). */
  get currentUsePath(): readonly string[] {
    return this.usePath;
  }

  private listen(): void {
    this.host.listen(this.options.port, (tcp) => this.adopt(tcp), this.options.scheme === 'msrps'
      ? { certificateNames: this.options.certificateNames ?? [this.options.host], version: this.options.tlsVersion }
      : undefined);
  }

  /**
   * The host crashed: the node loses everything it knew, as a process would. Sessions, their
   * messages and transactions, what waited for the AUTH to finish (offers, answers, re-offers),
   * the AUTH round and its tokens; timers still scheduled find a new epoch and do nothing.
   */
  private crash(): void {
    this.crashed = true;
    this.epoch++;
    this.ctx.emit('node.crash', { role: 'endpoint', sessions: this.sessions.size, waiting: this.whenReady.length });
    for (const t of this.transactions.values()) this.ctx.sim.scheduler.cancel(t.timer);
    this.transactions.clear();
    for (const session of this.sessions.values()) {
      this.ctx.sim.scheduler.cancel(session.reofferTimer);
      this.failQueued(session, 'the node crashed', undefined);
      this.dropMessages(session);
      this.signalling.release(session.id, this.id);
    }
    this.sessions.clear();
    this.ended.clear();
    this.byUri.clear();
    this.connections.clear();
    this.whenReady.length = 0;
    this.relayConn = null;
    this.authState = 'idle';
    this.authFailure = null;
    this.usePath = [];
    this.authPath = [];
    this.refreshing = false;
    this.authChallenge = null;
    this.authStale = 0;
    this.authExpiresAsk = this.options.authExpires;
    this.ctx.sim.scheduler.cancel(this.reauthTimer);
    this.ctx.sim.scheduler.cancel(this.reconnectTimer);
    this.reauthTimer = null;
    this.reconnectTimer = null;
  }

  private restart(): void {
    this.crashed = false;
    this.ctx.emit('node.restart', { role: 'endpoint' });
    this.deviceUri = this.makeUri(this.ctx.newSessionId());
    this.listen();
    this.start();
  }

  private makeUri(sessionId: string): string {
    return `${this.options.scheme}://${this.options.host}:${this.options.port}/${sessionId};tcp`;
  }

  private adopt(tcp: TcpConnection, opened?: () => void): MsrpConnection {
    const conn = new MsrpConnection(this.ctx, new SimConnection(tcp), {
      request: (c, f) => this.onRequest(c, f),
      response: (c, f) => this.onResponse(c, f),
      closed: (c, r) => this.onClosed(c, r),
      opened,
    });
    this.connections.add(conn);
    return conn;
  }

  // ----------------------------------------------------------------------------------------------
  // AUTH to the relays (RFC 4976 §5.1)

  private connectRelay(): void {
    if (this.crashed) return;
    const first = parseUri(this.options.relays[0]!.uri);
    if (!first.ok) {
      this.authRefused({ relay: this.options.relays[0]!.uri, reason: first.message }, first.rule);
      return;
    }
    const uri = first.uri;
    this.authState = 'connecting';
    this.authFailure = null;
    this.authIndex = 0;
    // A new connection: the tokens of the old one are gone with it.
    this.usePath = [];
    this.authPath = [];
    this.refreshing = false;
    const tls = uri.scheme === 'msrps' ? { serverName: uri.host, version: this.options.tlsVersion } : undefined;
    const tcp = this.host.connect({ host: uri.host, port: uri.port ?? DEFAULT_RELAY_PORT, tls }, {});
    this.relayConn = this.adopt(tcp, () => {
      this.ctx.emit('endpoint.relay-connected', { conn: tcp.id, relay: this.options.relays[0]!.uri }, 'R-03');
      this.sendAuth(null);
    });
  }

  private scheduleReconnect(reason: ConnectionCloseReason): void {
    if (this.crashed || this.reconnectTimer) return;
    if (this.authState === 'refused') {
      // Principle 5 (bounded retries): the relay refused the credentials; reconnecting would
      // only repeat the refusal (and R-15 counts it as brute force).
      this.ctx.emit('endpoint.relay-lost', { reason: reason.kind, detail: reason.detail, retryIn: null }, 'R-04');
      return;
    }
    this.authState = 'idle';
    this.ctx.emit('endpoint.relay-lost', { reason: reason.kind, detail: reason.detail, retryIn: 2 * SECOND }, 'E-19');
    this.reconnectTimer = this.ctx.sim.scheduler.after(2 * SECOND, () => {
      this.reconnectTimer = null;
      this.relayConn = null;
      this.connectRelay();
    });
  }

  /**
   * R-03, RFC 4976 §5.1: the client "MUST send an AUTH request to each relay", the second tunnelled
   * through the first with To-Path `R1-URI R2-URI`.
   */
  private sendAuth(authorization: string | null): void {
    const relay = this.options.relays[this.authIndex]!;
    const tid = this.ctx.newTransactionId();
    const toPath = [...this.authPath, relay.uri];
    const frame = buildRequest({
      transactionId: tid,
      method: 'AUTH',
      toPath,
      fromPath: [this.deviceUri],
      authorization: authorization ?? undefined,
      expires: authorization !== null && this.authExpiresAsk !== null ? this.authExpiresAsk : undefined,
    });
    this.transactions.set(tid, { kind: 'auth', timer: this.startTimer(tid), relayIndex: this.authIndex });
    if (authorization === null) this.authStale = 0;
    this.authState = authorization === null ? 'connecting' : 'authorizing';
    this.authFailure = null;
    this.ctx.emit('auth.request', { relay: relay.uri, transactionId: tid, withCredentials: authorization !== null, expires: frame.expires ?? null }, 'R-03');
    this.relayConn?.sendFrame(frame);
  }

  private onAuthResponse(frame: MsrpResponse, relayIndex: number): void {
    const relay = this.options.relays[relayIndex]!;
    const code = frame.statusCode;
    if (code === 401) {
      // R-04, RFC 4976 §5.1: the client SHOULD retry with Authorization for that realm.
      const header = frame.headers.find(([n]) => n.toLowerCase() === 'www-authenticate');
      const parsed = header ? parseWwwAuthenticate(header[1]) : null;
      if (!parsed || !parsed.ok) {
        this.authRefused({ relay: relay.uri, reason: '401 without a usable WWW-Authenticate' }, 'R-04');
        return;
      }
      if (this.authState === 'authorizing' && !parsed.value.stale) {
        this.authRefused({ relay: relay.uri, reason: 'credentials refused (401)' }, 'R-04');
        return;
      }
      if (parsed.value.stale) {
        // R-16h: a stale nonce is retried with the new one, a bounded number of times in a row
        // (a path slower than the relay's nonce lifetime would otherwise loop for ever).
        this.authStale++;
        if (this.authStale > MAX_STALE_RETRIES) {
          this.authRefused({ relay: relay.uri, reason: `nonce stale ${this.authStale} times in a row` }, 'R-16h');
          return;
        }
      }
      // R-16h, RFC 2617 §3.2.2: the nonce count counts the requests sent with this nonce, so a
      // new nonce (a new relay's, or a stale one replaced) starts again at 00000001.
      if (this.authChallenge?.nonce !== parsed.value.nonce) this.authNc = 0;
      this.authChallenge = { realm: parsed.value.realm, nonce: parsed.value.nonce, opaque: parsed.value.opaque };
      this.ctx.emit('auth.challenged', { relay: relay.uri, realm: parsed.value.realm, stale: parsed.value.stale ?? false }, 'R-04');
      this.sendAuth(this.authorization(relay));
      return;
    }
    if (code === 423) {
      // R-05, RFC 4976 §4.6: out-of-bounds Expires; retry within Min-/Max-Expires.
      const next = frame.minExpires ?? frame.maxExpires ?? null;
      if (next === null || next === this.authExpiresAsk) {
        this.authRefused({ relay: relay.uri, reason: '423 without a usable Min-Expires or Max-Expires' }, 'R-05');
        return;
      }
      this.ctx.emit('auth.retry-expires', { relay: relay.uri, asked: this.authExpiresAsk, next }, 'R-05');
      this.authExpiresAsk = next;
      this.sendAuth(this.authorization(relay));
      return;
    }
    if (code !== 200) {
      this.authRefused({ relay: relay.uri, reason: `${code} ${frame.comment ?? ''}`.trim() }, code === 403 ? 'R-11' : 'R-04');
      return;
    }
    // "MUST include rspauth, cnonce, nc, and qop parameters in a "Authentication-Info" header".
    const info = frame.headers.find(([n]) => n.toLowerCase() === 'authentication-info');
    if (!info) {
      this.ctx.emit('endpoint.violation', { peer: relay.uri, message: '200 to AUTH without Authentication-Info' }, 'R-06');
    } else if (this.authChallenge) {
      const parsed = parseAuthenticationInfo(info[1]);
      const expected = computeRspauth({
        username: relay.username,
        realm: this.authChallenge.realm,
        password: relay.password,
        uri: relay.uri,
        nonce: this.authChallenge.nonce,
        nc: this.authNc,
        cnonce: this.authCnonce,
      });
      if (!parsed.ok || parsed.value.rspauth !== expected) {
        this.ctx.emit('endpoint.violation', { peer: relay.uri, message: 'Authentication-Info rspauth does not match' }, 'R-06');
      }
    }
    const usePath = frame.usePath ?? [];
    const expires = frame.expires ?? null;
    this.authPath = usePath;
    this.authStale = 0;
    this.ctx.emit('auth.ok', { relay: relay.uri, usePath, expires }, 'R-06');
    this.authChallenge = null;
    if (this.authIndex + 1 < this.options.relays.length) {
      this.authIndex++;
      this.sendAuth(null);
      return;
    }
    const previous = this.usePath;
    const refreshed = this.refreshing;
    this.usePath = this.authPath;
    this.refreshing = false;
    this.authState = 'ready';
    this.ctx.emit('endpoint.ready', { usePath: this.usePath }, 'R-07');
    if (expires !== null) {
      // re-AUTH (and re-negotiate) before the tokens expire; here at 80 % of Expires.
      this.ctx.sim.scheduler.cancel(this.reauthTimer);
      this.reauthTimer = this.ctx.sim.scheduler.after(Math.floor(expires * 0.8 * SECOND), () => this.reauthenticate());
    }
    const waiting = this.whenReady.splice(0);
    for (const w of waiting) w.run();
    // R-08: the sessions' paths still name the old tokens, which expire: offer the new ones.
    if (refreshed && !samePath(previous, this.usePath)) {
      for (const session of [...this.sessions.values()]) this.renegotiate(session, 'new Use-Path after the re-AUTH');
    }
  }

  /** Re-AUTH before Expires runs out, on the same relay connection. */
  /**
   * New settings from now on (scenario action `set`). A new `authExpires` is what the next AUTH
   * asks for (the next re-AUTH, or the first one after a reconnect).
   */
  reconfigure(options: EndpointOptions): void {
    const expiresChanged = options.authExpires !== this.options.authExpires;
    Object.assign(this.options, options);
    if (expiresChanged) this.authExpiresAsk = options.authExpires;
  }

  reauthenticate(): void {
    if (this.crashed || this.options.relays.length === 0) return;
    if (!this.relayConn || !this.relayConn.isOpen) {
      this.connectRelay();
      return;
    }
    this.ctx.emit('auth.refresh', { relays: this.options.relays.length }, 'R-08');
    this.authIndex = 0;
    // The sessions keep the current Use-Path, whose tokens stay valid until they expire, until the
    // new one is complete and offered to their peers.
    this.authPath = [];
    this.refreshing = true;
    this.sendAuth(null);
  }

  private authorization(relay: RelayCredentials): string {
    const challenge = this.authChallenge!;
    this.authNc++;
    this.authCnonce = this.ctx.newCnonce();
    // R-16g, RFC 4976 §9.1: "The request-URI to be used in calculating H(A2) is the rightmost URI
    // in the To-Path header", which is the relay's own URI for each AUTH.
    const response = computeDigestResponse({
      username: relay.username,
      realm: challenge.realm,
      password: relay.password,
      method: 'AUTH',
      uri: relay.uri,
      nonce: challenge.nonce,
      nc: this.authNc,
      cnonce: this.authCnonce,
      qop: 'auth',
    });
    return formatAuthorization({
      username: relay.username,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri: relay.uri,
      response,
      cnonce: this.authCnonce,
      nc: formatNc(this.authNc),
      qop: 'auth',
      opaque: challenge.opaque,
    });
  }

  /**
   * The relay refused the AUTH: no retry (it would only be refused again), and
   * what waits for the AUTH fails now, with this reason.
   */
  private authRefused(fields: { relay: string; reason: string }, rule: string): void {
    this.ctx.emit('auth.fail', fields, rule);
    this.authState = 'refused';
    this.authGaveUp(`AUTH to ${fields.relay} failed: ${fields.reason}`, rule);
  }

  /**
   * The AUTH round is over without a Use-Path: the sessions waiting for it to offer or answer
   * cannot, and fail at once with its reason; so do those asked for until another round starts.
   */
  private authGaveUp(reason: string, rule: string): void {
    this.authFailure = { reason, rule };
    const waiting = this.whenReady.splice(0);
    for (const w of waiting) w.fail(reason, rule);
  }

  private afterAuth(run: () => void, fail: (reason: string, rule: string) => void): void {
    if (this.authState === 'ready') run();
    else if (this.authFailure && (this.authState === 'refused' || this.authState === 'failed')) fail(this.authFailure.reason, this.authFailure.rule);
    else this.whenReady.push({ run, fail });
  }

  // ----------------------------------------------------------------------------------------------
  // Sessions: SDP offer/answer through the signalling core (SPEC §3.4)

  /** Scenario action `session`: this node offers session `sessionId` to `peer`. */
  openSession(sessionId: string, peer: string): void {
    const session = this.newSession(sessionId, peer, 'offerer');
    this.afterAuthFor(
      session,
      () => {
        // Ended while its offer waited for the AUTH: there is nothing to offer any more.
        if (session.state === 'closed') {
          this.ctx.emit('session.abandoned', { session: session.id, peer, step: 'offer' }, 'E-11');
          return;
        }
        this.sendOffer(session);
      },
      (reason, rule) => this.failSession(session, reason, rule, false),
    );
  }

  /** `afterAuth` for an action on `session`: the session is not forgotten while it waits. */
  private afterAuthFor(session: Session, run: () => void, fail: (reason: string, rule: string) => void): void {
    session.waiting++;
    this.afterAuth(
      () => {
        session.waiting--;
        run();
        this.sessionOver(session);
      },
      (reason, rule) => {
        session.waiting--;
        fail(reason, rule);
        this.sessionOver(session);
      },
    );
  }

  private newSession(id: string, peer: string, role: 'offerer' | 'answerer'): Session {
    // U-09, RFC 4975 §8.2: the rightmost URI "MUST be assigned for this particular session".
    const localUri = this.makeUri(this.ctx.newSessionId());
    const key = this.keyOf(localUri);
    const old = this.sessions.get(id);
    const session: Session = {
      id,
      peer,
      role,
      state: 'waiting-auth',
      localUri,
      localKey: key,
      offer: null,
      peerMedia: null,
      toPath: [],
      active: false,
      conn: null,
      incoming: new Map(),
      outgoing: new Map(),
      settled: [],
      settledHead: 0,
      queued: old ? old.queued : [],
      attempts: (old?.attempts ?? 0) + 1,
      bindingMessageId: null,
      localSdp: null,
      advertisedPath: [],
      negotiation: 'none',
      pendingOffer: null,
      reofferTimer: null,
      offerPending: false,
      byePending: false,
      waiting: 0,
      forgetAt: null,
    };
    if (old) {
      this.byUri.delete(old.localKey);
      this.ctx.sim.scheduler.cancel(old.reofferTimer);
      this.dropMessages(old);
    }
    this.sessions.set(id, session);
    this.byUri.set(key, session);
    this.forgetEnded();
    return session;
  }

  /**
   * What this endpoint puts in its SDP (RFC 4975 §8; R-07 for the path). A new offer or answer in
   * a session keeps the o= line of the last SDP sent, its version one higher (RFC 3264 §8: "the
   * version in the origin field MUST increment by one from the previous SDP").
   */
  private sdpConfig(session: Session, previous: SessionDescription | null = null): EndpointSdpConfig {
    const origin = previous
      ? { username: previous.origin.username, sessionId: previous.origin.sessionId, version: String(Number(previous.origin.version) + 1) }
      : { username: this.id, sessionId: String(this.ctx.rng('sdp').int(2 ** 31)), version: '1' };
    const config: EndpointSdpConfig = {
      origin,
      path: sdpPath(this.usePath, session.localUri),
      acceptTypes: this.options.acceptTypes,
      comedia: this.options.connectionModel === 'rfc6135',
      behindNat: !this.options.reachable,
    };
    if (this.options.acceptWrappedTypes.length > 0) config.acceptWrappedTypes = this.options.acceptWrappedTypes;
    if (Number.isFinite(this.options.maxSize)) config.maxSize = this.options.maxSize;
    return config;
  }

  private sendOffer(session: Session): void {
    session.state = 'offering';
    // E-18: with RFC 6135 the offer carries a=setup (actpass when reachable, else active).
    session.offer = buildOffer(this.sdpConfig(session));
    const m = session.offer.media[0]!;
    session.localSdp = session.offer;
    session.advertisedPath = m.path;
    this.ctx.emit('session.offer', { session: session.id, peer: session.peer, path: m.path, setup: m.setup ?? null }, 'R-07');
    session.offerPending = true;
    this.signalling.offer(session.id, this.id, session.peer, session.offer);
  }

  onOffer(sessionId: string, from: string, received: OfferReceived, reoffer = false): void {
    if (this.crashed) return;
    if (reoffer) {
      this.onReoffer(sessionId, from, received);
      return;
    }
    const session = this.newSession(sessionId, from, 'answerer');
    session.state = 'answering';
    const abandoned = (): boolean => {
      if (session.state !== 'closed') return false;
      // Ended while its answer waited for the AUTH: the INVITE still gets a final response,
      // a decline (RFC 3261 §13.3.1.3), and the session stays ended.
      this.ctx.emit('session.abandoned', { session: session.id, peer: from, step: 'answer', status: 603 }, 'E-11');
      this.signalling.answer(session.id, this.id, from, { ok: false, status: 603, reason: 'the session ended before it was answered', rule: 'E-11' });
      return true;
    };
    // The AUTH failed: there is no path to answer with; the INVITE is declined with the reason.
    const authFailed = (reason: string, rule: string): void => {
      if (abandoned()) return;
      this.failSession(session, reason, rule, false);
      this.signalling.answer(session.id, this.id, from, { ok: false, status: 488, reason, rule });
    };
    this.afterAuthFor(session, () => {
      if (abandoned()) return;
      if (!received.ok) {
        this.reject(session, from, { ok: false, status: 488, reason: received.reason, rule: received.rule });
        return;
      }
      const result = buildAnswer(received.offer, this.sdpConfig(session));
      if (!result.ok) {
        this.reject(session, from, result);
        return;
      }
      session.peerMedia = received.offer.media.find((m) => m.port !== 0) ?? received.offer.media[0]!;
      // E-12 (offerer active) or E-18 (RFC 6135 a=setup) decided by the offer/answer model.
      session.active = result.active === 'answerer';
      session.toPath = requestToPath(this.usePath, session.peerMedia.path);
      session.state = 'connecting';
      const m = result.answer.media.find((x) => x.port !== 0)!;
      session.localSdp = result.answer;
      session.advertisedPath = m.path;
      this.ctx.emit('session.answer', { session: sessionId, peer: from, path: m.path, setup: m.setup ?? null, active: session.active }, 'R-07');
      this.signalling.answer(sessionId, this.id, from, { ok: true, answer: result.answer });
      // With relays, the relay connection carries the session.
      if (this.options.relays.length > 0) session.conn = this.relayConn;
      if (session.active) this.activate(session);
    }, authFailed);
  }

  private reject(session: Session, from: string, verdict: { ok: false; status: number; reason: string; rule: string }): void {
    session.state = 'failed';
    this.ctx.emit('session.reject', { session: session.id, status: verdict.status, reason: verdict.reason }, verdict.rule);
    this.failQueued(session, `the offer was rejected: ${verdict.status} ${verdict.reason}`, verdict.rule);
    this.signalling.answer(session.id, this.id, from, verdict);
    this.sessionOver(session);
  }

  onAnswer(sessionId: string, result: AnswerResult): void {
    const session = this.sessions.get(sessionId);
    if (session && !this.crashed && session.negotiation === 'reoffering') {
      this.onReanswer(session, result);
      this.sessionOver(session);
      return;
    }
    if (this.crashed) return;
    if (session) session.offerPending = false;
    if (!session || !session.offer || session.state !== 'offering') {
      // The answer is to an offer this node no longer has: the session was re-created since (and
      // waits to offer again), ended while its offer was on its way, or the node crashed. It is
      // not applied; a 200 for a session ended meanwhile gets the BYE the end could not send yet.
      // A 200 after Timer B fired (the session failed meanwhile) is ended the same way.
      const ended = (session?.state === 'closed' || session?.state === 'failed') && result.ok;
      this.ctx.emit('session.answer-ignored', { session: sessionId, state: session?.state ?? null, status: result.ok ? 200 : result.status, bye: ended }, 'RFC 3261 §13.2.2.4');
      if (ended) this.sendBye(session);
      if (session) this.sessionOver(session);
      return;
    }
    if (!result.ok && result.timeout) {
      // RFC 3261 §17.1.1.2: no final response before Timer B: the INVITE failed, and the session.
      this.failSession(session, `${result.status} ${result.reason}`, result.rule);
      return;
    }
    if (!result.ok) {
      session.state = 'failed';
      this.ctx.emit('session.rejected', { session: sessionId, status: result.status, reason: result.reason }, result.rule);
      this.failQueued(session, `the offer was rejected: ${result.status} ${result.reason}`, result.rule);
      this.sessionOver(session);
      return;
    }
    const verdict = validateAnswer(session.offer, result.answer);
    if (!verdict.ok) {
      session.state = 'failed';
      this.ctx.emit('session.rejected', { session: sessionId, status: verdict.status, reason: verdict.reason }, verdict.rule);
      this.failQueued(session, `the answer was rejected: ${verdict.status} ${verdict.reason}`, verdict.rule);
      this.sendBye(session);
      this.sessionOver(session);
      return;
    }
    session.peerMedia = result.answer.media.find((m) => m.port !== 0) ?? result.answer.media[0]!;
    session.toPath = requestToPath(this.usePath, session.peerMedia.path);
    session.state = 'connecting';
    // E-12, RFC 4975 §5.4: "the initiating endpoint MUST act as the "active" endpoint" unless
    // RFC 6135 a=setup says otherwise (E-18).
    session.active = verdict.active === 'offerer';
    if (this.options.relays.length > 0) session.conn = this.relayConn;
    if (session.active) this.activate(session);
    // A re-AUTH that finished while the offer was on its way made its path old already.
    this.renegotiate(session, 'new Use-Path after the re-AUTH, while the session was offered');
  }

  // ----------------------------------------------------------------------------------------------
  // New offers within a session: R-08 (RFC 4976 §9.4), RFC 4975 §8.4, RFC 3261 §14

  /**
   * R-08, RFC 4976 §9.4: "Clients need to re-negotiate the tokens using a new offer/answer exchange
   * (e.g., a SIP re-invite) before the tokens expire." A live session whose last offer or answer
   * carried another path than the current Use-Path gives (R-07: reverse(Use-Path) ++ own URI)
   * offers the new one in a re-INVITE. The session keeps its URI and its connection.
   */
  private renegotiate(session: Session, reason: string): void {
    if (this.crashed || this.sessions.get(session.id) !== session) return;
    if (session.state !== 'established' && session.state !== 'connecting') return;
    // An exchange under way, or a retry waiting, looks at the path again when it ends.
    if (session.negotiation !== 'none' || session.reofferTimer !== null) return;
    const path = sdpPath(this.usePath, session.localUri);
    if (samePath(path, session.advertisedPath)) return;
    const offer = buildOffer(this.sdpConfig(session, session.localSdp));
    this.ctx.emit('session.reoffer', { session: session.id, peer: session.peer, path, previous: session.advertisedPath, reason }, 'R-08');
    if (!this.signalling.reoffer(session.id, this.id, session.peer, offer)) {
      this.ctx.emit('session.reoffer-rejected', { session: session.id, status: null, reason: 'no SIP dialog to send a re-INVITE in', retryIn: null }, 'RFC 3261 §14.1');
      return;
    }
    session.negotiation = 'reoffering';
    session.pendingOffer = offer;
    session.localSdp = offer;
  }

  /**
   * The peer's new offer for a live session (E-11, RFC 4975 §8.4): "The answerer MUST respond with a
   * path attribute that represents a valid path to itself at the time of the updated exchange",
   * so the answer waits for an AUTH round under way. The To-Path follows the offered path at once;
   * the connection stays. A rejected offer leaves the session as it was (RFC 3261 §14.2).
   */
  private onReoffer(sessionId: string, from: string, received: OfferReceived): void {
    const session = this.sessions.get(sessionId);
    const refuse = (status: number, reason: string, rule: string): void => {
      this.ctx.emit('session.reoffer-refused', { session: sessionId, peer: from, status, reason }, rule);
      this.signalling.answer(sessionId, this.id, from, { ok: false, status: 488, reason, rule });
    };
    const live = (s: Session | undefined): s is Session => s !== undefined && this.sessions.get(sessionId) === s && s.peer === from && (s.state === 'established' || s.state === 'connecting');
    if (!live(session)) {
      refuse(488, `session ${sessionId} does not exist here any more`, 'E-11');
      return;
    }
    session.negotiation = 'answering';
    this.afterAuthFor(session, () => {
      session.negotiation = 'none';
      if (!live(session)) {
        refuse(488, `session ${sessionId} does not exist here any more`, 'E-11');
        return;
      }
      if (!received.ok) {
        refuse(488, received.reason, received.rule);
        return;
      }
      const result = buildAnswer(received.offer, this.sdpConfig(session, session.localSdp));
      if (!result.ok) {
        refuse(result.status, result.reason, result.rule);
        return;
      }
      const peerMedia = received.offer.media.find((m) => m.port !== 0) ?? received.offer.media[0]!;
      const m = result.answer.media.find((x) => x.port !== 0)!;
      session.localSdp = result.answer;
      session.advertisedPath = m.path;
      this.applyPeerMedia(session, peerMedia);
      this.ctx.emit('session.update', { session: sessionId, peer: from, path: m.path, peerPath: peerMedia.path, toPath: session.toPath }, 'E-11');
      this.signalling.answer(sessionId, this.id, from, { ok: true, answer: result.answer });
    }, (reason, rule) => {
      session.negotiation = 'none';
      refuse(488, reason, rule);
    });
  }

  /** The answer to this side's new offer. */
  private onReanswer(session: Session, result: AnswerResult): void {
    const offer = session.pendingOffer!;
    session.negotiation = 'none';
    session.pendingOffer = null;
    if (session.state !== 'established' && session.state !== 'connecting') return;
    if (!result.ok && result.timeout) {
      // RFC 3261 §14.1: when "no response is received for the re-INVITE (that is, a timeout is
      // returned by the INVITE client transaction), the UAC will terminate the dialog".
      this.ctx.emit('session.reoffer-rejected', { session: session.id, status: result.status, reason: result.reason, retryIn: null }, result.rule);
      this.failSession(session, `${result.status} ${result.reason}`, 'RFC 3261 §14.1');
      return;
    }
    if (!result.ok) {
      if (result.status === 491) {
        // RFC 3261 §14.1: after a 491 the offerer tries again after T, "between 2.1 and 4 seconds
        // in units of 10 ms" when it owns the Call-ID (it sent the first INVITE), else "between 0
        // and 2 seconds", if it still wants the change then.
        const ms = session.role === 'offerer' ? 2100 + 10 * this.ctx.rng('sip-retry').int(191) : 10 * this.ctx.rng('sip-retry').int(201);
        session.reofferTimer = this.ctx.sim.scheduler.after(ms * 1000, () => {
          session.reofferTimer = null;
          this.renegotiate(session, 'again after 491 Request Pending');
        });
        this.ctx.emit('session.reoffer-rejected', { session: session.id, status: 491, reason: result.reason, retryIn: ms * 1000 }, 'RFC 3261 §14.1');
        return;
      }
      // The session goes on as it was (RFC 3261 §14.1); its path holds until its tokens expire.
      this.ctx.emit('session.reoffer-rejected', { session: session.id, status: result.status, reason: result.reason, retryIn: null }, result.rule);
      return;
    }
    const verdict = validateAnswer(offer, result.answer);
    if (!verdict.ok) {
      // A 200 cannot be refused: as for a first answer, the session ends (ACK, then BYE).
      this.ctx.emit('session.reoffer-rejected', { session: session.id, status: verdict.status, reason: verdict.reason, retryIn: null }, verdict.rule);
      this.endSession(session.id);
      return;
    }
    const m = offer.media[0]!;
    const peerMedia = result.answer.media.find((x) => x.port !== 0) ?? result.answer.media[0]!;
    session.advertisedPath = m.path;
    this.applyPeerMedia(session, peerMedia);
    this.ctx.emit('session.updated', { session: session.id, peer: session.peer, path: m.path, peerPath: peerMedia.path, toPath: session.toPath }, 'E-11');
    // The Use-Path may have changed again meanwhile.
    this.renegotiate(session, 'new Use-Path after the re-AUTH, during the last re-offer');
  }

  /**
   * The peer's media line from the last exchange: its types, and the To-Path of what this side
   * sends (R-07: own Use-Path ++ the peer's a=path), which chunks still to be sent take too.
   */
  private applyPeerMedia(session: Session, media: MsrpMediaDescription): void {
    session.peerMedia = media;
    session.toPath = requestToPath(this.usePath, media.path);
    for (const out of session.outgoing.values()) if (!out.done) out.source.toPath = session.toPath;
  }

  /** The active side opens (or reuses) the connection and immediately sends a SEND (E-13). */
  private activate(session: Session): void {
    if (this.options.relays.length > 0) {
      // E-18: a UA behind a relay always connects to its relay; the relay connection is up.
      session.conn = this.relayConn;
      this.bindAndGreet(session);
      return;
    }
    const first = parseUri(session.toPath[0]!);
    if (!first.ok) {
      this.failSession(session, `first hop ${session.toPath[0]} is not a usable URI`, first.rule);
      return;
    }
    const target = first.uri;
    // E-14, RFC 4975 §5.4: reuse a connection "associated with the same host, port, and URI scheme".
    const reuseKey = `${target.scheme}://${target.host.toLowerCase()}:${target.port}`;
    for (const c of this.connections) {
      if (c.isOpen && c.data.get('target') === reuseKey) {
        session.conn = c;
        this.ctx.emit('endpoint.reuse', { session: session.id, conn: c.id, target: reuseKey }, 'E-14');
        this.bindAndGreet(session);
        return;
      }
    }
    const tls = target.scheme === 'msrps' ? { serverName: target.host, version: this.options.tlsVersion } : undefined;
    this.ctx.emit('endpoint.connect', { session: session.id, target: reuseKey }, 'E-12');
    const tcp = this.host.connect({ host: target.host, port: target.port ?? DEFAULT_RELAY_PORT, tls }, {});
    const conn = this.adopt(tcp, () => this.bindAndGreet(session));
    conn.data.set('target', reuseKey);
    session.conn = conn;
  }

  /** E-13, RFC 4975 §5.4: "the active endpoint MUST immediately issue a SEND request" (bodiless). */
  private bindAndGreet(session: Session): void {
    if (!session.conn || session.state !== 'connecting') return;
    const tid = this.ctx.newTransactionId();
    session.bindingMessageId = this.ctx.newMessageId();
    const frame = buildRequest({
      transactionId: tid,
      method: 'SEND',
      toPath: session.toPath,
      fromPath: [session.localUri],
      messageId: session.bindingMessageId,
      byteRange: { start: 1, end: 0, total: 0 },
      failureReport: 'yes',
    });
    this.transactions.set(tid, { kind: 'send', session, timer: null });
    session.conn.sendFrame(frame, () => {
      const t = this.transactions.get(tid);
      if (t) t.timer = this.startTimer(tid);
    });
    this.ctx.emit('session.bind', { session: session.id, conn: session.conn.id, transactionId: tid }, 'E-13');
    this.establish(session);
  }

  private establish(session: Session): void {
    if (session.state === 'established') return;
    session.state = 'established';
    this.ctx.emit('session.established', { session: session.id, conn: session.conn?.id ?? null, toPath: session.toPath, active: session.active }, session.active ? 'E-12' : 'E-15');
    const queued = session.queued.splice(0);
    for (const action of queued) this.sendMessage(action, true);
  }

  /**
   * Scenario action `end`: BYE, and the session is gone on both sides. A direct connection this
   * side opened is closed once the BYE is answered, not at once: the peer would otherwise see the
   * connection close before the BYE arrives (SIP is slower than the MSRP hop) and take the
   * session for failed (E-19).
   */
  endSession(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const conn = session.conn;
    this.closeSession(session, 'end', false);
    this.sendBye(session, () => this.releaseConnection(conn));
    this.sessionOver(session);
  }

  /** BYE for `session`; it is remembered until the 200 comes back (or there is no dialog to send it in). */
  private sendBye(session: Session, done?: () => void): void {
    const sent = this.signalling.bye(session.id, this.id, session.peer, () => {
      session.byePending = false;
      done?.();
      this.sessionOver(session);
    });
    if (sent) session.byePending = true;
  }

  onBye(sessionId: string, _from: string): void {
    const session = this.sessions.get(sessionId);
    if (session) {
      this.closeSession(session, 'bye');
      this.sessionOver(session);
    }
  }

  /**
   * A session ended or failed (and not made again) is forgotten once nothing more is under way for
   * it (its INVITE answered, its re-INVITE answered, its BYE answered, nothing of it waiting for
   * the AUTH), after the grace of its messages (E-32) for what may still be on its way: late
   * frames and REPORTs are then refused or ignored as for a session never known (481, E-31), late
   * SIP as for an unknown session. Forgetting happens as sessions come (no scheduler event).
   * docs/signalling.md.
   */
  private sessionOver(session: Session): void {
    if (session.state !== 'closed' && session.state !== 'failed') return;
    if (this.sessions.get(session.id) !== session) return;
    this.ended.add(session);
    if (!this.quiet(session)) session.forgetAt = null;
    else if (session.forgetAt === null) session.forgetAt = this.ctx.now + this.grace(session);
  }

  /** Nothing is under way for the session: no INVITE, re-INVITE or BYE unanswered, nothing waiting for the AUTH. */
  private quiet(session: Session): boolean {
    return !session.offerPending && !session.byePending && session.waiting === 0 && session.negotiation === 'none';
  }

  private forgetEnded(): void {
    const now = this.ctx.now;
    for (const session of this.ended) {
      if (this.sessions.get(session.id) !== session || (session.state !== 'closed' && session.state !== 'failed')) {
        this.ended.delete(session);
        continue;
      }
      if (!this.quiet(session)) {
        session.forgetAt = null;
        continue;
      }
      if (session.forgetAt === null) session.forgetAt = now + this.grace(session);
      if (session.forgetAt > now) continue;
      this.ended.delete(session);
      this.sessions.delete(session.id);
      if (this.byUri.get(session.localKey) === session) this.byUri.delete(session.localKey);
      this.dropMessages(session);
      this.signalling.release(session.id, this.id);
    }
  }

  private closeSession(session: Session, why: string, release = true): void {
    session.state = 'closed';
    this.failQueued(session, 'the session ended before it was established', 'E-11');
    this.ctx.sim.scheduler.cancel(session.reofferTimer);
    session.reofferTimer = null;
    this.byUri.delete(session.localKey);
    // E-28, RFC 4975 §7.1.1: "if the success report has not been received by the time the
    // session is ended, the device SHOULD inform the user". Aborted messages wait for none (E-24).
    for (const out of session.outgoing.values()) {
      if (out.successReport === 'yes' && out.reported < out.size && !out.source.abort) {
        this.ctx.emit('endpoint.unconfirmed', { session: session.id, messageId: out.messageId, size: out.size, reported: out.reported }, 'E-28');
      }
    }
    this.dropMessages(session);
    this.ctx.emit('session.closed', { session: session.id, why }, 'E-11');
    const conn = session.conn;
    session.conn = null;
    if (release) this.releaseConnection(conn);
  }

  /**
   * E-20: "A connection SHOULD NOT be closed while there are sessions associated with it"; a
   * direct connection with no session left is closed by the side that opened it.
   */
  private releaseConnection(conn: MsrpConnection | null): void {
    if (this.crashed || !conn || !conn.isOpen || conn === this.relayConn || !conn.transport.initiator) return;
    if ([...this.sessions.values()].some((s) => s.conn === conn && s.state !== 'closed')) return;
    conn.close();
  }

  /** `retry` false: not re-established whatever `onSessionFailure` says (the AUTH it would wait for has failed). */
  private failSession(session: Session, reason: string, rule: string, retry = true): void {
    if (session.state === 'failed' || session.state === 'closed') return;
    session.state = 'failed';
    session.conn = null;
    this.ctx.sim.scheduler.cancel(session.reofferTimer);
    session.reofferTimer = null;
    this.ctx.emit('session.failed', { session: session.id, reason }, rule);
    for (const out of session.outgoing.values()) {
      if (!out.done) out.source.abort = true;
    }
    // The session's transactions can no longer be answered (responses travel only on the
    // connection of the request, RFC 4975 §7.2): their timers would only report a dead session.
    for (const [tid, t] of this.transactions) {
      if (t.session !== session) continue;
      this.ctx.sim.scheduler.cancel(t.timer);
      this.transactions.delete(tid);
    }
    if (retry && this.options.onSessionFailure === 'reestablish' && session.role === 'offerer' && session.attempts < 5) {
      // E-19: "endpoints MAY recreate sessions via new SDP"; undelivered messages are sent again
      // with their Message-IDs kept.
      // Undelivered = not all written, or (Failure-Report yes) not every chunk confirmed by a 200:
      // a message written into a connection that then failed may never have arrived.
      const resend = [...session.outgoing.values()].filter((o) => !o.done || o.unconfirmed.size > 0);
      const again = this.newSession(session.id, session.peer, 'offerer');
      for (const o of resend) again.queued.push({ ...o.action, messageIdKeep: o.messageId, dataKeep: o.source.data });
      this.ctx.emit('session.reestablish', { session: session.id, attempt: again.attempts }, 'E-19');
      const epoch = this.epoch;
      again.waiting++;
      this.ctx.sim.scheduler.after(SECOND, () => {
        again.waiting--;
        if (epoch === this.epoch && this.sessions.get(again.id) === again) this.afterAuthFor(again, () => this.sendOffer(again), (why, r) => this.failSession(again, why, r, false));
        else this.sessionOver(again);
      });
      return;
    }
    this.failQueued(session, reason, rule);
    this.sessionOver(session);
  }

  /**
   * The messages waiting for `session` to be established will not be sent: each send gets its
   * record, with the reason (no message goes unaccounted for).
   */
  private failQueued(session: Session, reason: string, rule: string | undefined): void {
    for (const action of session.queued.splice(0)) {
      this.ctx.emit('endpoint.send-failed', { session: session.id, contentType: action.contentType, size: action.dataKeep?.length ?? action.size ?? null, reason, ...outcomeTag(action, true) }, rule);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Sending messages

  /**
   * How long a message is remembered once nothing more is expected of it (docs/ambiguities.md
   * E-32): a transaction timeout per hop of the session's path (R-28: "Delivery over each hop
   * should take no more than 30 seconds"), for a relay's failure REPORT or a chunk
   * still on its way to come.
   */
  private grace(session: Session): Micros {
    return Math.max(1, session.toPath.length) * this.options.transactionTimeout;
  }

  /** A transaction of `out` ended (response, timeout, or the end of a partial window). */
  private transactionEnded(session: Session, out: Outgoing): void {
    out.live--;
    this.settle(session, out);
  }

  /**
   * E-32: a message sent is kept while something may still be said about it: until it is written,
   * its transactions are over, and (Success-Report yes) REPORTs cover it unless it was aborted;
   * then for the grace, for failure REPORTs from relays on the way; then forgotten. A message
   * forgotten is not sent again if the session fails later (E-19).
   */
  private settle(session: Session, out: Outgoing): void {
    if (out.forgetAt !== null || !out.done || out.live > 0) return;
    if (out.successReport === 'yes' && out.reported < out.size && !out.source.abort) return;
    if (session.outgoing.get(out.messageId) !== out) return;
    out.forgetAt = this.ctx.now + this.grace(session);
    session.settled.push({ at: out.forgetAt, out });
  }

  /**
   * Forgets the session's messages whose grace is over. It runs as messages come and go (no
   * scheduler event per message): settled messages are queued in the order they settled, which
   * is the order they fall due.
   */
  private sweep(session: Session): void {
    const queue = session.settled;
    const now = this.ctx.now;
    let head = session.settledHead;
    while (head < queue.length && queue[head]!.at <= now) {
      const { out, incoming } = queue[head]!;
      if (out && session.outgoing.get(out.messageId) === out) session.outgoing.delete(out.messageId);
      if (incoming && session.incoming.get(incoming.assembly.messageId) === incoming) session.incoming.delete(incoming.assembly.messageId);
      queue[head++] = EMPTY_SETTLED;
    }
    if (head > 64 && head * 2 > queue.length) {
      session.settled = queue.slice(head);
      head = 0;
    }
    session.settledHead = head;
  }

  /** Drops what a session remembers of its messages (it has ended: REPORTs for it are ignored, E-31). */
  private dropMessages(session: Session): void {
    session.outgoing.clear();
    session.incoming.clear();
    session.settled = [];
    session.settledHead = 0;
  }

  /** Scenario action `send`. */
  sendMessage(action: Resend, fromQueue = false): void {
    const session = this.sessions.get(action.session);
    const tag = outcomeTag(action, fromQueue);
    if (!session || session.state === 'closed' || session.state === 'failed') {
      const reason = !session ? `no session ${action.session} at ${this.id}` : `session ${action.session} has ${session.state === 'closed' ? 'ended' : 'failed'}`;
      this.ctx.emit('endpoint.send-refused', { session: action.session, reason, ...tag }, 'E-16');
      return;
    }
    if (session.state !== 'established') {
      // It waits for the session, and is sent once it is established or fails with it.
      session.queued.push(action);
      if (action.messageIdKeep === undefined) this.ctx.emit('endpoint.send-queued', { session: session.id, state: session.state, contentType: action.contentType, size: action.size ?? null });
      return;
    }
    this.sweep(session);
    const peer = session.peerMedia!;
    const body = action.dataKeep ?? contentFor(this.ctx, action);
    // E-07, RFC 4975 §8.6: a sender "MUST NOT send content of a type not signaled by the peer".
    if (!mediaTypeAccepted(action.contentType, peer.acceptTypes, peer.acceptWrappedTypes ?? [])) {
      if (!action.force) {
        this.ctx.emit('endpoint.send-refused', { session: session.id, reason: `peer does not accept ${action.contentType}`, ...tag }, 'E-07');
        return;
      }
      this.ctx.emit('endpoint.forced', { session: session.id, reason: `peer does not accept ${action.contentType}` }, 'E-07');
    }
    // E-08: senders SHOULD NOT exceed the peer's a=max-size.
    if (peer.maxSize !== undefined && body.length > peer.maxSize) {
      if (!action.force) {
        this.ctx.emit('endpoint.send-refused', { session: session.id, reason: `${body.length} bytes exceed the peer's max-size ${peer.maxSize}`, ...tag }, 'E-08');
        return;
      }
      this.ctx.emit('endpoint.forced', { session: session.id, reason: `${body.length} bytes exceed the peer's max-size ${peer.maxSize}` }, 'E-08');
    }
    const messageId = action.messageIdKeep ?? this.ctx.newMessageId();
    const successReport = action.successReport ?? this.options.successReport;
    const failureReport = action.failureReport ?? this.options.failureReport;
    const strategy = action.chunkStrategy ?? this.options.chunkStrategy;
    const chunkSize = action.chunkSize ?? this.options.chunkSize;
    const out: Outgoing = {
      messageId,
      action,
      unconfirmed: new Set(),
      size: body.length,
      successReport,
      failureReport,
      digest: digestOf(body),
      reported: 0,
      done: false,
      live: 0,
      forgetAt: null,
      source: {
        messageId,
        contentType: action.contentType,
        toPath: session.toPath,
        fromPath: [session.localUri],
        // W-29: all chunks of one message "MUST use the same" report values; absent values are
        // left out so that the RFC defaults apply.
        successReport: action.successReport ?? (this.options.successReport === 'no' ? undefined : this.options.successReport),
        failureReport: action.failureReport ?? (this.options.failureReport === 'yes' ? undefined : this.options.failureReport),
        data: body,
        firstPosition: 1,
        total: body.length,
        lastFlag: '$',
        // Interruptible chunks (W-31) are as large as chunkSize when it is above 2048, else one chunk.
        maxChunk: strategy === 'fixed' || chunkSize > 2048 ? chunkSize : Number.POSITIVE_INFINITY,
        sent: 0,
        ...(action.abortAfter !== undefined ? { abortAt: action.abortAfter } : {}),
      },
    };
    out.source.onChunkWritten = (chunk, range) => {
      const tid = chunk.transactionId;
      if (failureReport === 'yes') {
        out.unconfirmed.add(tid);
        out.live++;
        this.transactions.set(tid, { kind: 'send', session, message: out, range, timer: this.startTimer(tid) });
      } else if (failureReport === 'partial') {
        // c.4: no timer for partial, but an error response may still come; the transaction is
        // forgotten after the transaction timeout so that state stays bounded.
        out.live++;
        const forget = this.ctx.sim.scheduler.after(this.options.transactionTimeout, () => {
          if (this.transactions.get(tid)?.message !== out) return;
          this.transactions.delete(tid);
          this.transactionEnded(session, out);
        });
        this.transactions.set(tid, { kind: 'send', session, message: out, range, timer: forget });
      }
      // Failure-Report no: no response will come, nothing to remember.
    };
    out.source.onDone = () => {
      out.done = true;
      this.ctx.emit('endpoint.sent', { session: session.id, messageId, size: body.length, aborted: out.source.abort === true }, out.source.abort ? 'E-24' : 'E-21');
      this.settle(session, out);
    };
    session.outgoing.set(messageId, out);
    this.ctx.emit(
      'endpoint.message',
      { session: session.id, messageId, contentType: action.contentType, size: body.length, digest: out.digest, successReport, failureReport, chunking: strategy === 'fixed' ? `fixed ${chunkSize}` : 'interruptible', ...tag },
      'E-21',
    );
    if (!session.conn) {
      this.failSession(session, 'no connection', 'E-19');
      return;
    }
    session.conn.sendData(out.source);
  }

  /**
   * Opens a connection of this node's own to `target` (an MSRP URI: TLS for msrps), belonging to
   * no session, for raw bytes: forged paths and malformed frames written by `sendRaw`. What comes
   * back on it is parsed and handled like anything else this node receives.
   */
  openRaw(target: string): boolean {
    const parsed = parseUri(target);
    if (!parsed.ok) {
      this.ctx.emit('endpoint.connect', { session: null, target, error: parsed.message }, parsed.rule);
      return false;
    }
    const uri = parsed.uri;
    const key = rawKey(target);
    const tls = uri.scheme === 'msrps' ? { serverName: uri.host, version: this.options.tlsVersion } : undefined;
    this.ctx.emit('endpoint.connect', { session: null, target: key, raw: true });
    const conn = this.adopt(this.host.connect({ host: uri.host, port: uri.port ?? DEFAULT_RELAY_PORT, tls }, {}));
    conn.data.set('raw', key);
    return true;
  }

  /**
   * Scenario action `raw`: bytes written as they are on this node's connection for `session`, on
   * the raw connection opened to `target` (`openRaw`), or else on its relay connection.
   */
  sendRaw(bytes: Uint8Array, sessionId?: string, target?: string): boolean {
    if (this.crashed) return false;
    const conn = sessionId
      ? this.sessions.get(sessionId)?.conn
      : target !== undefined
        ? [...this.connections].find((c) => c.isOpen && c.data.get('raw') === rawKey(target))
        : this.relayConn ?? [...this.connections].find((c) => c.isOpen);
    if (!conn || !conn.isOpen) return false;
    const offset = conn.transport.bytesWritten;
    conn.transport.write(bytes);
    this.ctx.emit('msrp.raw', { conn: conn.id, offset, length: bytes.length, text: Buffer.from(bytes).toString('latin1') });
    return true;
  }

  /** Scenario action `raw` with `to`: a new connection to `target`, the bytes written once it is open. */
  sendRawTo(target: { host: string; port: number; tls: boolean }, bytes: Uint8Array): void {
    const tcp = this.host.connect({ host: target.host, port: target.port, tls: target.tls ? { serverName: target.host, version: this.options.tlsVersion } : undefined }, {});
    const conn = this.adopt(tcp, () => {
      const offset = conn.transport.bytesWritten;
      conn.transport.write(bytes);
      this.ctx.emit('msrp.raw', { conn: conn.id, offset, length: bytes.length, text: Buffer.from(bytes).toString('latin1') });
    });
  }

  // ----------------------------------------------------------------------------------------------
  // Transaction timers

  /**
   * CHECKLIST c.4: with Failure-Report yes, if no response arrives "within 30 seconds from the
   * time the last byte of the transaction is sent, or submitted to the operating system for
   * sending, the element MUST inform the user that the request probably failed".
   */
  private startTimer(tid: string): Timer {
    return this.ctx.sim.scheduler.after(this.options.transactionTimeout, () => {
      const t = this.transactions.get(tid);
      if (!t) return;
      this.transactions.delete(tid);
      this.ctx.emit('endpoint.timeout', { transactionId: tid, kind: t.kind, session: t.session?.id ?? null, messageId: t.message?.messageId ?? null }, 'A-13');
      if (t.kind === 'auth') {
        this.authState = 'failed';
        this.authGaveUp(`no response to the AUTH to ${this.options.relays[t.relayIndex ?? 0]?.uri ?? 'the relay'}`, 'A-13');
        return;
      }
      if (t.session && t.message) {
        t.message.source.abort = true;
        this.transactionEnded(t.session, t.message);
      }
      if (t.session && !t.message) this.failSession(t.session, 'no response to the binding SEND', 'A-13');
    });
  }

  // ----------------------------------------------------------------------------------------------
  // Receiving

  private onResponse(conn: MsrpConnection, frame: MsrpResponse): void {
    const t = this.transactions.get(frame.transactionId);
    if (!t) {
      this.ctx.emit('endpoint.stray-response', { conn: conn.id, transactionId: frame.transactionId, status: frame.statusCode }, 'W-05');
      return;
    }
    this.transactions.delete(frame.transactionId);
    this.ctx.sim.scheduler.cancel(t.timer);
    if (t.kind === 'auth') {
      this.onAuthResponse(frame, t.relayIndex!);
      return;
    }
    const session = t.session!;
    const code = frame.statusCode;
    if (t.message) t.message.live--;
    this.ctx.emit('endpoint.response', { session: session.id, transactionId: frame.transactionId, status: code, messageId: t.message?.messageId ?? null }, code === 200 ? 'R-02' : 'E-24');
    if (code === 200) {
      t.message?.unconfirmed.delete(frame.transactionId);
      if (t.message) this.settle(session, t.message);
      return;
    }
    if (code === 481 || code === 506) {
      // E-16 / RFC 4975 §10.8: the session does not exist there; "sender should terminate".
      this.failSession(session, `${code} ${frame.comment ?? ''}`.trim(), code === 481 ? 'E-16' : 'S-03');
      return;
    }
    if (t.message && !t.message.done) {
      // E-24, RFC 4975 §7.1: on a failure response "the whole message SHOULD be aborted"; on 413
      // the sender "MUST NOT send further chunks".
      t.message.source.abort = true;
      if (code === 413) t.message.source.stop = true;
      this.ctx.emit('endpoint.abort', { session: session.id, messageId: t.message.messageId, status: code }, 'E-24');
    }
    if (t.message) this.settle(session, t.message);
  }

  private onRequest(conn: MsrpConnection, frame: MsrpRequest): void {
    if (this.crashed) return;
    // docs/tolerance.md: a request this endpoint cannot act on is answered 400 (RFC 4975 §10.2,
    // as the Failure-Report table allows, E-33); a REPORT is never answered (E-31), just ignored.
    const unactionable = malformedViolation(frame);
    if (unactionable !== undefined) {
      if (frame.method === 'REPORT') {
        this.ctx.emit('endpoint.report-ignored', { conn: conn.id, messageId: frame.messageId ?? null, status: frame.status?.code ?? null, reason: unactionable.message }, unactionable.rule);
      } else {
        this.respond(conn, frame, effectiveFailureReport(frame.failureReport), 400, unactionable.rule);
      }
      return;
    }
    if (frame.method === 'REPORT') {
      this.onReport(conn, frame);
      return;
    }
    const fr = effectiveFailureReport(frame.failureReport);
    if (frame.method !== 'SEND') {
      // E-35, RFC 4975 §12: an unknown method "MUST return a 501 response".
      this.respond(conn, frame, fr, 501, 'E-35');
      return;
    }
    // E-17, RFC 4975 §7.3: "the To-Path will have exactly one URI, which MUST map to an existing
    // session that is associated with the connection on which the request arrived".
    const session = frame.toPath.length === 1 ? this.byUri.get(this.keyOf(frame.toPath[0]!)) : undefined;
    if (!session || session.state === 'closed' || session.state === 'failed') {
      this.respond(conn, frame, fr, 481, 'E-17');
      return;
    }
    if (session.conn === null && this.options.relays.length === 0 && !session.active) {
      // E-16: the first request on a connection binds it to the session (passive side).
      session.conn = conn;
      this.ctx.emit('session.bound', { session: session.id, conn: conn.id }, 'E-16');
      this.establish(session);
    } else if (session.conn !== conn) {
      // E-16, RFC 4975 §5.4: in use on another connection: "MUST reject the request with a 506".
      this.respond(conn, frame, fr, 506, 'E-16');
      return;
    } else if (session.state === 'connecting') {
      this.establish(session);
    }
    this.onSend(conn, session, frame, fr);
  }

  private onSend(conn: MsrpConnection, session: Session, frame: MsrpRequest, fr: FailureReport): void {
    const body = frame.body;
    if (body === null) {
      this.respond(conn, frame, fr, 200, 'E-13');
      return;
    }
    const messageId = frame.messageId ?? `(none:${frame.transactionId})`;
    this.sweep(session);
    let incoming = session.incoming.get(messageId);
    const contentType = frame.contentType ?? 'application/octet-stream';
    if (!incoming) {
      // E-34: "Unsupported Content-Type and Failure-Report != no => MUST generate a response
      // with a status code of 415".
      if (!mediaTypeAccepted(contentType, this.options.acceptTypes, this.options.acceptWrappedTypes)) {
        this.respond(conn, frame, fr, 415, 'E-34');
        return;
      }
      incoming = {
        assembly: new MessageAssembly(messageId, { maxSize: this.options.maxSize }),
        contentType,
        successReport: effectiveSuccessReport(frame.successReport),
        fromPath: frame.fromPath,
        firstAt: this.ctx.now,
        forgetAt: null,
      };
      session.incoming.set(messageId, incoming);
    }
    if (incoming.tooLarge) {
      // E-24 / RFC 4975 §10.5: chunks already on their way after a 413 are refused the same way.
      this.respond(conn, frame, fr, 413, 'E-24');
      return;
    }
    if (incoming.assembly.done || incoming.assembly.aborted) {
      // E-19: a duplicate of a message already received is answered but not delivered again.
      this.respond(conn, frame, fr, 200, 'E-19');
      return;
    }
    const result = incoming.assembly.add(frame.byteRange, body, frame.continuation);
    switch (result.kind) {
      case 'too-large':
        // E-24 / RFC 4975 §10.5: 413 asks the sender to stop sending this message.
        incoming.assembly.aborted = true;
        incoming.tooLarge = true;
        this.ctx.emit('endpoint.too-large', { session: session.id, messageId, limit: result.limit, claimed: result.claimed }, 'E-24');
        this.respond(conn, frame, fr, 413, 'E-24');
        this.received(session, messageId, incoming);
        return;
      case 'bad-range':
        this.ctx.emit('endpoint.violation', { peer: frame.fromPath[0] ?? '', message: result.reason }, 'W-25');
        this.respond(conn, frame, fr, 400, 'W-25');
        return;
      case 'partial':
        this.ctx.emit('endpoint.chunk', { session: session.id, messageId, received: result.received, total: incoming.assembly.knownTotal }, 'E-34');
        this.respond(conn, frame, fr, 200, 'E-34');
        return;
      case 'aborted':
        this.ctx.emit('endpoint.aborted', { session: session.id, messageId, received: result.received }, 'W-06');
        this.respond(conn, frame, fr, 200, 'W-06');
        this.successReports(conn, session, frame, incoming, false);
        this.received(session, messageId, incoming);
        return;
      case 'complete':
        this.respond(conn, frame, fr, 200, 'E-34');
        this.ctx.emit(
          'endpoint.deliver',
          { session: session.id, messageId, contentType: incoming.contentType, size: result.body.length, digest: digestOf(result.body), assemblyTime: this.ctx.now - incoming.firstAt, fromPath: frame.fromPath },
          'E-34',
        );
        this.successReports(conn, session, frame, incoming, true);
        this.received(session, messageId, incoming);
        return;
    }
  }

  /**
   * A message received whole, or aborted (by its sender, or after a 413): its data has been
   * delivered (or dropped) and goes now; what is left is remembered for the grace, to answer a
   * duplicate chunk (E-19) or one still on its way after a 413 (E-24) the same way, then forgotten
   * (docs/ambiguities.md E-32).
   */
  private received(session: Session, messageId: string, incoming: Incoming): void {
    incoming.assembly.release();
    if (incoming.forgetAt !== null || session.incoming.get(messageId) !== incoming) return;
    incoming.forgetAt = this.ctx.now + this.grace(session);
    session.settled.push({ at: incoming.forgetAt, incoming });
  }

  /**
   * E-27, RFC 4975 §7.1.3: with Success-Report yes the receiver "MUST send a success report or
   * reports covering all bytes that are received successfully"; this endpoint reports once, when
   * the message is complete (or aborted), one REPORT per received range.
   */
  private successReports(conn: MsrpConnection, session: Session, frame: MsrpRequest, incoming: Incoming, complete: boolean): void {
    if (incoming.successReport !== 'yes') return;
    const total = incoming.assembly.knownTotal;
    // An empty message has no byte to cover, but its sender still waits for the report (E-28):
    // it gets one with the Byte-Range of an empty SEND, `1-0/0` (W-26; docs/ambiguities.md E-27).
    const ranges = incoming.assembly.ranges.intervals.length === 0 && complete ? [{ start: 1, end: 0 }] : incoming.assembly.ranges.intervals;
    for (const r of ranges) {
      const report = buildReport({
        transactionId: this.ctx.newTransactionId(),
        toPath: incoming.fromPath,
        fromPath: [session.localUri],
        messageId: frame.messageId!,
        byteRange: { start: r.start, end: r.end, total },
        code: 200,
      });
      this.ctx.emit('endpoint.report-sent', { session: session.id, messageId: frame.messageId!, status: 200, byteRange: report.byteRange!, complete }, 'E-29');
      conn.sendFrame(report);
    }
  }

  /** Sends the transaction response the Failure-Report table asks for (CHECKLIST c.4, E-33). */
  private respond(conn: MsrpConnection, frame: MsrpRequest, fr: FailureReport, code: number, cause: string): void {
    const decision = endpointResponse(fr, code);
    if (decision.code === null) {
      this.ctx.emit('endpoint.no-response', { transactionId: frame.transactionId, wouldBe: code, failureReport: fr }, decision.rule);
      return;
    }
    const response = buildResponse({
      transactionId: frame.transactionId,
      statusCode: decision.code,
      toPath: responseToPath(frame.method, frame.fromPath),
      fromPath: [frame.toPath[0] ?? this.deviceUri],
    });
    if (code !== 200) this.ctx.emit('endpoint.reject', { transactionId: frame.transactionId, status: code }, cause);
    conn.sendFrame(response);
  }

  private onReport(conn: MsrpConnection, frame: MsrpRequest): void {
    // E-31: never answer a REPORT.
    const session = frame.toPath.length === 1 ? this.byUri.get(this.keyOf(frame.toPath[0]!)) : undefined;
    const status = frame.status?.code ?? null;
    if (session && frame.messageId !== undefined && frame.messageId === session.bindingMessageId && status !== null && status !== 200) {
      // E-32: the SEND that bound the session did not get through (a relay on the way reports it,
      // the session has failed.
      this.ctx.emit('endpoint.report', { session: session.id, messageId: frame.messageId, status, byteRange: frame.byteRange ?? null, complete: false, fromPath: frame.fromPath }, 'E-32');
      this.failSession(session, `failure REPORT ${status} for the binding SEND`, 'E-32');
      return;
    }
    const out = session && frame.messageId ? session.outgoing.get(frame.messageId) : undefined;
    if (!session || !out) {
      // E-31, RFC 4975 §7.3.2: unknown Message-ID in a REPORT: "SHOULD silently ignore".
      this.ctx.emit('endpoint.report-ignored', { conn: conn.id, messageId: frame.messageId ?? null, status }, 'E-31');
      return;
    }
    const range = frame.byteRange ?? null;
    if (status === 200 && range) out.reported += (range.end ?? range.start - 1) - range.start + 1;
    this.ctx.emit(
      'endpoint.report',
      { session: session.id, messageId: out.messageId, status, byteRange: range, complete: status === 200 && out.reported >= out.size, fromPath: frame.fromPath },
      status === 200 ? 'E-32' : 'E-32',
    );
    if (status !== null && status !== 200) {
      // E-32: a failure REPORT => the sender "MUST treat the session as failed"; 408 is a timeout
      // (RFC 4975 §10.4: "in the same manner as it would treat a local timeout").
      if (!out.done) out.source.abort = true;
      this.failSession(session, `failure REPORT ${status}`, 'E-32');
      return;
    }
    this.settle(session, out);
  }

  private onClosed(conn: MsrpConnection, reason: ConnectionCloseReason): void {
    this.connections.delete(conn);
    // E-19, RFC 4975 §5.4: a connection failure means every session on it has failed.
    for (const session of this.sessions.values()) {
      if (session.conn === conn && (session.state === 'established' || session.state === 'connecting')) {
        this.failSession(session, `connection ${conn.id} closed: ${reason.kind}`, 'E-19');
      }
    }
    for (const [tid, t] of this.transactions) {
      if (t.kind === 'auth' && conn === this.relayConn) {
        this.ctx.sim.scheduler.cancel(t.timer);
        this.transactions.delete(tid);
      }
    }
    if (conn === this.relayConn) {
      this.relayConn = null;
      this.scheduleReconnect(reason);
    }
  }

  private keyOf(uri: string): string {
    const parsed = parseUri(uri);
    return parsed.ok ? uriKey(parsed.uri) : `invalid:${uri}`;
  }

  /** Node summary for the outputs. */
  describe(): { host: string; uri: string } {
    const parsed = parseUri(this.deviceUri);
    return { host: this.options.host, uri: parsed.ok ? formatUri(parsed.uri) : this.deviceUri };
  }
}

/**
 * What a send's outcome record says of where it came from: a message sent again after its session
 * failed (E-19) carries `resend` and its Message-ID; a send that waited for its session carries
 * `queued`. The summary counts sends from these (docs/outputs.md).
 */
function outcomeTag(action: Resend, fromQueue: boolean): { resend: true; messageId: string } | { queued: true } | Record<string, never> {
  if (action.messageIdKeep !== undefined) return { resend: true, messageId: action.messageIdKeep };
  return fromQueue ? { queued: true } : {};
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((u, i) => u === b[i]);
}
