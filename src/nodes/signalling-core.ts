/**
 * The SIP signalling core (SPEC §3.4): carries INVITE / 200 / 488 / ACK / BYE between endpoints
 * as real SIP text with real SDP bodies, after a configurable one-way delay, outside the MSRP
 * network (firewalls do not filter it). Every message is a `sip.send` record at the sender and a
 * `sip.recv` record at the receiver, with its full text. Within an established dialog either party
 * may send a re-INVITE with a new offer (RFC 3261 §14); two that cross get 491 (§14.2). An INVITE
 * whose final response has not come back when Timer B fires (64 × T1 = 32 s by default) is over:
 * its sender hears a timeout (RFC 3261 §17.1.1.2), as a 408.
 */
import type { Timer } from '../sim/scheduler.js';
import type { Simulation } from '../sim/simulation.js';
import { SECOND, type Micros } from '../sim/time.js';
import { formatSdp, parseSdp, type SessionDescription } from '../signal/sdp.js';
import {
  buildAck,
  buildBye,
  buildByeOk,
  buildInvite,
  buildInviteOk,
  buildNotAcceptable,
  buildReInvite,
  buildRequestPending,
  formatSipMessage,
  parseSipMessage,
  sipSdpBody,
  summarizeSip,
  uacDialog,
  uasDialog,
  type SipDialog,
  type SipMessage,
  type SipRequest,
} from '../signal/sip.js';
import { randomString } from '../wire/ids.js';
import type { AnswerResult, OfferReceived, Signalling, SignallingPeer } from './signalling.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** RFC 3261 §17.1.1.2: Timer B, 64 × T1 with T1 = 500 ms. */
export const TIMER_B: Micros = 32 * SECOND;

interface CallState {
  invite: SipRequest;
  offerer: string;
  answerer: string;
  /** Each side's dialog once established. */
  dialogs: Map<string, SipDialog>;
  cseq: Map<string, number>;
  /** The INVITE each party sent whose final response it has not received yet (RFC 3261 §14.1). */
  pending: Map<string, SipRequest>;
  /** Timer B of each pending INVITE, by its sender. */
  timers: Map<string, Timer>;
  /** The INVITE each party received and has not answered yet: what `answer` responds to. */
  received: Map<string, SipRequest>;
  /** The parties that have forgotten the session (`release`): once both have, and no INVITE is under way, the call goes. */
  released: Set<string>;
}

export class SignallingCore implements Signalling {
  private readonly calls = new Map<string, CallState>();

  constructor(
    private readonly sim: Simulation,
    private readonly delay: Micros,
    private readonly peer: (id: string) => SignallingPeer | undefined,
    /** Timer B: how long an INVITE waits for its final response. */
    private readonly inviteTimeout: Micros = TIMER_B,
  ) {}

  private id(node: string, n: number): string {
    return randomString(this.sim.rng(node, 'sip'), ALNUM, n);
  }

  private party(id: string): { user: string; host: string } {
    return { user: id, host: this.peer(id)?.sipHost ?? `${id}.invalid` };
  }

  /** Sends `message` from `from` to `to`; `deliver` runs at the receiver after the delay. */
  private carry(session: string, from: string, to: string, message: SipMessage, deliver: (text: string) => void): void {
    const text = formatSipMessage(message);
    const summary = summarizeSip(message);
    this.sim.trace.emit(from, 'sip.send', { session, to, ...summary, text });
    this.sim.scheduler.after(this.delay, () => {
      this.sim.trace.emit(to, 'sip.recv', { session, from, ...summary });
      deliver(text);
    });
  }

  offer(sessionId: string, from: string, to: string, offer: SessionDescription): void {
    const invite = buildInvite({
      from: this.party(from),
      to: this.party(to),
      callId: `${this.id(from, 16)}@${this.party(from).host}`,
      fromTag: this.id(from, 8),
      branch: this.id(from, 12),
      cseq: 1,
      sdp: formatSdp(offer),
    });
    const call: CallState = { invite, offerer: from, answerer: to, dialogs: new Map(), cseq: new Map([[from, 1], [to, 0]]), pending: new Map([[from, invite]]), timers: new Map(), received: new Map(), released: new Set() };
    // A call replaced (the session offered anew) has nobody left to tell of its timeouts.
    const old = this.calls.get(sessionId);
    if (old) this.stopTimers(old);
    this.calls.set(sessionId, call);
    this.startTimerB(sessionId, call, from, to, invite);
    this.carry(sessionId, from, to, invite, (text) => {
      const target = this.peer(to);
      if (!target) return;
      // A release by `to` before this INVITE reached it was of an older session of the same id.
      call.released.delete(to);
      call.received.set(to, invite);
      target.onOffer(sessionId, from, readOffer(text));
    });
  }

