/**
 * The endpoint's types: its options and scenario actions (public, re-exported by src/index.ts),
 * and what the node remembers of its sessions and messages.
 */
import type { Timer } from '../../sim/scheduler.js';
import type { Micros } from '../../sim/time.js';
import type { FailureReport, SuccessReport } from '../../wire/frame.js';
import { parseUri } from '../../wire/uri.js';
import type { MessageAssembly } from '../../protocol/reassembler.js';
import type { RelayCredentials } from '../../protocol/auth-client.js';
import type { SessionLife } from '../../protocol/session-life.js';
import type { MsrpMediaDescription, SessionDescription } from '../../signal/sdp.js';
import type { MsrpConnection } from '../msrp-connection.js';
import type { MessageSender } from '../../protocol/message-sender.js';
import type { MessageBytes } from '../content.js';

export type { RelayCredentials } from '../../protocol/auth-client.js';

/**
 * An endpoint's settings. Durations are in microseconds (`Micros`), as in RelayOptions; the
 * Expires asked for in AUTH is in seconds, as it goes on the wire.
 */
export interface EndpointOptions {
  host: string;
  port: number;
  scheme: 'msrp' | 'msrps';
  relays: RelayCredentials[];
  acceptTypes: string[];
  acceptWrappedTypes: string[];
  maxSize: number;
  chunkSize: number;
  chunkStrategy: 'fixed' | 'interruptible';
  successReport: SuccessReport;
  failureReport: FailureReport;
  /**
   * A-13, CHECKLIST c.4: how long (µs, as every duration of the options) to wait for the response
   * to a request with Failure-Report yes, from its last byte written.
   */
  transactionTimeout: Micros;
  /** Expires to ask for in AUTH (seconds), or null to let the relay choose. */
  authExpires: number | null;
  connectionModel: 'rfc4975' | 'rfc6135';
  /** RFC 6135: whether this endpoint has a globally reachable address (E-18). */
  reachable: boolean;
  /** What to do when a session fails: only report it, or re-establish it with a new offer. */
  onSessionFailure: 'report' | 'reestablish';
  tlsVersion: '1.2' | '1.3';
  /** Names in this endpoint's TLS server certificate (default: its host name). */
  certificateNames?: string[];
}

export interface SendAction {
  session: string;
  contentType: string;
  body?: string;
  size?: number;
  chunkSize?: number;
  chunkStrategy?: 'fixed' | 'interruptible';
  successReport?: SuccessReport;
  failureReport?: FailureReport;
  /** Send even what the peer did not signal (type or size), to provoke 415 / 413. */
  force?: boolean;
  /** Abort the message after this many bytes (E-24). */
  abortAfter?: number;
}

/** A resend (E-19): the same bytes under the same Message-ID. */
/** A send action, or a message sent again after its session was re-established (its Message-ID and bytes kept). */
export type Resend = SendAction & { messageIdKeep?: string; dataKeep?: MessageBytes };

export interface Outgoing {
  messageId: string;
  /** The action that made it, kept to send it again (E-19). */
  action: Resend;
  /** Transactions of its chunks still waiting for their 200 (Failure-Report yes). */
  unconfirmed: Set<string>;
  /** Its sender (src/protocol/message-sender.ts): the message, its cursor, its state. */
  sender: MessageSender;
  size: number;
  successReport: SuccessReport;
  failureReport: FailureReport;
  digest: string;
  reported: number;
  done: boolean;
  /** Its transactions still open: Failure-Report yes waiting for a response, partial within its window. */
  live: number;
  /** Once nothing more is expected of it: when it is forgotten (docs/ambiguities.md E-32). */
  forgetAt: Micros | null;
}

export interface Incoming {
  assembly: MessageAssembly;
  contentType: string;
  successReport: SuccessReport;
  fromPath: string[];
  firstAt: Micros;
  tooLarge?: boolean;
  /** Once the message is complete or aborted: when it is forgotten (docs/ambiguities.md E-32). */
  forgetAt: Micros | null;
}

export interface Session {
  id: string;
  peer: string;
  role: 'offerer' | 'answerer';
  /** Its state (src/protocol/session-life.ts), changed only through `life.transition`. */
  readonly life: SessionLife;
  localUri: string;
  localKey: string;
  offer: SessionDescription | null;
  peerMedia: MsrpMediaDescription | null;
  toPath: string[];
  active: boolean;
  conn: MsrpConnection | null;
  incoming: Map<string, Incoming>;
  outgoing: Map<string, Outgoing>;
  /** Messages nothing more is expected of, in the order they fall due to be forgotten (E-32); from settledHead on. */
  settled: Settled[];
  settledHead: number;
  queued: Resend[];
  attempts: number;
  /** Message-ID of the bodiless SEND that bound the connection (E-13), to recognise its REPORTs. */
  bindingMessageId: string | null;
  /**
   * The SDP this side sent last, offer or answer, taken or not: the next one keeps its o= line with
   * the version one higher (RFC 3264 §8).
   */
  localSdp: SessionDescription | null;
  /** The a=path of the last exchange that completed: what the peer builds its To-Path from. */
  advertisedPath: readonly string[];
  /** A new offer/answer exchange under way on the session (RFC 4975 §8.4). */
  negotiation: 'none' | 'reoffering' | 'answering';
  /** The new offer sent, while `reoffering`. */
  pendingOffer: SessionDescription | null;
  /** A new offer waiting to be sent again after a 491 (RFC 3261 §14.1). */
  reofferTimer: Timer | null;
  /** Its INVITE was sent and its answer has not come back yet. */
  offerPending: boolean;
  /** Its BYE was sent and its 200 has not come back yet. */
  byePending: boolean;
  /** Actions for it waiting for the AUTH to finish (`afterAuth`). */
  waiting: number;
  /** Once it has ended or failed and nothing more is under way for it: when it is forgotten (docs/signalling.md). */
  forgetAt: Micros | null;
}

/** A message sent or received that is forgotten at `at` (docs/ambiguities.md E-32). */
export interface Settled {
  at: Micros;
  out?: Outgoing;
  incoming?: Incoming;
}

export const EMPTY_SETTLED: Settled = { at: 0 };

export const DEFAULT_RELAY_PORT = 2855;

/** `scheme://host:port` of an MSRP URI: what a raw connection is opened to and looked up by. */
export function rawKey(target: string): string {
  const p = parseUri(target);
  return p.ok ? `${p.uri.scheme}://${p.uri.host.toLowerCase()}:${p.uri.port ?? DEFAULT_RELAY_PORT}` : target;
}

/**
 * What a send's outcome record says of where it came from: a message sent again after its session
 * failed (E-19) carries `resend` and its Message-ID; a send that waited for its session carries
 * `queued`. The summary counts sends from these (docs/outputs.md).
 */
export function outcomeTag(action: Resend, fromQueue: boolean): { resend: true; messageId: string } | { queued: true } | Record<string, never> {
  if (action.messageIdKeep !== undefined) return { resend: true, messageId: action.messageIdKeep };
  return fromQueue ? { queued: true } : {};
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((u, i) => u === b[i]);
}
