/**
 * sequence.svg: the ladder diagram, drawn by d3 on d3-node's document (svg-engine.ts).
 *
 * A lane per node in lane order (senders left, relays and firewalls between, receivers right);
 * time runs down. Every event (a frame sent, a frame received, a drop, a marker) gets its own row,
 * in trace order, so bursts are spread out; a jump in virtual time adds space that grows with the
 * logarithm of the jump, so long idle gaps are compressed (and marked as such on the axis), while
 * the axis shows real times.
 *
 * The chunks of one message on one hop are one band (first and last chunk, the Byte-Ranges they
 * cover), and their 200s another; the path rewrite of a relay is said once per message and hop.
 * Labels are horizontal and placed where they meet no other label, no line of another arrow and
 * no lane; when no place is free, rows are spread further apart and the page laid out again.
 * TCP-level events (a segment lost and retransmitted) are in a layer of their own
 * (`<g class="tcp-layer">`, which report.html can hide); a frame that never arrived still ends in
 * a cross where it was dropped. The full frame, the rule and the URIs are in each arrow's tooltip
 * (`<title>`); a band's members are in it as `<g data-arrow>` elements with their own tooltips.
 * Large runs are split into pages of at most `perPage` arrows, each drawing only its lanes.
 */
import { formatTime, type Micros } from '../sim/time.js';
import type { Arrow, ByteRangeFacts, FlowModel, Marker, NodeFacts } from './flow-model.js';
import { ruleLabel, describeRule, ruleAnchor } from './rules.js';
import { escapeXmlAttr, escapeXmlText } from './xml-text.js';
import { svgEngine, type SvgEngine } from './svg-engine.js';
import { BOTTOM, layoutPage, LEFT, LINE_H, RIGHT, TOP, type Item, type PlacedLabel, type Slot } from './ladder-layout.js';
import { fmt, furnitureOf, headsOf, laneClass } from './ladder-furniture.js';

export interface LadderOptions {
  /** Arrows per page (default 200; a band of chunks counts its chunks). */
  perPage?: number;
  /** Prefix for ids inside the SVG, followed by the page number, so that several pages can live in one HTML page (default: no prefix). */
  idPrefix?: string;
  /** Horizontal distance between lanes (default 220 px). */
  laneWidth?: number;
  /** Title over each page (default 'msrp-sim sequence'). */
  title?: string;
}

export interface LadderPage {
  /** `sequence.svg` for a single page, else `sequence-001.svg`, `sequence-002.svg`, ... */
  name: string;
  svg: string;
  /** Ids of the arrows drawn on this page (a band's chunks included). */
  arrows: number[];
  width: number;
  height: number;
}


export function renderLadder(model: FlowModel, options: LadderOptions = {}): Promise<LadderPage[]> {
  return svgEngine().then((engine) => drawLadder(engine, model, options));
}

/** renderLadder with the engine at hand. */
export function drawLadder(engine: SvgEngine, model: FlowModel, options: LadderOptions = {}): LadderPage[] {
  const perPage = Math.max(1, options.perPage ?? 200);
  const arrows = [...model.arrows].sort((a, b) => a.t0 - b.t0 || a.seq0 - b.seq0);
  const items = groupItems(arrows);
  const markers = [...model.markers].sort((a, b) => a.t - b.t || a.seq - b.seq);
  const nodes = new Map(model.nodes.map((n) => [n.id, n]));
  // Pages: at most perPage arrows each, a band never split.
  const chunks: Item[][] = [];
  let cur: Item[] = [];
  let count = 0;
  for (const it of items) {
    if (cur.length > 0 && count + it.members.length > perPage) {
      chunks.push(cur);
      cur = [];
      count = 0;
    }
    cur.push(it);
    count += it.members.length;
  }
  if (cur.length > 0 || chunks.length === 0) chunks.push(cur);
  const pages: LadderPage[] = [];
  let m = 0;
  for (let p = 0; p < chunks.length; p++) {
    const next = chunks[p + 1]?.[0]?.first;
    const pageMarkers: Marker[] = [];
    while (m < markers.length && (next === undefined || before(markers[m]!, { t: next.t0, seq: next.seq0 }))) pageMarkers.push(markers[m++]!);
    const name = chunks.length === 1 ? 'sequence.svg' : `sequence-${String(p + 1).padStart(3, '0')}.svg`;
    pages.push(drawPage(engine, model, nodes, chunks[p]!, pageMarkers, { ...options, page: p + 1, pages: chunks.length, name }));
  }
  return pages;
}

