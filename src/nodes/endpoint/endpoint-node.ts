/**
 * An MSRP endpoint (RFC 4975), which may use relays (RFC 4976 §5): the Push Sender Agent and Push
 * Receiver Agent of SPEC §3.1. It authenticates to its relays, negotiates sessions through the
 * signalling core, opens (or waits for) the connection, sends messages in chunks, reassembles what
 * it receives, and answers and reports exactly as the Failure-Report / Success-Report table says.
 */
import { Host } from '../../net/index.js';
import type { Connection, ConnectionCloseReason } from '../seams.js';
import { hostTransport, type NodeTransport } from '../node-transport.js';
import type { Timer } from '../../sim/scheduler.js';
import { SECOND } from '../../sim/time.js';
import { buildRequest } from '../../wire/builder.js';
import type { MsrpResponse } from '../../wire/frame.js';
import { parseUri, formatUri } from '../../wire/uri.js';
import { AuthClient, type AuthClientHost } from '../../protocol/auth-client.js';
import { SessionLife } from '../../protocol/session-life.js';
import { SessionMatcher, sessionKey } from '../../protocol/session-matcher.js';
import { EndpointTransactions, type EndpointTransactionsHost } from '../../protocol/endpoint-transactions.js';
import type { EndpointEvents, EndpointEventType } from '../../protocol/endpoint-events.js';
import type { TraceTypes } from '../../sim/trace.js';
import { requestToPath, sdpPath } from '../../protocol/paths.js';
import { MsrpConnection } from '../msrp-connection.js';
import type { NodeContext } from '../node-context.js';
import type { AnswerResult, OfferReceived, Signalling, SignallingPeer } from '../signalling.js';
import { buildAnswer, buildOffer, validateAnswer, type EndpointSdpConfig } from '../../signal/offer-answer.js';
import type { MsrpMediaDescription, SessionDescription } from '../../signal/sdp.js';
import { EndpointReceiver, type ReceivingNode } from './endpoint-receiver.js';
import { EndpointMessages } from './endpoint-messages.js';
import {
  DEFAULT_RELAY_PORT,
  outcomeTag,
  rawKey,
  samePath,
  type EndpointOptions,
  type Outgoing,
  type Resend,
  type Session,
} from './endpoint-types.js';

export type { EndpointOptions, RelayCredentials, Resend, SendAction } from './endpoint-types.js';

export class EndpointNode implements SignallingPeer {
  readonly id: string;
  private readonly sessions = new Map<string, Session>();
  /** Which session a received request belongs to (src/protocol/session-matcher.ts). */
  private readonly matcher = new SessionMatcher<Session, MsrpConnection>();
  /** Sessions ended or failed, still remembered: each is forgotten once it is over (docs/signalling.md). */
  private readonly ended = new Set<Session>();
  /** Open transactions and their timers (src/protocol/endpoint-transactions.ts). */
  private readonly transactions: EndpointTransactions<Session, Outgoing, Timer>;
  private readonly connections = new Set<MsrpConnection>();
  private relayConn: MsrpConnection | null = null;
  /** The Digest AUTH client (src/protocol/auth-client.ts): the relays' Use-Path and its renewal. */
  private readonly auth: AuthClient<Timer>;
  private reconnectTimer: Timer | null = null;
  private deviceUri: string;
  private crashed = false;
  /** One more at each crash: what was scheduled before it belongs to a life of the node that is over. */
  private epoch = 0;
  /** The messages sent and how long they are remembered (endpoint-messages.ts). */
  private readonly messages: EndpointMessages;
  /** The receiving side: matching, reassembly, responses and REPORTs (endpoint-receiver.ts). */
  private readonly receiver: EndpointReceiver;
  /** What waits for the AUTH round to finish: `run` once it has, `fail` if it fails. */
  private readonly whenReady: { run: () => void; fail: (reason: string, rule: string) => void }[] = [];

  /** Where its connections come from: a simulated host, or live mode's sockets to a live relay. */
  readonly transport: NodeTransport;

