/**
 * `msrp-sim worker --queue redis://HOST:PORT/DB --threads N`: takes sweep chunks from the queue
 * and runs them on a local piscina pool. The BullMQ Worker on the main thread only hands chunks
 * to the pool and writes results, so it renews its job locks on time (CPU work on the main thread
 * would miss the renewal and get jobs marked stalled); no sandboxed processors. Ctrl-C or SIGTERM
 * lets the chunks under way finish, then stops. docs/sweeps.md has the recipe.
 */
import type { Command } from 'commander';
import type { Job } from 'bullmq';
import { parseRunLine, type SweepSource } from '../../sweep/index.js';
import { runLine } from '../../sweep/aggregate.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import type { ChunkJob } from '../sweep/queue.js';
import type { SweepTask, SweepTaskResult } from '../sweep/sweep-thread.js';

export interface WorkerOptions {
  queue?: string;
  threads?: string;
  lockDuration?: string;
}

export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .summary('run the chunks of queued sweeps on this machine\'s cores')
    .description('Take chunks of sweeps from a BullMQ queue on Redis (`msrp-sim sweep FILE --queue URL`) and run them on a local pool of threads.')
    .requiredOption('--queue <url>', 'the queue\'s Redis: redis://HOST:PORT/DB')
    .option('--threads <n>', 'threads running chunks (default: the machine\'s cores)')
    .option('--lock-duration <ms>', 'how long a chunk stays with a worker that stopped answering before another takes it', '30000')
    .addHelpText('after', '\nExample:\n  $ msrp-sim worker --queue redis://10.0.0.5:6379/0 --threads 8\n')
    .action(async (options: WorkerOptions) => {
      ctx.status = await workerCommand(options, ctx);
    });
}

function positive(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`worker: ${what} takes a whole number from 1, not \`${text}\``, EXIT.usage);
  return n;
}

export async function workerCommand(options: WorkerOptions, ctx: CliContext): Promise<number> {
  // piscina, BullMQ and ioredis load here, not with the command line: a run needs none of them.
  const [{ Piscina }, { Worker }, { defaultJobs, SWEEP_THREAD }, { QUEUE_NAME, QUEUE_PREFIX, sweepKey }, { closeRedis, connectRedis, parseQueueUrl }] = await Promise.all([
    import('piscina'),
    import('bullmq'),
    import('../sweep/local-pool.js'),
    import('../sweep/queue.js'),
    import('../sweep/redis.js'),
  ]);
  const threads = positive(options.threads, '--threads', defaultJobs());
  const lockDuration = positive(options.lockDuration, '--lock-duration', 30000);
  const address = parseQueueUrl(options.queue!);
  const client = await connectRedis(address, 'worker');
  const pool = new Piscina<SweepTask, SweepTaskResult>({ filename: SWEEP_THREAD, minThreads: threads, maxThreads: threads });
  const sources = new Map<string, SweepSource>();

  const processChunk = async (job: Job<ChunkJob>): Promise<{ ran: number }> => {
    const { planId, runs } = job.data;
    let source = sources.get(planId);
    if (source === undefined) {
      const text = await client.get(sweepKey(planId, 'source'));
      if (text === null) throw new Error(`sweep ${planId}: its source is not on the queue's Redis`);
      source = JSON.parse(text) as SweepSource;
      sources.set(planId, source);
    }
    const results = sweepKey(planId, 'results');
    const done = await client.hmget(results, ...runs.map((r) => r.id));
    let ran = 0;
    // One run at a time, each result stored as it comes: a worker killed mid-chunk loses only
    // the run under way, and the retry skips what is stored.
    for (const [i, run] of runs.entries()) {
      if (done[i] !== null) continue;
      const res = await pool.run({ planId, source, runs: [run.index], keep: 'none', outDir: null });
      const record = res.records[0]!;
      if (record.id !== run.id || parseRunLine(runLine(record)) === null) throw new Error(`sweep ${planId}: run ${run.index} came back as ${record.id}, not ${run.id}`);
      await client.hsetnx(results, run.id, runLine(record));
      await client.hincrby(sweepKey(planId, 'executions'), run.id, 1);
      ran++;
    }
    return { ran };
  };

  // The Worker shares `client` for its commands and opens a duplicate of it (same options) for
  // its blocking waits, which it closes itself.
  const worker = new Worker<ChunkJob>(QUEUE_NAME, processChunk, { connection: client, prefix: QUEUE_PREFIX, concurrency: threads, lockDuration, stalledInterval: lockDuration, maxStalledCount: 10 });
  // While ioredis reconnects, the same error comes again with each attempt: shown once.
  let lastError = '';
  worker.on('error', (err) => {
    if (err.message === lastError) return;
    lastError = err.message;
    ctx.io.stderr.write(ctx.err.red(`worker: ${err.message}`) + '\n');
  });
  client.on('ready', () => void (lastError = ''));
  worker.on('failed', (job, err) => ctx.io.stderr.write(ctx.err.red(`worker: chunk ${job?.id ?? '?'} failed: ${err.message}`) + '\n'));
  ctx.io.stderr.write(`worker: ${threads} thread(s) on ${address.shown}; Ctrl-C to stop\n`);
  // Ctrl-C or SIGTERM; or Redis gone for good (ioredis gave up reconnecting), which ends the worker
  // with exit 3 so a supervisor can restart it.
  const lost = await new Promise<boolean>((resolve) => {
    process.once('SIGINT', () => resolve(false));
    process.once('SIGTERM', () => resolve(false));
    client.once('end', () => resolve(true));
  });
  if (lost) ctx.io.stderr.write(ctx.err.red(`worker: lost Redis at ${address.hostPort} and could not reconnect; stopping`) + '\n');
  else ctx.io.stderr.write('worker: stopping after the chunks under way\n');
  await worker.close(lost);
  await pool.destroy();
  await closeRedis(client);
  return lost ? EXIT.internal : EXIT.ok;
}
