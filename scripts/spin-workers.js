#!/usr/bin/env node
// What two threads can get from this machine: one worker thread spinning on integer arithmetic
// (no allocation, no compilation to speak of) against two doing the same work each, in turns. The
// ratio is the ceiling for any sweep's `--jobs 2` over `--jobs 1`.
//   node scripts/spin-workers.js [rounds]
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

const code = "let x = 0; for (let i = 0; i < 4e8; i++) x = (x * 31 + i) | 0; require('node:worker_threads').parentPort.postMessage(x);";
async function run(n) {
  const start = performance.now();
  await Promise.all(Array.from({ length: n }, () => new Promise((done) => {
    const w = new Worker(code, { eval: true });
    w.on('message', () => void w.terminate().then(done));
  })));
  return performance.now() - start;
}
for (let r = 0; r < Number(process.argv[2] ?? 3); r++) {
  const one = await run(1);
  const two = await run(2);
  console.log(`1 thread ${one.toFixed(0)} ms; 2 threads, twice the work, ${two.toFixed(0)} ms: ${((2 * one) / two).toFixed(2)}×`);
}
