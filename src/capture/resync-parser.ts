/**
 * An MSRP parser for a recorded stream that goes on after the framing is lost. The wire parser
 * stops at a fatal error, as a connection must (RFC 4975 §7.3: the receiver cannot find the next
 * frame); a reader of a capture or a file of frames wants what comes after. So, after a fatal
 * error, this looks for the next start line `MSRP <transact-id> ` at the start of a line, reports
 * the bytes in between as skipped, and parses on from there with a fresh parser.
 */
import type { MsrpFrame } from '../wire/frame.js';
import { IDENT_CHAR } from '../wire/headers.js';
import { MsrpParser, type ParseError, type ParserOptions } from '../wire/parser.js';

export interface ResyncSink {
  /** A frame; `base` is the stream offset its parser started at (add it to violation offsets). */
  frame(frame: MsrpFrame, base: number): void;
  /** A recoverable error, its offset a stream offset. */
  error(error: ParseError): void;
  /**
   * Bytes at stream offset `offset` that are not MSRP frames, skipped up to the next start line or
   * the end of the stream; `cause` is the parser's error that lost the framing.
   */
  skipped(offset: number, count: number, cause: ParseError): void;
}

const LF = 0x0a;
const SP = 0x20;
const MSRP_LOWER = [0x6d, 0x73, 0x72, 0x70, 0x20]; // "msrp "
/** RFC 4975 §9: transact-id = ident = ALPHANUM 3*31ident-char. */
const TID_MIN = 4;
const TID_MAX = 32;
/** Longest candidate start line prefix looked at: "MSRP " + transact-id + SP. */
const PREFIX_MAX = 5 + TID_MAX + 1;
/**
 * Most bytes kept back to restart from after a fatal error: the parser's whole frame budget. A
 * frame longer than that fails inside the parser's skip budget anyway.
 */
const RETAIN_MAX = 65536 + 16 * 1024 * 1024 + 64;

export type Match = 'yes' | 'no' | 'more';

/** Whether `d[p..]` begins with `MSRP <transact-id> ` (the tag in any case, as the parser takes it). */
export function startLineAt(d: Uint8Array, p: number): Match {
  for (let k = 0; k < 5; k++) {
    if (p + k >= d.length) return 'more';
    if (((d[p + k] as number) | (k < 4 ? 0x20 : 0)) !== MSRP_LOWER[k]) return 'no';
  }
  let n = 0;
  for (;;) {
    const at = p + 5 + n;
    if (at >= d.length) return 'more';
    const c = d[at] as number;
    if (c === SP) return n >= TID_MIN ? 'yes' : 'no';
    const cls = IDENT_CHAR[c] as number;
    if (cls === 0 || (n === 0 && cls !== 2)) return 'no';
    if (++n > TID_MAX) return 'no';
  }
}

export class ResyncParser {
  private parser: MsrpParser;
  /** Stream bytes pushed so far. */
  private total = 0;
  /** Recent input, from stream offset `retainedFrom`, to restart from after a fatal error. */
  private retained: Uint8Array[] = [];
  private retainedFrom = 0;
  private retainedLength = 0;
  private fatal: ParseError | null = null;
  private frameInPush = false;
  /** Skipping: the error that lost the framing, and the bytes not yet ruled out, from `scanFrom`. */
  private skipping: { cause: ParseError; tail: Uint8Array; scanFrom: number } | null = null;

  constructor(
    private readonly sink: ResyncSink,
    private readonly options: ParserOptions = {},
  ) {
    this.parser = this.newParser(0);
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const at = this.total;
    this.total += bytes.length;
    if (this.skipping !== null) {
      this.scan(bytes, at);
      return;
    }
    this.retain(bytes);
    this.frameInPush = false;
    this.parser.push(bytes);
    if (this.fatal !== null) {
      this.lost();
      return;
    }
    // A frame ended inside this slice: nothing before the slice can belong to a later frame.
    if (this.frameInPush) this.trim(at);
    if (this.retainedLength > RETAIN_MAX) this.trim(this.total - RETAIN_MAX);
  }

