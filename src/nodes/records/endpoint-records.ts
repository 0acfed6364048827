/**
 * Records of an endpoint: its AUTH client (`auth.*`), its connections, the messages it sends and
 * receives and the responses and REPORTs about them (`endpoint.*`).
 */
import type { Micros } from '../../sim/time.js';
import type { ByteRange, FailureReport, SuccessReport } from '../../wire/frame.js';
// The records of the endpoint's protocol machines are their typed events (src/protocol/endpoint-events.ts).
import type * as Ev from '../../protocol/endpoint-events.js';

/** an AUTH sent to `relay` (`expires` null: no Expires header). */
export type AuthRequestRecord = Ev.AuthRequest;
/** a 401 from `relay`. */
export type AuthChallengedRecord = Ev.AuthChallenged;
/** a 423; the AUTH is sent again with Expires `next` (it asked `asked`). */
export type AuthRetryExpiresRecord = Ev.AuthRetryExpires;
/** `relay` granted a Use-Path for `expires` seconds (null: the 200 had no Expires). */
export type AuthOkRecord = Ev.AuthOk;
/** The relay refused the AUTH: no retry. */
export type AuthFailRecord = Ev.AuthFail;
/** the endpoint authenticates again to its `relays` relays before the tokens expire. */
export type AuthRefreshRecord = Ev.AuthRefresh;

/** every relay authenticated; the endpoint's Use-Path, in order. */
export type EndpointReadyRecord = Ev.EndpointReady;
/** the connection to the first relay is open. */
export interface EndpointRelayConnectedRecord { conn: string; relay: string }
/** The relay connection closed; `retryIn` null: no reconnection (the relay refused the credentials). */
/** `reason` is the connection seam's close kind: TCP's `CloseKind` in a simulated run, a socket's in a live one. */
export interface EndpointRelayLostRecord { reason: string; detail: string; retryIn: Micros | null }
/** A peer broke a rule the endpoint checks. */
export type EndpointViolationRecord = Ev.EndpointViolation;

/** E-14: an open connection reused for a session. */
export interface EndpointReuseRecord { session: string; conn: string; target: string }
/**
 * E-12: a connection opened for a session; or one of the endpoint's own for `raw` bytes
 * (`session` null, `raw` true), or not, because its `target` is no MSRP URI (`error`).
 */
export type EndpointConnectRecord =
  | { session: string; target: string }
  | { session: null; target: string; error: string }
  | { session: null; target: string; raw: true };

/** How a send relates to the scenario's action: a resend of `messageId`, or a send that waited for its session. */
export type SendOutcomeTag = { resend: true; messageId: string; queued?: never } | { queued: true; resend?: never } | { resend?: never; queued?: never };

/** E-21: a message the endpoint starts to send. */
export type EndpointMessageRecord = {
  session: string;
  messageId: string;
  contentType: string;
  size: number;
  /** MD5 of the body, hex. */
  digest: string;
  successReport: SuccessReport;
  failureReport: FailureReport;
  /** `fixed N` or `interruptible`. */
  chunking: string;
} & SendOutcomeTag;
/** E-21, E-24: the message's last byte was written (or its sending aborted). */
export interface EndpointSentRecord { session: string; messageId: string; size: number; aborted: boolean }
/** A send the endpoint refuses, and why. */
export type EndpointSendRefusedRecord = { session: string; reason: string } & SendOutcomeTag;
/** A send waits for its session to be established (`state`: the session's state now). */
export interface EndpointSendQueuedRecord { session: string; state: string; contentType: string; size: number | null }
/** A send that waited for its session, which failed or ended before it was established. */
export type EndpointSendFailedRecord = { session: string; contentType: string; size: number | null; reason: string } & SendOutcomeTag;
/** E-07, E-08: a send the rule would refuse, forced by the scenario. */
export interface EndpointForcedRecord { session: string; reason: string }

/** no response to `transactionId` in time. */
export type EndpointTimeoutRecord = Ev.EndpointTimeout;
/** W-05: a response to no transaction of this endpoint. */
export type EndpointStrayResponseRecord = Ev.EndpointStrayResponse;
/** R-02, E-24: the response to a SEND of a session. */
export interface EndpointResponseRecord { session: string; transactionId: string; status: number; messageId: string | null }
/** E-24: a failure response aborts the message. */
export interface EndpointAbortRecord { session: string; messageId: string; status: number }

/** E-34: a chunk of a message that is not complete yet (`total` null: not known yet). */
export interface EndpointChunkRecord { session: string; messageId: string; received: number; total: number | null }
/** W-06: the sender aborted the message after `received` bytes. */
export interface EndpointAbortedRecord { session: string; messageId: string; received: number }
/** E-24: a message larger than the endpoint takes. */
export interface EndpointTooLargeRecord { session: string; messageId: string; limit: number; claimed: number }
/** E-34: a whole message received. */
export interface EndpointDeliverRecord {
  session: string;
  messageId: string;
  contentType: string;
  size: number;
  /** MD5 of the body, hex. */
  digest: string;
  /** From the first chunk received to the last. */
  assemblyTime: Micros;
  fromPath: string[];
}
/** E-29: a success REPORT sent for the bytes received. */
export interface EndpointReportSentRecord { session: string; messageId: string; status: number; byteRange: ByteRange; complete: boolean }
/** E-32: a REPORT received for a message this endpoint sent (or its session's binding SEND). */
export interface EndpointReportRecord { session: string; messageId: string; status: number | null; byteRange: ByteRange | null; complete: boolean; fromPath: string[] }
/** E-31: a REPORT the endpoint does not act on (`reason`: why it cannot, when it cannot). */
export interface EndpointReportIgnoredRecord { conn: string; messageId: string | null; status: number | null; reason?: string }
/** c.4: the Failure-Report table says no response is sent (it `wouldBe` this status). */
export interface EndpointNoResponseRecord { transactionId: string; wouldBe: number; failureReport: FailureReport }
/** A request answered with a failure status. */
export interface EndpointRejectRecord { transactionId: string; status: number }
/** E-28: the session ended before success REPORTs covered a message that asked for them. */
export interface EndpointUnconfirmedRecord { session: string; messageId: string; size: number; reported: number }
