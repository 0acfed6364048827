/**
 * The streaming MSRP parser (RFC 4975 §7, §9; RFC 4976 §7).
 *
 * Push-based: `push(bytes)` takes any slice of a connection's byte stream and reports complete
 * frames and errors to a sink as soon as their last byte is in. It works on bytes with offsets:
 * lookup tables for character classes, digits by arithmetic, the end-line found with `indexOf`, no
 * regex and no string concatenation of the input. It parses straight out of the caller's slice,
 * keeps only the unconsumed tail of a frame in a small buffer, decodes each header section with one
 * native call, and copies a body once, into the allocation it is delivered in. With `bodyViews`
 * nothing is copied where the caller's slices lie back to back in one buffer (a simulated
 * connection's segments): the tail stays where it is and the next slice is parsed as one with it.
 *
 * Tolerant reading (the default) accepts what real peers send and records each rule a frame breaks
 * as a violation on it (CHECKLIST ids: W- wire, U- URIs, R- relay headers); `strict` turns every
 * violation into an error and drops the frame.
 *
 * Fatal and recoverable errors. Framing depends only on the start line: once its transaction id is
 * known, the frame ends at `CRLF "-------" transact-id flag CRLF` (W-10) whatever sits in between, so
 * any later problem (a bad header line, a limit, a strict-mode violation, a bad method) is reported
 * and the parser skips to that end-line and goes on with the next frame. What cannot be recovered,
 * because the next frame's start is unknown, is fatal: input that does not start with `MSRP ` where
 * a start line is due, a start line with no usable transaction id or longer than `maxLineLength`,
 * an end-line that does not come within the skip budget, and the stream ending inside a frame.
 * After a fatal error the parser ignores further input: the connection is unusable.
 */
import type { ByteRange, Continuation, FailureReport, HeaderField, MsrpFrame, MsrpRequest, MsrpResponse, StatusHeader, SuccessReport, Violation } from './frame.js';
import {
  IDENT_CHAR,
  byteRangeProblem,
  isIdent,
  parseByteRange,
  parseDeltaSeconds,
  parseFailureReport,
  parsePathHeader,
  parseStatus,
  parseSuccessReport,
  pathHeaderSpacingOk,
  pathUriProblem,
} from './headers.js';
import { parseAuthenticationInfo, parseAuthorization, parseWwwAuthenticate, type DigestParseResult } from './digest.js';

export interface ParseError {
  rule: string;
  message: string;
  /** Stream offset where the problem was seen (start of the offending line, or the frame). */
  offset: number;
  /** True: the parser stopped and ignores further input; the connection is unusable. */
  fatal: boolean;
  /** The transaction id of the frame the error belongs to, when the start line gave one. */
  transactionId?: string;
}

export interface ParserOptions {
  /** Default false (lenient): accept what real peers send, recording violations on the frame. */
  strict?: boolean;
  /** Longest start line or header line, CRLF excluded. Default 16384. */
  maxLineLength?: number;
  /** Most header fields in one frame. Default 64. */
  maxHeaderCount?: number;
  /** Largest header section (start line and header lines). Default 65536. */
  maxHeaderBytes?: number;
  /** Largest body of one chunk (not applied to streamed bodies, which are not buffered). Default 16 MiB. */
  maxBodySize?: number;
  /** Default false. True: requests are delivered as head, body pieces and end (see ParserSink). */
  streamBodies?: boolean;
  /**
   * Default false: every body is a copy, so the caller may reuse a buffer once push() returns.
   * True: a body that lies whole inside one pushed slice, or inside slices that continue each
   * other in memory (views of one buffer, back to back), is handed out as a view (no copy), and
   * the unconsumed tail of a slice is held where it is rather than copied. Only for callers that
   * never change bytes after pushing them, such as the simulator, whose TCP payloads are views of
   * frames already written.
   */
  bodyViews?: boolean;
}

export interface ParserSink {
  /** A complete frame, safe to keep (its body a copy, or with `bodyViews` maybe a view of the input). */
  frame(frame: MsrpFrame): void;
  /** Malformed or over a limit; fatal => parser stopped, connection unusable. */
  error(error: ParseError): void;
  /**
   * streamBodies mode only (relay cut-through forwarding). Requests come as `head` (the frame with
   * body=null so far; its `contentType` says whether a body follows), then `bodyPiece`s as bytes
   * arrive (views, valid only during the call), then `end` with the end-line's flag. Violations seen
   * after the head (body length checks) are appended to `head.violations` before `end`. Responses,
   * which have no body, still come through `frame`.
   */
  head?(head: MsrpFrame): void;
  bodyPiece?(piece: Uint8Array): void;
  end?(continuation: Continuation): void;
}

// ---------------------------------------------------------------------------------------------
// Byte classes and constants

/**
 * Node's Buffer with its native slice decoders, which @types/node does not declare. They skip the
 * argument juggling of `toString(encoding, start, end)` on the hot path.
 */
type Bytes = Buffer & {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
};

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const DASH = 45;
const COLON = 58;
const PLUS = 43;
const DOLLAR = 36;
const HASH = 35;

/** RFC 4975 §9 / RFC 3261 `token` characters; bit 2 = ALPHA, bit 4 = upper-case ALPHA. */
const TOKEN = 1;
const ALPHA = 2;
const UPALPHA = 4;
const CHAR_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const c of "-.!%*_+`'~") t[c.charCodeAt(0)] = TOKEN;
  for (let c = 0x30; c <= 0x39; c++) t[c] = TOKEN;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = TOKEN | ALPHA | UPALPHA;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = TOKEN | ALPHA;
  return t;
})();

/** ASCII lower-casing table for case-insensitive byte compares (W-14). */
const FOLD: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  return t;
})();

const LF_DASH: Buffer = Buffer.from('\n-', 'latin1');

// Header ids. Names are matched by first byte and 32-bit words in canonical case, else by length
// and case-folded bytes (W-14).
const H_TO_PATH = 0;
const H_FROM_PATH = 1;
const H_MESSAGE_ID = 2;
const H_BYTE_RANGE = 3;
const H_SUCCESS_REPORT = 4;
const H_FAILURE_REPORT = 5;
const H_STATUS = 6;
const H_EXPIRES = 7;
const H_MIN_EXPIRES = 8;
const H_MAX_EXPIRES = 9;
const H_USE_PATH = 10;
const H_WWW_AUTHENTICATE = 11;
const H_AUTHORIZATION = 12;
const H_AUTHENTICATION_INFO = 13;
const H_CONTENT_TYPE = 14;
const H_CONTENT_TRANSFER_ENCODING = 15;
const H_CONTENT_ID = 16;
const H_CONTENT_DESCRIPTION = 17;
const H_CONTENT_DISPOSITION = 18;

/**
 * A-21 (docs/ambiguities.md): every header msrp-sim knows may appear once. The rule a repeat is
 * reported under, by header id: the rule of the header's own grammar or use.
 */
const DIGEST_BITS = (1 << H_WWW_AUTHENTICATE) | (1 << H_AUTHORIZATION) | (1 << H_AUTHENTICATION_INFO);

const REPEAT_RULE: readonly string[] = ['W-11', 'W-11', 'W-23', 'W-25', 'W-29', 'W-29', 'W-28', 'R-05', 'R-05', 'R-05', 'R-06', 'R-16', 'R-16', 'R-16', 'W-15', 'W-20', 'W-15', 'W-15', 'W-15'];

interface KnownName {
  id: number;
  name: string;
  lower: Uint8Array;
  lowerName: string;
  /** `name:` as little-endian 32-bit words, then the bytes left over: compared word by word. */
  words: Int32Array;
  tail: Uint8Array;
}

const KNOWN: KnownName[] = (
  [
    [H_TO_PATH, 'To-Path'],
    [H_FROM_PATH, 'From-Path'],
    [H_MESSAGE_ID, 'Message-ID'],
    [H_BYTE_RANGE, 'Byte-Range'],
    [H_CONTENT_TYPE, 'Content-Type'],
    [H_SUCCESS_REPORT, 'Success-Report'],
    [H_FAILURE_REPORT, 'Failure-Report'],
    [H_STATUS, 'Status'],
    [H_EXPIRES, 'Expires'],
    [H_MIN_EXPIRES, 'Min-Expires'],
    [H_MAX_EXPIRES, 'Max-Expires'],
    [H_USE_PATH, 'Use-Path'],
    [H_WWW_AUTHENTICATE, 'WWW-Authenticate'],
    [H_AUTHORIZATION, 'Authorization'],
    [H_AUTHENTICATION_INFO, 'Authentication-Info'],
    [H_CONTENT_TRANSFER_ENCODING, 'Content-Transfer-Encoding'],
    [H_CONTENT_ID, 'Content-ID'],
    [H_CONTENT_DESCRIPTION, 'Content-Description'],
    [H_CONTENT_DISPOSITION, 'Content-Disposition'],
  ] as const
).map(([id, name]) => {
  const withColon = Buffer.from(`${name}:`, 'latin1');
  const nWords = withColon.length >> 2;
  const words = new Int32Array(nWords);
  for (let k = 0; k < nWords; k++) words[k] = withColon.readInt32LE(k * 4);
  return {
    id,
    name,
    lower: Buffer.from(name.toLowerCase(), 'latin1'),
    lowerName: name.toLowerCase(),
    words,
    tail: withColon.subarray(nWords * 4),
  };
});

/** Known names by their first byte in canonical case (the exact-match fast path), most used first. */
const KNOWN_BY_FIRST: (KnownName[] | undefined)[] = (() => {
  const t: (KnownName[] | undefined)[] = new Array(256).fill(undefined);
  for (const k of KNOWN) (t[k.name.charCodeAt(0)] ??= []).push(k);
  return t;
})();

/** Known names by length (the case-insensitive slow path); the longest is 25. */
const KNOWN_BY_LENGTH: KnownName[][] = (() => {
  const t: KnownName[][] = [];
  for (let n = 0; n <= 25; n++) t.push([]);
  for (const k of KNOWN) t[k.name.length]!.push(k);
  return t;
})();

const CONTENT_PREFIX = Buffer.from('content-', 'latin1');

const METHOD_SEND = Buffer.from('SEND', 'latin1');
const METHOD_REPORT = Buffer.from('REPORT', 'latin1');
const METHOD_AUTH = Buffer.from('AUTH', 'latin1');

/** W-34, RFC 4975 §7.1: non-SEND request bodies "MUST NOT be larger than 10240 octets". */
const NON_SEND_BODY_LIMIT = 10240;
/** W-31, RFC 4975 §7.1.1: chunks above 2048 octets MUST be interruptible (range-end `*`). */
const UNINTERRUPTIBLE_LIMIT = 2048;

/**
 * When a tail is buffered, input is appended to it in pieces doubling from a small size up to
 * APPEND_PIECE (bounds the buffer), until the straddling frame is done and parsing goes back to
 * the caller's bytes in place.
 */
const APPEND_MIN = 128;
const APPEND_PIECE = 64 * 1024;
/** A body scan first walks this many bytes in JS (cheaper than a native call for small bodies). */
const JS_SCAN_BYTES = 48;

const EMPTY = new Uint8Array(0);
/** Placeholder until decodeSection gives the frame its own list (never handed out). */
const NO_HEADERS: HeaderField[] = Object.freeze([]) as unknown as HeaderField[];
/** The violations of every clean frame (most frames): one frozen empty list, not one per frame. */
const NO_VIOLATIONS: Violation[] = Object.freeze([]) as unknown as Violation[];
const EMPTY_BUFFER = Buffer.alloc(0) as Bytes;
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
const MSRP_SP_LOWER = Buffer.from('msrp ', 'latin1');
/** "MSRP" as a little-endian 32-bit word. */
const MSRP_WORD = Buffer.from('MSRP', 'latin1').readInt32LE(0);

// Parser states.
const S_START = 0; // expecting a start line (between frames)
const S_HEADERS = 1; // after the start line: collecting the header lines
const S_BODY = 2; // inside a body, looking for the end-line
const S_SKIP = 3; // after a recoverable error: looking for the end-line, discarding
const S_FAILED = 4; // after a fatal error

// ---------------------------------------------------------------------------------------------

export class MsrpParser {
  private readonly sink: ParserSink;
  private readonly strict: boolean;
  private readonly stream: boolean;
  private readonly bodyViews: boolean;
  private readonly maxLine: number;
  private readonly maxHeaderCount: number;
  private readonly maxHeaderBytes: number;
  private readonly maxBody: number;
  /** How far the end-line search may skip after a recoverable error before giving up (fatal). */
  private readonly maxSkip: number;

