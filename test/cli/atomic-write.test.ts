import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/cli/atomic-write.js';
import { IoError } from '../../src/cli/errors.js';
import { failingFs } from '../helpers/fake-io.js';

describe('writeFileAtomic', () => {
  it('replaces a file whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-atomic-'));
    const path = join(dir, 'a.golden.ndjson');
    writeFileSync(path, 'old\n');
    writeFileAtomic(path, 'new\n');
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['a.golden.ndjson']);
  });

  it('keeps the old file whole when the write fails half way, and leaves no temporary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-atomic-'));
    const path = join(dir, 'a.golden.ndjson');
    writeFileSync(path, 'the old golden\n');
    const big = 'x'.repeat(1 << 20);
    expect(() => writeFileAtomic(path, big, { fs: failingFs('ENOSPC', 1000) })).toThrow(IoError);
    expect(readFileSync(path, 'utf8')).toBe('the old golden\n');
    expect(readdirSync(dir)).toEqual(['a.golden.ndjson']);
  });

  it('removes a temporary of the same file left by a killed process, not one of a live process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-atomic-'));
    const path = join(dir, 'a.golden.ndjson');
    writeFileSync(join(dir, '.a.golden.ndjson.tmp-7'), 'half');
    writeFileSync(join(dir, '.a.golden.ndjson.tmp-8'), 'being written');
    writeFileAtomic(path, 'new\n', { pid: 9, isAlive: (p) => p === 8 || p === 9 });
    expect(readdirSync(dir).sort()).toEqual(['.a.golden.ndjson.tmp-8', 'a.golden.ndjson']);
  });
});
