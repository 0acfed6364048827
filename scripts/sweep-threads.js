#!/usr/bin/env node
// Where a local sweep's CPU time goes, thread by thread: runs a sweep file on a fresh piscina pool
// of 1 and of 2 threads, in turns (as `npm run bench -- sweep` does), and prints the wall time, the
// process's CPU time and each thread's CPU time from /proc/self/task (Linux), so that the sweep
// threads, V8's platform threads (compilation, GC) and the main thread can be told apart.
//   node scripts/sweep-threads.js bench/sweep-push.yaml [rounds]
// V8 flags go before the script: node --no-concurrent-recompilation scripts/sweep-threads.js ...
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { newSweepPool, runOnPool } from '../dist/cli/sweep/local-pool.js';
import { parseSweepFile, planSweep } from '../dist/sweep/index.js';

function threadCpuMs() {
  const out = {};
  for (const t of readdirSync('/proc/self/task')) {
    const fields = readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' ');
    out[t] = (Number(fields[11]) + Number(fields[12])) * 10;
  }
  return out;
}

const file = resolve(process.argv[2] ?? 'bench/sweep-small.yaml');
const rounds = Number(process.argv[3] ?? 2);
const text = readFileSync(file, 'utf8');
const parsed = parseSweepFile(file, text);
if (!parsed.ok) throw new Error(`${file} does not parse`);
const scenarioFile = resolve(dirname(file), parsed.spec.scenario);
const planned = planSweep(parsed.spec, { sweepFile: file, sweepText: text, scenarioFile, scenarioText: readFileSync(scenarioFile, 'utf8'), version: 'sweep-threads' });
if (!planned.ok) throw new Error(`${file} does not plan`);
const plan = planned.plan;
for (let r = 0; r < rounds; r++) {
  for (const jobs of r % 2 === 0 ? [1, 2] : [2, 1]) {
    const pool = newSweepPool(jobs);
    const before = threadCpuMs();
    const cpu = process.cpuUsage();
    const start = performance.now();
    await runOnPool(plan, plan.runs.map((x) => x.index), { jobs, keep: 'none', outDir: null, pool, onRecord: () => undefined });
    const wall = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const after = threadCpuMs();
    const main = String(process.pid);
    const threads = Object.entries(after)
      .map(([t, ms]) => [t, ms - (before[t] ?? 0)])
      .filter(([, ms]) => ms > 0)
      .map(([t, ms]) => `${t === main ? 'main' : t} ${(ms / 1000).toFixed(2)}`);
    console.log(`--jobs ${jobs}: ${plan.runs.length} runs, wall ${(wall / 1000).toFixed(2)} s, CPU ${((used.user + used.system) / 1e6).toFixed(2)} s; by thread (CPU-s): ${threads.join(', ')}`);
    await pool.destroy();
  }
}
