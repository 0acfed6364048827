/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The ladder of every bundled scenario, laid out by a real browser: headless Chromium (the system
 * package, driven offline through puppeteer-core) loads each page at 1400×1000 and gives every
 * label's box as it draws it (getBBox, mapped to the screen). No two labels may meet, no label
 * may cross a line that is not its own arrow's (lanes included) nor the cross where a frame was
 * dropped (not even its own reason's), an arrow's label lies next to one of its lines (not in a
 * column of labels away from them), no text is cut short (`…`) or runs off the page; each SVG
 * must parse as XML.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer-core';
import { createOutputs } from '../../src/output/index.js';
import { topologyOf } from '../../src/cli/outputs.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { xmlProblems } from './xml.js';
import { chromiumPath, launchBrowser } from '../helpers/browser.js';

const dir = 'scenarios';
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

async function ladderPages(file: string): Promise<[string, string][]> {
  const loaded = loadScenario(file, readFileSync(join(dir, file), 'utf8'));
  if (!loaded.ok) throw new Error(`${file} does not load`);
  const outputs = createOutputs({ only: ['sequence.svg'], topology: topologyOf(loaded.scenario), name: loaded.scenario.name });
  runScenario(loaded.scenario, { sinks: [outputs.record] });
  return [...(await outputs.finish())].map(([name, svg]) => [name, svg as string]);
}

interface Found {
  problems: string[];
  labels: number;
}

/** Runs in the page: every text's screen box, every line not its own, every pair of texts. */
function check(): Found {
  const svg = document.querySelector('svg')!;
  const problems: string[] = [];
  const owner = (e: Element): string => e.getAttribute('data-of') ?? e.closest('[data-arrow],[data-band]')?.getAttribute('data-arrow') ?? e.closest('[data-band]')?.getAttribute('data-band') ?? `p${Array.prototype.indexOf.call(e.parentNode!.parentNode!.childNodes, e.parentNode)}-${(e.parentNode as Element).getAttribute('class') ?? ''}`;
  const screenBox = (e: SVGGraphicsElement): { x0: number; y0: number; x1: number; y1: number } => {
    const b = e.getBBox();
    const m = e.getScreenCTM()!;
    const p = (x: number, y: number): DOMPoint => new DOMPoint(x, y).matrixTransform(m);
    const a = p(b.x, b.y);
    const c = p(b.x + b.width, b.y + b.height);
    // One pixel in from each side: stacked lines of one label touch, and glyph boxes are generous.
    return { x0: Math.min(a.x, c.x) + 1, y0: Math.min(a.y, c.y) + 1, x1: Math.max(a.x, c.x) - 1, y1: Math.max(a.y, c.y) - 1 };
  };
  const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent !== '' && !t.closest('title')).map((t) => ({ t, box: screenBox(t), owner: owner(t) }));
  // A drop's cross is solid, whatever its arrow's line, and drawn on a white outline (on a
  // firewall's thick lane, a dotted cross without one could not be seen).
  for (const c of svg.querySelectorAll('g[data-arrow] line.cross')) {
    const style = getComputedStyle(c);
    if (style.strokeDasharray !== 'none') problems.push(`the cross of arrow ${owner(c)} is dashed (${style.strokeDasharray})`);
    const halo = [...(c.parentNode as Element).querySelectorAll('line.cross-halo')].some((h) => ['x1', 'y1', 'x2', 'y2'].every((k) => h.getAttribute(k) === c.getAttribute(k)) && h.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);
    if (!halo) problems.push(`the cross of arrow ${owner(c)} has no outline under it`);
  }
  const lines = [...svg.querySelectorAll('line')]
    .filter((l) => !l.classList.contains('grid') && !l.classList.contains('gap'))
    .map((l) => {
      const m = l.getScreenCTM()!;
      const a = new DOMPoint(l.x1.baseVal.value, l.y1.baseVal.value).matrixTransform(m);
      const b = new DOMPoint(l.x2.baseVal.value, l.y2.baseVal.value).matrixTransform(m);
      // A drop's cross is nobody's: a label on it hides where the frame ended.
      return { l, a, b, owner: l.matches('.cross, .cross-halo') ? 'a cross' : owner(l), arrowLine: !l.matches('.cross, .cross-halo') };
    });
  const meets = (s: { a: DOMPoint; b: DOMPoint }, r: { x0: number; y0: number; x1: number; y1: number }): boolean => {
    let t0 = 0;
    let t1 = 1;
    const dx = s.b.x - s.a.x;
    const dy = s.b.y - s.a.y;
    for (const [p, q] of [[-dx, s.a.x - r.x0], [dx, r.x1 - s.a.x], [-dy, s.a.y - r.y0], [dy, r.y1 - s.a.y]] as [number, number][]) {
      if (p === 0) {
        if (q < 0) return false;
      } else if (p < 0) t0 = Math.max(t0, q / p);
      else t1 = Math.min(t1, q / p);
      if (t0 > t1) return false;
    }
    return true;
  };
  const name = (x: { t: Element; box: { x0: number; y0: number } }): string => `"${x.t.textContent}" at ${Math.round(x.box.x0)},${Math.round(x.box.y0)}`;
  for (let i = 0; i < texts.length; i++) {
    const a = texts[i]!;
    for (let j = i + 1; j < texts.length; j++) {
      const b = texts[j]!;
      if (a.box.x0 < b.box.x1 && b.box.x0 < a.box.x1 && a.box.y0 < b.box.y1 && b.box.y0 < a.box.y1) problems.push(`labels meet: ${name(a)} and ${name(b)}`);
    }
    for (const l of lines) if (l.owner !== a.owner && meets(l, a.box)) problems.push(`label ${name(a)} crosses a line of ${l.owner} (${l.l.getAttribute('class') ?? 'arrow'})`);
  }
  // Nothing cut short, nothing off the page.
  const page = svg.getBoundingClientRect();
  for (const x of texts) {
    if (x.t.textContent!.includes('…')) problems.push(`text cut short: ${name(x)}`);
    if (x.box.x0 < page.left - 1 || x.box.x1 > page.right + 1 || x.box.y0 < page.top - 1 || x.box.y1 > page.bottom + 1) problems.push(`text runs off the page: ${name(x)}`);
  }
  // An arrow's label next to its arrow: each label (its lines: texts one under the other in one
  // group, at one x) within MAX_GAP px of a line of that arrow.
  const MAX_GAP = 50;
  const arrowOwner = (e: Element): string | null => e.getAttribute('data-of') ?? (e.closest('[data-arrow],[data-band]') ? owner(e) : null);
  const distance = (s: { a: DOMPoint; b: DOMPoint }, r: { x0: number; y0: number; x1: number; y1: number }): number => {
    if (meets(s, r)) return 0;
    const toBox = (x: number, y: number): number => Math.hypot(Math.max(r.x0 - x, 0, x - r.x1), Math.max(r.y0 - y, 0, y - r.y1));
    const toSeg = (x: number, y: number): number => {
      const dx = s.b.x - s.a.x;
      const dy = s.b.y - s.a.y;
      const len = dx * dx + dy * dy;
      const k = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - s.a.x) * dx + (y - s.a.y) * dy) / len));
      return Math.hypot(x - (s.a.x + k * dx), y - (s.a.y + k * dy));
    };
    return Math.min(toBox(s.a.x, s.a.y), toBox(s.b.x, s.b.y), toSeg(r.x0, r.y0), toSeg(r.x1, r.y0), toSeg(r.x0, r.y1), toSeg(r.x1, r.y1));
  };
  const blocks: { texts: typeof texts; owner: string }[] = [];
  for (const x of texts) {
    const own = arrowOwner(x.t);
    if (own === null) continue;
    const last = blocks[blocks.length - 1];
    const prev = last?.texts[last.texts.length - 1];
    if (last && prev && last.owner === own && prev.t.parentNode === x.t.parentNode && prev.t.getAttribute('x') === x.t.getAttribute('x') && Math.abs(Number(x.t.getAttribute('y')) - Number(prev.t.getAttribute('y')) - 12.5) < 1) last.texts.push(x);
    else blocks.push({ texts: [x], owner: own });
  }
  for (const b of blocks) {
    const own = lines.filter((l) => l.arrowLine && l.owner === b.owner);
    if (own.length === 0) continue;
    const gap = Math.min(...b.texts.flatMap((x) => own.map((l) => distance(l, x.box))));
    if (gap > MAX_GAP) problems.push(`label ${name(b.texts[0]!)} lies ${Math.round(gap)} px from its arrow (${b.owner})`);
  }
  const parsed = new DOMParser().parseFromString(new XMLSerializer().serializeToString(svg), 'image/svg+xml');
  if (parsed.querySelector('parsererror')) problems.push('does not parse');
  return { problems, labels: texts.length };
}

