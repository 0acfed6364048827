/**
 * The step-through player of report.html: its markup, its style and its data, for html.ts to put
 * in the page (`ReportInput.player`). The controls are a bar at the bottom of the window; the
 * step panel docks on the right and the page makes room for it, so it never covers the arrow it
 * describes. The script is report-step-script.ts; the data report-step.ts.
 */
import { escapeHtml, type ReportPlayer } from './html.js';
import type { Step, StepData } from './report-step.js';
import { stepPlayerScript } from './report-step-script.js';

const CSS = `
#step-bar{position:fixed;left:0;right:0;bottom:0;z-index:5;background:#fff;border-top:2px solid var(--accent);padding:6px 12px;display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center;font-size:13px}
#step-bar[hidden],#step-panel[hidden],#step-help[hidden]{display:none}
#step-bar button{font-size:13px;border:1px solid var(--line);background:#f6f8fa;border-radius:4px;cursor:pointer;padding:2px 8px}
#step-bar button:hover{background:#e8eef6}
#step-bar .group{display:flex;gap:4px;align-items:center}
#step-scrub{width:min(28rem,30vw)}
#step-pos{font-variant-numeric:tabular-nums;min-width:8em}
#step-tid{width:9em;font:12px "DejaVu Sans Mono",monospace}
#step-flash{color:var(--bad)}
#step-help{position:fixed;bottom:52px;left:12px;z-index:6;background:#fff;border:1px solid var(--line);border-radius:8px;box-shadow:0 4px 18px rgba(0,0,0,.15);padding:10px 16px;font-size:13px}
#step-help table{margin:4px 0}
#step-help kbd{font:12px "DejaVu Sans Mono",monospace;border:1px solid var(--line);border-radius:3px;padding:0 4px;background:#f6f8fa}
body{padding-bottom:56px}
body.stepping{padding-right:min(36rem,42vw)}
#step-panel{position:fixed;top:0;right:0;bottom:48px;width:min(36rem,42vw);z-index:4;background:#fff;border-left:2px solid var(--accent);box-shadow:-6px 0 18px rgba(0,0,0,.10);padding:10px 14px 20px;overflow:auto;font-size:13px}
#step-panel h3{margin:0 90px 4px 0;font-size:15px}
#step-panel h4{margin:10px 0 4px;font-size:13px}
#step-panel .nav{position:absolute;top:8px;right:10px;display:flex;gap:4px}
#step-panel .nav button{border:1px solid var(--line);background:#fff;border-radius:4px;cursor:pointer;min-width:26px}
#step-when{color:var(--muted);margin:0 0 6px}
#step-topology svg{width:100%;height:auto;max-height:190px;border:1px solid var(--line);border-radius:6px}
#step-panel .rule .ref{color:var(--muted)}
#step-panel .paths{margin:2px 0;font:12px "DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
#step-panel .paths .k{font-family:"DejaVu Sans",sans-serif;color:var(--muted);margin-right:6px}
#step-panel .paths span.uri,#step-panel .paths span.removed,#step-panel .paths span.added{margin-right:8px}
#step-panel .removed{color:var(--bad);text-decoration:line-through}
#step-panel .added{color:var(--good);font-weight:bold}
#step-panel .node{border-top:1px solid var(--line)}
#step-panel .node ul,#step-panel .changes ul{margin:2px 0 4px;padding-left:18px}
#step-panel li.changed{background:#fff4c2}
#step-panel li.none{color:var(--muted)}
#step-panel li.ended{color:var(--muted)}
#step-panel pre.frame{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px;white-space:pre-wrap;word-break:break-all}
#step-panel pre.frame .changed{background:#fff4c2;font-weight:bold}
#step-panel button{cursor:pointer}
body.stepping #panel{display:none}
svg [data-arrow].step-future{opacity:.22;filter:grayscale(1)}
svg [data-arrow].step-current line{stroke-width:4}
svg [data-arrow].step-current text.label{text-decoration:underline}
body.following svg [data-arrow]:not(.step-followed){opacity:.1}
body.following svg [data-arrow].step-followed.step-future{opacity:.45}
svg g.step-hop rect{fill:none;stroke:#f59e0b;stroke-width:4}
svg g.step-hop rect.to{stroke-dasharray:8 4}
svg g.step-hop line{stroke:#f59e0b;stroke-width:5;stroke-opacity:.8}
svg g.step-hop.ended line{stroke:var(--bad)}
[data-arrow]{scroll-margin:90px 40px 70px}
@media print{
  #step-bar,#step-panel,#step-help{display:none}
  body,body.stepping{padding:0}
  svg [data-arrow].step-future,body.following svg [data-arrow]:not(.step-followed){opacity:1;filter:none}
  svg g.step-hop{display:none}
}`;

