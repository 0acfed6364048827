import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IoError } from '../../src/cli/errors.js';
import { OutputDir, StreamFile, type CommitStep } from '../../src/cli/output-dir.js';
import type { StreamFileOptions } from '../../src/cli/stream-file.js';
import { ensureBuilt, root } from '../helpers/exec.js';
import { failingFs } from '../helpers/fake-io.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'msrp-sim-outdir-'));
}

/** The files of a folder and their contents, or null when there is no folder. */
function readSet(dir: string): Record<string, string> | null {
  if (!existsSync(dir)) return null;
  const set: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) if (!name.startsWith('.')) set[name] = readFileSync(join(dir, name), 'utf8');
  return set;
}

class Killed extends Error {}

const OLD = { 'summary.json': 'old summary', 'trace.ndjson': 'old trace' };
const NEW = { 'timeline.txt': 'new timeline', 'trace.ndjson': 'new trace' };

function writeSet(dir: OutputDir, set: Record<string, string>): void {
  for (const [name, content] of Object.entries(set)) dir.write(name, content);
}

describe('StreamFile', () => {
  it('writes every piece in order as UTF-8, across buffer fills and pieces larger than the buffer', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'msrp-sim-stream-')), 'trace.ndjson');
    const f = new StreamFile(path);
    const pieces: string[] = [];
    for (let i = 0; i < 20_000; i++) pieces.push(`{"seq":${i},"text":"caf\u00e9 \u{1F600} ${'x'.repeat(i % 200)}"}\n`);
    pieces.splice(7_000, 0, `${'y'.repeat(700_000)}\n`, `${'\u20ac'.repeat(400_000)}\n`);
    for (const p of pieces) f.write(p);
    f.close();
    expect(readFileSync(path, 'utf8')).toBe(pieces.join(''));
  });

  // The writing thread is a module of dist/ (vitest runs the sources, which a thread cannot load).
  it('writes the same bytes when a thread takes over the writes, whenever it does, or when it never starts', async () => {
    ensureBuilt();
    const { StreamFile: BuiltStreamFile } = (await import(pathToFileURL(join(root, 'dist/cli/stream-file.js')).href)) as { StreamFile: typeof StreamFile };
    const pieces: string[] = [];
    for (let i = 0; i < 60_000; i++) pieces.push(`{"seq":${i},"text":"caf\u00e9 \u{1F600} ${'x'.repeat(i % 300)}"}\n`);
    pieces.splice(30_000, 0, `${'y'.repeat(700_000)}\n`, `${'\u20ac'.repeat(400_000)}\n`);
    const expected = pieces.join('');
    expect(Buffer.byteLength(expected)).toBeGreaterThan(12 * 2 ** 20); // more than the ring of 8 slots
    const missing = pathToFileURL(join(root, 'dist/cli/no-such-thread.js'));
    const cases: [string, StreamFileOptions][] = [
      ['from the start', { threadAfter: 0 }],
      ['after the first piece', { threadAfter: 1 }],
      ['after 3 MiB', { threadAfter: 3 * 2 ** 20 }],
      ['never started', { threadAfter: 0, threadFile: missing, threadStartWaitMs: 200 }],
    ];
    for (const [name, options] of cases) {
      const path = join(mkdtempSync(join(tmpdir(), 'msrp-sim-stream-')), 'trace.ndjson');
      const f = new BuiltStreamFile(path, options);
      for (const p of pieces) f.write(p);
      f.close();
      expect(readFileSync(path, 'utf8') === expected, name).toBe(true);
    }
  }, 60_000);

  it.skipIf(!existsSync('/dev/full'))("throws the thread's write error on the run's thread, naming the file", async () => {
    ensureBuilt();
    const built = (await import(pathToFileURL(join(root, 'dist/cli/stream-file.js')).href)) as { StreamFile: typeof StreamFile };
    const errors = (await import(pathToFileURL(join(root, 'dist/cli/errors.js')).href)) as { IoError: typeof IoError };
    const f = new built.StreamFile('/dev/full', { threadAfter: 0, shown: 'out/run/trace.ndjson' });
    const write = (): void => {
      for (let i = 0; i < 100_000; i++) f.write(`{"seq":${i},"pad":"${'z'.repeat(100)}"}\n`);
      f.close();
    };
    expect(write).toThrow(errors.IoError);
    expect(write).toThrow('cannot write out/run/trace.ndjson: no space left on device (ENOSPC)');
  });
});

