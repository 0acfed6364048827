/**
 * topology.svg: the network. Nodes are drawn by role (senders, receivers and other endpoints,
 * relays, firewalls) in columns by hop distance from the senders; a firewall's zone is a dashed
 * boundary around the nodes inside it, with the firewall on its edge; links are labelled with
 * latency and bandwidth (red and dashed when a fault took them down); each session's MSRP path
 * (offerer, its relays, the answerer's relays, the answerer, with the network hops between) is a
 * coloured line over the links, listed in the legend. Drawn by d3 on d3-node's document
 * (svg-engine.ts); a firewall's names sit on a plain plate inside its brick box.
 */
import type { FlowModel, LinkFacts, NodeFacts, SessionFacts } from './flow-model.js';
import { formatBitRate, formatMs } from './flow-format.js';
import { hopDistances } from './lane-order.js';
import { svgEngine, type SvgEngine, type SvgSelection } from './svg-engine.js';

export interface TopologyOptions {
  /** Nodes drawn per column before the rest are summed up in one box (default 12). */
  maxPerColumn?: number;
  title?: string;
}

const COL = 260;
const ROW = 112;
const BOX_W = 150;
const BOX_H = 60;
const LEFT = 40;
const TOP = 70;
const SESSION_COLOURS = ['#e65100', '#00897b', '#8e24aa', '#3949ab', '#c0ca33', '#d81b60'];

// Every rule is scoped to the root's class: the drawing is also inlined in report.html.
const STYLE = [
  '.msrp-topology text{font-family:DejaVu Sans,Verdana,Arial,sans-serif;font-size:11px;fill:#222}',
  '.msrp-topology .title{font-size:15px;font-weight:bold}',
  '.msrp-topology .id{font-size:12.5px;font-weight:bold;text-anchor:middle}',
  '.msrp-topology .sub{font-size:9.5px;fill:#444;text-anchor:middle}',
  '.msrp-topology .link{stroke:#90a4ae;stroke-width:2}',
  '.msrp-topology .link.down{stroke:#c62828;stroke-dasharray:6 4}',
  '.msrp-topology .linklabel{font-size:9.5px;fill:#37474f;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}',
  '.msrp-topology .zone{fill:#fff8e1;stroke:#8d6e63;stroke-width:1.5;stroke-dasharray:7 4}',
  '.msrp-topology .zonelabel{font-size:10px;fill:#6d4c41;font-style:italic}',
  '.msrp-topology .sender{fill:#e3f2fd;stroke:#1565c0;stroke-width:1.5}',
  '.msrp-topology .receiver{fill:#e8f5e9;stroke:#2e7d32;stroke-width:1.5}',
  '.msrp-topology .endpoint{fill:#e0f2f1;stroke:#00695c;stroke-width:1.5}',
  '.msrp-topology .relay{fill:#e8eaf6;stroke:#3949ab;stroke-width:2.5}',
  '.msrp-topology .firewall{stroke:#6d4c41;stroke-width:2}',
  '.msrp-topology .plate{fill:#fff;fill-opacity:.94;stroke:#bcaaa4;stroke-width:.8}',
  '.msrp-topology .host{fill:#f5f5f5;stroke:#757575;stroke-width:1.2}',
  '.msrp-topology .more{fill:#fafafa;stroke:#9e9e9e;stroke-dasharray:3 3}',
  '.msrp-topology .session{fill:none;stroke-width:5;stroke-opacity:.55;stroke-linejoin:round;stroke-linecap:round}',
  '.msrp-topology .legend{font-size:10.5px}',
].join('');

type Sel = SvgSelection;

interface Placed {
  node: NodeFacts;
  x: number;
  y: number;
}

/** Draws topology.svg (d3-node is loaded on first use). */
export function renderTopology(model: FlowModel, options: TopologyOptions = {}): Promise<string> {
  return svgEngine().then((engine) => drawTopology(engine, model, options));
}

