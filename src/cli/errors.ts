/**
 * Exit statuses of every msrp-sim command (SPEC §6) and the errors that carry them to the single
 * error boundary in main.ts.
 */
export const EXIT = {
  /** Success: all frames parsed, all expectations held. */
  ok: 0,
  /** A frame was malformed, an expectation failed or a golden differed. */
  failed: 1,
  /** Invalid input or usage. */
  usage: 2,
  /** An internal error or a run limit reached. */
  internal: 3,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can fix; its message is printed as is, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitStatus: ExitStatus = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What a failed file-system call means to a user, for the codes that are not bugs of ours. */
const IO_CODES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
};

/**
 * A file msrp-sim could not write (the disk filled, a quota, a read-only or failing disk, no
 * permission). main.ts prints its message without a stack and exits 3.
 */
export class IoError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    readonly action: 'write' | 'create' | 'rename' | 'remove' = 'write',
    /** What became of the outputs, said after the cause. */
    readonly note?: string,
  ) {
    super(`cannot ${action} ${path}: ${IO_CODES[code] ?? code} (${code})${note ? `; ${note}` : ''}`);
    this.name = 'IoError';
  }

  withNote(note: string): IoError {
    return new IoError(this.path, this.code, this.action, note);
  }
}

/** Runs a file-system call, turning the failures of IO_CODES into an IoError about `path`. */
export function ioCall<T>(path: string, action: IoError['action'], fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (typeof code === 'string' && code in IO_CODES) throw new IoError(path, code, action);
    throw err;
  }
}
