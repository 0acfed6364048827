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
 *
 * Through Redis: a redis-server started here (free loopback port, no persistence) and two
 * `msrp-sim worker --threads 1` processes (dist/), the bench-small sweep submitted in chunks of
 * 10 runs and waited for as `msrp-sim sweep --queue` does, each round under another version
 * string so that its run ids are new. The queue's cost per run is the difference of the wall
 * time per run through the queue and with a warm local pool of 2 threads (started and used once
 * before it is timed, as the workers' threads are), times the two workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createContext } from '../src/cli/context.js';
import { newSweepPool, runOnPool } from '../src/cli/sweep/local-pool.js';
import { queueSweep } from '../src/cli/sweep/queue.js';
import { SweepFolder } from '../src/cli/sweep/sweep-files.js';
import { parseSweepFile, planSweep, type SweepPlan } from '../src/sweep/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

function plan(file: string, version = 'bench'): SweepPlan {
  const SWEEP = resolve(root, file);
  const text = readFileSync(SWEEP, 'utf8');
  const parsed = parseSweepFile(SWEEP, text);
  if (!parsed.ok) throw new Error('bench sweep does not parse');
  const scenarioFile = resolve(dirname(SWEEP), parsed.spec.scenario);
  const planned = planSweep(parsed.spec, { sweepFile: SWEEP, sweepText: text, scenarioFile, scenarioText: readFileSync(scenarioFile, 'utf8'), version });
  if (!planned.ok) throw new Error('bench sweep does not plan');
  return planned.plan;
}

export interface SweepMeasure {
  wallS: number;
  cpuS: number;
  runs: number;
}

async function once(p: SweepPlan, jobs: number, pool?: ReturnType<typeof newSweepPool>): Promise<SweepMeasure> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let runs = 0;
  await runOnPool(p, p.runs.map((r) => r.index), { jobs, keep: 'none', outDir: null, onRecord: () => void runs++, ...(pool !== undefined ? { pool } : {}) });
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

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    child.once('exit', () => res());
    child.kill('SIGTERM');
  });
}

async function measureQueue(rounds: number): Promise<void> {
  const server = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (server === undefined) {
    console.log('sweep through Redis: skipped, redis-server is not installed');
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'msrp-sim-bench-queue-'));
  const port = await freePort();
  const redis = spawn(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}/0`;
  const workers: ChildProcess[] = [];
  try {
    await sleep(300);
    for (let i = 0; i < 2; i++) workers.push(spawn(process.execPath, [join(root, 'bin/msrp-sim.js'), 'worker', '--queue', url, '--threads', '1'], { stdio: 'ignore' }));
    const quiet = { write: () => true };
    const ctx = createContext({ stdout: quiet, stderr: quiet, stdin: (async function* () {})(), env: {} });
    const queued: SweepMeasure[] = [];
    const local: SweepMeasure[] = [];
    const warm = newSweepPool(2);
    await once(plan('bench/sweep-small.yaml'), 2, warm);
    for (let round = 0; round <= rounds; round++) {
      const p = plan('bench/sweep-small.yaml', `bench-queue-${round}`);
      const cpu = process.cpuUsage();
      const start = performance.now();
      await queueSweep(ctx, p, new SweepFolder(join(tmp, `out-${round}`)), { url, detach: false, collect: false, chunkRuns: 10 });
      const m = { wallS: (performance.now() - start) / 1000, cpuS: 0, runs: p.runs.length };
      const used = process.cpuUsage(cpu);
      m.cpuS = (used.user + used.system) / 1e6;
      // Round 0 warms the workers' threads.
      if (round > 0) {
        queued.push(m);
        local.push(await once(plan('bench/sweep-small.yaml'), 2, warm));
      }
    }
    await warm.destroy();
    const q = median(queued.map((x) => x.runs / x.wallS));
    const l = median(local.map((x) => x.runs / x.wallS));
    console.log(`sweep bench-small through Redis, 2 workers × 1 thread`.padEnd(44) + ` ${q.toFixed(1)} runs/s (median of ${queued.length}; wall ${queued.map((x) => x.wallS.toFixed(2)).join(' ')} s; submitter ${median(queued.map((x) => x.cpuS)).toFixed(2)} CPU-s)`);
    console.log(`sweep bench-small, warm local pool of 2 threads`.padEnd(44) + ` ${l.toFixed(1)} runs/s`);
    console.log(`sweep: the queue's cost per run`.padEnd(44) + ` ${(2 * 1000 * (1 / q - 1 / l)).toFixed(2)} ms of a worker's time (${(1000 * (1 / q - 1 / l)).toFixed(2)} ms of the sweep's wall time)`);
  } finally {
    for (const w of workers) await stop(w);
    await stop(redis);
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const rounds = Number(process.env.SWEEP_ROUNDS ?? 5);
  await measureSweep('bench/sweep-small.yaml', rounds);
  await measureSweep('bench/sweep-push.yaml', Math.max(1, Math.ceil(rounds / 2)));
  await measureQueue(Math.max(1, Math.ceil(rounds / 2)));
}
