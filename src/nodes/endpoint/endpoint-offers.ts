/**
 * An endpoint's SDP offer/answer (RFC 4975 §8; RFC 3264; SPEC §3.4) through the signalling core:
 * its offers and answers with the path (R-07: reverse(Use-Path) ++ its own URI) and a=setup (E-18),
 * the answers it gets checked, and the new offers within a live session: its own when the
 * Use-Path changed after a re-AUTH (R-08, RFC 4976 §9.4) and the peer's (RFC 4975 §8.4), with the
 * 491 retry of RFC 3261 §14.1. What the session then does (connect, bind, fail) is the session
 * life's (endpoint-sessions.ts).
 */
import { requestToPath, sdpPath } from '../../protocol/paths.js';
import type { SessionState } from '../../protocol/session-life.js';
import { buildAnswer, buildOffer, validateAnswer, type EndpointSdpConfig } from '../../signal/offer-answer.js';
import type { MsrpMediaDescription, SessionDescription } from '../../signal/sdp.js';
import type { MsrpConnection } from '../msrp-connection.js';
import type { NodeContext } from '../node-context.js';
import type { AnswerResult, OfferReceived, Signalling } from '../signalling.js';
import { samePath, type EndpointOptions, type Session } from './endpoint-types.js';

/** What offer/answer does to a session: the session life's operations (endpoint-sessions.ts). */
export interface SessionOps {
  get(id: string): Session | undefined;
  create(id: string, peer: string, role: 'offerer' | 'answerer'): Session;
  move(session: Session, to: SessionState): void;
  fail(session: Session, reason: string, rule: string, retry?: boolean): void;
  failQueued(session: Session, reason: string, rule: string | undefined): void;
  over(session: Session): void;
  afterAuthFor(session: Session, run: () => void, fail: (reason: string, rule: string) => void): void;
  activate(session: Session): void;
  sendBye(session: Session, done?: () => void): void;
  end(sessionId: string): void;
}

/** What offer/answer needs of its node. */
export interface OfferingNode {
  readonly ctx: NodeContext;
  readonly options: EndpointOptions;
  readonly signalling: Signalling;
  readonly sessions: SessionOps;
  crashed(): boolean;
  /** The Use-Path `session`'s paths are built from: the device's last AUTH round's, or the session's own AUTH's. */
  usePath(session: Session): readonly string[];
  /** The connection to the first relay that carries `session`. */
  relayConn(session: Session): MsrpConnection | null;
}

export class EndpointOffers {
  constructor(private readonly node: OfferingNode) {}

  /**
   * What this endpoint puts in its SDP (RFC 4975 §8; R-07 for the path). A new offer or answer in
   * a session keeps the o= line of the last SDP sent, its version one higher (RFC 3264 §8: "the
   * version in the origin field MUST increment by one from the previous SDP").
   */
  private sdpConfig(session: Session, previous: SessionDescription | null = null): EndpointSdpConfig {
    const origin = previous
      ? { username: previous.origin.username, sessionId: previous.origin.sessionId, version: String(Number(previous.origin.version) + 1) }
      : { username: this.node.ctx.id, sessionId: String(this.node.ctx.rng('sdp', true).int(2 ** 31)), version: '1' };
    const config: EndpointSdpConfig = {
      origin,
      path: sdpPath(this.node.usePath(session), session.localUri),
      acceptTypes: this.node.options.acceptTypes,
      comedia: this.node.options.connectionModel === 'rfc6135',
      behindNat: !this.node.options.reachable,
    };
    if (this.node.options.acceptWrappedTypes.length > 0) config.acceptWrappedTypes = this.node.options.acceptWrappedTypes;
    if (Number.isFinite(this.node.options.maxSize)) config.maxSize = this.node.options.maxSize;
    return config;
  }

  sendOffer(session: Session): void {
    this.node.sessions.move(session, 'offering');
    // E-18: with RFC 6135 the offer carries a=setup (actpass when reachable, else active).
    session.offer = buildOffer(this.sdpConfig(session));
    const m = session.offer.media[0]!;
    session.localSdp = session.offer;
    session.advertisedPath = m.path;
    this.node.ctx.emit('session.offer', { session: session.id, peer: session.peer, path: m.path, setup: m.setup ?? null }, 'R-07');
    session.offerPending = true;
    this.node.signalling.offer(session.id, this.node.ctx.id, session.peer, session.offer);
  }

