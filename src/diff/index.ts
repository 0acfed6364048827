/** `msrp-sim diff`'s engine: runs read from traces or captures, compared at the MSRP level (docs/diff.md). */
export { DiffInputError } from './diff-input-error.js';
export { diffFrame, type DiffConnection, type DiffFrame, type DiffNode, type RunKind, type RunModel } from './diff-model.js';
export { runFromTrace, TRACE_FORMATS_READ, type LooseRecord } from './from-trace.js';
export { fromPathAuthority, runFromCapture } from './from-capture.js';
export { IdNormalizer, type IdNormalizeOptions } from './normalize-ids.js';
export { compareFrames, compareRuns, type ConnectionPair, type DiffOptions, type DiffResult, type Difference, type FieldDifference, type NodePair, type DiffRunSummary } from './compare-runs.js';
export { diffJson, formatDiff, frameLines, type FormatOptions } from './format-diff.js';
