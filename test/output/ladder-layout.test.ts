/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The ladder of every bundled scenario, laid out by a real browser: headless Chromium (the system
 * package, driven offline through puppeteer-core) loads each page at 1400×1000 and gives every
 * label's box as it draws it (getBBox, mapped to the screen). No two labels may meet, and no label
 * may cross a line that is not its own arrow's (lanes included); each SVG must parse as XML.
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
  const lines = [...svg.querySelectorAll('line')]
    .filter((l) => !l.classList.contains('grid') && !l.classList.contains('gap'))
    .map((l) => {
      const m = l.getScreenCTM()!;
      const a = new DOMPoint(l.x1.baseVal.value, l.y1.baseVal.value).matrixTransform(m);
      const b = new DOMPoint(l.x2.baseVal.value, l.y2.baseVal.value).matrixTransform(m);
      return { l, a, b, owner: owner(l) };
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

  it.each(files)('%s: labels meet neither each other nor lines not their own; the SVG is well-formed', (file) => checkScenario(file), 60_000);

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
