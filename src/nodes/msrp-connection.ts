/**
 * One MSRP connection as a node sees it: a byte-stream `Connection` (the seam of seams.ts, a
 * simulated TCP or TLS connection or a live socket), a lenient streaming
 * parser for what arrives, and a writer that puts frames on the wire in the order the RFC wants:
 * responses, REPORTs and other short requests go first, and a SEND chunk larger than 2048 octets
 * that is being written is interrupted for them (W-35) and resumed in a new transaction (W-36)
 * (the chunks are cut by the sender's cursor, src/protocol/chunk-writer.ts). Every frame sent and received is a trace record with its full bytes and its stream offset.
 */
import { MsrpParser, type ParseError } from '../wire/parser.js';
import { serializeFrame, serializedLength } from '../wire/serializer.js';
import type { Continuation, MsrpFrame, MsrpRequest, MsrpResponse } from '../wire/frame.js';
import type { RequestStream, SendSource } from '../protocol/send-source.js';
import { ChunkWriter, type ChunkSink } from '../protocol/chunk-writer.js';
import type { MessageSender } from '../protocol/message-sender.js';
import type { Connection, ConnectionCloseReason } from './seams.js';
import type { NodeContext } from './node-context.js';
import { frameFields, type FrameFields } from './frame-record.js';
import { WireError } from '../wire/serializer.js';
import { SENT_RECORD } from '../sim/frame-resolver.js';
import type { WrittenQueue } from './frame-ledger.js';
import type { TraceRecord } from '../sim/trace.js';

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

/** The writer waits while the connection holds more than this unsent. */
const HIGH_WATER = 8192;

export class MsrpConnection {
  private readonly parser: MsrpParser;
  private readonly urgent: { frame: MsrpFrame; after?: () => void }[] = [];
  /** The message sender's cursor: SEND data cut into chunks (src/protocol/chunk-writer.ts). */
  private readonly chunks: ChunkWriter;
  private pumping = false;
  private closedReason: ConnectionCloseReason | null = null;
  /** Session or peer information the owning node keeps on the connection. */
  readonly data = new Map<string, unknown>();
  private readonly label: string;
  /**
   * The request whose body is arriving (streamRequests); `sentBody`, `bodyEqual`: the body of the
   * frame it should be (the peer's first frame not yet read, trace format 2) and whether what
   * arrived so far equals it.
   */
  private incoming: { head: MsrpRequest; stream: RequestStream | null; parts: Uint8Array[]; received: number; sentBody: Uint8Array | null; bodyEqual: boolean } | null = null;
  /** Trace format 2: a frame read in full carries its bytes. */
  private readonly fullBytes: boolean;
  /** `limits`: stream offset where the frame being received starts, and where each read began. */
  private frameStart = 0;
  private readStarts: number[] = [];
  /** `limits`: bytes received so far (where the next read starts). */
  private received = 0;
  /**
   * Trace format 2: the ledger's queues of frames this connection wrote and its peer wrote
   * (frame-ledger.ts), taken on first use; null before.
   */
  private writtenHere: WrittenQueue | null = null;
  private writtenThere: WrittenQueue | null = null;
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
    this.fullBytes = ctx.sim.trace.version >= 2;
    this.lastTraffic = ctx.now;
    this.chunks = new ChunkWriter(this.chunkSink());
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
        if (this.options.limits) {
          this.readStarts.push(this.received);
          this.received += bytes.length;
        }
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

  /** Queues a message to send; its chunks are cut and interleaved with other traffic by the writer. */
  sendData(message: MessageSender): void {
    if (!this.isOpen) return;
    this.chunks.queue(message);
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
    return this.chunks.busy || this.urgent.length > 0 || this.transport.bufferedAmount > 0;
  }

  /** True while `source` still has bytes queued or a chunk in progress. */
  pending(source: SendSource): boolean {
    return this.chunks.pending(source);
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
        if (this.chunks.writing) {
          if (!this.chunks.advance(this.urgent.length > 0)) break;
          continue;
        }
        const next = this.urgent.shift();
        if (next) {
          this.writeFrame(next.frame);
          next.after?.();
          continue;
        }
        if (!this.chunks.startNext()) break;
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
    const sent = this.ctx.emitRecord('msrp.send', { conn: this.label, offset, length: bytes.length, ...frameFields(frame, bytes) });
    this.ledgerWrote(sent, frame);
  }

  /** Trace format 2: `frame`, traced as `sent`, is in the ledger until the peer reads it. */
  private ledgerWrote(sent: TraceRecord<'msrp.send'>, frame: MsrpFrame): void {
    const frames = this.ctx.frames;
    if (frames === null) return;
    (this.writtenHere ??= frames.queue(this.label)).wrote(sent, frame);
  }

  /** Trace format 2: the ledger's queue of what the peer wrote, or null (no ledger, no peer yet). */
  private peerWritten(): WrittenQueue | null {
    if (this.writtenThere !== null) return this.writtenThere;
    const frames = this.ctx.frames;
    const peer = this.transport.peerConnection;
    if (frames === null || !peer) return null;
    return (this.writtenThere = frames.queue(peer));
  }

