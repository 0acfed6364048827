/**
 * The piscina worker of sweeps: runs a task's runs in this thread with the library, in-process,
 * and returns their small records. A local pool hands each task the cell's loaded scenario, so a
 * thread loads no parser; a queue's chunk carries the sweep's source instead, planned once per
 * sweep and thread. Full outputs of a run are written only when asked (all runs, or those that
 * did not pass, run a second time with the writers attached: the run is deterministic, so it is
 * the same run), with the output modules loaded then.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Scenario } from '../../scenario/types.js';
import type { SweepPlan, SweepSource } from '../../sweep/plan.js';
import { executeScenarioRun, type RunHead, type RunRecord } from '../../sweep/run-figures.js';

export type KeepOutputs = 'none' | 'all' | 'failed';

export interface SweepTask {
  planId: string;
  /** A local pool's task: these runs of one cell, with the cell's scenario. */
  heads?: RunHead[];
  scenario?: Scenario;
  /** A queue's chunk: run indices of the plan made from `source`. */
  runs?: number[];
  source?: SweepSource;
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

async function planFor(task: SweepTask): Promise<SweepPlan> {
  const known = plans.get(task.planId);
  if (known !== undefined) return known;
  const { parseSweepFile, planSweep } = await import('../../sweep/index.js');
  const source = task.source;
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

async function keepOutputs(scenario: Scenario, head: RunHead, outDir: string): Promise<void> {
  const [{ OUTPUT_FLAGS, createRunOutputs }, { OutputDir }] = await Promise.all([import('../outputs.js'), import('../output-dir.js')]);
  const dir = new OutputDir(join(outDir, 'runs', head.id), { force: true });
  const outputs = await createRunOutputs(scenario, new Set(OUTPUT_FLAGS), dir);
  try {
    executeScenarioRun(head, { ok: true, scenario }, { sinks: [(r) => outputs.record(r)], onResult: (result) => outputs.finish(result) });
    dir.commit();
  } catch (err) {
    outputs.abandon();
    dir.abandon();
    throw err;
  }
}

export default async function runSweepTask(task: SweepTask): Promise<SweepTaskResult> {
  const work: { head: RunHead; scenario: Scenario | null; problems: readonly { message: string }[] }[] = [];
  if (task.scenario !== undefined) {
    for (const head of task.heads ?? []) work.push({ head, scenario: task.scenario, problems: [] });
  } else {
    const plan = await planFor(task);
    const { cellScenario, runHead } = await import('../../sweep/index.js');
    for (const index of task.runs ?? []) {
      const head = runHead(plan, index);
      const loaded = cellScenario(plan, head.cell);
      work.push({ head, scenario: loaded.ok ? loaded.scenario : null, problems: loaded.ok ? [] : loaded.problems });
    }
  }
  const records: RunRecord[] = [];
  const wallMs: number[] = [];
  for (const w of work) {
    const started = performance.now();
    const record = executeScenarioRun(w.head, w.scenario !== null ? { ok: true, scenario: w.scenario } : { ok: false, problems: w.problems });
    if (w.scenario !== null && task.outDir !== null && (task.keep === 'all' || (task.keep === 'failed' && record.outcome !== 'pass'))) await keepOutputs(w.scenario, w.head, task.outDir);
    wallMs.push(performance.now() - started);
    records.push(record);
  }
  return { records, wallMs };
}
