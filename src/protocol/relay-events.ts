/**
 * The typed events of the relay's protocol machines, one interface per event. The relay node
 * emits each as the trace record of the same name (src/nodes/relay/trace-types.ts merges them into
 * the kernel's TraceTypes), so the fields and their order here are the trace format: change them
 * only together with the trace format of every record.
 */
import type { ByteRange, FailureReport } from '../wire/frame.js';

/** The relay listens (at start and after a restart). */
export interface RelayStart { uri: string; profile: string }
/** a connection made no successful request within the probation period. */
export interface RelayProbationClose { conn: string; seconds: number }
/** A scenario `set` changed the profile. */
export interface RelayProfileChange { from: string; to: string; connections: number; transactions: number }
/** an unused connection is closed. */
export interface RelayIdleClose { conn: string; idle: number; limit: number; user: string | null; target: string | null; tokens: number; forgotten: number }
/** a token one Expires past its expiry is forgotten. */
export interface RelayTokenForgotten { token: string; user: string; expiredAt: number }
/** Fault `expireTokens`. */
export interface RelayTokensExpired { count: number }
/** A request or response the relay does not act on. */
export interface RelayDiscard { conn: string; transactionId: string; reason: string }
/** A profile drops a connection over a frame's size, or because the session it carried ended (msrprelay: `session` is its token). */
export type RelayDropConnection = { conn: string; size: number } | { conn: string; bodyLength: number } | { conn: string; session: string } | { conn: string; error: string };
/** the first To-Path URI does not name this relay. */
export interface RelayNotMine { conn: string; transactionId: string; toPath: string[] }
/** the next To-Path URI is this relay again. */
export interface RelayLocalHop { transactionId: string; toPathAfter: string[]; fromPathAfter: string[] }
/** A route check refused a request. */
export interface RelayRefuse { conn: string; transactionId: string; reason: string; status: number }
/** A profile honours a token past its Expires. */
export interface RelayTokenPastExpiry { token: string; grantedUntil: number }
/** A profile relays a SEND from a connection that does not own the token. */
export interface RelayUnauthenticated { conn: string; transactionId: string; token: string; next: string }
/** A request forwarded to the next hop (for SENDs, one record per chunk written). */
export interface RelayForward {
  method: string;
  inConn: string;
  outConn: string;
  inTransactionId: string;
  outTransactionId: string;
  toPathBefore: string[];
  toPathAfter: string[];
  fromPathBefore: string[];
  fromPathAfter: string[];
  /** SEND chunks with a body: the range received and the range written. */
  byteRangeIn?: ByteRange;
  byteRangeOut?: ByteRange | null;
  rechunked?: boolean;
}
/** A cut-through relay starts forwarding a SEND before its body has arrived. */
export interface RelayCutThrough { inConn: string; outConn: string; inTransactionId: string; toPathAfter: string[] }
/** A request (or some of its bytes) that cannot reach the next hop. */
export interface RelayUndeliverable { transactionId: string; reason: string }
/** no response to a forwarded SEND within the transaction timeout. */
export interface RelayTimeout { outTransactionId: string; messageId: string | null }
/** a forwarded transaction is forgotten without a REPORT. */
export interface RelayForget { outTransactionId: string; method: string; messageId: string | null; failureReport: FailureReport; reason: string }
/** A profile runs no 408 timer for a forwarded SEND. */
export interface RelayNoTimer { outTransactionId: string; reason: string }
/** the relay opens a connection toward the next hop. */
export interface RelayConnect { target: string; reason: string }
/** W-05: a response to no transaction this relay forwarded on that connection. */
export interface RelayStrayResponse { conn: string; transactionId: string; status: number }
/** A profile drops the responses to forwarded SENDs. */
export interface RelayResponseDropped { transactionId: string; status: number }
/** the next hop answered a forwarded SEND 200. */
export interface RelayNextHopOk { outTransactionId: string }
/** A response to a non-SEND request goes back hop by hop. */
export interface RelayResponseForward { status: number; inTransactionId: string; outTransactionId: string; toPathBefore: string[]; toPathAfter: string[] }
/** A profile that never reports suppresses a failure REPORT. */
export interface RelayReportSuppressed { status: number }
/** d.5: a failure REPORT to the original sender. */
export interface RelayReport { status: number; messageId: string; toPath: string[]; byteRange: ByteRange }
/** A profile reports the range received instead of the range sent. */
export interface RelayReportRange { transactionId: string; byteRange: ByteRange; instead: ByteRange }
/** The relay answers a request. */
export interface RelayRespond { conn: string; transactionId: string; method: string; status: number }
/** a 401 with a new nonce. */
export interface AuthChallenge { conn: string; realm: string; stale: boolean }
/** A profile takes the realm from the AUTH's To-Path. */
export interface RelayRealm { conn: string; realm: string; configured: string }
/** An AUTH that failed. */
export interface RelayAuthFail { conn: string; failures: number; reason: string }
/** too many failed AUTHs on a client connection. */
export interface RelayAuthDisconnect { conn: string; failures: number }
/** a token granted. */
export interface RelayAuthOk { conn: string; user: string; token: string; expires: number; usePath: string[] }
/** a token whose connection closed. */
export interface RelayTokenInvalidated { token: string; reason: string }
/** A connection of the relay closed. */
export interface RelayConnectionClosed { conn: string; reason: string }

/** Every relay event by its trace record type. */
export interface RelayEvents {
  'auth.challenge': AuthChallenge;
  'relay.auth-disconnect': RelayAuthDisconnect;
  'relay.auth-fail': RelayAuthFail;
  'relay.auth-ok': RelayAuthOk;
  'relay.connect': RelayConnect;
  'relay.connection-closed': RelayConnectionClosed;
  'relay.cut-through': RelayCutThrough;
  'relay.discard': RelayDiscard;
  'relay.drop-connection': RelayDropConnection;
  'relay.forget': RelayForget;
  'relay.forward': RelayForward;
  'relay.idle-close': RelayIdleClose;
  'relay.local-hop': RelayLocalHop;
  'relay.next-hop-ok': RelayNextHopOk;
  'relay.no-timer': RelayNoTimer;
  'relay.not-mine': RelayNotMine;
  'relay.probation-close': RelayProbationClose;
  'relay.profile': RelayProfileChange;
  'relay.realm': RelayRealm;
  'relay.refuse': RelayRefuse;
  'relay.report': RelayReport;
  'relay.report-range': RelayReportRange;
  'relay.report-suppressed': RelayReportSuppressed;
  'relay.respond': RelayRespond;
  'relay.response-dropped': RelayResponseDropped;
  'relay.response-forward': RelayResponseForward;
  'relay.start': RelayStart;
  'relay.stray-response': RelayStrayResponse;
  'relay.timeout': RelayTimeout;
  'relay.token-forgotten': RelayTokenForgotten;
  'relay.token-invalidated': RelayTokenInvalidated;
  'relay.tokens-expired': RelayTokensExpired;
  'relay.token-past-expiry': RelayTokenPastExpiry;
  'relay.unauthenticated': RelayUnauthenticated;
  'relay.undeliverable': RelayUndeliverable;
}

export type RelayEventType = keyof RelayEvents;
