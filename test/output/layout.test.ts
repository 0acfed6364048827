/**
 * The shape of src/output and src/cli: files that read in one sitting, and exported names that
 * mean one thing across src/.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, tsFiles } from '../helpers/source-files.js';

const root = join(import.meta.dirname, '..', '..');



describe('src/output reads in one sitting', () => {
  it('no file above 600 lines', () => {
    const long = tsFiles(join(root, 'src', 'output')).filter((f) => lines(f) > 600);
    expect(long.map((f) => `${relative(root, f)}: ${lines(f)} lines`)).toEqual([]);
  });

  it('the flow model is cut into parts of at most 400 lines', () => {
    const parts = tsFiles(join(root, 'src', 'output')).filter((f) => /[/\\](flow[^/\\]*|lane-order)\.ts$/.test(f));
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.filter((f) => lines(f) > 400).map((f) => `${relative(root, f)}: ${lines(f)} lines`)).toEqual([]);
  });
});

/** `export function|const|class|interface|type|enum NAME`: a definition, not a re-export. */
const DEFINITION = /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;

describe('exported names mean one thing', () => {
  it('no name exported by src/output or src/cli is defined again elsewhere in src/', () => {
    const where = new Map<string, string[]>();
    for (const f of tsFiles(join(root, 'src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(DEFINITION)) {
        const list = where.get(m[1]!) ?? [];
        list.push(relative(root, f).replace(/\\/g, '/'));
        where.set(m[1]!, list);
      }
    }
    const twice = [...where]
      .filter(([, files]) => files.length > 1 && files.some((f) => f.startsWith('src/output/') || f.startsWith('src/cli/')))
      .map(([name, files]) => `${name}: ${files.join(', ')}`);
    expect(twice).toEqual([]);
  });
});
