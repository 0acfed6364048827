/**
 * Headless Chromium for tests that look at report.html the way a reader does: the system browser
 * (the Debian package, /usr/bin/chromium), driven through puppeteer-core, offline: any request
 * that is not for a file: or data: URL is refused and remembered, so a page that fetches something
 * fails its test. Console errors and uncaught exceptions are collected per page.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The system browser, or null when none is installed (the tests then skip, saying so). */
export const chromiumPath: string | null = CANDIDATES.find((p) => existsSync(p)) ?? null;

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** Requests that left the machine's files (refused). */
  external: string[];
}

export function launchBrowser(): Promise<Browser> {
  if (chromiumPath === null) throw new Error('no chromium');
  return puppeteer.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'] });
}

export async function watchedPage(browser: Browser, width = 1400, height = 1000): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const errors: string[] = [];
  const external: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('file:') || url.startsWith('data:')) void r.continue();
    else {
      external.push(url);
      void r.abort();
    }
  });
  return { page, errors, external };
}
