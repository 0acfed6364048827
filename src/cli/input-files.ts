/**
 * Reading the files a user names (scenarios, sweeps, traces, captures, users, certificates) with
 * a bound: a file larger than its kind ever needs, or one that never ends (`/dev/zero`, a device,
 * a pipe), is refused after at most `limit + 1` bytes, not read until memory runs out. Traces,
 * which may be larger than one JavaScript string can hold (512 MiB), are read line by line.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { CliError, EXIT } from './errors.js';

/** The most read of a small text file a user names (a sweep, a users file, a certificate). */
export const MAX_TEXT_INPUT = 16 * 1024 * 1024;
/** The longest trace line read: a record holding a frame's whole text, however large, is shorter. */
export const MAX_TRACE_LINE = 256 * 1024 * 1024;

/** A file larger than the most its kind is read at. */
export class InputTooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly limit: number,
  ) {
    super(`${path} is larger than ${describeBytes(limit)}`);
    this.name = 'InputTooLargeError';
  }
}

/** A line of a text file longer than the most a line is read at. */
export class LineTooLongError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly limit: number,
  ) {
    super(`${path}:${line}: the line is longer than ${describeBytes(limit)}`);
    this.name = 'LineTooLongError';
  }
}

/** `16 MiB`, `512 KiB`, `100 bytes`. */
export function describeBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / 1024 / 1024} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** The file opened for reading, with its status; a folder is refused (EISDIR), as reading it would be. */
function openFile(path: string): { fd: number; stat: Stats } {
  const fd = openSync(path, 'r');
  const stat = fstatSync(fd);
  if (!stat.isDirectory()) return { fd, stat };
  closeSync(fd);
  const err: NodeJS.ErrnoException = new Error(`EISDIR: illegal operation on a directory, read '${path}'`);
  err.code = 'EISDIR';
  throw err;
}

/**
 * The whole file, when it holds at most `limit` bytes; throws `InputTooLargeError` otherwise
 * (a regular file by its size, before reading; anything else once `limit + 1` bytes came), and the
 * file system's error (with its `code`: ENOENT, EACCES, EISDIR) when it cannot be read.
 */
export function readInputFile(path: string, limit: number, chunkSize = 1 << 20): Buffer {
  const { fd, stat } = openFile(path);
  try {
    if (stat.isFile() && stat.size > limit) throw new InputTooLargeError(path, limit);
    const chunks: Buffer[] = [];
    let total = 0;
    while (true) {
      const buf = Buffer.allocUnsafe(Math.min(chunkSize, limit + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > limit) throw new InputTooLargeError(path, limit);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * The lines of a UTF-8 text file (without their `\n`; a last line without one included), read in
 * pieces of `chunkSize` bytes so that the file may be larger than a string can hold. A line longer
 * than `maxLine` code units throws `LineTooLongError`. The file is closed when the lines run out
 * or the caller stops early.
 */
export function* fileLines(path: string, maxLine: number, chunkSize = 1 << 20): Generator<string> {
  const { fd } = openFile(path);
  try {
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(chunkSize);
    let rest = '';
    let line = 0;
    while (true) {
      const n = readSync(fd, buf, 0, buf.length, null);
      const text = n === 0 ? decoder.end() : decoder.write(buf.subarray(0, n));
      let start = 0;
      let lf = text.indexOf('\n');
      while (lf >= 0) {
        line++;
        const piece = start === 0 && rest !== '' ? rest + text.slice(0, lf) : text.slice(start, lf);
        rest = '';
        if (piece.length > maxLine) throw new LineTooLongError(path, line, maxLine);
        yield piece;
        start = lf + 1;
        lf = text.indexOf('\n', start);
      }
      if (start < text.length) {
        rest = start === 0 ? rest + text : text.slice(start);
        if (rest.length > maxLine) throw new LineTooLongError(path, line + 1, maxLine);
      }
      if (n === 0) break;
    }
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}

/** The first `n` bytes of a file (fewer when it is shorter). */
export function readFileHead(path: string, n: number): Buffer {
  const { fd } = openFile(path);
  try {
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const k = readSync(fd, buf, got, n - got, null);
      if (k === 0) break;
      got += k;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Why a file could not be read, in a user's words. */
export function readFailure(err: unknown): string {
  if (err instanceof InputTooLargeError) return `it is larger than ${describeBytes(err.limit)}, more than msrp-sim reads of such a file`;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES') return 'permission denied';
  return (err as Error).message;
}

/**
 * `readInputFile` for a command: a file that cannot be read, or is larger than `limit`, is a
 * usage error saying what the file was for (`--tls-cert: cannot read x.pem: no such file`).
 */
export function readUserFile(path: string, what: string, limit = MAX_TEXT_INPUT): Buffer {
  try {
    return readInputFile(path, limit);
  } catch (err) {
    throw new CliError(`${what}: cannot read ${path}: ${readFailure(err)}`, EXIT.usage);
  }
}
