/**
 * One MSRP connection as a node sees it: a byte-stream `Connection` (the seam of seams.ts, a
 * simulated TCP or TLS connection or a live socket), a lenient streaming
 * parser for what arrives, and a writer that puts frames on the wire in the order the RFC wants:
 * responses, REPORTs and other short requests go first, and a SEND chunk larger than 2048 octets
 * that is being written is interrupted for them (W-35) and resumed in a new transaction (W-36).
 * Every frame sent and received is a trace record with its full bytes and its stream offset.
 */
import { MsrpParser, type ParseError } from '../wire/parser.js';
import { serializeFrame, serializedLength } from '../wire/serializer.js';
import { buildRequest } from '../wire/builder.js';
import type { ByteRange, Continuation, MsrpFrame, MsrpRequest, MsrpResponse } from '../wire/frame.js';
import type { RequestStream, SendSource } from '../protocol/send-source.js';
import type { Connection, ConnectionCloseReason } from './seams.js';
import type { NodeContext } from './node-context.js';
import { frameFields } from './frame-record.js';
import { readBytes } from '../protocol/send-source.js';

// The chunker's input and the streamed-request sink are protocol notions (src/protocol/send-source.ts).
export type { RequestStream, SendSource } from '../protocol/send-source.js';

export interface MsrpConnectionOptions {
  /** Hand the body of a request to `requestHead`'s stream as it arrives (relay cut-through). */
  streamRequests?: boolean;
  /**
   * Store-and-forward limits (a profile's): a frame larger than `bufferBytes`, or whose bytes
   * arrive over more than `maxReads` reads, closes the connection; traced with `rule`.
   */
  limits?: { bufferBytes: number; maxReads: number; rule: string };
}

export interface MsrpConnectionHandlers {
  request(conn: MsrpConnection, frame: MsrpRequest): void;
  response(conn: MsrpConnection, frame: MsrpResponse): void;
  closed(conn: MsrpConnection, reason: ConnectionCloseReason): void;
  /** The TCP (and TLS) handshakes completed, on either side (the peer certificate is known here). */
  opened?(conn: MsrpConnection): void;
  /**
   * streamRequests only: a request's head arrived. Return a stream to take its body as it
   * arrives, or null to receive the whole request later through `request`.
   */
  requestHead?(conn: MsrpConnection, head: MsrpRequest): RequestStream | null;
}

/** Interrupt threshold: bodies above this are interruptible (W-31). */
export const INTERRUPTIBLE_ABOVE = 2048;
/** How much of a chunk body is handed to TCP at a time; between pieces the writer may interrupt. */
const PIECE = 4096;
/** The writer waits while TCP holds more than this unsent. */
const HIGH_WATER = 8192;

interface ActiveChunk {
  source: SendSource;
  frame: MsrpRequest; // head, with body empty
  startOffset: number; // stream offset of the start line
  startIndex: number; // index into source.data of the first body byte
  written: number; // body bytes written
  limit: number; // body bytes this transaction may carry
  interruptible: boolean;
  aborting: boolean; // the chunk ends at source.abortAt, with `#`
  parts: Uint8Array[];
}

export class MsrpConnection {
  private readonly parser: MsrpParser;
  private readonly urgent: { frame: MsrpFrame; after?: () => void }[] = [];
  private readonly sources: SendSource[] = [];
  private active: ActiveChunk | null = null;
  private pumping = false;
  private closedReason: ConnectionCloseReason | null = null;
  /** Session or peer information the owning node keeps on the connection. */
  readonly data = new Map<string, unknown>();
  private readonly label: string;
  /** The request whose body is arriving (streamRequests). */
  private incoming: { head: MsrpRequest; stream: RequestStream | null; parts: Uint8Array[]; received: number } | null = null;
  /** `limits`: stream offset where the frame being received starts, and where each read began. */
  private frameStart = 0;
  private readStarts: number[] = [];
  /** Over a limit: the connection is closing and nothing more that arrives on it is handled. */
  private refused = false;
  /** When MSRP bytes last crossed the connection, in either direction. */
  private lastTraffic: number;

