/**
 * An MSRP relay (RFC 4976) as a node: it binds the relay's protocol machines (src/protocol/:
 * auth-server.ts, relay-transactions.ts, relay-forwarding.ts; docs/architecture.md) to its
 * connections and to the clock seam, and keeps what only a node can know: its connections, which
 * peer each leads to (A-05, mutual TLS), when one is idle, crash and restart. A profile
 * (src/protocol/relay-profile.ts) adds the documented deviations of deployed relays.
 */
import { certificateNameMatches, Host } from '../../net/index.js';
import type { Timer } from '../../sim/scheduler.js';
import type { Micros } from '../../sim/time.js';
import type { MsrpRequest, MsrpResponse } from '../../wire/frame.js';
import { pathUri } from '../../wire/path-uris.js';
import { parseUri, type MsrpUri } from '../../wire/uri.js';
import { AuthServer, type AuthPeer } from '../../protocol/auth-server.js';
import { authority, DEFAULT_PORT } from '../../protocol/paths.js';
import { RelayTransactions } from '../../protocol/relay-transactions.js';
import { RelayForwarding } from '../../protocol/relay-forwarding.js';
import { DISCARD, type RelayLinks } from '../../protocol/relay-links.js';
import { sessionOf } from '../../protocol/relay-sessions.js';
import type { RelayHost } from '../../protocol/relay-host.js';
import type { RelayEvents, RelayEventType } from '../../protocol/relay-events.js';
import type { TraceTypes } from '../../sim/trace.js';
import { MsrpConnection } from '../msrp-connection.js';
import type { Clock, Connection, ConnectionCloseReason } from '../seams.js';
import { SimClock } from '../sim-clock.js';
import { hostTransport, type NodeTransport } from '../node-transport.js';
import type { NodeContext } from '../node-context.js';
import { RELAY_PROFILES, STRICT_DEFAULTS, deviation, type RelayProfile, type RelayProfileName, type RelayTunables } from '../../protocol/relay-profile.js';
import { ConnectionIndex } from './connection-index.js';

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
  /** Authority of the target we opened it to, for outbound connections. */
  target: string | null;
  /** Session the connection is dedicated to (profiles with one session per connection). */
  sessionKey: string | null;
  /** the pending idle check, when the relay has an idle limit. */
  idle: Timer | null;
  /** when a transaction on the connection last ended without traffic (its 408 timer ran out). */
  lastUse: Micros;
}

export class RelayNode {
  readonly id: string;
  private current: RelayProfile;
  private readonly baseUri: string;
  private readonly base: MsrpUri;
  private readonly auth: AuthServer<MsrpConnection, Timer>;
  /** What the protocol machines ask of this node (time, ids, writes, timers, trace). */
  private readonly io: RelayHost<MsrpConnection, Timer>;
  /** The clock seam: every timer of the relay and its machines is set through it. */
  private readonly clock: Clock<Timer>;
  private readonly conns = new Map<MsrpConnection, ConnState>();
  /** The connections of `conns` that may lead to an authority, for connectionFor. */
  private readonly leading = new ConnectionIndex<MsrpConnection>();
  private readonly transactions: RelayTransactions<MsrpConnection, Timer>;
  private readonly forwarding: RelayForwarding<MsrpConnection, Timer>;
  private crashed = false;
  readonly options: RelayOptions & RelayTunables;
  /** Where its connections come from: a simulated host, or real sockets in live mode. */
  readonly transport: NodeTransport;