/** renderTopology with the engine at hand. */
export function drawTopology(engine: SvgEngine, model: FlowModel, options: TopologyOptions = {}): string {
  const maxPerColumn = Math.max(2, options.maxPerColumn ?? 12);
  const nodes = model.nodes.filter((n) => n.id !== '');
  const laneIndex = new Map(model.lanes.map((id, i) => [id, i]));
  const dist = hopDistances(nodes, model.links);
  const maxDist = Math.max(0, ...[...dist.values()]);
  const columns: NodeFacts[][] = [];
  for (const n of nodes) {
    const c = dist.get(n.id) ?? maxDist + 1;
    (columns[c] ??= []).push(n);
  }
  const cols = columns.filter((c) => c !== undefined && c.length > 0);
  for (const c of cols) c.sort((a, b) => (laneIndex.get(a.id) ?? 1e9) - (laneIndex.get(b.id) ?? 1e9));
  const rowsPerCol = cols.map((c) => Math.min(c.length, maxPerColumn));
  const maxRows = rowsPerCol.reduce((m, r) => Math.max(m, r), 1);
  const placed = new Map<string, Placed>();
  const more: { x: number; y: number; count: number }[] = [];
  cols.forEach((col, ci) => {
    const shown = col.length > maxPerColumn ? col.slice(0, maxPerColumn - 1) : col;
    const rows = col.length > maxPerColumn ? maxPerColumn : col.length;
    const offset = ((maxRows - rows) * ROW) / 2;
    const x = LEFT + BOX_W / 2 + ci * COL;
    shown.forEach((n, ri) => placed.set(n.id, { node: n, x, y: TOP + 30 + offset + ri * ROW + BOX_H / 2 }));
    if (col.length > maxPerColumn) more.push({ x, y: TOP + 30 + offset + (maxPerColumn - 1) * ROW + BOX_H / 2, count: col.length - shown.length });
  });

  const sessions = model.sessions.filter((s) => s.path.length > 1);
  const legendLines = 2 + sessions.length;
  const width = Math.max(LEFT * 2 + (cols.length - 1) * COL + BOX_W, 640);
  const height = TOP + 30 + maxRows * ROW + 20 + legendLines * 16 + 30;

  const { svg, markup } = engine.canvas({ width, height, viewBox: `0 0 ${width} ${height}`, class: 'msrp-topology' });
  svg.append('style').text(STYLE);
  const defs = svg.append('defs');
  const bricks = defs.append('pattern').attr('id', 'msrp-topology-bricks').attr('width', 16).attr('height', 10).attr('patternUnits', 'userSpaceOnUse');
  bricks.append('rect').attr('width', 16).attr('height', 10).attr('fill', '#efebe9');
  bricks.append('path').attr('d', 'M0,5H16M8,0V5M0,5V10M16,5V10').attr('stroke', '#bcaaa4').attr('stroke-width', 1).attr('fill', 'none');
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#fff');
  svg.append('text').attr('class', 'title').attr('x', 16).attr('y', 26).text(options.title ?? 'msrp-sim topology');
  svg
    .append('text')
    .attr('class', 'sub')
    .attr('x', 16)
    .attr('y', 44)
    .attr('style', 'text-anchor:start')
    .text(`${nodes.length} nodes, ${model.links.length} links, ${sessions.length} session${sessions.length === 1 ? '' : 's'}`);

  // Firewall zones, under everything else.
  const zones = svg.append('g').attr('class', 'zones');
  for (const fw of nodes.filter((n) => n.role === 'firewall')) {
    const p = placed.get(fw.id);
    const inside = fw.inside.map((id) => placed.get(id)).filter((x): x is Placed => x !== undefined);
    if (!p || inside.length === 0) continue;
    let x0 = inside.reduce((m, q) => Math.min(m, q.x - BOX_W / 2), Infinity) - 18;
    let x1 = inside.reduce((m, q) => Math.max(m, q.x + BOX_W / 2), -Infinity) + 18;
    let y0 = inside.reduce((m, q) => Math.min(m, q.y - BOX_H / 2), Infinity) - 26;
    let y1 = inside.reduce((m, q) => Math.max(m, q.y + BOX_H / 2), -Infinity) + 18;
    // The firewall stands on the boundary.
    if (p.x < x0) x0 = p.x;
    else if (p.x > x1) x1 = p.x;
    y0 = Math.min(y0, p.y - BOX_H / 2 - 26);
    y1 = Math.max(y1, p.y + BOX_H / 2 + 18);
    zones.append('rect').attr('class', 'zone').attr('x', x0).attr('y', y0).attr('width', x1 - x0).attr('height', y1 - y0).attr('rx', 14);
    zones.append('text').attr('class', 'zonelabel').attr('x', x0 + 8).attr('y', y0 + 14).text(`zone inside ${fw.id}`);
  }

  // Links.
  const links = svg.append('g').attr('class', 'links');
  for (const l of model.links) {
    const a = placed.get(l.a);
    const b = placed.get(l.b);
    if (!a || !b) continue;
    links.append('line').attr('class', `link${l.up ? '' : ' down'}`).attr('x1', a.x).attr('y1', a.y).attr('x2', b.x).attr('y2', b.y);
    links
      .append('text')
      .attr('class', 'linklabel')
      .attr('x', (a.x + b.x) / 2)
      .attr('y', (a.y + b.y) / 2 + 16)
      .text(linkLabel(l));
  }

  // Session paths over the links.
  const paths = svg.append('g').attr('class', 'sessions');
  sessions.forEach((s, i) => {
    const hops = expand(s, model.routes);
    const pts = hops.map((id) => placed.get(id)).filter((p): p is Placed => p !== undefined);
    if (pts.length < 2) return;
    const off = -8 - i * 7;
    const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y + off)}`).join('');
    paths.append('path').attr('class', 'session').attr('d', d).attr('stroke', SESSION_COLOURS[i % SESSION_COLOURS.length]!).append('title').text(`session ${s.id}: ${hops.join(' > ')}`);
  });

  // Nodes.
  const boxes = svg.append('g').attr('class', 'nodes');
  for (const p of placed.values()) drawNode(boxes, p);
  for (const m of more) {
    boxes.append('rect').attr('class', 'more').attr('x', m.x - BOX_W / 2).attr('y', m.y - BOX_H / 2).attr('width', BOX_W).attr('height', BOX_H).attr('rx', 6);
    boxes.append('text').attr('class', 'id').attr('x', m.x).attr('y', m.y + 4).text(`+${m.count} more`);
  }

  // Legend.
  const ly = TOP + 30 + maxRows * ROW + 14;
  const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(16,${ly})`);
  const kinds: [string, string][] = [
    ['sender', 'sender'],
    ['receiver', 'receiver'],
    ['endpoint', 'endpoint'],
    ['relay', 'relay'],
    ['firewall', 'firewall'],
  ];
  let x = 0;
  for (const [cls, text] of kinds) {
    legend.append('rect').attr('class', cls).attr('x', x).attr('y', 0).attr('width', 18).attr('height', 12).attr('rx', 3).attr('fill', cls === 'firewall' ? 'url(#msrp-topology-bricks)' : null);
    legend.append('text').attr('class', 'legend').attr('x', x + 24).attr('y', 10).text(text);
    x += 34 + text.length * 6.5;
  }
  legend.append('rect').attr('class', 'zone').attr('x', x).attr('y', 0).attr('width', 22).attr('height', 12).attr('rx', 4);
  legend.append('text').attr('class', 'legend').attr('x', x + 28).attr('y', 10).text('firewall zone (inside)');
  legend.append('text').attr('class', 'legend').attr('x', 0).attr('y', 28).text('Links: one-way latency · bandwidth. Coloured lines: the MSRP path of each session, offerer first.');
  sessions.forEach((s, i) => {
    const y = 44 + i * 16;
    legend.append('line').attr('class', 'session').attr('x1', 0).attr('x2', 26).attr('y1', y - 4).attr('y2', y - 4).attr('stroke', SESSION_COLOURS[i % SESSION_COLOURS.length]!);
    legend
      .append('text')
      .attr('class', 'legend')
      .attr('x', 34)
      .attr('y', y)
      .text(`session ${s.id}: ${expand(s, model.routes).join(' › ')}${s.failed ? ` (failed: ${s.failed})` : s.established ? '' : ' (not established)'}`);
  });

  return `<?xml version="1.0" encoding="UTF-8"?>\n${markup()}\n`;
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function linkLabel(l: LinkFacts): string {
  const parts: string[] = [];
  parts.push(l.latency === null ? 'latency ?' : formatMs(l.latency));
  if (l.bandwidth !== null) parts.push(formatBitRate(l.bandwidth));
  if (l.loss) parts.push(`loss ${l.loss}`);
  if (!l.up) parts.push('DOWN');
  return parts.join(' · ');
}

