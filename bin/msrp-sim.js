#!/usr/bin/env node
import { startDiagramThread, wantsDiagrams } from '../dist/cli/diagram-drawer.js';

// A run that draws SVG diagrams starts their thread first: it imports d3-node (jsdom) while the
// CLI's own modules load and the run goes on (src/cli/diagram-drawer.ts).
if (wantsDiagrams(process.argv)) startDiagramThread();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
