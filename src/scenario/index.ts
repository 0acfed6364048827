/**
 * Scenario files: loading, checking and normalizing them into a `Scenario`, the units they are
 * written in, the JSON Schema for editors and the starter file of `msrp-sim new`.
 */
export { loadScenario, MAX_SCENARIO_BYTES, TOO_LARGE } from './load.js';
export type { LoadOptions, LoadResult } from './load.js';
export { formatProblem } from './problems.js';
export type { Problem } from './problems.js';
export { parseDuration, parseSize, parseBandwidth, parseProbability, parseSeconds, formatDuration, formatSize, formatBandwidth } from './units.js';
export type { UnitResult } from './units.js';
export { starterScenario } from './starter.js';
export type { StarterOptions } from './starter.js';
export { scenarioJsonSchema, scenarioJsonSchemaText, SCENARIO_SCHEMA_FILE } from './json-schema.js';
export { ScenarioFileSchema } from './definition.js';
export type { ScenarioFile } from './definition.js';
export { BUILTIN as SCENARIO_DEFAULTS, relayProfileDefaults } from './normalize-defaults.js';
export type * from './types.js';
