/**
 * The shape of src/output and src/cli: files that read in one sitting, and exported names that
 * mean one thing across src/.
 */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedDefinitions, lines, tsFiles } from '../helpers/source-files.js';

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

describe('exported names mean one thing', () => {
  it('no name exported by src/output or src/cli is defined again elsewhere in src/', () => {
    const where = exportedDefinitions(join(root, 'src'), (f) => relative(root, f).replace(/\\/g, '/'));
    const twice = [...where]
      .filter(([, files]) => files.length > 1 && files.some((f) => f.startsWith('src/output/') || f.startsWith('src/cli/')))
      .map(([name, files]) => `${name}: ${files.join(', ')}`);
    expect(twice).toEqual([]);
  });
});
