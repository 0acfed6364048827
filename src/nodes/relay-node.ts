/**
 * An MSRP relay (RFC 4976): authenticates its clients with Digest and hands out Use-Path tokens
 * (§5, §6.3), forwards requests between clients and other relays without being an open relay
 * (§6.4, R-17), answers SENDs hop by hop and reports failures end to end (CHECKLIST d.5), and
 * re-chunks what it forwards. A profile (relay-profile.ts) adds the documented deviations of
 * deployed relays.
 */
import { certificateNameMatches, type CloseReason, type Host, type TcpConnection } from '../net/index.js';
import type { Timer } from '../sim/scheduler.js';
import type { Micros } from '../sim/time.js';
import { buildRequest } from '../wire/builder.js';
import { serializedLength } from '../wire/serializer.js';
import { malformedViolation } from '../wire/tolerance.js';
import type { ByteRange, Continuation, FailureReport, MsrpRequest, MsrpResponse } from '../wire/frame.js';
import { parseUri, type MsrpUri } from '../wire/uri.js';
import { AuthServer, type AuthPeer } from '../protocol/auth-server.js';
import { authority, DEFAULT_PORT, forwardPaths, namesRelay } from '../protocol/paths.js';
import { Forwarded, RelayTransactions } from '../protocol/relay-transactions.js';
import { answer, header, type AnswerExtra, type RelayHost } from '../protocol/relay-host.js';
import type { RelayEvents, RelayEventType } from '../protocol/relay-events.js';
import type { TraceTypes } from '../sim/trace.js';
import { effectiveFailureReport } from '../protocol/report.js';
import { MsrpConnection, type RequestStream, type SendSource } from './msrp-connection.js';
import type { NodeContext } from './node-context.js';
import { RELAY_PROFILES, STRICT_DEFAULTS, deviation, type RelayProfile, type RelayProfileName, type RelayTunables } from '../protocol/relay-profile.js';

/**
 * A relay's settings. Durations are in microseconds (`Micros`), as in EndpointOptions; the Expires
 * values are in seconds, as they go on the wire. The tunables (Expires bounds and default,
 * probation, failed AUTHs, nonce lifetime; `RelayTunables`) may be left out: the profile's default
 * applies, else the strict relay's (`STRICT_DEFAULTS`).
 */
export interface RelayOptions extends Partial<RelayTunables> {
  host: string;
  port: number;
  scheme: 'msrp' | 'msrps';
  realm: string;
  users: Record<string, string>;
  /** Largest body the relay forwards in one chunk (re-chunking, R-23); Infinity = as received. */
  maxChunk: number;
  /**
   * how long (µs) a connection may carry no MSRP traffic, with nothing pending on it, before
   * the relay closes it; Infinity = kept for as long as it lasts.
   */
  idleLimit: Micros;
  /** how long (µs) to wait for the next hop's response to a forwarded SEND. */
  transactionTimeout: Micros;
  profile: RelayProfileName;
  tlsVersion: '1.2' | '1.3';
  /** Names in the relay's TLS certificate (default: its host name); mutual TLS presents them too. */
  certificateNames?: string[];
}

interface ConnState {
  /** The AUTH server's record of the connection: probation, failed AUTHs, its user. */
  auth: AuthPeer<MsrpConnection, Timer>;
  /** The connection is to or from another relay (mutual TLS, R-11, R-29). */
  peerRelay: boolean;
  /** Authorities (`scheme://host:port`) of the peers seen at the far end. */
  authorities: Set<string>;
  /** Authority of the target we opened it to, for outbound connections. */
  target: string | null;
  /** Session the connection is dedicated to (profiles with one session per connection). */
  sessionKey: string | null;
  /** the pending idle check, when the relay has an idle limit. */
  idle: Timer | null;
  /** when a transaction on the connection last ended without traffic (its 408 timer ran out). */
  lastUse: Micros;
}

/** What a request that passed the relay's checks is forwarded with. */
interface Admitted {
  /** The request with the paths as this relay consumed them (more than one URI if it was the next hop too). */
  routed: MsrpRequest;
  next: string;
  outConn: MsrpConnection | null;
  own: string;
  fr: FailureReport;
}

/** A stream that takes the body of a request the relay did not admit, and ignores it. */
const DISCARD: RequestStream = { piece: () => undefined, end: () => undefined, abort: () => undefined };


export class RelayNode {
  readonly id: string;
  private current: RelayProfile;
  private readonly baseUri: string;
  private readonly base: MsrpUri;
  private readonly auth: AuthServer<MsrpConnection, Timer>;
  /** What the protocol machines ask of this node (time, ids, writes, timers, trace). */
  private readonly io: RelayHost<MsrpConnection, Timer>;
  private readonly conns = new Map<MsrpConnection, ConnState>();
  private readonly transactions: RelayTransactions<MsrpConnection, Timer>;
  private crashed = false;
  readonly options: RelayOptions & RelayTunables;

