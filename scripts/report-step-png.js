// Screenshots of report.html's step-through player for the docs (docs/img/report-step-*.png):
//   npm run build && node bin/msrp-sim.js run scenarios/push-via-two-relays.yaml -o out/push --force
//   node scripts/report-step-png.js out/push/report.html
// Steps: the 401 challenge, a SEND forwarded by relay-a (its path change), and the REPORT
// followed back to its SEND. Needs the system Chromium (/usr/bin/chromium).
/* global window, document */
import puppeteer from 'puppeteer-core';
import { resolve } from 'node:path';

const file = resolve(process.argv[2] ?? 'out/push/report.html');
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.setViewport({ width: 1400, height: 1000 });
await page.goto(`file://${file}`);
const steps = await page.$eval('#step-data', (e) => JSON.parse(e.textContent).steps);
const shots = [
  ['report-step-401', steps.findIndex((s) => s.status === 401), false],
  ['report-step-forward', steps.findIndex((s) => s.method === 'SEND' && s.from === 'relay-a' && /\/40960/.test(s.label)), true],
  ['report-step-report', steps.findIndex((s) => s.method === 'REPORT'), true],
];
for (const [name, i, follow] of shots) {
  await page.evaluate((k, f) => {
    window.msrpStepper.go(k);
    window.msrpStepper.follow(f ? JSON.parse(document.getElementById('step-data').textContent).steps[k].message : null);
  }, i, follow);
  await page.screenshot({ path: `docs/img/${name}.png` });
  console.log(`docs/img/${name}.png: step ${i + 1}`);
}
await browser.close();
