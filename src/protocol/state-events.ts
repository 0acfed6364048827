/**
 * Node state records (trace format version 2, docs/trace-format.md "Node state for the teaching
 * panel"): each says what one piece of a node's state is after it changed, and `change` names the
 * move. Replaying them up to a record gives every node's state at that moment, which is what the
 * report's node-state panel shows. The endpoint's machines emit `state.auth`, `state.session`,
 * `state.message` and their `state.transaction`s; the relay's emit `state.token`, `state.peer` and
 * their forwarded `state.transaction`s.
 */
/** Virtual time in microseconds (the kernel's Micros; protocol/ does not import sim/). */
type Micros = number;

/** The endpoint's AUTH client towards one relay. */
export interface StateAuth {
  relay: string;
  state: 'idle' | 'connecting' | 'challenged' | 'authenticated' | 'refused' | 'failed';
  usePath: string | null;
  /** The granted Expires in seconds, or null. */
  expires: number | null;
  /** When the re-AUTH runs (µs), or null. */
  refreshAt: Micros | null;
  change: string;
  /** The session whose own AUTH this is (a relays entry with `authPerSession`); absent for the device's AUTH. */
  session?: string;
}

/** A token of the relay's AUTH server. */
export interface StateToken {
  token: string;
  user: string;
  /** The connection the token is bound to; null for a token given through another relay (valid on any connection to it). */
  conn: string | null;
  expiresAt: Micros;
  state: 'granted' | 'expired' | 'invalidated' | 'forgotten';
  change: string;
}

/** A client connection as the relay's AUTH server sees it. */
export interface StatePeer {
  conn: string;
  state: 'probation' | 'trusted' | 'closed';
  failures: number;
  user: string | null;
  change: string;
}

/** An endpoint's session. */
export interface StateSession {
  session: string;
  state: 'waiting-auth' | 'offering' | 'answering' | 'connecting' | 'established' | 'failed' | 'closed';
  conn: string | null;
  toPath: string[];
  localUri: string;
  change: string;
}

/** A transaction: the endpoint's own (`waiting`, `done`, `timed-out`) or the relay's forwarded one (`sending`, `waiting`, `done`). */
export interface StateTransaction {
  transactionId: string;
  method: string;
  conn: string;
  state: 'sending' | 'waiting' | 'done' | 'timed-out';
  /** When the transaction's timer fires (µs), or null when none runs. */
  timerAt: Micros | null;
  messageId: string | null;
  change: string;
}

/** A message being sent (`out`) or received (`in`) by an endpoint. */
export interface StateMessage {
  messageId: string;
  session: string;
  direction: 'out' | 'in';
  state: 'sending' | 'sent' | 'aborted' | 'receiving' | 'delivered';
  /** Bytes sent or received so far. */
  bytes: number;
  /** The message's size when known, else null. */
  total: number | null;
  change: string;
}

/** Record type name -> fields, merged into the kernel's TraceTypes by src/nodes/trace-types.ts. */
export interface StateEvents {
  'state.auth': StateAuth;
  'state.token': StateToken;
  'state.peer': StatePeer;
  'state.session': StateSession;
  'state.transaction': StateTransaction;
  'state.message': StateMessage;
}
