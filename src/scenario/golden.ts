/**
 * The canonical form of a trace record: one JSON line, fields in the order the model emitted them.
 * `trace.ndjson` and golden traces are lists of these lines, so a golden comparison is a line
 * comparison.
 */
import type { AnyTraceRecord } from '../sim/trace.js';

export function canonicalLine(record: AnyTraceRecord): string {
  return JSON.stringify(record);
}
