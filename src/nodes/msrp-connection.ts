/**
 * One MSRP connection as a node sees it: a simulated TCP (or TLS) connection, a lenient streaming
 * parser for what arrives, and a writer that puts frames on the wire in the order the RFC wants:
 * responses, REPORTs and other short requests go first, and a SEND chunk larger than 2048 octets
 * that is being written is interrupted for them (W-35) and resumed in a new transaction (W-36).
 * Every frame sent and received is a trace record with its full bytes and its stream offset.
 */
import { MsrpParser, type ParseError } from '../wire/parser.js';
import { serializeFrame } from '../wire/serializer.js';
import { buildRequest } from '../wire/builder.js';
import type { ByteRange, Continuation, FailureReport, MsrpFrame, MsrpRequest, MsrpResponse, SuccessReport } from '../wire/frame.js';
import type { CloseReason, TcpConnection } from '../net/index.js';
import type { NodeContext } from './node-context.js';
import { frameFields } from './frame-record.js';

/** Where SEND bytes come from: a whole message at an endpoint, or one received chunk at a relay. */
export interface SendSource {
  messageId: string;
  contentType: string;
  toPath: readonly string[];
  fromPath: readonly string[];
  successReport?: SuccessReport;
  failureReport?: FailureReport;
  /** The bytes to send. */
  data: Uint8Array;
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
  /** Next byte of `data` to send (0-based); advanced by the writer. */
  sent: number;
  /**
   * Set when the sender aborts: the current chunk (or, between chunks, an empty one) ends with `#`
   * and no more are sent (E-24).
   */
  abort?: boolean;
  /** Set when no further chunk may be sent at all, not even a `#` (E-24, after a 413). */
  stop?: boolean;
  /** Called when a transaction's last byte has been handed to TCP (the 30 s timers start there, A-13). */
  onChunkWritten?: (chunk: MsrpRequest, range: ByteRange, flag: Continuation) => void;
  /** Called once all of `data` (or the abort) is written. */
  onDone?: () => void;
  /**
   * Called when the connection closes before all of `data` was written: `from` is the 1-based
   * position of the first byte that did not go out in a complete chunk (a chunk cut off by the
   * close never reached the peer as a transaction).
   */
  onAbandoned?: (from: number) => void;
  /** Extra header fields copied onto every chunk (e.g. Content-Disposition). */
  extraHeaders?: [string, string][];
}

export interface MsrpConnectionHandlers {
  request(conn: MsrpConnection, frame: MsrpRequest): void;
  response(conn: MsrpConnection, frame: MsrpResponse): void;
  closed(conn: MsrpConnection, reason: CloseReason): void;
  /** The TCP (and TLS) handshakes completed, on either side (the peer certificate is known here). */
  opened?(conn: MsrpConnection): void;
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
  parts: Uint8Array[];
}

export class MsrpConnection {
  private readonly parser: MsrpParser;
  private readonly urgent: { frame: MsrpFrame; after?: () => void }[] = [];
  private readonly sources: SendSource[] = [];
  private active: ActiveChunk | null = null;
  private pumping = false;
  private closedReason: CloseReason | null = null;
  /** Session or peer information the owning node keeps on the connection. */
  readonly data = new Map<string, unknown>();
  private readonly label: string;

  constructor(
    readonly ctx: NodeContext,
    readonly tcp: TcpConnection,
    private readonly handlers: MsrpConnectionHandlers,
  ) {
    this.label = tcp.id;
    this.parser = new MsrpParser({
      frame: (frame) => this.onFrame(frame),
      error: (error) => this.onParseError(error),
    });
    tcp.setHandlers({
      onOpen: () => {
        this.handlers.opened?.(this);
        this.pump();
      },
      onData: (_c, bytes) => this.parser.push(bytes),
      onClose: (_c, reason) => this.onClose(reason),
      onDrain: () => this.pump(),
    });
  }

  get id(): string {
    return this.label;
  }