function before(a: Slot, b: Slot): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/**
 * Items in time order: the SENDs of one Message-ID on one hop that arrived make one band, the 200s
 * that answer them another; everything else (and any chunk that did not arrive) stands alone.
 */
function groupItems(arrows: Arrow[]): Item[] {
  const sendGroups = new Map<string, Arrow[]>();
  const byTid = new Map<string, string>();
  for (const a of arrows) {
    if (a.kind !== 'msrp' || a.method !== 'SEND' || !a.messageId || a.t1 === null) continue;
    const key = `${a.from}>${a.to}|${a.messageId}`;
    (sendGroups.get(key) ?? sendGroups.set(key, []).get(key)!).push(a);
  }
  for (const [key, list] of sendGroups) {
    if (list.length < 2) sendGroups.delete(key);
    else for (const a of list) byTid.set(`${a.to}>${a.from}|${a.transactionId}`, key);
  }
  const respGroups = new Map<string, Arrow[]>();
  for (const a of arrows) {
    if (a.kind !== 'msrp' || a.status === null || a.t1 === null) continue;
    const key = byTid.get(`${a.from}>${a.to}|${a.transactionId}`);
    if (key === undefined) continue;
    const rk = `${key}|${a.status}`;
    (respGroups.get(rk) ?? respGroups.set(rk, []).get(rk)!).push(a);
  }
  // The REPORTs of one message on one hop with the same status (a 408 for every chunk of a
  // message the relay could not pass on) are one band too.
  const reportGroups = new Map<string, Arrow[]>();
  for (const a of arrows) {
    if (a.kind !== 'msrp' || a.method !== 'REPORT' || !a.messageId || a.t1 === null) continue;
    const rk = `${a.from}>${a.to}|${a.messageId}|${reportStatusOf(a)}`;
    (reportGroups.get(rk) ?? reportGroups.set(rk, []).get(rk)!).push(a);
  }
  const groupOf = new Map<Arrow, Arrow[]>();
  for (const list of [...sendGroups.values(), ...[...respGroups.values(), ...reportGroups.values()].filter((l) => l.length > 1)]) for (const a of list) groupOf.set(a, list);
  const items: Item[] = [];
  const said = new Set<string>();
  for (const a of arrows) {
    const group = groupOf.get(a);
    if (group && group[0] !== a) continue;
    const members = group ?? [a];
    const last = members.reduce((l, x) => ((x.t1 ?? x.t0) > (l.t1 ?? l.t0) || ((x.t1 ?? x.t0) === (l.t1 ?? l.t0) && (x.seq1 ?? x.seq0) > (l.seq1 ?? l.seq0)) ? x : l), members[0]!);
    const changeKey = a.pathChange ? `${a.messageId ?? a.transactionId ?? a.id}|${a.pathChange.node}|${a.method}` : '';
    const sayChange = a.pathChange !== null && !said.has(changeKey);
    if (sayChange) said.add(changeKey);
    items.push({ first: a, last, members, covers: group ? covers(group) : '', sayChange });
  }
  return items;
}

/** A REPORT's Status, `000 408` ('' when it carries none). */
function reportStatusOf(a: Arrow): string {
  return /^000 \d{3}/.exec(a.sub)?.[0] ?? '';
}

