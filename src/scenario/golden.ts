/**
 * Golden traces: the canonical form of a trace record, and the comparison of a run with a golden
 * trace as both stream. The golden is pulled a line at a time from a `GoldenLineSource` as the run
 * pushes its records, so neither trace is ever held: the comparator keeps the last few records as
 * context, shortened, and after the first difference a few more of each side. A line is compared as
 * bytes, so a byte-order mark, a CR before the LF or any other invisible difference is found, and
 * shown by its column with the bytes around it escaped.
 */
import { traceFormatProblem, type AnyTraceRecord } from '../sim/trace.js';

/** `trace.ndjson` and golden traces are lists of these lines, so a golden comparison is a line comparison. */
export function canonicalLine(record: AnyTraceRecord): string {
  return JSON.stringify(record);
}

/**
 * Why a golden trace cannot be compared, from its first line: a format newer than msrp-sim reads
 * (`golden line 1: trace format version 3 is newer than this msrp-sim reads (2)`). A golden
 * without a `trace.format` record is version 1, which is compared as it is.
 */
export function goldenFormatProblem(firstLine: string): string | null {
  let first: unknown;
  try {
    first = JSON.parse(firstLine);
  } catch {
    return null;
  }
  if (typeof first !== 'object' || first === null || (first as { type?: unknown }).type !== 'trace.format') return null;
  const problem = traceFormatProblem((first as { version?: unknown }).version);
  return problem === null ? null : `trace line 1: ${problem}`;
}

/** Lines of a golden trace, read as needed. */
export interface GoldenLineSource {
  /** The next line without its LF, or `null` after the last. The view is valid until the next call. */
  next(): Uint8Array | null;
}

export interface GoldenCompareOptions {
  /** Records of context before and after the first difference. */
  context: number;
  /** Bytes of a line shown at most; longer lines are cut around the difference. */
  width?: number;
}

/** One line as shown: a piece of it, escaped, and where the piece lies in the line. */
export interface LineExcerpt {
  /** 1-based record number. */
  record: number;
  /** The shown bytes, escaped (`\r`, `\t`, `\\`, `\xHH` for anything not printable ASCII). */
  text: string;
  /** Bytes of the whole line. */
  length: number;
  /** Byte offset in the line where `text` starts, and where it ends. */
  from: number;
  to: number;
}

export interface GoldenDifference {
  /** 1-based record number of the first difference. */
  record: number;
  /**
   * 1-based byte column of the first differing byte of that record (one past the shorter line
   * when one is a prefix of the other); `null` when one trace has ended.
   */
  column: number | null;
  golden: LineExcerpt | null;
  run: LineExcerpt | null;
  /** Records before the difference (the same in both). */
  before: LineExcerpt[];
  goldenAfter: LineExcerpt[];
  runAfter: LineExcerpt[];
  /** Records of a trace that has no line at `record`, else `null`. */
  goldenEnds: number | null;
  runEnds: number | null;
  /** Why the lines that look alike differ, when it is a common cause. */
  hint: string | null;
}

const DEFAULT_WIDTH = 160;
const encoder = new TextEncoder();

/** Compares the records a run pushes with the golden lines it pulls, one at a time. */
export class GoldenComparator {
  private readonly context: number;
  private readonly width: number;
  private count = 0;
  private readonly before: LineExcerpt[] = [];
  private diff: GoldenDifference | null = null;
  private scratch = new Uint8Array(4096);

  constructor(
    private readonly source: GoldenLineSource,
    options: GoldenCompareOptions,
  ) {
    this.context = Math.max(0, Math.floor(options.context));
    this.width = Math.max(16, options.width ?? DEFAULT_WIDTH);
  }

  /** The run's next record, as its canonical line (no LF). */
  push(line: string): void {
    const record = ++this.count;
    const d = this.diff;
    if (d !== null) {
      if (d.run !== null && d.runAfter.length < this.context) d.runAfter.push(this.excerpt(record, this.encode(line), 0));
      return;
    }
    const bytes = this.encode(line);
    const golden = this.source.next();
    if (golden !== null && equalBytes(golden, bytes)) {
      if (this.context > 0) {
        if (this.before.length === this.context) this.before.shift();
        this.before.push(this.excerpt(record, bytes, 0));
      }
      return;
    }
    this.diverge(record, golden, bytes);
  }

  /** After the run's last record: the first difference, or `null` when the traces are the same. */
  finish(): GoldenDifference | null {
    if (this.diff === null) {
      const golden = this.source.next();
      if (golden === null) return null;
      this.diverge(this.count + 1, golden, null);
    }
    return this.diff;
  }