  /**
   * A new offer within the established dialog of `sessionId` (RFC 3261 §14.1, RFC 4975 §8.4),
   * from either party. False when there is no dialog to send it in, or when `from` still waits
   * for the final response to an INVITE of its own ("MUST NOT initiate a new INVITE transaction
   * within a dialog while another INVITE transaction is in progress").
   */
  reoffer(sessionId: string, from: string, to: string, offer: SessionDescription): boolean {
    const call = this.calls.get(sessionId);
    const dialog = call?.dialogs.get(from);
    if (!call || !dialog || call.pending.has(from)) return false;
    const cseq = (call.cseq.get(from) ?? 0) + 1;
    call.cseq.set(from, cseq);
    const invite = buildReInvite(dialog, { branch: this.id(from, 12), cseq, sdp: formatSdp(offer), contact: this.party(from) });
    call.pending.set(from, invite);
    this.startTimerB(sessionId, call, from, to, invite);
    this.carry(sessionId, from, to, invite, (text) => {
      const target = this.peer(to);
      if (!target || this.calls.get(sessionId) !== call) return;
      if (call.pending.has(to)) {
        // RFC 3261 §14.2: the re-INVITEs crossed: 491, and each offerer tries again later (§14.1).
        this.carry(sessionId, to, from, buildRequestPending(invite), (rtext) => this.onFinal(sessionId, call, invite, from, to, rtext, null));
        return;
      }
      call.received.set(to, invite);
      target.onOffer(sessionId, from, readOffer(text), true);
    });
    return true;
  }

  answer(sessionId: string, from: string, to: string, result: AnswerResult): void {
    const call = this.calls.get(sessionId);
    if (!call) return;
    const invite = call.received.get(from) ?? call.invite;
    call.received.delete(from);
    this.drop(sessionId, call);
    const initial = invite === call.invite;
    // A re-INVITE's To already carries the tag of the dialog.
    const toTag = initial ? this.id(from, 8) : '';
    const response = result.ok
      ? buildInviteOk(invite, { toTag, contact: this.party(from), sdp: formatSdp(result.answer) })
      : buildNotAcceptable(invite, { toTag, agent: this.party(from).host, rule: result.rule, reason: result.reason });
    if (result.ok && initial) call.dialogs.set(from, uasDialog(invite, toTag, this.party(from)));
    this.carry(sessionId, from, to, response, (text) => this.onFinal(sessionId, call, invite, to, from, text, result));
  }

  /**
   * The final response to `invite` (sent by `offerer` to `answerer`) reached the offerer: ACK it,
   * and hand the answer over. `result` is what the answerer meant (null for a 491 the core sent).
   */
  private onFinal(sessionId: string, call: CallState, invite: SipRequest, offererId: string, answererId: string, text: string, result: AnswerResult | null): void {
    // After Timer B fired, the INVITE is no longer pending: this response is late. It is still
    // ACKed and handed over (a 2xx creates the dialog, RFC 3261 §13.2.2.4), for the offerer to end.
    if (call.pending.get(offererId) === invite) {
      call.pending.delete(offererId);
      this.sim.scheduler.cancel(call.timers.get(offererId));
      call.timers.delete(offererId);
    }
    this.drop(sessionId, call);
    const offerer = this.peer(offererId);
    if (!offerer) return;
    const parsed = parseSipMessage(text);
    if (!parsed.ok || parsed.message.kind !== 'response') return;
    const ok = parsed.message;
    const initial = invite === call.invite;
    // RFC 3261 §17.1.1.3 / §13.2.2.4: the caller ACKs every final response to its INVITE.
    this.carry(sessionId, offererId, answererId, buildAck(invite, ok, { branch: this.id(offererId, 12) }), () => undefined);
    // An answer to an INVITE or re-INVITE of a call since replaced (the session was offered anew,
    // re-created after a failure or a crash) is stale: it answers an offer the offerer no longer
    // has. It is ACKed (RFC 3261 §13.2.2.4) but not followed by a BYE, which would end the new
    // session of the same id at the answerer.
    if (this.calls.get(sessionId) !== call) {
      this.sim.trace.emit(offererId, 'sip.stale', { session: sessionId, from: answererId, status: ok.status, initial, reason: 'the session was offered again since this INVITE' }, 'RFC 3261 §13.2.2.4');
      return;
    }
    if (ok.status !== 200) {
      if (result === null) offerer.onAnswer(sessionId, { ok: false, status: ok.status, reason: ok.reason, rule: 'RFC 3261 §14.2' });
      else offerer.onAnswer(sessionId, result.ok ? { ok: false, status: ok.status, reason: ok.reason, rule: 'E-01' } : result);
      return;
    }
    if (initial) call.dialogs.set(offererId, uacDialog(call.invite, ok));
    const sdp = sipSdpBody(ok);
    const desc = sdp === undefined ? null : parseSdp(sdp);
    if (!desc || !desc.ok) {
      offerer.onAnswer(sessionId, { ok: false, status: 488, reason: 'unreadable SDP answer', rule: 'E-03' });
      return;
    }
    offerer.onAnswer(sessionId, { ok: true, answer: desc.desc });
  }

