/**
 * Sweep benchmark: runs per second of 200-run sweeps of small scenarios (bench/sweep-small.yaml:
 * direct-session, about 3 ms a run; bench/sweep-push.yaml: push-via-two-relays, about 20 ms a run)
 * on a piscina pool with 1 and with 2 threads, in the same process as `msrp-sim sweep` runs it
 * (pool start-up included, records collected, no files written). The two are measured in turns,
 * side by side, so that a machine shared with other work disturbs both alike; each figure is
 * also given per CPU-second (the process's user + system time, all threads), which another
 * process's load does not inflate. The speed-up is the ratio of the medians; "on two free cores"
 * is 2 × the ratio of the per-CPU-second rates: what two threads give when each has a core of
 * its own, the thread's start-up (module loading, compilation) counted, which the measured
 * ratio does not show on a machine busy with other work.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runOnPool } from '../src/cli/sweep/local-pool.js';
import { parseSweepFile, planSweep, type SweepPlan } from '../src/sweep/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

function plan(file: string): SweepPlan {
  const SWEEP = resolve(root, file);
  const text = readFileSync(SWEEP, 'utf8');
  const parsed = parseSweepFile(SWEEP, text);
  if (!parsed.ok) throw new Error('bench sweep does not parse');
  const scenarioFile = resolve(dirname(SWEEP), parsed.spec.scenario);
  const planned = planSweep(parsed.spec, { sweepFile: SWEEP, sweepText: text, scenarioFile, scenarioText: readFileSync(scenarioFile, 'utf8'), version: 'bench' });
  if (!planned.ok) throw new Error('bench sweep does not plan');
  return planned.plan;
}

export interface SweepMeasure {
  wallS: number;
  cpuS: number;
  runs: number;
}

async function once(p: SweepPlan, jobs: number): Promise<SweepMeasure> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let runs = 0;
  await runOnPool(p, p.runs.map((r) => r.index), { jobs, keep: 'none', outDir: null, onRecord: () => void runs++ });
  const wallS = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { wallS, cpuS: (used.user + used.system) / 1e6, runs };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measureSweep(file: string, rounds: number): Promise<void> {
  const p = plan(file);
  await once(p, 2); // warm-up: the files are read and compiled once
  const by: Record<number, SweepMeasure[]> = { 1: [], 2: [] };
  for (let i = 0; i < rounds; i++) for (const jobs of i % 2 === 0 ? [1, 2] : [2, 1]) by[jobs]!.push(await once(p, jobs));
  const rate = (m: SweepMeasure[]): number => median(m.map((x) => x.runs / x.wallS));
  const perCpu = (m: SweepMeasure[]): number => median(m.map((x) => x.runs / x.cpuS));
  for (const jobs of [1, 2]) {
    const m = by[jobs]!;
    console.log(`sweep ${p.spec.name}: ${p.runs.length} runs, --jobs ${jobs}`.padEnd(44) + ` ${rate(m).toFixed(1)} runs/s  ${perCpu(m).toFixed(1)} runs per CPU-second  (median of ${m.length}; wall ${m.map((x) => x.wallS.toFixed(2)).join(' ')} s)`);
  }
  console.log(`sweep ${p.spec.name}: --jobs 2 over --jobs 1`.padEnd(44) + ` ${(rate(by[2]!) / rate(by[1]!)).toFixed(2)}× measured, ${((2 * perCpu(by[2]!)) / perCpu(by[1]!)).toFixed(2)}× on two free cores`);
}

export async function run(): Promise<void> {
  const rounds = Number(process.env.SWEEP_ROUNDS ?? 5);
  await measureSweep('bench/sweep-small.yaml', rounds);
  await measureSweep('bench/sweep-push.yaml', Math.max(1, Math.ceil(rounds / 2)));
}
