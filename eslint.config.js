// Lint for msrp-sim: TypeScript rules, the layer rule of docs/architecture.md and the
// determinism rule (no ambient time, chance or Promises below src/cli/).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Which of our layers each layer may import (arrows only point down). */
const layers = {
  wire: [],
  sim: [],
  net: ['sim'],
  protocol: ['wire'],
  signal: ['wire'],
  nodes: ['protocol', 'net', 'sim', 'wire', 'signal'],
  scenario: ['nodes', 'protocol', 'net', 'sim', 'wire', 'signal'],
  output: ['sim', 'wire'],
  capture: ['wire'],
  // msrp-sim diff: runs from traces and captures, compared at the MSRP level.
  diff: ['capture', 'sim', 'wire'],
  sweep: ['scenario', 'output', 'nodes', 'protocol', 'net', 'sim', 'wire', 'signal'],
  // The live driver: wall clock and real sockets behind the seams; above every model layer.
  live: ['scenario', 'output', 'diff', 'capture', 'nodes', 'protocol', 'net', 'sim', 'wire', 'signal'],
  cli: ['live', 'sweep', 'scenario', 'output', 'diff', 'capture', 'nodes', 'protocol', 'net', 'sim', 'wire', 'signal'],
};
const all = Object.keys(layers);

const layerConfigs = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: all
          .filter((other) => other !== layer && !allowed.includes(other))
          .map((other) => ({
            group: [`../${other}/*`, `../../${other}/*`, `../${other}`, `../../${other}`, `../index.js`, `../../index.js`],
            message: `src/${layer}/ may not import src/${other}/ (layers: docs/architecture.md)`,
          })),
      },
    ],
  },
}));

// src/output is held to the same rules: the same trace must give the same bytes out.
const modelDirs = ['wire', 'sim', 'net', 'protocol', 'signal', 'nodes', 'scenario', 'output', 'capture', 'diff', 'sweep'].map((d) => `src/${d}/**/*.ts`);
const ambient = 'breaks determinism: the model runs in virtual time only (docs/architecture.md)';

export default tseslint.config(
  { ignores: ['dist/**', '.bench/**', '.examples/**', 'examples/consumer/**', '.api/**', 'node_modules/**', 'out/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // Tool configs in CommonJS (.dependency-cruiser.cjs).
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  ...layerConfigs,
  {
    files: modelDirs,
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: ambient },
        { object: 'performance', property: 'now', message: ambient },
        { object: 'Math', property: 'random', message: ambient },
        { object: 'crypto', property: 'randomUUID', message: ambient },
        { object: 'process', property: 'hrtime', message: ambient },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'Promise', 'process', 'performance'].map((name) => ({
          name,
          message: ambient,
        })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: ':function[async=true]', message: ambient },
        { selector: 'AwaitExpression', message: ambient },
        { selector: "NewExpression[callee.name='Date']", message: ambient },
        { selector: "ImportDeclaration[source.value=/^(node:)?(fs|fs\\/promises|child_process|timers|timers\\/promises)$/]", message: 'only src/cli/ touches the file system and processes' },
      ],
    },
  },
  // The one asynchronous piece of src/output: d3-node (jsdom) is imported when an SVG is drawn,
  // not at start-up. It waits for that import only; drawing stays synchronous.
  // Likewise loadOutputs, which waits for the imports of the outputs asked for, nothing else.
  {
    files: ['src/output/svg-engine.ts', 'src/output/output-loading.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
);
