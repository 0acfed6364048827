/**
 * sequence.svg: the ladder diagram. A lane per node in lane order (senders left, relays and
 * firewalls between, receivers right); time runs down. Every event (a frame sent, a frame
 * received, a drop, a marker) gets its own row, in trace order, and a jump in virtual time adds
 * space that grows with the jump, so arrows slant by their transit time while pipelined frames
 * stay apart. Labels give method or status, transaction id and Byte-Range; the line under it the
 * To-Path and From-Path as node names; the full frame, the rule and the URIs are in each arrow's
 * tooltip (`<title>`). SIP is dashed, TCP connection attempts dotted, errors red, drops end in a
 * cross at the node that dropped them. Large runs are split into pages of at most `perPage`
 * arrows, each drawing only the lanes it uses.
 */
import { select, type Selection } from 'd3';
import { formatTime, type Micros } from '../sim/time.js';
import type { Arrow, FlowModel, Marker, NodeFacts } from './flow-model.js';
import { ruleLabel, describeRule } from './rules.js';
import { appendMarkup, markup as m, SvgDocument, type SvgElement } from './svg-dom.js';

export interface LadderOptions {
  /** Arrows per page (default 200). */
  perPage?: number;
  /** Prefix for ids inside the SVG, followed by the page number, so that several pages can live in one HTML page (default: no prefix). */
  idPrefix?: string;
  /** Horizontal distance between lanes (default 200 px). */
  laneWidth?: number;
  /** Title over each page (default 'msrp-sim sequence'). */
  title?: string;
}

export interface LadderPage {
  /** `sequence.svg` for a single page, else `sequence-001.svg`, `sequence-002.svg`, ... */
  name: string;
  svg: string;
  /** Ids of the arrows drawn on this page. */
  arrows: number[];
  width: number;
  height: number;
}

const ROW = 30;
const TOP = 150;
const LEFT = 96;
const BOTTOM = 56;

// Every rule is scoped to the root's class: the pages are also inlined in report.html.
const STYLE = [
  '.msrp-ladder text{font-family:DejaVu Sans,Verdana,Arial,sans-serif;font-size:11px;fill:#222}',
  '.msrp-ladder .halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}',
  '.msrp-ladder .title{font-size:14px;font-weight:bold}',
  '.msrp-ladder .small{font-size:9.5px;fill:#555}',
  '.msrp-ladder .lane-id{font-size:12.5px;font-weight:bold;text-anchor:middle}',
  '.msrp-ladder .lane-sub{font-size:9.5px;fill:#555;text-anchor:middle}',
  '.msrp-ladder .lane{stroke:#9aa5b1;stroke-width:1.2}',
  '.msrp-ladder .lane.relay{stroke:#5c6bc0;stroke-width:2}',
  '.msrp-ladder .lane.firewall{stroke:#a1887f;stroke-width:5;stroke-dasharray:6 3;opacity:.6}',
  '.msrp-ladder .lane.endpoint{stroke:#37474f;stroke-width:1.6}',
  '.msrp-ladder .head{fill:#eef1f5;stroke:#9aa5b1}',
  '.msrp-ladder .head.relay{fill:#e8eaf6;stroke:#5c6bc0}',
  '.msrp-ladder .head.firewall{fill:#efebe9;stroke:#8d6e63}',
  '.msrp-ladder .grid{stroke:#e3e7ec;stroke-width:1}',
  '.msrp-ladder .tick{font-size:9.5px;fill:#666;text-anchor:end}',
  '.msrp-ladder .a line{stroke-width:1.5}',
  '.msrp-ladder .req line{stroke:#1e5aa8}',
  '.msrp-ladder .req .label{fill:#1e5aa8}',
  '.msrp-ladder .resp line{stroke:#2e7d32}',
  '.msrp-ladder .resp .label{fill:#2e7d32}',
  '.msrp-ladder .report line{stroke:#6a1b9a}',
  '.msrp-ladder .report .label{fill:#6a1b9a}',
  '.msrp-ladder .sip line{stroke:#00838f;stroke-dasharray:7 4}',
  '.msrp-ladder .sip .label{fill:#006064}',
  '.msrp-ladder .tcp line{stroke:#8a8f96;stroke-width:1;stroke-dasharray:2 3}',
  '.msrp-ladder .tcp .label{fill:#6b7077;font-size:9.5px}',
  '.msrp-ladder .challenge line{stroke:#d97706}',
  '.msrp-ladder .challenge .label{fill:#b45309}',
  '.msrp-ladder .err line{stroke:#c62828}',
  '.msrp-ladder .err .label{fill:#c62828;font-weight:bold}',
  '.msrp-ladder .cross{stroke:#c62828;stroke-width:2.8}',
  '.msrp-ladder .why{fill:#c62828;font-size:9.5px}',
  '.msrp-ladder .label{text-anchor:middle;font-weight:600}',
  '.msrp-ladder .paths{text-anchor:middle;font-size:9.5px;fill:#555}',
  '.msrp-ladder .change{font-size:9.5px;fill:#6a1b9a;font-style:italic}',
  '.msrp-ladder .a:hover line{stroke-width:3}',
  '.msrp-ladder .a{cursor:pointer}',
  '.msrp-ladder .m-ok{fill:#2e7d32}',
  '.msrp-ladder .m-info{fill:#546e7a}',
  '.msrp-ladder .m-error{fill:#c62828}',
  '.msrp-ladder .mtext{font-size:10px}',
].join('');