  // Input: `data` is the caller's slice (zero copy) or `buf`, valid up to `dataEnd`; `base` is
  // the stream offset of data[0]; `dv` reads 32-bit words of `data` at dvOff + index.
  private data: Bytes = EMPTY_BUFFER;
  private dv: DataView = EMPTY_VIEW;
  /** data[i] is at dv offset dvOff + i (the view spans the whole ArrayBuffer and is reused). */
  private dvOff = 0;
  private base = 0;
  private dataEnd = 0;
  private dataIsBuf = false;
  private dvBuffer: ArrayBufferLike | null = null;
  /**
   * The ArrayBuffer under `data` (data[i] is ab[dvOff + i]): views and copies are made from it,
   * since reading a Buffer's `buffer` and `byteOffset` on every body costs more than the copy.
   */
  private ab: ArrayBufferLike = EMPTY_VIEW.buffer;
  private dvWhole: DataView = EMPTY_VIEW;

  /**
   * bodyViews: the last slice, whose bytes from stream offset `heldFrom` on are the unconsumed
   * tail, not copied (see parseInPlace); heldBase is the stream offset of held[0], heldAb and
   * heldOff where it lies in memory.
   */
  private held: Bytes | null = null;
  private heldBase = 0;
  private heldFrom = 0;
  private heldAb: ArrayBufferLike = EMPTY_VIEW.buffer;
  private heldOff = 0;

  // Internal buffer for the unconsumed tail: stream bytes [bufBase, bufBase + bufLen).
  private buf: Bytes = EMPTY_BUFFER;
  private bufDv: DataView = EMPTY_VIEW;
  private bufBase = 0;
  private bufLen = 0;

  /** Stream offset of the next byte push() will receive. */
  private total = 0;
  private state = S_START;
  private failedFlag = false;
  private closed = false;

  /** Start of the line being looked at (S_START), or of the next header line (S_HEADERS). */
  private lineStart = 0;
  /** Where the CR search of the current line resumes (no CRLF before it). */
  private lineScan = 0;
  /** OR of the line's bytes scanned so far (bit 7: a non-ASCII byte). */
  private lineHi = 0;
  /** The OR of the bytes of the line `findLineEnd` returned last. */
  private foundHi = 0;
  /** Violations seen between frames (stray CRLFs), attached to the next frame. */
  private pending: Violation[] | null = null;

  // The frame being parsed. Offsets ending in `Rel` are relative to frameStart.
  private frameStart = 0;
  private tid = '';
  private tidBytes: Uint8Array = new Uint8Array(64);
  private tidLen = 0;
  private tidRel = 0;
  private isRequest = true;
  private method = '';
  private statusCode = 0;
  private comment: string | null = null;
  /** Response comment start (-1: none) and the start line's CR. */
  private commentRel = -1;
  private startEndRel = 0;
  private startHi = 0;
  /**
   * CR offsets of the header lines found so far, their byte ORs, and line-cache hits (0: none,
   * 1: the whole line, see cachedLine; 2: its "Name: " only, see valueLine).
   */
  private lineEnds: Int32Array = new Int32Array(16);
  private lineHis: Int32Array = new Int32Array(16);
  private lineHits: Uint8Array = new Uint8Array(16);
  /** Header lines of this frame that were not line-cache hits. */
  private lineMisses = 0;
  private lineCount = 0;
  private headerBytes = 0;
  private headers: HeaderField[] = NO_HEADERS;
  /** Header fields stored in `headers` so far. */
  private headerCount = 0;
  private violations: Violation[] = [];
  private toPath: string[] | undefined;
  private fromPath: string[] | undefined;
  private messageId: string | undefined;
  private byteRange: ByteRange | undefined;
  private successReport: SuccessReport | undefined;
  private failureReport: FailureReport | undefined;
  private status: StatusHeader | undefined;
  private contentType: string | undefined;
  private usePath: string[] | undefined;
  private expires: number | undefined;
  private minExpires: number | undefined;
  private maxExpires: number | undefined;
  /** Index of Content-Type among the headers, -1 if none yet. */
  private contentTypeAt = -1;
  private mimeSeen = false;
  private reportHeaderSeen = false;
  /** Known headers seen in this frame, a bit per header id (A-21: each may appear once). */
  private seen = 0;

  // Body (S_BODY) and skip (S_SKIP) scanning.
  private bodyStart = 0;
  /** Smallest stream offset at which the end-line's CR has not been ruled out. */
  private scanFrom = 0;
  /** Stream offset where the skip started (S_SKIP budget). */
  private skipStart = 0;
  /** streamBodies: the head being streamed, and how far its body has been handed out. */
  private headFrame: MsrpRequest | null = null;
  /** The frame's wireLength and headLength (see MsrpFrame), set as it completes or its head goes out. */
  private wireLength: number | undefined = undefined;
  private headLength: number | undefined = undefined;
  private streamedTo = 0;
  /** Non-stream mode: the body of a frame that straddles slices, filled as it arrives. */
  private acc: Uint8Array | null = null;
  private accLen = 0;
  /** Size of the last body that straddled slices (the next one is likely the same size). */
  private lastBodyLen = 0;
  /**
   * A slice ending inside this body puts everything into the body, a possible end-line prefix
   * included, instead of keeping that prefix in the tail buffer: cheaper for big bodies, which
   * straddle slices often; small ones keep the prefix (one copy of the body in the end).
   */
  private carryInBody = false;
  /** How many bytes findEndLine walks in JS before calling indexOf (0 when the body is known big). */
  private walk = JS_SCAN_BYTES;

  /** The previous frames' header lines by position (see LineCache). */
  private readonly lineCaches: LineCache[] = [];
  /** Last decoded To-Path, From-Path, Use-Path (a session's paths repeat on every frame). */
  private readonly pathCaches: PathCache[] = [newPathCache(), newPathCache(), newPathCache()];

  constructor(sink: ParserSink, options: ParserOptions = {}) {
    this.sink = sink;
    this.strict = options.strict === true;
    this.bodyViews = options.bodyViews === true;
    this.stream =
      options.streamBodies === true && sink.head !== undefined && sink.bodyPiece !== undefined && sink.end !== undefined;
    // W-39: "No hop count / Max-Forwards / path-length limit exists in MSRP ... The simulator
    // should impose its own limit on path length and header size". Over a limit = an error record.
    this.maxLine = positive(options.maxLineLength, 16384);
    this.maxHeaderCount = positive(options.maxHeaderCount, 64);
    this.maxHeaderBytes = positive(options.maxHeaderBytes, 65536);
    this.maxBody = positive(options.maxBodySize, 16 * 1024 * 1024);
    this.maxSkip = this.maxHeaderBytes + this.maxBody + 64;
  }

  /** Stream bytes consumed so far (after a fatal error: up to the error; the rest is ignored). */
  get offset(): number {
    return this.total;
  }

  /** A fatal error happened; further input is ignored. */
  get failed(): boolean {
    return this.failedFlag;
  }

  /** Bytes held in the internal buffer (the unconsumed tail of a frame). For bounds tests. */
  get bufferedBytes(): number {
    return this.bufLen + this.heldBytes();
  }

  /** Capacity of the internal buffer. For bounds tests. */
  get bufferCapacity(): number {
    return this.buf.length;
  }

  /** Bytes the parser holds: the internal buffer and a body being filled. For bounds tests. */
  get retainedBytes(): number {
    return this.buf.length + (this.acc === null ? 0 : this.acc.length) + this.heldBytes();
  }

  /** The held tail's length (bodyViews: bytes of the last slice still needed, not copied). */
  private heldBytes(): number {
    return this.held === null ? 0 : this.heldBase + this.held.length - this.heldFrom;
  }

  /**
   * Feeds any slice of the stream. Never throws on any input. The sink is called synchronously
   * from here; it must not call push() or end() of the same parser (an exception it throws goes
   * out through push()). The caller may reuse `bytes` once push() returns: whatever the parser
   * keeps, it has copied (unless `bodyViews` was asked for).
   */
  push(bytes: Uint8Array): void {
    if (this.failedFlag || this.closed || bytes.length === 0) return;
    const input = asBuffer(bytes);
    const inAbs = this.total; // stream offset of input[0]
    const inEnd = inAbs + input.length;
    const inAb = input.buffer;
    const inOff = input.byteOffset;
    this.total = inEnd;
    let from = inAbs; // first input byte not parsed yet (nor copied into buf)
    if (this.held !== null) {
      if (inAb === this.heldAb && inOff === this.heldOff + this.held.length) {
        // The input continues the held slice in the same memory: parse both as one view.
        const off = this.heldOff + this.heldFrom - this.heldBase;
        this.held = null;
        this.parseInPlace(Buffer.from(inAb, off, inEnd - this.heldFrom) as Bytes, this.heldFrom, inAb, off);
        return;
      }
      this.materialize();
    }
    if (this.bufLen > 0) {
      // A frame straddles the previous slice: complete it from the buffer, appending the input
      // in growing pieces, and go back to parsing the input in place as soon as the buffer holds
      // nothing the parser still needs.
      // In a body the tail is at most an end-line prefix: a few bytes settle it. In a header
      // section, a small piece first, so little body lands in the buffer before parsing goes back
      // in place.
      let piece = this.state === S_BODY || this.state === S_SKIP ? 16 + this.tidLen : APPEND_MIN;
      let keep = this.bufBase;
      while (from < inEnd) {
        const take = Math.min(inEnd - from, piece, APPEND_PIECE);
        const pieceStart = from;
        this.ensureCapacity(this.bufLen + take);
        copyIntoBuffer(this.buf, this.bufLen, input, from - inAbs, take, inAb, inOff);
        this.bufLen += take;
        from += take;
        // The whole buffer, valid up to bufLen: native search results beyond it are discarded.
        this.setData(this.buf, this.bufBase, this.bufLen, null, 0);
        this.run();
        if (this.failedFlag) return this.release();
        keep = this.keepFrom();
        if (keep >= pieceStart && from < inEnd) {
          // Everything still needed is in the input: drop the buffer, parse in place from `keep`.
          this.bufLen = 0;
          from = keep;
          break;
        }
        this.retain(keep);
        piece *= 2;
      }
      if (this.bufLen > 0 || from >= inEnd) return this.release();
    }
    // The input in place (the state's offsets are at or after `from`).
    this.parseInPlace(input, inAbs, inAb, inOff);
  }

  /** Parses the caller's bytes where they are, then keeps (or holds) what the state still needs. */
  private parseInPlace(data: Bytes, base: number, ab: ArrayBufferLike, off: number): void {
    this.setData(data, base, data.length, ab, off);
    this.run();
    if (!this.failedFlag) {
      const keep = this.keepFrom();
      if (this.bodyViews && keep < base + data.length) {
        // The caller never changes pushed bytes (bodyViews): hold them rather than copy them, so a
        // next slice that continues them in memory (as a simulated TCP segment does) is parsed as
        // one with them, and a body straddling the two is a view, not a copy.
        this.held = data;
        this.heldBase = base;
        this.heldFrom = keep;
        this.heldAb = ab;
        this.heldOff = off;
      } else this.retain(keep);
    }
    this.release();
  }

  /**
   * The next slice does not continue the held one: what the state needs of the held bytes goes
   * into the parser's buffer after all, as `retain` would have put it there, a body being filled
   * included (see the deferred branch of scanBody).
   */
  private materialize(): void {
    const held = this.held!;
    this.held = null;
    this.setData(held, this.heldBase, held.length, this.heldAb, this.heldOff);
    if (this.state === S_BODY && this.isRequest && this.headFrame === null && !this.stream) {
      this.accumulate(this.carryInBody ? this.heldBase + held.length : this.scanFrom);
    }
    this.retain(this.keepFrom());
    this.release();
  }

  /** `ab`, `off`: the caller's slice's ArrayBuffer and byte offset; null for the parser's own buffer. */
  private setData(data: Bytes, base: number, end: number, ab: ArrayBufferLike | null, off: number): void {
    this.data = data;
    this.base = base;
    this.dataEnd = end;
    this.dataIsBuf = ab === null;
    if (ab === null) {
      this.dv = this.bufDv;
      this.ab = this.bufDv.buffer;
      this.dvOff = this.buf.byteOffset;
    } else {
      // One view per ArrayBuffer: consecutive slices of a stream usually share one.
      if (ab !== this.dvBuffer) {
        this.dvBuffer = ab;
        this.dvWhole = new DataView(ab);
      }
      this.dv = this.dvWhole;
      this.ab = ab;
      this.dvOff = off;
    }
  }

