/// <reference lib="dom" />
/**
 * The report's step-through player in headless Chromium (the system browser, offline): stepping
 * forward and back, the URL fragment, the node-state panel, following a message, REPORT <-> SEND.
 */
import type { Browser } from 'puppeteer-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutputs } from '../../src/output/index.js';
import type { StepData } from '../../src/output/report-step.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { chromiumPath, launchBrowser, watchedPage, type WatchedPage } from '../helpers/browser.js';
import { SPEC_TOPOLOGY, tmpDir, twoRelayPush } from './helpers.js';
import { withStateRecords } from './state-records.js';

type CompactStep = Partial<StepData['steps'][number]> & { arrow: number };
interface PageData extends Omit<StepData, 'steps'> {
  steps: CompactStep[];
}

function report(records: AnyTraceRecord[], name: string): string {
  const o = createOutputs({ topology: SPEC_TOPOLOGY, name, only: ['report.html'] });
  for (const r of records) o.record(r);
  const file = join(tmpDir('report-player'), `${name}.html`);
  writeFileSync(file, o.finish().get('report.html') as string);
  return `file://${file}`;
}

describe.skipIf(!chromiumPath)('the step-through player in Chromium', () => {
  let browser: Browser;
  let url: string;
  let v1url: string;
  let w: WatchedPage;
  let data: PageData;

  beforeAll(async () => {
    // A version 1 trace: the run traced in format 1, which has no state records.
    const run = twoRelayPush(5000, 2048, 1);
    url = report(withStateRecords(run), 'with-state');
    v1url = report(run, 'version-1');
    browser = await launchBrowser();
    w = await watchedPage(browser);
    await w.page.goto(url);
    data = JSON.parse(await w.page.$eval('#step-data', (e) => e.textContent!)) as PageData;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const current = () => w.page.evaluate(() => (window as unknown as { msrpStepper: { current(): number } }).msrpStepper.current());
  const go = (i: number) => w.page.evaluate((k) => (window as unknown as { msrpStepper: { go(i: number): void } }).msrpStepper.go(k), i);
  const hash = () => w.page.evaluate(() => location.hash);
  const currentArrows = () => w.page.$$eval('.step-current', (es) => es.map((e) => Number(e.getAttribute('data-arrow'))));
  const nodeState = (node: string) => w.page.$eval(`#step-state .node[data-node="${node}"]`, (e) => e.textContent!);
  const firstImageSend = () => data.steps.findIndex((s) => s.method === 'SEND' && s.from === 'psa' && (s.label ?? '').includes('/5000'));

  it('loads without console errors or requests, with the bar shown and no step chosen', async () => {
    expect(w.errors).toEqual([]);
    expect(w.external).toEqual([]);
    expect(await w.page.$eval('#step-bar', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await w.page.$eval('#step-panel', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await current()).toBe(-1);
    expect(data.steps.length).toBeGreaterThan(30);
    expect(data.states.changes.length).toBeGreaterThan(10);
  });

  it('steps forward and back: the highlighted arrow, the greyed future, the node state and the fragment follow', async () => {
    const i = firstImageSend();
    const tid = data.steps[i]!.transactionId!;
    await go(i - 1);
    expect(await nodeState('psa')).not.toContain(`transaction ${tid}`);
    await w.page.keyboard.press('n');
    expect(await hash()).toBe(`#step-${i + 1}`);
    expect(await currentArrows()).toEqual([data.steps[i]!.arrow]);
    // The SEND is written: psa waits for its response, timer 30 s on.
    const before = await nodeState('psa');
    expect(before).toMatch(new RegExp(`transaction ${tid} SEND on \\S+: waiting · timer at `));
    expect(await w.page.$eval(`[data-arrow="${data.steps[i + 1]!.arrow}"]`, (e) => e.classList.contains('step-future'))).toBe(true);
    await w.page.keyboard.press('n');
    expect(await hash()).toBe(`#step-${i + 2}`);
    expect(await currentArrows()).toEqual([data.steps[i + 1]!.arrow]);
    expect(await w.page.$eval(`[data-arrow="${data.steps[i + 1]!.arrow}"]`, (e) => e.classList.contains('step-future'))).toBe(false);
    await w.page.keyboard.press('b');
    expect(await hash()).toBe(`#step-${i + 1}`);
    expect(await currentArrows()).toEqual([data.steps[i]!.arrow]);
    expect(await w.page.$eval(`[data-arrow="${data.steps[i + 1]!.arrow}"]`, (e) => e.classList.contains('step-future'))).toBe(true);
    expect(await nodeState('psa')).toBe(before);
    // At the last step every transaction has been answered: none is left waiting.
    await w.page.keyboard.press('End');
    expect(await current()).toBe(data.steps.length - 1);
    expect(await nodeState('psa')).not.toContain('waiting');
    expect(await nodeState('psa')).toMatch(/AUTH to msrps:\/\/relay\.a\.example\.com:2855;tcp: authenticated/);
    await w.page.keyboard.press('Home');
    expect(await hash()).toBe('#step-1');
    expect(w.errors).toEqual([]);
  });

  it('marks what the hop changed in the paths, and the rule', async () => {
    const i = data.steps.findIndex((s) => s.method === 'SEND' && s.from === 'relay-a');
    await go(i);
    expect(await w.page.$eval('#step-paths', (e) => e.textContent)).toContain('What relay-a changed on this hop');
    expect(await w.page.$$eval('#step-paths .removed', (es) => es.length)).toBe(1);
    expect(await w.page.$$eval('#step-paths .added', (es) => es.length)).toBe(1);
    expect(await w.page.$$eval('#step-frame .changed', (es) => es.map((e) => e.textContent!.split(':')[0]))).toEqual(['To-Path', 'From-Path']);
    const rule = data.steps[i]!.rule;
    if (rule) expect(await w.page.$eval('#step-rule', (e) => e.textContent)).toContain(rule);
    // The hop is drawn on the topology, in the section and in the panel's copy.
    expect(await w.page.$$eval('svg g.step-hop', (es) => es.length)).toBe(2);
  });

  it('restores the step of the fragment on a reload', async () => {
    await w.page.goto(`${url}#step-7`);
    expect(await current()).toBe(6);
    expect(await currentArrows()).toEqual([data.steps[6]!.arrow]);
    expect(await w.page.$eval('#step-title', (e) => e.textContent)).toMatch(/^Step 7 of /);
    expect(await w.page.$eval('#step-scrub', (e) => (e as HTMLInputElement).value)).toBe('6');
    await w.page.keyboard.press('n');
    await w.page.reload();
    expect(await current()).toBe(7);
    expect(await hash()).toBe('#step-8');
    expect(w.errors).toEqual([]);
  });

  it('follows a message hop by hop across transaction-id rewrites when its arrow is clicked', async () => {
    const i = firstImageSend();
    await w.page.$eval(`[data-arrow="${data.steps[i]!.arrow}"]`, (e) => e.dispatchEvent(new MouseEvent('click', { bubbles: true })));
    expect(await current()).toBe(i);
    expect(await w.page.$eval('body', (b) => b.classList.contains('following'))).toBe(true);
    const followed = new Set(await w.page.$$eval('.step-followed', (es) => es.map((e) => Number(e.getAttribute('data-arrow')))));
    const members = data.steps.filter((s) => followed.has(s.arrow));
    const sends = members.filter((s) => s.method === 'SEND');
    expect(new Set(sends.map((s) => `${s.from}>${s.to}`))).toEqual(new Set(['psa>relay-a', 'relay-a>relay-b', 'relay-b>pra']));
    expect(new Set(sends.map((s) => s.messageId))).toEqual(new Set([data.steps[i]!.messageId]));
    const tidsByHop = (hop: string) => new Set(sends.filter((s) => `${s.from}>${s.to}` === hop).map((s) => s.transactionId));
    for (const t of tidsByHop('relay-a>relay-b')) expect(tidsByHop('psa>relay-a').has(t)).toBe(false);
    // Unrelated traffic is dimmed; the message's hops are not.
    const auth = data.steps.find((s) => s.method === 'AUTH')!;
    expect(await w.page.$eval(`[data-arrow="${auth.arrow}"]`, (e) => getComputedStyle(e).opacity)).toBe('0.1');
    // Next hop: the message's next frame.
    const m = data.messages[data.steps[i]!.message!]!;
    await w.page.click('#step-msg-next');
    expect(await current()).toBe(m.steps[m.steps.indexOf(i) + 1]);
    await w.page.keyboard.press('Escape');
    expect(await w.page.$eval('body', (b) => b.classList.contains('following'))).toBe(false);
  });

  it('links a REPORT to the SEND that asked for it, and back', async () => {
    const r = data.steps.findIndex((s) => s.method === 'REPORT');
    expect(r).toBeGreaterThan(0);
    await go(r);
    expect(await w.page.$eval('#step-report-of', (e) => e.textContent)).toContain('Success-Report: yes asked for it');
    await w.page.click('#step-report-of a');
    const send = await current();
    expect(data.steps[send]!.method).toBe('SEND');
    expect(data.steps[send]!.messageId).toBe(data.steps[r]!.messageId);
    await w.page.click(`#step-reports a[href="#step-${r + 1}"]`);
    expect(await current()).toBe(r);
  });

  it('runs to the next 401, AUTH, REPORT and transaction id', async () => {
    await go(0);
    await w.page.keyboard.press('4');
    expect(data.steps[await current()]!.status).toBe(401);
    await w.page.keyboard.press('a');
    expect(data.steps[await current()]!.method).toBe('AUTH');
    await w.page.click('#step-run-report');
    expect(data.steps[await current()]!.method).toBe('REPORT');
    const target = data.steps.findIndex((s) => s.method === 'SEND' && s.from === 'relay-b');
    await go(0);
    await w.page.keyboard.press('t');
    await w.page.keyboard.type(data.steps[target]!.transactionId!);
    await w.page.keyboard.press('Enter');
    expect(await current()).toBe(target);
    expect(w.errors).toEqual([]);
  });

  it('plays and pauses', async () => {
    await go(0);
    await w.page.select('#step-speed', '20');
    await w.page.click('#step-play');
    await w.page.waitForFunction(() => location.hash === '#step-4');
    await w.page.click('#step-play');
    const at = await current();
    await new Promise((r) => setTimeout(r, 300));
    expect(await current()).toBe(at);
  });

  it('says so when the trace has no node state records (version 1)', async () => {
    const v1 = await watchedPage(browser);
    await v1.page.goto(`${v1url}#step-3`);
    expect(await v1.page.$eval('#step-state', (e) => e.textContent)).toContain('trace format version 1');
    expect(v1.errors).toEqual([]);
    await v1.page.close();
  });
});

describe.skipIf(!!chromiumPath)('the step-through player in Chromium', () => {
  it.skip('chromium is not installed (/usr/bin/chromium): the player tests were skipped (apt-get install chromium)', () => {});
});
