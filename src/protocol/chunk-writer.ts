/**
 * The message sender's cursor, sans-I/O: SEND data (a `SendSource`: a whole message at an
 * endpoint, one received chunk at a relay) cut into chunks and written piece by piece into a byte
 * sink, so that whatever else must go out (responses, REPORTs) can interrupt an interruptible
 * chunk between pieces (W-35) and the message resumes in a new transaction (W-36). Fixed chunks
 * end with their Byte-Range end; a chunk larger than 2048 octets is interruptible, with `*` as
 * its range end (W-25, W-31); an abort ends the current chunk (or an empty one) with `#` (E-24).
 * The connection that owns the sink decides when to write (flow control) and what is urgent.
 */
import { serializeFrame } from '../wire/serializer.js';
import { buildRequest } from '../wire/builder.js';
import type { ByteRange, Continuation, MsrpRequest } from '../wire/frame.js';
import { readBytes, type SendSource } from './send-source.js';

/** Interrupt threshold: bodies above this are interruptible (W-31). */
export const INTERRUPTIBLE_ABOVE = 2048;
/** How much of a chunk body is handed to the sink at a time; between pieces the writer may interrupt. */
const PIECE = 4096;

/** Where the chunks' bytes go. */
export interface ChunkSink {
  /** Stream offset of the next byte written. */
  readonly bytesWritten: number;
  /** Writes bytes after those written before (never changed afterwards). */
  write(bytes: Uint8Array): void;
  newTransactionId(): string;
  /**
   * A chunk's last byte has been written: the chunk as one frame, its bytes and the stream offset
   * of its start line; `rule` when it ended before its limit with `+` (interrupted: W-35, a
   * cut-through relay's rule).
   */
  chunkWritten(frame: MsrpRequest, bytes: Uint8Array, offset: number, rule: string | undefined): void;
}

/** The chunk being written. */
class ActiveChunk {
  /** Body bytes written so far. */
  written = 0;
  constructor(
    readonly source: SendSource,
    /** The head, with an empty body. */
    readonly frame: MsrpRequest,
    /** Stream offset of the start line. */
    readonly startOffset: number,
    /** Index into source.data of the first body byte. */
    readonly startIndex: number,
    /** Body bytes this transaction may carry. */
    readonly limit: number,
    readonly interruptible: boolean,
    /** The chunk ends at source.abortAt, with `#`. */
    readonly aborting: boolean,
    /** Its bytes as written, the head first. */
    readonly parts: Uint8Array[],
  ) {}
}

/** What was queued or half written when the connection closed. */
export interface Unsent {
  cut: { source: SendSource; startIndex: number } | null;
  queued: SendSource[];
}

export class ChunkWriter {
  private readonly sources: SendSource[] = [];
  private active: ActiveChunk | null = null;

  constructor(private readonly sink: ChunkSink) {}

  /** A chunk is being written, or sources wait. */
  get busy(): boolean {
    return this.active !== null || this.sources.length > 0;
  }

  /** A chunk is being written. */
  get writing(): boolean {
    return this.active !== null;
  }

  /** Queues a source; its chunks are written after those queued before. */
  queue(source: SendSource): void {
    this.sources.push(source);
  }

  /** True while `source` still has bytes queued or a chunk in progress. */
  pending(source: SendSource): boolean {
    return this.sources.includes(source) || this.active?.source === source;
  }

  /**
   * One step of the chunk being written, `urgent` when another frame waits to go out. Returns
   * false when it cannot go on now (a streaming source has no more bytes yet).
   */
  advance(urgent: boolean): boolean {
    const active = this.active!;
    if (active.source.stop) {
      // E-24 / RFC 4975 §10.5: on 413 the sender "MUST interrupt the current chunk".
      this.finish('#', 'E-24');
      return true;
    }
    // W-35, RFC 4975 §7.1.1: a SEND larger than 2048 octets "MUST be interrupted if the sender
    // needs to send pending responses or REPORT requests".
    if ((urgent && active.interruptible) || active.source.abort) {
      this.finish(active.source.abort ? '#' : '+', active.source.abort ? 'E-24' : active.source.cutThrough ?? 'W-35');
      return true;
    }
    if (readyBytes(active.source) === active.startIndex + active.written) {
      // Cut-through: the writer has caught up with what has arrived; wait for more.
      if (active.source.streaming) return false;
      this.finish(active.source.lastFlag, 'W-06');
      return true;
    }
    this.writePiece(active);
    return true;
  }

  /** Starts the next queued source's next chunk; false when none is queued. */
  startNext(): boolean {
    const source = this.sources.shift();
    if (!source) return false;
    if (source.stop || (source.abort && source.sent === 0)) {
      // E-24: after a 413 "the sender MUST NOT send further chunks with that Message-ID";
      // nothing sent yet means nothing to abort.
      source.onDone?.();
      return true;
    }
    this.start(source);
    return true;
  }

  /** The connection closed: nothing more is written; what was queued or half written. */
  detach(): Unsent {
    const active = this.active;
    this.active = null;
    return { cut: active === null ? null : { source: active.source, startIndex: active.startIndex }, queued: this.sources.splice(0) };
  }

