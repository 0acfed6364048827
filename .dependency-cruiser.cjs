/**
 * Import rules of msrp-sim, checked by `npm run lint:deps` (part of `npm test`): no import circle
 * anywhere in src/. The layer rules (which layer may import which) are in eslint.config.js.
 */
// eslint-disable-next-line no-undef -- a CommonJS config file, as dependency-cruiser reads it
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle makes a module see another half-initialised and hides which layer owns a contract.',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
