/**
 * Writing a run's outputs whole or not at all, and replacing only what msrp-sim wrote itself.
 *
 * Everything goes into a temporary directory next to the target (`.<name>.tmp-<pid>`), which
 * takes the target's place only once every file is complete. The trace streams to disk as the run
 * goes (stream-file.ts), so memory does not grow with the trace.
 *
 * What the target may be (checked before the run, see docs/outputs.md):
 * - missing: created;
 * - a folder msrp-sim wrote (its manifest, `.msrp-sim-outputs.json`, lists the outputs) or one
 *   that holds only files named as outputs (folders written before the manifest): replaced by a
 *   swap: the old folder is renamed aside (`.<name>.old-<pid>`), the new one renamed in, then the
 *   old one removed, so that the old or the new set is whole at every instant;
 * - an empty folder: the outputs are moved into it;
 * - anything else (a file, a folder with other files) is refused, exit 2; with `--force` the
 *   outputs are moved into such a folder file by file, replacing the earlier outputs in it and
 *   never removing another file.
 * A run first cleans up after killed runs of the same target: their temporaries are removed, and
 * an aside folder is put back (the kill came before the new set was renamed in) or removed.
 */
import * as nodeFs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { makeDirectory, processAlive, staleEntries, writeFileAtomic, type FileSystem } from './atomic-write.js';
import { CliError, EXIT, ioCall } from './errors.js';
import { StreamFile } from './stream-file.js';

export { StreamFile };

/** The file in an output folder that marks it as written by msrp-sim and lists its outputs. */
export const MANIFEST = '.msrp-sim-outputs.json';

/** Names of the files a run writes (sequence-NNN.svg: ladder pages), for folders without a manifest. */
const OUTPUT_FILE = /^(trace\.ndjson|timeline\.txt|sequence(-\d{3,})?\.svg|topology\.svg|capture\.pcap(ng)?|summary\.json|report\.html|sequence\.mmd)$/;

export type CommitStep = 'aside' | 'in' | 'done';

export interface OutputDirOptions {
  /** Write into a folder that holds other files too (they are kept). */
  force?: boolean;
  fs?: FileSystem;
  pid?: number;
  isAlive?: (pid: number) => boolean;
  /** Called after each step of a swap; tests stop there as a kill would. */
  onStep?: (step: CommitStep) => void;
}

/** What is at the target, and how the new outputs take its place. */
export type Target =
  | { kind: 'missing' }
  /** A folder of msrp-sim outputs only: swapped whole. */
  | { kind: 'outputs' }
  /** An empty folder, or (with --force) one with other files: filled file by file. */
  | { kind: 'in-place'; outputs: string[]; others: string[] };

