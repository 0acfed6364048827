/**
 * Diagram benchmark (SPEC §9: "a 10,000-arrow ladder renders in at most 2 s"): synthetic records
 * of a push through two relays and a firewall, 10,000 MSRP arrows with their frames, fed through
 * the flow model and drawn as ladder pages.
 */
import { performance } from 'node:perf_hooks';
import { formatResult, measure } from './harness.js';
import { FlowCollector } from '../src/output/flow.js';
import { drawLadder } from '../src/output/ladder.js';
import { svgEngine, type SvgEngine } from '../src/output/svg-engine.js';
import { createOutputs } from '../src/output/index.js';
import type { AnyTraceRecord } from '../src/sim/trace.js';
import type { TopologyInfo } from '../src/output/topology-info.js';

const topology: TopologyInfo = {
  nodes: [
    { id: 'psa', role: 'sender', host: 'push.example.com' },
    { id: 'relay-a', role: 'relay', host: 'relay.a.example.com' },
    { id: 'relay-b', role: 'relay', host: 'relay.b.example.net' },
    { id: 'fw-b', role: 'firewall', inside: ['pra'] },
    { id: 'pra', role: 'receiver', host: 'phone.b.example.net' },
  ],
  links: [
    { a: 'psa', b: 'relay-a', latency: 10_000 },
    { a: 'relay-a', b: 'relay-b', latency: 40_000 },
    { a: 'relay-b', b: 'fw-b', latency: 10_000 },
    { a: 'fw-b', b: 'pra', latency: 10_000 },
  ],
};

const hops: [string, string, string, string][] = [
  ['psa', 'relay-a', 'c1', 'c2'],
  ['relay-a', 'relay-b', 'c3', 'c4'],
  ['relay-b', 'pra', 'c5', 'c6'],
];

/** `arrows` MSRP arrows: SENDs hop by hop, each answered 200 by the next hop. */
export function syntheticRecords(arrows: number): AnyTraceRecord[] {
  const records: AnyTraceRecord[] = [];
  let seq = 0;
  let t = 0;
  const add = (node: string, type: string, fields: Record<string, unknown>): void => {
    records.push({ t, seq: seq++, node, type, ...fields });
  };
  for (const [a, b, ca, cb] of hops) {
    add(a, 'tcp.connect', { conn: ca, local: `10.0.0.1:4915${ca.slice(1)}`, remote: '10.0.0.2:2855', target: b, tls: true, isn: 1000 });
    add(b, 'tcp.accept', { conn: cb, peer: ca, local: '10.0.0.2:2855', remote: `10.0.0.1:4915${ca.slice(1)}`, isn: 2000 });
  }
  const toPath = ['msrps://relay.a.example.com:2855/aaaa;tcp', 'msrps://relay.b.example.net:2855/bbbb;tcp', 'msrp://phone.b.example.net:7654/cccc;tcp'];
  const fromPath = ['msrp://push.example.com:7654/dddd;tcp'];
  let made = 0;
  let n = 0;
  while (made < arrows) {
    for (let h = 0; h < hops.length && made < arrows; h++) {
      const [a, b, ca, cb] = hops[h]!;
      const tid = `t${String(n).padStart(8, '0')}h${h}`;
      const tp = toPath.slice(h);
      const fp = [...toPath.slice(0, h).reverse(), ...fromPath];
      const text = `MSRP ${tid} SEND\r\nTo-Path: ${tp.join(' ')}\r\nFrom-Path: ${fp.join(' ')}\r\nMessage-ID: m${n}\r\nByte-Range: 1-12/12\r\nContent-Type: text/plain\r\n\r\nhello world!\r\n-------${tid}$\r\n`;
      add(a, 'msrp.send', { conn: ca, offset: n * 400, length: text.length, kind: 'request', transactionId: tid, toPath: tp, fromPath: fp, continuation: '$', bodyLength: 12, method: 'SEND', messageId: `m${n}`, byteRange: { start: 1, end: 12, total: 12 }, text });
      if (h > 0) add(a, 'relay.forward', { rule: 'R-19', method: 'SEND', inConn: hops[h - 1]![3], outConn: ca, inTransactionId: `x${n}`, outTransactionId: tid, toPathBefore: toPath.slice(h - 1), toPathAfter: tp, fromPathBefore: fp.slice(1), fromPathAfter: fp });
      made++;
      t += 5_000;
      add(b, 'msrp.recv', { conn: cb, kind: 'request', transactionId: tid, toPath: tp, fromPath: fp, continuation: '$', bodyLength: 12, method: 'SEND' });
      if (made >= arrows) break;
      const rtext = `MSRP ${tid} 200 OK\r\nTo-Path: ${fp[0]}\r\nFrom-Path: ${tp[0]}\r\n-------${tid}$\r\n`;
      add(b, 'msrp.send', { conn: cb, offset: n * 100, length: rtext.length, kind: 'response', transactionId: tid, toPath: [fp[0]], fromPath: [tp[0]], continuation: '$', bodyLength: null, status: 200, comment: 'OK', text: rtext });
      made++;
      t += 5_000;
      add(a, 'msrp.recv', { conn: ca, kind: 'response', transactionId: tid, toPath: [fp[0]], fromPath: [tp[0]], continuation: '$', bodyLength: null, status: 200, comment: 'OK' });
    }
    n++;
  }
  return records;
}

function render(engine: SvgEngine, records: AnyTraceRecord[]): number {
  const flow = new FlowCollector({ topology });
  for (const r of records) flow.record(r);
  const pages = drawLadder(engine, flow.finish());
  return pages.reduce((s, p) => s + p.svg.length, 0);
}

export async function run(): Promise<void> {
  const arrows = 10_000;
  const records = syntheticRecords(arrows);
  // Cold: the import of d3-node (jsdom) is part of the first render, as in a CLI run.
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const engine = await svgEngine();
  const loaded = performance.now() - start;
  const bytes = render(engine, records);
  const cold = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  console.log(`ladder: ${arrows} arrows, ${Math.ceil(arrows / 200)} pages, ${(bytes / 1e6).toFixed(1)} MB of SVG; first render ${cold.toFixed(0)} ms with the d3-node import (${loaded.toFixed(0)} ms of it), ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (bar: 2000 ms)`);
  const r = measure({ name: 'ladder: 10,000 arrows (flow + SVG pages)', units: arrows, unitName: ' arrows', run: () => render(engine, records) }, { warmupMs: 500, runMs: 1, runs: 5 });
  console.log(formatResult(r, ' arrows'));
  console.log(`ladder: median ${((arrows / r.unitsPerSecond) * 1000).toFixed(0)} ms per 10,000-arrow ladder`);
  // For scale: every output of the same trace (ladder pages, report, topology, Mermaid, timeline, ...).
  const t0 = performance.now();
  const outputs = createOutputs({ topology });
  for (const rec of records) outputs.record(rec);
  const files = await outputs.finish();
  const size = [...files.values()].reduce((n, v) => n + v.length, 0);
  console.log(`ladder: all outputs of the 10,000-arrow trace in ${(performance.now() - t0).toFixed(0)} ms (${files.size} files, ${(size / 1e6).toFixed(1)} MB)`);
}