  constructor(
    readonly ctx: NodeContext,
    readonly host: Host,
    options: RelayOptions,
  ) {
    this.id = ctx.id;
    this.current = RELAY_PROFILES[options.profile];
    // A setting given in the options wins over the profile's default, which wins over the strict one.
    const tunables = { ...STRICT_DEFAULTS };
    for (const key of Object.keys(tunables) as (keyof RelayTunables)[]) tunables[key] = options[key] ?? this.profile.defaults[key] ?? STRICT_DEFAULTS[key];
    this.options = { ...options, ...tunables };
    this.io = this.hostFor(ctx);
    this.auth = new AuthServer(this.io, this.options, options.users, this.current);
    this.baseUri = `${options.scheme}://${options.host}:${options.port};tcp`;
    const parsed = parseUri(this.baseUri);
    if (!parsed.ok) throw new Error(`relay ${this.id}: bad own URI ${this.baseUri}: ${parsed.message}`);
    this.base = parsed.uri;
    this.transactions = new RelayTransactions(
      this.io,
      this.options,
      this.base,
      this.current,
      (conn) => this.touch(conn),
      (conn) => conn.tcp.bytesWritten,
      (conn) => conn.tcp.bytesAcknowledged,
    );
    host.onCrash = () => this.crash();
    host.onRestart = () => this.restart();
  }

  /**
   * How much the relay remembers, for tests of bounded state (SPEC §9: memory grows with live
   * state, not with the length of a run): forwarded transactions, tokens, nonces, connections.
   */
  get stateSizes(): { transactions: number; tokens: number; nonces: number; connections: number } {
    return { transactions: this.transactions.size, tokens: this.auth.tokenCount, nonces: this.auth.nonceCount, connections: this.conns.size };
  }

  /** The profile every decision from now on follows (a scenario `set` may change it). */
  get profile(): RelayProfile {
    return this.current;
  }

  /** The relay's own URI, as clients configure it. */
  get uri(): string {
    return this.baseUri;
  }

  start(): void {
    this.host.listen(
      this.options.port,
      (tcp) => this.adopt(tcp, null),
      this.options.scheme === 'msrps'
        ? { certificateNames: this.options.certificateNames ?? [this.options.host], version: this.options.tlsVersion, requestClientCertificate: true }
        : undefined,
    );
    this.ctx.emit('relay.start', { uri: this.baseUri, profile: this.profile.name });
  }

  /** The node's side of the machines' RelayHost: the kernel's clock and timers, the connections, the trace. */
  private hostFor(ctx: NodeContext): RelayHost<MsrpConnection, Timer> {
    const scheduler = ctx.sim.scheduler;
    return {
      get now() {
        return ctx.now;
      },
      // RelayEvents is part of TraceTypes (relay/trace-types.ts): the same fields under the same type.
      emit: <K extends RelayEventType>(type: K, fields: RelayEvents[K], rule?: string) => ctx.emit(type, fields as TraceTypes[K], rule),
      send: (conn, frame) => conn.sendFrame(frame),
      close: (conn) => conn.close(),
      connId: (conn) => conn.id,
      isOpen: (conn) => conn.isOpen,
      isPeerRelay: (conn) => this.conns.get(conn)?.peerRelay === true,
      leadsTo: (conn, key) => {
        const state = this.conns.get(conn);
        return state !== undefined && this.leadsTo(conn, state, key);
      },
      setTimer: (at, fire) => scheduler.at(at, fire),
      cancelTimer: (timer) => scheduler.cancel(timer),
      newNonce: () => ctx.newNonce(),
      newToken: () => ctx.newToken(),
      newTransactionId: () => ctx.newTransactionId(),
      newMessageId: () => ctx.newMessageId(),
    };
  }

  private crash(): void {
    this.crashed = true;
    this.ctx.emit('node.crash', { role: 'relay' });
    this.transactions.reset();
    const peers: AuthPeer<MsrpConnection, Timer>[] = [];
    for (const s of this.conns.values()) {
      peers.push(s.auth);
      this.ctx.sim.scheduler.cancel(s.idle);
    }
    // Tokens, nonces and transactions live in memory only: a restart loses them.
    this.auth.reset(peers);
    this.conns.clear();
  }

  private restart(): void {
    this.crashed = false;
    this.ctx.emit('node.restart', { role: 'relay' });
    this.start();
  }

  private adopt(tcp: TcpConnection, target: string | null): MsrpConnection {
    const state: ConnState = { auth: null!, peerRelay: false, authorities: new Set(), target, sessionKey: null, idle: null, lastUse: this.ctx.now };
    const limits = this.profile.readsLimit;
    const conn = new MsrpConnection(
      this.ctx,
      tcp,
      {
        request: (c, f) => this.onRequest(c, f),
        response: (c, f) => this.onResponse(c, f),
        closed: (c, r) => this.onClosed(c, r),
        // R-09, RFC 4976 §6.1: a peer that presented a valid certificate is a relay (mutual TLS);
        // known only once the TLS handshake is over, which for accepted connections is after adopt().
        opened: (c) => {
          state.peerRelay = c.tcp.tls?.mutual === true;
        },
        requestHead: (c, head) => this.onRequestHead(c, head),
      },
      {
        streamRequests: this.profile.cutThrough,
        limits: limits === null ? undefined : { ...limits, rule: deviation(this.profile, 'reads-limit') },
      },
    );
    this.conns.set(conn, state);
    this.armIdle(conn, state);
    state.auth = this.auth.open(conn, target === null);
    return conn;
  }

