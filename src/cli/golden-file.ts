/**
 * Golden trace files, streamed: read a line at a time through a buffer that grows only to the
 * longest line, and written through a temporary file in the same directory that replaces the
 * golden by a rename once the run is complete. Neither holds the trace.
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { staleEntries, tempPath } from './atomic-write.js';
import { ioCall } from './errors.js';
import type { GoldenLineSource } from '../scenario/golden.js';

const CHUNK = 64 * 1024;

export class GoldenFileReader implements GoldenLineSource {
  private fd: number | null;
  private buf = Buffer.alloc(CHUNK);
  private start = 0;
  private end = 0;
  /** Where the search for the next LF goes on from (bytes before it hold none). */
  private scanned = 0;
  private eof = false;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  /** Bytes of buffer in use: the longest line read so far, rounded up to the read size. */
  get bufferSize(): number {
    return this.buf.length;
  }

  next(): Uint8Array | null {
    for (;;) {
      const lf = this.buf.indexOf(10, this.scanned);
      if (lf >= 0 && lf < this.end) {
        const line = this.buf.subarray(this.start, lf);
        this.start = this.scanned = lf + 1;
        return line;
      }
      this.scanned = this.end;
      if (this.eof) {
        if (this.start === this.end) return null;
        const line = this.buf.subarray(this.start, this.end);
        this.start = this.end;
        return line;
      }
      this.fill();
    }
  }

  private fill(): void {
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.scanned -= this.start;
      this.start = 0;
    }
    if (this.buf.length - this.end < CHUNK) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    const n = readSync(this.fd!, this.buf, this.end, this.buf.length - this.end, null);
    if (n === 0) this.eof = true;
    this.end += n;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Writes a golden trace line by line; `commit` puts it in place, `abandon` leaves the old one. */
export class GoldenFileWriter {
  private readonly temp: string;
  private fd: number | null;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(private readonly path: string) {
    // The temporaries of writers that were killed go first (atomic-write.ts names them).
    for (const stale of staleEntries(dirname(path), basename(path), 'tmp')) rmSync(stale.path, { force: true });
    this.temp = tempPath(path, process.pid);
    this.fd = ioCall(path, 'write', () => openSync(this.temp, 'w'));
  }

  /** One canonical line, without its LF. */
  line(text: string): void {
    this.pending.push(text);
    this.pendingBytes += text.length + 1;
    if (this.pendingBytes >= CHUNK * 16) this.flush();
  }

  commit(): void {
    this.flush();
    // On disk before the rename: a crash of the machine cannot leave an empty golden either.
    ioCall(this.path, 'write', () => fsyncSync(this.fd!));
    closeSync(this.fd!);
    this.fd = null;
    ioCall(this.path, 'rename', () => renameSync(this.temp, this.path));
  }

  abandon(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    rmSync(this.temp, { force: true });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    ioCall(this.path, 'write', () => writeSync(this.fd!, text));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
