import { mkdtempSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatGoldenDifference, GoldenComparator, type GoldenLineSource } from '../../src/scenario/golden.js';
import { GoldenFileReader } from '../../src/cli/golden-file.js';

/** A golden given as text, served a line at a time, counting how far it was read. */
function source(text: string | Uint8Array): GoldenLineSource & { pulled: number } {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
  let at = 0;
  const s = {
    pulled: 0,
    next(): Uint8Array | null {
      if (at >= bytes.length) return null;
      let lf = bytes.indexOf(10, at);
      if (lf < 0) lf = bytes.length;
      const line = bytes.subarray(at, lf);
      at = lf + 1;
      s.pulled++;
      return line;
    },
  };
  return s;
}

const run = ['{"t":0,"seq":0,"node":"","type":"sim.start"}', '{"t":5,"seq":1,"node":"a","type":"x","n":1}', '{"t":9,"seq":2,"node":"b","type":"y"}'];

function compare(golden: string | Uint8Array, lines: string[], context = 3) {
  const c = new GoldenComparator(source(golden), { context });
  for (const l of lines) c.push(l);
  const d = c.finish();
  return { d, text: d ? formatGoldenDifference(d) : '' };
}

describe('golden comparison', () => {
  it('finds no difference in the same trace, with or without a final LF', () => {
    expect(compare(run.join('\n') + '\n', run).d).toBeNull();
    expect(compare(run.join('\n'), run).d).toBeNull();
  });

  it('a golden with CRLF line ends differs at the end of record 1, shown as \\r', () => {
    const { d, text } = compare(run.join('\r\n') + '\r\n', run);
    expect(d).toMatchObject({ record: 1, column: run[0]!.length + 1, hint: 'the golden trace has CRLF line ends' });
    expect(text).toContain(`at column ${run[0]!.length + 1}`);
    expect(text).toContain(`golden:   ${run[0]}\\r`);
    expect(text).toContain(`this run: ${run[0]}\n`);
  });

  it('a golden with a byte-order mark differs at column 1, shown as \\xEF\\xBB\\xBF', () => {
    const { d, text } = compare('\uFEFF' + run.join('\n') + '\n', run);
    expect(d).toMatchObject({ record: 1, column: 1, hint: 'the golden trace starts with a UTF-8 byte-order mark' });
    expect(text).toContain('golden:   \\xEF\\xBB\\xBF{"t":0,');
    expect(text).toContain('this run: {"t":0,');
  });

  it('a one-byte difference in a long line: its column, and only the bytes around it', () => {
    const long = `{"t":7,"seq":1,"node":"a","type":"x","text":"${'a'.repeat(5_000_000)}"}`;
    const changed = long.slice(0, 3_000_000) + 'b' + long.slice(3_000_001);
    const { d, text } = compare([run[0], long, run[2]].join('\n') + '\n', [run[0]!, changed, run[2]!]);
    expect(d).toMatchObject({ record: 2, column: 3_000_001 });
    expect(text).toContain('at column 3000001');
    expect(text).toMatch(/golden: {3}…\(2999920 bytes\) a{160} …\(1999967 more bytes\)\n/);
    expect(text).toMatch(/this run: …\(2999920 bytes\) a{80}ba{79} …\(1999967 more bytes\)\n/);
    expect(text.length).toBeLessThan(3000);
    // The caret points at the differing byte.
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('    this run: '));
    expect(lines[at + 1]!.indexOf('^')).toBe(lines[at]!.indexOf('ba'));
  });

  it('context lines are shortened too', () => {
    const long = `{"t":1,"seq":1,"text":"${'z'.repeat(1_000_000)}"}`;
    const { text } = compare([run[0], long, run[2]].join('\n') + '\n', [run[0]!, long, '{"t":10}']);
    expect(text).toMatch(/ {2}2 {2}\{"t":1,"seq":1,"text":"z{137} …\(999865 more bytes\)\n/);
    expect(text.length).toBeLessThan(2000);
  });

  it('a trace that ends early, on either side', () => {
    expect(compare(run.slice(0, 2).join('\n') + '\n', run).text).toContain('-         (trace ends after 2 records)');
    const shorter = compare(run.join('\n') + '\n', run.slice(0, 2));
    expect(shorter.d).toMatchObject({ record: 3, column: null, runEnds: 2 });
    expect(shorter.text).toContain('+         (trace ends after 2 records)');
  });

  it('escapes control bytes, backslashes and non-ASCII bytes', () => {
    const { text } = compare('{"a":"\\u0001\t\\\\é"}\n', ['{"a":"x"}']);
    expect(text).toContain('golden:   {"a":"\\\\u0001\\t\\\\\\\\\\xC3\\xA9"}');
  });

  it('streams: pulls each golden line as the run pushes its record, tens of MB without holding them', () => {
    const lines = 150_000;
    const line = (i: number): string => `{"t":${i},"seq":${i},"node":"n${i % 97}","type":"tcp.segment","pad":"${'p'.repeat(200)}"}`;
    let served = 0;
    const golden: GoldenLineSource = {
      next() {
        if (served >= lines) return null;
        return Buffer.from(line(served++));
      },
    };
    const c = new GoldenComparator(golden, { context: 3 });
    let bytes = 0;
    let ahead = 0;
    for (let i = 0; i < lines; i++) {
      const l = i === lines - 1 ? line(i).replace('"pad"', '"pod"') : line(i);
      bytes += l.length + 1;
      c.push(l);
      ahead = Math.max(ahead, served - (i + 1));
    }
    // Never more than the record being compared is read ahead of the run.
    expect(ahead).toBe(0);
    expect(bytes).toBeGreaterThan(30_000_000);
    const d = c.finish()!;
    expect(d).toMatchObject({ record: lines, column: line(lines - 1).indexOf('"pad"') + 3 });
    // Only the context is kept: three records before the difference.
    expect(d.before.map((b) => b.record)).toEqual([lines - 3, lines - 2, lines - 1]);
  });

  it('reads a golden file of tens of MB line by line with a buffer the size of a line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-golden-'));
    const file = join(dir, 'big.golden.ndjson');
    const fd = openSync(file, 'w');
    const line = (i: number): string => `{"t":${i},"seq":${i},"pad":"${'q'.repeat(300)}"}`;
    const lines = 100_000;
    for (let i = 0; i < lines; i += 1000) writeSync(fd, Array.from({ length: 1000 }, (_, k) => line(i + k)).join('\n') + '\n');
    // One long line near the end: the buffer grows to it, not to the file.
    writeSync(fd, `{"long":"${'L'.repeat(1_000_000)}"}\n`);
    closeSync(fd);
    const reader = new GoldenFileReader(file);
    const c = new GoldenComparator(reader, { context: 2 });
    for (let i = 0; i < lines; i++) c.push(line(i));
    c.push(`{"long":"${'L'.repeat(1_000_000)}"}`);
    expect(c.finish()).toBeNull();
    reader.close();
    expect(reader.bufferSize).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
