/**
 * An MSRP endpoint (RFC 4975), which may use relays (RFC 4976 §5): the Push Sender Agent and Push
 * Receiver Agent of SPEC §3.1. The node wires its collaborators, each behind a narrow interface,
 * to its connections (the seams) and its clock: the AUTH to its relays (endpoint-auth.ts), SDP
 * offer/answer and re-offers (endpoint-offers.ts), the sessions' life (endpoint-sessions.ts),
 * sending (endpoint-messages.ts) and receiving (endpoint-receiver.ts). It keeps its life cycle
 * (crash and restart), its connections, its transaction table and raw bytes.
 */
import { Host } from '../../net/index.js';
import type { Connection, ConnectionCloseReason } from '../seams.js';
import { hostTransport, type NodeTransport } from '../node-transport.js';
import type { Timer } from '../../sim/scheduler.js';
import type { MsrpResponse } from '../../wire/frame.js';
import { parseUri, formatUri } from '../../wire/uri.js';
import { EndpointTransactions, type EndpointTransactionsHost } from '../../protocol/endpoint-transactions.js';
import type { EndpointEvents, EndpointEventType } from '../../protocol/endpoint-events.js';
import type { TraceTypes } from '../../sim/trace.js';
import { MsrpConnection } from '../msrp-connection.js';
import type { NodeContext } from '../node-context.js';
import type { AnswerResult, OfferReceived, Signalling, SignallingPeer } from '../signalling.js';
import { EndpointReceiver, type ReceivingNode } from './endpoint-receiver.js';
import { EndpointMessages } from './endpoint-messages.js';
import { EndpointAuth } from './endpoint-auth.js';
import { EndpointSessions } from './endpoint-sessions.js';
import { EndpointOffers } from './endpoint-offers.js';
import { DEFAULT_RELAY_PORT, rawKey, samePath, type EndpointOptions, type Outgoing, type Resend, type Session } from './endpoint-types.js';

export type { EndpointOptions, RelayCredentials, Resend, SendAction } from './endpoint-types.js';

export class EndpointNode implements SignallingPeer {
  readonly id: string;
  /** Open transactions and their timers (src/protocol/endpoint-transactions.ts). */
  private readonly transactions: EndpointTransactions<Session, Outgoing, Timer>;
  private readonly connections = new Set<MsrpConnection>();
  /** The AUTH to the relays (endpoint-auth.ts): the Use-Path and its renewal. */
  private readonly auth: EndpointAuth;
  /** The sessions and their life (endpoint-sessions.ts). */
  private readonly sessions: EndpointSessions;
  /** SDP offer/answer and re-offers (endpoint-offers.ts). */
  private readonly offers: EndpointOffers;
  private deviceUri: string;
  private crashed = false;
  /** One more at each crash: what was scheduled before it belongs to a life of the node that is over. */
  private epoch = 0;
  /** The messages sent and how long they are remembered (endpoint-messages.ts). */
  private readonly messages: EndpointMessages;
  /** The receiving side: matching, reassembly, responses and REPORTs (endpoint-receiver.ts). */
  private readonly receiver: EndpointReceiver;

  /** Where its connections come from: a simulated host, or live mode's sockets to a live relay. */
  readonly transport: NodeTransport;

  constructor(
    readonly ctx: NodeContext,
    host: Host | NodeTransport,
    readonly options: EndpointOptions,
    signalling: Signalling,
  ) {
    this.transport = host instanceof Host ? hostTransport(host) : host;
    this.id = ctx.id;
    this.deviceUri = this.makeUri(ctx.newSessionId());
    const crashed = (): boolean => this.crashed;
    const adopt = (conn: Connection, opened?: () => void): MsrpConnection => this.adopt(conn, opened);
    const relayConn = (session: Session): MsrpConnection | null => this.auth.connFor(session);
    // The sending side is made after the sessions it sends in; the sessions reach it when they run.
    const messages = (): EndpointMessages => this.messages;
    this.auth = new EndpointAuth(
      {
        ctx,
        options,
        transport: this.transport,
        crashed,
        adopt,
        openTransaction: (tid, relayIndex, conn, session) => {
          this.transactions.add(tid, { kind: 'auth', relayIndex, conn, ...(session ? { session, sessionId: session.id } : {}) }, true);
        },
        usePathChanged: (previous) => {
          if (samePath(previous, this.auth.usePath)) return;
          for (const session of [...this.sessions.all.values()]) this.offers.renegotiate(session, 'new Use-Path after the re-AUTH');
        },
      },
      this.deviceUri,
    );
    this.transactions = new EndpointTransactions(this.transactionsHost(), options);
    this.sessions = new EndpointSessions({
      ctx,
      options,
      transport: this.transport,
      signalling,
      get messages() {
        return messages();
      },
      crashed,
      epoch: () => this.epoch,
      relayConn,
      deviceRelayConn: () => this.auth.relayConn,
      perSessionAuth: this.auth.perSession,
      forgetAuth: (session) => this.auth.forget(session),
      connections: () => this.connections,
      adopt,
      afterAuth: (session, run, fail) => this.auth.afterAuth(session, run, fail),
      bindingTransaction: (tid, session) => {
        this.transactions.add(tid, { kind: 'send', session, sessionId: session.id, conn: session.conn?.id }, false);
        return { started: () => this.transactions.start(tid) };
      },
      dropTransactions: (session) => this.transactions.drop((t) => t.session === session),
      sendOffer: (session) => this.offers.sendOffer(session),
      makeUri: (id) => this.makeUri(id),
    });
    this.offers = new EndpointOffers({ ctx, options, signalling, sessions: this.sessions, crashed, usePath: (session) => this.auth.usePathFor(session), relayConn });
    this.messages = new EndpointMessages({
      ctx,
      options,
      sessions: this.sessions.all,
      transactions: this.transactions,
      failSession: (session, reason, rule) => this.sessions.fail(session, reason, rule),
    });
    this.receiver = new EndpointReceiver(this.receivingNode());
    this.listen();
    this.transport.onLifecycle?.(() => this.crash(), () => this.restart());
  }

