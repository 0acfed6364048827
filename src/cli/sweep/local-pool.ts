/**
 * Running runs on this machine's cores: a piscina pool of worker threads, a few runs of one cell
 * per task (with the cell's loaded scenario, copied to the thread once per task), a few tasks ahead
 * per thread. Each record is appended to the progress file as it arrives. On the first Ctrl-C no
 * new task starts and the tasks under way finish; a second one stops at once.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { cellScenario, runHead, type RunRecord, type SweepPlan } from '../../sweep/index.js';
import type { KeepOutputs, SweepTask, SweepTaskResult } from './sweep-thread.js';

export const SWEEP_THREAD = new URL('./sweep-thread.js', import.meta.url).href;

export interface LocalRunOptions {
  jobs: number;
  keep: KeepOutputs;
  outDir: string | null;
  /** Each finished run, as it finishes. */
  onRecord: (record: RunRecord, wallMs: number) => void;
  /** A pool to run on, kept open afterwards (a benchmark's warm threads); default: a new one. */
  pool?: Piscina<SweepTask, SweepTaskResult>;
  /** Set to stop; checked before each new run starts. */
  signal?: { stopped: boolean; abort?: () => void };
}

export function newSweepPool(threads: number): Piscina<SweepTask, SweepTaskResult> {
  return new Piscina<SweepTask, SweepTaskResult>({ filename: SWEEP_THREAD, minThreads: threads, maxThreads: threads });
}

/** At most this many runs in one task: a first Ctrl-C waits for at most this many runs a thread. */
export const MAX_RUNS_PER_TASK = 16;

/**
 * `todo` cut into tasks: consecutive runs of one cell, about eight tasks per thread (so that the
 * threads finish together) and at most MAX_RUNS_PER_TASK each. One run per task would copy the
 * cell's scenario to a thread and a record back for every run, which for runs of a few
 * milliseconds costs a thread a fifth of its time in waiting and messages (docs/performance.md).
 */
export function taskChunks(plan: SweepPlan, todo: readonly number[], jobs: number): number[][] {
  const size = Math.max(1, Math.min(MAX_RUNS_PER_TASK, Math.floor(todo.length / (Math.max(1, jobs) * 8))));
  const chunks: number[][] = [];
  let current: number[] = [];
  let cell = -1;
  for (const index of todo) {
    const c = plan.runs[index]!.cell;
    if (current.length === size || (current.length > 0 && c !== cell)) {
      chunks.push(current);
      current = [];
    }
    cell = c;
    current.push(index);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export function defaultJobs(): number {
  return availableParallelism();
}

/** Runs `todo` (run indices); resolves when all finished or, after a stop, when those under way did. */
export async function runOnPool(plan: SweepPlan, todo: readonly number[], options: LocalRunOptions): Promise<{ ran: number; stopped: boolean }> {
  const pool = options.pool ?? newSweepPool(options.jobs);
  const signal = options.signal ?? { stopped: false };
  const chunks = taskChunks(plan, todo, options.jobs);
  let next = 0;
  let ran = 0;
  let failure: unknown = null;
  const ahead = options.jobs * 2;
  try {
    await new Promise<void>((resolveAll) => {
      let inFlight = 0;
      const launch = (): void => {
        while (!signal.stopped && failure === null && inFlight < ahead && next < chunks.length) {
          const heads = chunks[next++]!.map((index) => runHead(plan, index));
          inFlight++;
          const loaded = cellScenario(plan, heads[0]!.cell);
          // Every cell was checked before the sweep starts; one that does not load is a bug.
          if (!loaded.ok) throw new Error(`cell ${heads[0]!.cell} does not load: ${loaded.problems[0]?.message ?? ''}`);
          pool.run({ planId: plan.id, heads, scenario: loaded.scenario, keep: options.keep, outDir: options.outDir }).then(
            (res) => {
              inFlight--;
              ran += res.records.length;
              res.records.forEach((r, i) => options.onRecord(r, res.wallMs[i]!));
              launch();
              if (inFlight === 0) resolveAll();
            },
            (err: unknown) => {
              inFlight--;
              if (!signal.stopped) failure ??= err;
              if (inFlight === 0) resolveAll();
            },
          );
        }
        if (inFlight === 0) resolveAll();
      };
      signal.abort = () => {
        // A second stop: the runs under way are abandoned.
        void pool.destroy();
      };
      launch();
    });
  } finally {
    if (options.pool === undefined) await pool.destroy();
  }
  if (failure !== null) throw failure;
  return { ran, stopped: signal.stopped };
}
