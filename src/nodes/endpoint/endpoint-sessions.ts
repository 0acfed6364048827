/**
 * An endpoint's sessions and their life (RFC 4975 §5.4, §8; CHECKLIST c.1, c.2 E-11 to E-20): a
 * session made (U-09: its own URI), waiting for the AUTH, its connection opened or reused and
 * bound with a bodiless SEND (E-12 to E-14), established, ended (BYE) or failed and re-established
 * (E-19), then forgotten once nothing more is under way for it (docs/signalling.md). Each state
 * changes only through the session's `SessionLife` (src/protocol/session-life.ts), here.
 */
import { SECOND } from '../../sim/time.js';
import { buildRequest } from '../../wire/builder.js';
import { parseUri } from '../../wire/uri.js';
import { SessionLife, type SessionState } from '../../protocol/session-life.js';
import { SessionMatcher, sessionKey } from '../../protocol/session-matcher.js';
import type { Connection } from '../seams.js';
import type { NodeTransport } from '../node-transport.js';
import type { MsrpConnection } from '../msrp-connection.js';
import type { NodeContext } from '../node-context.js';
import type { Signalling } from '../signalling.js';
import { DEFAULT_RELAY_PORT, outcomeTag, type EndpointOptions, type Session } from './endpoint-types.js';
import type { SessionSending } from './endpoint-messages.js';

/** What the session life needs of its node. */
export interface SessionsNode {
  readonly ctx: NodeContext;
  readonly options: EndpointOptions;
  readonly transport: NodeTransport;
  readonly signalling: Signalling;
  /** The sending side: a session's messages sent, dropped and remembered. */
  readonly messages: SessionSending;
  crashed(): boolean;
  /** The node's life: one more at each crash. */
  epoch(): number;
  /** The connection to the first relay that carries `session` (the device's, or the session's own), while it is there. */
  relayConn(session: Session): MsrpConnection | null;
  /** The device's connection to the first relay, shared by its sessions: never closed with one of them. */
  deviceRelayConn(): MsrpConnection | null;
  /** `authPerSession`: each session has a connection to the relay of its own, made for its AUTH. */
  readonly perSessionAuth: boolean;
  /** `authPerSession`: `session` is over: its own connection to the relay is closed and its AUTH forgotten. */
  forgetAuth(session: Session): void;
  /** The node's open connections. */
  connections(): Iterable<MsrpConnection>;
  adopt(conn: Connection, opened?: () => void): MsrpConnection;
  /** `run` once the AUTH round `session` waits for has finished, `fail` if it gave up. */
  afterAuth(session: Session, run: () => void, fail: (reason: string, rule: string) => void): void;
  /** The bodiless SEND that binds a session (E-13) is a transaction; it starts when it is written. */
  bindingTransaction(transactionId: string, session: Session): { started: () => void };
  /** The session's transactions can no longer be answered. */
  dropTransactions(session: Session): void;
  /** Sends the session's offer (endpoint-offers.ts). */
  sendOffer(session: Session): void;
  /** A new URI for a session or the device, `scheme://host:port/<id>;tcp`. */
  makeUri(sessionId: string): string;
}

/** The word a `state.session` record names each move by. */
const MOVE_NAMES: Record<SessionState, string> = {
  'waiting-auth': 'made',
  offering: 'offered',
  answering: 'offer-received',
  connecting: 'negotiated',
  established: 'bound',
  failed: 'failed',
  closed: 'ended',
};

export class EndpointSessions {
  private readonly byId = new Map<string, Session>();
  /** Which session a received request belongs to (src/protocol/session-matcher.ts). */
  readonly matcher = new SessionMatcher<Session, MsrpConnection>();
  /** Sessions ended or failed, still remembered: each is forgotten once it is over (docs/signalling.md). */
  private readonly ended = new Set<Session>();

  constructor(private readonly node: SessionsNode) {}

  /** The sessions by id. */
  get all(): ReadonlyMap<string, Session> {
    return this.byId;
  }

  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  /** The node crashed: every session is forgotten, what waited for one fails. */
  crash(): void {
    for (const session of this.byId.values()) {
      this.node.ctx.sim.scheduler.cancel(session.reofferTimer);
      this.failQueued(session, 'the node crashed', undefined);
      this.node.messages.dropMessages(session);
      this.node.signalling.release(session.id, this.node.ctx.id);
    }
    this.byId.clear();
    this.ended.clear();
    this.matcher.clear();
  }

