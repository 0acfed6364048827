/**
 * The connection's chunk writer, sans-I/O: the SEND data of message senders (`MessageSender`,
 * message-sender.ts: a `SendSource`, a whole message at an endpoint or one received chunk at a
 * relay, plus its cursor) cut into chunks and written piece by piece into a byte
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
import type { MessageSender } from './message-sender.js';

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
  readonly source: SendSource;
  constructor(
    readonly sender: MessageSender,
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
  ) {
    this.source = sender.message;
  }
}

/** What was queued or half written when the connection closed. */
export interface Unsent {
  cut: { sender: MessageSender; startIndex: number } | null;
  queued: MessageSender[];
}

export class ChunkWriter {
  /**
   * Queued sources: `sources[sourcesHead..]` (the entries before it are null, taken). Taken from
   * the front by an index, not `shift()`: a `send` with a count queues every message at once, and
   * on a large array V8's `shift()` moves every entry, which made N queued messages cost O(N²).
   */
  private sources: (MessageSender | null)[] = [];
  private sourcesHead = 0;
  private active: ActiveChunk | null = null;

  constructor(private readonly sink: ChunkSink) {}

  /** A chunk is being written, or sources wait. */
  get busy(): boolean {
    return this.active !== null || this.sources.length > this.sourcesHead;
  }

  /** A chunk is being written. */
  get writing(): boolean {
    return this.active !== null;
  }

  /** Queues a message; its chunks are written after those queued before. */
  queue(sender: MessageSender): void {
    this.sources.push(sender);
  }

  /** True while the message of `source` still has bytes queued or a chunk in progress. */
  pending(source: SendSource): boolean {
    const sources = this.sources;
    for (let i = this.sourcesHead; i < sources.length; i++) if (sources[i]!.message === source) return true;
    return this.active?.source === source;
  }

