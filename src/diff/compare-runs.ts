/**
 * The MSRP-level comparison of two runs: nodes matched (same name first, then by role: order of
 * first appearance in the connections, in order of opening), connections matched (the n-th
 * connection from one node to another in A with the n-th between the matched nodes in B), ids
 * renamed in that common order, then each direction's frames compared one by one.
 */
import type { DiffConnection, DiffFrame, DiffNode, RunModel } from './diff-model.js';
import { IdNormalizer } from './normalize-ids.js';

export interface DiffOptions {
  /** Compare frame times too (µs since each run's first frame), within `tolerance` µs. */
  times?: boolean;
  tolerance?: number;
  /**
   * `auto` (default): text bodies (`text/*`, `message/*`) byte for byte, other bodies (media a
   * simulation draws from its seed, opaque data in a capture) by size; `exact`: every body byte
   * for byte; `size`: every body by its size.
   */
  bodies?: 'auto' | 'exact' | 'size';
  /** Compare URI authorities as written instead of renaming them. */
  keepHosts?: boolean;
}

/** A node of A and the node of B it was matched with (either may be missing). */
export interface NodePair {
  a: DiffNode | null;
  b: DiffNode | null;
  /** How: `name` (the same name on both sides) or `role`. */
  by: 'name' | 'role' | null;
  /** What output shows: the name, or `A-name/B-name` when they differ. */
  label: string;
}

/** One field of a frame that differs; `null` where a side has none. */
export interface FieldDifference {
  field: string;
  a: string | null;
  b: string | null;
}

export interface Difference {
  kind: 'connection' | 'frame';
  /** Index in `DiffResult.connections`. */
  connection: number;
  /** 0: initiator → responder; `null` for a connection difference. */
  direction: 0 | 1 | null;
  /** 1-based frame number in its direction; `null` for a connection difference. */
  frame: number | null;
  fields: FieldDifference[];
  /** One line: what differs. */
  message: string;
}

/** A connection of A and its match in B, with their frames renamed and aligned. */
export interface ConnectionPair {
  a: DiffConnection | null;
  b: DiffConnection | null;
  /** Labels of the initiator and the responder. */
  from: string;
  to: string;
  /** Per direction, frame pairs by position (`null` where a side has fewer frames). */
  frames: [Array<[DiffFrame | null, DiffFrame | null]>, Array<[DiffFrame | null, DiffFrame | null]>];
}

export interface DiffRunSummary {
  source: string;
  kind: RunModel['kind'];
  nodes: number;
  connections: number;
  frames: number;
  notes: string[];
}

export interface DiffResult {
  same: boolean;
  a: DiffRunSummary;
  b: DiffRunSummary;
  nodes: NodePair[];
  connections: ConnectionPair[];
  /** Every difference, earliest first (by A's order of frames). */
  differences: Difference[];
}

function summary(run: RunModel): DiffRunSummary {
  const frames = run.connections.reduce((n, c) => n + c.frames[0].length + c.frames[1].length, 0);
  return { source: run.source, kind: run.kind, nodes: run.nodes.length, connections: run.connections.length, frames, notes: run.notes };
}

/** Nodes in order of first appearance in the connections (initiator, then responder). */
function appearance(run: RunModel): DiffNode[] {
  const byKey = new Map(run.nodes.map((n) => [n.key, n]));
  const seen = new Set<string>();
  const out: DiffNode[] = [];
  for (const c of run.connections) {
    for (const k of [c.initiator, c.responder]) {
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(byKey.get(k) ?? { key: k, name: k, named: false });
    }
  }
  for (const n of run.nodes) if (!seen.has(n.key)) out.push(n);
  return out;
}