  /**
   * Drops references to the caller's bytes when push() returns. The view of their ArrayBuffer is
   * kept only while a held slice may be continued in it: otherwise a parser idle between frames
   * kept its last segment's memory alive (about 1.5 KB for each of scale-10k's 20,000 parsers).
   */
  private release(): void {
    this.data = EMPTY_BUFFER;
    this.dataEnd = 0;
    if (this.held === null) {
      this.ab = EMPTY_VIEW.buffer;
      this.dv = EMPTY_VIEW;
      this.dvBuffer = null;
      this.dvWhole = EMPTY_VIEW;
    }
  }

  /** The stream closed: a frame still incomplete becomes a (fatal) error. Later input is ignored. */
  end(): void {
    if (this.failedFlag || this.closed) return;
    this.closed = true;
    if (this.state !== S_START || this.bufLen > 0 || this.held !== null) {
      const at = this.state === S_START ? this.lineStart : this.frameStart;
      this.fail('W-06', 'stream ended inside a frame (no end-line)', at);
    }
    this.buf = EMPTY_BUFFER;
    this.bufDv = EMPTY_VIEW;
    this.bufLen = 0;
    this.held = null;
  }

  // -------------------------------------------------------------------------------------------
  // Buffer management

  /** The oldest stream offset the current state still needs. */
  private keepFrom(): number {
    switch (this.state) {
      case S_START:
        return this.lineStart;
      case S_HEADERS:
        // The header section is decoded in one piece once complete (see scanHeaders).
        return this.frameStart;
      case S_BODY:
        // A request body being filled holds everything up to streamedTo, a possible end-line
        // prefix included; streamed or dropped bytes before streamedTo are gone, so a possible
        // end-line prefix from scanFrom on is kept.
        if (this.carryInBody && this.headFrame === null) return this.streamedTo;
        return Math.min(this.scanFrom, this.streamedTo);
      default:
        return this.scanFrom;
    }
  }

  /** Keeps the bytes from `keep` on (in `buf`); drops the rest. */
  private retain(keep: number): void {
    const end = this.base + this.dataEnd;
    if (keep > end) keep = end;
    const n = end - keep;
    if (n === 0) {
      this.bufLen = 0;
      this.bufBase = end;
    } else if (this.dataIsBuf) {
      const from = keep - this.bufBase;
      if (from > 0) this.buf.copyWithin(0, from, this.bufLen);
      this.bufLen = n;
      this.bufBase = keep;
    } else {
      this.bufLen = 0;
      this.ensureCapacity(n);
      copyIntoBuffer(this.buf, 0, this.data, keep - this.base, n, this.ab, this.dvOff);
      this.bufLen = n;
      this.bufBase = keep;
    }
    // Give back a large buffer once the tail it held is gone (bounded memory between big frames).
    if (this.buf.length > 1 << 20 && this.bufLen < 1 << 16) this.reallocate(Math.max(4096, this.bufLen * 2));
  }

  private ensureCapacity(need: number): void {
    if (need <= this.buf.length) return;
    let cap = Math.max(4096, this.buf.length * 2);
    while (cap < need) cap *= 2;
    this.reallocate(cap);
  }

  private reallocate(cap: number): void {
    const next = Buffer.allocUnsafeSlow(cap) as Bytes;
    if (this.bufLen > 0) this.buf.copy(next, 0, 0, this.bufLen);
    this.buf = next;
    this.bufDv = new DataView(next.buffer);
  }

  // -------------------------------------------------------------------------------------------
  // The state machine

  private run(): void {
    for (;;) {
      let progressed: boolean;
      switch (this.state) {
        case S_START:
          progressed = this.parseStartLine();
          break;
        case S_HEADERS:
          progressed = this.scanHeaders();
          break;
        case S_BODY:
          progressed = this.scanBody();
          break;
        case S_SKIP:
          progressed = this.scanSkip();
          break;
        default:
          return;
      }
      if (!progressed) return;
    }
  }

  /**
   * Finds the CRLF ending the line at `lineStart`; returns the CR's stream offset, or -1 when it
   * is not in yet (resuming there next time, so a line trickling in is scanned once). Reads 32-bit
   * words and tests them for a CR byte (the "has zero byte" bit trick on word ^ 0x0d0d0d0d) while
   * OR-ing them together, which also says whether the line holds a non-ASCII byte (`foundHi`).
   */
  private findLineEnd(): number {
    const d = this.data;
    const dv = this.dv;
    const off = this.dvOff;
    const end = this.dataEnd;
    let i = this.lineScan - this.base;
    let hi = this.lineHi;
    for (;;) {
      while (i + 4 <= end) {
        const w = dv.getInt32(off + i, true);
        const x = w ^ 0x0d0d0d0d;
        if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
        hi |= w;
        i += 4;
      }
      while (i < end && d[i] !== CR) hi |= d[i++]!;
      if (i + 1 >= end) break;
      if (d[i + 1] === LF) {
        this.foundHi = hi;
        this.lineHi = 0;
        return i + this.base;
      }
      hi |= CR; // a bare CR belongs to the line
      i++;
    }
    this.lineHi = hi;
    const resume = i + this.base;
    this.lineScan = resume < this.lineStart ? this.lineStart : resume;
    return -1;
  }

  // ---- start line -------------------------------------------------------------------------------

  private parseStartLine(): boolean {
    const d = this.data;
    const base = this.base;
    const ls = this.lineStart;
    const avail = base + this.dataEnd - ls;
    if (avail <= 0) return false;
    const p = ls - base;
    // Between frames, anything but a start line means the framing is lost (fatal), except bare
    // CRLFs, which some peers send as padding or keepalive; the lenient reader skips them.
    if (d[p] === CR) {
      if (avail < 2) return false;
      if (d[p + 1] === LF && !this.strict) {
        const pending = (this.pending ??= []);
        if (pending.length < 16) pending.push({ rule: 'W-10', message: 'empty line between frames', offset: ls });
        this.lineStart = this.lineScan = ls + 2;
        return true;
      }
      return this.fail('W-10', 'expected a start line ("MSRP ...") between frames', ls);
    }
    // Reject junk early, before a whole line is in: it must begin with "MSRP " (any case).
    if (avail < 5 || this.dv.getInt32(this.dvOff + p, true) !== MSRP_WORD || d[p + 4] !== SP) {
      const check = avail < 5 ? avail : 5;
      for (let k = 0; k < check; k++) {
        if (FOLD[d[p + k]!] !== MSRP_SP_LOWER[k]) {
          return this.fail('W-10', 'expected a start line ("MSRP ...") between frames', ls);
        }
      }
    }
    const le = this.findLineEnd();
    if (le < 0) {
      // No CRLF yet. An LF already in means a peer that ends lines with a bare LF: say so now
      // rather than wait for a CRLF that never comes (`req-start = ... CRLF`, RFC 4975 §9).
      const lf = d.indexOf(LF, p);
      if (lf >= 0 && lf < this.dataEnd) return this.bareLf(ls);
      if (avail > this.maxLine) return this.fail('W-39', `start line longer than ${this.maxLine} bytes`, ls);
      return false;
    }
    if (le - ls > this.maxLine) return this.fail('W-39', `start line longer than ${this.maxLine} bytes`, ls);
    this.beginFrame(ls);
    return this.startLine(p, le - base);
  }

  private beginFrame(at: number): void {
    this.frameStart = at;
    this.tid = '';
    this.lineCount = 0;
    this.lineMisses = 0;
    this.headers = NO_HEADERS;
    this.headerCount = 0;
    this.violations = this.pending ?? NO_VIOLATIONS;
    this.pending = null;
    this.toPath = undefined;
    this.fromPath = undefined;
    this.messageId = undefined;
    this.byteRange = undefined;
    this.successReport = undefined;
    this.failureReport = undefined;
    this.status = undefined;
    this.contentType = undefined;
    this.usePath = undefined;
    this.expires = undefined;
    this.minExpires = undefined;
    this.maxExpires = undefined;
    this.contentTypeAt = -1;
    this.mimeSeen = false;
    this.reportHeaderSeen = false;
    this.seen = 0;
    this.comment = null;
    this.commentRel = -1;
    this.headFrame = null;
    this.acc = null;
    this.accLen = 0;
  }

  /**
   * Checks the start line in data[p, e) (e = its CR) and notes where its parts are; the strings
   * are cut once the whole header section is in (see decodeSection).
   */
  private startLine(p: number, e: number): boolean {
    const d = this.data;
    const base = this.base;
    const ls = p + base;
    this.startHi = this.foundHi;
    this.startEndRel = e - p;
    // W-01, RFC 4975 §9: `pMSRP = %x4D.53.52.50 ; MSRP in caps`.
    if (d[p] !== 0x4d || d[p + 1] !== 0x53 || d[p + 2] !== 0x52 || d[p + 3] !== 0x50) {
      this.violation('W-01', 'protocol tag is not upper-case "MSRP"', ls);
    }
    // W-02, RFC 4975 §9: `req-start = pMSRP SP transact-id SP method CRLF` -- exactly one SP.
    let i = p + 5;
    if (d[i] === SP) {
      this.violation('W-02', 'more than one SP after "MSRP"', ls);
      while (i < e && d[i] === SP) i++;
    }
    const t0 = i;
    // One pass over the id: copy it (the end-line search needs its bytes), check it is VCHAR
    // (bytes outside cannot belong to an id that delimits a frame), and note non-ident bytes.
    let tb = this.tidBytes;
    let ident = IDENT_CHAR[d[i]!] === 2 ? 1 : 0;
    while (i < e && d[i] !== SP) {
      const c = d[i]!;
      if (c < 0x21 || c > 0x7e) {
        if (c === LF) return this.bareLf(ls);
        return this.fail('W-03', 'transaction id contains a control or non-ASCII byte', ls);
      }
      if (IDENT_CHAR[c] === 0) ident = 0;
      const k = i - t0;
      if (k >= tb.length) {
        const grown = new Uint8Array(tb.length * 2);
        grown.set(tb);
        tb = this.tidBytes = grown;
      }
      tb[k] = c;
      i++;
    }
    const tl = i - t0;
    if (tl === 0) return this.fail('W-03', 'start line without a transaction id', ls);
    this.tidLen = tl;
    this.tidRel = t0 - p;
    // W-03, RFC 4975 §9: `transact-id = ident`, `ident = ALPHANUM 3*31ident-char`.
    if (tl < 4 || tl > 32 || ident === 0) {
      this.violation('W-03', `transaction id "${this.tidString()}" is not 4 to 32 ident characters`, ls);
    }
    // From here on the frame's end is known: errors skip to its end-line instead of being fatal.
    if (i >= e) return this.frameError('W-02', 'start line without a method or status code', ls, e + base);
    i++;
    if (d[i] === SP) {
      this.violation('W-02', 'more than one SP after the transaction id', ls);
      while (i < e && d[i] === SP) i++;
    }
    const m0 = i;
    let cls = UPALPHA | ALPHA | TOKEN;
    let digits = 0;
    while (i < e && d[i] !== SP) {
      const c = d[i]!;
      cls &= CHAR_CLASS[c]!;
      if (c >= 0x30 && c <= 0x39) digits++;
      i++;
    }
    const ml = i - m0;
    if (ml === 0) return this.frameError('W-02', 'start line without a method or status code', ls, e + base);
    if (digits === 3 && ml === 3) {
      // W-02, RFC 4975 §9: `resp-start = pMSRP SP transact-id SP status-code [SP comment] CRLF`.
      this.isRequest = false;
      this.statusCode = (d[m0]! - 48) * 100 + (d[m0 + 1]! - 48) * 10 + (d[m0 + 2]! - 48);
      this.commentRel = i < e ? i + 1 - p : -1;
      for (let j = i; j < e; j++) if (d[j] === LF) return this.bareLf(ls);
    } else {
      this.isRequest = true;
      if ((cls & UPALPHA) !== 0) {
        this.method = methodName(d, m0, ml);
      } else if ((cls & ALPHA) !== 0) {
        // W-01, RFC 4975 §9: `other-method = 1*UPALPHA`; method names are case-sensitive.
        this.method = d.latin1Slice(m0, i);
        this.violation('W-01', `method "${this.method}" is not upper-case`, ls);
      } else {
        if (hasByte(d, LF, m0, i)) return this.bareLf(ls);
        return this.frameError('W-01', 'start line has neither a method nor a 3-digit status code', ls, e + base);
      }
      if (i < e) {
        let j = i;
        while (j < e && d[j] === SP) j++;
        if (j < e) {
          if (hasByte(d, LF, j, e)) return this.bareLf(ls);
          return this.frameError('W-02', 'text after the method in a request start line', ls, e + base);
        }
        this.violation('W-02', 'trailing SP after the method', ls);
      }
    }
    this.headerBytes = e - p + 2;
    this.state = S_HEADERS;
    this.lineStart = this.lineScan = e + 2 + base;
    this.lineHi = 0;
    return true;
  }

