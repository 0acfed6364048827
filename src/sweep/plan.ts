/**
 * A sweep's plan: its parameter sets (cells: the axes crossed, first axis slowest), its runs
 * (each cell with each seed, in that order: the order of every output) and their ids, and the
 * scenario of each cell, made by setting the cell's values in the scenario's source tree and
 * loading it again, so that a value the scenario format refuses is a problem of the sweep file.
 */
import { createHash } from 'node:crypto';
import { loadScenarioTree } from '../scenario/load.js';
import type { Problem } from '../scenario/problems.js';
import { LineIndex, parseJsonSource, parseYamlSource, toPlain } from '../scenario/source.js';
import type { SrcNode } from '../scenario/source.js';
import type { Scenario } from '../scenario/types.js';
import { resolveParameterPath, setAtPath, shiftRanges, type ConcretePath } from './parameter-path.js';
import type { SweepSpec } from './sweep-file.js';
import { executeScenarioRun, type RunHead, type RunHooks, type RunRecord } from './run-figures.js';

import type { PlainValue } from './definition.js';

export type { PlainValue } from './definition.js';

export interface SweepCell {
  index: number;
  /** Index of the value of each axis. */
  at: number[];
  /** The value of each parameter path, as written. */
  parameters: Record<string, PlainValue>;
  /** Each axis's value as a short label (zipped values joined by ` / `). */
  labels: string[];
}

export interface PlannedRun {
  /** Position in the sweep's order. */
  index: number;
  /** A stable id: hash of the scenario text, the cell's parameters, the seed and the version. */
  id: string;
  cell: number;
  seed: number | null;
}

export interface SweepSource {
  sweepFile: string;
  sweepText: string;
  scenarioFile: string;
  scenarioText: string;
  /** The msrp-sim version, part of every run id. */
  version: string;
}

export interface SweepPlan {
  source: SweepSource;
  spec: SweepSpec;
  /** Hash of every run id, in order: names the sweep in a queue. */
  id: string;
  axisNames: string[];
  /** Each axis's value labels. */
  axisLabels: string[][];
  cells: SweepCell[];
  runs: PlannedRun[];
  /** Each parameter's resolved path, by its path as written. */
  paths: Map<string, ConcretePath>;
  root: SrcNode | null;
  cache: Map<number, { ok: true; scenario: Scenario } | { ok: false; problems: Problem[] }>;
}

export type PlanResult = { ok: true; plan: SweepPlan } | { ok: false; problems: Problem[] };

