/**
 * The typed events of the endpoint's protocol machines (auth-client.ts, endpoint-transactions.ts,
 * ...), one interface per event. The endpoint node emits each as the trace record of the same name,
 * so the fields and their order here are the trace format: change them only together with it.
 */

/** an AUTH request to one relay of the list. */
export interface AuthRequest { relay: string; transactionId: string; withCredentials: boolean; expires: number | null }
/** the relay challenged (401); the next AUTH carries credentials for the realm. */
export interface AuthChallenged { relay: string; realm: string; stale: boolean }
/** a 423; the next AUTH asks for an Expires within the relay's bounds. */
export interface AuthRetryExpires { relay: string; asked: number | null; next: number }
/** The relay refused the AUTH (R-04, R-05, R-11, R-16h). */
export interface AuthFail { relay: string; reason: string }
/** the relay accepted the AUTH. */
export interface AuthOk { relay: string; usePath: string[]; expires: number | null }
/** an AUTH round that renews the tokens begins. */
export interface AuthRefresh { relays: number }
/** R-07: the AUTH round is complete; the sessions' paths are built from this Use-Path. */
export interface EndpointReady { usePath: string[] }
/** A peer broke a rule the endpoint checks (R-06, W-25). */
export interface EndpointViolation { peer: string; message: string }

/** no response to a transaction in time. */
export interface EndpointTimeout { transactionId: string; kind: 'send' | 'auth'; session: string | null; messageId: string | null }
/** W-05: a response to no open transaction. */
export interface EndpointStrayResponse { conn: string; transactionId: string; status: number }

/** Every endpoint machine event by its trace record type. */
export interface EndpointEvents {
  'auth.request': AuthRequest;
  'auth.challenged': AuthChallenged;
  'auth.retry-expires': AuthRetryExpires;
  'auth.fail': AuthFail;
  'auth.ok': AuthOk;
  'auth.refresh': AuthRefresh;
  'endpoint.ready': EndpointReady;
  'endpoint.violation': EndpointViolation;
  'endpoint.timeout': EndpointTimeout;
  'endpoint.stray-response': EndpointStrayResponse;
}

export type EndpointEventType = keyof EndpointEvents;
