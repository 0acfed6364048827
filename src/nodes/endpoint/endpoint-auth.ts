/**
 * The endpoint's AUTH to its relays (RFC 4976 §5.1; CHECKLIST d.1 R-03 to R-08): the Digest AUTH
 * client (src/protocol/auth-client.ts) bound to the connection to the first relay and to the
 * clock. It opens that connection (and opens it again 2 s after it is lost, E-19, unless the relay
 * refused the credentials), runs the AUTH transactions' timers through the transaction table,
 * re-AUTHs before Expires runs out (R-08), and runs what waits for the round to finish.
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
import { DEFAULT_RELAY_PORT, type EndpointOptions } from './endpoint-types.js';

/** What the AUTH binding needs of its node. */
export interface AuthorizingNode {
  readonly ctx: NodeContext;
  readonly options: EndpointOptions;
  readonly transport: NodeTransport;
  /** The node's host has crashed: nothing is opened or sent. */
  crashed(): boolean;
  /** Wraps a transport connection as this node's MSRP connection; `opened` once its handshakes are over. */
  adopt(conn: Connection, opened?: () => void): MsrpConnection;
  /** An AUTH transaction begins: its timer runs from now. */
  openTransaction(transactionId: string, relayIndex: number): void;
  /** A re-AUTH round finished with another Use-Path than `previous`: the sessions offer the new one. */
  usePathChanged(previous: readonly string[]): void;
}

/** Something waiting for the AUTH round: `run` once it has finished, `fail` if it gives up. */
interface Waiting {
  run: () => void;
  fail: (reason: string, rule: string) => void;
}

export class EndpointAuth {
  /** The Digest AUTH client: the relays' Use-Path and its renewal. */
  private readonly client: AuthClient<Timer>;
  private relay: MsrpConnection | null = null;
  private reconnectTimer: Timer | null = null;
  /** What waits for the AUTH round to finish. */
  private readonly whenReady: Waiting[] = [];

  constructor(
    private readonly node: AuthorizingNode,
    deviceUri: string,
  ) {
    this.client = new AuthClient(this.clientHost(), node.options.relays, deviceUri, node.options.authExpires);
  }

  /** The connection to the first relay, while it is there. */
  get relayConn(): MsrpConnection | null {
    return this.relay;
  }

  get ready(): boolean {
    return this.client.state === 'ready';
  }

  /** The URIs of Use-Path after the last AUTH (empty without relays). */
  get usePath(): readonly string[] {
    return this.client.usePath;
  }

  /** Actions waiting for the round. */
  get waiting(): number {
    return this.whenReady.length;
  }

  /** Starts the AUTH round if there are relays. */
  start(): void {
    if (this.client.start()) this.connectRelay();
  }

  /** The node crashed: the round, its tokens, what waited for it and the relay connection are gone. */
  reset(): void {
    this.whenReady.length = 0;
    this.relay = null;
    this.client.reset();
    this.node.ctx.sim.scheduler.cancel(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  /** The node's URI changed (a restart): the From-Path of the next AUTH. */
  setFromUri(uri: string): void {
    this.client.setFromUri(uri);
  }

  /** A new `authExpires`: what the next AUTH asks for. */
  setExpires(expires: number | null): void {
    this.client.setExpires(expires);
  }

  /** `run` once the round has finished (at once if it has), `fail` if it gave up (at once if it has). */
  afterAuth(run: () => void, fail: (reason: string, rule: string) => void): void {
    const failure = this.client.failure;
    if (this.client.state === 'ready') run();
    else if (failure) fail(failure.reason, failure.rule);
    else this.whenReady.push({ run, fail });
  }

  /** The response to AUTH transaction of relay `relayIndex`. */
  response(frame: MsrpResponse, relayIndex: number): void {
    this.client.response(frame, relayIndex);
  }

  /** No response to the AUTH of relay `relayIndex` in time. */
  timedOut(relayIndex: number): void {
    this.client.timedOut(relayIndex);
  }

  /** Re-AUTH before Expires runs out, on the same relay connection. */
  reauthenticate(): void {
    if (this.node.crashed() || this.node.options.relays.length === 0) return;
    if (!this.relay || !this.relay.isOpen) {
      this.connectRelay();
      return;
    }
    this.client.refresh();
  }

  /** `conn` closed: if it was the relay connection, it is opened again later (E-19) or not. */
  closed(conn: MsrpConnection, reason: ConnectionCloseReason): boolean {
    if (conn !== this.relay) return false;
    this.relay = null;
    this.scheduleReconnect(reason);
    return true;
  }

  /** What the AUTH client asks of this node: ids, the relay connection, timers, the trace. */
  private clientHost(): AuthClientHost<Timer> {
    const ctx = this.node.ctx;
    return {
      get now() {
        return ctx.now;
      },
      // EndpointEvents are trace record types (merged into TraceTypes): the same fields under the same type.
      emit: <K extends EndpointEventType>(type: K, fields: EndpointEvents[K], rule?: string) => ctx.emit(type, fields as TraceTypes[K], rule),
      newTransactionId: () => ctx.newTransactionId(),
      newCnonce: () => ctx.newCnonce(),
      openTransaction: (tid, relayIndex) => this.node.openTransaction(tid, relayIndex),
      send: (frame) => this.relay?.sendFrame(frame),
      setTimer: (at, fire) => ctx.sim.scheduler.at(at, fire),
      cancelTimer: (timer) => ctx.sim.scheduler.cancel(timer),
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
      state: (fields) => ctx.emitState('state.auth', fields),
    };
  }

  private connectRelay(): void {
    if (this.node.crashed()) return;
    const uri = this.client.connect();
    if (uri === null) return;
    const tls = uri.scheme === 'msrps' ? { serverName: uri.host, version: this.node.options.tlsVersion } : undefined;
    const tcp = this.node.transport.connect({ host: uri.host, port: uri.port ?? DEFAULT_RELAY_PORT, tls });
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
