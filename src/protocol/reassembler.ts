/**
 * Reassembly of a message from its chunks, in whatever order and allocation they arrive
 * (E-25, E-34). Chunks are placed by Byte-Range into a virtual buffer keyed by Message-ID; where
 * chunks overlap, the data received last wins (E-34 SHOULD). The chunk length is taken from the
 * payload actually received, not from the range-end (E-34, A-09).
 */
import type { ByteRange, Continuation } from '../wire/frame.js';
import { IntervalSet } from './byte-ranges.js';

export type AddChunkResult =
  | { kind: 'partial'; received: number }
  | { kind: 'complete'; body: Uint8Array }
  | { kind: 'aborted'; received: number }
  | { kind: 'too-large'; limit: number; claimed: number }
  | { kind: 'bad-range'; reason: string };

export interface MessageAssemblyOptions {
  /** Largest message this receiver takes (its a=max-size, E-08); beyond it, 413 (E-24). */
  maxSize: number;
}

/** One message being received. */
export class MessageAssembly {
  private buffer: Uint8Array;
  private readonly have = new IntervalSet();
  /** Total length once known (from a `total` or from the `$` chunk's end). */
  private total: number | null = null;
  private lastSeen = false;
  done = false;
  aborted = false;

  constructor(
    readonly messageId: string,
    private readonly options: MessageAssemblyOptions,
  ) {
    this.buffer = new Uint8Array(0);
  }

  /** Bytes received so far (distinct positions). */
  get received(): number {
    return this.have.size;
  }

  /** Ranges received, for success REPORTs that cover every byte received (E-27). */
  get ranges(): IntervalSet {
    return this.have;
  }

  get knownTotal(): number | null {
    return this.total;
  }

  /**
   * Adds one chunk. `range` absent means the whole message in one chunk (E-34: "no Byte-Range, or
   * range-start 1 with `$` => whole message").
   */
  add(range: ByteRange | undefined, body: Uint8Array, continuation: Continuation): AddChunkResult {
    const start = range?.start ?? 1;
    // W-37, RFC 4975 §14.5: sanity-check ranges before allocating buffers.
    if (start < 1) return { kind: 'bad-range', reason: `range-start ${start} is below 1` };
    const end = start + body.length - 1;
    if (range?.total != null && range.total > this.options.maxSize) {
      return { kind: 'too-large', limit: this.options.maxSize, claimed: range.total };
    }
    if (end > this.options.maxSize) return { kind: 'too-large', limit: this.options.maxSize, claimed: end };
    if (range?.total != null) {
      if (end > range.total) return { kind: 'bad-range', reason: `chunk ends at ${end}, beyond total ${range.total}` };
      this.total = range.total;
    }
    if (continuation === '$') {
      // E-34: "the `$` chunk defines total length".
      this.lastSeen = true;
      if (this.total === null || this.total < end) this.total = end;
    }
    if (continuation === '#') {
      this.aborted = true;
      this.place(start, body);
      return { kind: 'aborted', received: this.received };
    }
    this.place(start, body);
    if (this.total !== null && (this.lastSeen || range?.total != null) && this.have.coversAll(this.total)) {
      this.done = true;
      return { kind: 'complete', body: this.buffer.subarray(0, this.total) };
    }
    return { kind: 'partial', received: this.received };
  }

  /**
   * Lets the data go once the message has been delivered or aborted: what was received (`ranges`,
   * `done`, `aborted`) is still known, the bytes are not.
   */
  release(): void {
    this.buffer = new Uint8Array(0);
  }

  private place(start: number, body: Uint8Array): void {
    const end = start - 1 + body.length;
    if (end > this.buffer.length) {
      const capacity = Math.max(end, this.total ?? 0, Math.min(this.options.maxSize, this.buffer.length * 2));
      const grown = new Uint8Array(capacity);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer.set(body, start - 1); // last data received wins on overlap
    this.have.add(start, end);
  }
}
