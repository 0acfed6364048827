/** What a command gets from main: the streams, the environment and styles for them. */
import type { FileSystem } from './atomic-write.js';
import { createStyle, colorEnabled, type Style } from './style.js';

export interface OutStream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  /** A stream that buffers (a pipe): true when it asks the writer to wait for 'drain'. */
  writableNeedDrain?: boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface InStream extends AsyncIterable<string | Uint8Array> {
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Record<string, string | undefined>;
  /** The file system outputs are written through (node:fs unless a test passes one that fails). */
  fs?: FileSystem;
}

export interface CliContext {
  io: CliIo;
  /** Style for text written to stdout. */
  out: Style;
  /** Style for text written to stderr. */
  err: Style;
  /** The exit status the command asks for; main returns it unless an error escapes. */
  status: number;
}

export function createContext(io: CliIo): CliContext {
  return {
    io,
    out: createStyle(colorEnabled(io.stdout, io.env)),
    err: createStyle(colorEnabled(io.stderr, io.env)),
    status: 0,
  };
}
