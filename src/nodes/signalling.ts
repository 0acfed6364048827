/**
 * What an endpoint tells the signalling core and hears back: SDP offers and answers
 * (RFC 4975 §8), carried as real SIP/SDP text by the core (SPEC §3.4).
 */
import type { SessionDescription } from '../signal/sdp.js';

/** `timeout`: no final response came before Timer B (RFC 3261 §17.1.1.2), reported as a 408. */
export type AnswerResult = { ok: true; answer: SessionDescription } | { ok: false; status: number; reason: string; rule: string; timeout?: boolean };

export type OfferReceived = { ok: true; offer: SessionDescription } | { ok: false; reason: string; rule: string };

/** The endpoint side of the signalling core. */
export interface SignallingPeer {
  readonly id: string;
  /** The SIP host name the node is reached at (`sip:<id>@<host>`). */
  readonly sipHost: string;
  /**
   * An INVITE arrived; the answer (or rejection) goes back through `Signalling.answer`.
   * `reoffer`: a re-INVITE within the session's dialog (RFC 3261 §14, RFC 4975 §8.4).
   */
  onOffer(sessionId: string, from: string, offer: OfferReceived, reoffer?: boolean): void;
  /** The answer to our INVITE or re-INVITE arrived (200 with SDP, or a rejection; 491 when two crossed; 408 with `timeout` when Timer B fired). */
  onAnswer(sessionId: string, result: AnswerResult): void;
  /** A BYE arrived. */
  onBye(sessionId: string, from: string): void;
}

export interface Signalling {
  offer(sessionId: string, from: string, to: string, offer: SessionDescription): void;
  /** A new offer within the session's dialog (a re-INVITE); false when none can be sent now. */
  reoffer(sessionId: string, from: string, to: string, offer: SessionDescription): boolean;
  answer(sessionId: string, from: string, to: string, result: AnswerResult): void;
  /** BYE from `from`; `done` runs when its 200 OK is back at `from`. False when there is no dialog to send it in. */
  bye(sessionId: string, from: string, to: string, done?: () => void): boolean;
  /** `party` has forgotten the session: nothing more will come from it or be expected by it. */
  release(sessionId: string, party: string): void;
}