export function hashHex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function label(v: PlainValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function planSweep(spec: SweepSpec, source: SweepSource): PlanResult {
  const text = source.scenarioText.charCodeAt(0) === 0xfeff ? source.scenarioText.slice(1) : source.scenarioText;
  const parsed = /\.json$/iu.test(source.scenarioFile) ? parseJsonSource(text) : parseYamlSource(text);
  const problems: Problem[] = [];
  const sweepLines = new LineIndex(spec.text);
  const at = (offset: number, message: string): Problem => ({ file: spec.file, ...sweepLines.position(offset), message, severity: 'error' });
  if (!parsed.ok || parsed.root === null || parsed.root.kind !== 'map') {
    // The scenario's own problems, as `msrp-sim validate` gives them, are the CLI's to print.
    return { ok: false, problems: [at(spec.scenarioRange[0], `the scenario \`${spec.scenario}\` does not load; \`msrp-sim validate ${source.scenarioFile}\` says why`)] };
  }
  const root = parsed.root;
  const paths = new Map<string, ConcretePath>();
  const owner = new Map<string, string>();
  for (const axis of spec.axes) {
    for (const p of axis.parameters) {
      const r = resolveParameterPath(root, p.steps);
      if (!r.ok) {
        problems.push(at(p.pathRange[0], `axes.${axis.name}: ${r.message}`));
        continue;
      }
      const key = JSON.stringify(r.path);
      const other = owner.get(key);
      if (other !== undefined) problems.push(at(p.pathRange[0], `axes.${axis.name}: \`${p.path}\` names the same setting as \`${other}\``));
      owner.set(key, p.path);
      paths.set(p.path, r.path);
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  const axisLabels = spec.axes.map((a) => Array.from({ length: a.length }, (_, i) => a.parameters.map((p) => label(toPlain(p.values[i]!) as PlainValue)).join(' / ')));
  const cells: SweepCell[] = [];
  const counts = spec.axes.map((a) => a.length);
  const total = counts.reduce((n, c) => n * c, 1);
  for (let index = 0; index < total; index++) {
    const idx: number[] = [];
    let rest = index;
    for (let k = counts.length - 1; k >= 0; k--) {
      idx[k] = rest % counts[k]!;
      rest = Math.floor(rest / counts[k]!);
    }
    const parameters: Record<string, PlainValue> = {};
    spec.axes.forEach((a, k) => {
      for (const p of a.parameters) parameters[p.path] = toPlain(p.values[idx[k]!]!) as PlainValue;
    });
    cells.push({ index, at: idx, parameters, labels: idx.map((v, k) => axisLabels[k]![v]!) });
  }
  const scenarioHash = hashHex(text);
  const runs: PlannedRun[] = [];
  const seeds = spec.seeds ?? [null];
  for (const cell of cells) {
    const params = JSON.stringify(Object.entries(cell.parameters));
    for (const seed of seeds) {
      const id = hashHex(JSON.stringify(['msrp-sim run', source.version, scenarioHash, params, seed])).slice(0, 20);
      runs.push({ index: runs.length, id, cell: cell.index, seed });
    }
  }
  const id = hashHex(runs.map((r) => r.id).join('\n')).slice(0, 20);
  return { ok: true, plan: { source: { ...source, scenarioText: text }, spec, id, axisNames: spec.axes.map((a) => a.name), axisLabels, cells, runs, paths, root, cache: new Map() } };
}

/**
 * The scenario of a cell (loaded once per plan). Its problems point into the sweep file where
 * they are about a value the sweep set, and into the scenario file otherwise.
 */
export function cellScenario(plan: SweepPlan, cellIndex: number): { ok: true; scenario: Scenario } | { ok: false; problems: Problem[] } {
  const cached = plan.cache.get(cellIndex);
  if (cached !== undefined) return cached;
  const { spec, source } = plan;
  const base = source.scenarioText.length + 1;
  const combined = `${source.scenarioText}\n${spec.text}`;
  const cell = plan.cells[cellIndex]!;
  let root = plan.root!;
  spec.axes.forEach((axis, k) => {
    for (const p of axis.parameters) {
      const value = shiftRanges(p.values[cell.at[k]!]!, base);
      root = setAtPath(root, plan.paths.get(p.path)!, value, [p.pathRange[0] + base, p.pathRange[1] + base]);
    }
  });
  const loaded = loadScenarioTree(source.scenarioFile, combined, root);
  const firstSweepLine = new LineIndex(combined).position(base).line;
  const where = Object.entries(cell.parameters)
    .map(([k, v]) => `${k} = ${label(v)}`)
    .join(', ');
  const result = loaded.ok
    ? { ok: true as const, scenario: loaded.scenario }
    : {
        ok: false as const,
        problems: loaded.problems
          .filter((p) => p.severity === 'error')
          .map((p) => (p.line >= firstSweepLine ? { ...p, file: spec.file, line: p.line - firstSweepLine + 1 } : { ...p, message: `with ${where}: ${p.message}` })),
      };
  plan.cache.set(cellIndex, result);
  return result;
}

/** Every problem of every cell, each said once, in file order. */
export function checkCells(plan: SweepPlan): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const cell of plan.cells) {
    const r = cellScenario(plan, cell.index);
    if (r.ok) continue;
    for (const p of r.problems) {
      const key = `${p.file}\0${p.line}\0${p.column}\0${p.file === plan.spec.file ? p.message : ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p);
    }
  }
  return out.sort((a, b) => Number(a.file !== plan.spec.file) - Number(b.file !== plan.spec.file) || a.line - b.line || a.column - b.column);
}

/** The head of run `index`: its id, cell, seed and parameters. */
export function runHead(plan: SweepPlan, index: number): RunHead {
  const run = plan.runs[index]!;
  return { run: run.index, id: run.id, cell: run.cell, seed: run.seed, parameters: plan.cells[run.cell]!.parameters };
}

/** Runs the plan's run `index` in this thread. */
export function executeRun(plan: SweepPlan, index: number, hooks: RunHooks = {}): RunRecord {
  return executeScenarioRun(runHead(plan, index), cellScenario(plan, plan.runs[index]!.cell), hooks);
}