type Sel = Selection;

interface Slot {
  t: Micros;
  seq: number;
}

/** Splits the model's arrows into pages and draws each. */
export function renderLadder(model: FlowModel, options: LadderOptions = {}): LadderPage[] {
  const perPage = Math.max(1, options.perPage ?? 200);
  const arrows = [...model.arrows].sort((a, b) => a.t0 - b.t0 || a.seq0 - b.seq0);
  const markers = [...model.markers].sort((a, b) => a.t - b.t || a.seq - b.seq);
  const nodes = new Map(model.nodes.map((n) => [n.id, n]));
  const pageCount = Math.max(1, Math.ceil(arrows.length / perPage));
  const pages: LadderPage[] = [];
  let m = 0;
  for (let p = 0; p < pageCount; p++) {
    const pageArrows = arrows.slice(p * perPage, (p + 1) * perPage);
    const next = arrows[(p + 1) * perPage];
    const pageMarkers: Marker[] = [];
    while (m < markers.length && (next === undefined || before(markers[m]!, { t: next.t0, seq: next.seq0 }))) pageMarkers.push(markers[m++]!);
    const name = pageCount === 1 ? 'sequence.svg' : `sequence-${String(p + 1).padStart(3, '0')}.svg`;
    pages.push(drawPage(model, nodes, pageArrows, pageMarkers, { ...options, page: p + 1, pages: pageCount, name }));
  }
  return pages;
}

function before(a: Slot, b: Slot): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function arrowClass(a: Arrow): string {
  const base = a.kind === 'sip' ? 'sip' : a.kind === 'tcp' ? 'tcp' : a.status === 401 ? 'resp challenge' : a.status !== null ? 'resp' : a.method === 'REPORT' ? 'report' : 'req';
  return `a ${base}${a.error ? ' err' : ''}`;
}

/** `To: relay-b pra  From: relay-a psa` (node names, or hosts when the URI names no node). */
function pathLine(a: Arrow, name: (uri: string) => string): string {
  if (a.kind !== 'msrp') return a.kind === 'tcp' ? a.sub : '';
  const to = a.toPath.map(name).join(' ');
  const from = a.fromPath.map(name).join(' ');
  const s = `To: ${to}   From: ${from}`;
  return s.length > 60 ? `${s.slice(0, 58)}…` : s;
}

function tooltip(a: Arrow): string {
  const lines = [`${a.label}${a.sub ? `  ${a.sub}` : ''}`, `${a.from} -> ${a.to}  ${formatTime(a.t0)}${a.t1 !== null ? ` -> ${formatTime(a.t1)} (${((a.t1 - a.t0) / 1000).toFixed(3)} ms)` : ''}`];
  if (a.rule) lines.push(`rule: ${ruleLabel(a.rule)}${describeRule(a.rule).title ? ` - ${describeRule(a.rule).title}` : ''}`);
  if (a.pathChange) {
    lines.push(`at ${a.pathChange.node}: To-Path removed ${a.pathChange.toRemoved.join(' ') || '-'}; From-Path added ${a.pathChange.fromAdded.join(' ') || '-'}`);
  }
  if (a.end) lines.push(`${a.end.kind}: ${a.end.reason}${a.end.count > 1 ? ` (x${a.end.count})` : ''}${a.end.rule ? ` [${ruleLabel(a.end.rule)}]` : ''}`);
  for (const n of a.notes) lines.push(`at ${n.node}: ${n.text}${n.rule ? ` [${ruleLabel(n.rule)}]` : ''}`);
  if (a.text) lines.push('', a.text.replace(/\r\n/g, '\n').replace(/\n$/, ''));
  return lines.join('\n');
}

