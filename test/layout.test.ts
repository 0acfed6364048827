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

/** Files allowed above 600 lines: the parser keeps its state machine whole (as llhttp does). */
const LONG_ALLOWED = new Set(['src/wire/parser.ts']);

/** Thin nodes (issue 12): a node binds the protocol machines to its seams in files of at most this many lines. */
const NODES_LIMIT = 500;

describe('src/ reads in one sitting', () => {
  it('no source file above 600 lines but the parser', () => {
    const long = tsFiles(join(root, 'src'))
      .filter((f) => !LONG_ALLOWED.has(rel(f)) && lines(f) > 600)
      .map((f) => `${rel(f)}: ${lines(f)} lines`);
    expect(long).toEqual([]);
  });

  it(`no file of src/nodes/ above ${NODES_LIMIT} lines`, () => {
    const long = tsFiles(join(root, 'src', 'nodes'))
      .filter((f) => lines(f) > NODES_LIMIT)
      .map((f) => `${rel(f)}: ${lines(f)} lines`);
    expect(long).toEqual([]);
  });
});
