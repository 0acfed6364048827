/**
 * The aggregate of a sweep from its run records, in the order of the plan (axes, then seeds),
 * never of completion: runs.ndjson, summary.csv, the JUnit cases and each cell's figures. The
 * same records give the same bytes whatever ran them, in whatever order.
 */
import type { JunitCase } from '../output/junit.js';
import { FIGURE_NAMES, type CombineName, type FigureName } from './definition.js';
import type { SweepPlan } from './plan.js';
import { percentile, type RunRecord } from './run-figures.js';

/** Records by run index (what a sweep has so far). */
export type RunRecords = ReadonlyMap<number, RunRecord>;

/** A run record as one line of runs.ndjson, keys in a fixed order. */
export function runLine(r: RunRecord): string {
  const figures: Record<string, number | null> = {};
  for (const f of FIGURE_NAMES) figures[f] = r.figures[f] ?? null;
  const reasons: Record<string, number> = {};
  for (const k of Object.keys(r.failuresByReason).sort()) reasons[k] = r.failuresByReason[k]!;
  const ordered = {
    run: r.run,
    id: r.id,
    cell: r.cell,
    seed: r.seed,
    parameters: r.parameters,
    outcome: r.outcome,
    expectations: r.expectations.map((e) => ({ expected: e.expected, passed: e.passed, actual: e.actual })),
    figures,
    failuresByReason: reasons,
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
  return JSON.stringify(ordered);
}

/** Reads a line of runs.ndjson (or of a progress file) back; null if it is not one. */
export function parseRunLine(line: string): RunRecord | null {
  try {
    const r = JSON.parse(line) as RunRecord;
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || typeof r.run !== 'number' || typeof r.outcome !== 'string') return null;
    return r;
  } catch {
    return null;
  }
}

export function runsNdjson(plan: SweepPlan, records: RunRecords): string {
  let out = '';
  for (const run of plan.runs) {
    const r = records.get(run.index);
    if (r !== undefined) out += runLine(r) + '\n';
  }
  return out;
}

/** Combines a cell's values of a figure (its seeds' runs). */
export function combine(values: readonly number[], how: CombineName): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  switch (how) {
    case 'median':
      return percentile(s, 0.5);
    case 'p95':
      return percentile(s, 0.95);
    case 'min':
      return s[0]!;
    case 'max':
      return s[s.length - 1]!;
    case 'mean':
      return Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 1000) / 1000;
  }
}

export interface CellStats {
  runs: number;
  passed: number;
  failed: number;
  errors: number;
  values: (f: FigureName) => number[];
}

export function stats(records: readonly RunRecord[]): CellStats {
  return {
    runs: records.length,
    passed: records.filter((r) => r.outcome === 'pass').length,
    failed: records.filter((r) => r.outcome === 'fail').length,
    errors: records.filter((r) => r.outcome === 'error').length,
    values: (f) => records.map((r) => r.figures[f]).filter((v): v is number => typeof v === 'number'),
  };
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/u.test(s) ? `"${s.replace(/"/gu, '""')}"` : s;
}

/** One row per parameter set: its values, runs, pass rate, and each figure's median and 95th percentile over its runs. */
export function summaryCsv(plan: SweepPlan, records: RunRecords): string {
  const figures = plan.spec.figures;
  const header = [...plan.axisNames, 'runs', 'passed', 'failed', 'errors', 'passRate', ...figures.flatMap((f) => [`${f}.median`, `${f}.p95`])];
  const byCell = new Map<number, RunRecord[]>();
  for (const run of plan.runs) {
    const r = records.get(run.index);
    if (r === undefined) continue;
    const list = byCell.get(run.cell) ?? [];
    list.push(r);
    byCell.set(run.cell, list);
  }
  const lines = [header.map(csvField).join(',')];
  for (const cell of plan.cells) {
    const st = stats(byCell.get(cell.index) ?? []);
    const row: (string | number | null)[] = [...cell.labels, st.runs, st.passed, st.failed, st.errors, st.runs === 0 ? null : Math.round((st.passed / st.runs) * 10000) / 10000];
    for (const f of figures) row.push(combine(st.values(f), 'median'), combine(st.values(f), 'p95'));
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/** One JUnit test case per run, named by its parameters and seed. */
export function junitCases(plan: SweepPlan, records: RunRecords, seconds: ReadonlyMap<string, number> = new Map()): JunitCase[] {
  const out: JunitCase[] = [];
  for (const run of plan.runs) {
    const r = records.get(run.index);
    if (r === undefined) continue;
    const cell = plan.cells[run.cell]!;
    const name = [...plan.axisNames.map((a, k) => `${a}=${cell.labels[k]}`), ...(run.seed !== null ? [`seed=${run.seed}`] : [])].join(' ');
    const failures = r.outcome === 'fail' ? r.expectations.filter((e) => !e.passed).map((e) => `expected: ${e.expected}\ninstead:  ${e.actual}`) : [];
    out.push({ file: plan.source.sweepFile, name: `${plan.spec.name} ${name}`.trim(), seconds: seconds.get(r.id) ?? 0, failures, error: r.outcome === 'error' ? (r.error ?? 'error') : null });
  }
  return out;
}
