/**
 * Writing a run's outputs whole or not at all: everything goes into a temporary directory next to
 * the target, which replaces the target only once every file is complete. The trace streams to
 * disk through a small synchronous buffer, so memory does not grow with the trace and the output
 * does not depend on when the event loop runs.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export class OutputDir {
  readonly final: string;
  readonly temp: string;
  private readonly written: string[] = [];

  constructor(dir: string) {
    this.final = resolve(dir);
    this.temp = join(dirname(this.final), `.${basename(this.final)}.tmp-${process.pid}`);
    rmSync(this.temp, { recursive: true, force: true });
    mkdirSync(this.temp, { recursive: true });
  }

  /** A file written in pieces (the trace). */
  stream(name: string): StreamFile {
    this.written.push(name);
    return new StreamFile(join(this.temp, name));
  }

  write(name: string, content: string | Uint8Array): void {
    this.written.push(name);
    writeFileSync(join(this.temp, name), content);
  }

  /** Replaces the target directory with the finished one. */
  commit(): string[] {
    if (existsSync(this.final)) rmSync(this.final, { recursive: true, force: true });
    mkdirSync(dirname(this.final), { recursive: true });
    renameSync(this.temp, this.final);
    return this.written.map((n) => join(this.final, n));
  }

  /** Leaves nothing behind (a failed run). */
  abandon(): void {
    rmSync(this.temp, { recursive: true, force: true });
  }
}

export class StreamFile {
  private readonly fd: number;
  /** Lines are encoded straight into this buffer, which is written out whenever it fills. */
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush();
      if (text.length * 3 > this.buffer.length) {
        writeSync(this.fd, text);
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
  }

  flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buffer, done, this.used - done);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
