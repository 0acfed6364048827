/**
 * What a connection's writer sends as SEND chunks (a whole message at an endpoint, one received
 * chunk at a relay, re-chunked by `maxChunk`, R-23), and the sink that takes a request's body as
 * it arrives (a cut-through relay). The chunker that consumes a SendSource is the message
 * sender's cursor, `ChunkWriter` (chunk-writer.ts), which a node's connection drives.
 */
import type { Continuation, FailureReport, MsrpRequest, SuccessReport } from '../wire/frame.js';

/** Bytes of a message produced on demand: `bytes(from, to)` is the 0-based range [from, to). */
export interface LazyBytes {
  readonly length: number;
  bytes(from: number, to: number): Uint8Array;
}

/** A message body: bytes at hand, or bytes produced when they are read (generated content). */
export type MessageBytes = Uint8Array | LazyBytes;

/** The bytes [from, to) of a body. */
export function readBytes(data: MessageBytes, from: number, to: number): Uint8Array {
  return data instanceof Uint8Array ? data.subarray(from, to) : data.bytes(from, to);
}

/** Where SEND bytes come from: a whole message at an endpoint, or one received chunk at a relay. */
export interface SendSource {
  messageId: string;
  contentType: string;
  toPath: readonly string[];
  fromPath: readonly string[];
  successReport?: SuccessReport;
  failureReport?: FailureReport;
  /** The bytes to send: at hand, or (generated content) produced as each piece is written. */
  data: MessageBytes;
  /** 1-based position of data[0] in the message. */
  firstPosition: number;
  /** Total message length when known (Byte-Range total), else null (`*`). */
  total: number | null;
  /**
   * Flag of the chunk that carries the last of `data`: `$` when it ends the message, `+` when more
   * of it follows elsewhere, `#` when the message was aborted there (a relay forwarding an abort).
   */
  lastFlag: Continuation;
  /** Largest body per transaction (fixed chunking); Infinity for one interruptible chunk. */
  maxChunk: number;
  /** Unused: the cursor (the next byte to send) is the sender's (`MessageSender.sent`). */
  sent?: number;
  /**
   * Set when the sender aborts: the current chunk (or, between chunks, an empty one) ends with `#`
   * and no more are sent (E-24).
   */
  abort?: boolean;
  /**
   * Abort once this many bytes of `data` are written: the chunk that reaches it ends there, with
   * `#` (E-24). Unset, or at least the length of `data`: the message is sent whole.
   */
  abortAt?: number;
  /** Set when no further chunk may be sent at all, not even a `#` (E-24, after a 413). */
  stop?: boolean;
  /** Extra header fields copied onto every chunk (e.g. Content-Disposition). */
  extraHeaders?: [string, string][];
  /** Transaction id of the first chunk (a relay that keeps ids, A-06); later chunks get new ones. */
  firstTransactionId?: string;
  /** Lower-case header names in the order a relay received them: its chunks keep that order (a profile's choice). */
  headerOrder?: readonly string[];
  /** Chunks are written whole with their range end, never `*` and never interrupted (a relay that forwards frames as received). */
  uninterruptible?: boolean;
  /**
   * Cut-through (a streaming relay): `data` grows while the request it comes from is still
   * arriving. `available` bytes of it are valid so far; `streaming` stays true until the last
   * byte and the flag (`lastFlag`) are known, when `data` is cut to its final length.
   */
  streaming?: boolean;
  available?: number;
  /**
   * Every chunk is interruptible (its length is not known when it starts) and is interrupted
   * whenever another frame waits, traced with this rule.
   */
  cutThrough?: string;
}

/** A sink for the body of a request that is streamed as it arrives (cut-through relays). */
export interface RequestStream {
  piece(bytes: Uint8Array): void;
  /** The end-line arrived; `frame` is the head with the end-line's flag. */
  end(frame: MsrpRequest): void;
  /** The connection closed before the end-line. */
  abort(): void;
}
