/**
 * The shape of all of src/: exported names that mean one thing (each defined once), and files
 * that read in one sitting. The layers' own layout tests (test/scenario, test/output) say more.
 */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedDefinitions, lines, tsFiles } from './helpers/source-files.js';

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

/**
 * Files allowed above 600 lines. The parser keeps its state machine whole (as llhttp does).
 * TEMPORARY, to leave this list when its split lands: nodes/endpoint/endpoint-node.ts (995 lines)
 * still holds SDP offer/answer, re-offers and the session's life (issue 12).
 */
const LONG_ALLOWED = new Set(['src/wire/parser.ts', 'src/nodes/endpoint/endpoint-node.ts']);

describe('src/ reads in one sitting', () => {
  it('no source file above 600 lines but the parser (and the temporary exceptions)', () => {
    const long = tsFiles(join(root, 'src'))
      .filter((f) => !LONG_ALLOWED.has(rel(f)) && lines(f) > 600)
      .map((f) => `${rel(f)}: ${lines(f)} lines`);
    expect(long).toEqual([]);
  });
});
