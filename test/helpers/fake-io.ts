/** In-memory streams (and a file system that fills up) for running `main` in-process. */
import * as fs from 'node:fs';
import type { CliIo } from '../../src/cli/main.js';

export interface FakeIo extends CliIo {
  out(): string;
  err(): string;
}

export function fakeIo(options: { stdin?: string | Uint8Array; tty?: boolean; env?: Record<string, string | undefined> } = {}): FakeIo {
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  const input = options.stdin ?? '';
  const tty = options.tty ?? false;
  return {
    stdout: { isTTY: tty, write: (c: string | Uint8Array) => outChunks.push(Buffer.from(c)) },
    stderr: { isTTY: tty, write: (c: string | Uint8Array) => errChunks.push(Buffer.from(c)) },
    stdin: {
      isTTY: false,
      async *[Symbol.asyncIterator]() {
        yield typeof input === 'string' ? Buffer.from(input) : input;
      },
    },
    env: options.env ?? {},
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
  };
}

/**
 * The node:fs calls the CLI writes outputs with, where every write fails with `code` (ENOSPC,
 * EIO, ...) once `limit` bytes have been written through this object, as a disk that fills does.
 */
export function failingFs(code: string, limit: number): typeof fs {
  let written = 0;
  const fail = (syscall: string): NodeJS.ErrnoException =>
    Object.assign(new Error(`${code}: simulated failure, ${syscall}`), { code, syscall, errno: -28 });
  const count = (n: number, syscall: string): void => {
    if (written + n > limit) throw fail(syscall);
    written += n;
  };
  return {
    ...fs,
    writeSync: ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
      const n = typeof data === 'string' ? Buffer.byteLength(data) : typeof rest[1] === 'number' ? rest[1] : data.byteLength;
      count(n, 'write');
      return (fs.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    }) as typeof fs.writeSync,
    writeFileSync: ((path: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, options?: fs.WriteFileOptions) => {
      count(typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength, 'write');
      fs.writeFileSync(path, data, options);
    }) as typeof fs.writeFileSync,
  };
}
