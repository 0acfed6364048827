/**
 * The piscina worker of sweeps: runs a task's runs in this thread with the library, in-process,
 * and returns their small records. The plan is made once per sweep and thread. Full outputs of a
 * run are written only when asked (all runs, or the runs that did not pass, run a second time
 * with the writers attached: the run is deterministic, so it is the same run).
 */
import { workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { executeRun, parseSweepFile, planSweep, cellScenario, type RunRecord, type SweepPlan, type SweepSource } from '../../sweep/index.js';
import { OUTPUT_FLAGS } from '../outputs.js';
import { createRunOutputs } from '../outputs.js';
import { OutputDir } from '../output-dir.js';

export type KeepOutputs = 'none' | 'all' | 'failed';

export interface SweepTask {
  planId: string;
  /** Needed once per thread and sweep; a local pool has it in its workerData instead. */
  source?: SweepSource;
  runs: number[];
  keep: KeepOutputs;
  /** The sweep's output folder, for kept outputs (`runs/<run id>/`). */
  outDir: string | null;
}

export interface SweepTaskResult {
  records: RunRecord[];
  /** Wall time of each run, ms (for JUnit and the bench; not part of any deterministic output). */
  wallMs: number[];
}

const plans = new Map<string, SweepPlan>();

function planFor(task: SweepTask): SweepPlan {
  const known = plans.get(task.planId);
  if (known !== undefined) return known;
  const source = task.source ?? (workerData as { source?: SweepSource } | undefined)?.source;
  if (source === undefined) throw new Error(`sweep ${task.planId}: no sweep source in the task`);
  const spec = parseSweepFile(source.sweepFile, source.sweepText);
  if (!spec.ok) throw new Error(`sweep ${task.planId}: the sweep file does not load: ${spec.problems[0]?.message ?? ''}`);
  const planned = planSweep(spec.spec, source);
  if (!planned.ok) throw new Error(`sweep ${task.planId}: ${planned.problems[0]?.message ?? 'does not plan'}`);
  if (planned.plan.id !== task.planId) throw new Error(`sweep ${task.planId}: the source plans as ${planned.plan.id} (another msrp-sim version?)`);
  // Only the last few sweeps a long-lived worker saw are kept.
  if (plans.size > 8) plans.delete(plans.keys().next().value!);
  plans.set(task.planId, planned.plan);
  return planned.plan;
}

function keepOutputs(plan: SweepPlan, index: number, outDir: string): void {
  const run = plan.runs[index]!;
  const loaded = cellScenario(plan, run.cell);
  if (!loaded.ok) return;
  const dir = new OutputDir(join(outDir, 'runs', run.id), { force: true });
  const outputs = createRunOutputs(loaded.scenario, new Set(OUTPUT_FLAGS), dir);
  try {
    executeRun(plan, index, { sinks: [(r) => outputs.record(r)], onResult: (result) => outputs.finish(result) });
    dir.commit();
  } catch (err) {
    outputs.abandon();
    dir.abandon();
    throw err;
  }
}

export default function runSweepTask(task: SweepTask): SweepTaskResult {
  const plan = planFor(task);
  const records: RunRecord[] = [];
  const wallMs: number[] = [];
  for (const index of task.runs) {
    const started = performance.now();
    const record = executeRun(plan, index);
    if (task.outDir !== null && (task.keep === 'all' || (task.keep === 'failed' && record.outcome !== 'pass'))) keepOutputs(plan, index, task.outDir);
    wallMs.push(performance.now() - started);
    records.push(record);
  }
  return { records, wallMs };
}
