/**
 * The message sender, sans-I/O (RFC 4975 §7.1, §7.1.1; CHECKLIST c.3 W-25, W-26, W-31, W-35, W-36,
 * E-24): one message (a `SendSource`: its bytes and headers) plus a cursor, the next byte to send.
 * The connection's writer (`ChunkWriter`, chunk-writer.ts) cuts its chunks and moves the cursor;
 * the inputs a node gives it are an abort (E-24), a response to one of its chunks (a failure aborts
 * the message, a 413 stops it), a new To-Path (a re-offer, RFC 4975 §8.4), and the connection's
 * close. What it says back are typed events (`SenderEvent`): a chunk written, the message sent,
 * aborted or abandoned with the connection. Its state changes only through `transition(to)`, which
 * throws on a move the sender never makes (a bug, not an input).
 */
import type { ByteRange, Continuation, MsrpRequest } from '../wire/frame.js';
import type { SendSource } from './send-source.js';

/**
 * `queued` (nothing written yet), `writing` (a chunk is being written), `paused` (between chunks:
 * interrupted for other frames, W-35, or at a fixed chunk's end; it resumes in a new transaction,
 * W-36), `sent` (every byte written), `aborted` (ended with `#`, or stopped after a 413, E-24),
 * `abandoned` (the connection closed first).
 */
export type SenderState = 'queued' | 'writing' | 'paused' | 'sent' | 'aborted' | 'abandoned';

const MOVES: Record<SenderState, readonly SenderState[]> = {
  queued: ['writing', 'aborted', 'abandoned'],
  writing: ['paused', 'sent', 'aborted', 'abandoned'],
  paused: ['writing', 'aborted', 'abandoned'],
  sent: [],
  aborted: [],
  abandoned: [],
};

/** What the sender says. */
export type SenderEvent =
  /** A chunk's last byte was written (its transaction's timer starts here, A-13). */
  | { type: 'chunk'; frame: MsrpRequest; range: ByteRange; flag: Continuation; sent: number }
  /** Every byte of the message is written. */
  | { type: 'sent'; sent: number }
  /** The message ended with `#` (or, stopped after a 413 or aborted before its first byte, with no chunk at all). */
  | { type: 'aborted'; sent: number }
  /** The connection closed first: `from` is the 1-based position of the first byte not written in a complete chunk. */
  | { type: 'abandoned'; from: number };

/** Who hears a sender's events. */
export interface SenderListener {
  senderEvent(sender: MessageSender, event: SenderEvent): void;
}

export class MessageSender {
  private current: SenderState = 'queued';
  /** Next byte of `message.data` to write (0-based): the cursor. */
  private cursor = 0;
  private abortRequested = false;
  private stopRequested = false;

  /** `listener` hears the events (an endpoint's message, a relay's forwarded chunk). */
  constructor(
    readonly message: SendSource,
    private readonly listener: SenderListener,
  ) {}

  get state(): SenderState {
    return this.current;
  }

  /** Bytes of the message written so far. */
  get sent(): number {
    return this.cursor;
  }

  /** The message is to end with `#` at the next step (E-24). */
  get aborting(): boolean {
    return this.abortRequested || this.message.abort === true;
  }

  /** No further chunk may be written, not even a `#` (E-24, after a 413). */
  get stopping(): boolean {
    return this.stopRequested || this.message.stop === true;
  }

  /** Nothing more will be written: sent, aborted or abandoned. */
  get over(): boolean {
    return this.current === 'sent' || this.current === 'aborted' || this.current === 'abandoned';
  }

  transition(to: SenderState): void {
    if (!MOVES[this.current].includes(to)) throw new Error(`message ${this.message.messageId}: illegal move ${this.current} -> ${to}`);
    this.current = to;
  }

  // Inputs from the node.

  /** E-24: abort: the chunk being written (or, between chunks, an empty one) ends with `#`. */
  abort(): void {
    this.abortRequested = true;
  }

  /**
   * A response to one of its chunks. E-24, RFC 4975 §7.1: on a failure response "the whole
   * message SHOULD be aborted"; §10.5: on 413 the sender "MUST NOT send further chunks". Returns
   * true when it aborts the message (it was still being written).
   */
  response(status: number): boolean {
    if (status === 200 || this.over) return false;
    this.abortRequested = true;
    if (status === 413) this.stopRequested = true;
    return true;
  }

  /** Chunks not yet written go to `toPath` (a new offer/answer changed the path, RFC 4975 §8.4). */
  retarget(toPath: readonly string[]): void {
    this.message.toPath = toPath;
  }

  // Inputs from the writer that drives it (chunk-writer.ts).

  /** A chunk begins. */
  chunkStarted(): void {
    this.transition('writing');
  }

  /** `n` more bytes of the chunk are written. */
  advance(n: number): void {
    this.cursor += n;
  }

  /**
   * The chunk ended with `flag`: the message is aborted (`#`), sent (its last byte, unless more
   * of it is still arriving) or paused until its next chunk.
   */
  chunkEnded(frame: MsrpRequest, range: ByteRange, flag: Continuation): boolean {
    this.emit({ type: 'chunk', frame, range, flag, sent: this.cursor });
    if (flag === '#') {
      this.transition('aborted');
      this.emit({ type: 'aborted', sent: this.cursor });
      return true;
    }
    if (!this.message.streaming && this.cursor >= this.message.data.length) {
      this.transition('sent');
      this.emit({ type: 'sent', sent: this.cursor });
      return true;
    }
    this.transition('paused');
    return false;
  }

  /** Its turn came but nothing is to be written: stopped (413), or aborted before its first byte. */
  skipped(): void {
    this.transition('aborted');
    this.emit({ type: 'aborted', sent: this.cursor });
  }

  /**
   * The connection closed before the message was over; `from`: the first byte not written in a
   * complete chunk. `cut`: a chunk of it was being written (cut off, it never reached the peer as
   * a transaction). A message queued while aborting needed no more bytes: nothing of it is lost.
   */
  abandoned(from: number, cut: boolean): void {
    if (this.over) return;
    const lost = cut || !this.aborting;
    this.transition('abandoned');
    if (lost) this.emit({ type: 'abandoned', from });
  }

  private emit(event: SenderEvent): void {
    this.listener.senderEvent(this, event);
  }
}