  private diverge(record: number, golden: Uint8Array | null, run: Uint8Array | null): void {
    let column: number | null = null;
    if (golden !== null && run !== null) {
      const n = Math.min(golden.length, run.length);
      let i = 0;
      while (i < n && golden[i] === run[i]) i++;
      column = i + 1;
    }
    const at = column === null ? 0 : column - 1;
    const d: GoldenDifference = {
      record,
      column,
      golden: golden === null ? null : this.excerpt(record, golden, at),
      run: run === null ? null : this.excerpt(record, run, at),
      before: this.before.slice(),
      goldenAfter: [],
      runAfter: [],
      goldenEnds: golden === null ? record - 1 : null,
      runEnds: run === null ? record - 1 : null,
      hint: golden === null || run === null ? null : hintFor(golden, run, at),
    };
    this.diff = d;
    // The golden's next few lines now: the source is read no further.
    if (golden !== null) {
      for (let k = 1; k <= this.context; k++) {
        const next = this.source.next();
        if (next === null) break;
        d.goldenAfter.push(this.excerpt(record + k, next, 0));
      }
    }
  }

  private encode(line: string): Uint8Array {
    // At most 3 bytes per UTF-16 unit.
    if (this.scratch.length < line.length * 3) this.scratch = new Uint8Array(Math.max(line.length * 3, this.scratch.length * 2));
    const { written } = encoder.encodeInto(line, this.scratch);
    return this.scratch.subarray(0, written);
  }

  /** `width` bytes of the line around `at` (from the start when the line is short enough). */
  private excerpt(record: number, line: Uint8Array, at: number): LineExcerpt {
    let from = 0;
    if (line.length > this.width && at > this.width / 2) from = Math.min(at - Math.floor(this.width / 2), line.length - this.width);
    const to = Math.min(line.length, from + this.width);
    return { record, text: escapeBytes(line.subarray(from, to)), length: line.length, from, to };
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Printable ASCII as it is; `\\`, `\r`, `\n`, `\t`, and `\xHH` for every other byte. */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else out += `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function hintFor(golden: Uint8Array, run: Uint8Array, at: number): string | null {
  if (at === 0 && golden[0] === 0xef && golden[1] === 0xbb && golden[2] === 0xbf) return 'the golden trace starts with a UTF-8 byte-order mark';
  if (at === run.length && golden.length === run.length + 1 && golden[at] === 0x0d) return 'the golden trace has CRLF line ends';
  if (at === golden.length && run.length === golden.length + 1 && run[at] === 0x0d) return 'this run has a CR at the end of the line';
  return null;
}

/** The difference as text: where, the bytes around it, and context from both traces. */
export function formatGoldenDifference(d: GoldenDifference): string {
  const out: string[] = [`trace differs from the golden trace at record ${d.record}`];
  if (d.column !== null && d.golden && d.run) {
    out.push(`  at column ${d.column} (byte ${d.column} of the line):`);
    out.push(`    golden:   ${shown(d.golden)}`);
    out.push(`    this run: ${shown(d.run)}`);
    out.push(`    ${' '.repeat(10 + caret(d.golden, d.column))}^`);
    if (d.hint) out.push(`  (${d.hint})`);
  }
  const block = (mark: string, line: LineExcerpt | null, after: LineExcerpt[], ends: number | null): string[] => {
    const lines = d.before.map((l) => `  ${' '} ${String(l.record).padStart(6)}  ${shown(l)}`);
    if (line) lines.push(`  ${mark} ${String(line.record).padStart(6)}  ${shown(line)}`);
    for (const l of after) lines.push(`  ${' '} ${String(l.record).padStart(6)}  ${shown(l)}`);
    if (ends !== null) lines.push(`  ${mark}         (trace ends after ${ends} records)`);
    return lines;
  };
  out.push('  golden:', ...block('-', d.golden, d.goldenAfter, d.goldenEnds));
  out.push('  this run:', ...block('+', d.run, d.runAfter, d.runEnds));
  out.push('  (accept the new trace with --update once it is intended)');
  return out.join('\n');
}

/** An excerpt with marks for what is cut: `…` and the bytes left out on each side. */
function shown(l: LineExcerpt): string {
  const head = l.from > 0 ? `…(${l.from} bytes) ` : '';
  const tail = l.to < l.length ? ` …(${l.length - l.to} more bytes)` : '';
  return head + l.text + tail;
}

/** Characters of `shown(l)` before the escaped byte at `column`. */
function caret(l: LineExcerpt, column: number): number {
  const head = l.from > 0 ? `…(${l.from} bytes) `.length : 0;
  // The escaped width of the bytes before the column: recompute from the text's escapes.
  let width = 0;
  let byte = l.from;
  for (let i = 0; i < l.text.length && byte < column - 1; byte++) {
    const step = l.text[i] === '\\' ? (l.text[i + 1] === 'x' ? 4 : 2) : 1;
    width += step;
    i += step;
  }
  return head + width;
}