  constructor(
    readonly ctx: NodeContext,
    host: Host | NodeTransport,
    readonly options: EndpointOptions,
    private readonly signalling: Signalling,
  ) {
    this.transport = host instanceof Host ? hostTransport(host) : host;
    this.id = ctx.id;
    this.deviceUri = this.makeUri(ctx.newSessionId());
    this.auth = new AuthClient(this.authHost(), options.relays, this.deviceUri, options.authExpires);
    this.transactions = new EndpointTransactions(this.transactionsHost(), options);
    this.messages = new EndpointMessages({
      ctx,
      options,
      sessions: this.sessions,
      transactions: this.transactions,
      failSession: (session, reason, rule) => this.failSession(session, reason, rule),
    });
    this.receiver = new EndpointReceiver(this.receivingNode());
    this.listen();
    this.transport.onLifecycle?.(() => this.crash(), () => this.restart());
  }

  // ----------------------------------------------------------------------------------------------
  // Life cycle

  /** Starts the node: authenticates to its relays if it has any. */
  start(): void {
    if (this.auth.start()) this.connectRelay();
  }

  /** The host name SIP reaches this endpoint at. */
  get sipHost(): string {
    return this.options.host;
  }

  get ready(): boolean {
    return this.auth.state === 'ready';
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
    this.ctx.emit('node.crash', { role: 'endpoint', sessions: this.sessions.size, waiting: this.whenReady.length });
    this.transactions.reset();
    for (const session of this.sessions.values()) {
      this.ctx.sim.scheduler.cancel(session.reofferTimer);
      this.failQueued(session, 'the node crashed', undefined);
      this.messages.dropMessages(session);
      this.signalling.release(session.id, this.id);
    }
    this.sessions.clear();
    this.ended.clear();
    this.matcher.clear();
    this.connections.clear();
    this.whenReady.length = 0;
    this.relayConn = null;
    this.auth.reset();
    this.ctx.sim.scheduler.cancel(this.reconnectTimer);
    this.reconnectTimer = null;
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

  // ----------------------------------------------------------------------------------------------
  // AUTH to the relays (RFC 4976 §5.1)

  /** What the AUTH client asks of this node: ids, the relay connection, timers, the trace. */
  private authHost(): AuthClientHost<Timer> {
    const ctx = this.ctx;
    return {
      get now() {
        return ctx.now;
      },
      // EndpointEvents name trace record types: the same fields under the same type.
      emit: <K extends EndpointEventType>(type: K, fields: EndpointEvents[K], rule?: string) => ctx.emit(type, fields as unknown as TraceTypes[K], rule),
      newTransactionId: () => ctx.newTransactionId(),
      newCnonce: () => ctx.newCnonce(),
      openTransaction: (tid, relayIndex) => {
        this.transactions.add(tid, { kind: 'auth', relayIndex }, true);
      },
      send: (frame) => this.relayConn?.sendFrame(frame),
      setTimer: (at, fire) => ctx.sim.scheduler.at(at, fire),
      cancelTimer: (timer) => ctx.sim.scheduler.cancel(timer),
      ready: (previous, refreshed) => {
        const waiting = this.whenReady.splice(0);
        for (const w of waiting) w.run();
        // R-08: the sessions' paths still name the old tokens, which expire: offer the new ones.
        if (refreshed && !samePath(previous, this.auth.usePath)) {
          for (const session of [...this.sessions.values()]) this.renegotiate(session, 'new Use-Path after the re-AUTH');
        }
      },
      gaveUp: (reason, rule) => {
        // The round is over without a Use-Path: the sessions waiting for it to offer or answer
        // cannot, and fail at once with its reason; so do those asked for until another starts.
        const waiting = this.whenReady.splice(0);
        for (const w of waiting) w.fail(reason, rule);
      },
      reauthenticate: () => this.reauthenticate(),
    };
  }

  private connectRelay(): void {
    if (this.crashed) return;
    const uri = this.auth.connect();
    if (uri === null) return;
    const tls = uri.scheme === 'msrps' ? { serverName: uri.host, version: this.options.tlsVersion } : undefined;
    const tcp = this.transport.connect({ host: uri.host, port: uri.port ?? DEFAULT_RELAY_PORT, tls });
    this.relayConn = this.adopt(tcp, () => {
      this.ctx.emit('endpoint.relay-connected', { conn: tcp.id, relay: this.options.relays[0]!.uri }, 'R-03');
      this.auth.connected();
    });
  }

  private scheduleReconnect(reason: ConnectionCloseReason): void {
    if (this.crashed || this.reconnectTimer) return;
    if (!this.auth.lost()) {
      // Principle 5 (bounded retries): the relay refused the credentials; reconnecting would
      // only repeat the refusal (and R-15 counts it as brute force).
      this.ctx.emit('endpoint.relay-lost', { reason: reason.kind, detail: reason.detail, retryIn: null }, 'R-04');
      return;
    }
    this.ctx.emit('endpoint.relay-lost', { reason: reason.kind, detail: reason.detail, retryIn: 2 * SECOND }, 'E-19');
    this.reconnectTimer = this.ctx.sim.scheduler.after(2 * SECOND, () => {
      this.reconnectTimer = null;
      this.relayConn = null;
      this.connectRelay();
    });
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
    if (this.crashed || this.options.relays.length === 0) return;
    if (!this.relayConn || !this.relayConn.isOpen) {
      this.connectRelay();
      return;
    }
    this.auth.refresh();
  }

  private afterAuth(run: () => void, fail: (reason: string, rule: string) => void): void {
    const failure = this.auth.failure;
    if (this.auth.state === 'ready') run();
    else if (failure) fail(failure.reason, failure.rule);
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
        if (session.life.state === 'closed') {
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
    const key = sessionKey(localUri);
    const old = this.sessions.get(id);
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
      this.ctx.sim.scheduler.cancel(old.reofferTimer);
      this.messages.dropMessages(old);
    }
    this.sessions.set(id, session);
    this.matcher.add(key, session);
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
      path: sdpPath(this.auth.usePath, session.localUri),
      acceptTypes: this.options.acceptTypes,
      comedia: this.options.connectionModel === 'rfc6135',
      behindNat: !this.options.reachable,
    };
    if (this.options.acceptWrappedTypes.length > 0) config.acceptWrappedTypes = this.options.acceptWrappedTypes;
    if (Number.isFinite(this.options.maxSize)) config.maxSize = this.options.maxSize;
    return config;
  }