const KEYS: [string, string][] = [
  ['Space or p', 'play / pause'],
  ['n or .', 'step forward'],
  ['b or ,', 'step back'],
  ['Home / End', 'first / last step'],
  ['a', 'run to the next AUTH'],
  ['4', 'run to the next 401'],
  ['d', 'run to the next drop (a frame that never arrived)'],
  ['r', 'run to the next REPORT'],
  ['t', 'type a transaction id, Enter runs to it'],
  ['f', "follow this step's message (dims the rest)"],
  ['[ / ]', 'previous / next hop of the message'],
  ['+ / -', 'faster / slower'],
  ['Esc', 'stop following, then leave step-through'],
  ['?', 'this help'],
];

function markup(count: number): string {
  const keys = KEYS.map(([k, what]) => `<tr><td>${k.split(' ').map((x) => (x === 'or' || x === '/' ? ` ${x} ` : `<kbd>${escapeHtml(x)}</kbd>`)).join('')}</td><td>${escapeHtml(what)}</td></tr>`).join('');
  return [
    `<div id="step-bar" hidden role="toolbar" aria-label="step through the run">`,
    `<span class="group"><button id="step-first" title="first step (Home)">«</button><button id="step-back" title="step back (b)">◀ back</button><button id="step-play" title="play / pause (Space)" aria-pressed="false">▶ play</button><button id="step-next" title="step forward (n)">step ▶</button><button id="step-last" title="last step (End)">»</button></span>`,
    `<span class="group"><input type="range" id="step-scrub" min="0" max="${Math.max(0, count - 1)}" value="0" aria-label="step"><span id="step-pos">${count} steps</span></span>`,
    `<label class="group">speed <select id="step-speed"><option value="0.5">½ step/s</option><option value="1">1 step/s</option><option value="2" selected>2 steps/s</option><option value="4">4 steps/s</option><option value="8">8 steps/s</option><option value="20">20 steps/s</option></select></label>`,
    `<span class="group">run to the next <button id="step-run-auth" title="a">AUTH</button><button id="step-run-401" title="4">401</button><button id="step-run-drop" title="d">drop</button><button id="step-run-report" title="r">REPORT</button><input id="step-tid" placeholder="transaction id" title="t, then Enter" aria-label="transaction id"><button id="step-run-tid">go</button></span>`,
    `<span id="step-flash" aria-live="polite"></span>`,
    `<span class="group"><button id="step-help-btn" title="keyboard shortcuts (?)">? keys</button><button id="step-stop" title="leave step-through (Esc)">✕</button></span>`,
    `</div>`,
    `<div id="step-help" hidden><b>Step through the run</b> — each step is one arrow of the ladder, in the order the frames were sent; the address (<code>#step-42</code>) links to a step. Click an arrow to go to it and follow its message.<table>${keys}</table></div>`,
    `<aside id="step-panel" hidden aria-label="the current step"><div class="nav"><button id="step-prev2" title="previous step (b)">‹</button><button id="step-next2" title="next step (n)">›</button><button id="step-close" title="leave step-through (Esc)">×</button></div>`,
    `<h3 id="step-title"></h3><p id="step-when"></p><div id="step-topology"></div>`,
    `<h4>Rule</h4><div id="step-rule"></div><div id="step-paths"></div><h4>Message</h4><div id="step-message"></div>`,
    `<h4>Every node at this step</h4><div id="step-state"></div><h4>The frame</h4><div id="step-frame"></div></aside>`,
  ].join('');
}

/** A step as the page reads it: null, false and empty fields left out. */
function compact(s: Step): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === null || v === false || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

/** JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The player for a report: its CSS and its markup with the data and the script. */
export function renderStepPlayer(data: StepData): ReportPlayer {
  const json = scriptJson({ ...data, steps: data.steps.map(compact) });
  return {
    css: CSS,
    html: `${markup(data.steps.length)}\n<script type="application/json" id="step-data">${json}</script>\n<script>${stepPlayerScript()}</script>`,
  };
}
