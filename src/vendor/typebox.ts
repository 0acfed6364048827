/**
 * TypeBox, as msrp-sim loads it. The package's ES build is about 200 modules, which Node took
 * 0.19-0.22 s to resolve, load and link at every start of the CLI (and of each sweep thread), a
 * quarter of a small run. `npm run build` replaces this file's output with one bundle of what is
 * re-exported here (esbuild, `build:vendor` in package.json), which loads in about 16 ms. The
 * source only re-exports, so type checking, the tests (run from source) and library users'
 * types see TypeBox itself; TypeBox marks its schemas with global symbols (`Symbol.for`), so
 * schemas made by the bundle and by the package are the same kind of thing.
 */
export { Kind, Type, TypeRegistry } from '@sinclair/typebox';
export type { Static, TSchema, TUnsafe } from '@sinclair/typebox';