  private sendOffer(session: Session): void {
    session.life.transition('offering');
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
    session.life.transition('answering');
    const abandoned = (): boolean => {
      if (session.life.state !== 'closed') return false;
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
      session.toPath = requestToPath(this.auth.usePath, session.peerMedia.path);
      session.life.transition('connecting');
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
    session.life.transition('failed');
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
    if (!session || !session.offer || session.life.state !== 'offering') {
      // The answer is to an offer this node no longer has: the session was re-created since (and
      // waits to offer again), ended while its offer was on its way, or the node crashed. It is
      // not applied; a 200 for a session ended meanwhile gets the BYE the end could not send yet.
      // A 200 after Timer B fired (the session failed meanwhile) is ended the same way.
      const ended = session?.life.over === true && result.ok;
      this.ctx.emit('session.answer-ignored', { session: sessionId, state: session?.life.state ?? null, status: result.ok ? 200 : result.status, bye: ended }, 'RFC 3261 §13.2.2.4');
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
      session.life.transition('failed');
      this.ctx.emit('session.rejected', { session: sessionId, status: result.status, reason: result.reason }, result.rule);
      this.failQueued(session, `the offer was rejected: ${result.status} ${result.reason}`, result.rule);
      this.sessionOver(session);
      return;
    }
    const verdict = validateAnswer(session.offer, result.answer);
    if (!verdict.ok) {
      session.life.transition('failed');
      this.ctx.emit('session.rejected', { session: sessionId, status: verdict.status, reason: verdict.reason }, verdict.rule);
      this.failQueued(session, `the answer was rejected: ${verdict.status} ${verdict.reason}`, verdict.rule);
      this.sendBye(session);
      this.sessionOver(session);
      return;
    }
    session.peerMedia = result.answer.media.find((m) => m.port !== 0) ?? result.answer.media[0]!;
    session.toPath = requestToPath(this.auth.usePath, session.peerMedia.path);
    session.life.transition('connecting');
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
    if (session.life.state !== 'established' && session.life.state !== 'connecting') return;
    // An exchange under way, or a retry waiting, looks at the path again when it ends.
    if (session.negotiation !== 'none' || session.reofferTimer !== null) return;
    const path = sdpPath(this.auth.usePath, session.localUri);
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
    const live = (s: Session | undefined): s is Session => s !== undefined && this.sessions.get(sessionId) === s && s.peer === from && (s.life.state === 'established' || s.life.state === 'connecting');
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
    if (session.life.state !== 'established' && session.life.state !== 'connecting') return;
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
    session.toPath = requestToPath(this.auth.usePath, media.path);
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
    const conn = this.adopt(this.transport.connect({ host: target.host, port: target.port ?? DEFAULT_RELAY_PORT, tls }), () => this.bindAndGreet(session));
    conn.data.set('target', reuseKey);
    session.conn = conn;
  }

  /** E-13, RFC 4975 §5.4: "the active endpoint MUST immediately issue a SEND request" (bodiless). */
  private bindAndGreet(session: Session): void {
    if (!session.conn || session.life.state !== 'connecting') return;
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
    this.transactions.add(tid, { kind: 'send', session, sessionId: session.id }, false);
    session.conn.sendFrame(frame, () => this.transactions.start(tid));
    this.ctx.emit('session.bind', { session: session.id, conn: session.conn.id, transactionId: tid }, 'E-13');
    this.establish(session);
  }

  private establish(session: Session): void {
    if (session.life.state === 'established') return;
    session.life.transition('established');
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
    if (session.life.state !== 'closed' && session.life.state !== 'failed') return;
    if (this.sessions.get(session.id) !== session) return;
    this.ended.add(session);
    if (!this.quiet(session)) session.forgetAt = null;
    else if (session.forgetAt === null) session.forgetAt = this.ctx.now + this.messages.grace(session);
  }

  /** Nothing is under way for the session: no INVITE, re-INVITE or BYE unanswered, nothing waiting for the AUTH. */
  private quiet(session: Session): boolean {
    return !session.offerPending && !session.byePending && session.waiting === 0 && session.negotiation === 'none';
  }

  private forgetEnded(): void {
    const now = this.ctx.now;
    for (const session of this.ended) {
      if (this.sessions.get(session.id) !== session || (session.life.state !== 'closed' && session.life.state !== 'failed')) {
        this.ended.delete(session);
        continue;
      }
      if (!this.quiet(session)) {
        session.forgetAt = null;
        continue;
      }
      if (session.forgetAt === null) session.forgetAt = now + this.messages.grace(session);
      if (session.forgetAt > now) continue;
      this.ended.delete(session);
      this.sessions.delete(session.id);
      this.matcher.remove(session.localKey, session);
      this.messages.dropMessages(session);
      this.signalling.release(session.id, this.id);
    }
  }

  private closeSession(session: Session, why: string, release = true): void {
    session.life.transition('closed');
    this.failQueued(session, 'the session ended before it was established', 'E-11');
    this.ctx.sim.scheduler.cancel(session.reofferTimer);
    session.reofferTimer = null;
    this.matcher.remove(session.localKey);
    // E-28, RFC 4975 §7.1.1: "if the success report has not been received by the time the
    // session is ended, the device SHOULD inform the user". Aborted messages wait for none (E-24).
    for (const out of session.outgoing.values()) {
      if (out.successReport === 'yes' && out.reported < out.size && !out.source.abort) {
        this.ctx.emit('endpoint.unconfirmed', { session: session.id, messageId: out.messageId, size: out.size, reported: out.reported }, 'E-28');
      }
    }
    this.messages.dropMessages(session);
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
    if ([...this.sessions.values()].some((s) => s.conn === conn && s.life.state !== 'closed')) return;
    conn.close();
  }

  /** `retry` false: not re-established whatever `onSessionFailure` says (the AUTH it would wait for has failed). */
  private failSession(session: Session, reason: string, rule: string, retry = true): void {
    if (session.life.state === 'failed' || session.life.state === 'closed') return;
    session.life.transition('failed');
    session.conn = null;
    this.ctx.sim.scheduler.cancel(session.reofferTimer);
    session.reofferTimer = null;
    this.ctx.emit('session.failed', { session: session.id, reason }, rule);
    for (const out of session.outgoing.values()) {
      if (!out.done) out.source.abort = true;
    }
    // The session's transactions can no longer be answered (responses travel only on the
    // connection of the request, RFC 4975 §7.2): their timers would only report a dead session.
    this.transactions.drop((t) => t.session === session);
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
        : this.relayConn ?? [...this.connections].find((c) => c.isOpen);
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
      emit: <K extends EndpointEventType>(type: K, fields: EndpointEvents[K], rule?: string) => ctx.emit(type, fields as unknown as TraceTypes[K], rule),
      setTimer: (at, fire) => ctx.sim.scheduler.at(at, fire),
      cancelTimer: (timer) => ctx.sim.scheduler.cancel(timer),
      timedOut: (t) => {
        if (t.kind === 'auth') {
          this.auth.timedOut(t.relayIndex);
          return;
        }
        if (t.session && t.message) {
          t.message.source.abort = true;
          this.messages.transactionEnded(t.session, t.message);
        }
        if (t.session && !t.message) this.failSession(t.session, 'no response to the binding SEND', 'A-13');
      },
      expired: (t) => this.messages.transactionEnded(t.session!, t.message!),
    };
  }

