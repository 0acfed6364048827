/**
 * What every page of the ladder repeats, drawn by d3 on d3-node's document once and spliced into
 * each page as markup (ladder.ts): the style, the arrowheads and the legend (once per id prefix
 * and page width), and the lane heads (once per set of lanes, places and node facts).
 */
import type { NodeFacts } from './flow-model.js';
import type { SvgEngine, SvgSelection } from './svg-engine.js';
import { CH_SMALL, TOP, wrap } from './ladder-layout.js';

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
  '.msrp-ladder .gap{stroke:#b0bec5;stroke-width:1;stroke-dasharray:3 5}',
  '.msrp-ladder .tick{font-size:9.5px;fill:#666;text-anchor:end}',
  '.msrp-ladder .idle{font-size:9px;fill:#78909c;font-style:italic;text-anchor:end}',
  '.msrp-ladder .a line{stroke-width:1.5}',
  '.msrp-ladder .req line,.msrp-ladder .req polygon{stroke:#1e5aa8}',
  '.msrp-ladder .req text{fill:#1e5aa8}',
  '.msrp-ladder .resp line,.msrp-ladder .resp polygon{stroke:#2e7d32}',
  '.msrp-ladder .resp text{fill:#2e7d32}',
  '.msrp-ladder .report line{stroke:#6a1b9a}',
  '.msrp-ladder .report text{fill:#6a1b9a}',
  '.msrp-ladder .sip line{stroke:#00838f;stroke-dasharray:7 4}',
  '.msrp-ladder .sip text{fill:#006064}',
  '.msrp-ladder .tcp line{stroke:#8a8f96;stroke-width:1;stroke-dasharray:2 3}',
  '.msrp-ladder .tcp text{fill:#6b7077;font-size:9.5px}',
  '.msrp-ladder .challenge line{stroke:#d97706}',
  '.msrp-ladder .challenge text{fill:#b45309}',
  '.msrp-ladder .err line{stroke:#c62828}',
  '.msrp-ladder .err text{fill:#c62828}',
  '.msrp-ladder .band{fill-opacity:.12;stroke-width:.8;stroke-dasharray:2 2}',
  '.msrp-ladder .req .band{fill:#1e5aa8}',
  '.msrp-ladder .resp .band{fill:#2e7d32}',
  '.msrp-ladder .report .band{fill:#6a1b9a;stroke:#6a1b9a}',
  '.msrp-ladder .report.err .band{fill:#c62828;stroke:#c62828}',
  // A drop's cross is solid whatever its arrow's line (a TCP connect's is dotted), on a white
  // outline so that it stands out on a firewall's lane.
  '.msrp-ladder .a .cross-halo{stroke:#fff;stroke-width:6;stroke-dasharray:none;stroke-linecap:round}',
  '.msrp-ladder .a .cross{stroke:#c62828;stroke-width:2.8;stroke-dasharray:none}',
  '.msrp-ladder .cross{stroke:#c62828;stroke-width:2.8}',
  '.msrp-ladder .a text.why,.msrp-ladder text.why{fill:#c62828;font-size:9.5px;font-weight:normal}',
  '.msrp-ladder .label{font-weight:600}',
  '.msrp-ladder .a text.paths{font-size:9.5px;fill:#555;font-weight:normal}',
  '.msrp-ladder .a text.change{font-size:9.5px;fill:#6a1b9a;font-style:italic;font-weight:normal}',
  '.msrp-ladder .a text.note{font-size:9.5px;fill:#555;font-weight:normal}',
  '.msrp-ladder .tcp-layer text{font-size:9.5px;fill:#8d6e63;font-style:italic}',
  '.msrp-ladder .a:hover line{stroke-width:3}',
  '.msrp-ladder .a{cursor:pointer}',
  '.msrp-ladder .m-ok{fill:#2e7d32}',
  '.msrp-ladder .m-info{fill:#546e7a}',
  '.msrp-ladder .m-error{fill:#c62828}',
  '.msrp-ladder .mtext{font-size:10px}',
].join('');

export function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

export function laneClass(role: string): string {
  return role === 'relay' ? 'relay' : role === 'firewall' ? 'firewall' : role === 'host' ? '' : 'endpoint';
}

export interface Furniture {
  /** `<style>` and `<defs>` with the arrowheads. */
  top: string;
  /** The legend's `<g>`. */
  legend: string;
}

const drawn = new WeakMap<SvgEngine, Map<string, string>>();

/**
 * What `draw` puts on a canvas of its own (the markup inside its `<svg>` root), drawn by d3 once
 * per engine and `key` (one engine serves many pages and runs), then kept.
 */
function drawnOnce(engine: SvgEngine, key: string, draw: (svg: SvgSelection) => void): string {
  const cache = drawn.get(engine) ?? drawn.set(engine, new Map()).get(engine)!;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const { svg, markup } = engine.canvas({});
  draw(svg);
  const text = markup();
  const made = text.slice(text.indexOf('>') + 1, text.lastIndexOf('</svg>'));
  cache.set(key, made);
  return made;
}

