/**
 * report.html: one self-contained page (inline CSS, JS and SVG; nothing fetched) with the summary,
 * the topology, the ladder and the timeline. Clicking an arrow of the ladder opens a panel with
 * that frame in full, the rule that made the node send it and what happened to it; the panel
 * reads the arrow's own tooltip, so each frame is in the page once, and `report.html#arrow-12`
 * opens arrow 12 (the address follows the clicks, so a step can be linked). Prints one section
 * after the other, without the panel and the navigation.
 */
import { formatTime } from '../sim/time.js';
import type { LadderPage } from './ladder.js';
import type { RunSummary } from './summary.js';

export interface ReportInput {
  title: string;
  summary: RunSummary;
  /** `formatSummary(summary)`. */
  summaryText: string;
  topologySvg: string | null;
  /** Ladder pages drawn with an `idPrefix`, so that their ids do not clash. */
  ladderPages: LadderPage[];
  /** Pages of the ladder not in the report (the sequence-NNN.svg files have them). */
  omittedPages?: number;
  timeline: string | null;
  /** Characters of the timeline left out of the page (timeline.txt has them). */
  timelineOmitted?: number;
  /** The step-through player (report-step-view.ts), or none. */
  player?: ReportPlayer;
}

/** What a page add-on puts in the report: CSS for `<style>`, and markup placed at the end of `<body>`. */
export interface ReportPlayer {
  css: string;
  html: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** An SVG file's text as inline markup: without its XML declaration. */
function inline(svg: string): string {
  return svg.replace(/^<\?xml[^?]*\?>\s*/, '').trimEnd();
}

const CSS = `
:root{--ink:#1d232b;--muted:#5b6572;--line:#d8dee6;--accent:#1e5aa8;--bad:#c62828;--good:#2e7d32}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 "DejaVu Sans",Verdana,Arial,sans-serif;color:var(--ink);background:#f6f8fa}
header{background:#fff;border-bottom:1px solid var(--line);padding:14px 24px;position:sticky;top:0;z-index:2}
header h1{margin:0;font-size:19px}
header p{margin:2px 0 0;color:var(--muted)}
nav a{margin-right:16px;color:var(--accent);text-decoration:none;font-weight:600}
main{padding:12px 24px 80px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:14px 0}
h2{margin:0 0 10px;font-size:16px}
pre{font:12px/1.4 "DejaVu Sans Mono",Menlo,Consolas,monospace;margin:0;white-space:pre;overflow:auto}
table{border-collapse:collapse;margin:10px 0;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f0f3f7}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:var(--good);font-weight:600}.bad{color:var(--bad);font-weight:600}
.scroll{overflow:auto;max-width:100%}
.hint{color:var(--muted);margin:0 0 8px}
.page{margin:0 0 18px}
.page h3{font-size:13px;color:var(--muted);margin:6px 0}
#timeline pre{max-height:80vh}
svg g[data-arrow].picked line{stroke-width:4}
svg g[data-arrow].picked text{text-decoration:underline}
#panel{position:fixed;top:0;right:0;width:min(46rem,48vw);height:100vh;background:#fff;border-left:2px solid var(--accent);box-shadow:-6px 0 18px rgba(0,0,0,.12);padding:14px 16px;overflow:auto;z-index:3}
#panel[hidden]{display:none}
#panel h3{margin:0 30px 6px 0;font-size:15px}
#panel .meta{color:var(--muted);margin:0 0 10px;white-space:pre-wrap;font-size:12.5px}
#panel button{position:absolute;top:10px;right:12px;font-size:16px;border:1px solid var(--line);background:#fff;border-radius:4px;cursor:pointer}
#panel pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:10px;white-space:pre-wrap;word-break:break-all}
@media print{
  header{position:static;border:0}
  nav,#panel,.hint,#sequence>h2{display:none}
  body{background:#fff}
  main{padding:0}
  section{border:0;border-radius:0;padding:0;margin:0;display:block}
  section+section{break-before:page}
  .scroll{overflow:visible}
  svg{display:block;max-width:100%;height:auto}
  .page+.page{break-before:page}
  pre{white-space:pre-wrap;word-break:break-all;font-size:9px}
  #timeline pre{max-height:none}
}`;

const JS = `
(function(){
  var panel=document.getElementById('panel');
  var title=document.getElementById('panel-title');
  var meta=document.getElementById('panel-meta');
  var text=document.getElementById('panel-text');
  var picked=null;
  function show(g){
    var t=g.querySelector('title');
    if(!t)return;
    var all=t.textContent;
    var cut=all.indexOf('\\n\\n');
    var head=cut<0?all:all.slice(0,cut);
    var body=cut<0?'':all.slice(cut+2);
    var lines=head.split('\\n');
    title.textContent=lines[0];
    meta.textContent=lines.slice(1).join('\\n');
    text.textContent=body||'(no frame text)';
    if(picked)picked.classList.remove('picked');
    picked=g;g.classList.add('picked');
    panel.hidden=false;
    if(history.replaceState)history.replaceState(null,'','#arrow-'+g.getAttribute('data-arrow'));
  }
  var m=/^#arrow-([0-9]+)$/.exec(location.hash);
  if(m){var g0=document.querySelector('[data-arrow="'+m[1]+'"]');if(g0){show(g0);g0.scrollIntoView({block:'center'});}}
  document.addEventListener('click',function(e){
    var n=e.target;
    while(n&&n!==document){
      if(n.getAttribute&&n.getAttribute('data-arrow')!==null){show(n);return;}
      n=n.parentNode;
    }
  });
  document.getElementById('panel-close').addEventListener('click',function(){
    panel.hidden=true;if(picked){picked.classList.remove('picked');picked=null;}
  });
  document.addEventListener('keydown',function(e){if(e.key==='Escape'){panel.hidden=true;}});
})();`;

function sessionsTable(s: RunSummary): string {
  const rows = Object.entries(s.sessions).map(([id, x]) => {
    const state = x.failed ? `<span class="bad">failed: ${escapeHtml(x.failed)}</span>` : x.established ? '<span class="ok">established</span>' : '<span class="bad">not established</span>';
    const lat = x.latency ? `${ms(x.latency.min)} / ${ms(x.latency.median)} / ${ms(x.latency.max)}` : '-';
    const delivered = x.messagesDelivered === x.messagesSent ? `<span class="ok">${x.messagesDelivered}/${x.messagesSent}</span>` : `<span class="bad">${x.messagesDelivered}/${x.messagesSent}</span>`;
    return `<tr><td>${escapeHtml(id)}</td><td>${escapeHtml(x.offerer ?? '?')} → ${escapeHtml(x.answerer ?? '?')}</td><td>${state}</td><td class="n">${delivered}</td><td class="n">${x.bytesDelivered}</td><td class="n">${lat}</td></tr>`;
  });
  if (rows.length === 0) return '<p>No sessions.</p>';
  return `<table><thead><tr><th>session</th><th>offerer → answerer</th><th>state</th><th>messages delivered</th><th>bytes delivered</th><th>delivery latency min / median / max</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function counts(m: Record<string, number>): string {
  const e = Object.entries(m);
  return e.length === 0 ? '-' : e.map(([k, v]) => `${escapeHtml(k)}×${v}`).join(' ');
}

function nodesTable(s: RunSummary): string {
  const rows = Object.entries(s.nodes).map(
    ([id, n]) =>
      `<tr><td>${escapeHtml(id)}</td><td>${n.role}</td><td class="n">${n.framesSent}</td><td class="n">${n.framesReceived}</td><td class="n">${n.bytesSent}</td><td>${counts(n.requestsSent)}</td><td>${counts(n.responsesReceived)}</td><td>${counts(n.reportsSent)}</td><td>${counts(n.reportsReceived)}</td><td class="n${n.drops > 0 ? ' bad' : ''}">${n.drops}</td></tr>`,
  );
  return `<table><thead><tr><th>node</th><th>role</th><th>frames sent</th><th>frames received</th><th>bytes sent</th><th>requests sent</th><th>responses received</th><th>REPORTs sent</th><th>REPORTs received</th><th>drops</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function expectationsList(s: RunSummary): string {
  if (!s.expectations) return '';
  const items = s.expectations.map(
    (e) => `<li>${e.ok ? '<span class="ok">held</span>' : '<span class="bad">FAILED</span>'} ${escapeHtml(e.expectation)}${e.actual ? `: ${escapeHtml(e.actual)}` : ''}${e.evidence?.length ? ` <small>(trace records ${e.evidence.join(', ')})</small>` : ''}</li>`,
  );
  return `<h3>Expectations</h3><ul>${items.join('')}</ul>`;
}

function ms(us: number): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

export function renderReport(input: ReportInput): string {
  const s = input.summary;
  const title = escapeHtml(input.title);
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<title>${title}</title>`, `<style>${CSS}${input.player?.css ?? ''}</style></head><body>`);
  parts.push(
    `<header><h1>${title}</h1><p>seed ${escapeHtml(s.run.seed ?? '?')} · ${s.run.records} trace records · ended at ${formatTime(s.run.end)}${s.run.endReason ? ` (${escapeHtml(s.run.endReason)})` : ''}</p>`,
    '<nav><a href="#summary">Summary</a><a href="#topology">Topology</a><a href="#sequence">Sequence</a><a href="#timeline">Timeline</a></nav></header><main>',
  );
  parts.push(`<section id="summary"><h2>Summary</h2><pre>${escapeHtml(input.summaryText)}</pre>${sessionsTable(s)}${nodesTable(s)}${expectationsList(s)}</section>`);
  if (input.topologySvg) parts.push(`<section id="topology"><h2>Topology</h2><div class="scroll">${inline(input.topologySvg)}</div></section>`);
  parts.push('<section id="sequence"><h2>Sequence</h2>');
  parts.push('<p class="hint">Time runs down. Click an arrow to see its frame in full, the rule that made the node send it and what became of it; hover for a quick look.</p>');
  input.ladderPages.forEach((p, i) => {
    const heading = input.ladderPages.length > 1 || input.omittedPages ? `<h3>Page ${i + 1} (${p.name})</h3>` : '';
    parts.push(`<div class="page">${heading}<div class="scroll">${inline(p.svg)}</div></div>`);
  });
  if (input.omittedPages) parts.push(`<p class="hint">${input.omittedPages} more pages are in the sequence-NNN.svg files.</p>`);
  if (input.ladderPages.length === 0) parts.push('<p>No arrows.</p>');
  parts.push('</section>');
  if (input.timeline !== null) {
    const more = input.timelineOmitted ? `\n[${input.timelineOmitted} more characters in timeline.txt]` : '';
    parts.push(`<section id="timeline"><h2>Timeline</h2><pre>${escapeHtml(input.timeline)}${more}</pre></section>`);
  }
  parts.push('</main>');
  parts.push('<aside id="panel" hidden><button id="panel-close" title="close (Esc)">×</button><h3 id="panel-title"></h3><p class="meta" id="panel-meta"></p><pre id="panel-text"></pre></aside>');
  parts.push(`<script>${JS}</script>`);
  if (input.player) parts.push(input.player.html);
  parts.push('</body></html>');
  return parts.join('\n') + '\n';
}
