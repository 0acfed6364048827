/** Records of an endpoint's MSRP sessions: SDP offer and answer, binding, renegotiation, end. */

/** an SDP offer sent with the endpoint's a=path (`setup`: RFC 6135 a=setup, when sent). */
export interface SessionOfferRecord { session: string; peer: string; path: string[]; setup: string | null }
/** an SDP answer; `active`: this side opens the connection. */
export interface SessionAnswerRecord { session: string; peer: string; path: string[]; setup: string | null; active: boolean }
/** The answerer refuses the offer. */
export interface SessionRejectRecord { session: string; status: number; reason: string }
/** The offerer's session was refused by the answer. */
export interface SessionRejectedRecord { session: string; status: number; reason: string }
/** RFC 3261 §13.2.2.4: an answer for which no offer waits (`state`: the session's, if it exists). */
export interface SessionAnswerIgnoredRecord { session: string; state: string | null; status: number; bye: boolean }
/** The session ended while its offer or answer waited for the AUTH: that step is not taken. */
export type SessionAbandonedRecord = { session: string; peer: string; step: 'offer' } | { session: string; peer: string; step: 'answer'; status: number };
/** the session is offered again with a new a=path (it was `previous`). */
export interface SessionReofferRecord { session: string; peer: string; path: string[]; previous: readonly string[]; reason: string }
/** The new offer was not taken (`retryIn`: when it is tried again, null: not). */
export interface SessionReofferRejectedRecord { session: string; status: number | null; reason: string; retryIn: number | null }
/** The answerer refuses a new offer. */
export interface SessionReofferRefusedRecord { session: string; peer: string; status: number; reason: string }
/** E-11: the answerer takes a new offer. */
export interface SessionUpdateRecord { session: string; peer: string; path: string[]; peerPath: string[]; toPath: string[] }
/** E-11: the offerer's session renegotiated. */
export interface SessionUpdatedRecord { session: string; peer: string; path: string[]; peerPath: string[]; toPath: string[] }
/** E-13: the active side binds the session with a bodiless SEND. */
export interface SessionBindRecord { session: string; conn: string; transactionId: string }
/** E-16: the passive side saw the binding request on `conn`. */
export interface SessionBoundRecord { session: string; conn: string }
/** E-12, E-15: the session is established (`conn` null: no connection yet). */
export interface SessionEstablishedRecord { session: string; conn: string | null; toPath: string[]; active: boolean }
/** E-11: the session ended. */
export interface SessionClosedRecord { session: string; why: string }
/** The session failed. */
export interface SessionFailedRecord { session: string; reason: string }
/** E-19: the session is set up again (`attempt` counts). */
export interface SessionReestablishRecord { session: string; attempt: number }
