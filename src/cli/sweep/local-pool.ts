/**
 * Running runs on this machine's cores: a piscina pool of worker threads, one run per task (with
 * its cell's loaded scenario), a few tasks ahead per thread. Each record is appended to the progress file as it arrives. On the
 * first Ctrl-C no new run starts and the runs under way finish; a second one stops at once.
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

export function defaultJobs(): number {
  return availableParallelism();
}

/** Runs `todo` (run indices); resolves when all finished or, after a stop, when those under way did. */
export async function runOnPool(plan: SweepPlan, todo: readonly number[], options: LocalRunOptions): Promise<{ ran: number; stopped: boolean }> {
  const pool = options.pool ?? newSweepPool(options.jobs);
  const signal = options.signal ?? { stopped: false };
  let next = 0;
  let ran = 0;
  let failure: unknown = null;
  const ahead = options.jobs * 2;
  try {
    await new Promise<void>((resolveAll) => {
      let inFlight = 0;
      const launch = (): void => {
        while (!signal.stopped && failure === null && inFlight < ahead && next < todo.length) {
          const index = todo[next++]!;
          inFlight++;
          const head = runHead(plan, index);
          const loaded = cellScenario(plan, head.cell);
          // Every cell was checked before the sweep starts; one that does not load is a bug.
          if (!loaded.ok) throw new Error(`cell ${head.cell} does not load: ${loaded.problems[0]?.message ?? ''}`);
          pool.run({ planId: plan.id, heads: [head], scenario: loaded.scenario, keep: options.keep, outDir: options.outDir }).then(
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
