/**
 * Finding and loading scenario files for the commands: a path is a file or a directory searched
 * for `*.yaml`, `*.yml` and `*.json` scenarios; problems come back as `FILE:LINE:COL: message`.
 * A directory named `large` (such as scenarios/large/, the benchmark's scenarios, which take
 * seconds to load and write gigabytes of trace) is searched only when it is named itself.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadScenario, formatProblem, type LoadOptions, type Problem } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { CliError, EXIT } from './errors.js';

const SCENARIO_FILE = /\.(ya?ml|json)$/i;
/** Directories a search passes over unless they are named as a path. */
const SKIPPED_UNLESS_NAMED = 'large';

/**
 * Scenario files under `paths` (files as given, directories searched, but not their `large`
 * subdirectories), sorted, no duplicates.
 */
export function findScenarioFiles(paths: string[]): string[] {
  const out = new Set<string>();
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new CliError(`no such file or directory: ${p}`, EXIT.usage);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.') || name === 'node_modules') continue;
        const child = join(p, name);
        if (statSync(child).isDirectory()) {
          if (name !== SKIPPED_UNLESS_NAMED) walk(child);
        } else if (SCENARIO_FILE.test(name) && !name.endsWith('.schema.json')) out.add(child);
      }
    } else out.add(p);
  };
  for (const p of paths) walk(p);
  return [...out].sort();
}

export type Loaded = { file: string; ok: true; scenario: Scenario; warnings: Problem[] } | { file: string; ok: false; problems: Problem[] };

export function loadFile(file: string, options: LoadOptions = {}): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, ok: false, problems: [{ file, line: 1, column: 1, message: `cannot read the file: ${(err as Error).message}`, severity: 'error' }] };
  }
  const shown = relative(process.cwd(), file) || file;
  const result = loadScenario(shown.startsWith('..') ? file : shown, text, options);
  return result.ok ? { file, ok: true, scenario: result.scenario, warnings: result.warnings } : { file, ok: false, problems: result.problems };
}

export { formatProblem };
