/**
 * `loadScenario`: a scenario file's name and text in, a checked `Scenario` or every problem out.
 * Reads no files: the CLI does that.
 */
import type { TSchema } from '../vendor/typebox.js';
import { ScenarioFileSchema } from './definition.js';
import type { ScenarioFile } from './definition.js';
import { Diagnostics, Positions } from './diagnostics.js';
import { expandGroups } from './groups.js';
import { normalize } from './normalize.js';
import type { NormalizeOptions } from './normalize.js';
import type { Problem } from './problems.js';
import { INVALID, ShapeChecker } from './shape.js';
import { parseJsonSource, parseYamlSource } from './source.js';
import type { SrcNode } from './source.js';
import type { Scenario } from './types.js';

export type LoadOptions = NormalizeOptions;

export type LoadResult = { ok: true; scenario: Scenario; warnings: Problem[] } | { ok: false; problems: Problem[] };

/** Larger than any scenario needs; past it, the file is refused before it is parsed. */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;
/** What is said of a larger file (by the CLI too, which reads no more of it than that). */
export const TOO_LARGE = `the file is larger than ${MAX_SCENARIO_BYTES / 1024 / 1024} MiB; no scenario needs that much`;

/**
 * Loads a scenario from its text. `file` names it in problems (`FILE:LINE:COL: message`); a name
 * ending in `.json` is read as JSON, anything else as YAML. On failure, `problems` holds every
 * error found, with the warnings, in file order.
 */
export function loadScenario(file: string, source: string, options: LoadOptions = {}): LoadResult {
  // A byte order mark is invisible in editors, so columns are counted without it.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const diag = new Diagnostics(file, text);
  if (text.length > MAX_SCENARIO_BYTES) {
    diag.error(0, [], TOO_LARGE);
    return { ok: false, problems: diag.sorted() };
  }
  const control = firstControlCharacter(text);
  if (control >= 0) {
    // YAML and JSON allow no control characters but tab and line ends: this is no text file
    // (or a corrupted one), and what a parser would make of it says nothing useful.
    const code = text.charCodeAt(control).toString(16).toUpperCase().padStart(4, '0');
    diag.error(control, [], `the file is not text: it holds the control character U+${code} here; a scenario is a YAML or JSON text file`);
    return { ok: false, problems: diag.sorted() };
  }
  const parsed = /\.json$/iu.test(file) ? parseJsonSource(text) : parseYamlSource(text);
  if (!parsed.ok) {
    for (const p of parsed.problems) diag.error(p.offset, [], p.message);
    return { ok: false, problems: diag.sorted() };
  }
  return loadScenarioTree(file, text, parsed.root, options);
}

/**
 * Loads a scenario from a source tree already parsed (a sweep's cell: the scenario's tree with
 * some values replaced). `text` is the text the tree's ranges point into, for lines and columns.
 */
export function loadScenarioTree(file: string, text: string, root: SrcNode | null, options: LoadOptions = {}): LoadResult {
  const diag = new Diagnostics(file, text);
  if (root === null) {
    diag.error(0, [], 'the file is empty; a scenario needs at least `name` and `nodes`');
    return { ok: false, problems: diag.sorted() };
  }
  const expanded = expandGroups(root, diag);
  if (expanded === null) return { ok: false, problems: diag.sorted() };
  root = expanded.root;
  diag.member = expanded.members.describe;
  const positions = new Positions(root);
  const checker = new ShapeChecker(diag, positions, (range) => diag.where(range[0]));
  const checked = checker.check(ScenarioFileSchema, root, []);
  if (checked === INVALID && root.kind !== 'map') return { ok: false, problems: diag.sorted() };
  // With the shape wrong somewhere, what is right is still checked for references and times.
  const written = (checked === INVALID ? partialTopLevel(root) : checked) as Partial<ScenarioFile>;
  const scenario = normalize(written, root, positions, diag, options);
  if (diag.hasErrors()) return { ok: false, problems: diag.sorted() };
  return { ok: true, scenario, warnings: diag.sorted() };
}

/**
 * The top-level keys that are well formed, when the file as a whole is not (a required key is
 * missing, say). Checked again quietly, since their problems are already reported.
 */
function partialTopLevel(root: SrcNode): Partial<ScenarioFile> {
  const out: Record<string, unknown> = {};
  if (root.kind !== 'map') return out;
  const quiet = new ShapeChecker({ error() {} }, new Positions(root), () => '');
  const props = ScenarioFileSchema.properties as Record<string, TSchema>;
  for (const e of root.entries) {
    if (!Object.hasOwn(props, e.key) || Object.hasOwn(out, e.key)) continue;
    const v = quiet.check(props[e.key]!, e.value, [e.key]);
    if (v !== INVALID) out[e.key] = v;
  }
  return out;
}

/** Offset of the first C0 control character other than tab, LF and CR (or DEL); -1 if none. */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return i;
  }
  return -1;
}
