/**
 * What `run --out DIR` may replace, through the built binary: only what msrp-sim wrote itself.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCliAsync as runCli } from '../helpers/exec.js';

const tiny = join(root, 'test/cli/fixtures/tiny.yaml');
const MANIFEST = '.msrp-sim-outputs.json';

beforeAll(() => ensureBuilt());

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'msrp-sim-out-'));
}

/** A PID that belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

describe('run --out: what it refuses', () => {
  it('refuses a folder that holds files of the user, exit 2, and leaves them as they were', async () => {
    const dir = join(scratch(), 'userdir');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'my notes');
    writeFileSync(join(dir, 'sub/thesis.tex'), '\\documentclass{article}');
    const r = await runCli(['run', tiny, '--out', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--out ${dir}`);
    expect(r.stderr).toContain('notes.txt');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'sub']);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(dir, 'sub/thesis.tex'), 'utf8')).toBe('\\documentclass{article}');
    expect(readdirSync(join(dir, '..'))).toEqual(['userdir']); // no temporary left behind
  });

  it('with --force writes the outputs beside the files of the user and removes none of them', async () => {
    const dir = join(scratch(), 'userdir');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'my notes');
    writeFileSync(join(dir, 'sub/thesis.tex'), 'thesis');
    const r = await runCli(['run', tiny, '--out', dir, '--force', '--only', 'trace,summary']);
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, 'notes.txt', 'sub', 'summary.json', 'trace.ndjson']);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(dir, 'sub/thesis.tex'), 'utf8')).toBe('thesis');
    // A second forced run replaces its own outputs, still not the user's files.
    expect((await runCli(['run', tiny, '--out', dir, '--force', '--only', 'timeline'])).status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, 'notes.txt', 'sub', 'timeline.txt']);
    expect(readdirSync(join(dir, '..'))).toEqual(['userdir']);
  });

  it('refuses a file as --out, with or without --force, and keeps the file', async () => {
    const dir = scratch();
    const file = join(dir, 'afile.txt');
    writeFileSync(file, 'precious');
    for (const extra of [[], ['--force']]) {
      const r = await runCli(['run', tiny, '--out', file, ...extra]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('is a file');
      expect(statSync(file).isFile()).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('precious');
    }
    expect(readdirSync(dir)).toEqual(['afile.txt']);
  });

  it('says in one line that it cannot make --out under a file, and keeps the file', async () => {
    const dir = scratch();
    const file = join(dir, 'afile.txt');
    writeFileSync(file, 'precious');
    const r = await runCli(['run', tiny, '--out', join(file, 'sub', 'out')]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe(`msrp-sim: cannot create ${join(file, 'sub', 'out')}: not a directory (ENOTDIR)`);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['afile.txt']);
  });

  // Node's recursive mkdirSync loops for ever there: mkdir answers ENOENT under /proc, which exists.
  it.skipIf(!existsSync('/proc/self'))('says that it cannot make --out under /proc instead of looping for ever', async () => {
    const r = await runCli(['run', tiny, '--out', '/proc/msrp-sim-out/deeper']);
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe('msrp-sim: cannot create /proc/msrp-sim-out/deeper: no such file or directory (ENOENT)');
  }, 30_000);

  it('refuses --out . in a working folder that holds files of the user', async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, 'notes.txt'), 'my notes');
    mkdirSync(join(cwd, 'src'));
    writeFileSync(join(cwd, 'src/main.c'), 'int main(void) { return 0; }');
    const r = await runCli(['run', tiny, '--out', '.'], { cwd });
    expect(r.status).toBe(2);
    expect(readdirSync(cwd).sort()).toEqual(['notes.txt', 'src']);
    expect(readFileSync(join(cwd, 'src/main.c'), 'utf8')).toBe('int main(void) { return 0; }');
  });
});

describe('run --out: what it replaces', () => {
  it('replaces a folder it wrote itself; a smaller set (--only) replaces the whole set and says so', async () => {
    const dir = join(scratch(), 'run');
    let r = await runCli(['run', tiny, '--out', dir]);
    expect(r.status).toBe(0);
    const all = readdirSync(dir).sort();
    expect(all).toContain(MANIFEST);
    expect(all).toContain('report.html');
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { files: string[] };
    expect(manifest.files).toEqual(all.filter((n) => n !== MANIFEST));
    r = await runCli(['run', tiny, '--out', dir, '--only', 'trace,summary']);
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, 'summary.json', 'trace.ndjson']);
    expect(r.stdout.toString()).toMatch(/outputs \(only trace, summary[^)]*\):/);
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
  });

  it('replaces a folder of outputs written before the manifest existed (only output names in it)', async () => {
    const dir = join(scratch(), 'old');
    mkdirSync(dir);
    for (const name of ['trace.ndjson', 'timeline.txt', 'sequence-001.svg', 'sequence-002.svg', 'topology.svg', 'capture.pcap', 'summary.json', 'report.html', 'sequence.mmd']) {
      writeFileSync(join(dir, name), 'old');
    }
    const r = await runCli(['run', tiny, '--out', dir, '--only', 'trace']);
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, 'trace.ndjson']);
    expect(readFileSync(join(dir, 'trace.ndjson'), 'utf8')).not.toBe('old');
  });

  it('fills an empty folder', async () => {
    const dir = join(scratch(), 'empty');
    mkdirSync(dir);
    expect((await runCli(['run', tiny, '--out', dir, '--only', 'trace'])).status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, 'trace.ndjson']);
  });

  it('removes the temporaries of killed runs of the same output, keeps those of a live process', async () => {
    const parent = scratch();
    const dead = deadPid();
    mkdirSync(join(parent, `.run.tmp-${dead}`));
    writeFileSync(join(parent, `.run.tmp-${dead}`, 'trace.ndjson'), 'half a trace');
    mkdirSync(join(parent, `.run.tmp-${process.pid}`));
    mkdirSync(join(parent, `.other.tmp-${dead}`)); // not this output's: not ours to judge
    const r = await runCli(['run', tiny, '--out', join(parent, 'run'), '--only', 'trace']);
    expect(r.status).toBe(0);
    expect(readdirSync(parent).sort()).toEqual([`.other.tmp-${dead}`, `.run.tmp-${process.pid}`, 'run']);
  });
});

describe('test --update', () => {
  it('writes the golden through a temporary file and a rename', async () => {
    const dir = scratch();
    cpSync(tiny, join(dir, 'tiny.yaml'));
    const golden = join(dir, 'tiny.golden.ndjson');
    writeFileSync(golden, 'an old golden\n');
    const before = statSync(golden).ino;
    expect((await runCli(['test', dir, '--update'])).status).toBe(0);
    // A new file renamed over the old one, not the old one truncated and rewritten in place.
    expect(statSync(golden).ino).not.toBe(before);
    expect(readFileSync(golden, 'utf8')).toMatch(/^\{"t":0,/);
    expect(readdirSync(dir).sort()).toEqual(['tiny.golden.ndjson', 'tiny.yaml']);
  });
});