const CUT = '<g class="cut"></g>';

/** The style, arrowheads and legend of a page, drawn by d3 once per prefix and width. */
export function furnitureOf(engine: SvgEngine, prefix: string, width: number): Furniture {
  const text = drawnOnce(engine, `furniture|${prefix}|${width}`, (svg) => {
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
    svg.append('g').attr('class', 'cut');
    legend(svg.append('g').attr('transform', 'translate(12,34)'), prefix, width - 24);
  });
  const cut = text.indexOf(CUT);
  return { top: text.slice(0, cut), legend: text.slice(cut + CUT.length) };
}

/** The lane heads' `<g>`, drawn by d3 once for each set of lanes, their places and their nodes' facts. */
export function headsOf(engine: SvgEngine, nodes: Map<string, NodeFacts>, laneIds: string[], laneX: Map<string, number>, laneW: number): string {
  // What a head shows: the lane's place and its node's facts.
  const key = JSON.stringify([laneW, laneIds.map((id) => [id, laneX.get(id), nodes.get(id) ?? null])]);
  return drawnOnce(engine, `heads|${key}`, (svg) => {
    const heads = svg.append('g').attr('class', 'heads');
    for (const id of laneIds) laneHead(heads, nodes.get(id), id, laneX.get(id)!, TOP - 34, laneW);
  });
}

function laneHead(g: SvgSelection, n: NodeFacts | undefined, id: string, x: number, bottom: number, laneW: number): void {
  const cls = laneClass(n?.role ?? 'host');
  const w = Math.min(laneW - 16, 190);
  const role = n?.role ?? 'host';
  const roleText = role === 'relay' && n?.profile && n.profile !== 'rfc4976' ? `relay (${n.profile})` : role;
  // Every name whole: the role with the address, the host on a line of its own, each wrapped to the
  // head's width (a long one makes the head taller, upwards).
  const ids = wrap(id, 8.5, w - 8);
  const subs = [...wrap(`${roleText}${n?.address ? ` · ${n.address}` : ''}`, CH_SMALL, w - 8), ...(n?.host ? wrap(n.host, CH_SMALL, w - 8) : [])];
  const h = Math.max(44, 8 + ids.length * 13 + subs.length * 11);
  const y = bottom - h;
  g.append('rect').attr('class', `head ${cls}`.trim()).attr('x', fmt(x - w / 2)).attr('y', y).attr('width', fmt(w)).attr('height', h).attr('rx', 5);
  let ty = y + 2;
  for (const line of ids) g.append('text').attr('class', 'lane-id').attr('x', x).attr('y', (ty += 13)).text(line);
  for (const line of subs) g.append('text').attr('class', 'lane-sub').attr('x', x).attr('y', (ty += 11)).text(line);
}

function legend(g: SvgSelection, prefix: string, width: number): void {
  const items: [string, string, string][] = [
    ['a req', 'req', 'MSRP request'],
    ['a resp', 'resp', 'response 200'],
    ['a report', 'report', 'REPORT'],
    ['a resp challenge', 'challenge', '401 challenge'],
    ['a req err', 'err', 'error / failure'],
    ['a sip', 'sip', 'SIP'],
    ['a tcp', 'tcp', 'TCP connect'],
    ['', '', 'dropped / lost'],
    ['band', 'band', 'chunks of one message'],
  ];
  let x = 0;
  let y = 0;
  for (const [cls, head, text] of items) {
    const w = 40 + text.length * CH_SMALL + 14;
    if (x > 0 && x + w > width) {
      x = 0;
      y += 14;
    }
    const item = g.append('g').attr('transform', `translate(${x},${y})`);
    if (head === '') {
      item.append('line').attr('class', 'cross').attr('x1', 10).attr('y1', 1).attr('x2', 20).attr('y2', 11);
      item.append('line').attr('class', 'cross').attr('x1', 10).attr('y1', 11).attr('x2', 20).attr('y2', 1);
    } else if (head === 'band') {
      item.attr('class', 'a req');
      item.append('polygon').attr('class', 'band').attr('points', '0,1 30,5 30,11 0,7');
    } else {
      item.attr('class', cls);
      item.append('line').attr('x1', 0).attr('y1', 6).attr('x2', 30).attr('y2', 6).attr('marker-end', `url(#${prefix}ah-${head})`);
    }
    item.append('text').attr('class', 'small').attr('x', 36).attr('y', 10).text(text);
    x += w;
  }
  g.append('text')
    .attr('class', 'small')
    .attr('x', 0)
    // Under a legend of two rows, closer: the lane heads start 44 px below the legend's top.
    .attr('y', y + (y > 0 ? 24 : 28))
    // A page is at least 820 px wide, which this line fits.
    .text('Hover an arrow for the full frame and the rule (docs/rules.md). Paths as node names, first hop leftmost.');
}
