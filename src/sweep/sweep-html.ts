/**
 * sweep.html: for each pair of axes, a grid of pass rates and a heat map of the sweep's figure
 * (`grid.figure`, combined over each cell's runs by `grid.combine`); a sweep of one axis has one
 * column. A cell links to a report of one of its runs when the run's outputs were kept. One file,
 * no scripts, colours computed here, so the page is the same bytes for the same records.
 */
import type { FigureName } from './definition.js';
import { combine, stats, type RunRecords } from './aggregate.js';
import type { SweepPlan } from './plan.js';
import type { RunRecord } from './run-figures.js';

function esc(s: string): string {
  return s.replace(/[<>&"']/gu, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A colour between two, t in 0..1, as `#rrggbb`. */
function mix(a: readonly number[], b: readonly number[], t: number): string {
  return '#' + a.map((x, i) => Math.round(x + (b[i]! - x) * t).toString(16).padStart(2, '0')).join('');
}
const GREEN = [0x2e, 0x9e, 0x4f];
const RED = [0xd6, 0x3a, 0x2f];
const LOW = [0xf4, 0xf8, 0xfb];
const HIGH = [0x1f, 0x4e, 0x8c];

function fmt(v: number | null): string {
  if (v === null) return '–';
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
}

const FIGURE_WORDS: Record<FigureName, string> = {
  delivered: 'messages delivered',
  sent: 'messages sent',
  latencyP50: 'delivery latency, median of a run (ms)',
  latencyP95: 'delivery latency, 95th percentile of a run (ms)',
  latencyMax: 'delivery latency, longest of a run (ms)',
  reports: 'REPORTs received',
  failureReports: 'failure REPORTs received',
  frameHops: 'frame-hops (MSRP frames sent by all nodes)',
  segmentsLost: 'segments lost on links',
  failures: 'failure records',
  endTime: 'virtual end of the run (ms)',
};

interface GridCell {
  records: RunRecord[];
  link: string | null;
}

export function sweepHtml(plan: SweepPlan, records: RunRecords, reportLinks: ReadonlyMap<number, string> = new Map()): string {
  const { spec } = plan;
  const figure = spec.grid.figure;
  const done = plan.runs.filter((r) => records.has(r.index)).length;
  const all = stats([...records.values()]);
  const pairs: [number, number | null][] = [];
  if (plan.axisNames.length === 1) pairs.push([0, null]);
  for (let i = 0; i < plan.axisNames.length; i++) for (let j = i + 1; j < plan.axisNames.length; j++) pairs.push([i, j]);
  const grids = pairs.map(([i, j]) => grid(plan, records, reportLinks, i, j));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(spec.name)}: msrp-sim sweep</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1b1f24; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
p.meta { color: #57606a; margin: 0 0 4px; }
table { border-collapse: collapse; margin: 0 24px 12px 0; display: inline-table; vertical-align: top; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #d0d7de; padding: 6px 10px; text-align: center; min-width: 64px; }
th { background: #f6f8fa; font-weight: 600; }
td a { color: inherit; }
td.light { color: #1b1f24; } td.dark { color: #ffffff; }
small { display: block; font-size: 11px; opacity: 0.85; }
</style>
</head>
<body>
<h1>${esc(spec.name)}</h1>
${spec.description !== '' ? `<p class="meta">${esc(spec.description)}</p>\n` : ''}<p class="meta">scenario ${esc(plan.source.scenarioFile.split(/[\\/]/u).pop()!)} · ${plan.cells.length} parameter set${plan.cells.length === 1 ? '' : 's'} × ${spec.seeds?.length ?? 1} seed${(spec.seeds?.length ?? 1) === 1 ? '' : 's'} · ${done} of ${plan.runs.length} runs done · ${all.passed} passed, ${all.failed} failed, ${all.errors} errors</p>
<p class="meta">heat map: ${esc(FIGURE_WORDS[figure])}, ${spec.grid.combine} over each cell's runs; pass rate: runs that met every expectation</p>
${grids.join('\n')}
</body>
</html>
`;
}

function grid(plan: SweepPlan, records: RunRecords, links: ReadonlyMap<number, string>, i: number, j: number | null): string {
  const rows = plan.axisLabels[i]!;
  const cols = j === null ? [''] : plan.axisLabels[j]!;
  const cells: GridCell[][] = rows.map(() => cols.map(() => ({ records: [], link: null })));
  for (const run of plan.runs) {
    const r = records.get(run.index);
    if (r === undefined) continue;
    const at = plan.cells[run.cell]!.at;
    const c = cells[at[i]!]![j === null ? 0 : at[j]!]!;
    c.records.push(r);
    const link = links.get(run.index);
    // A failed run's report says more than a passed one's.
    if (link !== undefined && (c.link === null || r.outcome !== 'pass')) c.link ??= link;
  }
  const figure = plan.spec.grid.figure;
  const values = cells.map((row) => row.map((c) => combine(stats(c.records).values(figure), plan.spec.grid.combine)));
  const flat = values.flat().filter((v): v is number => v !== null);
  const lo = flat.length > 0 ? Math.min(...flat) : 0;
  const hi = flat.length > 0 ? Math.max(...flat) : 0;
  const title = j === null ? esc(plan.axisNames[i]!) : `${esc(plan.axisNames[i]!)} × ${esc(plan.axisNames[j]!)}`;
  const head = `<tr><th>${esc(plan.axisNames[i]!)}${j === null ? '' : ` \\ ${esc(plan.axisNames[j]!)}`}</th>${cols.map((c) => `<th>${esc(c === '' ? 'all' : c)}</th>`).join('')}</tr>`;
  const table = (caption: string, td: (c: GridCell, v: number | null) => string): string =>
    `<table>\n<caption>${caption}</caption>\n${head}\n${rows.map((label, r) => `<tr><th>${esc(label)}</th>${cells[r]!.map((c, k) => td(c, values[r]![k]!)).join('')}</tr>`).join('\n')}\n</table>`;
  const wrap = (c: GridCell, text: string): string => (c.link === null ? text : `<a href="${esc(c.link)}">${text}</a>`);
  const pass = table('pass rate', (c) => {
    const st = stats(c.records);
    if (st.runs === 0) return '<td>–</td>';
    const t = st.passed / st.runs;
    return `<td class="${t > 0.35 && t < 0.75 ? 'light' : 'dark'}" style="background:${mix(RED, GREEN, t)}">${wrap(c, `${Math.round(t * 100)}%<small>${st.passed}/${st.runs}</small>`)}</td>`;
  });
  const heat = table(esc(FIGURE_WORDS[figure]), (c, v) => {
    if (v === null) return `<td>${wrap(c, '–')}</td>`;
    const t = hi > lo ? (v - lo) / (hi - lo) : 0;
    return `<td class="${t > 0.5 ? 'dark' : 'light'}" style="background:${mix(LOW, HIGH, t)}">${wrap(c, fmt(v))}</td>`;
  });
  return `<h2>${title}</h2>\n${pass}\n${heat}`;
}