function drawNode(g: Sel, p: Placed): void {
  const n = p.node;
  const cls = n.role;
  const box = g
    .append('rect')
    .attr('class', cls)
    .attr('x', p.x - BOX_W / 2)
    .attr('y', p.y - BOX_H / 2)
    .attr('width', BOX_W)
    .attr('height', BOX_H)
    .attr('rx', n.role === 'relay' || n.role === 'firewall' ? 3 : 12);
  if (n.role === 'firewall') {
    box.attr('fill', 'url(#msrp-topology-bricks)');
    // The names on a plain plate: text over the bricks is hard to read.
    g.append('rect').attr('class', 'plate').attr('x', p.x - BOX_W / 2 + 7).attr('y', p.y - BOX_H / 2 + 3).attr('width', BOX_W - 14).attr('height', BOX_H - 6).attr('rx', 3);
  }
  if (n.role === 'relay') {
    g.append('rect').attr('x', p.x - BOX_W / 2 + 3).attr('y', p.y - BOX_H / 2 + 3).attr('width', BOX_W - 6).attr('height', BOX_H - 6).attr('fill', 'none').attr('stroke', '#3949ab').attr('stroke-width', 0.8);
  }
  g.append('title').text(`${n.id}: ${n.role}${n.host ? `, ${n.host}` : ''}${n.address ? `, ${n.address}` : ''}${n.inside.length ? `, inside: ${n.inside.join(' ')}` : ''}`);
  g.append('text').attr('class', 'id').attr('x', p.x).attr('y', p.y - 12).text(n.id);
  const role = n.role === 'relay' && n.profile ? `relay (${n.profile})` : n.role;
  g.append('text').attr('class', 'sub').attr('x', p.x).attr('y', p.y + 1).text(role);
  const where = [n.host, n.address].filter((x) => x).join(' ');
  if (where) g.append('text').attr('class', 'sub').attr('x', p.x).attr('y', p.y + 13).text(truncate(n.host ?? '', 28));
  if (n.address) g.append('text').attr('class', 'sub').attr('x', p.x).attr('y', p.y + (n.host ? 25 : 13)).text(n.address);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** The session's node path with the network hops between MSRP hops filled in from the routes. */
export function expand(s: SessionFacts, routes: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.path.length; i++) {
    const id = s.path[i]!;
    if (i === 0) {
      out.push(id);
      continue;
    }
    const prev = s.path[i - 1]!;
    const fwd = routes.get(`${prev}>${id}`);
    const back = routes.get(`${id}>${prev}`);
    const hop = fwd ?? (back ? [...back].reverse() : [prev, id]);
    for (let j = 1; j < hop.length; j++) out.push(hop[j]!);
  }
  return out;
}
