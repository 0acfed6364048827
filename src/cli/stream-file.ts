/**
 * A file written in pieces as a run goes (the trace): lines are encoded straight into a buffer,
 * which goes to disk whenever it fills, so memory does not grow with the file and the bytes do not
 * depend on when the event loop runs.
 *
 * A small file is written by the run's own thread. Once a file passes `threadAfter` bytes (a
 * large run's trace, gigabytes for the scale scenario), a second thread takes over the writes:
 * the run fills a ring of slots in memory shared with it and goes on while the kernel copies
 * (and, past the dirty-page limits, waits for the disk). The run waits only when every slot is
 * still being written; the file's bytes are the same either way. A write error on that thread
 * is thrown on the run's thread at the next hand-over or at `close`, as the same IoError.
 */
import * as nodeFs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { FileSystem } from './atomic-write.js';
import { IoError, ioCall } from './errors.js';
import { Control, SharedBlock, type StreamThreadData } from './stream-file-shared.js';

/** Where a file moves its writes to a thread, by default (a small run never starts one). */
export const THREAD_AFTER = 64 * 1024 * 1024;
const BUFFER = 1 << 20;
const SLOTS = 8;
/** How long the run waits for the writing thread to start before it writes the file itself. */
const START_WAIT_MS = 10_000;
const THREAD_FILE = new URL('./stream-file-thread.js', import.meta.url);

export interface StreamFileOptions {
  fs?: FileSystem;
  /** The path named in errors: where the file will be once the outputs are committed. */
  shown?: string;
  /**
   * Bytes after which a thread writes the file (default THREAD_AFTER; Infinity: never). A file
   * system other than node:fs (tests pass one that fails) is always written on the run's thread.
   */
  threadAfter?: number;
  /** The writing thread's module (tests give one that cannot start). */
  threadFile?: URL;
  /** How long to wait for the thread to start (default START_WAIT_MS). */
  threadStartWaitMs?: number;
}

export class StreamFile {
  private readonly fd: number;
  private readonly fs: FileSystem;
  private readonly shown: string;
  private threadAfter: number;
  /** Where lines are encoded: the own buffer, or the current slot of the shared ring. */
  private buffer: Buffer = Buffer.allocUnsafe(BUFFER);
  private used = 0;
  /** Bytes written on this thread so far: past `threadAfter`, the thread takes over. */
  private flushed = 0;
  private thread: { worker: Worker; block: SharedBlock; submitted: number; startBy: number } | null = null;

  constructor(
    path: string,
    private readonly options: StreamFileOptions = {},
  ) {
    this.fs = options.fs ?? nodeFs;
    this.shown = options.shown ?? path;
    this.threadAfter = this.fs === nodeFs ? (options.threadAfter ?? THREAD_AFTER) : Number.POSITIVE_INFINITY;
    this.fd = ioCall(this.shown, 'write', () => this.fs.openSync(path, 'w'));
  }

  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush();
      if (text.length * 3 > this.buffer.length) {
        this.drain();
        const bytes = Buffer.from(text, 'utf8');
        this.writeOut(bytes, bytes.length);
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
  }

  /** Appends bytes (a binary file: the capture). The array is copied. */
  writeBytes(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) {
      this.flush();
      if (bytes.length > this.buffer.length) {
        this.drain();
        this.writeOut(bytes, bytes.length);
        return;
      }
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Hands what is buffered to the file (or to the thread). */
  flush(): void {
    if (this.used === 0) return;
    if (this.thread !== null) this.handOver();
    else {
      this.writeOut(this.buffer, this.used);
      this.used = 0;
      if (this.flushed >= this.threadAfter) this.startThread();
    }
  }

  close(): void {
    try {
      this.flush();
      this.drain();
    } finally {
      this.stopThread();
      this.fs.closeSync(this.fd);
    }
  }

  /** Writes `length` bytes of `bytes` on this thread (none is being written by the other). */
  private writeOut(bytes: Uint8Array, length: number): void {
    ioCall(this.shown, 'write', () => {
      let done = 0;
      while (done < length) done += this.fs.writeSync(this.fd, bytes, done, length - done);
    });
    this.flushed += length;
  }

  private startThread(): void {
    const block = SharedBlock.create(SLOTS, BUFFER);
    const data: StreamThreadData = { fd: this.fd, shared: block.shared, slots: SLOTS, slotSize: BUFFER };
    const worker = new Worker(this.options.threadFile ?? THREAD_FILE, { workerData: data });
    // Never what keeps the process alive: `close` stops it, and a process that fails exits anyway.
    worker.unref();
    // A thread that cannot start (its file missing from a broken install) is waited for no longer
    // than START_WAIT_MS (see waitWritten); its error, told on the event loop, is not a crash.
    worker.on('error', () => undefined);
    this.thread = { worker, block, submitted: 0, startBy: performance.now() + (this.options.threadStartWaitMs ?? START_WAIT_MS) };
    this.buffer = block.slot(0);
  }

  /** Gives the current slot to the thread and takes the next one, once the thread is done with it. */
  private handOver(): void {
    const t = this.thread!;
    const ctrl = t.block.ctrl;
    t.block.lengths[t.submitted % SLOTS] = this.used;
    this.used = 0;
    t.submitted++;
    Atomics.store(ctrl, Control.submitted, t.submitted);
    Atomics.notify(ctrl, Control.submitted);
    this.waitWritten(t.submitted - SLOTS + 1);
    // (Unless the thread never started and this one took the writing back.)
    if (this.thread !== null) this.buffer = t.block.slot(t.submitted % SLOTS);
  }

  /** Returns once the thread has written everything handed to it. */
  private drain(): void {
    if (this.thread !== null) this.waitWritten(this.thread.submitted);
  }

  private waitWritten(atLeast: number): void {
    const t = this.thread!;
    const ctrl = t.block.ctrl;
    while (true) {
      if (Atomics.load(ctrl, Control.failed) === 1) {
        const code = t.block.errorCode();
        throw new IoError(this.shown, code, 'write');
      }
      const written = Atomics.load(ctrl, Control.written);
      if (written >= atLeast) return;
      if (Atomics.load(ctrl, Control.started) === 1) {
        Atomics.wait(ctrl, Control.written, written);
        continue;
      }
      const left = t.startBy - performance.now();
      if (left > 0) {
        Atomics.wait(ctrl, Control.written, written, left);
        continue;
      }
      if (Atomics.compareExchange(ctrl, Control.started, 0, -1) === 0) {
        this.takeBack(written);
        return;
      }
    }
  }

  /** The thread never started: writes what it was handed here, and goes on without it. */
  private takeBack(written: number): void {
    const t = this.thread!;
    this.thread = null;
    this.threadAfter = Number.POSITIVE_INFINITY;
    for (let i = written; i < t.submitted; i++) this.writeOut(t.block.slot(i % SLOTS), t.block.lengths[i % SLOTS]!);
    this.buffer = Buffer.allocUnsafe(BUFFER);
    void t.worker.terminate();
  }

  private stopThread(): void {
    const t = this.thread;
    if (t === null) return;
    this.thread = null;
    Atomics.store(t.block.ctrl, Control.stop, 1);
    Atomics.notify(t.block.ctrl, Control.submitted);
  }
}
