/**
 * Dividing a sweep's runs: shards for batch schedulers (`--shard I/N`, I from 0 as Kubernetes'
 * JOB_COMPLETION_INDEX counts) and chunks for a queue, each named by the hash of its run ids so
 * that the same chunk submitted again is the same job.
 */
import { hashHex, type PlannedRun } from './plan.js';

/** The runs of shard `index` of `count`: every count-th run from the index-th, so that each shard gets its share of every part of the grid. */
export function shardOf<T extends { index: number }>(runs: readonly T[], index: number, count: number): T[] {
  return runs.filter((r) => r.index % count === index);
}

/** Consecutive runs in chunks of `size`, each with the hash of its run ids. */
export function chunkRuns(runs: readonly PlannedRun[], size: number): { id: string; runs: number[] }[] {
  const out: { id: string; runs: number[] }[] = [];
  for (let i = 0; i < runs.length; i += size) {
    const part = runs.slice(i, i + size);
    out.push({ id: hashHex(part.map((r) => r.id).join('\n')).slice(0, 24), runs: part.map((r) => r.index) });
  }
  return out;
}