  private start(source: SendSource): void {
    // A streaming source's length is not known yet: as far as the chunk is concerned, it is endless.
    const remaining = source.streaming ? Number.POSITIVE_INFINITY : source.data.length - source.sent;
    const abortLeft = source.abortAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, source.abortAt - source.sent);
    const aborting = abortLeft < remaining && abortLeft <= source.maxChunk;
    const limit = Math.min(remaining, source.maxChunk, abortLeft);
    const interruptible = limit > INTERRUPTIBLE_ABOVE || source.cutThrough !== undefined;
    const start = source.firstPosition + source.sent;
    const wholeRest = limit === remaining;
    const transactionId = source.sent === 0 && source.firstTransactionId !== undefined ? source.firstTransactionId : this.sink.newTransactionId();
    // W-25: range-end "MUST take the value of "*" if ... the request needs to be interruptible".
    const byteRange: ByteRange = {
      start,
      end: interruptible ? null : start + limit - 1,
      total: source.total,
    };
    const frame = buildRequest({
      transactionId,
      method: 'SEND',
      toPath: source.toPath,
      fromPath: source.fromPath,
      messageId: source.messageId,
      byteRange,
      successReport: source.successReport,
      failureReport: source.failureReport,
      mimeHeaders: source.extraHeaders,
      contentType: source.contentType,
      body: new Uint8Array(0),
      continuation: wholeRest ? source.lastFlag : '+',
    });
    const head = serializeFrame(frame);
    // The serialized empty-body frame is head + CRLF + end-line; keep the head and the blank line.
    const endLineLength = 2 + 7 + frame.transactionId.length + 3;
    const headBytes = head.subarray(0, head.length - endLineLength);
    const chunk = new ActiveChunk(source, frame, this.sink.bytesWritten, source.sent, limit, interruptible, aborting, [headBytes]);
    this.sink.write(headBytes);
    this.active = chunk;
    if (limit === 0) {
      if (aborting) this.abortAt();
      else this.finish(wholeRest ? source.lastFlag : '+', 'W-26');
    }
  }

  private writePiece(chunk: ActiveChunk): void {
    const from = chunk.startIndex + chunk.written;
    const n = Math.min(PIECE, chunk.limit - chunk.written, readyBytes(chunk.source) - from);
    const piece = readBytes(chunk.source.data, from, from + n);
    this.sink.write(piece);
    chunk.parts.push(piece);
    chunk.written += n;
    chunk.source.sent += n;
    if (chunk.written >= chunk.limit) {
      if (chunk.aborting) {
        this.abortAt();
        return;
      }
      const last = !chunk.source.streaming && chunk.source.data.length === chunk.source.sent;
      this.finish(last ? chunk.source.lastFlag : '+', 'W-06');
    }
  }

  /** The active chunk has reached its source's `abortAt`: it ends the message with `#` (E-24). */
  private abortAt(): void {
    this.active!.source.abort = true;
    this.finish('#', 'E-24');
  }

  private finish(flag: Continuation, rule: string): void {
    const chunk = this.active!;
    this.active = null;
    const tid = chunk.frame.transactionId;
    const tail = Buffer.from(`\r\n-------${tid}${flag}\r\n`, 'latin1');
    this.sink.write(tail);
    chunk.parts.push(tail);
    const range: ByteRange = {
      start: chunk.frame.byteRange!.start,
      end: chunk.frame.byteRange!.end,
      total: chunk.frame.byteRange!.total,
    };
    const bytes = Buffer.concat(chunk.parts);
    // The body as written, from the frame's own bytes: the source need not hold it any more.
    const headLength = chunk.parts[0]!.length;
    const body = new Uint8Array(bytes.buffer, bytes.byteOffset + headLength, chunk.written);
    const sent: MsrpRequest = { ...chunk.frame, body, continuation: flag };
    this.sink.chunkWritten(sent, bytes, chunk.startOffset, flag === '+' && chunk.written < chunk.limit ? rule : undefined);
    const source = chunk.source;
    source.onChunkWritten?.(sent, range, flag);
    if (flag === '#' || (!source.streaming && source.sent >= source.data.length)) {
      source.onDone?.();
    } else {
      // Resume later in a new transaction (W-36), after whatever is waiting, but before any later
      // part of the same message queued meanwhile (a relay's next chunk of it): R-23, RFC 4976
      // §3, relays "resend the resulting chunks in order".
      const later = this.sources.findIndex((s) => s.messageId === source.messageId);
      if (later < 0) this.sources.push(source);
      else this.sources.splice(later, 0, source);
    }
  }
}

/**
 * Bytes of a source that can be written so far: all of them, unless it is streaming. A streaming
 * source keeps its last byte back until its end is known, so that whatever ends the message (its
 * last chunk, after a cut) carries data: never an empty chunk in the middle of a message.
 */
function readyBytes(source: SendSource): number {
  return source.streaming ? Math.max(0, (source.available ?? 0) - 1) : source.data.length;
}
