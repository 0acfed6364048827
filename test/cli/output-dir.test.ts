import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamFile } from '../../src/cli/output-dir.js';

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
});
