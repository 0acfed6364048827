/**
 * What the relay's forwarding decision (relay-forwarding.ts) needs of the node besides the
 * RelayHost: opening and writing connections (RelayLinks), its settings, and the stream that
 * swallows the body of a request it did not admit.
 */
import type { MsrpFrame, MsrpRequest } from '../wire/frame.js';
import type { MessageSender } from './message-sender.js';
import type { RequestStream } from './send-source.js';

/** What the forwarding decision needs of the node besides the RelayHost. */
export interface RelayLinks<C> {
  /**
   * Finds or opens the connection toward the To-Path URI `next` (R-25, E-14, A-05); null if none
   * can be. `next` is `frame.toPath[1]` (the first is this relay's own): its parse is
   * `pathUri(frame.toPath, 1)`, already made.
   */
  connectionFor(next: string, frame: MsrpRequest): C | null;
  /** a request that passed the checks on `conn` came from the peer at `authority`. */
  cameFrom(conn: C, authority: string): void;
  /** This relay has closed its side of `conn` (nothing more can be written on it). */
  sendClosed(conn: C): boolean;
  /** Writes `frame` on `conn`; `written` runs once its last byte is handed to the transport. */
  sendFrame(conn: C, frame: MsrpFrame, written?: () => void): void;
  /** Writes the chunks of `sender`'s message on `conn`, interruptible by other frames (W-35). */
  sendData(conn: C, sender: MessageSender): void;
  /** More bytes of a streamed source are available on `conn`. */
  kick(conn: C): void;
}

/** The settings the forwarding decision reads (RelayOptions). */
export interface ForwardingSettings {
  /** Largest body the relay forwards in one chunk (re-chunking, R-23); Infinity = as received. */
  maxChunk: number;
}

/** A stream that takes the body of a request the relay did not admit, and ignores it. */
export const DISCARD: RequestStream = { piece: () => undefined, end: () => undefined, abort: () => undefined };