  constructor(
    readonly ctx: NodeContext,
    readonly transport: Connection,
    private readonly handlers: MsrpConnectionHandlers,
    private readonly options: MsrpConnectionOptions = {},
  ) {
    this.label = transport.id;
    this.lastTraffic = ctx.now;
    this.parser = new MsrpParser(
      {
        frame: (frame) => this.onFrame(frame),
        error: (error) => this.onParseError(error),
        head: (head) => this.onHead(head),
        bodyPiece: (piece) => this.onPiece(piece),
        end: (flag) => this.onEnd(flag),
      },
      // What arrives is never changed afterwards (the seam's promise): bodies can be views of it.
      { streamBodies: options.streamRequests === true, bodyViews: true },
    );
    transport.listen({
      opened: () => {
        this.handlers.opened?.(this);
        this.pump();
      },
      data: (bytes) => {
        this.lastTraffic = this.ctx.now;
        if (this.options.limits) this.readStarts.push(this.parser.offset);
        this.parser.push(bytes);
      },
      closed: (reason) => this.onClose(reason),
      drained: () => this.pump(),
    });
  }

  get id(): string {
    return this.label;
  }

  get isOpen(): boolean {
    return this.closedReason === null && this.transport.state !== 'closed';
  }

  /** Queues a short frame (response, REPORT, AUTH, bodiless SEND); it goes before pending SEND data. */
  sendFrame(frame: MsrpFrame, after?: () => void): void {
    if (!this.isOpen) return;
    this.urgent.push({ frame, after });
    this.pump();
  }

  /** Queues SEND data; chunks are cut and interleaved with other traffic by the writer. */
  sendData(source: SendSource): void {
    if (!this.isOpen) return;
    this.sources.push(source);
    this.pump();
  }

  /** More bytes of a streaming source are available: write them if the writer waits for them. */
  kick(): void {
    this.pump();
  }

  /**
   * When MSRP bytes last crossed the connection in either direction (its creation time if none
   * has yet): what a relay's idle limit measures.
   */
  get lastActivity(): number {
    return this.lastTraffic;
  }

  /**
   * Whether the writer still has something to put on the wire: frames or SEND data queued, a
   * chunk in progress (a cut-through chunk waiting for its input included), or bytes TCP has not
   * sent yet. Such a connection is in use even when nothing moves.
   */
  get hasPendingOutput(): boolean {
    return this.active !== null || this.urgent.length > 0 || this.sources.length > 0 || this.transport.bufferedAmount > 0;
  }

  /** True while `source` still has bytes queued or a chunk in progress. */
  pending(source: SendSource): boolean {
    return this.sources.includes(source) || this.active?.source === source;
  }

  close(): void {
    this.transport.close();
  }