function lstat(fs: FileSystem, path: string): nodeFs.Stats | null {
  try {
    return fs.lstatSync(path);
  } catch (err) {
    // ENOTDIR: a folder on the way is a file, so nothing is there (and nothing can be made).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** The target as a path: a symbolic link to a folder stands for that folder. */
export function resolveTarget(dir: string, fs: FileSystem = nodeFs): string {
  const path = resolve(dir);
  if (lstat(fs, path)?.isSymbolicLink()) {
    try {
      return fs.realpathSync(path);
    } catch {
      return path; // a dangling link: refused below as not a folder
    }
  }
  return path;
}

/** Outputs msrp-sim wrote in `dir` by its manifest, or null when it has none (or an unreadable one). */
function manifestFiles(fs: FileSystem, dir: string): string[] | null {
  try {
    const m = JSON.parse(fs.readFileSync(join(dir, MANIFEST), 'utf8')) as { files?: unknown };
    if (Array.isArray(m.files) && m.files.every((f) => typeof f === 'string' && OUTPUT_FILE.test(f))) return m.files as string[];
  } catch {
    // no manifest
  }
  return null;
}

/**
 * Decides what may happen at `final` (a resolved path); refuses (exit 2) a target that holds
 * anything msrp-sim did not write, unless `force` and it is a folder. `command` begins the message
 * (default `run`).
 */
export function inspectTarget(final: string, shown: string, options: { force?: boolean; fs?: FileSystem; command?: string } = {}): Target {
  const fs = options.fs ?? nodeFs;
  const run = options.command ?? 'run';
  if (dirname(final) === final) throw new CliError(`${run}: --out ${shown} is the root of the file system; give a folder of its own for the outputs`, EXIT.usage);
  const st = lstat(fs, final);
  if (st === null) return { kind: 'missing' };
  if (!st.isDirectory()) {
    throw new CliError(`${run}: --out ${shown} is a file, not a folder; msrp-sim writes its outputs into a folder and replaces no other file (give a folder that does not exist yet)`, EXIT.usage);
  }
  const names = fs.readdirSync(final).sort();
  const listed = manifestFiles(fs, final);
  const isOutput = (name: string): boolean =>
    name === MANIFEST || ((listed === null ? OUTPUT_FILE.test(name) : listed.includes(name)) && lstat(fs, join(final, name))?.isFile() === true);
  const outputs = names.filter(isOutput);
  const others = names.filter((n) => !isOutput(n));
  if (names.length === 0) return { kind: 'in-place', outputs, others };
  if (others.length === 0) return { kind: 'outputs' };
  if (!options.force) {
    const list = others.slice(0, 5).map((n) => (lstat(fs, join(final, n))?.isDirectory() ? `${n}/` : n)).join(', ') + (others.length > 5 ? `, ... (${others.length} in all)` : '');
    throw new CliError(
      `${run}: --out ${shown} holds files msrp-sim did not write (${list}); msrp-sim replaces only its own outputs: give a new or empty folder, or add --force to write the outputs beside these files (which are kept)`,
      EXIT.usage,
    );
  }
  return { kind: 'in-place', outputs: outputs.filter((n) => n !== MANIFEST), others };
}

/** A file made by `OutputDir.spooled`. */
export interface SpooledFile {
  write(bytes: Uint8Array): void;
  /** The file is `head` and then everything written. */
  close(head: Uint8Array): void;
  /** The run failed: stops writing (the temporary folder is removed with the rest). */
  abandon(): void;
}

/** Writes `head` and then the bytes of `spool` into `target`, and removes `spool`. */
function prependFile(fs: FileSystem, target: string, head: Uint8Array, spool: string): void {
  const out = fs.openSync(target, 'w');
  try {
    let done = 0;
    while (done < head.length) done += fs.writeSync(out, head, done, head.length - done);
    const inp = fs.openSync(spool, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const n = fs.readSync(inp, buf, 0, buf.length, null);
        if (n === 0) break;
        let w = 0;
        while (w < n) w += fs.writeSync(out, buf, w, n - w);
      }
    } finally {
      fs.closeSync(inp);
    }
  } finally {
    fs.closeSync(out);
  }
  fs.rmSync(spool);
}

export class OutputDir {
  readonly final: string;
  readonly temp: string;
  /** Where the old set waits during a swap. */
  readonly aside: string;
  private readonly fs: FileSystem;
  private readonly written: string[] = [];
  private readonly target: Target;

  constructor(
    dir: string,
    private readonly options: OutputDirOptions = {},
  ) {
    this.fs = options.fs ?? nodeFs;
    const pid = options.pid ?? process.pid;
    this.final = resolveTarget(dir, this.fs);
    const parent = dirname(this.final);
    const base = basename(this.final);
    this.temp = join(parent, `.${base}.tmp-${pid}`);
    this.aside = join(parent, `.${base}.old-${pid}`);
    this.recover(parent, base);
    this.target = inspectTarget(this.final, dir, options);
    // Named as the user wrote it: the temporary beside it is ours.
    ioCall(this.final, 'create', () => makeDirectory(this.temp, this.fs));
  }

  /** Cleans up after killed runs of this target (and after an earlier failed commit of ours). */
  private recover(parent: string, base: string): void {
    const stale = { fs: this.fs, pid: this.options.pid ?? process.pid, isAlive: this.options.isAlive ?? processAlive };
    for (const old of staleEntries(parent, base, 'old', stale)) {
      // Killed between renaming the old set aside and the new one in: the old set goes back.
      if (lstat(this.fs, this.final) === null) ioCall(this.final, 'rename', () => this.fs.renameSync(old.path, this.final));
      else ioCall(old.path, 'remove', () => this.fs.rmSync(old.path, { recursive: true, force: true }));
    }
    for (const tmp of staleEntries(parent, base, 'tmp', stale)) ioCall(tmp.path, 'remove', () => this.fs.rmSync(tmp.path, { recursive: true, force: true }));
  }

  /** A file written in pieces (the trace). */
  stream(name: string): StreamFile {
    this.written.push(name);
    return new StreamFile(join(this.temp, name), { fs: this.fs, shown: join(this.final, name) });
  }

  /**
   * A file written in pieces whose beginning is known only at the end (capture.pcapng, whose
   * interfaces go before its packets): the pieces go to a spool beside it, and `close(head)`
   * makes the file, `head` then the pieces, and removes the spool.
   */
  spooled(name: string): SpooledFile {
    const spool = join(this.temp, `.${name}.pieces`);
    const target = join(this.temp, name);
    const shown = join(this.final, name);
    const fs = this.fs;
    const file = new StreamFile(spool, { fs, shown });
    let closed = false;
    return {
      write: (bytes) => file.writeBytes(bytes),
      close: (head) => {
        closed = true;
        file.close();
        if (head.length === 0) ioCall(shown, 'write', () => fs.renameSync(spool, target));
        else ioCall(shown, 'write', () => prependFile(fs, target, head, spool));
        this.written.push(name);
      },
      abandon: () => {
        if (closed) return;
        closed = true;
        try {
          file.close();
        } catch {
          // the run failed already; the temporary folder goes with it
        }
      },
    };
  }

  write(name: string, content: string | Uint8Array): void {
    this.written.push(name);
    ioCall(join(this.final, name), 'write', () => this.fs.writeFileSync(join(this.temp, name), content));
  }

  /** Puts the finished outputs in the target's place; returns their paths. */
  commit(): string[] {
    const fs = this.fs;
    const files = [...this.written].sort();
    const manifest = (list: string[]): string => JSON.stringify({ writtenBy: 'msrp-sim', files: list }, null, 2) + '\n';
    const step = (s: CommitStep): void => this.options.onStep?.(s);
    if (this.target.kind === 'in-place') {
      // File by file into a folder that stays: each file is whole at every instant, and the
      // manifest lists every output the folder may hold meanwhile, so a later run can tell them
      // from the other files.
      const opts = { fs, pid: this.options.pid, isAlive: this.options.isAlive };
      const old = this.target.outputs;
      writeFileAtomic(join(this.final, MANIFEST), manifest([...new Set([...old, ...files])].sort()), opts);
      for (const name of files) ioCall(join(this.final, name), 'rename', () => fs.renameSync(join(this.temp, name), join(this.final, name)));
      for (const name of old) if (!files.includes(name)) ioCall(join(this.final, name), 'remove', () => fs.rmSync(join(this.final, name), { force: true }));
      writeFileAtomic(join(this.final, MANIFEST), manifest(files), opts);
      ioCall(this.temp, 'remove', () => fs.rmSync(this.temp, { recursive: true, force: true }));
      step('done');
    } else {
      ioCall(join(this.final, MANIFEST), 'write', () => fs.writeFileSync(join(this.temp, MANIFEST), manifest(files)));
      const hadOld = this.target.kind === 'outputs';
      if (hadOld) ioCall(this.final, 'rename', () => fs.renameSync(this.final, this.aside));
      else ioCall(dirname(this.final), 'create', () => makeDirectory(dirname(this.final), fs));
      step('aside');
      try {
        ioCall(this.final, 'rename', () => fs.renameSync(this.temp, this.final));
      } catch (err) {
        if (hadOld) fs.renameSync(this.aside, this.final);
        throw err;
      }
      step('in');
      if (hadOld) ioCall(this.aside, 'remove', () => fs.rmSync(this.aside, { recursive: true, force: true }));
      step('done');
    }
    return this.written.map((n) => join(this.final, n));
  }

  /** Leaves nothing behind (a failed run); the target is as it was. */
  abandon(): void {
    this.fs.rmSync(this.temp, { recursive: true, force: true });
  }
}