  /** The session's state changes (the only place it does), and says so in a `state.session` record. */
  move(session: Session, to: SessionState): void {
    session.life.transition(to);
    this.stateRecord(session, MOVE_NAMES[to]);
  }

  /** What the session is now (trace format 2, `state.session`). */
  private stateRecord(session: Session, change: string): void {
    if (this.node.ctx.wantsState()) this.node.ctx.emitState('state.session', { session: session.id, state: session.life.state, conn: session.conn?.id ?? null, toPath: session.toPath, localUri: session.localUri, change });
  }

  /** Scenario action `session`: this node offers session `sessionId` to `peer`. */
  open(sessionId: string, peer: string): void {
    const session = this.create(sessionId, peer, 'offerer');
    this.afterAuthFor(
      session,
      () => {
        // Ended while its offer waited for the AUTH: there is nothing to offer any more.
        if (session.life.state === 'closed') {
          this.node.ctx.emit('session.abandoned', { session: session.id, peer, step: 'offer' }, 'E-11');
          return;
        }
        this.node.sendOffer(session);
      },
      (reason, rule) => this.fail(session, reason, rule, false),
    );
  }

  /** `afterAuth` for an action on `session`: the session is not forgotten while it waits. */
  afterAuthFor(session: Session, run: () => void, fail: (reason: string, rule: string) => void): void {
    session.waiting++;
    this.node.afterAuth(
      session,
      () => {
        session.waiting--;
        run();
        this.over(session);
      },
      (reason, rule) => {
        session.waiting--;
        fail(reason, rule);
        this.over(session);
      },
    );
  }

  /** A new session `id` (a session of that id made before is replaced: E-19 re-establishment). */
  create(id: string, peer: string, role: 'offerer' | 'answerer'): Session {
    // U-09, RFC 4975 §8.2: the rightmost URI "MUST be assigned for this particular session".
    const localUri = this.node.makeUri(this.node.ctx.newSessionId());
    const key = sessionKey(localUri);
    const old = this.byId.get(id);
    const session: Session = {
      id,
      peer,
      role,
      life: new SessionLife(),
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
      this.matcher.remove(old.localKey);
      this.node.ctx.sim.scheduler.cancel(old.reofferTimer);
      this.node.messages.dropMessages(old);
    }
    this.byId.set(id, session);
    this.matcher.add(key, session);
    this.stateRecord(session, old ? 'remade' : 'made');
    this.forgetEnded();
    return session;
  }

  /** The active side opens (or reuses) the connection and immediately sends a SEND (E-13). */
  activate(session: Session): void {
    const options = this.node.options;
    if (options.relays.length > 0) {
      // E-18: a UA behind a relay always connects to its relay; the relay connection is up.
      session.conn = this.node.relayConn(session);
      if (this.node.perSessionAuth && !session.conn?.isOpen) {
        // The session's own connection to the relay, made for its AUTH, is gone: nothing carries it.
        this.fail(session, 'its connection to the relay is gone', 'E-19');
        return;
      }
      this.bindAndGreet(session);
      return;
    }
    const first = parseUri(session.toPath[0]!);
    if (!first.ok) {
      this.fail(session, `first hop ${session.toPath[0]} is not a usable URI`, first.rule);
      return;
    }
    const target = first.uri;
    // E-14, RFC 4975 §5.4: reuse a connection "associated with the same host, port, and URI scheme".
    const reuseKey = `${target.scheme}://${target.host.toLowerCase()}:${target.port}`;
    for (const c of this.node.connections()) {
      if (c.isOpen && c.data.get('target') === reuseKey) {
        session.conn = c;
        this.node.ctx.emit('endpoint.reuse', { session: session.id, conn: c.id, target: reuseKey }, 'E-14');
        this.bindAndGreet(session);
        return;
      }
    }
    const tls = target.scheme === 'msrps' ? { serverName: target.host, version: options.tlsVersion } : undefined;
    this.node.ctx.emit('endpoint.connect', { session: session.id, target: reuseKey }, 'E-12');
    const conn = this.node.adopt(this.node.transport.connect({ host: target.host, port: target.port ?? DEFAULT_RELAY_PORT, tls }), () => this.bindAndGreet(session));
    conn.data.set('target', reuseKey);
    session.conn = conn;
  }

