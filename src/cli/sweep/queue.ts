/**
 * Sweeps through a BullMQ queue on Redis. The submitter enqueues the runs in chunks of about a
 * second of work, each a job whose id is the chunk's hash (so a sweep submitted again adds no
 * job twice), and waits for the results; `msrp-sim worker` processes run the chunks on their
 * own thread pools. Results are kept in a Redis hash keyed by run id: a run's result is written
 * once (HSETNX), so a chunk retried after a worker died mid-chunk neither loses a run nor counts
 * one twice, and a worker skips the runs of a chunk that are done already.
 *
 * Keys (`msrp-sim:sweep:<sweep id>:...`): `source` (the sweep's files and version, for the
 * workers), `chunk-size`, `results` (run id -> runs.ndjson line), `executions` (run id -> how
 * many times a worker ran it, for operators: more than 1 means a chunk was retried mid-run).
 */
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { chunkRuns, executeRun, parseRunLine, runLine, type RunRecord, type SweepPlan } from '../../sweep/index.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { closeRedis, connectRedis, parseQueueUrl } from './redis.js';
import { report, type SweepFolder } from './sweep-files.js';
import { SweepProgress } from './sweep-progress.js';

export const QUEUE_NAME = 'sweeps';
export const QUEUE_PREFIX = 'msrp-sim';

export const sweepKey = (id: string, what: 'source' | 'chunk-size' | 'results' | 'executions'): string => `msrp-sim:sweep:${id}:${what}`;

/** A job's data: the sweep and its runs (index and id). */
export interface ChunkJob {
  planId: string;
  runs: { index: number; id: string }[];
}

export interface QueueSweepOptions {
  url: string;
  detach: boolean;
  collect: boolean;
  junit?: string;
  /** Runs per chunk; default: about a second of work, from one run timed here. */
  chunkRuns?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function queueSweep(ctx: CliContext, plan: SweepPlan, folder: SweepFolder, options: QueueSweepOptions): Promise<number> {
  const address = parseQueueUrl(options.url);
  const client = await connectRedis(address, 'sweep');
  // The Queue shares the connection (BullMQ leaves a connection it was given open: closed below).
  const queue = new Queue<ChunkJob>(QUEUE_NAME, { connection: client, prefix: QUEUE_PREFIX });
  queue.on('error', () => undefined);
  try {
    const results = sweepKey(plan.id, 'results');
    if (!options.collect) {
      await client.set(sweepKey(plan.id, 'source'), JSON.stringify(plan.source));
      let size = Number(await client.get(sweepKey(plan.id, 'chunk-size')));
      if (!(size > 0)) {
        // About a second of work per chunk (a job costs a few ms), from one run timed here; the
        // first submission fixes it, so a resubmission makes the same chunks.
        let proposed = options.chunkRuns;
        if (proposed === undefined) {
          const started = performance.now();
          const record = executeRun(plan, 0);
          const ms = Math.max(1, performance.now() - started);
          if ((await client.hsetnx(results, record.id, runLine(record))) === 1) await client.hincrby(sweepKey(plan.id, 'executions'), record.id, 1);
          proposed = Math.max(1, Math.min(1000, Math.round(1000 / ms)));
        }
        await client.set(sweepKey(plan.id, 'chunk-size'), proposed, 'NX');
        size = Number(await client.get(sweepKey(plan.id, 'chunk-size')));
      }
      const done = new Set(await client.hkeys(results));
      const chunks = chunkRuns(plan.runs, size).filter((c) => c.runs.some((i) => !done.has(plan.runs[i]!.id)));
      await queue.addBulk(
        chunks.map((c) => ({
          name: 'chunk',
          data: { planId: plan.id, runs: c.runs.map((i) => ({ index: i, id: plan.runs[i]!.id })) },
          opts: { jobId: `${plan.id}-${c.id}`, attempts: 5, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: { age: 7 * 86400 }, removeOnFail: { age: 7 * 86400 } },
        })),
      );
      ctx.io.stderr.write(`sweep ${plan.id}: ${plan.runs.length - done.size} of ${plan.runs.length} runs to do, in ${chunks.length} chunk(s) of up to ${size} on ${address.shown}\n`);
      if (options.detach) {
        ctx.io.stdout.write(`enqueued sweep ${plan.id}; \`msrp-sim sweep ${plan.source.sweepFile} --queue ${options.url} --collect\` writes the results once the workers are done\n`);
        return EXIT.ok;
      }
    }
    const progress = new SweepProgress(ctx, plan.runs.length);
    let interrupted = false;
    const onInt = (): void => void (interrupted = true);
    process.on('SIGINT', onInt);
    try {
      let lastFailedCheck = 0;
      for (;;) {
        const n = await client.hlen(results);
        progress.update(n, 0);
        if (n >= plan.runs.length) break;
        if (interrupted) {
          progress.finish();
          ctx.io.stderr.write(`stopped waiting: ${n} of ${plan.runs.length} runs done; the workers go on, and \`--collect\` writes the results later\n`);
          return 130;
        }
        if (Date.now() - lastFailedCheck > 2000) {
          lastFailedCheck = Date.now();
          const failed = (await queue.getFailed(0, 1000)).filter((j) => j.data.planId === plan.id);
          if (failed.length > 0) throw new CliError(`sweep: ${failed.length} chunk(s) failed on the workers after their retries: ${failed[0]!.failedReason}`, EXIT.internal);
          if (options.collect && n === 0 && (await client.get(sweepKey(plan.id, 'source'))) === null) throw new CliError(`sweep --collect: sweep ${plan.id} was never enqueued on ${address.shown}`, EXIT.usage);
        }
        await sleep(250);
      }
    } finally {
      process.off('SIGINT', onInt);
      progress.finish();
    }
    const all = await client.hgetall(results);
    const byId = new Map(plan.runs.map((r) => [r.id, r.index]));
    const records = new Map<number, RunRecord>();
    for (const line of Object.values(all)) {
      const r = parseRunLine(line);
      if (r !== null && byId.get(r.id) === r.run) records.set(r.run, r);
    }
    const had = folder.open(plan);
    folder.append([...records.values()].filter((r) => !had.has(r.run)));
    folder.writeAggregate(plan, records, options.junit);
    return report(ctx, plan, records, folder.dir);
  } finally {
    await queue.close().catch(() => undefined);
    await closeRedis(client);
  }
}
