#!/usr/bin/env node
// Proves that golden traces rewritten in trace format 2 carry the same information as the format-1
// goldens they replace: each reference is resolved to its frame, the records format 2 adds
// (trace.format, state.*) are dropped, and so are the bytes it adds to a receive in full; seq is
// left out, and what is left must equal the old golden record by record (fields compared by name).
//
//   npm run build && node scripts/compare-goldens.js [REV]   (REV: the commit with the old goldens, default HEAD)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { FrameResolver } from '../dist/sim/frame-resolver.js';

const rev = process.argv[2] ?? 'HEAD';
const files = readdirSync('scenarios').filter((f) => f.endsWith('.golden.ndjson'));
const parse = (text) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
const sorted = (v) => (Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
const FRAME_ONLY = new Set(['text', 'bytesBase64', 'conn', 'offset', 'length', 't', 'seq', 'node', 'type', 'rule']);

let failed = 0;
let references = 0;
for (const file of files) {
  const before = parse(execFileSync('git', ['show', `${rev}:scenarios/${file}`], { encoding: 'utf8', maxBuffer: 1 << 30 }));
  const after = parse(readFileSync(`scenarios/${file}`, 'utf8'));
  const frames = new FrameResolver();
  const kept = [];
  for (const r of after) {
    frames.see(r);
    if (r.type === 'trace.format' || r.type.startsWith('state.')) continue;
    if (r.type === 'msrp.recv' && r.sent !== undefined) {
      references++;
      const f = frames.frameOf(r);
      const fields = Object.fromEntries(Object.entries(f).filter(([k]) => !FRAME_ONLY.has(k)));
      kept.push({ t: r.t, node: r.node, type: r.type, ...(r.rule !== undefined ? { rule: r.rule } : {}), conn: r.conn, ...fields });
    } else if (r.type === 'msrp.recv') {
      // A receive in full: format 2 adds the frame's bytes, which format 1 did not write.
      const { text: _t, bytesBase64: _b, ...rest } = r;
      kept.push(rest);
    } else kept.push(r);
  }
  const a = before.filter((r) => !r.type.startsWith('state.')).map(({ seq: _s, ...r }) => JSON.stringify(sorted(r)));
  const b = kept.map(({ seq: _s, ...r }) => JSON.stringify(sorted(r)));
  let diff = a.length === b.length ? -1 : Math.min(a.length, b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      diff = i;
      break;
    }
  }
  if (diff >= 0) {
    failed++;
    console.log(`${file}: differs at record ${diff + 1} (${a.length} records before, ${b.length} after)\n  before: ${a[diff] ?? '(none)'}\n  after:  ${b[diff] ?? '(none)'}`);
  } else console.log(`${file}: same information (${a.length} records; ${after.length - kept.length} records added)`);
}
console.log(`${files.length - failed} of ${files.length} goldens carry the same information; ${references} receives written as references`);
process.exit(failed > 0 ? 1 : 0);
