/**
 * The endpoint's AUTH to its relays (RFC 4976 §5.1; CHECKLIST d.1 ): the Digest AUTH
 * client (src/protocol/auth-client.ts) bound to the connection to the first relay and to the
 * clock. It opens that connection (and opens it again 2 s after it is lost, E-19, unless the relay
 * refused the credentials), runs the AUTH transactions' timers through the transaction table,
 * re-AUTHs before Expires runs out, and runs what waits for the round to finish.
 *
 * With `authPerSession` on its relays entry the endpoint AUTHs as AG Projects' client does
 * (msrplib `RelayConnection`): no round for the device; each session opens a connection of its own
 * to the relay, AUTHs on it with the session's URI as From-Path, and uses the Use-Path it gets for
 * that session only, on that connection, without renewing it (`SessionAuth`).
 */
import type { Connection, ConnectionCloseReason } from '../seams.js';
import type { NodeTransport } from '../node-transport.js';
import type { Timer } from '../../sim/scheduler.js';
import { SECOND } from '../../sim/time.js';
import type { MsrpResponse } from '../../wire/frame.js';
import type { TraceTypes } from '../../sim/trace.js';
import { AuthClient, type AuthClientHost } from '../../protocol/auth-client.js';
import type { EndpointEvents, EndpointEventType } from '../../protocol/endpoint-events.js';
import type { MsrpConnection } from '../msrp-connection.js';
import type { NodeContext } from '../node-context.js';
import { DEFAULT_RELAY_PORT, type EndpointOptions, type Session } from './endpoint-types.js';

/** What the AUTH binding needs of its node. */
export interface AuthorizingNode {
  readonly ctx: NodeContext;
  readonly options: EndpointOptions;
  readonly transport: NodeTransport;
  /** The node's host has crashed: nothing is opened or sent. */
  crashed(): boolean;
  /** Wraps a transport connection as this node's MSRP connection; `opened` once its handshakes are over. */
  adopt(conn: Connection, opened?: () => void): MsrpConnection;
  /** An AUTH transaction begins on connection `conn` (of `session`, for a session's own AUTH): its timer runs from now. */
  openTransaction(transactionId: string, relayIndex: number, conn: string | undefined, session: Session | null): void;
  /** A re-AUTH round finished with another Use-Path than `previous`: the sessions offer the new one. */
  usePathChanged(previous: readonly string[]): void;
}

/** Something waiting for the AUTH round: `run` once it has finished, `fail` if it gives up. */
interface Waiting {
  run: () => void;
  fail: (reason: string, rule: string) => void;
}

/** A session's own AUTH (`authPerSession`): its AUTH client, its connection to the relay, what waits for it. */
class SessionAuth {
  conn: MsrpConnection | null = null;
  readonly whenReady: Waiting[] = [];
  /** Never renewed (R-08 not run): AG Projects' client keeps a session's Use-Path for the session's life. */
  readonly client: AuthClient<Timer>;

  constructor(host: (auth: SessionAuth) => AuthClientHost<Timer>, relays: EndpointOptions['relays'], fromUri: string, expires: number | null) {
    this.client = new AuthClient(host(this), relays, fromUri, expires, false);
  }
}

export class EndpointAuth {
  /** The Digest AUTH client: the relays' Use-Path and its renewal. */
  private readonly client: AuthClient<Timer>;
  private relay: MsrpConnection | null = null;
  private reconnectTimer: Timer | null = null;
  /** What waits for the AUTH round to finish. */
  private readonly whenReady: Waiting[] = [];
  /** `authPerSession`: each session AUTHs on a connection of its own; there is no round for the device. */
  readonly perSession: boolean;
  /** The sessions' own AUTHs (`authPerSession`), while their connection is there. */
  private readonly sessionAuths = new Map<Session, SessionAuth>();

  constructor(
    private readonly node: AuthorizingNode,
    deviceUri: string,
  ) {
    this.perSession = node.options.relays[0]?.authPerSession === true;
    this.client = new AuthClient(this.clientHost(), node.options.relays, deviceUri, node.options.authExpires);
  }

  /** The device's connection to the first relay, while it is there (none with `authPerSession`). */
  get relayConn(): MsrpConnection | null {
    return this.relay;
  }

  /** The connection to the first relay that carries `session`: the device's, or the session's own. */
  connFor(session: Session): MsrpConnection | null {
    return this.perSession ? (this.sessionAuths.get(session)?.conn ?? null) : this.relay;
  }

  /** The Use-Path `session`'s paths are built from (R-07): the device's, or the session's own. */
  usePathFor(session: Session): readonly string[] {
    return this.perSession ? (this.sessionAuths.get(session)?.client.usePath ?? []) : this.client.usePath;
  }

  get ready(): boolean {
    // With a session's own AUTH there is nothing for the device to wait for.
    return this.perSession || this.client.state === 'ready';
  }