  /**
   * A start line with a bare LF: a peer that ends lines with LF alone. Fatal however the bytes
   * were split (whether the CRLF that ends the "line" is in yet or not): `req-start = ... CRLF`
   * (RFC 4975 §9), and the end-line could never be found.
   */
  private bareLf(ls: number): boolean {
    return this.fail('W-10', 'the start line ends with a bare LF: MSRP lines end with CRLF; framing is lost', ls);
  }

  /** The transaction id as a string before the section is decoded (error paths only). */
  private tidString(): string {
    if (this.tid === '' && this.tidLen > 0) {
      this.tid = Buffer.from(this.tidBytes.buffer, this.tidBytes.byteOffset, this.tidLen).toString('latin1');
    }
    return this.tid;
  }

  // ---- header section ---------------------------------------------------------------------------

  /**
   * Phase 1: finds the header lines (their CRs) up to the line that ends the section: the blank
   * line before a body, an end-line (or anything starting with "-"), or a start line (a lost
   * end-line). Limits are checked here, so nothing is decoded for a frame that breaks them.
   */
  private scanHeaders(): boolean {
    const d = this.data;
    const base = this.base;
    const fs = this.frameStart;
    for (;;) {
      const ls = this.lineStart;
      // A line equal to the one at this position in an earlier frame: its end is known without
      // scanning, and phase 2 reuses its decoded name and value.
      const k0 = this.lineCount;
      const lc = k0 < LINE_CACHE ? this.lineCaches[k0] : undefined;
      if (lc !== undefined && lc.len > 0 && ls - base + lc.len <= this.dataEnd && sameBytes(this.dv, this.dvOff + ls - base, d, ls - base, lc.len, lc.dv, lc.bytes)) {
        if (k0 >= this.maxHeaderCount) return this.frameError('W-39', `more than ${this.maxHeaderCount} header fields`, ls, ls + lc.len - 2);
        this.headerBytes += lc.len;
        if (this.headerBytes > this.maxHeaderBytes) {
          return this.frameError('W-39', `header section larger than ${this.maxHeaderBytes} bytes`, ls, ls + lc.len - 2);
        }
        this.addLine(ls + lc.len - 2 - fs, 0, 1);
        this.lineStart = this.lineScan = ls + lc.len;
        this.lineHi = 0;
        continue;
      }
      // The same field with another value (a new Message-ID, the next Byte-Range): "Name: " is
      // known from the cache, so only the value is scanned and decoded (see valueLine).
      let nameHit = false;
      if (lc !== undefined && lc.prefix > 0 && ls - base + lc.prefix < this.dataEnd) {
        const q = ls - base + lc.prefix;
        if (d[q] !== SP && d[q] !== HTAB && sameBytes(this.dv, this.dvOff + ls - base, d, ls - base, lc.prefix, lc.dv, lc.bytes)) {
          nameHit = true;
          if (this.lineScan < ls + lc.prefix) this.lineScan = ls + lc.prefix;
        }
      }
      const le = this.findLineEnd();
      if (le < 0) {
        const avail = base + this.dataEnd - ls;
        // The end-line could begin at the last byte (a CR waiting for its LF), not before.
        const resume = base + this.dataEnd - 1;
        if (avail > this.maxLine) return this.frameError('W-39', `header line longer than ${this.maxLine} bytes`, ls, resume);
        if (this.headerBytes + avail > this.maxHeaderBytes) {
          return this.frameError('W-39', `header section larger than ${this.maxHeaderBytes} bytes`, ls, resume);
        }
        return false;
      }
      const len = le - ls;
      if (len > this.maxLine) return this.frameError('W-39', `header line longer than ${this.maxLine} bytes`, ls, le);
      this.headerBytes += len + 2;
      if (this.headerBytes > this.maxHeaderBytes) {
        return this.frameError('W-39', `header section larger than ${this.maxHeaderBytes} bytes`, ls, le);
      }
      const p = ls - base;
      const b0 = len === 0 ? CR : d[p]!;
      if (!nameHit && (len === 0 || b0 === DASH || (b0 === 0x4d && len > 5 && this.dv.getInt32(this.dvOff + p, true) === MSRP_WORD && d[p + 4] === SP))) {
        return this.decodeSection(ls, le);
      }
      if (this.lineCount >= this.maxHeaderCount) {
        return this.frameError('W-39', `more than ${this.maxHeaderCount} header fields`, ls, le);
      }
      this.addLine(le - fs, this.foundHi, nameHit ? 2 : 0);
      this.lineMisses++;
      this.lineStart = this.lineScan = le + 2;
    }
  }

  private addLine(endRel: number, hi: number, hit: number): void {
    const k = this.lineCount++;
    if (k >= this.lineEnds.length) {
      const ends = new Int32Array(this.lineEnds.length * 2);
      ends.set(this.lineEnds);
      this.lineEnds = ends;
      const his = new Int32Array(ends.length);
      his.set(this.lineHis);
      this.lineHis = his;
      const hits = new Uint8Array(ends.length);
      hits.set(this.lineHits);
      this.lineHits = hits;
    }
    this.lineEnds[k] = endRel;
    this.lineHis[k] = hi;
    this.lineHits[k] = hit;
  }

  /**
   * Phase 2: the whole start line and header section are in. They are decoded with one native
   * call (latin1, one char per byte, so byte offsets are string offsets) and every id, name and
   * value is a substring of it; lines holding non-ASCII bytes are decoded as UTF-8 (W-21).
   * `ts`/`te`: the line that ended the section (stream offsets of its start and CR).
   */
  private decodeSection(ts: number, te: number): boolean {
    const d = this.data;
    const base = this.base;
    const fs = this.frameStart;
    const sb = fs - base; // data index of sec[0]
    // Lines that hit the line cache need no decoding: then only the start line is.
    const sec = d.latin1Slice(sb, this.lineMisses > 0 ? ts - base : sb + this.startEndRel);
    this.tid = sec.substring(this.tidRel, this.tidRel + this.tidLen);
    if (this.commentRel >= 0) {
      this.comment = (this.startHi & 0x80808080) === 0 ? sec.substring(this.commentRel, this.startEndRel) : d.utf8Slice(sb + this.commentRel, sb + this.startEndRel);
    }
    let ls = this.startEndRel + 2;
    const n = this.lineCount;
    // Sized once: a folded line adds none, so the length is trimmed after the loop if need be.
    this.headers = n === 0 ? [] : new Array<HeaderField>(n);
    for (let k = 0; k < n; k++) {
      const le = this.lineEnds[k]!;
      const hit = this.lineHits[k]!;
      if (hit === 1) this.cachedLine(this.lineCaches[k]!, fs + ls);
      else {
        const hi = (this.lineHis[k]! & 0x80808080) !== 0;
        if (hit === 2) this.valueLine(this.lineCaches[k]!, sec, sb, ls, le, hi, k);
        else this.headerLine(sec, sb, ls, le, hi, k);
        if (this.state !== S_HEADERS) return true; // a bad line: the frame is being skipped
      }
      ls = le + 2;
    }
    if (this.headerCount < n) this.headers.length = this.headerCount;
    const next = te + 2;
    if (te === ts) return this.endOfHeaders(next);
    const p = ts - base;
    if (d[p] === DASH) {
      // W-16, RFC 4975 §7.1: "A request without a body MUST contain an end-line after the final
      // header field. No extra CRLF will be present between the header section and the end-line."
      const flag = this.endLineFlagAt(p, te - base);
      if (flag !== 0) return this.complete(null, flag, next, ts);
      return this.frameError('W-12', 'malformed header line', ts, te);
    }
    // W-06: a start line inside the header section means this frame lost its end-line (RFC 4976
    // §3 prints one such response). The new frame starts at that line either way.
    const message = `a start line began inside the header section of ${this.tid}: its end-line is missing`;
    if (this.strict) {
      this.emitError('W-06', message, ts, false, true);
      this.state = S_START;
      this.lineStart = this.lineScan = ts;
      return true;
    }
    this.violation('W-06', message, ts);
    return this.complete(null, DOLLAR, ts, ts);
  }

