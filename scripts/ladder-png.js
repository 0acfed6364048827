// Renders an SVG (a ladder page) to PNG with the system Chromium, offline, for docs/images/:
//   node scripts/ladder-png.js out/push-via-two-relays/sequence.svg docs/img/ladder-default.png [height]
// The top `height` pixels (default 1000) at 1400 px wide, as the layout test sees it.
import { readFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const [svgFile, png, height = '1000'] = process.argv.slice(2);
if (!svgFile || !png) {
  console.error('usage: node scripts/ladder-png.js FILE.svg OUT.png [height]');
  process.exit(2);
}
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: Number(height) });
  await page.setContent(`<html><body style="margin:0">${readFileSync(svgFile, 'utf8').replace(/^<\?xml[^>]*>/, '')}</body></html>`);
  await page.screenshot({ path: png, clip: { x: 0, y: 0, width: 1400, height: Number(height) } });
} finally {
  await browser.close();
}