  reset(): void {
    this.transport.reset();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // Frames wait here, not in TCP, until the connection is open: their stream offsets (which
      // the pcap needs) are known only then, and the 30 s timers start when the bytes go out.
      while (this.isOpen && this.transport.state === 'open' && this.transport.bufferedAmount < HIGH_WATER) {
        if (this.active) {
          // W-35, RFC 4975 §7.1.1: a SEND larger than 2048 octets "MUST be interrupted if the
          // sender needs to send pending responses or REPORT requests".
          const active = this.active;
          if (active.source.stop) {
            // E-24 / RFC 4975 §10.5: on 413 the sender "MUST interrupt the current chunk".
            this.finishChunk('#', 'E-24');
            continue;
          }
          if ((this.urgent.length > 0 && active.interruptible) || active.source.abort) {
            this.finishChunk(active.source.abort ? '#' : '+', active.source.abort ? 'E-24' : active.source.cutThrough ?? 'W-35');
            continue;
          }
          if (readyBytes(active.source) === active.startIndex + active.written) {
            // Cut-through: the writer has caught up with what has arrived; wait for more (kick()).
            if (active.source.streaming) break;
            this.finishChunk(active.source.lastFlag, 'W-06');
            continue;
          }
          this.writePiece(active);
          continue;
        }
        const next = this.urgent.shift();
        if (next) {
          this.writeFrame(next.frame);
          next.after?.();
          continue;
        }
        const source = this.sources.shift();
        if (!source) break;
        if (source.stop || (source.abort && source.sent === 0)) {
          // E-24: after a 413 "the sender MUST NOT send further chunks with that Message-ID";
          // nothing sent yet means nothing to abort.
          source.onDone?.();
          continue;
        }
        this.startChunk(source);
      }
    } finally {
      this.pumping = false;
    }
  }

  private writeFrame(frame: MsrpFrame): void {
    const bytes = serializeFrame(frame);
    const offset = this.transport.bytesWritten;
    this.transport.write(bytes);
    this.lastTraffic = this.ctx.now;
    this.ctx.emit('msrp.send', { conn: this.label, offset, length: bytes.length, ...frameFields(frame, bytes) });
  }

  private startChunk(source: SendSource): void {
    // A streaming source's length is not known yet: as far as the chunk is concerned, it is endless.
    const remaining = source.streaming ? Number.POSITIVE_INFINITY : source.data.length - source.sent;
    const abortLeft = source.abortAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, source.abortAt - source.sent);
    const aborting = abortLeft < remaining && abortLeft <= source.maxChunk;
    const limit = Math.min(remaining, source.maxChunk, abortLeft);
    const interruptible = limit > INTERRUPTIBLE_ABOVE || source.cutThrough !== undefined;
    const start = source.firstPosition + source.sent;
    const wholeRest = limit === remaining;
    const transactionId = source.sent === 0 && source.firstTransactionId !== undefined ? source.firstTransactionId : this.ctx.newTransactionId();
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
    const chunk: ActiveChunk = {
      source,
      frame,
      startOffset: this.transport.bytesWritten,
      startIndex: source.sent,
      written: 0,
      limit,
      interruptible,
      aborting,
      parts: [headBytes],
    };
    this.transport.write(headBytes);
    this.lastTraffic = this.ctx.now;
    this.active = chunk;
    if (limit === 0) {
      if (aborting) this.abortAt();
      else this.finishChunk(wholeRest ? source.lastFlag : '+', 'W-26');
    }
  }

  private writePiece(chunk: ActiveChunk): void {
    const from = chunk.startIndex + chunk.written;
    const n = Math.min(PIECE, chunk.limit - chunk.written, readyBytes(chunk.source) - from);
    const piece = readBytes(chunk.source.data, from, from + n);
    this.transport.write(piece);
    this.lastTraffic = this.ctx.now;
    chunk.parts.push(piece);
    chunk.written += n;
    chunk.source.sent += n;
    if (chunk.written >= chunk.limit) {
      if (chunk.aborting) {
        this.abortAt();
        return;
      }
      const last = !chunk.source.streaming && chunk.source.data.length === chunk.source.sent;
      this.finishChunk(last ? chunk.source.lastFlag : '+', 'W-06');
    }
  }

  /** The active chunk has reached its source's `abortAt`: it ends the message with `#` (E-24). */
  private abortAt(): void {
    this.active!.source.abort = true;
    this.finishChunk('#', 'E-24');
  }

  private finishChunk(flag: Continuation, rule: string): void {
    const chunk = this.active!;
    this.active = null;
    const tid = chunk.frame.transactionId;
    const tail = Buffer.from(`\r\n-------${tid}${flag}\r\n`, 'latin1');
    this.transport.write(tail);
    this.lastTraffic = this.ctx.now;
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
    this.ctx.emit(
      'msrp.send',
      { conn: this.label, offset: chunk.startOffset, length: bytes.length, ...frameFields(sent, bytes) },
      flag === '+' && chunk.written < chunk.limit ? rule : undefined,
    );
    const source = chunk.source;
    chunk.source.onChunkWritten?.(sent, range, flag);
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

  private onFrame(frame: MsrpFrame): void {
    if (!this.isOpen || this.refused) return;
    if (this.options.limits && !this.withinLimits(frame, this.options.limits)) return;
    this.ctx.emit('msrp.recv', { conn: this.label, ...frameFields(frame, null) });
    for (const v of frame.violations) {
      this.ctx.emit('msrp.violation', { conn: this.label, transactionId: frame.transactionId, message: v.message }, v.rule);
    }
    if (frame.kind === 'request') this.handlers.request(this, frame);
    else this.handlers.response(this, frame);
  }

  /**
   * `limits`: how many reads the frame's bytes took (its length as serialized, from where the
   * previous frame ended) and whether it fits the buffer; over a limit, the connection closes.
   */
  private withinLimits(frame: MsrpFrame, limits: NonNullable<MsrpConnectionOptions['limits']>): boolean {
    const length = serializedLength(frame);
    const end = Math.min(this.frameStart + length, this.parser.offset);
    let reads = 0;
    for (const r of this.readStarts) if (r < end) reads++;
    this.frameStart = end;
    // Keep the read the next frame starts in, and those after it.
    while (this.readStarts.length > 1 && this.readStarts[1]! <= end) this.readStarts.shift();
    if (reads <= limits.maxReads && length <= limits.bufferBytes) return true;
    const why = length > limits.bufferBytes ? `a frame of ${length} bytes does not fit the ${limits.bufferBytes}-byte buffer` : `a frame that took ${reads} reads (at most ${limits.maxReads})`;
    this.ctx.emit('msrp.limit', { conn: this.label, transactionId: frame.transactionId, length, reads, reason: why }, limits.rule);
    this.refused = true;
    this.transport.close();
    return false;
  }

  // streamRequests: a request's head, its body as it arrives, its end-line.

  private onHead(head: MsrpFrame): void {
    if (!this.isOpen || head.kind !== 'request') return;
    const stream = head.method === 'SEND' && head.contentType !== undefined ? this.handlers.requestHead?.(this, head) ?? null : null;
    this.incoming = { head, stream, parts: [], received: 0 };
  }

  private onPiece(piece: Uint8Array): void {
    const incoming = this.incoming;
    if (!incoming) return;
    incoming.received += piece.length;
    // Pieces are views into the parser's input, valid only during this call.
    if (incoming.stream) incoming.stream.piece(piece);
    else incoming.parts.push(piece.slice());
  }

  private onEnd(flag: Continuation): void {
    const incoming = this.incoming;
    this.incoming = null;
    if (!incoming || !this.isOpen) return;
    const { head, stream } = incoming;
    if (!stream) {
      const body = head.contentType === undefined ? null : new Uint8Array(Buffer.concat(incoming.parts));
      this.onFrame({ ...head, body, continuation: flag });
      return;
    }
    const frame: MsrpRequest = { ...head, continuation: flag };
    this.ctx.emit('msrp.recv', { conn: this.label, ...frameFields(frame, null), bodyLength: incoming.received });
    for (const v of head.violations) {
      this.ctx.emit('msrp.violation', { conn: this.label, transactionId: head.transactionId, message: v.message }, v.rule);
    }
    stream.end(frame);
  }

  private onParseError(error: ParseError): void {
    this.ctx.emit('msrp.malformed', { conn: this.label, offset: error.offset, fatal: error.fatal, message: error.message }, error.rule);
    if (error.fatal) {
      // The stream cannot be framed any more: nothing further on it can be trusted.
      this.transport.reset();
    }
  }

  private onClose(reason: ConnectionCloseReason): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    const cut = this.active;
    this.active = null;
    this.urgent.length = 0;
    const sources = this.sources.splice(0);
    const streaming = this.incoming?.stream;
    this.incoming = null;
    streaming?.abort();
    this.handlers.closed(this, reason);
    // What was queued or half written is lost with the connection: its owner decides what that
    // means (a relay reports it, A-02; an endpoint has already failed the session, E-19).
    if (cut) cut.source.onAbandoned?.(cut.source.firstPosition + cut.startIndex);
    for (const source of sources) {
      if (!source.abort) source.onAbandoned?.(source.firstPosition + source.sent);
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