  /** One header line, sec-relative [ls, le) (le = its CR), the k-th of the section. */
  private headerLine(sec: string, sb: number, ls: number, le: number, hi: boolean, k: number): void {
    const d = this.data;
    const p = sb + ls;
    const e = sb + le;
    const at = this.frameStart + ls;
    const b0 = d[p]!;
    let kn: KnownName | undefined;
    let c = -1; // the colon
    let name = '';
    /** What this line breaks on its own (W-12, W-14): replayed when the line comes again. */
    let local: LineNote[] | null = null;
    if (this.bareLfInLine(sec, ls, le, at, sb)) return;
    // Fast path: a known name in canonical case, compared as 32-bit words ("To-Path:" is two).
    const cands = KNOWN_BY_FIRST[b0];
    if (cands !== undefined) {
      const dv = this.dv;
      const off = this.dvOff;
      for (let j = 0; j < cands.length; j++) {
        const cand = cands[j]!;
        const w = cand.words;
        const t = cand.tail;
        if (e - p < 4 * w.length + t.length) continue;
        let o = p;
        let ok = true;
        for (let q = 0; q < w.length; q++, o += 4) {
          if (dv.getInt32(off + o, true) !== w[q]) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        for (let q = 0; q < t.length; q++) {
          if (d[o + q] !== t[q]) {
            ok = false;
            break;
          }
        }
        if (ok) {
          kn = cand;
          name = cand.name;
          c = p + cand.name.length;
          break;
        }
      }
    }
    if (kn === undefined) {
      if (b0 === SP || b0 === HTAB) return this.foldedLine(sec, sb, p, e, at);
      // `ext-header = hname ":" SP hval`, `hname = ALPHA *token`.
      if ((CHAR_CLASS[b0]! & ALPHA) === 0) return this.badHeaderLine(at, e + this.base);
      c = p + 1;
      while (c < e && (CHAR_CLASS[d[c]!]! & TOKEN) !== 0) c++;
      if (c >= e || d[c] !== COLON) return this.badHeaderLine(at, e + this.base);
      name = sec.substring(p - sb, c - sb);
      const nl = c - p;
      if (nl <= 25) {
        const byLength = KNOWN_BY_LENGTH[nl]!;
        for (let j = 0; j < byLength.length; j++) {
          if (foldedEquals(d, p, byLength[j]!.lower)) {
            kn = byLength[j]!;
            // W-14: header names are case-insensitive; canonical case is what senders emit.
            (local ??= []).push({ rule: 'W-14', message: `header name "${name}" is not in canonical case "${kn.name}"` });
            break;
          }
        }
      }
    }
    // W-12, RFC 4975 §9: exactly one SP after the colon; the value keeps any further padding as
    // received (so re-serialization is exact), typed fields are read from it trimmed.
    let v = c + 1;
    if (v < e && d[v] === SP) {
      v++;
      if (v < e && (d[v] === SP || d[v] === HTAB)) (local ??= []).push({ rule: 'W-12', message: `more than one SP after the colon of ${name}` });
    } else if (v < e && d[v] === HTAB) (local ??= []).push({ rule: 'W-12', message: `a tab, not SP, after the colon of ${name}` });
    else (local ??= []).push({ rule: 'W-12', message: `no SP after the colon of ${name}` });
    if (local !== null) for (const n of local) this.violation(n.rule, n.message, at);
    // Paths are also cached by value, whatever their position (a path seen before on this
    // connection keeps its string, URIs and checks).
    let pc: PathCache | undefined;
    let value: string;
    if (kn !== undefined && (kn.id === H_TO_PATH || kn.id === H_FROM_PATH || kn.id === H_USE_PATH)) {
      pc = this.pathCaches[kn.id === H_TO_PATH ? 0 : kn.id === H_FROM_PATH ? 1 : 2]!;
      if (!hi && pc.len === e - v && sameBytes(this.dv, this.dvOff + v, d, v, pc.len, pc.dv, pc.bytes)) value = pc.value;
      else {
        value = hi ? d.utf8Slice(v, e) : sec.substring(v - sb, le);
        pc.len = -1;
        if (!hi && e - v <= PATH_CACHE_BYTES) {
          fitCache(pc, e - v);
          copyInto(pc.bytes, 0, d, v, e - v, this.ab, this.dvOff);
          pc.len = e - v;
        }
        pc.value = value;
        pc.checkedFor = -1;
      }
    } else {
      value = hi ? d.utf8Slice(v, e) : sec.substring(v - sb, le);
    }
    const mime = kn === undefined && nameIsContent(d, p, c);
    const lc = k < LINE_CACHE ? this.fillLineCache(k, p, e + 2, name, value, kn, local, mime) : undefined;
    this.lineEffects(name, value, kn, at, mime, lc);
  }

  /**
   * A line that starts like the cached one at its position ("Name: ", a known field that is not
   * a path, clean): only the value is new, sec-relative from the prefix to `le`.
   */
  private valueLine(lc: LineCache, sec: string, sb: number, ls: number, le: number, hi: boolean, k: number): void {
    const v = ls + lc.prefix;
    const at = this.frameStart + ls;
    if (this.bareLfInLine(sec, v, le, at, sb)) return;
    const value = hi ? this.data.utf8Slice(sb + v, sb + le) : sec.substring(v, le);
    const name = lc.name;
    const kn = lc.kn;
    const filled = k < LINE_CACHE ? this.fillLineCache(k, sb + ls, sb + le + 2, name, value, kn, null, false) : undefined;
    this.lineEffects(name, value, kn, at, false, filled);
  }

  /**
   * `utf8text` excludes CR and LF (RFC 4975 §9): a bare LF in sec[from, le) means a peer that ends
   * lines with LF alone, and this "line" runs into the next ones. Reported (W-12) and true if so.
   */
  private bareLfInLine(sec: string, from: number, le: number, at: number, sb: number): boolean {
    const lf = sec.indexOf('\n', from);
    if (lf < 0 || lf >= le) return false;
    this.frameError('W-12', 'header line with a bare LF: MSRP lines end with CRLF', at, le + sb + this.base);
    return true;
  }

  /** A line equal to the cached one at its position: the decoded name and value are reused. */
  private cachedLine(lc: LineCache, at: number): void {
    lc.misses = 0;
    if (lc.notes !== null) for (const n of lc.notes) this.violation(n.rule, n.message, at);
    if (lc.kn !== undefined && (lc.kn.id === H_TO_PATH || lc.kn.id === H_FROM_PATH || lc.kn.id === H_USE_PATH)) {
      const pc = this.pathCaches[lc.kn.id === H_TO_PATH ? 0 : lc.kn.id === H_FROM_PATH ? 1 : 2]!;
      if (pc.value !== lc.value) {
        // The path cache moved on since (another path at another position): point it back.
        pc.value = lc.value;
        pc.len = -1;
        pc.checkedFor = -1;
      }
    }
    this.lineEffects(lc.name, lc.value, lc.kn, at, lc.mime, lc);
  }

  /** What a decoded header line does to the frame: the list, order checks and typed fields. */
  private lineEffects(name: string, value: string, kn: KnownName | undefined, at: number, otherMime: boolean, lc: LineCache | undefined): void {
    const index = this.headerCount++;
    // A cached line's pair is frozen and shared by every frame that repeats the line.
    this.headers[index] = lc !== undefined ? lc.pair : [name, value];
    // W-15, RFC 4975 §7.1: Content-Type "MUST be the last field in the message header section".
    if (index === this.contentTypeAt + 1 && this.contentTypeAt >= 0) this.violation('W-15', `${name} after Content-Type`, at);
    if (kn !== undefined) {
      const id = kn.id;
      const bit = 1 << id;
      if ((this.seen & bit) !== 0) return this.repeated(kn, name, value, index, at);
      this.seen |= bit;
      if (id === H_TO_PATH || id === H_FROM_PATH || id === H_USE_PATH) {
        this.pathHeader(id, this.pathCaches[id === H_TO_PATH ? 0 : id === H_FROM_PATH ? 1 : 2]!, name, index, at);
      } else this.typedHeader(id, name, value, index, at, lc);
    } else if (otherMime) this.mimeSeen = true;
  }

  /**
   * Remembers the k-th header line (bytes with CRLF, decoded name and value). A position whose
   * line keeps changing (Byte-Range, a new Message-ID per message) is refilled only now and then.
   */
  private fillLineCache(k: number, p: number, end: number, name: string, value: string, kn: KnownName | undefined, notes: LineNote[] | null, mime: boolean): LineCache | undefined {
    let lc = this.lineCaches[k];
    if (lc === undefined) {
      for (let j = this.lineCaches.length; j <= k; j++) this.lineCaches.push(newLineCache());
      lc = this.lineCaches[k]!;
    }
    lc.misses++;
    if (lc.misses > 4 && (lc.misses & 15) !== 0) return undefined;
    const n = end - p;
    if (n > LINE_CACHE_BYTES) {
      lc.len = -1;
      lc.prefix = 0;
      return undefined;
    }
    fitCache(lc, n);
    copyInto(lc.bytes, 0, this.data, p, n, this.ab, this.dvOff);
    lc.len = n;
    lc.name = name;
    lc.value = value;
    lc.kn = kn;
    lc.notes = notes;
    lc.mime = mime;
    lc.typed = NOT_DECODED;
    lc.pair = Object.freeze([name, value]) as HeaderField;
    // A clean known field other than a path can be matched by its "Name: " alone (valueLine).
    const path = kn !== undefined && (kn.id === H_TO_PATH || kn.id === H_FROM_PATH || kn.id === H_USE_PATH);
    lc.prefix = kn !== undefined && !path && notes === null ? name.length + 2 : 0;
    return lc;
  }

  /** To-Path, From-Path, Use-Path through their cache (W-11, W-12, U-01, U-02, U-04, U-10). */
  private pathHeader(id: number, pc: PathCache, name: string, index: number, at: number): void {
    // W-11, RFC 4975 §9: `headers = To-Path CRLF From-Path CRLF 1*( header CRLF )`.
    if (id === H_TO_PATH) {
      if (index !== 0) this.violation('W-11', 'To-Path is not the first header field', at);
    } else if (id === H_FROM_PATH) {
      if (index !== 1) this.violation('W-11', 'From-Path is not the second header field', at);
    }
    // U-04, RFC 4976 §8: "The only message in this specification that can have an MSRP URI
    // without an explicit port number is in the To-Path header in an AUTH request." The RFC's own
    // AUTH examples also omit it in From-Path, so only non-AUTH requests are checked for To-Path
    // and From-Path. U-10, RFC 4976 §4.2: Use-Path URIs "MUST include ... an explicit port number".
    const needPort = id === H_USE_PATH || (this.isRequest && this.method !== 'AUTH') ? 1 : 0;
    if (pc.checkedFor !== needPort) {
      // Frozen: every frame with this path shares the one list.
      pc.uris = Object.freeze(parsePathHeader(pc.value)) as string[];
      pc.problems = pathProblems(pc.value, pc.uris, name, id === H_USE_PATH, needPort === 1);
      pc.checkedFor = needPort;
    }
    for (let k = 0; k < pc.problems.length; k++) {
      const pr = pc.problems[k]!;
      if (pr.malformed === true) this.malformed(pr.rule, pr.message, at);
      else this.violation(pr.rule, pr.message, at);
    }
    const uris = pc.uris;
    if (id === H_TO_PATH) this.toPath = uris;
    else if (id === H_FROM_PATH) this.fromPath = uris;
    else this.usePath = uris;
  }

  /**
   * A typed header's effect on the frame. `lc`: the line's cache entry when the line is (now) in
   * the line cache; the value decoded on its own (a Byte-Range, whether a Message-ID is an ident)
   * is kept there, so a repeated line is not decoded again.
   */
  private typedHeader(id: number, name: string, raw: string, index: number, at: number, lc: LineCache | undefined): void {
    switch (id) {
      case H_MESSAGE_ID: {
        // Padding after the colon is the separator's, noted as W-12 on the line; what follows
        // the ident is kept and makes it no ident (W-38).
        const c0 = raw.charCodeAt(0);
        const value = c0 === SP || c0 === HTAB ? raw.trimStart() : raw;
        this.messageId = value;
        // W-23, RFC 4975 §7.1.1: each SEND chunk "MUST contain a Message-ID"; an empty one names
        // no message, so chunks cannot be put together nor REPORTs sent (docs/tolerance.md).
        if (value.length === 0) return this.malformed('W-23', 'empty Message-ID', at);
        let ident: boolean;
        if (lc !== undefined && lc.typed !== NOT_DECODED) ident = lc.typed === true;
        else {
          ident = isIdent(value);
          if (lc !== undefined) lc.typed = ident;
        }
        // W-38, RFC 4975 §9: `Message-ID = "Message-ID:" SP ident`.
        if (!ident) this.violation('W-38', `Message-ID "${value}" is not 4 to 32 ident characters`, at);
        return;
      }
      case H_BYTE_RANGE: {
        const value = this.trimmed(raw, name, at);
        let r: ByteRange | null;
        if (lc !== undefined && lc.typed !== NOT_DECODED) {
          // A fresh object per frame: frames never share mutable parts.
          const c = lc.typed as ByteRange | null;
          r = c === null ? null : { start: c.start, end: c.end, total: c.total };
        } else {
          r = parseByteRange(value);
          if (lc !== undefined) lc.typed = r === null ? null : { start: r.start, end: r.end, total: r.total };
        }
        if (r === null) return this.malformed('W-25', `malformed Byte-Range "${raw}"`, at);
        this.byteRange = r;
        const problem = byteRangeProblem(r);
        // W-25, RFC 4975 §7.1.1: positions are 1-based and within the total: a range that cannot
        // be places no byte anywhere.
        if (problem !== null) this.malformed('W-25', `Byte-Range ${raw}: ${problem}`, at);
        return;
      }
      case H_CONTENT_TYPE:
        this.mimeSeen = true;
        this.contentTypeAt = index;
        this.contentType = raw;
        if (raw.length === 0) this.violation('W-15', 'empty Content-Type', at);
        return;
      case H_SUCCESS_REPORT: {
        this.reportHeaderSeen = true;
        const value = this.trimmed(raw, name, at);
        const v = parseSuccessReport(value);
        // W-29, RFC 4975 §9: `Success-Report = "Success-Report:" SP ("yes" / "no")`.
        if (v === null) return this.malformed('W-29', `Success-Report "${raw}" is neither yes nor no`, at);
        if (v !== value) this.violation('W-14', `Success-Report "${value}" is not lower-case`, at);
        this.successReport = v;
        return;
      }
      case H_FAILURE_REPORT: {
        this.reportHeaderSeen = true;
        const value = this.trimmed(raw, name, at);
        const v = parseFailureReport(value);
        // W-29, RFC 4975 §9: `Failure-Report = "Failure-Report:" SP ("yes" / "no" / "partial")`.
        if (v === null) return this.malformed('W-29', `Failure-Report "${raw}" is not yes, no or partial`, at);
        if (v !== value) this.violation('W-14', `Failure-Report "${value}" is not lower-case`, at);
        this.failureReport = v;
        return;
      }
      case H_STATUS: {
        // W-28, RFC 4975 §9: `Status = "Status:" SP namespace SP status-code [SP comment]`; the
        // comment keeps what follows as it is, so only leading white space is dropped.
        const s = parseStatus(raw.charCodeAt(0) === SP || raw.charCodeAt(0) === HTAB ? raw.trimStart() : raw);
        if (s === null) return this.malformed('W-28', `malformed Status "${raw}"`, at);
        this.status = s;
        return;
      }
      case H_EXPIRES:
      case H_MIN_EXPIRES:
      case H_MAX_EXPIRES: {
        // R-05, RFC 4976 §7: `Expires = "Expires:" SP 1*DIGIT` (same for Min-/Max-Expires).
        const n = parseDeltaSeconds(this.trimmed(raw, name, at));
        if (n < 0) return this.malformed('R-05', `${name} "${raw}" is not a number of seconds`, at);
        if (id === H_EXPIRES) this.expires = n;
        else if (id === H_MIN_EXPIRES) this.minExpires = n;
        else this.maxExpires = n;
        return;
      }
      case H_WWW_AUTHENTICATE:
      case H_AUTHORIZATION:
      case H_AUTHENTICATION_INFO:
        // Checked with the whole header section (digestHeaders): a folded line may continue it.
        return;
      case H_CONTENT_TRANSFER_ENCODING:
        this.mimeSeen = true;
        // W-20, RFC 4975 §7.1.1: "transfer-encoding parameters MUST NOT be present".
        this.violation('W-20', 'Content-Transfer-Encoding is present (MSRP bodies are always binary)', at);
        return;
      case H_CONTENT_ID:
      case H_CONTENT_DESCRIPTION:
      case H_CONTENT_DISPOSITION:
        this.mimeSeen = true;
        return;
      default:
        return;
    }
  }

  /**
   * A value read to its grammar without the white space around it: before it, the header line
   * has already noted it (W-12); after it, noted here. Cosmetic either way (docs/tolerance.md).
   */
  private trimmed(value: string, name: string, at: number): string {
    const n = value.length;
    if (n === 0) return value;
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(n - 1);
    if (first !== SP && first !== HTAB && last !== SP && last !== HTAB) return value;
    if (last === SP || last === HTAB) this.violation('W-12', `white space after the value of ${name}`, at);
    return value.replace(/^[ \t]+|[ \t]+$/g, '');
  }

  /**
   * WWW-Authenticate, Authorization, Authentication-Info (RFC 4976 §7, RFC 2617 §3.2, Digest
   * only), checked only when present, on their values as unfolded. A value that does not parse
   * (Basic, an unterminated quoted string, an auth-param without "=") gives the AUTH exchange
   * nothing to work with: malformed. One that parses but breaks the MSRP profile (R-16c..g) is
   * noted; the exchange decides. A repeat was reported by `repeated`; the first one counts.
   */
  private digestHeaders(at: number): void {
    let left = this.seen & DIGEST_BITS;
    for (let k = 0; k < this.headerCount && left !== 0; k++) {
      const [name, value] = this.headers[k]!;
      const lower = name.toLowerCase();
      let result: DigestParseResult<unknown>;
      let bit: number;
      if (lower === 'www-authenticate') {
        bit = 1 << H_WWW_AUTHENTICATE;
        result = parseWwwAuthenticate(value);
      } else if (lower === 'authorization') {
        bit = 1 << H_AUTHORIZATION;
        result = parseAuthorization(value);
      } else if (lower === 'authentication-info') {
        bit = 1 << H_AUTHENTICATION_INFO;
        result = parseAuthenticationInfo(value);
      } else continue;
      if ((left & bit) === 0) continue;
      left &= ~bit;
      if (!result.ok) this.malformed(result.rule, `${name}: ${result.message}`, at);
      else for (const v of result.violations) this.violation(v.rule, `${name}: ${v.message}`, at);
    }
  }

  /**
   * a header that may appear once, again. The first one counts; a repeat with the same
   * value is cosmetic, one with another value leaves the receiver to guess which is meant.
   */
  private repeated(kn: KnownName, name: string, value: string, index: number, at: number): void {
    const rule = REPEAT_RULE[kn.id]!;
    let first: string | undefined;
    for (let k = 0; k < index; k++) {
      const h = this.headers[k]!;
      if (h[0].length === kn.lowerName.length && h[0].toLowerCase() === kn.lowerName) {
        first = h[1];
        break;
      }
    }
    if (first !== undefined && first.trim() === value.trim()) {
      this.violation(rule, `${name} appears more than once (A-21)`, at);
    } else {
      this.malformed(rule, `${name} appears more than once with different values (A-21): "${first ?? ''}", "${value}"`, at);
    }
  }

  private badHeaderLine(at: number, cr: number): void {
    this.frameError('W-12', 'malformed header line (expected "name: value")', at, cr);
  }

  /** W-13: "MSRP does not permit line folding." Lenient: unfold into the previous value. */
  private foldedLine(sec: string, sb: number, p: number, e: number, at: number): void {
    if (this.strict || this.headerCount === 0) {
      this.frameError('W-13', 'folded header line (MSRP does not permit line folding)', at, e + this.base);
      return;
    }
    const d = this.data;
    let v = p;
    while (v < e && (d[v] === SP || d[v] === HTAB)) v++;
    const last = this.headers[this.headerCount - 1]!;
    // A new pair: the last one may be a cached line's, shared and frozen.
    if (v < e) this.headers[this.headerCount - 1] = [last[0], `${last[1]} ${sec.substring(v - sb, e - sb)}`];
    this.violation('W-13', `folded header line continues ${last[0]}`, at);
  }

  /** The blank line: a body follows, up to the end-line (W-15, W-17, W-18). */
  private endOfHeaders(bodyStart: number): boolean {
    this.bodyStart = bodyStart;
    // Byte-Range predicts the body size; it is only a hint for how to search (framing is W-10's).
    const r = this.byteRange;
    this.walk = r !== undefined && r.end !== null && r.end - r.start >= JS_SCAN_BYTES ? 0 : JS_SCAN_BYTES;
    this.carryInBody = this.isRequest && !(r !== undefined && r.end !== null && r.end - r.start < 256);
    // The end-line's CR may be the blank line's own CR (an end-line right after the blank line).
    this.scanFrom = bodyStart - 2;
    this.streamedTo = bodyStart;
    this.lineStart = this.lineScan = bodyStart;
    this.state = S_BODY;
    if (this.stream && this.isRequest) {
      this.frameChecks(this.frameStart);
      if (this.strict && this.violations.length > 0) return this.rejectStrict(this.frameStart);
      // The head's list gets what the body checks find later (see finishStream): its own array.
      if (this.violations === NO_VIOLATIONS) this.violations = [];
      this.headLength = bodyStart - this.frameStart;
      this.wireLength = undefined;
      const head = this.makeRequest(null, DOLLAR);
      this.headFrame = head;
      this.sink.head!(head);
    }
    return true;
  }

  /**
   * Returns the flag byte if data[p, e) is this frame's end-line, else 0. W-06, RFC 4975 §7.1:
   * `end-line = "-------" transact-id continuation-flag CRLF`, `continuation-flag = "+" / "$" / "#"`.
   */
  private endLineFlagAt(p: number, e: number): number {
    const tl = this.tidLen;
    if (e - p !== 8 + tl) return 0;
    const d = this.data;
    for (let k = 1; k < 7; k++) if (d[p + k] !== DASH) return 0;
    const tb = this.tidBytes;
    const t = p + 7;
    for (let k = 0; k < tl; k++) if (d[t + k] !== tb[k]) return 0;
    const f = d[t + tl]!;
    return f === DOLLAR || f === PLUS || f === HASH ? f : 0;
  }

  // ---- body and skip scanning -------------------------------------------------------------------

  /**
   * W-10, RFC 4975 §7.3.1 / §9: the body ends only at CRLF "-------" transact-id flag CRLF.
   * Returns the stream offset of that CR, or -1 (with scanFrom advanced) when not in yet.
   */
  private findEndLine(): number {
    const d = this.data;
    const base = this.base;
    const endAbs = base + this.dataEnd;
    const tl = this.tidLen;
    const tb = this.tidBytes;
    let from = this.scanFrom;
    if (from < base) {
      // An end-line may have begun in the previous slice, whose bytes went into the body being
      // filled (see scanBody): check those candidates byte by byte.
      for (; from < base; from++) {
        const m = this.matchCarried(from);
        if (m === 1) return from;
        if (m < 0) {
          this.scanFrom = from;
          return -1;
        }
      }
    }
    for (;;) {
      // Candidate CR at `from`: the seven dashes must start at from+2.
      const dataFrom = from + 2 - base;
      if (dataFrom + 7 > this.dataEnd) break;
      let dash: number;
      const limit = Math.min(this.dataEnd - 6, dataFrom + this.walk);
      let k = dataFrom;
      // Small bodies: a JS walk to the first "\r\n-" is cheaper than a native call.
      while (k < limit && !(d[k] === DASH && d[k - 1] === LF && d[k - 2] === CR)) k++;
      if (k < limit) dash = k;
      else if (limit === this.dataEnd - 6) break;
      else {
        dash = this.findDash7(k);
        if (dash < 0) break;
        if (d[dash - 1] !== LF || d[dash - 2] !== CR) {
          // Not preceded by CRLF: no end-line can start before the end of this run of dashes.
          let q = dash + 7;
          while (q < this.dataEnd && d[q] === DASH) q++;
          from = q + base;
          continue;
        }
      }
      // CRLF then a dash at `dash`: check the other six dashes, the id, the flag and the CRLF.
      const need = dash + 7 + tl + 3;
      if (need > this.dataEnd) {
        // Could still be the end-line: wait for more bytes, unless what is in already differs.
        if (!this.prefixMatches(dash, tl)) {
          from = dash + 1 + base;
          continue;
        }
        this.scanFrom = dash - 2 + base;
        return -1;
      }
      let ok = true;
      for (let j = 1; j < 7; j++) {
        if (d[dash + j] !== DASH) {
          ok = false;
          break;
        }
      }
      if (ok) {
        const t = dash + 7;
        for (let j = 0; j < tl; j++) {
          if (d[t + j] !== tb[j]) {
            ok = false;
            break;
          }
        }
        if (ok) {
          const f = d[t + tl];
          if ((f === DOLLAR || f === PLUS || f === HASH) && d[t + tl + 1] === CR && d[t + tl + 2] === LF) return dash - 2 + base;
        }
      }
      from = dash + 1 + base;
    }
    // Nothing found: an end-line may still start in the last 8 bytes.
    const keep = endAbs - 8;
    this.scanFrom = keep > from ? keep : from;
    return -1;
  }

  /**
   * Data index of the next run of seven dashes at or after k whose seventh dash is in, or -1.
   * memchr for "-" (native, vectorized) beats a substring search on binary and most text bodies;
   * a body full of hyphens falls back to searching for LF + "-" (an end-line run follows an LF).
   */
  private findDash7(k: number): number {
    const d = this.data;
    const last = this.dataEnd - 7; // a run must fit
    let misses = 0;
    while (misses < 8) {
      const q = d.indexOf(DASH, k);
      if (q < 0 || q > last) return -1;
      if (d[q + 1] === DASH && d[q + 2] === DASH && d[q + 3] === DASH && d[q + 4] === DASH && d[q + 5] === DASH && d[q + 6] === DASH) return q;
      misses++;
      k = q + 1;
    }
    // Text with many hyphens: search for LF + "-" (V8 runs a needle this short as a memchr for the
    // LF with the compare in native code), then check the run.
    for (;;) {
      const lf = d.indexOf(LF_DASH, k - 1);
      if (lf < 0 || lf + 1 > last) return -1;
      const q = lf + 1;
      if (d[q + 1] === DASH && d[q + 2] === DASH && d[q + 3] === DASH && d[q + 4] === DASH && d[q + 5] === DASH && d[q + 6] === DASH) return q;
      k = q + 1;
    }
  }

  /** True when the bytes in so far from `dash` are a prefix of `-------tid` flag CRLF. */
  private prefixMatches(dash: number, tl: number): boolean {
    const d = this.data;
    const end = this.dataEnd;
    const tb = this.tidBytes;
    let i = dash;
    for (let j = 0; j < 7 && i < end; j++, i++) if (d[i] !== DASH) return false;
    for (let j = 0; j < tl && i < end; j++, i++) if (d[i] !== tb[j]) return false;
    if (i < end) {
      const f = d[i];
      if (f !== DOLLAR && f !== PLUS && f !== HASH) return false;
      i++;
    }
    if (i < end && d[i] !== CR) return false;
    return true;
  }

  /**
   * A byte of a non-streamed request body's frame before this slice (carryInBody): the body so far
   * is in `acc`, and the two bytes before the body are the blank line's CRLF.
   */
  private carriedByte(x: number): number {
    if (x >= this.base) return this.data[x - this.base]!;
    if (x >= this.bodyStart) return this.acc![x - this.bodyStart]!;
    return x === this.bodyStart - 2 ? CR : LF;
  }

  /** Whether the end-line starts at stream offset p (before this slice): 1 yes, 0 no, -1 not in yet. */
  private matchCarried(p: number): number {
    const tl = this.tidLen;
    const tb = this.tidBytes;
    const end = this.base + this.dataEnd;
    const n = 12 + tl;
    for (let j = 0; j < n; j++) {
      const x = p + j;
      if (x >= end) return -1;
      const b = this.carriedByte(x);
      let ok: boolean;
      if (j === 0 || j === 10 + tl) ok = b === CR;
      else if (j === 1 || j === 11 + tl) ok = b === LF;
      else if (j < 9) ok = b === DASH;
      else if (j < 9 + tl) ok = b === tb[j - 9];
      else ok = b === DOLLAR || b === PLUS || b === HASH;
      if (!ok) return 0;
    }
    return 1;
  }

  private scanBody(): boolean {
    const at = this.findEndLine();
    const streaming = this.headFrame !== null;
    if (at < 0) {
      if (streaming) this.streamPiece(this.scanFrom);
      else if (!this.isRequest) this.streamedTo = this.scanFrom; // a response's body is dropped, not kept
      else if (this.scanFrom - this.bodyStart > this.maxBody) {
        // W-39: over the simulator's limit; skip to the end-line with bounded memory. (Bytes of a
        // candidate end-line carried in the body are dropped with it: the skip starts here.)
        this.acc = null;
        const from = Math.max(this.scanFrom, this.base);
        return this.frameError('W-39', `body larger than ${this.maxBody} bytes`, this.bodyStart, from);
      } else if (this.bodyViews && !this.dataIsBuf) {
        // Deferred: the bytes stay in the caller's slice, held (see parseInPlace); if the next
        // slice does not continue it in memory, materialize() does what the branch below does.
      } else {
        // With carryInBody everything in so far goes into the body, a possible end-line prefix
        // included (cut off again if the end-line completes), so the next slice is parsed in place.
        this.accumulate(this.carryInBody ? this.base + this.dataEnd : this.scanFrom);
      }
      return false;
    }
    const flagAt = at + 9 + this.tidLen;
    const flag = flagAt >= this.base ? this.data[flagAt - this.base]! : this.carriedByte(flagAt);
    const next = flagAt + 3;
    let body: Uint8Array | null;
    if (at < this.bodyStart) {
      // The end-line follows the blank line directly: there is no body CRLF (W-08), or the blank
      // line is an extra CRLF before the end-line of a bodiless request (W-16).
      this.acc = null;
      this.accLen = 0;
      if (!this.isRequest) {
        this.violation('W-18', 'response has a blank line after its header section', at);
        body = null;
      } else if (this.contentType !== undefined) {
        // W-08, RFC 4975 §7.1: "the end-line MUST be preceded by a CRLF that is not part of the
        // body". With a Content-Type this is meant as an empty body (W-17), so it is taken as one.
        this.violation('W-08', 'end-line not preceded by a CRLF that is not part of the body', at);
        body = EMPTY;
      } else {
        this.violation('W-16', 'extra CRLF between the header section and the end-line of a bodiless request', at);
        body = null;
      }
    } else if (!this.isRequest) {
      // W-18, RFC 4975 §9: `msrp-response = resp-start headers end-line` -- no body.
      this.violation('W-18', `response has a body of ${at - this.bodyStart} bytes (dropped)`, this.bodyStart);
      body = null;
    } else if (streaming) {
      this.streamPiece(at);
      return this.finishStream(flag, at - this.bodyStart, next);
    } else if (at - this.bodyStart > this.maxBody) {
      // The end-line came in the same slice as the excess bytes: report and drop the frame.
      this.acc = null;
      this.emitError('W-39', `body larger than ${this.maxBody} bytes`, this.bodyStart, false, true);
      this.state = S_START;
      this.lineStart = this.lineScan = next;
      return true;
    } else if (this.acc === null) {
      // The whole body is in this slice: one copy. W-17: an empty body (Content-Type, blank line,
      // CRLF, end-line) is a zero-length array, never null.
      const s = this.bodyStart - this.base;
      const d = this.data;
      // The parser's own buffer is reused: a body in it is always copied.
      const n = at - this.bodyStart;
      body = this.bodyViews && !this.dataIsBuf ? new Uint8Array(this.ab, this.dvOff + s, n) : copyBody(d, s, n, this.ab, this.dvOff);
    } else {
      // The end-line may have begun in bytes already in the body: cut them off.
      if (at >= this.streamedTo) this.accumulate(at);
      else this.accLen = at - this.bodyStart;
      body = this.takeAccumulated();
    }
    if (streaming) return this.finishStream(flag, body === null ? -1 : 0, next);
    return this.complete(body, flag, next, this.bodyStart);
  }

  /**
   * A body that straddles slices is copied straight into its final allocation as its bytes
   * arrive (sized from Byte-Range when it says, else grown by doubling), so the tail buffer holds
   * at most a possible end-line prefix and no body byte is copied twice.
   */
  private accumulate(upTo: number): void {
    const n = upTo - this.streamedTo;
    if (n <= 0) return;
    let acc = this.acc;
    const need = this.accLen + n;
    if (acc === null || need > acc.length) {
      // Size: what Byte-Range says, else the last body on this connection (chunk sizes repeat),
      // else doubling.
      // Room for an end-line prefix too: a slice can end inside the end-line.
      const r = this.byteRange;
      const slack = 16 + this.tidLen;
      let size = (r !== undefined && r.end !== null ? r.end - r.start + 1 : this.lastBodyLen) + slack;
      if (acc !== null || size < need) size = Math.max(need, 4096, acc === null ? 0 : acc.length * 2);
      if (size > this.maxBody + slack) size = Math.max(need, this.maxBody + slack);
      const grown = allocBody(size);
      if (acc !== null) grown.set(acc.subarray(0, this.accLen));
      acc = this.acc = grown;
    }
    copyInto(acc, this.accLen, this.data, this.streamedTo - this.base, n, this.ab, this.dvOff);
    this.accLen = need;
    this.streamedTo = upTo;
  }

  private takeAccumulated(): Uint8Array {
    const acc = this.acc!;
    const n = this.accLen;
    this.acc = null;
    this.accLen = 0;
    this.lastBodyLen = n;
    if (n === acc.length) return acc;
    // Room left over: give it back to the slab if this was its last cut, else keep a view
    // unless most of it would be wasted.
    if (shrinkSlabTail(acc, n) || n >= acc.length - (acc.length >> 2)) return acc.subarray(0, n);
    const exact = allocBody(n);
    exact.set(acc.subarray(0, n));
    return exact;
  }

  private streamPiece(upTo: number): void {
    if (upTo <= this.streamedTo) return;
    const s = this.streamedTo - this.base;
    this.streamedTo = upTo;
    this.sink.bodyPiece!(this.data.subarray(s, upTo - this.base));
  }

  /** streamBodies: the end-line of a request whose head is out. `bodyLen` -1 = turned out bodiless. */
  private finishStream(flag: number, bodyLen: number, next: number): boolean {
    const head = this.headFrame!;
    this.headFrame = null;
    this.state = S_START;
    this.lineStart = this.lineScan = next;
    const before = this.violations.length;
    if (bodyLen >= 0) this.bodyChecks(bodyLen, flag);
    // head.violations is this.violations: what bodyChecks found is on the head before end().
    head.continuation = flagChar(flag);
    head.wireLength = next - this.frameStart;
    this.sink.end!(head.continuation);
    if (this.strict) {
      for (let k = before; k < this.violations.length; k++) {
        const v = this.violations[k]!;
        this.emitError(v.rule, v.message, v.offset ?? this.frameStart, false, true);
      }
    }
    return true;
  }

  private scanSkip(): boolean {
    const at = this.findEndLine();
    if (at < 0) {
      if (this.scanFrom - this.skipStart > this.maxSkip) {
        return this.fail('W-39', `no end-line for ${this.tidString()} within ${this.maxSkip} bytes`, this.frameStart);
      }
      return false;
    }
    const next = at + 12 + this.tidLen;
    this.state = S_START;
    this.lineStart = this.lineScan = next;
    return true;
  }

  // ---- completing a frame -----------------------------------------------------------------------

  /**
   * Checks that need the whole frame (W-07, W-15, W-16, W-23..W-26, W-31, W-34) and delivers it.
   * `next`: the stream offset after its end-line; `headEnd`: where its body (or end-line) began.
   */
  private complete(body: Uint8Array | null, flag: number, next: number, headEnd: number): boolean {
    this.state = S_START;
    this.lineStart = this.lineScan = next;
    const at = this.frameStart;
    this.headLength = headEnd - at;
    this.wireLength = next - at;
    this.frameChecks(at);
    if (this.isRequest) {
      if (body !== null) this.bodyChecks(body.length, flag);
      else if (this.mimeSeen) {
        // W-16, RFC 4975 §7.1: "A request with no body MUST NOT include a Content-Type or any
        // other MIME-specific header fields."
        this.violation('W-16', 'bodiless request carries MIME header fields', at);
      }
    } else if (flag !== DOLLAR) {
      // W-07, RFC 4975 §7.2: responses are never chunked, "the continuation flag in the end-line
      // will always contain a dollar sign".
      this.violation('W-07', `response end-line flag is "${String.fromCharCode(flag)}", not "$"`, at);
    }
    if (this.strict && this.violations.length > 0) return this.rejectStrict(at);
    if (!this.isRequest) {
      this.sink.frame(this.makeResponse(flag));
    } else if (this.stream) {
      // streamBodies: a request whose end-line came with its header section, head and end at once.
      const head = this.makeRequest(null, flag);
      head.wireLength = undefined;
      this.sink.head!(head);
      if (body !== null && body.length > 0) this.sink.bodyPiece!(body);
      head.wireLength = this.wireLength;
      this.sink.end!(head.continuation);
    } else {
      this.sink.frame(this.makeRequest(body, flag));
    }
    return true;
  }

  /** Whole-frame checks that do not depend on the body. */
  private frameChecks(at: number): void {
    // W-11: To-Path and From-Path are mandatory in every request and response. W-22 (i): a
    // response with only these two is accepted without a note (every RFC response example is so).
    if ((this.seen & DIGEST_BITS) !== 0) this.digestHeaders(at);
    if (this.toPath === undefined) this.violation('W-11', 'no To-Path header field', at);
    if (this.fromPath === undefined) this.violation('W-11', 'no From-Path header field', at);
    if (!this.isRequest) return;
    const m = this.method;
    if (m === 'SEND') {
      // W-23, RFC 4975 §7.1.1: each SEND chunk "MUST contain a Message-ID header field".
      if (this.messageId === undefined) this.violation('W-23', 'SEND without Message-ID', at);
    } else if (m === 'REPORT') {
      // W-24, RFC 4975 §7.1.2: a REPORT "MUST contain the Message-ID header field from the original
      // SEND request", "MUST contain a Status header field" and "MUST NOT include Success-Report or
      // Failure-Report header fields".
      if (this.messageId === undefined) this.violation('W-24', 'REPORT without Message-ID', at);
      if (this.status === undefined) this.violation('W-24', 'REPORT without a valid Status', at);
      if (this.reportHeaderSeen) this.violation('W-24', 'REPORT with Success-Report or Failure-Report', at);
    }
  }

  /** Checks that need the body length (requests only). */
  private bodyChecks(len: number, flag: number): void {
    const at = this.bodyStart;
    // W-15, RFC 4975 §7.1: "If a body is present, ... Content-Type MUST be present".
    if (this.contentTypeAt < 0) this.violation('W-15', 'request has a body but no Content-Type', at);
    if (this.method === 'SEND') {
      const r = this.byteRange;
      if (r !== undefined && r.start >= 1) {
        // A-09 / W-25: receivers SHOULD use the actual payload length; a range that disagrees is
        // noted (the RFC examples themselves often do).
        if (r.end !== null && r.end - r.start + 1 !== len) {
          this.violation('W-25', `Byte-Range ${r.start}-${r.end} covers ${r.end - r.start + 1} bytes but the body has ${len}`, at);
        } else if (r.end === null && flag === DOLLAR && r.total !== null && r.start + len - 1 !== r.total) {
          this.violation('W-25', `last chunk ends at ${r.start + len - 1} but Byte-Range total is ${r.total}`, at);
        }
        // W-26, RFC 4975 §7.1.1: an empty SEND's Byte-Range "MUST still have a range-start value
        // of 1. For example, "1-0/0"." Read as a rule for empty messages (total 0): an empty chunk
        // part-way through a longer message (a `#` abort or `$` end between chunks) refers to
        // real positions of that message (docs/ambiguities.md, W-26).
        if (len === 0 && r.start !== 1 && r.total === 0) this.violation('W-26', `empty message with range-start ${r.start}, not 1`, at);
        // W-31, RFC 4975 §7.1.1: "senders MUST NOT send chunks with a body larger than 2048 octets
        // unless they are prepared to interrupt them" (range-end "*").
        if (len > UNINTERRUPTIBLE_LIMIT && r.end !== null) {
          this.violation('W-31', `${len}-byte chunk is not interruptible (range-end is not "*")`, at);
        }
      } else if (r !== undefined && len === 0) {
        this.violation('W-26', `empty body with range-start ${r.start}, not 1`, at);
      }
    } else if (len > NON_SEND_BODY_LIMIT) {
      // W-34, RFC 4975 §7.1: non-SEND request bodies "MUST NOT be larger than 10240 octets".
      this.violation('W-34', `${this.method} body of ${len} bytes exceeds 10240`, at);
    }
  }

  private makeRequest(body: Uint8Array | null, flag: number): MsrpRequest {
    return {
      kind: 'request',
      transactionId: this.tid,
      method: this.method,
      headers: this.headers,
      toPath: this.toPath ?? [],
      fromPath: this.fromPath ?? [],
      continuation: flagChar(flag),
      violations: this.violations,
      messageId: this.messageId,
      byteRange: this.byteRange,
      successReport: this.successReport,
      failureReport: this.failureReport,
      status: this.status,
      contentType: this.contentType,
      usePath: this.usePath,
      expires: this.expires,
      minExpires: this.minExpires,
      maxExpires: this.maxExpires,
      wireLength: this.wireLength,
      headLength: this.headLength,
      body,
    };
  }

  private makeResponse(flag: number): MsrpResponse {
    return {
      kind: 'response',
      transactionId: this.tid,
      statusCode: this.statusCode,
      comment: this.comment,
      headers: this.headers,
      toPath: this.toPath ?? [],
      fromPath: this.fromPath ?? [],
      continuation: flagChar(flag),
      violations: this.violations,
      messageId: this.messageId,
      byteRange: this.byteRange,
      successReport: this.successReport,
      failureReport: this.failureReport,
      status: this.status,
      contentType: this.contentType,
      usePath: this.usePath,
      expires: this.expires,
      minExpires: this.minExpires,
      maxExpires: this.maxExpires,
      wireLength: this.wireLength,
      headLength: this.headLength,
    };
  }

  // ---- errors -----------------------------------------------------------------------------------

  private violation(rule: string, message: string, offset: number): void {
    if (this.violations === NO_VIOLATIONS) this.violations = [];
    this.violations.push({ rule, message, offset });
  }

  /** A violation that leaves a receiver nothing to act on (docs/tolerance.md). */
  private malformed(rule: string, message: string, offset: number): void {
    if (this.violations === NO_VIOLATIONS) this.violations = [];
    this.violations.push({ rule, message, offset, malformed: true });
  }

  /** Strict mode: every violation is an error and the frame is not delivered. */
  private rejectStrict(at: number): boolean {
    for (const v of this.violations) this.emitError(v.rule, v.message, v.offset ?? at, false, true);
    this.headFrame = null;
    if (this.state === S_BODY) {
      // Rejected at the end of the header section (streamBodies): skip the body.
      this.state = S_SKIP;
      this.skipStart = this.scanFrom;
    }
    return true;
  }

  /**
   * A recoverable error inside a frame whose transaction id is known: report it and skip to the
   * frame's end-line, whose CR cannot be before `scanFrom`.
   */
  private frameError(rule: string, message: string, offset: number, scanFrom: number): boolean {
    this.emitError(rule, message, offset, false, true);
    this.acc = null;
    this.state = S_SKIP;
    this.scanFrom = scanFrom;
    this.skipStart = scanFrom;
    this.walk = JS_SCAN_BYTES;
    return true;
  }

  /** A fatal error: framing is lost, the parser stops. */
  private fail(rule: string, message: string, offset: number): boolean {
    const inFrame = this.state !== S_START;
    this.state = S_FAILED;
    this.failedFlag = true;
    this.total = offset;
    this.bufLen = 0;
    this.buf = EMPTY_BUFFER;
    this.held = null;
    this.emitError(rule, message, offset, true, inFrame);
    return false;
  }

  private emitError(rule: string, message: string, offset: number, fatal: boolean, inFrame: boolean): void {
    const error: ParseError = { rule, message, offset, fatal };
    if (inFrame) error.transactionId = this.tidString();
    this.sink.error(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** LineCache.typed before typedHeader has decoded the line's value. */
const NOT_DECODED: unique symbol = Symbol('not decoded');

/** Line-cache bounds: lines by position, and bytes per line. */
const LINE_CACHE = 16;
const LINE_CACHE_BYTES = 512;

/** A line-local violation (W-12, W-14) kept with a cached line. */
interface LineNote {
  rule: string;
  message: string;
}

/**
 * The header line seen at one position of the header section in an earlier frame on this
 * connection. On a session's connection most lines repeat byte for byte from frame to frame
 * (paths, Content-Type, report headers, the Message-ID of a chunked message): comparing the
 * bytes (32-bit words, which also finds the line's end) replaces scanning, name matching and
 * decoding. The line's effect on the frame (typed fields, order checks) is recomputed from the
 * cached strings, since it depends on the rest of the frame.
 */
interface LineCache {
  bytes: Uint8Array;
  dv: DataView;
  /** Bytes of the line with its CRLF, -1 = nothing cached. */
  len: number;
  name: string;
  value: string;
  kn: KnownName | undefined;
  notes: LineNote[] | null;
  /** An unknown Content-* header. */
  mime: boolean;
  /** The value decoded by typedHeader (NOT_DECODED: not yet). */
  typed: unknown;
  /** The line as a header field, frozen: shared by the frames that repeat the line. */
  pair: HeaderField;
  /** Misses in a row at this position. */
  misses: number;
  /** Length of the line's "Name: " when a line may match by it alone (see valueLine), else 0. */
  prefix: number;
}

/**
 * Room for `n` bytes in a cache entry: entries start at 64 bytes and grow, in steps of 64 (so a
 * few times at most), to what their lines need. scale-10k has 20,000 parsers, each with a path
 * cache for To-Path, From-Path and Use-Path (512 bytes each before) and a line cache for each
 * header position.
 */
function fitCache(c: { bytes: Uint8Array; dv: DataView }, n: number): void {
  if (n <= c.bytes.length) return;
  c.bytes = new Uint8Array((n + 63) & ~63);
  c.dv = new DataView(c.bytes.buffer);
}

function newLineCache(): LineCache {
  const bytes = new Uint8Array(64);
  return { bytes, dv: new DataView(bytes.buffer), len: -1, name: '', value: '', kn: undefined, notes: null, mime: false, misses: 0, typed: NOT_DECODED, pair: ['', ''], prefix: 0 };
}

/** The last decoded path header (see `path`). */
interface PathCache {
  /** The value's bytes (len -1: nothing cached) and string. */
  bytes: Uint8Array;
  dv: DataView;
  len: number;
  value: string;
  /** needPort the checks were made for (-1: not yet), the URIs and what they break. */
  checkedFor: number;
  uris: string[];
  problems: PathProblem[];
}

/** Longest path value kept in a path cache. */
const PATH_CACHE_BYTES = 512;

function newPathCache(): PathCache {
  const bytes = new Uint8Array(64);
  return { bytes, dv: new DataView(bytes.buffer), len: -1, value: '', checkedFor: -1, uris: [], problems: [] };
}

/** data[p, p+n) equals cache[0, n), compared as 32-bit words. */
function sameBytes(dv: DataView, dp: number, d: Buffer, p: number, n: number, cdv: DataView, cb: Uint8Array): boolean {
  let k = 0;
  for (; k + 4 <= n; k += 4) if (dv.getInt32(dp + k, true) !== cdv.getInt32(k, true)) return false;
  for (; k < n; k++) if (d[p + k] !== cb[k]) return false;
  return true;
}

/** A rule a path header value breaks; `malformed`: the receiver cannot act on it. */
interface PathProblem {
  rule: string;
  message: string;
  malformed?: true;
}

/** What a path header value breaks (W-11/W-12 spacing, U-01, U-02, U-04, R-06), for the path cache. */
function pathProblems(value: string, uris: string[], name: string, usePath: boolean, needPort: boolean): PathProblem[] {
  const problems: PathProblem[] = [];
  if (uris.length === 0) {
    // R-06, RFC 4976 §4.2: the 200 to AUTH hands out the Use-Path URIs the client routes through:
    // an empty one gives it none (docs/tolerance.md). An empty To-Path or From-Path (W-11) is
    // answered by the session and route checks (481).
    if (usePath) problems.push({ rule: 'R-06', message: `${name} is empty`, malformed: true });
    else problems.push({ rule: 'W-11', message: `${name} is empty` });
    return problems;
  }
  if (uris.length > 1 || uris[0]!.length !== value.length) {
    // Leading padding is noted on the header line; here: between and after the URIs.
    let lead = 0;
    while (value.charCodeAt(lead) === SP || value.charCodeAt(lead) === HTAB) lead++;
    if (!pathHeaderSpacingOk(lead === 0 ? value : value.slice(lead), uris)) {
      problems.push({ rule: 'W-12', message: `${name} URIs are not separated by exactly one SP` });
    }
  }
  for (let k = 0; k < uris.length; k++) {
    const problem = pathUriProblem(uris[k]!, needPort);
    if (problem !== null) {
      problems.push({ rule: problem.rule, message: `${name}: ${problem.message}` });
      break;
    }
  }
  return problems;
}

/** Case-insensitive compare of the bytes at `p` with a lower-case name (W-14). */
function foldedEquals(d: Buffer, p: number, lower: Uint8Array): boolean {
  for (let k = 0; k < lower.length; k++) if (FOLD[d[p + k]!] !== lower[k]) return false;
  return true;
}

/** W-15: MIME header fields are the `Content-*` fields (RFC 2045 §9). */
function nameIsContent(d: Buffer, p: number, colon: number): boolean {
  return colon - p > 8 && foldedEquals(d, p, CONTENT_PREFIX);
}


function positive(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

function asBuffer(bytes: Uint8Array): Bytes {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Bytes;
}

function flagChar(flag: number): Continuation {
  return flag === PLUS ? '+' : flag === HASH ? '#' : '$';
}

/** Interned names for the three methods the RFCs define; others are sliced. */
function methodName(d: Bytes, p: number, n: number): string {
  if (n === 4) {
    if (d[p] === 0x53 && bytesEqual(d, p, METHOD_SEND)) return 'SEND';
    if (d[p] === 0x41 && bytesEqual(d, p, METHOD_AUTH)) return 'AUTH';
  } else if (n === 6 && bytesEqual(d, p, METHOD_REPORT)) return 'REPORT';
  return d.latin1Slice(p, p + n);
}

function hasByte(d: Buffer, b: number, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (d[k] === b) return true;
  return false;
}

function bytesEqual(d: Buffer, p: number, b: Uint8Array): boolean {
  for (let k = 0; k < b.length; k++) if (d[p + k] !== b[k]) return false;
  return true;
}

/**
 * Bodies are copied out of the parse buffer so a frame stays valid after push() returns. Small
 * bodies live on the JS heap; bodies up to 4 KiB are cut from a shared 64 KiB slab (allocating an
 * ArrayBuffer costs ten times the copy of 2 KiB); larger ones get their own. A kept body pins at
 * most its slab (Node's Buffer pool makes the same trade with 8 KiB).
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_BODY = 4096;
let slab = newSlab();
let slabUsed = 0;

/** Uninitialized memory (every byte handed out is written first): no zero-fill of 64 KiB. */
function newSlab(): ArrayBuffer {
  return Buffer.allocUnsafeSlow(SLAB_SIZE).buffer as ArrayBuffer;
}

/** An uninitialized body of n bytes (the caller writes every byte). */
function allocBody(n: number): Uint8Array {
  if (n <= 64) return new Uint8Array(n);
  if (n <= SLAB_MAX_BODY) {
    if (slabUsed + n > SLAB_SIZE) {
      slab = newSlab();
      slabUsed = 0;
    }
    const out = new Uint8Array(slab, slabUsed, n);
    slabUsed += (n + 7) & ~7;
    return out;
  }
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** If `body` is the slab's last cut, shrinks that cut to n bytes and returns true. */
function shrinkSlabTail(body: Uint8Array, n: number): boolean {
  if (body.buffer !== slab || body.byteOffset + ((body.length + 7) & ~7) !== slabUsed) return false;
  slabUsed = body.byteOffset + ((n + 7) & ~7);
  return true;
}

/**
 * dst[at, at+n) = src[s, s+n), without Buffer.copy's argument handling (dst: a body); `ab` and
 * `off` are src's ArrayBuffer and byte offset, known to the caller.
 */
function copyInto(dst: Uint8Array, at: number, src: Buffer, s: number, n: number, ab: ArrayBufferLike, off: number): void {
  if (n <= 32) {
    for (let k = 0; k < n; k++) dst[at + k] = src[s + k]!;
    return;
  }
  dst.set(new Uint8Array(ab, off + s, n), at);
}

/** The same into the parser's own buffer (a second function keeps both loops monomorphic). */
function copyIntoBuffer(dst: Buffer, at: number, src: Buffer, s: number, n: number, ab: ArrayBufferLike, off: number): void {
  if (n <= 32) {
    for (let k = 0; k < n; k++) dst[at + k] = src[s + k]!;
    return;
  }
  dst.set(new Uint8Array(ab, off + s, n), at);
}

function copyBody(d: Buffer, s: number, n: number, ab: ArrayBufferLike, off: number): Uint8Array {
  const out = allocBody(n);
  copyInto(out, 0, d, s, n, ab, off);
  return out;
}

/** Parses a whole byte string at once (tests, tools): the frames and the errors, in order. */
export function parseFrames(bytes: Uint8Array, options?: ParserOptions): { frames: MsrpFrame[]; errors: ParseError[] } {
  const frames: MsrpFrame[] = [];
  const errors: ParseError[] = [];
  const parser = new MsrpParser(
    {
      frame: (f) => frames.push(f),
      error: (e) => errors.push(e),
    },
    { ...options, streamBodies: false },
  );
  parser.push(bytes);
  parser.end();
  return { frames, errors };
}