  // ----------------------------------------------------------------------------------------------
  // Receiving

  private onResponse(conn: MsrpConnection, frame: MsrpResponse): void {
    const t = this.transactions.response(conn.id, frame);
    if (!t) return;
    if (t.kind === 'auth') {
      this.auth.response(frame, t.relayIndex);
      return;
    }
    const session = t.session!;
    const code = frame.statusCode;
    if (t.message) t.message.live--;
    this.ctx.emit('endpoint.response', { session: session.id, transactionId: frame.transactionId, status: code, messageId: t.message?.messageId ?? null }, code === 200 ? 'R-02' : 'E-24');
    if (code === 200) {
      t.message?.unconfirmed.delete(frame.transactionId);
      if (t.message) this.messages.settle(session, t.message);
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
    if (t.message) this.messages.settle(session, t.message);
  }

  /** What the receiving side asks of this node. */
  private receivingNode(): ReceivingNode {
    return {
      ctx: this.ctx,
      options: this.options,
      crashed: () => this.crashed,
      deviceUri: () => this.deviceUri,
      matcher: this.matcher,
      establish: (session) => this.establish(session),
      failSession: (session, reason, rule) => this.failSession(session, reason, rule),
      sweep: (session) => this.messages.sweep(session),
      grace: (session) => this.messages.grace(session),
      settle: (session, out) => this.messages.settle(session, out),
    };
  }

  private onClosed(conn: MsrpConnection, reason: ConnectionCloseReason): void {
    this.connections.delete(conn);
    // E-19, RFC 4975 §5.4: a connection failure means every session on it has failed.
    for (const session of this.sessions.values()) {
      if (session.conn === conn && (session.life.state === 'established' || session.life.state === 'connecting')) {
        this.failSession(session, `connection ${conn.id} closed: ${reason.kind}`, 'E-19');
      }
    }
    if (conn === this.relayConn) this.transactions.drop((t) => t.kind === 'auth');
    if (conn === this.relayConn) {
      this.relayConn = null;
      this.scheduleReconnect(reason);
    }
  }

  /** Node summary for the outputs. */
  describe(): { host: string; uri: string } {
    const parsed = parseUri(this.deviceUri);
    return { host: this.options.host, uri: parsed.ok ? formatUri(parsed.uri) : this.deviceUri };
  }
}