function matchNodes(a: RunModel, b: RunModel): NodePair[] {
  const an = appearance(a);
  const bn = appearance(b);
  const pairs: NodePair[] = [];
  const usedB = new Set<DiffNode>();
  const byA = new Map<DiffNode, NodePair>();
  for (const x of an) {
    if (!x.named) continue;
    const y = bn.find((n) => n.named && n.name === x.name && !usedB.has(n));
    if (y === undefined) continue;
    usedB.add(y);
    byA.set(x, { a: x, b: y, by: 'name', label: x.name });
  }
  const restB = bn.filter((n) => !usedB.has(n));
  for (const x of an) {
    let p = byA.get(x);
    if (p === undefined) {
      const y = restB.shift() ?? null;
      p = { a: x, b: y, by: y === null ? null : 'role', label: y === null || y.name === x.name ? x.name : `${x.name}/${y.name}` };
    }
    pairs.push(p);
  }
  for (const y of restB) pairs.push({ a: null, b: y, by: null, label: y.name });
  return pairs;
}

export function compareRuns(a: RunModel, b: RunModel, options: DiffOptions = {}): DiffResult {
  const nodes = matchNodes(a, b);
  const pairOfA = new Map<string, number>();
  const pairOfB = new Map<string, number>();
  nodes.forEach((p, i) => {
    if (p.a) pairOfA.set(p.a.key, i);
    if (p.b) pairOfB.set(p.b.key, i);
  });
  const label = (i: number | undefined): string => (i === undefined ? '?' : nodes[i]!.label);
  const usedB = new Set<DiffConnection>();
  const pairs: Array<{ a: DiffConnection | null; b: DiffConnection | null; from: string; to: string }> = [];
  for (const c of a.connections) {
    const ini = pairOfA.get(c.initiator);
    const res = pairOfA.get(c.responder);
    const m = b.connections.find((d) => !usedB.has(d) && pairOfB.get(d.initiator) === ini && pairOfB.get(d.responder) === res) ?? null;
    if (m) usedB.add(m);
    pairs.push({ a: c, b: m, from: label(ini), to: label(res) });
  }
  for (const d of b.connections) if (!usedB.has(d)) pairs.push({ a: null, b: d, from: label(pairOfB.get(d.initiator)), to: label(pairOfB.get(d.responder)) });

  // Ids are named in the common order: connection by connection, each direction in turn.
  const na = new IdNormalizer({ keepHosts: options.keepHosts === true });
  const nb = new IdNormalizer({ keepHosts: options.keepHosts === true });
  const t0a = firstTime(a);
  const t0b = firstTime(b);
  const connections: ConnectionPair[] = [];
  const found: Array<{ d: Difference; key: number; tie: number }> = [];
  pairs.forEach((p, index) => {
    const frames: ConnectionPair['frames'] = [[], []];
    const aOpened = p.a === null ? Infinity : p.a.opened;
    if (p.a === null || p.b === null) {
      const side = p.a === null ? 'B' : 'A';
      found.push({
        d: { kind: 'connection', connection: index, direction: null, frame: null, fields: [], message: `connection ${p.from} -> ${p.to} only in ${side}` },
        key: p.a === null ? Infinity : aOpened,
        tie: p.b?.opened ?? 0,
      });
    }
    for (const dir of [0, 1] as const) {
      const fa = (p.a?.frames[dir] ?? []).map((f) => na.frame(f));
      const fb = (p.b?.frames[dir] ?? []).map((f) => nb.frame(f));
      let lastKey = aOpened;
      for (let i = 0; i < Math.max(fa.length, fb.length); i++) {
        const x = fa[i] ?? null;
        const y = fb[i] ?? null;
        frames[dir].push([x, y]);
        if (x !== null) lastKey = x.order;
        if (p.a === null || p.b === null) continue;
        const fields = compareFrames(x, y, options, t0a, t0b);
        if (fields.length === 0) continue;
        const [from, to] = dir === 0 ? [p.from, p.to] : [p.to, p.from];
        const what = x === null ? 'only in B' : y === null ? 'only in A' : fields.map((f) => f.field).join(', ');
        found.push({
          d: { kind: 'frame', connection: index, direction: dir, frame: i + 1, fields, message: `${from} -> ${to} frame ${i + 1} (${(x ?? y)!.startLine}): ${what}` },
          key: x === null ? lastKey + 0.5 : lastKey,
          tie: y?.order ?? 0,
        });
      }
    }
    connections.push({ a: p.a, b: p.b, from: p.from, to: p.to, frames });
  });
  found.sort((x, y) => x.key - y.key || x.tie - y.tie);
  const differences = found.map((f) => f.d);
  return { same: differences.length === 0, a: summary(a), b: summary(b), nodes, connections, differences };
}

