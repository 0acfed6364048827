/**
 * The memory a StreamFile shares with its writing thread: a ring of slots the run thread fills
 * and hands over in turn, and the counters both threads wait on (stream-file.ts).
 */

/** Indexes of the control words. */
export const Control = {
  /** Slots handed over so far (the next one to fill is `submitted % slots`). */
  submitted: 0,
  /** Slots written to the file so far. */
  written: 1,
  /** 1 once the run thread has handed over the last slot. */
  stop: 2,
  /** 1 once a write failed; the error's code is in the error bytes. */
  failed: 3,
  /** Length of the error code. */
  errorLength: 4,
  /**
   * 0 until one side claims the writing: 1 when the thread has started, -1 when the run thread,
   * having waited too long for it to start, writes the file itself (the thread then exits).
   */
  started: 5,
} as const;

const CONTROL_WORDS = 8;
const ERROR_BYTES = 64;

export interface StreamThreadData {
  fd: number;
  shared: SharedArrayBuffer;
  slots: number;
  slotSize: number;
}

export class SharedBlock {
  readonly ctrl: Int32Array;
  readonly lengths: Int32Array;
  private readonly error: Uint8Array;
  private readonly data: Buffer;

  constructor(
    readonly shared: SharedArrayBuffer,
    readonly slots: number,
    readonly slotSize: number,
  ) {
    this.ctrl = new Int32Array(shared, 0, CONTROL_WORDS);
    this.lengths = new Int32Array(shared, CONTROL_WORDS * 4, slots);
    const errorAt = (CONTROL_WORDS + slots) * 4;
    this.error = new Uint8Array(shared, errorAt, ERROR_BYTES);
    this.data = Buffer.from(shared, errorAt + ERROR_BYTES, slots * slotSize);
  }

  static create(slots: number, slotSize: number): SharedBlock {
    return new SharedBlock(new SharedArrayBuffer((CONTROL_WORDS + slots) * 4 + ERROR_BYTES + slots * slotSize), slots, slotSize);
  }

  /** Slot `i`'s bytes. */
  slot(i: number): Buffer {
    return this.data.subarray(i * this.slotSize, (i + 1) * this.slotSize);
  }

  setError(code: string): void {
    const bytes = Buffer.from(code.slice(0, ERROR_BYTES), 'latin1');
    this.error.set(bytes);
    Atomics.store(this.ctrl, Control.errorLength, bytes.length);
  }

  errorCode(): string {
    return Buffer.from(this.error.subarray(0, Atomics.load(this.ctrl, Control.errorLength))).toString('latin1');
  }
}
