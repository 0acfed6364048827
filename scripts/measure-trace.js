#!/usr/bin/env node
// Trace size and writing rate of one scenario in trace formats 1 and 2, in one process, side by
// side (docs/performance.md): bytes of NDJSON per frame-hop (an msrp.send: one frame written to
// the next node), records, and records per CPU-second of the whole run with the trace encoded.
//
//   npm run build && node scripts/gen-scale-scenario.js --relays 10 > /tmp/scale-1k.yaml
//   node scripts/measure-trace.js /tmp/scale-1k.yaml
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadScenario, runScenario } from '../dist/index.js';
import { ndjsonLine, readNdjson } from '../dist/output/index.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/measure-trace.js SCENARIO');
  process.exit(2);
}
const l = loadScenario(file, readFileSync(file, 'utf8'));
if (!l.ok) {
  console.error(`${file} does not load`);
  process.exit(2);
}
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rows = [];
for (const traceFormat of [1, 2]) {
  let bytes = 0;
  let records = 0;
  let hops = 0;
  const byType = new Map();
  // A sample of the trace kept for the read measurement (the first 200,000 lines).
  const sample = [];
  const c0 = cpu();
  const w0 = performance.now();
  runScenario(l.scenario, {
    traceFormat,
    sinks: [
      (r) => {
        const line = ndjsonLine(r);
        const n = Buffer.byteLength(line);
        bytes += n;
        records++;
        if (r.type === 'msrp.send') hops++;
        byType.set(r.type, (byType.get(r.type) ?? 0) + n);
        if (sample.length < 200_000) sample.push(line);
      },
    ],
  });
  const cpuRun = cpu() - c0;
  const wall = (performance.now() - w0) / 1000;
  const text = sample.join('');
  const c1 = cpu();
  let read = 0;
  for (const _ of readNdjson(text)) read++;
  const cpuRead = cpu() - c1;
  const top = [...byType].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([t, n]) => `${t} ${((100 * n) / bytes).toFixed(0)}%`).join(', ');
  rows.push({ format: traceFormat, records, hops, bytes, perHop: bytes / hops, wall, cpuRun, recordsPerCpuS: records / cpuRun, readPerCpuS: read / cpuRead, top });
}
for (const r of rows) {
  console.log(
    `format ${r.format}: ${r.records} records, ${r.hops} frame-hops, ${(r.bytes / 1048576).toFixed(1)} MiB, ${r.perHop.toFixed(0)} B/frame-hop; run ${r.wall.toFixed(1)} s wall, ${r.cpuRun.toFixed(1)} CPU-s, ${(r.recordsPerCpuS / 1000).toFixed(0)} k records/CPU-s; readNdjson ${(r.readPerCpuS / 1000).toFixed(0)} k records/CPU-s\n  largest shares: ${r.top}`,
  );
}
