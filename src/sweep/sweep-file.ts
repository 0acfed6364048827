/**
 * Reading a sweep file: YAML (or JSON) with positions, its shape checked against definition.ts,
 * its axes and parameter paths parsed, every problem at once as `FILE:LINE:COL: message`.
 * Reads no files: the CLI does that.
 */
import type { TSchema } from '../vendor/typebox.js';
import { Diagnostics, Positions } from '../scenario/diagnostics.js';
import type { Problem } from '../scenario/problems.js';
import { INVALID, ShapeChecker } from '../scenario/shape.js';
import { parseJsonSource, parseYamlSource } from '../scenario/source.js';
import type { Range, SrcNode } from '../scenario/source.js';
import { COMBINE_NAMES, FIGURE_NAMES, SweepFileSchema, type CombineName, type FigureName, type SweepFile } from './definition.js';
import { parseParameterPath, type PathStep } from './parameter-path.js';

export interface SweepParameter {
  /** As written: `links[relay-a,relay-b].loss`. */
  path: string;
  pathRange: Range;
  steps: PathStep[];
  /** The values as written, with their places in the sweep file. */
  values: SrcNode[];
}

export interface SweepAxis {
  name: string;
  /** One or more parameters, zipped. */
  parameters: SweepParameter[];
  length: number;
}

export interface SweepSpec {
  file: string;
  /** The text the ranges point into (without a byte order mark). */
  text: string;
  name: string;
  description: string;
  scenario: string;
  scenarioRange: Range;
  axes: SweepAxis[];
  /** null: each parameter set runs once, with the scenario's own seed. */
  seeds: number[] | null;
  figures: FigureName[];
  grid: { figure: FigureName; combine: CombineName };
}

export type SweepFileResult = { ok: true; spec: SweepSpec } | { ok: false; problems: Problem[] };

/** More runs than this is a mistake in the file (a range written `1..1000000`), not a sweep. */
export const MAX_RUNS = 1_000_000;

export function parseSweepFile(file: string, source: string): SweepFileResult {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const diag = new Diagnostics(file, text);
  const parsed = /\.json$/iu.test(file) ? parseJsonSource(text) : parseYamlSource(text);
  if (!parsed.ok) {
    for (const p of parsed.problems) diag.error(p.offset, [], p.message);
    return { ok: false, problems: diag.sorted() };
  }
  const root = parsed.root;
  if (root === null || root.kind !== 'map') {
    diag.error(root?.range ?? 0, [], 'a sweep file is a mapping with `sweep`, `scenario` and `axes`');
    return { ok: false, problems: diag.sorted() };
  }
  // The axes' values are the scenario's to check (per cell); the shape checker sees the rest.
  const axesEntry = root.entries.find((e) => e.key === 'axes');
  const shapeRoot: SrcNode = { ...root, entries: root.entries.map((e) => (e.key === 'axes' && e.value.kind === 'map' ? { ...e, value: { kind: 'map', entries: [], range: e.value.range } } : e)) };
  const positions = new Positions(shapeRoot);
  const checker = new ShapeChecker(diag, positions, (range) => diag.where(range[0]));
  const checked = checker.check(SweepFileSchema as TSchema, shapeRoot, []);
  const written = (checked === INVALID ? {} : checked) as Partial<SweepFile>;

  const axes: SweepAxis[] = [];
  if (axesEntry !== undefined && axesEntry.value.kind === 'map') {
    if (axesEntry.value.entries.length === 0) diag.error(axesEntry.value.range, ['axes'], 'needs at least one axis');
    const seenPaths = new Map<string, string>();
    for (const a of axesEntry.value.entries) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/u.test(a.key)) diag.error(a.keyRange, ['axes'], `\`${a.key}\` is not an axis name (letters, digits, \`.\`, \`_\` and \`-\`)`);
      if (a.value.kind !== 'map' || a.value.entries.length === 0) {
        diag.error(a.value.range, ['axes', a.key], 'expected a mapping from parameter paths to lists of values (`nodes.relay-b.profile: [rfc4976, kamailio]`)');
        continue;
      }
      const parameters: SweepParameter[] = [];
      for (const p of a.value.entries) {
        const parsedPath = parseParameterPath(p.key);
        if (!parsedPath.ok) diag.error(p.keyRange, ['axes', a.key], parsedPath.message);
        const other = seenPaths.get(p.key);
        if (other !== undefined) diag.error(p.keyRange, ['axes', a.key], `\`${p.key}\` is already swept by the axis \`${other}\``);
        seenPaths.set(p.key, a.key);
        if (p.value.kind !== 'seq' || p.value.items.length === 0) {
          diag.error(p.value.range, ['axes', a.key, p.key], 'expected a list of one or more values');
          continue;
        }
        if (parsedPath.ok) parameters.push({ path: p.key, pathRange: p.keyRange, steps: parsedPath.steps, values: p.value.items });
      }
      const length = parameters[0]?.values.length ?? 0;
      for (const p of parameters.slice(1)) {
        if (p.values.length !== length) diag.error(p.pathRange, ['axes', a.key], `zipped with \`${parameters[0]!.path}\`, \`${p.path}\` needs ${length} values (one for each of its values), not ${p.values.length}`);
      }
      if (parameters.length > 0) axes.push({ name: a.key, parameters, length });
    }
  }

  let seeds: number[] | null = null;
  const seedNode = root.entries.find((e) => e.key === 'seed');
  if (written.seed !== undefined && seedNode !== undefined) {
    if (typeof written.seed === 'number') seeds = [written.seed];
    else if (Array.isArray(written.seed)) seeds = written.seed;
    else {
      const [from, to] = written.seed.split('..').map((s) => Number(s.trim())) as [number, number];
      if (to < from) diag.error(seedNode.value.range, ['seed'], `the range \`${written.seed}\` is empty: write the smaller seed first`);
      else if (to - from + 1 > MAX_RUNS) diag.error(seedNode.value.range, ['seed'], `the range \`${written.seed}\` holds more than ${MAX_RUNS} seeds`);
      else seeds = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    }
    if (seeds !== null && new Set(seeds).size !== seeds.length) diag.error(seedNode.value.range, ['seed'], 'a seed is listed twice; each run of a parameter set needs its own');
  }
  const runs = axes.reduce((n, a) => n * a.length, 1) * (seeds?.length ?? 1);
  if (runs > MAX_RUNS && axesEntry !== undefined) diag.error(axesEntry.keyRange, ['axes'], `the sweep has ${runs} runs; msrp-sim runs at most ${MAX_RUNS} in one sweep`);
  if (diag.hasErrors()) return { ok: false, problems: diag.sorted() };
  const scenarioEntry = root.entries.find((e) => e.key === 'scenario')!;
  return {
    ok: true,
    spec: {
      file,
      text,
      name: written.sweep!,
      description: written.description ?? '',
      scenario: written.scenario!,
      scenarioRange: scenarioEntry.value.range,
      axes,
      seeds,
      figures: written.figures ?? [...FIGURE_NAMES],
      grid: { figure: written.grid?.figure ?? 'latencyP95', combine: written.grid?.combine ?? COMBINE_NAMES[0] },
    },
  };
}