function firstTime(run: RunModel): number {
  let t = Infinity;
  for (const c of run.connections) for (const d of c.frames) for (const f of d) if (f.time !== null && f.time < t) t = f.time;
  return t === Infinity ? 0 : t;
}

/** Whether a frame's body is text by its Content-Type (compared byte for byte by `auto`). */
function textual(f: DiffFrame): boolean {
  const type = f.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1].trim().toLowerCase() ?? '';
  return type === '' || type.startsWith('text/') || type.startsWith('message/');
}

/** Printable ASCII as it is, `\\`, `\r`, `\n`, `\t`, `\xHH` for the rest. */
export function escapeText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function excerpt(body: string, at: number): string {
  const from = Math.max(0, at - 12);
  const shown = body.slice(from, from + 32);
  return `${body.length} bytes${body.length > 0 ? `, at byte ${at + 1}: ${from > 0 ? '…' : ''}${escapeText(shown)}${from + 32 < body.length ? '…' : ''}` : ''}`;
}

/** The fields of two aligned frames that differ (none when they are the same). */
export function compareFrames(x: DiffFrame | null, y: DiffFrame | null, options: DiffOptions = {}, t0a = 0, t0b = 0): FieldDifference[] {
  if (x === null || y === null) return [{ field: 'frame', a: x?.startLine ?? null, b: y?.startLine ?? null }];
  const out: FieldDifference[] = [];
  if (x.startLine !== y.startLine) out.push({ field: 'start line', a: x.startLine, b: y.startLine });
  const xn = x.headers.map(([n]) => n);
  const yn = y.headers.map(([n]) => n);
  if (xn.join('\n') === yn.join('\n')) {
    x.headers.forEach(([n, v], i) => {
      const w = y.headers[i]![1];
      if (v !== w) out.push({ field: `header ${n}`, a: v, b: w });
    });
  } else {
    const missing = xn.filter((n) => !yn.includes(n));
    const extra = yn.filter((n) => !xn.includes(n));
    const what = missing.length === 0 && extra.length === 0 ? 'header order' : [missing.length ? `only in A: ${missing.join(', ')}` : '', extra.length ? `only in B: ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
    out.push({ field: `headers (${what})`, a: xn.join(', '), b: yn.join(', ') });
    for (const [n, v] of x.headers) {
      const w = y.headers.find(([m]) => m === n);
      if (w !== undefined && w[1] !== v) out.push({ field: `header ${n}`, a: v, b: w[1] });
    }
  }
  const bx = x.body;
  const by = y.body;
  if (options.bodies === 'size' || (options.bodies !== 'exact' && !textual(x) && !textual(y))) {
    if ((bx?.length ?? null) !== (by?.length ?? null)) out.push({ field: 'body size', a: bx === null ? null : `${bx.length} bytes`, b: by === null ? null : `${by.length} bytes` });
  } else if (bx !== by) {
    let at = 0;
    if (bx !== null && by !== null) while (at < bx.length && at < by.length && bx[at] === by[at]) at++;
    out.push({ field: 'body', a: bx === null ? null : excerpt(bx, at), b: by === null ? null : excerpt(by, at) });
  }
  if (x.continuation !== y.continuation) out.push({ field: 'continuation', a: x.continuation, b: y.continuation });
  if (x.received !== null && y.received !== null && x.received !== y.received) out.push({ field: 'received', a: x.received ? 'read' : 'not read', b: y.received ? 'read' : 'not read' });
  if (options.times === true && x.time !== null && y.time !== null) {
    const ta = x.time - t0a;
    const tb = y.time - t0b;
    if (Math.abs(ta - tb) > (options.tolerance ?? 0)) out.push({ field: 'time', a: `${ms(ta)}`, b: `${ms(tb)}` });
  }
  return out;
}

const ms = (us: number): string => `${(us / 1000).toFixed(3)}ms`;