interface PageContext extends LadderOptions {
  page: number;
  pages: number;
  name: string;
}

function drawPage(model: FlowModel, nodes: Map<string, NodeFacts>, arrows: Arrow[], markers: Marker[], ctx: PageContext): LadderPage {
  // Ids are unique per page when a prefix is asked for (several pages in one HTML document).
  const prefix = ctx.idPrefix !== undefined ? `${ctx.idPrefix}${ctx.page}-` : '';
  const laneW = ctx.laneWidth ?? 200;
  // Lanes: nodes this page uses, plus the firewalls between them.
  const used = new Set<string>();
  for (const a of arrows) {
    used.add(a.from);
    used.add(a.end && a.t1 === null ? a.end.at : a.to);
    used.add(a.to);
  }
  for (const mk of markers) used.add(mk.node);
  let laneIds = model.lanes.filter((id) => used.has(id));
  for (const id of used) if (!laneIds.includes(id) && id !== '') laneIds.push(id);
  if (laneIds.length > 1) {
    const idx = laneIds.map((id) => model.lanes.indexOf(id)).filter((i) => i >= 0);
    const lo = idx.reduce((m, i) => Math.min(m, i), Infinity);
    const hi = idx.reduce((m, i) => Math.max(m, i), -Infinity);
    laneIds = model.lanes.filter((id, i) => used.has(id) || (i > lo && i < hi && nodes.get(id)?.role === 'firewall')).concat(laneIds.filter((id) => !model.lanes.includes(id)));
  }
  if (laneIds.length === 0) laneIds = model.lanes.slice(0, 1);
  const laneX = new Map<string, number>();
  laneIds.forEach((id, i) => laneX.set(id, LEFT + laneW / 2 + i * laneW));
  const xOf = (id: string): number => laneX.get(id) ?? LEFT + laneW / 2;

  // Rows: one per distinct (time, record) event, extra space for time jumps.
  const slots: Slot[] = [];
  for (const a of arrows) {
    slots.push({ t: a.t0, seq: a.seq0 });
    if (a.t1 !== null && a.seq1 !== null) slots.push({ t: a.t1, seq: a.seq1 });
    else if (a.end && a.end.kind !== 'lost' && a.end.at !== a.from) slots.push({ t: a.end.t, seq: a.end.seq });
  }
  for (const mk of markers) slots.push({ t: mk.t, seq: mk.seq });
  slots.sort((a, b) => a.t - b.t || a.seq - b.seq);
  const yOf = new Map<string, number>();
  const ticks: { y: number; t: Micros }[] = [];
  let y = TOP;
  let prev: Slot | null = null;
  for (const s of slots) {
    const key = `${s.t}|${s.seq}`;
    if (yOf.has(key)) continue;
    if (prev !== null) {
      y += ROW;
      if (s.t > prev.t) y += timeGap(s.t - prev.t);
    }
    if (prev === null || s.t > prev.t) ticks.push({ y, t: s.t });
    yOf.set(key, y);
    prev = s;
  }
  const lastY = y;
  const width = Math.max(LEFT + laneIds.length * laneW + 40, 820);
  const height = Math.ceil(lastY + BOTTOM + 40);

  const doc = new SvgDocument();
  const svg = select(doc.documentElement)
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('class', 'msrp-ladder');
  svg.append('style').text(STYLE);
  const defs = svg.append('defs');
  for (const [id, color] of [
    ['req', '#1e5aa8'],
    ['resp', '#2e7d32'],
    ['report', '#6a1b9a'],
    ['challenge', '#d97706'],
    ['sip', '#00838f'],
    ['tcp', '#8a8f96'],
    ['err', '#c62828'],
  ] as const) {
    defs
      .append('marker')
      .attr('id', `${prefix}ah-${id}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerWidth', 7)
      .attr('markerHeight', 7)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0L10,5L0,10z')
      .attr('fill', color);
  }
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#fff');

  // Header: title, legend.
  const first = slots[0]?.t ?? 0;
  const last = slots[slots.length - 1]?.t ?? 0;
  const title = ctx.title ?? 'msrp-sim sequence';
  svg
    .append('text')
    .attr('class', 'title')
    .attr('x', 12)
    .attr('y', 22)
    .text(`${title}${ctx.pages > 1 ? `, page ${ctx.page} of ${ctx.pages}` : ''}: ${formatTime(first)} to ${formatTime(last)}, ${arrows.length} arrows${model.omittedArrows > 0 && ctx.page === ctx.pages ? ` (${model.omittedArrows} more not drawn)` : ''}`);
  legend(svg.append('g').attr('transform', 'translate(12,34)'), prefix, width - 24);

  // Time grid and ticks.
  const grid = svg.append('g').attr('class', 'time');
  let lastTickY = -100;
  for (const tk of ticks) {
    if (tk.y - lastTickY < 13) continue;
    lastTickY = tk.y;
    grid.append('line').attr('class', 'grid').attr('x1', LEFT - 4).attr('x2', width - 10).attr('y1', fmt(tk.y)).attr('y2', fmt(tk.y));
    grid.append('text').attr('class', 'tick').attr('x', LEFT - 8).attr('y', fmt(tk.y + 3)).text(formatTime(tk.t));
  }

  // Lanes.
  const lanes = svg.append('g').attr('class', 'lanes');
  for (const id of laneIds) {
    const n = nodes.get(id);
    const role = n?.role ?? 'host';
    const cls = role === 'relay' ? 'relay' : role === 'firewall' ? 'firewall' : role === 'host' ? '' : 'endpoint';
    const x = xOf(id);
    lanes.append('line').attr('class', `lane ${cls}`.trim()).attr('x1', x).attr('x2', x).attr('y1', TOP - 26).attr('y2', fmt(lastY + 30));
    laneHead(lanes, n, id, x, TOP - 72, laneW, cls);
    lanes.append('text').attr('class', 'lane-id').attr('x', x).attr('y', fmt(lastY + 46)).text(id);
  }

  // Marker texts are laid out first, so that arrow labels keep clear of them.
  const placed: Box[] = [];
  const markerSpots = markers.map((mk) => {
    const x = xOf(mk.node);
    const yy = yOf.get(`${mk.t}|${mk.seq}`) ?? TOP;
    const label = truncate(`${mk.text}${mk.rule ? ` [${mk.rule}]` : ''}`, 60);
    // Right of the lane, unless that runs off the page: then left of it.
    const w = label.length * 6;
    const left = x + 9 + w > width;
    placed.push({ x0: left ? x - 9 - w : x + 9, y0: yy - 8, x1: left ? x - 9 : x + 9 + w, y1: yy + 6 });
    return { mk, x, yy, label, left };
  });

  // Arrows, as markup strings (a page holds hundreds of them; see svg-dom.ts).
  const layer = svg.append('g').attr('class', 'arrows').node() as unknown as SvgElement;
  for (const a of arrows) {
    const x0 = xOf(a.from);
    const y0 = yOf.get(`${a.t0}|${a.seq0}`) ?? TOP;
    let x1: number;
    let y1: number;
    let endsInCross = false;
    if (a.t1 !== null && a.seq1 !== null) {
      x1 = xOf(a.to);
      y1 = yOf.get(`${a.t1}|${a.seq1}`) ?? y0;
    } else if (a.end && a.end.kind !== 'lost' && a.end.at !== a.from) {
      x1 = xOf(a.end.at);
      y1 = yOf.get(`${a.end.t}|${a.end.seq}`) ?? y0 + ROW;
      endsInCross = true;
    } else {
      // Never arrived (no drop seen, or lost before it left): half-way, then a cross.
      // 0.4 of the way keeps the cross off the lanes between (it would read as their drop).
      const xt = xOf(a.to);
      x1 = x0 + (xt - x0) * 0.4;
      y1 = y0 + ROW * 0.8;
      endsInCross = true;
    }
    if (x1 === x0) x1 = x0 + 30; // a node talking to itself
    let g = m('title', {}, tooltip(a));
    const head = a.error ? 'err' : a.kind === 'msrp' ? (a.status === 401 ? 'challenge' : a.status !== null ? 'resp' : a.method === 'REPORT' ? 'report' : 'req') : a.kind === 'raw' ? 'req' : a.kind;
    const line: Record<string, string> = { x1: fmt(x0), y1: fmt(y0), x2: fmt(x1), y2: fmt(y1) };
    if (!endsInCross) line['marker-end'] = `url(#${prefix}ah-${head})`;
    g += m('line', line);
    // Labels run along the arrow, above it, where they do not cover labels placed before.
    const text = `${a.label}${a.sub && a.kind !== 'tcp' ? ` ${a.sub}` : ''}`;
    const pl = pathLine(a, model.nodeOfUri);
    const spot = placeLabel(placed, x0, y0, x1, y1, Math.max(text.length * 6.6, pl.length * 5.4));
    const rotate = `rotate(${fmt(spot.angle)} ${fmt(spot.x)} ${fmt(spot.y)})`;
    g += m('text', { class: 'label halo', x: fmt(spot.x), y: fmt(spot.y - 15), transform: rotate }, text);
    if (pl) g += m('text', { class: 'paths halo', x: fmt(spot.x), y: fmt(spot.y - 4), transform: rotate }, pl);
    const dir = x1 >= x0 ? 1 : -1;
    const anchor = dir > 0 ? 'start' : 'end';
    if (a.pathChange) {
      const removed = a.pathChange.toRemoved.map(model.nodeOfUri).join(' ');
      const added = a.pathChange.fromAdded.map(model.nodeOfUri).join(' ');
      g += m('text', { class: 'change halo', x: fmt(x0 - dir * 6), y: fmt(y0 + 4), 'text-anchor': dir > 0 ? 'end' : 'start' }, `To-Path −${removed || '∅'} · From-Path +${added || '∅'}`);
    }
    if (endsInCross) {
      g += m('line', { class: 'cross', x1: fmt(x1 - 6), y1: fmt(y1 - 6), x2: fmt(x1 + 6), y2: fmt(y1 + 6) });
      g += m('line', { class: 'cross', x1: fmt(x1 - 6), y1: fmt(y1 + 6), x2: fmt(x1 + 6), y2: fmt(y1 - 6) });
      const why = a.end ? `${a.end.reason}${a.end.count > 1 ? ` (x${a.end.count})` : ''}${a.end.rule ? ` [${a.end.rule}]` : ''}` : 'not received';
      g += m('text', { class: 'why halo', x: fmt(x1 + dir * 9), y: fmt(y1 + 4), 'text-anchor': anchor }, truncate(why, 70));
    }
    let ny = y1 + 14;
    for (const n of a.notes) {
      const x = xOf(n.node) + (dir > 0 ? 8 : -8);
      g += m('text', { class: `${n.error ? 'why' : 'small'} halo`, x: fmt(x), y: fmt(ny), 'text-anchor': anchor }, truncate(`${n.text}${n.rule ? ` [${n.rule}]` : ''}`, 70));
      ny += 11;
    }
    appendMarkup(layer, `<g class="${arrowClass(a)}" data-arrow="${a.id}">${g}</g>`);
  }

  // Markers.
  const ml = svg.append('g').attr('class', 'markers').node() as unknown as SvgElement;
  for (const { mk, x, yy, label, left } of markerSpots) {
    let g = m('title', {}, `${formatTime(mk.t)} ${mk.node}: ${mk.text}${mk.rule ? ` [${ruleLabel(mk.rule)}]` : ''}`);
    g += m('rect', { class: `m-${mk.kind}`, x: fmt(x - 4), y: fmt(yy - 4), width: 8, height: 8, transform: `rotate(45 ${fmt(x)} ${fmt(yy)})` });
    g += m('text', { class: `mtext m-${mk.kind} halo`, x: fmt(left ? x - 9 : x + 9), y: fmt(yy + 4), 'text-anchor': left ? 'end' : 'start' }, label);
    appendMarkup(ml, `<g class="marker m-${mk.kind}">${g}</g>`);
  }

  const node = svg.node() as unknown as { outerHTML: string };
  return { name: ctx.name, svg: `<?xml version="1.0" encoding="UTF-8"?>\n${node.outerHTML}\n`, arrows: arrows.map((a) => a.id), width, height };
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const SPOTS = [0.5, 0.38, 0.62, 0.27, 0.73, 0.17, 0.83];

/**
 * Where along the arrow its label goes: the first of a few spots, middle first, whose label box
 * (rotated with the arrow, 26 px above it) does not meet a box already placed. The box is kept.
 */
function placeLabel(placed: Box[], x0: number, y0: number, x1: number, y1: number, width: number): { x: number; y: number; angle: number } {
  let angle = (Math.atan2(y1 - y0, x1 - x0) * 180) / Math.PI;
  if (angle > 90) angle -= 180;
  if (angle < -90) angle += 180;
  const rad = (angle * Math.PI) / 180;
  const ux = Math.cos(rad);
  const uy = Math.sin(rad);
  // "Up" in the rotated frame.
  const nx = uy;
  const ny = -ux;
  const w = width / 2;
  let best: { x: number; y: number; box: Box } | null = null;
  for (const f of SPOTS) {
    const px = x0 + (x1 - x0) * f;
    const py = y0 + (y1 - y0) * f;
    let bx0 = Infinity;
    let by0 = Infinity;
    let bx1 = -Infinity;
    let by1 = -Infinity;
    for (const s of [-w, w]) {
      for (const h of [2, 25]) {
        const cx = px + s * ux + h * nx;
        const cy = py + s * uy + h * ny;
        bx0 = Math.min(bx0, cx);
        by0 = Math.min(by0, cy);
        bx1 = Math.max(bx1, cx);
        by1 = Math.max(by1, cy);
      }
    }
    const box = { x0: bx0, y0: by0, x1: bx1, y1: by1 };
    if (best === null) best = { x: px, y: py, box };
    if (!overlaps(placed, box)) {
      best = { x: px, y: py, box };
      break;
    }
  }
  placed.push(best!.box);
  return { x: best!.x, y: best!.y, angle };
}

/** Whether `box` meets one of the boxes placed last (labels come in time order: older ones are far above). */
function overlaps(placed: Box[], box: Box): boolean {
  for (let i = placed.length - 1, n = 0; i >= 0 && n < 120; i--, n++) {
    const b = placed[i]!;
    if (b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1) return true;
  }
  return false;
}

function timeGap(dt: Micros): number {
  // 10 ms -> about 16 px, 1 s -> 36 px, a minute -> 54 px.
  return Math.min(60, 6 + 10 * Math.log10(1 + dt / 1000));
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function laneHead(g: Sel, n: NodeFacts | undefined, id: string, x: number, y: number, laneW: number, cls: string): void {
  const w = Math.min(laneW - 16, 176);
  g.append('rect').attr('class', `head ${cls}`.trim()).attr('x', fmt(x - w / 2)).attr('y', y).attr('width', fmt(w)).attr('height', 44).attr('rx', 5);
  g.append('text').attr('class', 'lane-id').attr('x', x).attr('y', y + 15).text(id);
  const role = n?.role ?? 'host';
  const roleText = role === 'relay' && n?.profile && n.profile !== 'rfc4976' ? `relay (${n.profile})` : role;
  g.append('text').attr('class', 'lane-sub').attr('x', x).attr('y', y + 27).text(truncate(`${roleText}${n?.host ? ` · ${n.host}` : ''}`, 34));
  if (n?.address) g.append('text').attr('class', 'lane-sub').attr('x', x).attr('y', y + 38).text(n.address);
}

function legend(g: Sel, prefix: string, width: number): void {
  const items: [string, string, string][] = [
    ['a req', 'req', 'MSRP request'],
    ['a resp', 'resp', 'response 200'],
    ['a report', 'report', 'REPORT'],
    ['a resp challenge', 'challenge', '401 challenge'],
    ['a req err', 'err', 'error / failure'],
    ['a sip', 'sip', 'SIP'],
    ['a tcp', 'tcp', 'TCP connect'],
    ['', '', 'dropped / lost'],
  ];
  let x = 0;
  let y = 0;
  for (const [cls, head, text] of items) {
    const w = 40 + text.length * 6 + 14;
    if (x > 0 && x + w > width) {
      x = 0;
      y += 17;
    }
    const item = g.append('g').attr('transform', `translate(${x},${y})`);
    if (head === '') {
      item.append('line').attr('class', 'cross').attr('x1', 10).attr('y1', 1).attr('x2', 20).attr('y2', 11);
      item.append('line').attr('class', 'cross').attr('x1', 10).attr('y1', 11).attr('x2', 20).attr('y2', 1);
    } else {
      item.attr('class', cls);
      item.append('line').attr('x1', 0).attr('y1', 6).attr('x2', 30).attr('y2', 6).attr('marker-end', `url(#${prefix}ah-${head})`);
    }
    item.append('text').attr('class', 'small').attr('x', 36).attr('y', 10).text(text);
    x += w;
  }
  g.append('text').attr('class', 'small').attr('x', 0).attr('y', y + 28).text('Hover an arrow for the full frame and the rule. Paths are shown as node names: To-Path first hop leftmost.');
}
