import { existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileLines, InputTooLargeError, LineTooLongError, readFileHead, readInputFile, readUserFile } from '../../src/cli/input-files.js';
import { loadFile } from '../../src/cli/scenario-files.js';
import { readNdjson, readNdjsonLines } from '../../src/output/ndjson.js';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';

const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-input-'));
const hasDevZero = existsSync('/dev/zero');

describe('readInputFile', () => {
  it('reads a file of at most the limit whole, in pieces of any size', () => {
    const file = join(dir, 'ten.txt');
    writeFileSync(file, '0123456789');
    expect(readInputFile(file, 10).toString()).toBe('0123456789');
    expect(readInputFile(file, 10, 3).toString()).toBe('0123456789');
    expect(readInputFile(file, 100, 1).toString()).toBe('0123456789');
  });

  it('refuses a regular file larger than the limit by its size, without reading it', () => {
    const file = join(dir, 'sparse.bin');
    writeFileSync(file, '');
    truncateSync(file, 64 * 1024 * 1024 * 1024); // 64 GiB of holes: reading it would never end here
    expect(() => readInputFile(file, 1000)).toThrow(InputTooLargeError);
  });

  it.skipIf(!hasDevZero)('refuses a file that never ends after limit + 1 bytes', () => {
    const err = (() => {
      try {
        readInputFile('/dev/zero', 4096, 1000);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(InputTooLargeError);
    expect((err as Error).message).toBe('/dev/zero is larger than 4 KiB');
  });

  it('gives the file system error, with its code, for a folder or a missing file', () => {
    expect(() => readInputFile(dir, 100)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => readInputFile(join(dir, 'nothing'), 100)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => readFileHead(dir, 4)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });

  it('says in readUserFile what the file was for and why it was not read', () => {
    expect(() => readUserFile(join(dir, 'nothing.pem'), '--tls-cert')).toThrow(`--tls-cert: cannot read ${join(dir, 'nothing.pem')}: no such file`);
    expect(() => readUserFile(dir, '--users')).toThrow(`--users: cannot read ${dir}: it is a folder`);
    const file = join(dir, 'eleven.txt');
    writeFileSync(file, '01234567890');
    expect(() => readUserFile(file, '--users', 10)).toThrow(`--users: cannot read ${file}: it is larger than 10 bytes, more than msrp-sim reads of such a file`);
  });
});

describe('fileLines', () => {
  const text = 'première ligne\n\nλ-second, ünïcödé 🎉\r\nlast without newline';
  const file = join(dir, 'lines.txt');
  writeFileSync(file, text);

  it('gives the same lines as splitting the text, whatever the piece size (multi-byte characters cut across pieces)', () => {
    const expected = text.split('\n');
    for (const size of [1, 2, 3, 5, 7, 64, 1 << 20]) expect([...fileLines(file, 1000, size)]).toEqual(expected);
  });

  it('gives no empty last line after a final newline, and none at all for an empty file', () => {
    const a = join(dir, 'final-newline.txt');
    writeFileSync(a, 'a\nb\n');
    expect([...fileLines(a, 10, 1)]).toEqual(['a', 'b']);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    expect([...fileLines(empty, 10)]).toEqual([]);
  });

  it('stops at a line longer than the limit, naming it, with or without its newline', () => {
    const a = join(dir, 'long.txt');
    writeFileSync(a, 'short\n' + 'x'.repeat(50) + '\nshort\n');
    expect(() => [...fileLines(a, 20, 8)]).toThrow(new LineTooLongError(a, 2, 20));
    const b = join(dir, 'long-unended.txt');
    writeFileSync(b, 'short\n' + 'x'.repeat(50));
    expect(() => [...fileLines(b, 20, 8)]).toThrow(`${b}:2: the line is longer than 20 bytes`);
  });

  it('reads a trace as readNdjson reads its text', () => {
    const golden = join(root, 'test/output/golden/two-relays.trace.ndjson');
    const whole = [...readNdjson(readFileSync(golden, 'utf8'))];
    expect(whole.length).toBeGreaterThan(100);
    expect([...readNdjsonLines(fileLines(golden, 1 << 20, 4096))]).toEqual(whole);
  });
});

describe('loadFile', () => {
  it.skipIf(!hasDevZero)('refuses a scenario that never ends as one larger than 16 MiB, not reading on', () => {
    const r = loadFile('/dev/zero');
    expect(!r.ok && r.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual(['/dev/zero:1:1: the file is larger than 16 MiB; no scenario needs that much']);
  });
});

describe('the commands, on files that never end', () => {
  ensureBuilt();

  it.skipIf(!hasDevZero)('run, validate, relay --users and diff refuse /dev/zero with exit 2 and one line', async () => {
    const cases: [string[], string][] = [
      [['run', '/dev/zero', '--out', join(dir, 'out-run')], '/dev/zero:1:1: the file is larger than 16 MiB; no scenario needs that much'],
      [['validate', '/dev/zero'], '/dev/zero:1:1: the file is larger than 16 MiB; no scenario needs that much'],
      [['relay', '--listen', '127.0.0.1:0', '--users', '/dev/zero', '--out', join(dir, 'out-relay')], '--users: cannot read /dev/zero: it is larger than 16 MiB, more than msrp-sim reads of such a file'],
      [['diff', '/dev/zero', '/dev/zero'], 'diff: /dev/zero:1: the line is longer than 256 MiB: not a trace msrp-sim wrote'],
    ];
    for (const [args, message] of cases) {
      const r = await runCliAsync(args);
      expect({ args, status: r.status, stderr: r.stderr.trim() }).toEqual({ args, status: 2, stderr: message });
    }
  }, 120_000);

  it('relay names a certificate file it cannot read instead of failing inside', async () => {
    const r = await runCliAsync(['relay', '--listen', '127.0.0.1:0', '--user', 'a:b', '--tls-cert', join(dir, 'none.pem'), '--tls-key', join(dir, 'none.key'), '--out', join(dir, 'out-tls')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`--tls-cert: cannot read ${join(dir, 'none.pem')}: no such file`);
  }, 60_000);
});