  bye(sessionId: string, from: string, to: string, done?: () => void): boolean {
    const call = this.calls.get(sessionId);
    const dialog = call?.dialogs.get(from);
    if (!call || !dialog) return false;
    const cseq = (call.cseq.get(from) ?? 0) + 1;
    call.cseq.set(from, cseq);
    const bye = buildBye(dialog, { branch: this.id(from, 12), cseq });
    this.carry(sessionId, from, to, bye, () => {
      this.peer(to)?.onBye(sessionId, from);
      this.carry(sessionId, to, from, buildByeOk(bye), () => done?.());
    });
    return true;
  }

  /**
   * `party` has forgotten session `sessionId` (it ended or failed, and nothing more can happen to
   * it there: docs/signalling.md). Once both parties have, and no INVITE of the call is under way
   * (its final response still to come, or still to be given), the call is forgotten too.
   */
  release(sessionId: string, party: string): void {
    const call = this.calls.get(sessionId);
    if (!call || (party !== call.offerer && party !== call.answerer)) return;
    call.released.add(party);
    // An INVITE of a party that has forgotten the session (it crashed) waits for nothing any more.
    if (call.timers.has(party)) {
      this.sim.scheduler.cancel(call.timers.get(party));
      call.timers.delete(party);
      call.pending.delete(party);
    }
    this.drop(sessionId, call);
  }

  /**
   * RFC 3261 §17.1.1.2: "If the client transaction is still in the "Calling" state when timer B
   * fires, the client transaction SHOULD inform the TU that a timeout has occurred" (which the TU
   * treats as a 408, §8.1.3.1). The INVITE is no longer pending: the call can be forgotten.
   */
  private startTimerB(sessionId: string, call: CallState, from: string, to: string, invite: SipRequest): void {
    this.sim.scheduler.cancel(call.timers.get(from));
    const timer = this.sim.scheduler.after(this.inviteTimeout, () => {
      call.timers.delete(from);
      if (call.pending.get(from) !== invite) return;
      call.pending.delete(from);
      const initial = invite === call.invite;
      this.sim.trace.emit(from, 'sip.timeout', { session: sessionId, to, method: 'INVITE', initial, after: this.inviteTimeout }, 'RFC 3261 §17.1.1.2');
      this.drop(sessionId, call);
      if (this.calls.get(sessionId) !== call) return;
      this.peer(from)?.onAnswer(sessionId, { ok: false, status: 408, reason: `Request Timeout: no final response to the ${initial ? 'INVITE' : 're-INVITE'} within Timer B`, rule: 'RFC 3261 §17.1.1.2', timeout: true });
    });
    call.timers.set(from, timer);
  }

  private stopTimers(call: CallState): void {
    for (const t of call.timers.values()) this.sim.scheduler.cancel(t);
    call.timers.clear();
  }

  /** Calls remembered: for tests of bounded state (SPEC §9). */
  get callCount(): number {
    return this.calls.size;
  }

  private drop(sessionId: string, call: CallState): void {
    if (this.calls.get(sessionId) !== call || call.pending.size > 0 || call.received.size > 0) return;
    if (call.released.has(call.offerer) && call.released.has(call.answerer)) this.calls.delete(sessionId);
  }
}

/** The SDP offer of an INVITE as received: parsed, or why it cannot be read. */
function readOffer(text: string): OfferReceived {
  const parsed = parseSipMessage(text);
  const sdp = parsed.ok ? sipSdpBody(parsed.message) : undefined;
  const desc = sdp === undefined ? null : parseSdp(sdp);
  if (!desc || !desc.ok) {
    const reason = !parsed.ok ? parsed.errors.map((e) => e.message).join('; ') : desc && !desc.ok ? desc.errors.map((e) => `${e.rule}: ${e.message}`).join('; ') : 'no SDP body';
    return { ok: false, reason, rule: desc && !desc.ok ? desc.errors[0]?.rule ?? 'E-01' : 'E-03' };
  }
  return { ok: true, offer: desc.desc };
}
