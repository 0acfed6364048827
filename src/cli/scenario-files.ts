/**
 * Finding and loading scenario files for the commands: a path is a file or a directory searched
 * for `*.yaml`, `*.yml` and `*.json` scenarios; problems come back as `FILE:LINE:COL: message`.
 * A directory named `large` (such as scenarios/large/, the benchmark's scenarios, which take
 * seconds to load and write gigabytes of trace) or `live` (scenarios/live/, against real relays)
 * is searched only when it is named itself.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadScenario, formatProblem, MAX_SCENARIO_BYTES, TOO_LARGE, type LoadOptions, type Problem } from '../scenario/index.js';
import { LineIndex } from '../scenario/source.js';
import type { Scenario } from '../scenario/types.js';
import { CliError, EXIT } from './errors.js';
import { InputTooLargeError, readInputFile } from './input-files.js';
import { packagePath } from './package-files.js';

const SCENARIO_FILE = /\.(ya?ml|json)$/i;
/**
 * Directories a search passes over unless they are named as a path: `large` (the benchmark's
 * scenarios) and `live` (scenarios against real relays, which need one running: docs/live.md).
 */
const SKIPPED_UNLESS_NAMED = new Set(['large', 'live']);

/** The `scenarios/` folder shipped with the package. */
export function bundledScenarioDir(): string {
  return packagePath('scenarios');
}

/** A bundled scenario's name is its file name without the extension: what `list` prints. */
const BUNDLED_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A path as given, or, where nothing exists at it and it is a bare name (no folder, no
 * extension), the bundled scenario of that name, so that `msrp-sim run push-via-two-relays` works
 * from an installed package as from a checkout. A file in the working directory wins.
 */
export function resolveScenarioPath(p: string): string {
  if (existsSync(p) || !BUNDLED_NAME.test(p) || SCENARIO_FILE.test(p)) return p;
  const dir = bundledScenarioDir();
  for (const ext of ['.yaml', '.yml', '.json']) {
    const candidate = join(dir, p + ext);
    if (existsSync(candidate)) return candidate;
  }
  return p;
}

/**
 * Scenario files under `paths` (files as given, directories searched, but not their `large` and
 * `live` subdirectories), sorted, no duplicates.
 */
export function findScenarioFiles(paths: string[]): string[] {
  const out = new Set<string>();
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      const bare = BUNDLED_NAME.test(p) && !SCENARIO_FILE.test(p);
      throw new CliError(`no such file or directory: ${p}${bare ? ' (nor a bundled scenario of that name: see `msrp-sim list`)' : ''}`, EXIT.usage);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.') || name === 'node_modules') continue;
        const child = join(p, name);
        if (statSync(child).isDirectory()) {
          if (!SKIPPED_UNLESS_NAMED.has(name)) walk(child);
        } else if (SCENARIO_FILE.test(name) && !name.endsWith('.schema.json')) out.add(child);
      }
    } else out.add(p);
  };
  for (const p of paths) walk(resolveScenarioPath(p));
  return [...out].sort();
}

export type Loaded = { file: string; ok: true; scenario: Scenario; warnings: Problem[] } | { file: string; ok: false; problems: Problem[] };

export function loadFile(file: string, options: LoadOptions = {}): Loaded {
  const shown = relative(process.cwd(), file) || file;
  const name = shown.startsWith('..') ? file : shown;
  let bytes: Buffer;
  try {
    // No more than a scenario may hold: a huge file, a device or a pipe is refused, not read on.
    bytes = readInputFile(file, MAX_SCENARIO_BYTES);
  } catch (err) {
    if (err instanceof InputTooLargeError) return { file, ok: false, problems: [{ file: name, line: 1, column: 1, message: TOO_LARGE, severity: 'error' }] };
    return { file, ok: false, problems: [{ file, line: 1, column: 1, message: `cannot read the file: ${(err as Error).message}`, severity: 'error' }] };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    // Decoding would turn the byte into U+FFFD silently; say where the file stops being UTF-8.
    const before = bytes.subarray(0, bad).toString('utf8').replace(/^\uFEFF/u, '');
    const { line, column } = new LineIndex(before).position(before.length);
    const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
    return { file, ok: false, problems: [{ file: name, line, column, message: `the file is not UTF-8 text: byte 0x${byte} here is not valid UTF-8; a scenario is a YAML or JSON text file`, severity: 'error' }] };
  }
  const text = bytes.toString('utf8');
  const result = loadScenario(name, text, options);
  return result.ok ? { file, ok: true, scenario: result.scenario, warnings: result.warnings } : { file, ok: false, problems: result.problems };
}

export { formatProblem };

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence; -1 if none. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [n, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [n, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += n + 1;
  }
  return -1;
}