describe('OutputDir.commit', () => {
  it.each<CommitStep>(['aside', 'in', 'done'])('is a swap: killed after step "%s", the old or the new set is there, and the next run recovers', (killAt) => {
    const parent = scratch();
    const final = join(parent, 'run');
    const aside = join(parent, '.run.old-202');
    const first = new OutputDir(final, { pid: 101, isAlive: () => false });
    writeSet(first, OLD);
    first.commit();

    // At every step of the swap, the target holds a whole set, or the old set is aside.
    const seen: CommitStep[] = [];
    const second = new OutputDir(final, {
      pid: 202,
      isAlive: (p) => p === 202,
      onStep: (step) => {
        seen.push(step);
        const atTarget = readSet(final);
        if (atTarget === null) expect(readSet(aside)).toEqual(OLD);
        else expect([OLD, NEW]).toContainEqual(atTarget);
        if (step === killAt) throw new Killed();
      },
    });
    writeSet(second, NEW);
    expect(() => second.commit()).toThrow(Killed);
    expect(seen.at(-1)).toBe(killAt);

    // The next run (process 202 is gone) puts back the old set or keeps the new one, and leaves
    // no aside folder or temporary behind.
    const third = new OutputDir(final, { pid: 303, isAlive: (p) => p === 303 });
    expect(readSet(final)).toEqual(killAt === 'aside' ? OLD : NEW);
    expect(readdirSync(parent).sort()).toEqual(['.run.tmp-303', 'run']);
    third.write('trace.ndjson', 'third trace');
    third.commit();
    expect(readSet(final)).toEqual({ 'trace.ndjson': 'third trace' });
    expect(readdirSync(parent)).toEqual(['run']);
  });

  it('leaves an aside folder of a live process alone', () => {
    const parent = scratch();
    const final = join(parent, 'run');
    mkdirSync(join(parent, '.run.old-202'));
    const dir = new OutputDir(final, { pid: 303, isAlive: () => true });
    dir.write('trace.ndjson', 'x');
    dir.commit();
    expect(readdirSync(parent).sort()).toEqual(['.run.old-202', 'run']);
  });

  it('puts the old set back when the new one cannot be renamed in', () => {
    const parent = scratch();
    const final = join(parent, 'run');
    const first = new OutputDir(final, { pid: 101, isAlive: () => false });
    writeSet(first, OLD);
    first.commit();
    const temp = join(parent, '.run.tmp-202');
    const refusing: typeof fs = {
      ...fs,
      renameSync: (from: fs.PathLike, to: fs.PathLike) => {
        if (from === temp) throw Object.assign(new Error('EACCES: simulated, rename'), { code: 'EACCES', syscall: 'rename' });
        fs.renameSync(from, to);
      },
    };
    const second = new OutputDir(final, { pid: 202, isAlive: () => false, fs: refusing });
    writeSet(second, NEW);
    expect(() => second.commit()).toThrow(IoError);
    expect(readSet(final)).toEqual(OLD);
    second.abandon();
    expect(readdirSync(parent)).toEqual(['run']);
  });
});

describe('a disk that fills during a run', () => {
  it('is an I/O error naming the output file; abandoning keeps the previous output', () => {
    const parent = scratch();
    const final = join(parent, 'run');
    const first = new OutputDir(final, { pid: 101, isAlive: () => false });
    writeSet(first, OLD);
    first.commit();

    const dir = new OutputDir(final, { pid: 202, isAlive: () => false, fs: failingFs('ENOSPC', 3 << 20) });
    const trace = dir.stream('trace.ndjson');
    let error: unknown;
    try {
      for (let i = 0; i < 100_000; i++) trace.write(`{"seq":${i},"pad":"${'x'.repeat(60)}"}\n`);
      trace.close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IoError);
    expect((error as IoError).code).toBe('ENOSPC');
    expect((error as IoError).path).toBe(join(final, 'trace.ndjson'));
    expect((error as IoError).message).toBe(`cannot write ${join(final, 'trace.ndjson')}: no space left on device (ENOSPC)`);
    dir.abandon();
    expect(readSet(final)).toEqual(OLD);
    expect(readdirSync(parent)).toEqual(['run']);
  });

  it('in a file written whole (write) is an I/O error too', () => {
    const final = join(scratch(), 'run');
    const dir = new OutputDir(final, { fs: failingFs('EDQUOT', 10) });
    expect(() => dir.write('summary.json', '{"a lot": "more than ten bytes"}')).toThrow(/cannot write .*summary\.json: disk quota exceeded \(EDQUOT\)/);
    dir.abandon();
    expect(existsSync(final)).toBe(false);
  });
});

it('the stale-temporary test folder helper is not confused by other names', () => {
  // A folder named like a temporary of another output is not touched (see run-out.test.ts too).
  const parent = scratch();
  writeFileSync(join(parent, '.runs.tmp-1'), '');
  const dir = new OutputDir(join(parent, 'run'), { pid: 5, isAlive: () => false });
  dir.abandon();
  expect(readdirSync(parent)).toEqual(['.runs.tmp-1']);
});
