#!/usr/bin/env node
// `npm run build:vendor`: the third-party packages that are many modules each (TypeBox's ES build,
// about 200; yaml's Node build, 72 CommonJS modules) bundled into one ES module each in
// dist/vendor/, which loads in a fraction of the time at every start of the CLI and of every sweep
// thread (src/vendor/*.ts say what is re-exported; docs/performance.md has the figures).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/vendor/typebox.ts', 'src/vendor/yaml.ts'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/vendor',
  sourcemap: true,
  allowOverwrite: true,
  logLevel: 'warning',
  // yaml's CommonJS calls require('process'): an ES module has no `require` of its own.
  banner: { js: 'import { createRequire as vendorRequire } from "node:module"; const require = vendorRequire(import.meta.url);' },
});
