/**
 * Replacing a file whole or not at all: the content goes to a temporary file beside it, which is
 * renamed over the file once complete, so a kill or a full disk leaves the old file or the new
 * one, never a truncated one. Temporaries are named `.<name>.tmp-<pid>`; those of a process that
 * is gone are removed by the next writer of the same file. Used for goldens (`test --update`)
 * and by output-dir.ts for the outputs of a run.
 */
import * as nodeFs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ioCall } from './errors.js';

/** The node:fs calls msrp-sim writes with; tests pass one that fails. */
export type FileSystem = typeof nodeFs;

export interface AtomicWriteOptions {
  fs?: FileSystem;
  /** The process id in temporary names (tests pretend to be several processes). */
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

/**
 * `mkdir -p`, a level at a time. Node's recursive `mkdirSync` loops for ever where mkdir answers
 * ENOENT under a parent that exists (anywhere in /proc), so msrp-sim walks the path itself and
 * gives such an answer back as the error it is.
 */
export function makeDirectory(path: string, fs: FileSystem = nodeFs): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; ) {
    if (fs.existsSync(p)) break;
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const dir of missing.reverse()) {
    try {
      fs.mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Whether a process with this id exists: signal 0 checks without sending anything. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Entries of `dir` named `.<base>.<kind>-<pid>` left by a process that is gone (or by this
 * process, which is not writing them now), with their pid.
 */
export function staleEntries(dir: string, base: string, kind: 'tmp' | 'old', options: AtomicWriteOptions = {}): { path: string; pid: number }[] {
  const fs = options.fs ?? nodeFs;
  const own = options.pid ?? process.pid;
  const alive = options.isAlive ?? processAlive;
  const prefix = `.${base}.${kind}-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const found: { path: string; pid: number }[] = [];
  for (const name of names.sort()) {
    if (!name.startsWith(prefix)) continue;
    const digits = name.slice(prefix.length);
    if (!/^[1-9]\d{0,9}$/.test(digits)) continue;
    const pid = Number(digits);
    if (pid === own || !alive(pid)) found.push({ path: join(dir, name), pid });
  }
  return found;
}

export function tempPath(path: string, pid: number): string {
  return join(dirname(path), `.${basename(path)}.tmp-${pid}`);
}

export function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const fs = options.fs ?? nodeFs;
  for (const stale of staleEntries(dirname(path), basename(path), 'tmp', options)) fs.rmSync(stale.path, { recursive: true, force: true });
  const temp = tempPath(path, options.pid ?? process.pid);
  try {
    const fd = ioCall(path, 'write', () => fs.openSync(temp, 'w'));
    try {
      ioCall(path, 'write', () => {
        const bytes = typeof content === 'string' ? Buffer.from(content) : content;
        let done = 0;
        while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
        // On disk before the rename, so that a crash of the machine cannot leave an empty file
        // under the name either.
        fs.fsyncSync(fd);
      });
    } finally {
      fs.closeSync(fd);
    }
    ioCall(path, 'rename', () => fs.renameSync(temp, path));
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}
