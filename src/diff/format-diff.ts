/**
 * `msrp-sim diff` as text: the two runs, how their nodes were matched, the first difference side by
 * side with frames of context, then every difference, one per line with the fields that differ.
 */
import type { DiffFrame } from './diff-model.js';
import type { ConnectionPair, DiffResult, Difference, DiffRunSummary } from './compare-runs.js';

export interface FormatOptions {
  /** Frames shown before and after the first difference. */
  context?: number;
  /** Characters of each column of the side-by-side view. */
  width?: number;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const runLine = (s: DiffRunSummary): string => `${s.source} (${s.kind}: ${plural(s.nodes, 'node')}, ${plural(s.connections, 'connection')}, ${plural(s.frames, 'frame')})`;

function cut(s: string, width: number): string {
  return s.length <= width ? s.padEnd(width) : s.slice(0, width - 1) + '…';
}

/** A frame as lines: start line, headers, the body's size, the end-line's flag. */
export function frameLines(f: DiffFrame): string[] {
  const tid = /^MSRP (\S+)/.exec(f.startLine)?.[1] ?? '';
  const lines = [f.startLine, ...f.headers.map(([n, v]) => `${n}: ${v}`)];
  if (f.body !== null) lines.push(`(body: ${f.body.length} bytes)`);
  lines.push(`-------${tid}${f.continuation}`);
  return lines;
}

function connectionIds(p: ConnectionPair): string {
  return `A: ${p.a?.id ?? 'none'}, B: ${p.b?.id ?? 'none'}`;
}

function sideBySide(d: Difference, p: ConnectionPair, context: number, width: number): string[] {
  const out: string[] = [];
  const gap = '   ';
  out.push(`  ${' '.repeat(10)}${cut('A', width)}${gap}B`);
  if (d.direction === null || d.frame === null) {
    for (const dir of [0, 1] as const) {
      for (const [x, y] of p.frames[dir].slice(0, context + 1)) out.push(`  ${' '.repeat(10)}${cut(x?.startLine ?? '', width)}${gap}${y?.startLine ?? ''}`);
    }
    return out;
  }
  const list = p.frames[d.direction];
  const at = d.frame - 1;
  const one = (i: number): string => {
    const [x, y] = list[i]!;
    return `  ${`frame ${i + 1}`.padEnd(10)}${cut(x?.startLine ?? '(none)', width)}${gap}${y?.startLine ?? '(none)'}`;
  };
  for (let i = Math.max(0, at - context); i < at; i++) out.push(one(i));
  const [x, y] = list[at]!;
  const lx = x ? frameLines(x) : ['(no frame)'];
  const ly = y ? frameLines(y) : ['(no frame)'];
  for (let i = 0; i < Math.max(lx.length, ly.length); i++) {
    const l = lx[i] ?? '';
    const r = ly[i] ?? '';
    const mark = l === r ? ' ' : '!';
    const head = i === 0 ? `frame ${at + 1}` : '';
    out.push(`${mark} ${head.padEnd(10)}${cut(l, width)}${gap}${r}`);
  }
  for (let i = at + 1; i < Math.min(list.length, at + 1 + context); i++) out.push(one(i));
  return out;
}

const quoted = (v: string | null): string => (v === null ? '(none)' : `"${v}"`);

export function formatDiff(r: DiffResult, options: FormatOptions = {}): string {
  const context = options.context ?? 2;
  const width = options.width ?? 56;
  const out: string[] = [`A: ${runLine(r.a)}`, `B: ${runLine(r.b)}`];
  const nodes = r.nodes.map((n) => (n.a && n.b ? (n.a.name === n.b.name ? n.a.name : `${n.a.name} = ${n.b.name}`) : `${(n.a ?? n.b)!.name} (only in ${n.a ? 'A' : 'B'})`));
  out.push(`nodes: ${nodes.join(', ')}`);
  for (const [side, s] of [['A', r.a], ['B', r.b]] as const) for (const n of s.notes) out.push(`note (${side}): ${n}`);
  if (r.same) {
    out.push(`same: ${plural(r.a.frames, 'frame')} on ${plural(r.a.connections, 'connection')} agree at the MSRP level`);
    return out.join('\n') + '\n';
  }
  const first = r.differences[0]!;
  const p = r.connections[first.connection]!;
  out.push('');
  out.push(`first difference: ${first.message}`);
  out.push(`  on connection ${first.connection + 1}, ${p.from} -> ${p.to} (${connectionIds(p)})`);
  out.push(...sideBySide(first, p, context, width));
  out.push('');
  out.push(`${r.differences.length} ${r.differences.length === 1 ? 'difference' : 'differences'}:`);
  r.differences.forEach((d, i) => {
    out.push(`  ${i + 1}. connection ${d.connection + 1}: ${d.message}`);
    if (d.kind === 'frame' && !(d.fields.length === 1 && d.fields[0]!.field === 'frame')) {
      for (const f of d.fields) out.push(`       ${f.field}: A ${quoted(f.a)}, B ${quoted(f.b)}`);
    }
  });
  return out.join('\n') + '\n';
}

/** The result for tools (`--json`): the runs, the node matching and every difference. */
export function diffJson(r: DiffResult): object {
  return {
    same: r.same,
    a: r.a,
    b: r.b,
    nodes: r.nodes.map((n) => ({ a: n.a?.name ?? null, b: n.b?.name ?? null, by: n.by })),
    connections: r.connections.map((c, i) => ({ index: i + 1, from: c.from, to: c.to, a: c.a?.id ?? null, b: c.b?.id ?? null, frames: [c.frames[0].length, c.frames[1].length] })),
    differences: r.differences.map((d) => ({ ...d, connection: d.connection + 1 })),
  };
}
