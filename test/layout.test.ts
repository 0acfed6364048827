/**
 * The shape of all of src/: exported names that mean one thing (each defined once), and files
 * that read in one sitting. The layers' own layout tests (test/scenario, test/output) say more.
 */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedDefinitions } from './helpers/source-files.js';

const root = join(import.meta.dirname, '..');
const rel = (file: string): string => relative(root, file).replace(/\\/g, '/');

describe('exported names mean one thing', () => {
  it('no name exported from src/ is defined in two files', () => {
    const twice = [...exportedDefinitions(join(root, 'src'), rel)]
      .filter(([, files]) => files.length > 1)
      .map(([name, files]) => `${name}: ${files.join(', ')}`);
    expect(twice).toEqual([]);
  });
});