  /** The URIs of Use-Path after the last AUTH (empty without relays). */
  get usePath(): readonly string[] {
    return this.client.usePath;
  }

  /** Actions waiting for the round (and for the sessions' own AUTHs). */
  get waiting(): number {
    let n = this.whenReady.length;
    for (const auth of this.sessionAuths.values()) n += auth.whenReady.length;
    return n;
  }

  /** Starts the AUTH round if there are relays (with `authPerSession`, each session starts its own). */
  start(): void {
    if (this.perSession) return;
    if (this.client.start()) this.connectRelay();
  }

  /** The node crashed: the round, its tokens, what waited for it and the relay connection are gone. */
  reset(): void {
    this.whenReady.length = 0;
    this.relay = null;
    this.client.reset();
    this.node.ctx.sim.scheduler.cancel(this.reconnectTimer);
    this.reconnectTimer = null;
    for (const auth of this.sessionAuths.values()) auth.client.reset();
    this.sessionAuths.clear();
  }

  /** The node's URI changed (a restart): the From-Path of the next AUTH. */
  setFromUri(uri: string): void {
    this.client.setFromUri(uri);
  }

  /** A new `authExpires`: what the next AUTH asks for. */
  setExpires(expires: number | null): void {
    this.client.setExpires(expires);
  }

  /**
   * `run` once the round `session` waits for has finished (at once if it has), `fail` if it gave up
   * (at once if it has). With `authPerSession` that is the session's own AUTH, begun here on a new
   * connection if the session has none yet.
   */
  afterAuth(session: Session, run: () => void, fail: (reason: string, rule: string) => void): void {
    const auth = this.perSession ? (this.sessionAuths.get(session) ?? this.openSessionAuth(session)) : null;
    const client = auth?.client ?? this.client;
    const failure = client.failure;
    if (client.state === 'ready') run();
    else if (failure) fail(failure.reason, failure.rule);
    else (auth?.whenReady ?? this.whenReady).push({ run, fail });
  }

  /** The response to AUTH transaction of relay `relayIndex` (of `session`'s own AUTH, if it has one). */
  response(frame: MsrpResponse, relayIndex: number, session: Session | null): void {
    this.clientOf(session)?.response(frame, relayIndex);
  }

  /** No response to the AUTH of relay `relayIndex` (of `session`'s own AUTH, if it has one) in time (A-13). */
  timedOut(relayIndex: number, session: Session | null): void {
    this.clientOf(session)?.timedOut(relayIndex);
  }

  private clientOf(session: Session | null): AuthClient<Timer> | null {
    if (!this.perSession) return this.client;
    return session === null ? null : (this.sessionAuths.get(session)?.client ?? null);
  }

  /**
   * `authPerSession`: `session` is over; its connection to the relay is closed if it is still
   * there (the session's own connection: no other session uses it) and its AUTH forgotten.
   */
  forget(session: Session): void {
    const auth = this.sessionAuths.get(session);
    if (!auth) return;
    this.sessionAuths.delete(session);
    if (auth.conn?.isOpen) auth.conn.close();
  }

  /** Re-AUTH before Expires runs out, on the same relay connection. */
  reauthenticate(): void {
    // A session's own AUTH is never renewed, and there is no AUTH of the device to renew.
    if (this.node.crashed() || this.node.options.relays.length === 0 || this.perSession) return;
    if (!this.relay || !this.relay.isOpen) {
      this.connectRelay();
      return;
    }
    this.client.refresh();
  }

  /**
   * `conn` closed: if it was the device's relay connection, it is opened again later (E-19) or not
   * if it was a session's own, what waited for that session's AUTH fails, and the session
   * does not get another (it fails with its connection, E-19).
   */
  closed(conn: MsrpConnection, reason: ConnectionCloseReason): boolean {
    for (const [session, auth] of this.sessionAuths) {
      if (auth.conn !== conn) continue;
      this.sessionAuths.delete(session);
      auth.conn = null;
      const waiting = auth.whenReady.splice(0);
      for (const w of waiting) w.fail(`the connection to ${this.node.options.relays[0]!.uri} closed before the AUTH finished: ${reason.kind}`, 'E-19');
      return true;
    }
    if (conn !== this.relay) return false;
    this.relay = null;
    this.scheduleReconnect(reason);
    return true;
  }

  /** What the AUTH client asks of this node: ids, the relay connection, timers, the trace. */
  private clientHost(): AuthClientHost<Timer> {
    return this.authHost({
      openTransaction: (tid, relayIndex) => this.node.openTransaction(tid, relayIndex, this.relay?.id, null),
      send: (frame) => this.relay?.sendFrame(frame),
      ready: (previous, refreshed) => {
        const waiting = this.whenReady.splice(0);
        for (const w of waiting) w.run();
        // R-08: the sessions' paths still name the old tokens, which expire: offer the new ones.
        if (refreshed) this.node.usePathChanged(previous);
      },
      gaveUp: (reason, rule) => {
        // The round is over without a Use-Path: the sessions waiting for it to offer or answer
        // cannot, and fail at once with its reason; so do those asked for until another starts.
        const waiting = this.whenReady.splice(0);
        for (const w of waiting) w.fail(reason, rule);
      },
      reauthenticate: () => this.reauthenticate(),
      state: (fields) => this.node.ctx.emitState('state.auth', fields),
    });
  }