  /**
   * Scenario action `set`: new settings from now on. A changed idle limit applies to the
   * connections already open too. A new profile makes every decision from now on, on
   * connections and transactions already there too; what was decided stays decided (a 200
   * already sent, a transaction's timer and whether it ends in a 408), and a connection keeps
   * the way it reads frames, chosen when it opened (cut-through, reads limit). The settings the
   * profile gives defaults for keep their values (docs/scenario-format.md).
   */
  reconfigure(options: Partial<RelayOptions & RelayTunables>): void {
    if (options.profile !== undefined && options.profile !== this.current.name) {
      const from = this.current.name;
      this.current = RELAY_PROFILES[options.profile];
      this.ctx.emit('relay.profile', { from, to: this.current.name, connections: this.conns.size, transactions: this.transactions.size });
      this.auth.profile = this.current;
      this.transactions.profile = this.current;
    }
    Object.assign(this.options, options);
    if (options.users !== undefined) this.auth.setUsers(options.users);
    for (const [conn, state] of this.conns) {
      this.ctx.sim.scheduler.cancel(state.idle);
      this.armIdle(conn, state);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Idle connections (R-27, RFC 4976 §6.5)

  /** The idle limit in microseconds, or null when the relay keeps idle connections. */
  private idleLimit(): Micros | null {
    const limit = this.options.idleLimit;
    return Number.isFinite(limit) && limit > 0 ? Math.round(limit) : null;
  }

  /**
   * Schedules the idle check of `conn` for when it will have been idle for the limit: one event
   * per connection and limit, re-armed when it finds traffic since (no event per frame).
   */
  private armIdle(conn: MsrpConnection, state: ConnState): void {
    const limit = this.idleLimit();
    state.idle = null;
    if (limit === null) return;
    const due = Math.max(conn.lastActivity, state.lastUse, this.ctx.now - limit) + limit;
    state.idle = this.ctx.sim.scheduler.at(due, () => this.idleCheck(conn, state));
  }

  /**
   * R-27, RFC 4976 §6.5: "If a connection has not been used in a significant time (more than one
   * hour), it MAY be closed." Unused (docs/ambiguities.md R-27): no MSRP bytes in either direction
   * for the idle limit, and nothing pending on it: no frame or data waiting to be written, no
   * forwarded request still remembered on it (R-28; R-21 for a SEND's 408 timer) or whose REPORT
   * would go back on it.
   */
  private idleCheck(conn: MsrpConnection, state: ConnState): void {
    state.idle = null;
    if (this.crashed || !conn.isOpen || this.conns.get(conn) !== state) return;
    const limit = this.idleLimit();
    if (limit === null) return;
    const since = Math.max(conn.lastActivity, state.lastUse);
    if (this.ctx.now - since < limit) {
      this.armIdle(conn, state);
      return;
    }
    if (this.inUse(conn)) {
      // Whatever keeps it in use ends in traffic or a transaction ending (lastUse): look again then.
      state.idle = this.ctx.sim.scheduler.after(limit, () => this.idleCheck(conn, state));
      return;
    }
    const tokens = this.auth.tokensOn(conn);
    // A transaction still remembered keeps its connections in use (its window runs, R-28): none is
    // expected here. One that were would wait for nothing that will come: it is forgotten, without
    // the 408 REPORT a lost connection gets, for the relay knows of no failure.
    const forgotten = this.transactions.forgetOn(conn);
    this.ctx.emit(
      'relay.idle-close',
      { conn: conn.id, idle: this.ctx.now - since, limit, user: state.auth.user, target: state.target, tokens, forgotten },
      'R-27',
    );
    conn.close();
  }

  /**
   * Whether something is pending on `conn` (R-27: such a connection is in use, traffic or not):
   * output, or a forwarded request still remembered, which every one is until its window ends.
   */
  private inUse(conn: MsrpConnection): boolean {
    return conn.hasPendingOutput || this.transactions.inUse(conn);
  }

  /** a transaction on these connections ended without traffic on them. */
  private touch(conn: MsrpConnection): void {
    const state = this.conns.get(conn);
    if (state) state.lastUse = this.ctx.now;
  }

  /** Fault `expireTokens`: every token this relay handed out expires now. */
  expireTokens(): void {
    this.auth.expireAll();
  }

  // ----------------------------------------------------------------------------------------------
  // Requests

  private onRequest(conn: MsrpConnection, frame: MsrpRequest): void {
    const admitted = this.admit(conn, frame);
    if (admitted) this.forward(conn, frame, admitted);
  }

  /**
   * The checks a request passes before it is forwarded (R-10, R-17, the profile's limits), and
   * where it goes. Anything refused is answered or dropped here, and null returned. For a request
   * that is streamed (cut-through) this runs on its head, before the body has arrived.
   */
  private admit(conn: MsrpConnection, frame: MsrpRequest): Admitted | null {
    if (this.crashed) return null;
    const state = this.conns.get(conn);
    if (!state) return null;
    if (conn.tcp.sendClosed) {
      // This relay has closed the connection (probation, failed AUTHs): the response "MUST be
      // transmitted back on the same connection" (E-33), which can carry nothing more, so the
      // request is not acted on (no token is granted on a connection being closed).
      this.ctx.emit('relay.discard', { conn: conn.id, transactionId: frame.transactionId, reason: 'the relay has closed this connection; no response can go back on it' }, 'E-33');
      return null;
    }
    // docs/tolerance.md: a request the relay cannot act on (a Byte-Range, Status, Expires or
    // report value outside its grammar, an empty Message-ID, a Digest header that does not parse,
    // a header given twice with different values) is not forwarded; RFC 4975 §10.2: "A 400
    // response indicates that a request was unintelligible", unless no response is due at all
    // (a REPORT, Failure-Report no: A-11).
    const unactionable = malformedViolation(frame);
    if (unactionable !== undefined) {
      this.ctx.emit('relay.discard', { conn: conn.id, transactionId: frame.transactionId, reason: `malformed: ${unactionable.message}` }, unactionable.rule);
      this.reject(conn, frame, effectiveFailureReport(frame.failureReport), 400, unactionable.rule);
      return null;
    }
    // Only the profiles with size limits need the frame's size (it costs a serialization).
    const size = this.profile.dropConnectionAt !== null || this.profile.rejectFramesAbove !== null ? serializedLength(frame) : 0;
    if (this.profile.dropConnectionAt !== null && size >= this.profile.dropConnectionAt) {
      this.ctx.emit('relay.drop-connection', { conn: conn.id, size }, deviation(this.profile, 'drop-connection-large-frame'));
      conn.reset();
      return null;
    }
    if (this.profile.closeOnNonSendBodyAbove !== null && frame.method !== 'SEND' && (frame.body?.length ?? 0) > this.profile.closeOnNonSendBodyAbove) {
      this.ctx.emit('relay.drop-connection', { conn: conn.id, bodyLength: frame.body?.length ?? 0 }, deviation(this.profile, 'close-large-non-send'));
      conn.close();
      return null;
    }
    const fr = effectiveFailureReport(frame.failureReport);
    const first = frame.toPath[0] === undefined ? null : parseUri(frame.toPath[0]);
    if (!first || !first.ok || !this.isMine(first.uri, frame.method === 'AUTH')) {
      // A-01 (our choice, docs/ambiguities.md): R-19, RFC 4976 §6.4.1 — the relay "SHOULD discard
      // the message"; the SEND is answered with 481 so that the previous hop reports it (A-02),
      // rather than dropping the connection (§6.2), which would fail unrelated sessions.
      this.ctx.emit('relay.not-mine', { conn: conn.id, transactionId: frame.transactionId, toPath: frame.toPath }, 'A-01');
      this.reject(conn, frame, fr, 481, 'A-01');
      return null;
    }
    if (frame.toPath.length === 1) {
      if (frame.method === 'AUTH') {
        this.auth.auth(state.auth, frame);
        return null;
      }
      this.reject(conn, frame, fr, 481, 'R-10');
      return null;
    }
    if (frame.method !== 'SEND' && frame.method !== 'REPORT' && frame.method !== 'AUTH' && this.profile.rejectUnknownMethods) {
      this.reject(conn, frame, fr, 501, deviation(this.profile, 'unknown-method-501'));
      return null;
    }
    if (this.profile.rejectFramesAbove !== null && size > this.profile.rejectFramesAbove) {
      this.reject(conn, frame, fr, 501, deviation(this.profile, 'large-frame-501'));
      return null;
    }
    const route = this.route(conn, state, frame, first.uri);
    if (!route.ok) {
      if (route.silent) {
        if (frame.method === 'SEND' && this.profile.okFor.has(frame.failureReport ?? 'yes')) this.answer(conn, frame, 200, route.rule);
        this.ctx.emit('relay.discard', { conn: conn.id, transactionId: frame.transactionId, reason: route.reason }, route.rule);
        return null;
      }
      this.refuse(conn, frame, fr, route.status, route.rule, route.reason);
      return null;
    }
    // R-19 (our choice, docs/ambiguities.md): when the next To-Path URI is this relay again (both
    // clients use it), the relay consumes that URI too, with the same checks, instead of opening a
    // connection to itself.
    let routed = frame;
    let hop = route;
    for (let nextUri = parseUri(hop.next); hop.conn === null && routed.toPath.length > 2 && nextUri.ok && this.isMine(nextUri.uri, false); nextUri = parseUri(hop.next)) {
      const paths = forwardPaths(routed.toPath, routed.fromPath);
      routed = { ...routed, toPath: paths.toPath, fromPath: paths.fromPath };
      this.ctx.emit('relay.local-hop', { transactionId: frame.transactionId, toPathAfter: routed.toPath, fromPathAfter: routed.fromPath }, 'R-19');
      const next = this.route(conn, state, routed, nextUri.uri);
      if (!next.ok) {
        this.refuse(conn, frame, fr, next.status, next.rule, next.reason);
        return null;
      }
      hop = next;
    }
    this.auth.accept(state.auth);
    // remember which peer is at the far end of this connection.
    const back = frame.fromPath[0] ? parseUri(frame.fromPath[0]) : null;
    if (back && back.ok) state.authorities.add(authority(back.uri));
    return { routed, next: hop.next, outConn: hop.conn, own: route.own, fr };
  }

  /**
   * A route check refused the request. The strict relay answers the
   * transaction (A-02, R-14 in docs/ambiguities.md); a profile may answer a SEND 200 and report
   * the error instead.
   */
  private refuse(conn: MsrpConnection, frame: MsrpRequest, fr: FailureReport, status: number, rule: string, reason: string): void {
    this.ctx.emit('relay.refuse', { conn: conn.id, transactionId: frame.transactionId, reason, status }, rule);
    if (frame.method === 'SEND' && fr !== 'no' && this.profile.errorsAsReports?.has(status)) {
      const literal = frame.failureReport ?? 'yes';
      if (this.profile.okFor.has(literal)) this.answer(conn, frame, 200, literal === 'yes' ? 'R-20' : deviation(this.profile, `200-for-${literal}`));
      const range = frame.byteRange ?? { start: 1, end: null, total: null };
      const length = frame.body?.length ?? 0;
      const f = new Forwarded<MsrpConnection, Timer>('SEND', frame, conn, conn, frame.toPath[0]!, fr, { start: range.start, end: range.start + length - 1, total: range.total }, length, { bytes: length }, 'done');
      this.transactions.failureReport(f, status, deviation(this.profile, 'report-not-response'));
      return;
    }
    this.reject(conn, frame, fr, status, rule);
  }

  /** Whether `uri` names this relay (its base URI, or one of its tokens). */
  private isMine(uri: MsrpUri, auth: boolean): boolean {
    return namesRelay(this.base, uri, auth);
  }

  /**
   * R-17, RFC 4976 §6.4: before forwarding the relay "MUST check that the first URI in the To-Path
   * header corresponds to a URI that this relay has created and handed out in the Use-Path header
   * of an AUTH request", and that the request goes to, or comes from, the client that owns it.
   */
  private route(
    conn: MsrpConnection,
    state: ConnState,
    frame: MsrpRequest,
    first: MsrpUri,
  ):
    | { ok: true; next: string; conn: MsrpConnection | null; own: string }
    | { ok: false; status: number; rule: string; reason: string; silent?: boolean } {
    const own = frame.toPath[0]!;
    const token = this.auth.token(first);
    const next = frame.toPath[1]!;
    const lastHop = frame.toPath.length === 2;
    if (!token || this.auth.expired(token) || (token.conn !== null && !token.conn.isOpen)) {
      if (this.profile.unknownSession481OnlyLastHop && frame.method === 'SEND') {
        // The profile answers an unknown session 481 only as the last relay hop; before that, the
        // SEND gets its 200 and goes nowhere.
        if (lastHop) return { ok: false, status: 481, rule: deviation(this.profile, 'unknown-session-481-last-hop'), reason: 'unknown session at the last relay hop' };
        return { ok: false, status: 200, rule: deviation(this.profile, 'unknown-session-silent-drop'), reason: 'unknown session: 200 and drop', silent: true };
      }
      // R-14, RFC 4976 §6.3: a request for an invalid or expired token: the relay "MUST discard
      // the message"; the SEND is answered 481 (our choice for the MAY-REPORT, docs/ambiguities.md).
      const [rule, why] = !token ? ['R-14', 'unknown token'] : token.conn !== null && !token.conn.isOpen ? ['R-12', 'the connection the token was issued on has closed'] : ['R-13', 'token expired'];
      return { ok: false, status: 481, rule, reason: why };
    }
    if (token.expiredAt === null && this.profile.expiresNotEnforced && this.ctx.now >= token.grantedUntil) {
      this.ctx.emit('relay.token-past-expiry', { token: token.uri, grantedUntil: token.grantedUntil }, deviation(this.profile, 'expires-not-enforced'));
    }
    const fromOwner = token.conn !== null ? token.conn === conn : this.leadsTo(conn, state, token.viaRelay!);
    if (fromOwner) {
      // Outbound: from the token's owner toward the next To-Path URI (R-25: reuse, else open).
      return { ok: true, next, conn: null, own };
    }
    // Inbound: the request must go to the token's owner and nowhere else (S-01, no open relay).
    if (frame.method === 'SEND' && this.profile.relayUnauthenticated && !(token.conn !== null && lastHop)) {
      // The profile relays a SEND through a known token whatever connection it came from.
      this.ctx.emit('relay.unauthenticated', { conn: conn.id, transactionId: frame.transactionId, token: token.uri, next }, deviation(this.profile, 'relay-unauthenticated'));
      return { ok: true, next, conn: null, own };
    }
    if (token.conn !== null) {
      if (!lastHop) {
        // R-12, RFC 4976 §6.3: a client's URI "MUST only be valid to route across the same
        // connection over which the AUTH request was received": used to route on from any other
        // connection it is no valid URI, which R-14 discards (481, docs/ambiguities.md R-14).
        return { ok: false, status: 481, rule: 'R-12', reason: 'a client token used on another connection, not toward its owner' };
      }
      // deliver to a client over the connection it authenticated on.
      return { ok: true, next, conn: token.conn, own };
    }
    const nextUri = parseUri(next);
    if (!nextUri.ok || authority(nextUri.uri) !== token.viaRelay) {
      return { ok: false, status: 403, rule: 'R-17', reason: 'the next hop is not the way back to the token owner' };
    }
    return { ok: true, next, conn: null, own };
  }

  /**
   * Forwards `frame` (as received on `inConn`) to `next`; `routed` is the frame with the paths as
   * this relay has consumed them so far (the frame itself, unless it was also the next hop).
   */
  private forward(inConn: MsrpConnection, frame: MsrpRequest, { routed, next, outConn, own, fr }: Admitted): void {
    const paths = forwardPaths(routed.toPath, routed.fromPath);
    const target = outConn ?? this.connectionFor(next, routed);
    if (!target) {
      this.failForward(inConn, frame, fr, 408, 'next hop unreachable', 'R-22');
      return;
    }
    if (frame.method === 'SEND') {
      this.forwardSend(inConn, frame, target, paths, own, fr);
      return;
    }
    const keep = this.profile.keepTransactionId;
    const tid = keep ? frame.transactionId : this.ctx.newTransactionId();
    const out = buildRequest({
      transactionId: tid,
      method: frame.method,
      toPath: paths.toPath,
      fromPath: paths.fromPath,
      messageId: frame.messageId,
      byteRange: frame.byteRange,
      status: frame.status,
      expires: frame.expires,
      authorization: header(frame, 'authorization'),
      extraHeaders: frame.headers.filter(([n]) => !KNOWN.has(n.toLowerCase())),
      contentType: frame.body !== null ? frame.contentType : undefined,
      body: frame.body,
    });
    let f: Forwarded<MsrpConnection, Timer> | null = null;
    if (frame.method !== 'REPORT') {
      // Responses to non-SEND requests come back end to end and are mapped to the original id (W-05).
      f = new Forwarded(frame.method, frame, inConn, target, own, fr, null, 0, { bytes: 0 });
      this.transactions.add(tid, f);
    }
    this.ctx.emit(
      'relay.forward',
      { method: frame.method, inConn: inConn.id, outConn: target.id, inTransactionId: frame.transactionId, outTransactionId: tid, toPathBefore: frame.toPath, toPathAfter: paths.toPath, fromPathBefore: frame.fromPath, fromPathAfter: paths.fromPath },
      keep ? deviation(this.profile, 'keep-tid') : 'R-24',
    );
    const kept = f;
    target.sendFrame(out, kept === null ? undefined : () => this.transactions.written(kept, tid, frame));
  }

  private forwardSend(
    inConn: MsrpConnection,
    frame: MsrpRequest,
    target: MsrpConnection,
    paths: { toPath: string[]; fromPath: string[] },
    own: string,
    fr: FailureReport,
  ): void {
    this.answerSend(inConn, frame);
    if (frame.body === null) {
      this.forwardBodiless(inConn, frame, target, paths, own, fr);
      return;
    }
    const body = frame.body;
    const range = frame.byteRange ?? { start: 1, end: body.length, total: frame.continuation === '$' ? body.length : null };
    // W-06: the last chunk forwarded keeps the flag received: `$`, `+`, or `#` for an aborted
    // message (E-24), which the receiver must learn of.
    const source = this.sendSource(inConn, frame, target, paths, own, fr, { data: body, range, lastFlag: frame.continuation, received: { bytes: body.length } });
    target.sendData(source);
  }

  /**
   * R-20, RFC 4976 §6.4.1: with Failure-Report yes the relay "MUST respond with a final response
   * immediately"; never a 200 for partial or no — unless the profile says otherwise.
   */
  private answerSend(inConn: MsrpConnection, frame: MsrpRequest): void {
    const literal = frame.failureReport ?? 'yes';
    if (!this.profile.okFor.has(literal)) return;
    this.answer(inConn, frame, 200, literal === 'yes' ? 'R-20' : deviation(this.profile, `200-for-${literal}`));
  }

  /** The SEND data the relay forwards for one received chunk, with its transactions' bookkeeping. */
  private sendSource(
    inConn: MsrpConnection,
    frame: MsrpRequest,
    target: MsrpConnection,
    paths: { toPath: string[]; fromPath: string[] },
    own: string,
    fr: FailureReport,
    body: { data: Uint8Array; range: ByteRange; lastFlag: Continuation; received: { bytes: number } },
  ): SendSource {
    const { range, received } = body;
    const keep = this.profile.keepTransactionId;
    const source: SendSource = {
      messageId: frame.messageId ?? this.ctx.newMessageId(),
      contentType: frame.contentType ?? 'application/octet-stream',
      toPath: paths.toPath,
      fromPath: paths.fromPath,
      successReport: frame.successReport,
      failureReport: frame.failureReport,
      data: body.data,
      firstPosition: range.start,
      total: range.total,
      lastFlag: body.lastFlag,
      // the relay MAY split what it received into smaller chunks; Byte-Range follows.
      maxChunk: this.options.maxChunk,
      sent: 0,
      extraHeaders: frame.headers.filter(([n]) => /^content-(?!type)/i.test(n)) as [string, string][],
      firstTransactionId: keep ? frame.transactionId : undefined,
    };
    source.onChunkWritten = (chunk, chunkRange) => {
      const f = new Forwarded<MsrpConnection, Timer>('SEND', frame, inConn, target, own, fr, chunkRange, chunk.body?.length ?? 0, received);
      this.transactions.add(chunk.transactionId, f);
      const rechunked = chunk.byteRange?.start !== range.start || (chunk.body?.length ?? 0) < received.bytes;
      const rule = keep && chunk.transactionId === frame.transactionId ? deviation(this.profile, 'keep-tid') : rechunked ? 'R-23' : 'R-19';
      this.ctx.emit(
        'relay.forward',
        { method: 'SEND', inConn: inConn.id, outConn: target.id, inTransactionId: frame.transactionId, outTransactionId: chunk.transactionId, toPathBefore: frame.toPath, toPathAfter: paths.toPath, fromPathBefore: frame.fromPath, fromPathAfter: paths.fromPath, byteRangeIn: range, byteRangeOut: chunk.byteRange ?? null, rechunked },
        rule,
      );
      if (fr === 'no') this.transactions.drop(chunk.transactionId, f);
      else this.transactions.written(f, chunk.transactionId, frame);
    };
    source.onAbandoned = (from) => {
      if (fr === 'no') return;
      // A-02 (our choice): the relay took the SEND (with Failure-Report yes it has answered 200)
      // but the connection to the next hop failed, or went away, before these bytes went out in a
      // complete chunk: a 408 REPORT for them to the original sender.
      const end = range.start + received.bytes - 1;
      this.ctx.emit('relay.undeliverable', { transactionId: frame.transactionId, reason: `connection ${target.id} to the next hop closed before bytes ${from}-${end} went out` }, 'A-02');
      const lost = new Forwarded<MsrpConnection, Timer>('SEND', frame, inConn, target, own, fr, { start: from, end, total: range.total }, end - from + 1, received, 'done');
      this.transactions.failureReport(lost, 408, this.profile.report408OnDownstreamLoss ? deviation(this.profile, '408-on-downstream-loss') : 'A-02');
    };
    return source;
  }

  /**
   * A SEND whose head has arrived, on a cut-through relay: once it passes the checks its body is
   * forwarded as it arrives, in a chunk that any other frame for that connection interrupts with
   * `+` and that resumes in a new transaction; the 200 goes back when the end-line has arrived.
   */
  private onRequestHead(conn: MsrpConnection, head: MsrpRequest): RequestStream | null {
    if (!this.profile.cutThrough) return null;
    const admitted = this.admit(conn, head);
    if (!admitted) return DISCARD;
    const { routed, next, outConn, own, fr } = admitted;
    const target = outConn ?? this.connectionFor(next, routed);
    if (!target) {
      this.failForward(conn, head, fr, 408, 'next hop unreachable', 'R-22');
      return DISCARD;
    }
    const paths = forwardPaths(routed.toPath, routed.fromPath);
    const range = head.byteRange ?? { start: 1, end: null, total: null };
    const received = { bytes: 0 };
    let data = new Uint8Array(range.end !== null && range.end >= range.start ? Math.min(range.end - range.start + 1, 1 << 20) : 4096);
    const source = this.sendSource(conn, head, target, paths, own, fr, { data, range, lastFlag: '+', received });
    source.streaming = true;
    source.available = 0;
    source.cutThrough = deviation(this.profile, 'cut-through');
    this.ctx.emit('relay.cut-through', { inConn: conn.id, outConn: target.id, inTransactionId: head.transactionId, toPathAfter: paths.toPath }, source.cutThrough);
    target.sendData(source);
    return {
      piece: (bytes) => {
        if (received.bytes + bytes.length > data.length) {
          const grown = new Uint8Array(Math.max(2 * data.length, received.bytes + bytes.length));
          grown.set(data.subarray(0, received.bytes));
          data = grown;
          source.data = data;
        }
        data.set(bytes, received.bytes);
        received.bytes += bytes.length;
        source.available = received.bytes;
        target.kick();
      },
      end: (frame) => {
        source.data = data.subarray(0, received.bytes);
        source.available = undefined;
        source.streaming = false;
        source.lastFlag = frame.continuation;
        this.answerSend(conn, frame);
        target.kick();
      },
      abort: () => {
        // The sender's connection went away mid-chunk: what was forwarded ends with `#` (E-24).
        source.abort = true;
        target.kick();
      },
    };
  }

  /** A bodiless SEND (E-13 binding, keepalive) is forwarded as it is: no body, no Content-Type (W-16). */
  private forwardBodiless(
    inConn: MsrpConnection,
    frame: MsrpRequest,
    target: MsrpConnection,
    paths: { toPath: string[]; fromPath: string[] },
    own: string,
    fr: FailureReport,
  ): void {
    const tid = this.profile.keepTransactionId ? frame.transactionId : this.ctx.newTransactionId();
    const out = buildRequest({
      transactionId: tid,
      method: 'SEND',
      toPath: paths.toPath,
      fromPath: paths.fromPath,
      messageId: frame.messageId,
      byteRange: frame.byteRange,
      successReport: frame.successReport,
      failureReport: frame.failureReport,
    });
    const f = new Forwarded<MsrpConnection, Timer>('SEND', frame, inConn, target, own, fr, frame.byteRange ?? null, 0, { bytes: 0 });
    if (fr !== 'no') this.transactions.add(tid, f);
    this.ctx.emit(
      'relay.forward',
      { method: 'SEND', inConn: inConn.id, outConn: target.id, inTransactionId: frame.transactionId, outTransactionId: tid, toPathBefore: frame.toPath, toPathAfter: paths.toPath, fromPathBefore: frame.fromPath, fromPathAfter: paths.fromPath },
      this.profile.keepTransactionId ? deviation(this.profile, 'keep-tid') : 'R-19',
    );
    target.sendFrame(out, () => this.transactions.written(f, tid, frame));
  }

  /**
   * Whether `conn` leads to the relay at `key` (`scheme://host:port`): this relay opened it to
   * that authority (and TLS checked the server's name), or the peer presented a certificate for
   * that host (R-11, R-29: relays authenticate each other with mutual TLS).
   */
  private leadsTo(conn: MsrpConnection, state: ConnState, key: string): boolean {
    if (state.target === key) return true;
    if (!state.peerRelay) return false;
    const host = key.slice(key.indexOf('://') + 3, key.lastIndexOf(':'));
    return (conn.tcp.tls?.peerNames ?? []).some((n) => certificateNameMatches(n, host));
  }

  /** Finds or opens the connection toward the To-Path URI `next` (R-25, E-14, A-05). */
  private connectionFor(next: string, frame: MsrpRequest): MsrpConnection | null {
    const parsed = parseUri(next);
    if (!parsed.ok) return null;
    const key = authority(parsed.uri);
    const sessionKey = this.profile.connectionPerSession ? `${frame.fromPath[frame.fromPath.length - 1]}>${frame.toPath[frame.toPath.length - 1]}` : null;
    // a connection is associated with an authority if this relay opened it to that authority,
    // if the peer proved it is that relay (mutual TLS), or — only for the last hop, which is never a
    // relay — if a request on it came from that authority. A From-Path claim alone never makes a
    // connection the way to another relay: that would let any client intercept relay traffic.
    const lastHop = frame.toPath.length === 2;
    // Keys and get(), not entries: a relay scans all its connections for every frame it forwards,
    // and an entry array per connection was an eighth of what a run allocates.
    for (const c of this.conns.keys()) {
      if (!c.isOpen) continue;
      const s = this.conns.get(c)!;
      if (sessionKey !== null && s.sessionKey !== null && s.sessionKey !== sessionKey) continue;
      if (this.leadsTo(c, s, key) || (lastHop && s.authorities.has(key))) {
        if (sessionKey !== null && s.target === key && s.sessionKey === null) s.sessionKey = sessionKey;
        return c;
      }
    }
    // R-25, RFC 4976 §3: relays "can open new connections (typically to other relays) to deliver
    // requests"; R-29: relay-to-relay connections use mutual TLS.
    const uri = parsed.uri;
    const tls = uri.scheme === 'msrps' ? { serverName: uri.host, version: this.options.tlsVersion, certificateNames: this.options.certificateNames ?? [this.options.host] } : undefined;
    this.ctx.emit('relay.connect', { target: key, reason: sessionKey !== null ? 'one connection per session' : 'no connection to the next hop' }, sessionKey !== null ? deviation(this.profile, 'connection-per-session') : 'R-25');
    const tcp = this.host.connect({ host: uri.host, port: uri.port ?? DEFAULT_PORT, tls }, {});
    const conn = this.adopt(tcp, key);
    conn.data.set('authority', key);
    this.conns.get(conn)!.sessionKey = sessionKey;
    return conn;
  }

  // ----------------------------------------------------------------------------------------------
  // Responses (CHECKLIST d.5)

  private onResponse(conn: MsrpConnection, frame: MsrpResponse): void {
    if (this.crashed) return;
    this.transactions.response(conn, frame);
  }

  private failForward(inConn: MsrpConnection, frame: MsrpRequest, fr: FailureReport, code: number, reason: string, rule: string): void {
    this.ctx.emit('relay.undeliverable', { transactionId: frame.transactionId, reason }, rule);
    if (frame.method !== 'SEND') {
      if (frame.method !== 'REPORT') this.answer(inConn, frame, code, rule);
      return;
    }
    // A-02 (our choice): not yet answered => the error goes in the transaction response.
    this.reject(inConn, frame, fr, code, rule);
  }

  /** Answers `frame` with `code` when Failure-Report allows (never for REPORTs, E-31). */
  private reject(conn: MsrpConnection, frame: MsrpRequest, fr: FailureReport, code: number, rule: string): void {
    if (frame.method === 'REPORT') return;
    if (frame.method === 'SEND' && fr === 'no') return;
    this.answer(conn, frame, code, rule);
  }

  private answer(conn: MsrpConnection, frame: MsrpRequest, code: number, rule: string, extra?: AnswerExtra): void {
    answer(this.io, conn, frame, code, rule, this.baseUri, extra);
  }

  // ----------------------------------------------------------------------------------------------

  private onClosed(conn: MsrpConnection, reason: CloseReason): void {
    const state = this.conns.get(conn);
    this.conns.delete(conn);
    if (state) this.ctx.sim.scheduler.cancel(state.idle);
    if (state) this.auth.closed(state.auth);
    this.transactions.closed(conn);
    this.ctx.emit('relay.connection-closed', { conn: conn.id, reason: reason.kind }, undefined);
  }
}

const KNOWN = new Set([
  'to-path', 'from-path', 'message-id', 'byte-range', 'success-report', 'failure-report', 'status', 'expires',
  'min-expires', 'max-expires', 'use-path', 'www-authenticate', 'authorization', 'authentication-info', 'content-type',
]);