  /** An INVITE (or, `reoffer`, a re-INVITE) arrived with `received`. */
  onOffer(sessionId: string, from: string, received: OfferReceived, reoffer = false): void {
    if (this.node.crashed()) return;
    if (reoffer) {
      this.onReoffer(sessionId, from, received);
      return;
    }
    const session = this.node.sessions.create(sessionId, from, 'answerer');
    this.node.sessions.move(session, 'answering');
    const abandoned = (): boolean => {
      if (session.life.state !== 'closed') return false;
      // Ended while its answer waited for the AUTH: the INVITE still gets a final response,
      // a decline (RFC 3261 §13.3.1.3), and the session stays ended.
      this.node.ctx.emit('session.abandoned', { session: session.id, peer: from, step: 'answer', status: 603 }, 'E-11');
      this.node.signalling.answer(session.id, this.node.ctx.id, from, { ok: false, status: 603, reason: 'the session ended before it was answered', rule: 'E-11' });
      return true;
    };
    // The AUTH failed: there is no path to answer with; the INVITE is declined with the reason.
    const authFailed = (reason: string, rule: string): void => {
      if (abandoned()) return;
      this.node.sessions.fail(session, reason, rule, false);
      this.node.signalling.answer(session.id, this.node.ctx.id, from, { ok: false, status: 488, reason, rule });
    };
    this.node.sessions.afterAuthFor(session, () => {
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
      session.toPath = requestToPath(this.node.usePath(session), session.peerMedia.path);
      this.node.sessions.move(session, 'connecting');
      const m = result.answer.media.find((x) => x.port !== 0)!;
      session.localSdp = result.answer;
      session.advertisedPath = m.path;
      this.node.ctx.emit('session.answer', { session: sessionId, peer: from, path: m.path, setup: m.setup ?? null, active: session.active }, 'R-07');
      this.node.signalling.answer(sessionId, this.node.ctx.id, from, { ok: true, answer: result.answer });
      // With relays, the relay connection carries the session.
      if (this.node.options.relays.length > 0) session.conn = this.node.relayConn(session);
      if (session.active) this.node.sessions.activate(session);
    }, authFailed);
  }

  private reject(session: Session, from: string, verdict: { ok: false; status: number; reason: string; rule: string }): void {
    this.node.sessions.move(session, 'failed');
    this.node.ctx.emit('session.reject', { session: session.id, status: verdict.status, reason: verdict.reason }, verdict.rule);
    this.node.sessions.failQueued(session, `the offer was rejected: ${verdict.status} ${verdict.reason}`, verdict.rule);
    this.node.signalling.answer(session.id, this.node.ctx.id, from, verdict);
    this.node.sessions.over(session);
  }