  /** Where the chunk writer's bytes go: the connection, each chunk traced whole once written. */
  private chunkSink(): ChunkSink {
    const transport = this.transport;
    return {
      get bytesWritten() {
        return transport.bytesWritten;
      },
      write: (bytes) => {
        transport.write(bytes);
        this.lastTraffic = this.ctx.now;
      },
      newTransactionId: () => this.ctx.newTransactionId(),
      chunkWritten: (frame, bytes, offset, rule) => {
        const sent = this.ctx.emitRecord('msrp.send', { conn: this.label, offset, length: bytes.length, ...frameFields(frame, bytes) }, rule);
        this.ledgerWrote(sent, frame);
      },
    };
  }

  private onFrame(frame: MsrpFrame): void {
    if (!this.isOpen || this.refused) return;
    if (this.options.limits && !this.withinLimits(frame, this.options.limits)) return;
    this.traceRead(frame, null);
    for (const v of frame.violations) {
      this.ctx.emit('msrp.violation', { conn: this.label, transactionId: frame.transactionId, message: v.message }, v.rule);
    }
    if (frame.kind === 'request') this.handlers.request(this, frame);
    else this.handlers.response(this, frame);
  }

  /**
   * `limits`: how many reads the frame's bytes took (its length on the wire as the parser counted
   * it, from where the previous frame ended) and whether it fits the buffer; over a limit, the
   * connection closes.
   */
  private withinLimits(frame: MsrpFrame, limits: NonNullable<MsrpConnectionOptions['limits']>): boolean {
    // Every frame the parser hands out whole carries its wireLength; serializing it again would
    // count the bytes the serializer writes, not those that came (extra spaces, folded lines).
    const length = frame.wireLength ?? serializedLength(frame);
    const end = Math.min(this.frameStart + length, this.parser.offset);
    let reads = 0;
    for (const r of this.readStarts) if (r < end) reads++;
    this.frameStart = end;
    // Keep only the reads with bytes past this frame: the one the next frame starts in, if the
    // frame ended inside a read, and those after it. A read that ended with the frame is not the
    // next frame's (counting it made a frame of 4 reads count 5).
    while (this.readStarts.length > 0 && (this.readStarts[1] ?? this.received) <= end) this.readStarts.shift();
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
    const sentBody = stream ? (this.peerWritten()?.peek() as MsrpRequest | null | undefined)?.body ?? null : null;
    this.incoming = { head, stream, parts: [], received: 0, sentBody, bodyEqual: sentBody !== null };
  }

  private onPiece(piece: Uint8Array): void {
    const incoming = this.incoming;
    if (!incoming) return;
    const sent = incoming.sentBody;
    if (incoming.bodyEqual && sent !== null) {
      const at = incoming.received;
      incoming.bodyEqual = at + piece.length <= sent.length && Buffer.compare(piece, sent.subarray(at, at + piece.length)) === 0;
    }
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
    this.traceRead(frame, incoming);
    for (const v of head.violations) {
      this.ctx.emit('msrp.violation', { conn: this.label, transactionId: head.transactionId, message: v.message }, v.rule);
    }
    stream.end(frame);
  }

  /**
   * Traces a frame read: in format 2, a reference to the frame the peer wrote when it is that
   * frame (frame-ledger.ts), else the frame in full (with its bytes, when held). `streamed`: a
   * request whose body was handed on as it came, not held.
   */
  private traceRead(frame: MsrpFrame, streamed: { received: number; bodyEqual: boolean } | null): void {
    const written = this.peerWritten();
    if (written !== null) {
      const sent = written.read(frame, streamed ? { bodyLength: streamed.received, bodyEqual: streamed.bodyEqual } : null);
      if (sent !== null) {
        // The send record rides along for the readers in this process (frame-resolver.ts).
        this.ctx.emit('msrp.recv', { conn: this.label, sent: sent.seq, [SENT_RECORD]: sent });
        return;
      }
    }
    const fields: FrameFields = frameFields(frame, streamed === null && this.fullBytes ? bytesOf(frame) : null);
    if (streamed) fields.bodyLength = streamed.received;
    this.ctx.emit('msrp.recv', { conn: this.label, ...fields });
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
    // What the peer wrote and this side has not read will never be read.
    this.peerWritten()?.end();
    const unsent = this.chunks.detach();
    this.urgent.length = 0;
    const streaming = this.incoming?.stream;
    this.incoming = null;
    streaming?.abort();
    this.handlers.closed(this, reason);
    // What was queued or half written is lost with the connection: its owner decides what that
    // means (a relay reports it, A-02; an endpoint has already failed the session, E-19).
    if (unsent.cut) unsent.cut.sender.abandoned(unsent.cut.sender.message.firstPosition + unsent.cut.startIndex, true);
    for (const sender of unsent.queued) sender.abandoned(sender.message.firstPosition + sender.sent, false);
  }
}

/**
 * The bytes of a frame read, for a frame traced in full: the frame as parsed, written again
 * (start line, headers in order, body, flag; docs/ambiguities.md A-30). Null when the parse kept
 * something the serializer refuses to write (the fields alone are traced then).
 */
function bytesOf(frame: MsrpFrame): Uint8Array | null {
  try {
    return serializeFrame(frame);
  } catch (e) {
    if (e instanceof WireError) return null;
    throw e;
  }
}
