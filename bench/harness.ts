/**
 * A small benchmark harness: warm-up, several timed runs, median. Benchmarks measure real wall
 * time on purpose (they live outside the model), so they are never part of `npm test`.
 */
import { performance } from 'node:perf_hooks';
import os from 'node:os';

export interface BenchCase {
  /** Printed name, e.g. `codec: small SEND`. */
  name: string;
  /** Units one call of `run` processes (frames, events, ...) and their name. */
  units: number;
  unitName: string;
  /** Bytes one call processes, when a MB/s figure makes sense. */
  bytes?: number;
  /** One iteration; return something so the work cannot be optimized away. */
  run: () => unknown;
}

export interface BenchResult {
  name: string;
  unitsPerSecond: number;
  /** The fastest run: on a shared machine the run least disturbed by others. */
  bestPerSecond: number;
  mbPerSecond: number | null;
  runs: number;
  spreadPercent: number;
}

let sink: unknown;

/**
 * Fixed work instead of timing, for counting instructions (scripts/count-instructions.js
 * --bench): with BENCH_ITERATIONS=N every case runs exactly N times and prints how many units it
 * did, no rates; with BENCH_CASE=NAME too, only the case of that name runs at all.
 */
const FIXED_ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 0);
const ONLY_CASE = process.env['BENCH_CASE'];

/** Whether fixed work replaces timing (BENCH_ITERATIONS). */
export const fixedWork = FIXED_ITERATIONS > 0;

function fixed(c: BenchCase): BenchResult {
  const selected = ONLY_CASE === undefined || ONLY_CASE === c.name;
  if (selected) for (let i = 0; i < FIXED_ITERATIONS; i++) sink = c.run();
  const units = selected ? FIXED_ITERATIONS * c.units : 0;
  return { name: c.name, unitsPerSecond: units, bestPerSecond: units, mbPerSecond: null, runs: selected ? FIXED_ITERATIONS : 0, spreadPercent: 0 };
}

/** Runs `c` for `warmupMs`, then `runs` timed runs of at least `runMs` each; reports the median. */
export function measure(c: BenchCase, { warmupMs = 300, runMs = 400, runs = 7 } = {}): BenchResult {
  if (fixedWork) return fixed(c);
  const until = performance.now() + warmupMs;
  while (performance.now() < until) sink = c.run();
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let iterations = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      sink = c.run();
      iterations++;
      elapsed = performance.now() - start;
    } while (elapsed < runMs);
    rates.push((iterations * c.units) / (elapsed / 1000));
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)]!;
  const spread = ((rates[rates.length - 1]! - rates[0]!) / median) * 100;
  const mb = c.bytes === undefined ? null : (median / c.units) * c.bytes / 1e6;
  return { name: c.name, unitsPerSecond: median, bestPerSecond: rates[rates.length - 1]!, mbPerSecond: mb, runs, spreadPercent: spread };
}

export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function formatResult(r: BenchResult, unitName: string): string {
  if (fixedWork) return `${r.name.padEnd(44)} ${r.runs === 0 ? 'not run' : `${r.unitsPerSecond}${unitName} in ${r.runs} runs (fixed work, not timed)`}`;
  const fmt = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${(v / 1e3).toFixed(1)} k`);
  const mb = r.mbPerSecond === null ? '' : `  ${r.mbPerSecond.toFixed(0)} MB/s`;
  return `${r.name.padEnd(44)} ${fmt(r.unitsPerSecond)}${unitName}/s${mb}  (median of ${r.runs}, best ${fmt(r.bestPerSecond)}, spread ${r.spreadPercent.toFixed(1)}%)`;
}

export function keep(): unknown {
  return sink;
}

/**
 * Units per second of this process's CPU time (user + system, GC threads included) over a short
 * extra measurement: on a shared machine wall-clock rates fall with the load, CPU-time rates much
 * less, so both are printed.
 */
export function cpuRate(c: BenchCase): string {
  return formatCpuRate(cpuPerSecond(c), c.unitName);
}

/** The figure `cpuRate` prints: units of `c` per second of this process's CPU time. */
export function cpuPerSecond(c: BenchCase): number {
  if (fixedWork) return 0;
  let calls = 0;
  const start = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  do {
    c.run();
    calls++;
  } while (Number(process.hrtime.bigint() - wallStart) < 1e9 && calls < 100_000);
  const used = process.cpuUsage(start);
  const seconds = (used.user + used.system) / 1e6;
  return (calls * c.units) / seconds;
}

export function formatCpuRate(rate: number, unitName: string): string {
  if (fixedWork) return '';
  const shown = rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : `${(rate / 1e3).toFixed(1)} k`;
  return `  [${shown}${unitName} per CPU-second]`;
}
