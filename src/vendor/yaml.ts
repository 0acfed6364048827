/**
 * The `yaml` package, as msrp-sim loads it: the parts the scenario and sweep loaders use. The
 * package's Node build is 72 CommonJS modules, which every start of the CLI (and of each sweep
 * thread) resolved, read and compiled one by one. `npm run build` replaces this file's output
 * with one bundle of what is re-exported here (esbuild, `build:vendor` in package.json), as for
 * TypeBox (typebox.ts). The source only re-exports, so type checking and the tests (run from
 * source) see the package itself.
 */
export { CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, parseDocument } from 'yaml';
export type { Document, Node } from 'yaml';