  /**
   * `host` is the simulated host the relay runs on, or any other transport (live mode's sockets);
   * the clock is the kernel's scheduler either way (a live run drives it in wall-clock time).
   */
  constructor(
    readonly ctx: NodeContext,
    host: Host | NodeTransport,
    options: RelayOptions,
  ) {
    this.transport = host instanceof Host ? hostTransport(host) : host;
    this.id = ctx.id;
    this.current = RELAY_PROFILES[options.profile];
    // A setting given in the options wins over the profile's default, which wins over the strict one.
    const tunables = { ...STRICT_DEFAULTS };
    for (const key of Object.keys(tunables) as (keyof RelayTunables)[]) tunables[key] = options[key] ?? this.profile.defaults[key] ?? STRICT_DEFAULTS[key];
    this.options = { ...options, ...tunables };
    this.clock = new SimClock(ctx.sim.scheduler);
    this.io = this.hostFor(ctx, this.clock);
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
      (conn) => conn.transport.bytesWritten,
      (conn) => conn.transport.bytesAcknowledged,
    );
    this.forwarding = new RelayForwarding(this.io, this.linksFor(), this.auth, this.transactions, this.options, this.base, this.baseUri, this.current);
    this.transport.onLifecycle?.(
      () => this.crash(),
      () => this.restart(),
    );
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
    this.transport.listen(
      this.options.port,
      (conn) => this.adopt(conn, null),
      this.options.scheme === 'msrps'
        ? { certificateNames: this.options.certificateNames ?? [this.options.host], version: this.options.tlsVersion, requestClientCertificate: true }
        : undefined,
    );
    this.ctx.emit('relay.start', { uri: this.baseUri, profile: this.profile.name });
  }

  /** The node's side of the machines' RelayHost: the kernel's clock and timers, the connections, the trace. */
  private hostFor(ctx: NodeContext, clock: Clock<Timer>): RelayHost<MsrpConnection, Timer> {
    return {
      get now() {
        return clock.now;
      },
      // RelayEvents is part of TraceTypes (relay/trace-types.ts): the same fields under the same type.
      emit: <K extends RelayEventType>(type: K, fields: RelayEvents[K], rule?: string) => ctx.emit(type, fields as TraceTypes[K], rule),
      // Node state records are part of trace format 2 on.
      emitState: (type, fields) => ctx.emitState(type, fields as TraceTypes[typeof type]),
      wantsState: () => ctx.wantsState(),
      send: (conn, frame) => conn.sendFrame(frame),
      close: (conn) => conn.close(),
      reset: (conn) => conn.reset(),
      connId: (conn) => conn.id,
      isOpen: (conn) => conn.isOpen,
      isPeerRelay: (conn) => this.conns.get(conn)?.peerRelay === true,
      leadsTo: (conn, key) => {
        const state = this.conns.get(conn);
        return state !== undefined && this.leadsTo(conn, state, key);
      },
      setTimer: (at, fire) => clock.setTimer(at, fire),
      cancelTimer: (timer) => clock.cancel(timer),
      newNonce: () => ctx.newNonce(),
      newToken: () => ctx.newToken(),
      newTransactionId: () => ctx.newTransactionId(),
      newMessageId: () => ctx.newMessageId(),
    };
  }

  /** What the forwarding decision asks of the node: connections to next hops, and writing on them. */
  private linksFor(): RelayLinks<MsrpConnection> {
    return {
      connectionFor: (next, frame) => this.connectionFor(next, frame),
      // the authorities (`scheme://host:port`) of the peers seen at the far end.
      cameFrom: (conn, key) => this.leading.cameFrom(conn, key),
      sendClosed: (conn) => conn.transport.sendClosed,
      sendFrame: (conn, frame, written) => conn.sendFrame(frame, written),
      sendData: (conn, source) => conn.sendData(source),
      kick: (conn) => conn.kick(),
    };
  }

  private crash(): void {
    this.crashed = true;
    this.ctx.emit('node.crash', { role: 'relay' });
    this.transactions.reset();
    const peers: AuthPeer<MsrpConnection, Timer>[] = [];
    for (const s of this.conns.values()) {
      peers.push(s.auth);
      this.clock.cancel(s.idle);
    }
    // Tokens, nonces and transactions live in memory only: a restart loses them.
    this.auth.reset(peers);
    this.conns.clear();
    this.leading.clear();
  }

  private restart(): void {
    this.crashed = false;
    this.ctx.emit('node.restart', { role: 'relay' });
    this.start();
  }

  private adopt(transport: Connection, target: string | null): MsrpConnection {
    const state: ConnState = { auth: null!, peerRelay: false, target, sessionKey: null, idle: null, lastUse: this.clock.now };
    const limits = this.profile.readsLimit;
    const conn = new MsrpConnection(
      this.ctx,
      transport,
      {
        request: (c, f) => {
          if (!this.crashed && this.conns.get(c) === state) this.forwarding.request(c, state.auth, f);
        },
        response: (c, f) => this.onResponse(c, f),
        closed: (c, r) => this.onClosed(c, r),
        // R-09, RFC 4976 §6.1: a peer that presented a valid certificate is a relay (mutual TLS);
        // known only once the TLS handshake is over, which for accepted connections is after adopt().
        opened: (c) => {
          state.peerRelay = c.transport.tls?.mutual === true;
          if (state.peerRelay) this.leading.peerRelay(c);
        },
        requestHead: (c, head) => {
          if (!this.profile.cutThrough) return null;
          return this.crashed || this.conns.get(c) !== state ? DISCARD : this.forwarding.head(c, state.auth, head);
        },
      },
      {
        streamRequests: this.profile.cutThrough,
        limits: limits === null ? undefined : { ...limits, rule: deviation(this.profile, 'reads-limit') },
      },
    );
    this.conns.set(conn, state);
    this.leading.add(conn, target);
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
      this.forwarding.profile = this.current;
    }
    Object.assign(this.options, options);
    if (options.users !== undefined) this.auth.setUsers(options.users);
    for (const [conn, state] of this.conns) {
      this.clock.cancel(state.idle);
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
    const due = Math.max(conn.lastActivity, state.lastUse, this.clock.now - limit) + limit;
    state.idle = this.clock.setTimer(due, () => this.idleCheck(conn, state));
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
    if (this.clock.now - since < limit) {
      this.armIdle(conn, state);
      return;
    }
    if (this.inUse(conn)) {
      // Whatever keeps it in use ends in traffic or a transaction ending (lastUse): look again then.
      state.idle = this.clock.setTimer(this.clock.now + limit, () => this.idleCheck(conn, state));
      return;
    }
    const tokens = this.auth.tokensOn(conn);
    // A transaction still remembered keeps its connections in use (its window runs, R-28): none is
    // expected here. One that were would wait for nothing that will come: it is forgotten, without
    // the 408 REPORT a lost connection gets, for the relay knows of no failure.
    const forgotten = this.transactions.forgetOn(conn);
    this.ctx.emit(
      'relay.idle-close',
      { conn: conn.id, idle: this.clock.now - since, limit, user: state.auth.user, target: state.target, tokens, forgotten },
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
    if (state) state.lastUse = this.clock.now;
  }

  /** Fault `expireTokens`: every token this relay handed out expires now. */
  expireTokens(): void {
    this.auth.expireAll();
  }

  // ----------------------------------------------------------------------------------------------
  // Requests

  /**
   * Whether `conn` leads to the relay at `key` (`scheme://host:port`): this relay opened it to
   * that authority (and TLS checked the server's name), or the peer presented a certificate for
   * that host (R-11, R-29: relays authenticate each other with mutual TLS).
   */
  private leadsTo(conn: MsrpConnection, state: ConnState, key: string): boolean {
    if (state.target === key) return true;
    if (!state.peerRelay) return false;
    const host = key.slice(key.indexOf('://') + 3, key.lastIndexOf(':'));
    return (conn.transport.tls?.peerNames ?? []).some((n) => certificateNameMatches(n, host));
  }

  /** Finds or opens the connection toward the To-Path URI `next` (R-25, E-14, A-05). */
  private connectionFor(next: string, frame: MsrpRequest): MsrpConnection | null {
    // `next` is frame.toPath[1] (RelayLinks): parsed once, by the forwarding decision.
    if (frame.toPath[1] !== next) throw new Error(`connectionFor: ${next} is not the next To-Path URI of ${frame.transactionId}`);
    const parsed = pathUri(frame.toPath, 1)!;
    if (!parsed.ok) return null;
    const key = authority(parsed.uri);
    const sessionKey = this.profile.connectionPerSession ? `${frame.fromPath[frame.fromPath.length - 1]}>${frame.toPath[frame.toPath.length - 1]}` : null;
    // a connection is associated with an authority if this relay opened it to that authority,
    // if the peer proved it is that relay (mutual TLS), or — only for the last hop, which is never a
    // relay — if a request on it came from that authority. A From-Path claim alone never makes a
    // connection the way to another relay: that would let any client intercept relay traffic.
    const lastHop = frame.toPath.length === 2;
    // Only the connections that can match, oldest first, as a scan of all of them would find them.
    for (const c of this.leading.candidates(key, lastHop, this.profile.deliverByConnecting)) {
      if (!c.isOpen) continue;
      const s = this.conns.get(c)!;
      // opensips looks a connection up by the next hop's address: only one it opened to it matches.
      if (this.profile.deliverByConnecting) {
        if (s.target === key) return c;
        continue;
      }
      if (sessionKey !== null && s.sessionKey !== null && s.sessionKey !== sessionKey) continue;
      if (this.leadsTo(c, s, key) || (lastHop && this.leading.hasComeFrom(c, key))) {
        if (sessionKey !== null && s.target === key && s.sessionKey === null) s.sessionKey = sessionKey;
        return c;
      }
    }
    // R-25, RFC 4976 §3: relays "can open new connections (typically to other relays) to deliver
    // requests"; R-29: relay-to-relay connections use mutual TLS.
    const uri = parsed.uri;
    const tls = uri.scheme === 'msrps' ? { serverName: uri.host, version: this.options.tlsVersion, certificateNames: this.options.certificateNames ?? [this.options.host] } : undefined;
    this.ctx.emit('relay.connect', { target: key, reason: sessionKey !== null ? 'one connection per session' : 'no connection to the next hop' }, sessionKey !== null ? deviation(this.profile, 'connection-per-session') : 'R-25');
    const conn = this.adopt(this.transport.connect({ host: uri.host, port: uri.port ?? DEFAULT_PORT, ...(tls ? { tls } : {}) }), key);
    conn.data.set('authority', key);
    this.conns.get(conn)!.sessionKey = sessionKey;
    return conn;
  }

  // ----------------------------------------------------------------------------------------------
  // Responses (CHECKLIST d.5)

  private onResponse(conn: MsrpConnection, frame: MsrpResponse): void {
    if (this.crashed || !this.forwarding.response(conn, frame)) return;
    this.transactions.response(conn, frame);
  }

  // ----------------------------------------------------------------------------------------------

  private onClosed(conn: MsrpConnection, reason: ConnectionCloseReason): void {
    const state = this.conns.get(conn);
    // msrprelay: losing one leg of a session ends it; the other leg is closed once the REPORTs
    // for what it had sent (transactions.closed, below) are on their way.
    const leg = this.profile.sessionPerAuth ? sessionOf(this.auth.all, conn) : null;
    const other = leg === null ? null : leg.owner ? leg.token.peer?.conn ?? null : leg.token.conn;
    this.conns.delete(conn);
    this.leading.delete(conn);
    if (state) this.clock.cancel(state.idle);
    if (state) this.auth.closed(state.auth);
    this.transactions.closed(conn);
    if (leg !== null) {
      if (leg.owner) leg.token.peer = null;
      else leg.token.conn = null;
    }
    if (other !== null && other.isOpen) {
      this.ctx.emit('relay.drop-connection', { conn: other.id, session: leg!.token.uri }, deviation(this.profile, 'session-ends-with-leg'));
      other.close();
    }
    this.ctx.emit('relay.connection-closed', { conn: conn.id, reason: reason.kind }, undefined);
  }
}