  get isOpen(): boolean {
    return this.closedReason === null && this.tcp.state !== 'closed';
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

  /** True while `source` still has bytes queued or a chunk in progress. */
  pending(source: SendSource): boolean {
    return this.sources.includes(source) || this.active?.source === source;
  }

  close(): void {
    this.tcp.close();
  }

  reset(): void {
    this.tcp.reset();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // Frames wait here, not in TCP, until the connection is open: their stream offsets (which
      // the pcap needs) are known only then, and the 30 s timers start when the bytes go out.
      while (this.isOpen && this.tcp.state === 'open' && this.tcp.bufferedAmount < HIGH_WATER) {
        if (this.active) {
          // W-35, RFC 4975 §7.1.1: a SEND larger than 2048 octets "MUST be interrupted if the
          // sender needs to send pending responses or REPORT requests".
          if (this.active.source.stop) {
            // E-24 / RFC 4975 §10.5: on 413 the sender "MUST interrupt the current chunk".
            this.finishChunk('#', 'E-24');
            continue;
          }
          if ((this.urgent.length > 0 && this.active.interruptible) || this.active.source.abort) {
            this.finishChunk(this.active.source.abort ? '#' : '+', this.active.source.abort ? 'E-24' : 'W-35');
            continue;
          }
          this.writePiece(this.active);
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
    const offset = this.tcp.bytesWritten;
    this.tcp.write(bytes);
    this.ctx.emit('msrp.send', { conn: this.label, offset, length: bytes.length, ...frameFields(frame, bytes) });
  }

  private startChunk(source: SendSource): void {
    const remaining = source.data.length - source.sent;
    const limit = Math.min(remaining, source.maxChunk);
    const interruptible = limit > INTERRUPTIBLE_ABOVE;
    const start = source.firstPosition + source.sent;
    const wholeRest = limit === remaining;
    // W-25: range-end "MUST take the value of "*" if ... the request needs to be interruptible".
    const byteRange: ByteRange = {
      start,
      end: interruptible ? null : start + limit - 1,
      total: source.total,
    };
    const frame = buildRequest({
      transactionId: this.ctx.newTransactionId(),
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
      startOffset: this.tcp.bytesWritten,
      startIndex: source.sent,
      written: 0,
      limit,
      interruptible,
      parts: [headBytes],
    };
    this.tcp.write(headBytes);
    this.active = chunk;
    if (limit === 0) this.finishChunk(wholeRest ? source.lastFlag : '+', 'W-26');
  }

  private writePiece(chunk: ActiveChunk): void {
    const n = Math.min(PIECE, chunk.limit - chunk.written);
    const from = chunk.startIndex + chunk.written;
    const piece = chunk.source.data.subarray(from, from + n);
    this.tcp.write(piece);
    chunk.parts.push(piece);
    chunk.written += n;
    chunk.source.sent += n;
    if (chunk.written >= chunk.limit) {
      const rest = chunk.source.data.length - chunk.source.sent;
      this.finishChunk(rest === 0 ? chunk.source.lastFlag : '+', 'W-06');
    }
  }

  private finishChunk(flag: Continuation, rule: string): void {
    const chunk = this.active!;
    this.active = null;
    const tid = chunk.frame.transactionId;
    const tail = Buffer.from(`\r\n-------${tid}${flag}\r\n`, 'latin1');
    this.tcp.write(tail);
    chunk.parts.push(tail);
    const body = chunk.source.data.subarray(chunk.startIndex, chunk.startIndex + chunk.written);
    const range: ByteRange = {
      start: chunk.frame.byteRange!.start,
      end: chunk.frame.byteRange!.end,
      total: chunk.frame.byteRange!.total,
    };
    const sent: MsrpRequest = { ...chunk.frame, body, continuation: flag };
    const bytes = Buffer.concat(chunk.parts);
    this.ctx.emit(
      'msrp.send',
      { conn: this.label, offset: chunk.startOffset, length: bytes.length, ...frameFields(sent, bytes) },
      flag === '+' && chunk.written < chunk.limit ? rule : undefined,
    );
    const source = chunk.source;
    chunk.source.onChunkWritten?.(sent, range, flag);
    if (flag === '#' || source.sent >= source.data.length) {
      source.onDone?.();
    } else {
      // Resume later in a new transaction (W-36), after whatever is waiting.
      this.sources.push(source);
    }
  }

  private onFrame(frame: MsrpFrame): void {
    if (!this.isOpen) return;
    this.ctx.emit('msrp.recv', { conn: this.label, ...frameFields(frame, null) });
    for (const v of frame.violations) {
      this.ctx.emit('msrp.violation', { conn: this.label, transactionId: frame.transactionId, message: v.message }, v.rule);
    }
    if (frame.kind === 'request') this.handlers.request(this, frame);
    else this.handlers.response(this, frame);
  }

  private onParseError(error: ParseError): void {
    this.ctx.emit('msrp.malformed', { conn: this.label, offset: error.offset, fatal: error.fatal, message: error.message }, error.rule);
    if (error.fatal) {
      // The stream cannot be framed any more: nothing further on it can be trusted.
      this.tcp.reset();
    }
  }

  private onClose(reason: CloseReason): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    const cut = this.active;
    this.active = null;
    this.urgent.length = 0;
    const sources = this.sources.splice(0);
    this.handlers.closed(this, reason);
    // What was queued or half written is lost with the connection: its owner decides what that
    // means (a relay reports it, A-02; an endpoint has already failed the session, E-19).
    if (cut) cut.source.onAbandoned?.(cut.source.firstPosition + cut.startIndex);
    for (const source of sources) {
      if (!source.abort) source.onAbandoned?.(source.firstPosition + source.sent);
    }
  }
}