/** The byte ranges a band's chunks cover, merged: `1-40960/40960`. */
function covers(list: Arrow[]): string {
  const ranges = list.map((a) => a.byteRange).filter((r): r is ByteRangeFacts => r !== undefined);
  if (ranges.length === 0) return '';
  const sorted = ranges.map((r) => [r.start, r.end ?? r.start] as [number, number]).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const r of sorted) {
    const lastR = merged[merged.length - 1];
    if (lastR && r[0] <= lastR[1] + 1) lastR[1] = Math.max(lastR[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const total = ranges.find((r) => r.total !== null)?.total;
  return `${merged.map(([s, e]) => `${s}-${e}`).join(', ')}/${total ?? '*'}`;
}

function headOf(a: Arrow): string {
  if (a.error) return 'err';
  if (a.kind === 'msrp') return a.status === 401 ? 'challenge' : a.status !== null ? 'resp' : a.method === 'REPORT' ? 'report' : 'req';
  return a.kind === 'raw' ? 'req' : a.kind;
}

function arrowClass(a: Arrow): string {
  const base = a.kind === 'sip' ? 'sip' : a.kind === 'tcp' ? 'tcp' : a.status === 401 ? 'resp challenge' : a.status !== null ? 'resp' : a.method === 'REPORT' ? 'report' : 'req';
  return `a ${base}${a.error ? ' err' : ''}`;
}

function tooltip(a: Arrow): string {
  const lines = [`${a.label}${a.sub ? `  ${a.sub}` : ''}`, `${a.from} -> ${a.to}  ${formatTime(a.t0)}${a.t1 !== null ? ` -> ${formatTime(a.t1)} (${((a.t1 - a.t0) / 1000).toFixed(3)} ms)` : ''}`];
  if (a.messageId) lines.push(`Message-ID ${a.messageId}`);
  if (a.rule) lines.push(`rule: ${ruleLabel(a.rule)}${describeRule(a.rule).title ? ` - ${describeRule(a.rule).title}` : ''} (docs/rules.md#${ruleAnchor(a.rule)})`);
  if (a.pathChange) {
    lines.push(`at ${a.pathChange.node}: To-Path removed ${a.pathChange.toRemoved.join(' ') || '-'}; From-Path added ${a.pathChange.fromAdded.join(' ') || '-'}`);
  }
  if (a.end) lines.push(`${a.end.kind}: ${a.end.reason}${a.end.count > 1 ? ` (x${a.end.count})` : ''}${a.end.rule ? ` [${ruleLabel(a.end.rule)}]` : ''}`);
  for (const n of a.notes) lines.push(`at ${n.node}: ${n.text}${n.rule ? ` [${ruleLabel(n.rule)}]` : ''}`);
  if (a.text) lines.push('', a.text.replace(/\r\n/g, '\n').replace(/\n$/, ''));
  return lines.join('\n');
}

function bandTooltip(it: Item): string {
  const a = it.first;
  const what =
    a.method === 'SEND'
      ? `SEND x${it.members.length} chunks of ${a.messageId ?? '?'}`
      : a.method === 'REPORT'
        ? `REPORT x${it.members.length}, Status ${reportStatusOf(a) || '-'} for the chunks of ${a.messageId ?? '?'}`
        : `${a.status ?? ''} x${it.members.length}, the answers to the chunks of a message`;
  const lines = [what, `${a.from} -> ${a.to}  ${formatTime(a.t0)} -> ${formatTime(it.last.t1 ?? it.last.t0)}`];
  if (it.covers) lines.push(`Byte-Ranges covered: ${it.covers}`);
  if (a.rule) lines.push(`rule: ${ruleLabel(a.rule)} (docs/rules.md#${ruleAnchor(a.rule)})`);
  if (a.pathChange) lines.push(`at ${a.pathChange.node}: To-Path removed ${a.pathChange.toRemoved.join(' ') || '-'}; From-Path added ${a.pathChange.fromAdded.join(' ') || '-'}`);
  lines.push('', it.members.map((m) => `${m.label}  ${m.sub}`.trimEnd()).join('\n'));
  return lines.join('\n');
}

interface PageContext extends LadderOptions {
  page: number;
  pages: number;
  name: string;
}

function drawPage(engine: SvgEngine, model: FlowModel, nodes: Map<string, NodeFacts>, items: Item[], markers: Marker[], ctx: PageContext): LadderPage {
  // Ids are unique per page when a prefix is asked for (several pages in one HTML document).
  const prefix = ctx.idPrefix !== undefined ? `${ctx.idPrefix}${ctx.page}-` : '';
  const laneW = ctx.laneWidth ?? 220;
  // Lanes: nodes this page uses, plus the firewalls between them.
  const used = new Set<string>();
  for (const it of items) {
    for (const a of it.members) {
      used.add(a.from);
      used.add(a.end && a.t1 === null ? a.end.at : a.to);
      used.add(a.to);
    }
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
  const lanesX = laneIds.map(xOf);
  const width = Math.max(LEFT + laneIds.length * laneW + RIGHT, 820);

  // Rows: the events of the items (a band: its first and last chunk) and the markers.
  const slots: Slot[] = [];
  for (const it of items) {
    for (const a of it.members === undefined || it.members.length === 1 ? [it.first] : [it.first, it.last]) {
      slots.push({ t: a.t0, seq: a.seq0 });
      if (a.t1 !== null && a.seq1 !== null) slots.push({ t: a.t1, seq: a.seq1 });
      else if (a.end && a.end.kind !== 'lost' && a.end.at !== a.from) slots.push({ t: a.end.t, seq: a.end.seq });
    }
  }
  for (const mk of markers) slots.push({ t: mk.t, seq: mk.seq });
  slots.sort((a, b) => a.t - b.t || a.seq - b.seq);
  const keys: string[] = [];
  const slotOf: Slot[] = [];
  {
    const seen = new Set<string>();
    for (const s of slots) {
      const key = `${s.t}|${s.seq}`;
      if (seen.has(key)) continue;
      seen.add(key);
      keys.push(key);
      slotOf.push(s);
    }
  }
  const extra = new Map<string, number>();
  const rowOf = new Map(keys.map((k, i) => [k, i]));

  // Lay out, spread the rows where a label found no free place, lay out again.
  let layout = layoutPage(items, markers, model, keys, slotOf, extra, xOf, lanesX, laneW, width);
  // Labels stay next to their arrows, so a crowded page may take more rounds; the spread grows
  // with them, so that it ends.
  for (let round = 0; round < 40 && layout.crowded.size > 0; round++) {
    const more = 12 * (1 + Math.floor(round / 8));
    // Room above the crowded row and below it (the row after): a label may want either side.
    const spread = new Set<string>();
    for (const k of layout.crowded) {
      spread.add(k);
      const next = keys[(rowOf.get(k) ?? keys.length) + 1];
      if (next !== undefined) spread.add(next);
    }
    for (const k of spread) extra.set(k, (extra.get(k) ?? 0) + more);
    layout = layoutPage(items, markers, model, keys, slotOf, extra, xOf, lanesX, laneW, width);
  }
  const { yOf, lastY, ticks, gaps, labels, geoms } = layout;
  const height = Math.ceil(lastY + BOTTOM + 40);

  // What every page repeats (style, arrowheads, legend) is drawn once per id prefix and width.
  const furniture = furnitureOf(engine, prefix, width);
  const heads = headsOf(engine, nodes, laneIds, laneX, laneW);
  const { svg, markup } = engine.canvas({ width, height, viewBox: `0 0 ${width} ${height}`, class: 'msrp-ladder' });
  // The many repeated parts are markup, spliced into d3-node's document at two placeholders: the
  // furniture's top before the background, the rest (legend, heads, layers) after the title.
  const top = '<g data-raw="top"></g>';
  const rest = '<g data-raw="rest"></g>';
  svg.append('g').attr('data-raw', 'top');
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#fff');

  // Header: title, legend.
  const first = slotOf[0]?.t ?? 0;
  const last = slotOf[slotOf.length - 1]?.t ?? 0;
  const arrowCount = items.reduce((n, it) => n + it.members.length, 0);
  const title = ctx.title ?? 'msrp-sim sequence';
  svg
    .append('text')
    .attr('class', 'title')
    .attr('x', 12)
    .attr('y', 22)
    .text(`${title}${ctx.pages > 1 ? `, page ${ctx.page} of ${ctx.pages}` : ''}: ${formatTime(first)} to ${formatTime(last)}, ${arrowCount} arrows${model.omittedArrows > 0 && ctx.page === ctx.pages ? ` (${model.omittedArrows} more not drawn)` : ''}`);
  svg.append('g').attr('data-raw', 'rest');
  // The legend; the lane heads (d3, once for each set of lanes and widths); then the layers.
  let body = furniture.legend + heads;
  const fill = (cls: string, text: string): void => {
    body += `<g class="${cls}">${text}</g>`;
  };

  let time = '';
  for (const g of gaps) {
    time += m('line', { class: 'gap', x1: fmt(LEFT - 4), x2: fmt(width - 10), y1: fmt(g.y), y2: fmt(g.y) });
    time += m('text', { class: 'idle', x: fmt(LEFT - 8), y: fmt(g.y + 3) }, `${formatGap(g.dt)} idle`);
  }
  for (const tk of ticks) {
    time += m('line', { class: 'grid', x1: fmt(LEFT - 4), x2: fmt(width - 10), y1: fmt(tk.y), y2: fmt(tk.y) });
    time += m('text', { class: 'tick', x: fmt(LEFT - 8), y: fmt(tk.y + 3) }, formatTime(tk.t));
  }
  fill('time', time);

  let lanes = '';
  for (const id of laneIds) {
    const role = nodes.get(id)?.role ?? 'host';
    const cls = laneClass(role);
    const x = xOf(id);
    lanes += m('line', { class: `lane ${cls}`.trim(), x1: fmt(x), x2: fmt(x), y1: fmt(TOP - 32), y2: fmt(lastY + 30) });
    lanes += m('text', { class: 'lane-id', x: fmt(x), y: fmt(lastY + 46) }, id);
  }
  fill('lanes', lanes);

  // Arrows and bands, each with its labels; TCP-level notes go to their own layer.
  const byOwner = new Map<number, PlacedLabel[]>();
  let tcpLayer = '';
  for (const l of labels) {
    if (l.spec.layer === 'tcp') tcpLayer += labelMarkup(l);
    else (byOwner.get(l.spec.owner) ?? byOwner.set(l.spec.owner, []).get(l.spec.owner)!).push(l);
  }
  let arrowsMarkup = '';
  items.forEach((it, i) => {
    const geo = geoms[i]!;
    const a = it.first;
    const head = headOf(a);
    let g = '';
    if (it.members.length > 1) {
      g += m('title', {}, bandTooltip(it));
      g += m('polygon', { class: 'band', points: `${fmt(geo.x0)},${fmt(geo.y0)} ${fmt(geo.x1)},${fmt(geo.y1)} ${fmt(geo.lx1)},${fmt(geo.ly1)} ${fmt(geo.lx0)},${fmt(geo.ly0)}` });
      g += m('line', { x1: fmt(geo.x0), y1: fmt(geo.y0), x2: fmt(geo.x1), y2: fmt(geo.y1) });
      g += m('line', { x1: fmt(geo.lx0), y1: fmt(geo.ly0), x2: fmt(geo.lx1), y2: fmt(geo.ly1), 'marker-end': `url(#${prefix}ah-${head})` });
      let members = '';
      for (const mb of it.members) members += `<g data-arrow="${mb.id}" data-member="1">${m('title', {}, tooltip(mb))}</g>`;
      g += `<g class="members">${members}</g>`;
    } else {
      g += m('title', {}, tooltip(a));
      const line: Record<string, string> = { x1: fmt(geo.x0), y1: fmt(geo.y0), x2: fmt(geo.x1), y2: fmt(geo.y1) };
      if (!geo.cross) line['marker-end'] = `url(#${prefix}ah-${head})`;
      g += m('line', line);
      if (geo.cross) {
        g += m('line', { class: 'cross-halo', x1: fmt(geo.x1 - 6), y1: fmt(geo.y1 - 6), x2: fmt(geo.x1 + 6), y2: fmt(geo.y1 + 6) });
        g += m('line', { class: 'cross-halo', x1: fmt(geo.x1 - 6), y1: fmt(geo.y1 + 6), x2: fmt(geo.x1 + 6), y2: fmt(geo.y1 - 6) });
        g += m('line', { class: 'cross', x1: fmt(geo.x1 - 6), y1: fmt(geo.y1 - 6), x2: fmt(geo.x1 + 6), y2: fmt(geo.y1 + 6) });
        g += m('line', { class: 'cross', x1: fmt(geo.x1 - 6), y1: fmt(geo.y1 + 6), x2: fmt(geo.x1 + 6), y2: fmt(geo.y1 - 6) });
      }
    }
    for (const l of byOwner.get(i) ?? []) g += labelMarkup(l);
    const attrs = it.members.length > 1 ? `class="${arrowClass(a)} group" data-band="${a.id}" data-group="${it.members.map((x) => x.id).join(' ')}"` : `class="${arrowClass(a)}" data-arrow="${a.id}"`;
    arrowsMarkup += `<g ${attrs}${a.messageId ? ` data-msg="${escapeXmlAttr(a.messageId)}"` : ''}>${g}</g>`;
  });
  fill('arrows', arrowsMarkup);

  let ml = '';
  for (const l of labels) {
    if (l.spec.owner >= 0 || l.spec.layer === 'tcp') continue;
    const mk = markers[-l.spec.owner - 1]!;
    const x = xOf(mk.node);
    const yy = yOf(`${mk.t}|${mk.seq}`);
    let g = m('title', {}, `${formatTime(mk.t)} ${mk.node}: ${mk.text}${mk.rule ? ` [${ruleLabel(mk.rule)}]` : ''}`);
    g += m('rect', { class: `m-${mk.kind}`, x: fmt(x - 4), y: fmt(yy - 4), width: 8, height: 8, transform: `rotate(45 ${fmt(x)} ${fmt(yy)})` });
    g += labelMarkup(l);
    ml += `<g class="marker m-${mk.kind}">${g}</g>`;
  }
  fill('markers', ml);
  fill('tcp-layer', tcpLayer);

  const doc = markup();
  const at = doc.indexOf(top);
  const to = doc.indexOf(rest, at);
  const out = doc.slice(0, at) + furniture.top + doc.slice(at + top.length, to) + body + doc.slice(to + rest.length);
  const ids = items.flatMap((it) => it.members.map((a) => a.id));
  return { name: ctx.name, svg: `<?xml version="1.0" encoding="UTF-8"?>\n${out}\n`, arrows: ids, width, height };
}

function labelMarkup(l: PlacedLabel): string {
  let out = '';
  l.lines.forEach(({ text, cls }, k) => {
    const attrs: Record<string, string> = { class: `${cls} halo`, x: fmt(l.x), y: fmt(l.y + (k + 1) * LINE_H - 3), 'text-anchor': l.anchor };
    if (l.spec.of !== undefined) attrs['data-of'] = String(l.spec.of);
    out += m('text', attrs, text);
  });
  return out;
}

/** `<name attrs>text</name>` as escaped markup. */
function m(name: string, attrs: Record<string, string | number>, text?: string): string {
  let out = '<' + name;
  for (const k in attrs) out += ' ' + k + '="' + escapeXmlAttr(String(attrs[k])) + '"';
  if (text === undefined || text === '') return out + '/>';
  return out + '>' + escapeXmlText(text) + '</' + name + '>';
}

function formatGap(dt: Micros): string {
  const s = dt / 1e6;
  return s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(s >= 10 ? 0 : 1)} s`;
}
