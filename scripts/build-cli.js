#!/usr/bin/env node
// `npm run build:cli`: the CLI as one ES module bundle with split chunks, in dist/cli-bundle/, which
// bin/msrp-sim.js runs. Loading dist/ module by module (about 170 files for `msrp-sim run`, each
// resolved, read and linked) was a third of a small run's time; the bundle loads a handful of
// files (docs/performance.md, "Start-up: the CLI as one bundle"). A command, an output or live mode
// that dist/ loads only when it is used (`import()`) is a chunk of its own here, loaded as late.
//
// Input is dist/ as tsc wrote it (run after tsc and build:vendor), so the bundle runs the very code
// the library exports. The files are flat in one folder: a worker's `new URL('./x.js',
// import.meta.url)` then finds its entry from any chunk, and src/cli/package-files.ts finds the
// package root by looking up for package.json.
//
// Left outside: d3-node and d3 (the diagram thread's; jsdom reads its own files at run time),
// piscina (starts its threads from its own file), bullmq and ioredis (bullmq reads its Lua scripts
// from its folder). They load from node_modules when a command needs them.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';

const outdir = 'dist/cli-bundle';
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: ['dist/cli/main.js', 'dist/cli/diagram-drawer.js', 'dist/cli/diagram-thread.js', 'dist/cli/sweep/sweep-thread.js', 'dist/cli/stream-file-thread.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  external: ['d3', 'd3-*', 'd3-node', 'piscina', 'bullmq', 'ioredis'],
  // commander and seedrandom are CommonJS and require Node's modules: an ES module has no
  // `require` of its own.
  banner: { js: 'import { createRequire as bundleRequire } from "node:module"; const require = bundleRequire(import.meta.url);' },
});
// What each output file holds and imports, for test/cli/cli-bundle.test.ts (which keeps the
// commands and outputs out of the start-up's static imports) and for anyone asking why a file is big.
writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile));