describe.skipIf(chromiumPath === null)('the ladder of every bundled scenario, in Chromium at 1400×1000', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.each(files)('%s: labels meet neither each other nor lines not their own, lie next to their arrows and are whole; the SVG is well-formed', (file) => checkScenario(file), 60_000);

  async function checkScenario(file: string): Promise<void> {
    const pages = await ladderPages(file);
    expect(pages.length).toBeGreaterThan(0);
    const page = await browser.newPage();
    try {
      await page.setViewport({ width: 1400, height: 1000 });
      for (const [name, svg] of pages) {
        expect(xmlProblems(svg), `${file} ${name}`).toEqual([]);
        // Parsed as XML by the browser itself, then laid out.
        await page.setContent('<!DOCTYPE html><html><body style="margin:0"></body></html>');
        await page.evaluate((text: string) => {
          const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
          if (doc.querySelector('parsererror')) throw new Error(`not XML: ${doc.querySelector('parsererror')!.textContent}`);
          document.body.appendChild(document.importNode(doc.documentElement, true));
        }, svg);
        const found = await page.evaluate(check);
        expect(found.labels).toBeGreaterThan(0);
        expect(found.problems, `${file} ${name}`).toEqual([]);
      }
    } finally {
      await page.close();
    }
  }
});

describe.skipIf(chromiumPath !== null)('the ladder in Chromium', () => {
  it.skip(`no Chromium is installed (looked for /usr/bin/chromium, chromium-browser, google-chrome): the layout check of the ladders was skipped (apt-get install chromium)`, () => {});
});
