/**
 * `npm run bench`: runs every benchmark suite (or those named on the command line) and prints the
 * figures with the machine they were measured on.
 */
import { describeMachine } from './harness.js';

type Suite = { name: string; load: () => Promise<{ run: () => void | Promise<void> }> };

const suites: Suite[] = [
  { name: 'codec', load: () => import('./codec.js') },
  { name: 'kernel', load: () => import('./kernel.js') },
  { name: 'net', load: () => import('./net.js') },
  { name: 'ladder', load: () => import('./ladder.js') },
  { name: 'report-step', load: () => import('./report-step.js') },
  { name: 'scale', load: () => import('./scale.js') },
  { name: 'sweep', load: () => import('./sweep.js') },
  { name: 'relay', load: () => import('./relay.js') },
];

const wanted = process.argv.slice(2);
console.log(`msrp-sim benchmarks on ${describeMachine()}`);
for (const suite of suites) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  const mod = await suite.load();
  await mod.run();
}
