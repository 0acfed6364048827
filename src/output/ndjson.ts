/**
 * trace.ndjson: the canonical trace, one JSON object per line. Fields keep the order the emitter
 * wrote them in (t, seq, node, type, rule, then the type's own fields), byte fields (`text`,
 * `bytesBase64`) stay as they are, so the same run gives the same bytes on every machine. The
 * writer holds no records: memory does not grow with the trace.
 */
import { traceFormatProblem, type AnyTraceRecord, type TraceRecord } from '../sim/trace.js';
import { isTraceType } from './trace-types-known.js';
import { fieldProblem } from './trace-fields.js';

export interface NdjsonWriter {
  /** The record's line, newline included. */
  write(record: AnyTraceRecord): string;
  /** Lines written so far. */
  readonly lines: number;
}

/** One canonical line (newline included). Non-finite numbers become null, as JSON has no other form. */
export function ndjsonLine(record: AnyTraceRecord): string {
  return JSON.stringify(record) + '\n';
}

export function createNdjsonWriter(): NdjsonWriter {
  let lines = 0;
  return {
    write(record) {
      lines++;
      return ndjsonLine(record);
    },
    get lines() {
      return lines;
    },
  };
}

export class NdjsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`trace line ${line}: ${message}`);
    this.name = 'NdjsonSyntaxError';
  }
}

/**
 * Reads records back from NDJSON text, lazily, so outputs can be rebuilt from a trace file (blank
 * lines are skipped). Throws `NdjsonSyntaxError`, naming the line, on a line that is not a
 * record object or whose type msrp-sim does not write, on a record whose fields do not have the
 * types its type declares (trace-fields.ts), and on a trace whose format is newer than msrp-sim
 * reads (its first record, `trace.format`; a trace without one is version 1).
 */
export function readNdjson(text: string): Generator<TraceRecord> {
  return readNdjsonLines(linesOf(text));
}

/** The lines of `text`, without their `\n` (a last line without one included). */
function* linesOf(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    yield text.slice(start, end);
    start = end + 1;
  }
}

/**
 * `readNdjson` over lines given one by one (without their `\n`), as a reader of a trace file too
 * large for one string gives them; line numbers in errors count every line given.
 */
export function* readNdjsonLines(lines: Iterable<string>): Generator<TraceRecord> {
  let line = 0;
  let records = 0;
  for (const text of lines) {
    line++;
    const raw = text.trim();
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new NdjsonSyntaxError(line, (e as Error).message);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new NdjsonSyntaxError(line, 'not a JSON object');
    const r = value as Record<string, unknown>;
    if (typeof r.t !== 'number' || typeof r.seq !== 'number' || typeof r.node !== 'string' || typeof r.type !== 'string') {
      throw new NdjsonSyntaxError(line, 'a trace record needs numbers t and seq and strings node and type');
    }
    if (!isTraceType(r.type)) throw new NdjsonSyntaxError(line, `unknown record type '${r.type}'`);
    if (r.type === 'trace.format') {
      if (records > 0) throw new NdjsonSyntaxError(line, 'trace.format must be the first record of a trace');
      const problem = traceFormatProblem(r.version);
      if (problem) throw new NdjsonSyntaxError(line, problem);
    }
    const problem = fieldProblem(r);
    if (problem !== null) throw new NdjsonSyntaxError(line, problem);
    records++;
    yield r as unknown as TraceRecord;
  }
}