  onAnswer(sessionId: string, result: AnswerResult): void {
    const session = this.node.sessions.get(sessionId);
    if (session && !this.node.crashed() && session.negotiation === 'reoffering') {
      this.onReanswer(session, result);
      this.node.sessions.over(session);
      return;
    }
    if (this.node.crashed()) return;
    if (session) session.offerPending = false;
    if (!session || !session.offer || session.life.state !== 'offering') {
      // The answer is to an offer this node no longer has: the session was re-created since (and
      // waits to offer again), ended while its offer was on its way, or the node crashed. It is
      // not applied; a 200 for a session ended meanwhile gets the BYE the end could not send yet.
      // A 200 after Timer B fired (the session failed meanwhile) is ended the same way.
      const ended = session?.life.over === true && result.ok;
      this.node.ctx.emit('session.answer-ignored', { session: sessionId, state: session?.life.state ?? null, status: result.ok ? 200 : result.status, bye: ended }, 'RFC 3261 §13.2.2.4');
      if (ended) this.node.sessions.sendBye(session);
      if (session) this.node.sessions.over(session);
      return;
    }
    if (!result.ok && result.timeout) {
      // RFC 3261 §17.1.1.2: no final response before Timer B: the INVITE failed, and the session.
      this.node.sessions.fail(session, `${result.status} ${result.reason}`, result.rule);
      return;
    }
    if (!result.ok) {
      this.node.sessions.move(session, 'failed');
      this.node.ctx.emit('session.rejected', { session: sessionId, status: result.status, reason: result.reason }, result.rule);
      this.node.sessions.failQueued(session, `the offer was rejected: ${result.status} ${result.reason}`, result.rule);
      this.node.sessions.over(session);
      return;
    }
    const verdict = validateAnswer(session.offer, result.answer);
    if (!verdict.ok) {
      this.node.sessions.move(session, 'failed');
      this.node.ctx.emit('session.rejected', { session: sessionId, status: verdict.status, reason: verdict.reason }, verdict.rule);
      this.node.sessions.failQueued(session, `the answer was rejected: ${verdict.status} ${verdict.reason}`, verdict.rule);
      this.node.sessions.sendBye(session);
      this.node.sessions.over(session);
      return;
    }
    session.peerMedia = result.answer.media.find((m) => m.port !== 0) ?? result.answer.media[0]!;
    session.toPath = requestToPath(this.node.usePath(session), session.peerMedia.path);
    this.node.sessions.move(session, 'connecting');
    // E-12, RFC 4975 §5.4: "the initiating endpoint MUST act as the "active" endpoint" unless
    // RFC 6135 a=setup says otherwise (E-18).
    session.active = verdict.active === 'offerer';
    if (this.node.options.relays.length > 0) session.conn = this.node.relayConn(session);
    if (session.active) this.node.sessions.activate(session);
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
  renegotiate(session: Session, reason: string): void {
    if (this.node.crashed() || this.node.sessions.get(session.id) !== session) return;
    if (session.life.state !== 'established' && session.life.state !== 'connecting') return;
    // An exchange under way, or a retry waiting, looks at the path again when it ends.
    if (session.negotiation !== 'none' || session.reofferTimer !== null) return;
    const path = sdpPath(this.node.usePath(session), session.localUri);
    if (samePath(path, session.advertisedPath)) return;
    const offer = buildOffer(this.sdpConfig(session, session.localSdp));
    this.node.ctx.emit('session.reoffer', { session: session.id, peer: session.peer, path, previous: session.advertisedPath, reason }, 'R-08');
    if (!this.node.signalling.reoffer(session.id, this.node.ctx.id, session.peer, offer)) {
      this.node.ctx.emit('session.reoffer-rejected', { session: session.id, status: null, reason: 'no SIP dialog to send a re-INVITE in', retryIn: null }, 'RFC 3261 §14.1');
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
    const session = this.node.sessions.get(sessionId);
    const refuse = (status: number, reason: string, rule: string): void => {
      this.node.ctx.emit('session.reoffer-refused', { session: sessionId, peer: from, status, reason }, rule);
      this.node.signalling.answer(sessionId, this.node.ctx.id, from, { ok: false, status: 488, reason, rule });
    };
    const live = (s: Session | undefined): s is Session => s !== undefined && this.node.sessions.get(sessionId) === s && s.peer === from && (s.life.state === 'established' || s.life.state === 'connecting');
    if (!live(session)) {
      refuse(488, `session ${sessionId} does not exist here any more`, 'E-11');
      return;
    }
    session.negotiation = 'answering';
    this.node.sessions.afterAuthFor(session, () => {
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
      this.node.ctx.emit('session.update', { session: sessionId, peer: from, path: m.path, peerPath: peerMedia.path, toPath: session.toPath }, 'E-11');
      this.node.signalling.answer(sessionId, this.node.ctx.id, from, { ok: true, answer: result.answer });
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
      this.node.ctx.emit('session.reoffer-rejected', { session: session.id, status: result.status, reason: result.reason, retryIn: null }, result.rule);
      this.node.sessions.fail(session, `${result.status} ${result.reason}`, 'RFC 3261 §14.1');
      return;
    }
    if (!result.ok) {
      if (result.status === 491) {
        // RFC 3261 §14.1: after a 491 the offerer tries again after T, "between 2.1 and 4 seconds
        // in units of 10 ms" when it owns the Call-ID (it sent the first INVITE), else "between 0
        // and 2 seconds", if it still wants the change then.
        const ms = session.role === 'offerer' ? 2100 + 10 * this.node.ctx.rng('sip-retry', true).int(191) : 10 * this.node.ctx.rng('sip-retry', true).int(201);
        session.reofferTimer = this.node.ctx.sim.scheduler.after(ms * 1000, () => {
          session.reofferTimer = null;
          this.renegotiate(session, 'again after 491 Request Pending');
        });
        this.node.ctx.emit('session.reoffer-rejected', { session: session.id, status: 491, reason: result.reason, retryIn: ms * 1000 }, 'RFC 3261 §14.1');
        return;
      }
      // The session goes on as it was (RFC 3261 §14.1); its path holds until its tokens expire.
      this.node.ctx.emit('session.reoffer-rejected', { session: session.id, status: result.status, reason: result.reason, retryIn: null }, result.rule);
      return;
    }
    const verdict = validateAnswer(offer, result.answer);
    if (!verdict.ok) {
      // A 200 cannot be refused: as for a first answer, the session ends (ACK, then BYE).
      this.node.ctx.emit('session.reoffer-rejected', { session: session.id, status: verdict.status, reason: verdict.reason, retryIn: null }, verdict.rule);
      this.node.sessions.end(session.id);
      return;
    }
    const m = offer.media[0]!;
    const peerMedia = result.answer.media.find((x) => x.port !== 0) ?? result.answer.media[0]!;
    session.advertisedPath = m.path;
    this.applyPeerMedia(session, peerMedia);
    this.node.ctx.emit('session.updated', { session: session.id, peer: session.peer, path: m.path, peerPath: peerMedia.path, toPath: session.toPath }, 'E-11');
    // The Use-Path may have changed again meanwhile.
    this.renegotiate(session, 'new Use-Path after the re-AUTH, during the last re-offer');
  }

  /**
   * The peer's media line from the last exchange: its types, and the To-Path of what this side
   * sends (R-07: own Use-Path ++ the peer's a=path), which chunks still to be sent take too.
   */
  private applyPeerMedia(session: Session, media: MsrpMediaDescription): void {
    session.peerMedia = media;
    session.toPath = requestToPath(this.node.usePath(session), media.path);
    for (const out of session.outgoing.values()) if (!out.done) out.sender.retarget(session.toPath);
  }
}