  /**
   * One step of the chunk being written, `urgent` when another frame waits to go out. Returns
   * false when it cannot go on now (a streaming source has no more bytes yet).
   */
  advance(urgent: boolean): boolean {
    const active = this.active!;
    if (active.sender.stopping) {
      // E-24 / RFC 4975 §10.5: on 413 the sender "MUST interrupt the current chunk".
      this.finish('#', 'E-24');
      return true;
    }
    // W-35, RFC 4975 §7.1.1: a SEND larger than 2048 octets "MUST be interrupted if the sender
    // needs to send pending responses or REPORT requests".
    const aborting = active.sender.aborting;
    if ((urgent && active.interruptible) || aborting) {
      this.finish(aborting ? '#' : '+', aborting ? 'E-24' : active.source.cutThrough ?? 'W-35');
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
    const sender = this.takeSource();
    if (!sender) return false;
    if (sender.stopping || (sender.aborting && sender.sent === 0)) {
      // E-24: after a 413 "the sender MUST NOT send further chunks with that Message-ID";
      // nothing sent yet means nothing to abort.
      sender.skipped();
      return true;
    }
    this.start(sender);
    return true;
  }

  /** The connection closed: nothing more is written; what was queued or half written. */
  detach(): Unsent {
    const active = this.active;
    this.active = null;
    const queued = this.sources.slice(this.sourcesHead) as MessageSender[];
    this.sources = [];
    this.sourcesHead = 0;
    return { cut: active === null ? null : { sender: active.sender, startIndex: active.startIndex }, queued };
  }

  /** The first queued source, taken off the queue; undefined when none waits. */
  private takeSource(): MessageSender | undefined {
    const sources = this.sources;
    const head = this.sourcesHead;
    if (head >= sources.length) return undefined;
    const sender = sources[head]!;
    sources[head] = null;
    if (head + 1 === sources.length) {
      sources.length = 0;
      this.sourcesHead = 0;
    } else if (head >= 1024 && head * 2 >= sources.length) {
      // Let go of the taken entries once they are half the array.
      this.sources = sources.slice(head + 1);
      this.sourcesHead = 0;
    } else this.sourcesHead = head + 1;
    return sender;
  }

  private start(sender: MessageSender): void {
    const source = sender.message;
    const sent = sender.sent;
    // A streaming source's length is not known yet: as far as the chunk is concerned, it is endless.
    const remaining = source.streaming ? Number.POSITIVE_INFINITY : source.data.length - sent;
    const abortLeft = source.abortAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, source.abortAt - sent);
    const aborting = abortLeft < remaining && abortLeft <= source.maxChunk;
    const limit = Math.min(remaining, source.maxChunk, abortLeft);
    const interruptible = (limit > INTERRUPTIBLE_ABOVE && source.uninterruptible !== true) || source.cutThrough !== undefined;
    const start = source.firstPosition + sent;
    const wholeRest = limit === remaining;
    const transactionId = sent === 0 && source.firstTransactionId !== undefined ? source.firstTransactionId : this.sink.newTransactionId();
    // W-25: range-end "MUST take the value of "*" if ... the request needs to be interruptible".
    const byteRange: ByteRange = {
      start,
      end: interruptible ? null : start + limit - 1,
      total: source.total,
    };
    const built = buildRequest({
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
    const ordered = source.headerOrder ? inOrder(built.headers, source.headerOrder) : built.headers;
    const frame = ordered === built.headers ? built : { ...built, headers: ordered };
    const head = serializeFrame(frame);
    // The serialized empty-body frame is head + CRLF + end-line; keep the head and the blank line.
    const endLineLength = 2 + 7 + frame.transactionId.length + 3;
    const headBytes = head.subarray(0, head.length - endLineLength);
    const chunk = new ActiveChunk(sender, frame, this.sink.bytesWritten, sent, limit, interruptible, aborting, [headBytes]);
    sender.chunkStarted();
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
    chunk.sender.advance(n);
    if (chunk.written >= chunk.limit) {
      if (chunk.aborting) {
        this.abortAt();
        return;
      }
      const last = !chunk.source.streaming && chunk.source.data.length === chunk.sender.sent;
      this.finish(last ? chunk.source.lastFlag : '+', 'W-06');
    }
  }

  /** The active chunk has reached its source's `abortAt`: it ends the message with `#` (E-24). */
  private abortAt(): void {
    this.active!.sender.abort();
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
    const sender = chunk.sender;
    if (!sender.chunkEnded(sent, range, flag)) {
      // Resume later in a new transaction (W-36), after whatever is waiting, but before any later
      // part of the same message queued meanwhile (a relay's next chunk of it): R-23, RFC 4976
      // §3, relays "resend the resulting chunks in order".
      const sources = this.sources;
      let later = -1;
      for (let i = this.sourcesHead; i < sources.length; i++) {
        if (sources[i]!.message.messageId === sender.message.messageId) {
          later = i;
          break;
        }
      }
      if (later < 0) sources.push(sender);
      else sources.splice(later, 0, sender);
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

/** `headers` sorted as `order` names them (stable; names it lacks keep their place before Content-Type, which stays last). */
function inOrder(headers: [string, string][], order: readonly string[]): [string, string][] {
  const n = headers.length;
  const ranks = new Array<number>(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    ranks[i] = headerRank(headers[i]![0], order);
    if (i > 0 && ranks[i]! < ranks[i - 1]!) sorted = false;
  }
  // Nearly always: the message's own headers come in the order they were received.
  if (sorted) return headers;
  // A stable insertion sort: a few headers each.
  const out = headers.slice();
  for (let i = 1; i < n; i++) {
    const h = out[i]!;
    const r = ranks[i]!;
    let j = i - 1;
    for (; j >= 0 && ranks[j]! > r; j--) {
      out[j + 1] = out[j]!;
      ranks[j + 1] = ranks[j]!;
    }
    out[j + 1] = h;
    ranks[j + 1] = r;
  }
  return out;
}

/** Where a header goes: its place in `order` (lower-case names), unknown ones after, Content-Type last. */
function headerRank(name: string, order: readonly string[]): number {
  const n = name.toLowerCase();
  if (n === 'content-type') return Number.POSITIVE_INFINITY;
  const i = order.indexOf(n);
  return i < 0 ? order.length : i;
}
