/**
 * `msrp-sim sweep FILE`: a scenario run over the axes and seeds of a sweep file, on this
 * machine's cores (piscina), one shard of it (`--shard I/N`), or through a Redis queue
 * (`--queue`, with `msrp-sim worker`); `--merge DIR...` puts shards together. The aggregate is
 * in the order of the axes, so it is the same bytes however the runs were spread. See
 * docs/sweeps.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { shardOf, type RunRecord, type SweepPlan, type SweepSource } from '../../sweep/index.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { loadSweep, planFromSource, readRecords, report, SweepFolder } from '../sweep/sweep-files.js';
import { SweepProgress } from '../sweep/sweep-progress.js';
import type { KeepOutputs } from '../sweep/sweep-thread.js';

export interface SweepOptions {
  jobs?: string;
  out?: string;
  keepOutputs?: boolean;
  keepFailed?: boolean;
  junit?: string;
  shard?: string;
  merge?: boolean;
  queue?: string;
  detach?: boolean;
  collect?: boolean;
  chunkRuns?: string;
}

const EXAMPLES = `
Examples:
  $ msrp-sim sweep sweeps/relay-profiles-under-loss.yaml            every core of this machine
  $ msrp-sim sweep my-sweep.yaml --jobs 2 --junit out/sweep.xml
  $ msrp-sim sweep my-sweep.yaml --shard $JOB_COMPLETION_INDEX/8 --out results/$JOB_COMPLETION_INDEX
  $ msrp-sim sweep --merge results/* --out out/my-sweep              shards into one result
  $ msrp-sim sweep my-sweep.yaml --queue redis://10.0.0.5:6379/0     runs on \`msrp-sim worker\`s

Results go to out/<sweep name>/ (or --out): runs.ndjson, summary.csv, sweep.html, and
progress.ndjson, which a run of the same sweep reads to run only what is missing (after a Ctrl-C).
Exit status: 0 every run met its expectations, 1 some did not, 2 invalid sweep file or usage,
3 internal error, 130 interrupted.`;

export function registerSweep(program: Command, ctx: CliContext): void {
  program
    .command('sweep')
    .summary('run a scenario over a grid of parameters and seeds, on many cores or machines')
    .description('Run a scenario over the axes and seeds of a sweep file (docs/sweeps.md): on this machine\'s cores, one shard of it, or through a Redis queue.')
    .argument('[file]', 'the sweep file')
    .argument('[dirs...]', 'with --merge: the output folders of the shards')
    .option('-j, --jobs <n>', 'worker threads (default: the machine\'s cores)')
    .option('-o, --out <dir>', 'output folder (default: out/<sweep name>)')
    .option('--keep-outputs', 'keep every run\'s full outputs in <out>/runs/<run id>/')
    .option('--keep-failed', 'keep the full outputs of the runs that did not pass')
    .option('--junit <file>', 'write a JUnit XML report, one test case per run')
    .option('--shard <i/n>', 'run shard I of N only (I from 0), with no broker')
    .option('--merge', 'merge the output folders of shards (given as arguments) into --out')
    .option('--queue <url>', 'run through a BullMQ queue on Redis: redis://HOST:PORT/DB')
    .option('--detach', 'with --queue: enqueue and return; `--collect` later')
    .option('--collect', 'with --queue: wait for the sweep\'s results and write them')
    .option('--chunk-runs <n>', 'with --queue: runs per chunk (default: about a second of work)')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string | undefined, dirs: string[], options: SweepOptions) => {
      ctx.status = await sweepCommand(file, dirs, options, ctx);
    });
}

// The pool (piscina) loads when a sweep runs, not with the command line: a run needs none of it.
async function parseJobs(text: string | undefined): Promise<number> {
  if (text === undefined) return (await import('../sweep/local-pool.js')).defaultJobs();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new CliError(`sweep: --jobs takes a whole number of threads from 1, not \`${text}\``, EXIT.usage);
  return n;
}

function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/u.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new CliError(`sweep: --shard takes I/N with 0 <= I < N (I counts from 0, as JOB_COMPLETION_INDEX does), not \`${text}\``, EXIT.usage);
  return { index, count };
}

export async function sweepCommand(file: string | undefined, dirs: string[], options: SweepOptions, ctx: CliContext): Promise<number> {
  if (options.merge) return mergeCommand([...(file !== undefined ? [file] : []), ...dirs], options, ctx);
  if (file === undefined) throw new CliError('sweep: name a sweep file (or --merge DIR...)', EXIT.usage);
  if (dirs.length > 0) throw new CliError(`sweep: one sweep file at a time; \`${dirs[0]}\` is one too many (folders go with --merge)`, EXIT.usage);
  if ((options.detach || options.collect || options.chunkRuns) && !options.queue) throw new CliError('sweep: --detach, --collect and --chunk-runs go with --queue', EXIT.usage);
  if (options.queue && (options.keepOutputs || options.keepFailed)) throw new CliError('sweep: with --queue the runs\' full outputs stay on the workers\' machines; --keep-outputs and --keep-failed are for local sweeps', EXIT.usage);
  if (options.keepOutputs && options.keepFailed) throw new CliError('sweep: --keep-outputs keeps every run already; drop --keep-failed', EXIT.usage);
  const jobs = await parseJobs(options.jobs);
  const shard = options.shard !== undefined ? parseShard(options.shard) : null;
  if (shard !== null && options.queue) throw new CliError('sweep: --shard runs without a broker; drop --queue', EXIT.usage);
  const chunkRuns = options.chunkRuns !== undefined ? await parseJobs(options.chunkRuns) : undefined;
  const plan = loadSweep(ctx, file);
  const outName = shard === null ? plan.spec.name : `${plan.spec.name}-shard-${shard.index}-of-${shard.count}`;
  const folder = new SweepFolder(options.out ?? join('out', outName));
  const keep: KeepOutputs = options.keepOutputs ? 'all' : options.keepFailed ? 'failed' : 'none';
  if (options.queue) {
    const { queueSweep } = await import('../sweep/queue.js');
    return queueSweep(ctx, plan, folder, { url: options.queue, detach: options.detach === true, collect: options.collect === true, ...(options.junit !== undefined ? { junit: options.junit } : {}), ...(chunkRuns !== undefined ? { chunkRuns } : {}) });
  }
  const runs = shard === null ? plan.runs : shardOf(plan.runs, shard.index, shard.count);
  return runLocal(ctx, plan, runs.map((r) => r.index), folder, { jobs, keep, junit: options.junit });
}

async function runLocal(ctx: CliContext, plan: SweepPlan, wanted: number[], folder: SweepFolder, options: { jobs: number; keep: KeepOutputs; junit?: string }): Promise<number> {
  const all = folder.open(plan);
  const wantedSet = new Set(wanted);
  const records = new Map([...all].filter(([i]) => wantedSet.has(i)));
  const todo = wanted.filter((i) => !records.has(i));
  const seconds = new Map<string, number>();
  const progress = new SweepProgress(ctx, wanted.length, records.size);
  let failed = [...records.values()].filter((r) => r.outcome !== 'pass').length;
  const signal: { stopped: boolean; abort?: () => void } = { stopped: false };
  const onInt = (): void => {
    if (signal.stopped) signal.abort?.();
    signal.stopped = true;
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onInt);
  try {
    if (records.size > 0 && todo.length > 0) ctx.io.stderr.write(`${records.size} of ${wanted.length} runs already done in ${folder.dir}; running the other ${todo.length}\n`);
    const { runOnPool } = await import('../sweep/local-pool.js');
    await runOnPool(plan, todo, {
      jobs: Math.min(options.jobs, Math.max(1, todo.length)),
      keep: options.keep,
      outDir: folder.dir,
      signal,
      onRecord: (r, wallMs) => {
        folder.append([r]);
        records.set(r.run, r);
        seconds.set(r.id, wallMs / 1000);
        if (r.outcome !== 'pass') failed++;
        progress.update(records.size, failed);
      },
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onInt);
    progress.finish();
  }
  if (signal.stopped && records.size < wanted.length) {
    ctx.io.stderr.write(`interrupted: ${records.size} of ${wanted.length} runs done, kept in ${folder.progress}; run the same command again to run the other ${wanted.length - records.size}\n`);
    return 130;
  }
  folder.writeAggregate(plan, records, options.junit, seconds);
  return report(ctx, plan, records, folder.dir);
}

async function mergeCommand(dirs: string[], options: SweepOptions, ctx: CliContext): Promise<number> {
  if (dirs.length === 0) throw new CliError('sweep --merge: name the output folders of the shards', EXIT.usage);
  let plan: SweepPlan | null = null;
  const records = new Map<number, RunRecord>();
  for (const dir of dirs) {
    const sourceFile = join(dir, 'sweep.json');
    if (!existsSync(sourceFile)) throw new CliError(`sweep --merge: ${dir} holds no sweep.json: not the output folder of a sweep`, EXIT.usage);
    let source: SweepSource;
    try {
      source = JSON.parse(readFileSync(sourceFile, 'utf8')) as SweepSource;
    } catch {
      throw new CliError(`sweep --merge: ${sourceFile} is not a sweep's source`, EXIT.usage);
    }
    const p = planFromSource(ctx, source);
    if (plan !== null && p.id !== plan.id) throw new CliError(`sweep --merge: ${dir} holds another sweep (${p.spec.name}, ${p.id}) than ${dirs[0]} (${plan.spec.name}, ${plan.id})`, EXIT.usage);
    plan ??= p;
    for (const name of ['runs.ndjson', 'progress.ndjson']) for (const [i, r] of readRecords(join(dir, name), p)) records.set(i, r);
  }
  const folder = new SweepFolder(options.out ?? join('out', plan!.spec.name));
  const had = folder.open(plan!);
  for (const [i, r] of had) if (!records.has(i)) records.set(i, r);
  folder.append([...records.values()].filter((r) => !had.has(r.run)));
  folder.writeAggregate(plan!, records, options.junit);
  const missing = plan!.runs.length - records.size;
  if (missing > 0) ctx.io.stderr.write(ctx.err.red(`sweep --merge: ${missing} of ${plan!.runs.length} runs are in none of the folders; the results are incomplete\n`));
  const status = report(ctx, plan!, records, folder.dir);
  return missing > 0 ? EXIT.failed : status;
}
