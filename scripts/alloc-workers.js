#!/usr/bin/env node
// What two threads can get from this machine when the work allocates, as a simulation's runs do:
// one worker thread building short-lived small objects (and keeping a share of them alive for a
// while, so that the collector copies survivors) against two doing the same work each, in turns,
// with the process's CPU time beside the wall time. No msrp-sim code runs: the ratio is what V8 on
// this machine gives allocation-heavy JavaScript, a ceiling for a sweep's `--jobs 2` over
// `--jobs 1`. One thread's collections already use the other core (V8's parallel scavenger and
// concurrent marker run on its platform threads); `--single-threaded-gc` before the script shows
// the ratio without that help.
//   node scripts/alloc-workers.js [rounds]
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

const code = `
const { parentPort, workerData } = require('node:worker_threads');
let kept = [];
function work(n) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const o = { a: i, b: [i, i + 1], c: 'x' + (i & 1023) };
    kept.push(o);
    if (kept.length > workerData.live) kept = [];
    s += o.b.length;
  }
  return s;
}
parentPort.postMessage(work(workerData.steps));
`;

async function run(threads, live) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: threads }, () => new Promise((done, fail) => {
    const w = new Worker(code, { eval: true, workerData: { steps: 2e7, live } });
    w.on('error', fail);
    w.on('message', () => void w.terminate().then(done));
  })));
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

const ms = (x) => `${x.toFixed(0)} ms`;
for (let r = 0; r < Number(process.argv[2] ?? 3); r++) {
  for (const live of [1_000, 200_000]) {
    const one = await run(1, live);
    const two = await run(2, live);
    console.log(`${live} objects kept: 1 thread ${ms(one.wall)} (CPU ${ms(one.cpu)}); 2 threads, twice the work, ${ms(two.wall)} (CPU ${ms(two.cpu)}): ${((2 * one.wall) / two.wall).toFixed(2)}×`);
  }
}
