/** In-memory streams for running `main` in-process. */
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
