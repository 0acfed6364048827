/// <reference lib="dom" />
/**
 * The step-through player on every bundled scenario's report, in headless Chromium (offline): each
 * report loads and steps through every step, forward and back, without a console error.
 */
import type { Browser } from 'puppeteer-core';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';
import { chromiumPath, launchBrowser, watchedPage } from '../helpers/browser.js';
import { tmpDir } from './helpers.js';

const scenarios = readdirSync(join(root, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();

describe.skipIf(!chromiumPath)('the step-through player on every bundled scenario', () => {
  let browser: Browser;
  const out = tmpDir('report-player-scenarios');

  beforeAll(async () => {
    ensureBuilt();
    const r = await runCliAsync(['run', join(root, 'scenarios'), '-o', out, '--force', '--only', 'html']);
    expect(r.status, r.stderr).toBe(0);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('bundles scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(20);
  });

  it.each(scenarios)('%s: the report loads and steps through every step and back without errors', async (name) => {
    const w = await watchedPage(browser);
    try {
      await w.page.goto(`file://${join(out, name, 'report.html')}`);
      const count = await w.page.evaluate(() => (window as unknown as { msrpStepper: { count: number } }).msrpStepper.count);
      expect(count).toBeGreaterThan(0);
      const seen = await w.page.evaluate((n) => {
        const s = (window as unknown as { msrpStepper: { go(i: number): void; current(): number } }).msrpStepper;
        const at: string[] = [];
        for (let i = 0; i < n; i++) {
          s.go(i);
          at.push(`${s.current()} ${location.hash} ${document.querySelectorAll('.step-current').length}`);
        }
        // Back: one step at a time near the end, then a jump to the start.
        for (let i = n - 1; i >= Math.max(0, n - 20); i--) s.go(i);
        s.go(0);
        return { at, back: location.hash, title: document.getElementById('step-title')!.textContent };
      }, count);
      expect(seen.at).toEqual(Array.from({ length: count }, (_, i) => `${i} #step-${i + 1} 1`));
      expect(seen.back).toBe('#step-1');
      expect(seen.title).toMatch(/^Step 1 of /);
      await w.page.keyboard.press('n');
      await w.page.keyboard.press('b');
      expect(w.errors).toEqual([]);
      expect(w.external).toEqual([]);
    } finally {
      await w.page.close();
    }
  });
});

describe.skipIf(!!chromiumPath)('the step-through player on every bundled scenario', () => {
  it.skip('chromium is not installed (/usr/bin/chromium): skipped (apt-get install chromium)', () => {});
});
