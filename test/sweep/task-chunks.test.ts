import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_RUNS_PER_TASK, taskChunks } from '../../src/cli/sweep/local-pool.js';
import { parseSweepFile, planSweep, type SweepPlan } from '../../src/sweep/index.js';

function plan(): SweepPlan {
  const sweepFile = 'bench/sweep-small.yaml';
  const sweepText = readFileSync(sweepFile, 'utf8');
  const parsed = parseSweepFile(sweepFile, sweepText);
  if (!parsed.ok) throw new Error('does not parse');
  const scenarioFile = 'scenarios/direct-session.yaml';
  const planned = planSweep(parsed.spec, { sweepFile, sweepText, scenarioFile, scenarioText: readFileSync(scenarioFile, 'utf8'), version: 'test' });
  if (!planned.ok) throw new Error('does not plan');
  return planned.plan;
}

// A local pool hands a thread a few runs of one cell per task (the scenario copied once per task).
describe('sweep tasks of a local pool', () => {
  const p = plan();
  const all = p.runs.map((r) => r.index);

  it('hands out every run once, in order, each task within one cell', () => {
    for (const jobs of [1, 2, 8]) {
      const chunks = taskChunks(p, all, jobs);
      expect(chunks.flat()).toEqual(all);
      for (const c of chunks) expect(new Set(c.map((i) => p.runs[i]!.cell)).size).toBe(1);
    }
  });

  it('gives each thread about eight tasks, never more than the cap of runs in one', () => {
    // 200 runs, 4 cells of 50: 1 thread → 16 a task (capped), 2 threads → 12, 8 threads → 3.
    expect(Math.max(...taskChunks(p, all, 1).map((c) => c.length))).toBe(MAX_RUNS_PER_TASK);
    expect(Math.max(...taskChunks(p, all, 2).map((c) => c.length))).toBe(12);
    expect(Math.max(...taskChunks(p, all, 8).map((c) => c.length))).toBe(3);
    // A rerun of a few missing runs: one run a task, so both threads get work.
    expect(taskChunks(p, [3, 77, 150], 2)).toEqual([[3], [77], [150]]);
  });
});