  /** E-13, RFC 4975 §5.4: "the active endpoint MUST immediately issue a SEND request" (bodiless). */
  private bindAndGreet(session: Session): void {
    if (!session.conn || session.life.state !== 'connecting') return;
    const ctx = this.node.ctx;
    const tid = ctx.newTransactionId();
    session.bindingMessageId = ctx.newMessageId();
    const frame = buildRequest({
      transactionId: tid,
      method: 'SEND',
      toPath: session.toPath,
      fromPath: [session.localUri],
      messageId: session.bindingMessageId,
      byteRange: { start: 1, end: 0, total: 0 },
      failureReport: 'yes',
    });
    const transaction = this.node.bindingTransaction(tid, session);
    session.conn.sendFrame(frame, () => transaction.started());
    ctx.emit('session.bind', { session: session.id, conn: session.conn.id, transactionId: tid }, 'E-13');
    this.establish(session);
  }

  /** The session's connection is bound (E-12, E-15): messages waiting for it go out. */
  establish(session: Session): void {
    if (session.life.state === 'established') return;
    this.move(session, 'established');
    this.node.ctx.emit('session.established', { session: session.id, conn: session.conn?.id ?? null, toPath: session.toPath, active: session.active }, session.active ? 'E-12' : 'E-15');
    const queued = session.queued.splice(0);
    for (const action of queued) this.node.messages.send(action, true);
  }

  /**
   * Scenario action `end`: BYE, and the session is gone on both sides. A direct connection this
   * side opened is closed once the BYE is answered, not at once: the peer would otherwise see the
   * connection close before the BYE arrives (SIP is slower than the MSRP hop) and take the
   * session for failed (E-19).
   */
  end(sessionId: string): void {
    const session = this.byId.get(sessionId);
    if (!session) return;
    const conn = session.conn;
    this.close(session, 'end', false);
    this.sendBye(session, () => this.releaseConnection(conn));
    this.over(session);
  }

  /** BYE for `session`; it is remembered until the 200 comes back (or there is no dialog to send it in). */
  sendBye(session: Session, done?: () => void): void {
    const sent = this.node.signalling.bye(session.id, this.node.ctx.id, session.peer, () => {
      session.byePending = false;
      done?.();
      this.over(session);
    });
    if (sent) session.byePending = true;
  }

