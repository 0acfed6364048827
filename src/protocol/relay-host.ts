/**
 * What the relay's protocol machines (auth-server.ts, relay-transactions.ts, relay-forwarding.ts)
 * ask of the node that runs them: the current time and fresh ids (inputs), and the effects they
 * produce (outputs): frames to write, connections to close, timers to set or cancel, typed events.
 * The machines never do I/O themselves; a unit test implements this with a recording host and a
 * hand-driven clock. `C` is the node's connection handle and `T` its timer handle, both opaque here.
 */
import { buildResponse } from '../wire/builder.js';
import type { MsrpFrame, MsrpRequest } from '../wire/frame.js';
import { responseToPath } from './paths.js';
import type { RelayEvents, RelayEventType } from './relay-events.js';
import { reasonFor, type RelayProfile } from './relay-profile.js';
import type { StateEvents } from './state-events.js';

/** The node state records the relay's machines emit (state-events.ts). */
export type RelayStateType = 'state.token' | 'state.peer' | 'state.transaction';

export interface RelayHost<C, T> {
  /** Virtual (or wall) time now, in microseconds. */
  readonly now: number;
  emit<K extends RelayEventType>(type: K, fields: RelayEvents[K], rule?: string): void;
  /**
   * A piece of the relay's state changed: its token, a client connection's standing, a forwarded
   * transaction (the records of the report's node-state panel; a host may leave them out of a
   * trace format that has none).
   */
  emitState<K extends RelayStateType>(type: K, fields: StateEvents[K]): void;
  /**
   * Whether to build a state record for `emitState` now: false when nothing reads them (the
   * record is then not built). Asked once per state change, just before building it.
   */
  wantsState(): boolean;
  /** Writes a whole frame on `conn` (queued behind what is being written there). */
  send(conn: C, frame: MsrpFrame): void;
  close(conn: C): void;
  /** Drops `conn` at once (TCP reset). */
  reset(conn: C): void;
  connId(conn: C): string;
  isOpen(conn: C): boolean;
  /** The peer at the far end of `conn` presented a valid client certificate (mutual TLS, R-11). */
  isPeerRelay(conn: C): boolean;
  /** `conn` leads to the relay at `authority` (`scheme://host:port`): opened to it, or its certificate names it. */
  leadsTo(conn: C, authority: string): boolean;
  setTimer(at: number, fire: () => void): T;
  cancelTimer(timer: T | null): void;
  newNonce(): string;
  newToken(): string;
  newTransactionId(): string;
  newMessageId(): string;
}

/** Extra headers of a response the relay generates. */
export type AnswerExtra = Partial<Parameters<typeof buildResponse>[0]>;

/**
 * The relay's own response to `frame` on `conn`: To-Path from the request's From-Path (E-33, the
 * whole path for a non-SEND), From-Path the URI the request named this relay by; shaped as
 * `profile` shapes its responses (reason phrase, Message-ID, Use-Path before Expires).
 */
export function answer<C, T>(host: RelayHost<C, T>, conn: C, frame: MsrpRequest, code: number, rule: string, ownUri: string, extra?: AnswerExtra, profile?: RelayProfile): void {
  const reason = profile && reasonFor(profile, code);
  const built = buildResponse({
    transactionId: frame.transactionId,
    statusCode: code,
    toPath: responseToPath(frame.method, frame.fromPath),
    fromPath: [frame.toPath[0] ?? ownUri],
    ...(reason !== undefined ? { comment: reason } : {}),
    ...(profile?.responseMessageId && frame.messageId !== undefined ? { messageId: frame.messageId } : {}),
    ...extra,
  });
  const response = profile?.usePathBeforeExpires ? { ...built, headers: usePathFirst(built.headers) } : built;
  host.emit('relay.respond', { conn: host.connId(conn), transactionId: frame.transactionId, method: frame.method, status: code }, rule);
  host.send(conn, response);
}

/** The first value of header `name` (lower case), if the frame has it. */
export function header(frame: { headers: [string, string][] }, name: string): string | undefined {
  for (const [n, v] of frame.headers) if (n.toLowerCase() === name) return v;
  return undefined;
}

/** The headers with Use-Path moved before the Expires family (Kamailio's order). */
function usePathFirst(headers: [string, string][]): [string, string][] {
  const use = headers.findIndex(([n]) => n.toLowerCase() === 'use-path');
  const exp = headers.findIndex(([n]) => /^(min-|max-)?expires$/i.test(n));
  if (use < 0 || exp < 0 || use < exp) return headers;
  const out = headers.filter((_, i) => i !== use);
  out.splice(exp, 0, headers[use]!);
  return out;
}

/**
 * The bytes a received request took on the wire, as its parser counted them: the whole frame, or
 * for a head streamed ahead of its body (cut-through), what came before the body. The relay acts
 * only on frames it received; one without the count is a bug of its caller.
 */
export function receivedSize(frame: MsrpRequest): number {
  const size = frame.wireLength ?? frame.headLength;
  if (size === undefined) throw new Error(`request ${frame.transactionId} was not received: it has no wire length`);
  return size;
}