  end(): void {
    for (;;) {
      if (this.skipping !== null) {
        const { cause } = this.skipping;
        this.skipping = null;
        this.sink.skipped(cause.offset, this.total - cause.offset, cause);
        return;
      }
      this.parser.end();
      if (this.fatal === null) return;
      // The stream ended inside a frame: what it held may hide a start line.
      this.lost();
    }
  }

  private newParser(base: number): MsrpParser {

    this.fatal = null;
    return new MsrpParser(
      {
        frame: (f) => {
          this.frameInPush = true;
          this.sink.frame(f, base);
        },
        error: (e) => {
          const shifted = { ...e, offset: base + e.offset };
          if (e.fatal) this.fatal = shifted;
          else this.sink.error(shifted);
        },
      },
      this.options,
    );
  }

  private retain(bytes: Uint8Array): void {
    this.retained.push(bytes);
    this.retainedLength += bytes.length;
  }

  /** Drops retained slices that end at or before stream offset `to`. */
  private trim(to: number): void {
    while (this.retained.length > 0 && this.retainedFrom + (this.retained[0] as Uint8Array).length <= to) {
      const first = this.retained.shift() as Uint8Array;
      this.retainedFrom += first.length;
      this.retainedLength -= first.length;
    }
  }

  /** The framing is lost at the fatal error: scan what is retained after it for a start line. */
  private lost(): void {
    const cause = this.fatal as ParseError;
    this.fatal = null;
    const from = Math.max(cause.offset + 1, this.retainedFrom);
    const parts = this.retained;
    const partsFrom = this.retainedFrom;
    this.retained = [];
    this.retainedLength = 0;
    this.retainedFrom = this.total;
    // Seed the scan with the byte before `from` so that a start line right at `from` is found
    // when that byte ends a line.
    this.skipping = { cause, tail: new Uint8Array(0), scanFrom: from };
    const total = this.total;
    let off = partsFrom;
    let resumed = false;
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k] as Uint8Array;
      const end = off + part.length;
      if (resumed) {
        // Parsing again from a start line found in an earlier part: the rest follows it.
        this.push(part);
      } else if (end > from - 1) {
        const start = Math.max(0, from - 1 - off);
        this.total = end;
        this.scan(part.subarray(start), off + start);
        resumed = this.skipping === null || this.skipping.cause !== cause;
      }
      off = end;
    }
    this.total = total;
  }

  /**
   * Looks for LF followed by a start line in `bytes` (stream offset `at`), after what the last
   * call left undecided. On a match, reports the skip and parses on from the start line.
   */
  private scan(bytes: Uint8Array, at: number): void {
    const s = this.skipping!;
    let d: Uint8Array;
    let dAt: number;
    if (s.tail.length > 0) {
      d = new Uint8Array(s.tail.length + bytes.length);
      d.set(s.tail, 0);
      d.set(bytes, s.tail.length);
      dAt = at - s.tail.length;
    } else {
      d = bytes;
      dAt = at;
    }
    let p = Math.max(0, s.scanFrom - 1 - dAt);
    for (;;) {
      const lf = d.indexOf(LF, p);
      if (lf < 0) {
        s.tail = new Uint8Array(0);
        s.scanFrom = dAt + d.length + 1;
        return;
      }
      const start = lf + 1;
      if (dAt + start >= s.scanFrom) {
        const m = startLineAt(d, start);
        if (m === 'more') {
          // Keep from the LF on until enough bytes are in to decide.
          s.tail = d.slice(lf, Math.min(d.length, lf + 1 + PREFIX_MAX));
          s.scanFrom = dAt + start;
          return;
        }
        if (m === 'yes') {
          const resume = dAt + start;
          this.skipping = null;
          this.sink.skipped(s.cause.offset, resume - s.cause.offset, s.cause);
          this.parser = this.newParser(resume);
          // The rest of this slice goes to the fresh parser, through push's bookkeeping.
          const rest = d.subarray(start);
          this.total = resume;
          this.retained = [];
          this.retainedLength = 0;
          this.retainedFrom = resume;
          this.push(rest);
          return;
        }
      }
      p = start;
    }
  }
}