  /** An AUTH client's host: the node's clock, ids, timers and trace, with `own` for its connection and round. */
  private authHost(own: Pick<AuthClientHost<Timer>, 'openTransaction' | 'send' | 'ready' | 'gaveUp' | 'reauthenticate' | 'state'>): AuthClientHost<Timer> {
    const ctx = this.node.ctx;
    return {
      get now() {
        return ctx.now;
      },
      // EndpointEvents are trace record types (merged into TraceTypes): the same fields under the same type.
      emit: <K extends EndpointEventType>(type: K, fields: EndpointEvents[K], rule?: string) => ctx.emit(type, fields as TraceTypes[K], rule),
      newTransactionId: () => ctx.newTransactionId(),
      newCnonce: () => ctx.newCnonce(),
      setTimer: (at, fire) => ctx.sim.scheduler.at(at, fire),
      cancelTimer: (timer) => ctx.sim.scheduler.cancel(timer),
      openTransaction: own.openTransaction,
      send: own.send,
      ready: own.ready,
      gaveUp: own.gaveUp,
      reauthenticate: own.reauthenticate,
      ...(own.state !== undefined ? { state: own.state } : {}),
      wantsState: () => ctx.wantsState(),
    };
  }

  /** A connection to the relay at `uri` (TLS for an msrps URI). */
  private connectTo(uri: { scheme: string; host: string; port?: number | null }): Connection {
    const tls = uri.scheme === 'msrps' ? { serverName: uri.host, version: this.node.options.tlsVersion } : undefined;
    return this.node.transport.connect({ host: uri.host, port: uri.port ?? DEFAULT_RELAY_PORT, tls });
  }

  /**
   * `authPerSession` (AG Projects' msrplib `RelayConnection._relay_connect`): a new connection to
   * the relay for `session`, and an AUTH on it whose From-Path is the session's URI.
   */
  private openSessionAuth(session: Session): SessionAuth {
    const ctx = this.node.ctx;
    const host = (auth: SessionAuth): AuthClientHost<Timer> =>
      this.authHost({
        openTransaction: (tid, relayIndex) => this.node.openTransaction(tid, relayIndex, auth.conn?.id, session),
        send: (frame) => auth.conn?.sendFrame(frame),
        ready: () => {
          for (const w of auth.whenReady.splice(0)) w.run();
        },
        gaveUp: (reason, rule) => {
          for (const w of auth.whenReady.splice(0)) w.fail(reason, rule);
        },
        // Never called: a session's own AUTH is not renewed.
        reauthenticate: () => undefined,
        state: (fields) => ctx.emitState('state.auth', { ...fields, session: session.id }),
      });
    const auth = new SessionAuth(host, this.node.options.relays, session.localUri, this.node.options.authExpires);
    this.sessionAuths.set(session, auth);
    if (this.node.crashed()) return auth;
    const uri = auth.client.connect();
    if (uri === null) return auth;
    const tcp = this.connectTo(uri);
    auth.conn = this.node.adopt(tcp, () => {
      ctx.emit('endpoint.relay-connected', { conn: tcp.id, relay: this.node.options.relays[0]!.uri }, 'R-03');
      auth.client.connected();
    });
    return auth;
  }

  private connectRelay(): void {
    if (this.node.crashed()) return;
    const uri = this.client.connect();
    if (uri === null) return;
    const tcp = this.connectTo(uri);
    this.relay = this.node.adopt(tcp, () => {
      this.node.ctx.emit('endpoint.relay-connected', { conn: tcp.id, relay: this.node.options.relays[0]!.uri }, 'R-03');
      this.client.connected();
    });
  }

  private scheduleReconnect(reason: ConnectionCloseReason): void {
    const ctx = this.node.ctx;
    if (this.node.crashed() || this.reconnectTimer) return;
    if (!this.client.lost()) {
      // Principle 5 (bounded retries): the relay refused the credentials; reconnecting would
      // only repeat the refusal (and R-15 counts it as brute force).
      ctx.emit('endpoint.relay-lost', { reason: reason.kind, detail: reason.detail, retryIn: null }, 'R-04');
      return;
    }
    ctx.emit('endpoint.relay-lost', { reason: reason.kind, detail: reason.detail, retryIn: 2 * SECOND }, 'E-19');
    this.reconnectTimer = ctx.sim.scheduler.after(2 * SECOND, () => {
      this.reconnectTimer = null;
      this.relay = null;
      this.connectRelay();
    });
  }
}
