/**
 * The SIP signalling core (SPEC §3.4): carries INVITE / 200 / 488 / ACK / BYE between endpoints
 * as real SIP text with real SDP bodies, after a configurable one-way delay, outside the MSRP
 * network (firewalls do not filter it). Every message is a `sip.send` record at the sender and a
 * `sip.recv` record at the receiver, with its full text.
 */
import type { Simulation } from '../sim/simulation.js';
import type { Micros } from '../sim/time.js';
import { formatSdp, parseSdp, type SessionDescription } from '../signal/sdp.js';
import {
  buildAck,
  buildBye,
  buildByeOk,
  buildInvite,
  buildInviteOk,
  buildNotAcceptable,
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
import type { AnswerResult, Signalling, SignallingPeer } from './signalling.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

interface CallState {
  invite: SipRequest;
  offerer: string;
  answerer: string;
  /** Each side's dialog once established. */
  dialogs: Map<string, SipDialog>;
  cseq: Map<string, number>;
}

export class SignallingCore implements Signalling {
  private readonly calls = new Map<string, CallState>();

  constructor(
    private readonly sim: Simulation,
    private readonly delay: Micros,
    private readonly peer: (id: string) => SignallingPeer | undefined,
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
    this.calls.set(sessionId, { invite, offerer: from, answerer: to, dialogs: new Map(), cseq: new Map([[from, 1], [to, 0]]) });
    this.carry(sessionId, from, to, invite, (text) => {
      const target = this.peer(to);
      if (!target) return;
      const parsed = parseSipMessage(text);
      const sdp = parsed.ok ? sipSdpBody(parsed.message) : undefined;
      const desc = sdp === undefined ? null : parseSdp(sdp);
      if (!desc || !desc.ok) {
        const reason = !parsed.ok ? parsed.errors.map((e) => e.message).join('; ') : desc && !desc.ok ? desc.errors.map((e) => `${e.rule}: ${e.message}`).join('; ') : 'no SDP body';
        target.onOffer(sessionId, from, { ok: false, reason, rule: desc && !desc.ok ? desc.errors[0]?.rule ?? 'E-01' : 'E-03' });
        return;
      }
      target.onOffer(sessionId, from, { ok: true, offer: desc.desc });
    });
  }

  answer(sessionId: string, from: string, to: string, result: AnswerResult): void {
    const call = this.calls.get(sessionId);
    if (!call) return;
    const toTag = this.id(from, 8);
    const response = result.ok
      ? buildInviteOk(call.invite, { toTag, contact: this.party(from), sdp: formatSdp(result.answer) })
      : buildNotAcceptable(call.invite, { toTag, agent: this.party(from).host, rule: result.rule, reason: result.reason });
    if (result.ok) call.dialogs.set(from, uasDialog(call.invite, toTag, this.party(from)));
    this.carry(sessionId, from, to, response, (text) => {
      const offerer = this.peer(to);
      if (!offerer) return;
      const parsed = parseSipMessage(text);
      if (!parsed.ok || parsed.message.kind !== 'response') return;
      const ok = parsed.message;
      // RFC 3261 §17.1.1.3 / §13.2.2.4: the caller ACKs every final response to its INVITE.
      this.carry(sessionId, to, from, buildAck(call.invite, ok, { branch: this.id(to, 12) }), () => undefined);
      if (ok.status !== 200) {
        offerer.onAnswer(sessionId, result.ok ? { ok: false, status: ok.status, reason: ok.reason, rule: 'E-01' } : result);
        return;
      }
      call.dialogs.set(to, uacDialog(call.invite, ok));
      const sdp = sipSdpBody(ok);
      const desc = sdp === undefined ? null : parseSdp(sdp);
      if (!desc || !desc.ok) {
        offerer.onAnswer(sessionId, { ok: false, status: 488, reason: 'unreadable SDP answer', rule: 'E-03' });
        return;
      }
      offerer.onAnswer(sessionId, { ok: true, answer: desc.desc });
    });
  }

  bye(sessionId: string, from: string, to: string): void {
    const call = this.calls.get(sessionId);
    const dialog = call?.dialogs.get(from);
    if (!call || !dialog) return;
    const cseq = (call.cseq.get(from) ?? 0) + 1;
    call.cseq.set(from, cseq);
    const bye = buildBye(dialog, { branch: this.id(from, 12), cseq });
    this.carry(sessionId, from, to, bye, () => {
      this.peer(to)?.onBye(sessionId, from);
      this.carry(sessionId, to, from, buildByeOk(bye), () => undefined);
    });
  }
}