  /** A BYE arrived for `sessionId`. */
  bye(sessionId: string): void {
    const session = this.byId.get(sessionId);
    if (session) {
      this.close(session, 'bye');
      this.over(session);
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
  over(session: Session): void {
    if (session.life.state !== 'closed' && session.life.state !== 'failed') return;
    if (this.byId.get(session.id) !== session) return;
    this.ended.add(session);
    if (!this.quiet(session)) session.forgetAt = null;
    else if (session.forgetAt === null) session.forgetAt = this.node.ctx.now + this.node.messages.grace(session);
  }

  /** Nothing is under way for the session: no INVITE, re-INVITE or BYE unanswered, nothing waiting for the AUTH. */
  private quiet(session: Session): boolean {
    return !session.offerPending && !session.byePending && session.waiting === 0 && session.negotiation === 'none';
  }

  private forgetEnded(): void {
    const now = this.node.ctx.now;
    for (const session of this.ended) {
      if (this.byId.get(session.id) !== session || (session.life.state !== 'closed' && session.life.state !== 'failed')) {
        this.ended.delete(session);
        continue;
      }
      if (!this.quiet(session)) {
        session.forgetAt = null;
        continue;
      }
      if (session.forgetAt === null) session.forgetAt = now + this.node.messages.grace(session);
      if (session.forgetAt > now) continue;
      this.ended.delete(session);
      this.byId.delete(session.id);
      this.matcher.remove(session.localKey, session);
      if (this.node.perSessionAuth) this.node.forgetAuth(session);
      this.node.messages.dropMessages(session);
      this.node.signalling.release(session.id, this.node.ctx.id);
    }
  }

  private close(session: Session, why: string, release = true): void {
    const ctx = this.node.ctx;
    this.move(session, 'closed');
    this.failQueued(session, 'the session ended before it was established', 'E-11');
    ctx.sim.scheduler.cancel(session.reofferTimer);
    session.reofferTimer = null;
    this.matcher.remove(session.localKey);
    // E-28, RFC 4975 §7.1.1: "if the success report has not been received by the time the
    // session is ended, the device SHOULD inform the user". Aborted messages wait for none (E-24).
    this.node.messages.unconfirmed(session);
    this.node.messages.dropMessages(session);
    ctx.emit('session.closed', { session: session.id, why }, 'E-11');
    const conn = session.conn;
    session.conn = null;
    // A session ended before its connection was known: its own connection to the relay goes now.
    if (this.node.perSessionAuth && conn === null) this.node.forgetAuth(session);
    if (release) this.releaseConnection(conn);
  }

  /**
   * E-20: "A connection SHOULD NOT be closed while there are sessions associated with it"; a
   * direct connection with no session left is closed by the side that opened it.
   */
  private releaseConnection(conn: MsrpConnection | null): void {
    if (this.node.crashed() || !conn || !conn.isOpen || conn === this.node.deviceRelayConn() || !conn.transport.initiator) return;
    if ([...this.byId.values()].some((s) => s.conn === conn && s.life.state !== 'closed')) return;
    conn.close();
  }

  /** The session failed (`reason`, by `rule`); `retry` false: not re-established whatever `onSessionFailure` says. */
  fail(session: Session, reason: string, rule: string, retry = true): void {
    if (session.life.state === 'failed' || session.life.state === 'closed') return;
    const ctx = this.node.ctx;
    this.move(session, 'failed');
    session.conn = null;
    // msrplib drops a failed session's connection to the relay (the relay then ends the session at
    // the other leg too); a re-established session AUTHs on a new one.
    if (this.node.perSessionAuth) this.node.forgetAuth(session);
    ctx.sim.scheduler.cancel(session.reofferTimer);
    session.reofferTimer = null;
    ctx.emit('session.failed', { session: session.id, reason }, rule);
    this.node.messages.abortAll(session);
    // The session's transactions can no longer be answered (responses travel only on the
    // connection of the request, RFC 4975 §7.2): their timers would only report a dead session.
    this.node.dropTransactions(session);
    if (retry && this.node.options.onSessionFailure === 'reestablish' && session.role === 'offerer' && session.attempts < 5) {
      // E-19: "endpoints MAY recreate sessions via new SDP"; undelivered messages are sent again
      // with their Message-IDs kept.
      const resend = this.node.messages.undelivered(session);
      const again = this.create(session.id, session.peer, 'offerer');
      again.queued.push(...resend);
      ctx.emit('session.reestablish', { session: session.id, attempt: again.attempts }, 'E-19');
      const epoch = this.node.epoch();
      again.waiting++;
      ctx.sim.scheduler.after(SECOND, () => {
        again.waiting--;
        if (epoch === this.node.epoch() && this.byId.get(again.id) === again) this.afterAuthFor(again, () => this.node.sendOffer(again), (why, r) => this.fail(again, why, r, false));
        else this.over(again);
      });
      return;
    }
    this.failQueued(session, reason, rule);
    this.over(session);
  }

  /**
   * The messages waiting for `session` to be established will not be sent: each send gets its
   * record, with the reason (no message goes unaccounted for).
   */
  failQueued(session: Session, reason: string, rule: string | undefined): void {
    for (const action of session.queued.splice(0)) {
      this.node.ctx.emit('endpoint.send-failed', { session: session.id, contentType: action.contentType, size: action.dataKeep?.length ?? action.size ?? null, reason, ...outcomeTag(action, true) }, rule);
    }
  }

  /** Sessions whose connection is `conn` and that were using it fail (E-19). */
  connectionClosed(conn: MsrpConnection, why: string): void {
    // E-19, RFC 4975 §5.4: a connection failure means every session on it has failed.
    for (const session of this.byId.values()) {
      if (session.conn === conn && (session.life.state === 'established' || session.life.state === 'connecting')) {
        this.fail(session, why, 'E-19');
      }
    }
  }
}

