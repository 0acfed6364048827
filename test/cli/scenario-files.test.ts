import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenarioFiles } from '../../src/cli/scenario-files.js';

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
