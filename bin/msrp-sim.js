#!/usr/bin/env node
// V8 moves an allocation site's objects to the old generation once most of its first objects
// survive a few collections (allocation-site pretenuring). The model's short-lived objects (trace
// records, frames, segments) come from sites whose first objects live long (they are made while
// the world is built, or wait in flight), so whole runs of garbage were allocated old: a tenth of
// the scale scenario used a third more CPU time and half again as much memory for it
// (docs/performance.md, "Pretenuring"). The flag is set before any of msrp-sim is loaded; it is
// process-wide, so a sweep's worker threads and the diagram thread have it too.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-allocation-site-pretenuring');
// The CLI runs from its bundle (scripts/build-cli.js, made by `npm run build`): a few files to load
// instead of dist/'s many modules.
const { startDiagramThread, wantsDiagrams } = await import('../dist/cli-bundle/diagram-drawer.js');

// A run that draws SVG diagrams starts their thread first: it imports d3-node (jsdom) while the
// CLI's own modules load and the run goes on (src/cli/diagram-drawer.ts).
if (wantsDiagrams(process.argv)) startDiagramThread();
const { main } = await import('../dist/cli-bundle/main.js');
process.exitCode = await main(process.argv);
