/**
 * Import rules of msrp-sim, checked by `npm run lint:deps` (part of `npm test`): no import circle
 * anywhere in src/, and src/net/'s contract files import no class of src/net/. The layer rules
 * (which layer may import which) are in eslint.config.js.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle makes a module see another half-initialised and hides which layer owns a contract.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'model-not-live',
      severity: 'error',
      comment: 'src/live/ (wall clock, real sockets) sits above the model: no model layer may import it, so a deterministic run never meets it (docs/architecture.md).',
      from: { path: '^src/(wire|sim|net|protocol|signal|nodes|scenario|output|capture|diff)/' },
      to: { path: '^src/live/' },
    },
    {
      name: 'net-contracts-below-classes',
      severity: 'error',
      comment:
        'src/net/net-contracts.ts (what the pieces of the network need of each other) and net-types.ts (options and record types) sit below every class of src/net/: a class names another through a contract, never the other way (docs/architecture.md).',
      from: { path: '^src/net/net-(contracts|types)[.]ts$' },
      to: { path: '^src/net/', pathNot: '^src/net/net-types[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