  // ----------------------------------------------------------------------------------------------
  // Life cycle

  /** Starts the node: authenticates to its relays if it has any. */
  start(): void {
    this.auth.start();
  }

  /** The host name SIP reaches this endpoint at. */
  get sipHost(): string {
    return this.options.host;
  }

  get ready(): boolean {
    return this.auth.ready;
  }

  /**
   * How much the endpoint remembers, for tests of bounded state (SPEC §9): open transactions,
   * sessions, messages sent and received still remembered, actions waiting for the AUTH.
   */
  get stateSizes(): { transactions: number; sessions: number; messagesOut: number; messagesIn: number; waiting: number } {
    let messagesOut = 0;
    let messagesIn = 0;
    for (const s of this.sessions.all.values()) {
      messagesOut += s.outgoing.size;
      messagesIn += s.incoming.size;
    }
    return { transactions: this.transactions.size, sessions: this.sessions.all.size, messagesOut, messagesIn, waiting: this.auth.waiting };
  }

  /** The URIs of Use-Path after the last AUTH (empty without relays). */
  get currentUsePath(): readonly string[] {
    return this.auth.usePath;
  }

  private listen(): void {
    this.transport.listen(this.options.port, (conn) => this.adopt(conn), this.options.scheme === 'msrps'
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
    this.ctx.emit('node.crash', { role: 'endpoint', sessions: this.sessions.all.size, waiting: this.auth.waiting });
    this.transactions.reset();
    this.sessions.crash();
    this.connections.clear();
    this.auth.reset();
  }

  private restart(): void {
    this.crashed = false;
    this.ctx.emit('node.restart', { role: 'endpoint' });
    this.deviceUri = this.makeUri(this.ctx.newSessionId());
    this.auth.setFromUri(this.deviceUri);
    this.listen();
    this.start();
  }

  private makeUri(sessionId: string): string {
    return `${this.options.scheme}://${this.options.host}:${this.options.port}/${sessionId};tcp`;
  }

  private adopt(transport: Connection, opened?: () => void): MsrpConnection {
    const conn = new MsrpConnection(this.ctx, transport, {
      request: (c, f) => this.receiver.request(c, f),
      response: (c, f) => this.onResponse(c, f),
      closed: (c, r) => this.onClosed(c, r),
      opened,
    });
    this.connections.add(conn);
    return conn;
  }

  /**
   * New settings from now on (scenario action `set`). A new `authExpires` is what the next AUTH
   * asks for (the next re-AUTH, or the first one after a reconnect).
   */
  reconfigure(options: EndpointOptions): void {
    const expiresChanged = options.authExpires !== this.options.authExpires;
    Object.assign(this.options, options);
    if (expiresChanged) this.auth.setExpires(options.authExpires);
  }

  /** Re-AUTH before Expires runs out, on the same relay connection. */
  reauthenticate(): void {
    this.auth.reauthenticate();
  }

  // ----------------------------------------------------------------------------------------------
  // Sessions (endpoint-sessions.ts) and their offers and answers (endpoint-offers.ts)

  /** Scenario action `session`: this node offers session `sessionId` to `peer`. */
  openSession(sessionId: string, peer: string): void {
    this.sessions.open(sessionId, peer);
  }

  onOffer(sessionId: string, from: string, received: OfferReceived, reoffer = false): void {
    this.offers.onOffer(sessionId, from, received, reoffer);
  }

  onAnswer(sessionId: string, result: AnswerResult): void {
    this.offers.onAnswer(sessionId, result);
  }

  /** Scenario action `end`: BYE, and the session is gone on both sides. */
  endSession(sessionId: string): void {
    this.sessions.end(sessionId);
  }

  onBye(sessionId: string, _from: string): void {
    this.sessions.bye(sessionId);
  }

  // ----------------------------------------------------------------------------------------------
  // Sending messages and raw bytes

  /** Scenario action `send` (endpoint-messages.ts). */
  sendMessage(action: Resend, fromQueue = false): void {
    this.messages.send(action, fromQueue);
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
    const conn = this.adopt(this.transport.connect({ host: uri.host, port: uri.port ?? DEFAULT_RELAY_PORT, tls }));
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
        : this.auth.relayConn ?? [...this.connections].find((c) => c.isOpen);
    if (!conn || !conn.isOpen) return false;
    const offset = conn.transport.bytesWritten;
    conn.transport.write(bytes);
    this.ctx.emit('msrp.raw', { conn: conn.id, offset, length: bytes.length, text: Buffer.from(bytes).toString('latin1') });
    return true;
  }

  /** Scenario action `raw` with `to`: a new connection to `target`, the bytes written once it is open. */
  sendRawTo(target: { host: string; port: number; tls: boolean }, bytes: Uint8Array): void {
    const tcp = this.transport.connect({ host: target.host, port: target.port, tls: target.tls ? { serverName: target.host, version: this.options.tlsVersion } : undefined });
    const conn = this.adopt(tcp, () => {
      const offset = conn.transport.bytesWritten;
      conn.transport.write(bytes);
      this.ctx.emit('msrp.raw', { conn: conn.id, offset, length: bytes.length, text: Buffer.from(bytes).toString('latin1') });
    });
  }

  // ----------------------------------------------------------------------------------------------
  // Transactions

  /** What the transaction table asks of this node: the clock, the trace, what a timeout means. */
  private transactionsHost(): EndpointTransactionsHost<Session, Outgoing, Timer> {
    const ctx = this.ctx;
    return {
      get now() {
        return ctx.now;
      },
      // EndpointEvents are trace record types (merged into TraceTypes): the same fields under the same type.
      emit: <K extends EndpointEventType>(type: K, fields: EndpointEvents[K], rule?: string) => ctx.emit(type, fields as TraceTypes[K], rule),
      setTimer: (at, fire) => ctx.sim.scheduler.at(at, fire),
      cancelTimer: (timer) => ctx.sim.scheduler.cancel(timer),
      timedOut: (t) => {
        if (t.kind === 'auth') {
          this.auth.timedOut(t.relayIndex, t.session);
          return;
        }
        if (t.session && t.message) {
          t.message.sender.abort();
          this.messages.transactionEnded(t.session, t.message);
        }
        if (t.session && !t.message) this.sessions.fail(t.session, 'no response to the binding SEND', 'A-13');
      },
      expired: (t) => this.messages.transactionEnded(t.session!, t.message!),
      state: (fields) => ctx.emitState('state.transaction', fields),
      wantsState: () => ctx.wantsState(),
    };
  }

  // ----------------------------------------------------------------------------------------------
  // Receiving

  private onResponse(conn: MsrpConnection, frame: MsrpResponse): void {
    const t = this.transactions.response(conn.id, frame);
    if (!t) return;
    if (t.kind === 'auth') this.auth.response(frame, t.relayIndex, t.session);
    else this.messages.response(t.session!, t.message, frame);
  }

  /** What the receiving side asks of this node. */
  private receivingNode(): ReceivingNode {
    return {
      ctx: this.ctx,
      options: this.options,
      crashed: () => this.crashed,
      deviceUri: () => this.deviceUri,
      matcher: this.sessions.matcher,
      establish: (session) => this.sessions.establish(session),
      failSession: (session, reason, rule) => this.sessions.fail(session, reason, rule),
      sweep: (session) => this.messages.sweep(session),
      grace: (session) => this.messages.grace(session),
      settle: (session, out) => this.messages.settle(session, out),
    };
  }

  private onClosed(conn: MsrpConnection, reason: ConnectionCloseReason): void {
    this.connections.delete(conn);
    this.sessions.connectionClosed(conn, `connection ${conn.id} closed: ${reason.kind}`);
    // The AUTH transactions on it (the device's relay connection, or a session's own) can no longer be answered.
    this.transactions.drop((t) => t.kind === 'auth' && t.conn === conn.id);
    this.auth.closed(conn, reason);
  }

  /** Node summary for the outputs. */
  describe(): { host: string; uri: string } {
    const parsed = parseUri(this.deviceUri);
    return { host: this.options.host, uri: parsed.ok ? formatUri(parsed.uri) : this.deviceUri };
  }
}
