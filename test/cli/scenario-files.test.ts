import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenarioFiles, firstInvalidUtf8, loadFile } from '../../src/cli/scenario-files.js';

describe('findScenarioFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-files-'));
  for (const f of ['a.yaml', 'sub/b.yml', 'large/big.yaml', 'sub/large/bigger.json', 'notes.txt', 'schema/x.schema.json']) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), 'name: x\n');
  }

  it('searches directories, but passes over `large` ones unless they are named', () => {
    expect(findScenarioFiles([dir])).toEqual([join(dir, 'a.yaml'), join(dir, 'sub/b.yml')]);
    expect(findScenarioFiles([join(dir, 'large')])).toEqual([join(dir, 'large/big.yaml')]);
    expect(findScenarioFiles([join(dir, 'sub/large/bigger.json')])).toEqual([join(dir, 'sub/large/bigger.json')]);
  });
});

describe('loadFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-load-'));

  it('says where a file stops being UTF-8, instead of reading U+FFFD into it', () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, Buffer.from('name: x\ndescription: caf\xe9\nnodes: { a: { role: relay } }\n', 'latin1'));
    const r = loadFile(file);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => [p.line, p.column, p.message])).toEqual([[2, 17, 'the file is not UTF-8 text: byte 0xE9 here is not valid UTF-8; a scenario is a YAML or JSON text file']]);
  });

  it('refuses binary junk with one clear problem', () => {
    const file = join(dir, 'junk.yaml');
    writeFileSync(file, Buffer.from([0x7a, 0x1d, 0xff, 0xfe, 0x00, 0x41]));
    const r = loadFile(file);
    expect(!r.ok && r.problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual(['1:3: the file is not UTF-8 text: byte 0xFF here is not valid UTF-8; a scenario is a YAML or JSON text file']);
  });
});

describe('firstInvalidUtf8', () => {
  it('accepts every well-formed sequence and finds the first ill-formed one', () => {
    expect(firstInvalidUtf8(Buffer.from('aé€😀', 'utf8'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // cut short
    expect(firstInvalidUtf8(Buffer.from([0xf5, 0x80, 0x80, 0x80]))).toBe(0); // past U+10FFFF
  });
});
