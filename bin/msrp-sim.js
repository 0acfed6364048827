#!/usr/bin/env node
// V8 moves an allocation site's objects to the old generation once most of its first objects
// survive a few collections (allocation-site pretenuring). The model's short-lived objects (trace
// records, frames, segments) come from sites whose first objects live long (they are made while
// the world is built, or wait in flight), so whole runs of garbage were allocated old: a tenth of
// the scale scenario used a third more CPU time and half again as much memory for it
// (docs/performance.md, "Pretenuring"). The flag is set before any of msrp-sim is loaded; it is
// process-wide, so a sweep's worker threads and the diagram thread have it too.
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-allocation-site-pretenuring');

// The CLI runs from its bundle (scripts/build-cli.js, made by `npm run build`): a few files to load
// instead of dist/'s many modules. A checkout that was never built says so in one line.
const bundle = new URL('../dist/cli-bundle/', import.meta.url);
async function load(file) {
  try {
    return await import(new URL(file, bundle).href);
  } catch (err) {
    const path = fileURLToPath(new URL(file, bundle));
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(path)) {
      process.stderr.write(`msrp-sim: ${path} is missing: run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
      process.exit(3);
    }
    throw err;
  }
}

const { startDiagramThread, wantsDiagrams } = await load('diagram-drawer.js');

// A run that draws SVG diagrams starts their thread first: it imports d3-node (jsdom) while the
// CLI's own modules load and the run goes on (src/cli/diagram-drawer.ts).
if (wantsDiagrams(process.argv)) startDiagramThread();
const { main } = await load('main.js');
process.exitCode = await main(process.argv);
