/**
 * Parameter sweeps: sweep files, their plan (cells, runs and run ids), one run's figures, and the
 * deterministic aggregate (runs.ndjson, summary.csv, sweep.html). The engines that run them
 * (worker threads, a queue) are the CLI's.
 */
export { SweepFileSchema, sweepJsonSchema, sweepJsonSchemaText, SWEEP_SCHEMA_FILE, FIGURE_NAMES, COMBINE_NAMES, type FigureName, type CombineName, type SweepFile } from './definition.js';
export { parseSweepFile, MAX_RUNS, type SweepSpec, type SweepAxis, type SweepParameter, type SweepFileResult } from './sweep-file.js';
export { planSweep, cellScenario, checkCells, hashHex, executeRun, runHead, type SweepPlan, type SweepCell, type PlannedRun, type SweepSource, type PlanResult, type PlainValue } from './plan.js';
export { executeScenarioRun, runFigures, percentile, type RunHead, type RunRecord, type SweepRunOutcome, type RunHooks } from './run-figures.js';
export { runLine, parseRunLine, runsNdjson, summaryCsv, junitCases, combine, stats, type RunRecords, type CellStats } from './aggregate.js';
export { sweepHtml } from './sweep-html.js';
export { parseParameterPath, resolveParameterPath, setAtPath, type PathStep, type ConcretePath } from './parameter-path.js';
export { shardOf, chunkRuns } from './chunks.js';
