/**
 * Serializes MSRP frames to bytes (RFC 4975 §7.1, §9). Writes exactly what the frame says: the start
 * line, the `headers` list in order, and for a request with a body the blank line, the body, the
 * CRLF and the end-line. The typed fields are not consulted (the headers are the truth), so a parsed
 * frame re-serializes to the bytes it came from when those were canonical.
 */
import type { MsrpFrame } from './frame.js';
import { isMimeHeader } from './headers.js';

/** A frame the serializer refuses: a caller bug, never a condition of the network. */
export class WireError extends Error {
  readonly rule: string;
  constructor(rule: string, message: string) {
    super(`${rule}: ${message}`);
    this.name = 'WireError';
    this.rule = rule;
  }
}

type WritableBytes = Buffer & {
  utf8Write(s: string, offset: number, length?: number): number;
  latin1Write(s: string, offset: number, length?: number): number;
};

const DASH7 = Buffer.from('-------', 'latin1');
const CR = 13;
const LF = 10;

/**
 * The start line and header lines as text, each ending in CRLF, for the UTF-8 path (V8 ropes: no
 * copying until the single encode).
 */
function headText(frame: MsrpFrame): string {
  let s =
    frame.kind === 'request'
      ? `MSRP ${frame.transactionId} ${frame.method}\r\n`
      : frame.comment === null
        ? `MSRP ${frame.transactionId} ${pad3(frame.statusCode)}\r\n`
        : `MSRP ${frame.transactionId} ${pad3(frame.statusCode)} ${frame.comment}\r\n`;
  const h = frame.headers;
  for (let i = 0; i < h.length; i++) {
    const f = h[i]!;
    s += `${f[0]}: ${f[1]}\r\n`;
  }
  return s;
}

function pad3(code: number): string {
  return code >= 100 ? String(code) : String(code).padStart(3, '0');
}

/** True when every UTF-16 unit is ASCII (then UTF-8 length = string length). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function byteLength(s: string): number {
  return isAscii(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

/** All the checks of `serializeFrame` (exported for builders and tests). Throws WireError. */
export function checkFrame(frame: MsrpFrame): void {
  checkStructure(frame);
  checkCharacters(frame);
}

/** What the fast path checks while writing: names, ids, status codes, no line breaks (W-13). */
function checkCharacters(frame: MsrpFrame): void {
  for (const [name, value] of frame.headers) {
    if (!isHeaderName(name)) throw new WireError('W-12', `bad header name "${name}"`);
    if (value.includes('\r') || value.includes('\n')) throw new WireError('W-13', `header ${name} contains a line break`);
  }
  checkToken('W-03', 'transaction id', frame.transactionId);
  if (frame.kind === 'response') {
    if (!Number.isInteger(frame.statusCode) || frame.statusCode < 0 || frame.statusCode > 999) {
      throw new WireError('W-02', `status code ${frame.statusCode} is not 3 digits`);
    }
    if (frame.comment !== null && (frame.comment.includes('\r') || frame.comment.includes('\n'))) throw new WireError('W-02', 'comment contains a line break');
    return;
  }
  checkToken('W-01', 'method', frame.method);
}

/** RFC 4975 §9 `hname = ALPHA *token`. */
function isHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  const c0 = name.charCodeAt(0) | 0x20;
  if (c0 < 0x61 || c0 > 0x7a) return false;
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const l = c | 0x20;
    if ((l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39)) continue;
    if ("-.!%*_+`'~".indexOf(name[i]!) < 0) return false;
  }
  return true;
}

function checkToken(rule: string, what: string, s: string): void {
  if (s.length === 0) throw new WireError(rule, `empty ${what}`);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) throw new WireError(rule, `${what} "${s}" contains a space, control or non-ASCII character`);
  }
}

/**
 * W-09: true when `body` followed by the CRLF that precedes the real end-line contains
 * `-------<tid>` + flag + CRLF, which is the end-line (a receiver could stop there).
 */
export function endLineInBody(body: Uint8Array, transactionId: string): boolean {
  const tl = transactionId.length;
  const n = body.length;
  // "-------" tid flag is at least 8 + tl bytes; a small body without a dash has none.
  if (n < 8 + tl) return false;
  let i: number;
  let b: Uint8Array;
  if (n <= 256) {
    b = body;
    i = -1;
    for (let k = 0; k + 6 < n; k++) {
      if (body[k] === DASH && body[k + 6] === DASH) {
        i = k;
        break;
      }
    }
    if (i < 0) return false;
  } else {
    b = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    i = (b as Buffer).indexOf(DASH7, 0);
  }
  while (i >= 0 && i + 8 + tl <= n) {
    let j = i;
    let ok = true;
    for (let k = 0; k < 7; k++, j++) {
      if (b[j] !== DASH) {
        ok = false;
        break;
      }
    }
    for (let k = 0; ok && k < tl; k++, j++) {
      if (b[j] !== transactionId.charCodeAt(k)) ok = false;
    }
    if (ok) {
      const f = b[j];
      if (f === 0x2b || f === 0x24 || f === 0x23) {
        // The CRLF after the flag may be the body's own bytes or the CRLF written after the body.
        if (j + 1 === n) return true;
        if (b[j + 1] === CR && (j + 2 === n || b[j + 2] === LF)) return true;
      }
    }
    i = nextDash7(b, i + 1);
  }
  return false;
}

function nextDash7(b: Uint8Array, from: number): number {
  if (Buffer.isBuffer(b)) return b.indexOf(DASH7, from);
  for (let k = from; k + 6 < b.length; k++) {
    if (b[k] === DASH && b[k + 1] === DASH && b[k + 2] === DASH && b[k + 3] === DASH && b[k + 4] === DASH && b[k + 5] === DASH && b[k + 6] === DASH) return k;
  }
  return -1;
}

/** Bytes `serializeFrame(frame)` produces. */
export function serializedLength(frame: MsrpFrame): number {
  let n = 5 + byteLength(frame.transactionId) + 1 + 2;
  if (frame.kind === 'request') n += byteLength(frame.method);
  else n += 3 + (frame.comment === null ? 0 : 1 + byteLength(frame.comment));
  for (const [name, value] of frame.headers) n += byteLength(name) + 2 + byteLength(value) + 2;
  return n + tailLength(frame);
}

function tailLength(frame: MsrpFrame): number {
  const tl = frame.transactionId.length + 10; // "-------" tid flag CRLF
  if (frame.kind === 'request' && frame.body !== null) return 2 + frame.body.length + 2 + tl;
  return tl;
}

/**
 * Serializes a frame into one freshly allocated buffer. Throws WireError for frames no sender may
 * write: To-Path not first or From-Path not second (W-11), a body without Content-Type last
 * (W-15), MIME headers without a body (W-16), a body holding its own end-line (W-09), line breaks
 * in values, bad names, ids or status codes.
 */
export function serializeFrame(frame: MsrpFrame): Uint8Array {
  checkStructure(frame);
  return writeAscii(frame) ?? writeUtf8(frame);
}

/**
 * As `serializeFrame`, without the structural checks (W-09, W-11, W-15, W-16): writes a received
 * frame back as it came, canonical or not (`decode --format wire`). Line breaks in values, bad
 * names and ids are still refused, since they would not read back as the same frame.
 */
export function serializeUnchecked(frame: MsrpFrame): Uint8Array {
  return writeAscii(frame) ?? writeUtf8(frame);
}

/** The checks that look at the frame's shape, not at every character (those are made while writing). */
function checkStructure(frame: MsrpFrame): void {
  const h = frame.headers;
  // W-11, RFC 4975 §9: `headers = To-Path CRLF From-Path CRLF ...`.
  if (h.length < 1 || !sameName(h[0]![0], 'To-Path')) throw new WireError('W-11', 'To-Path must be the first header field');
  if (h.length < 2 || !sameName(h[1]![0], 'From-Path')) throw new WireError('W-11', 'From-Path must be the second header field');
  if (frame.kind === 'response') {
    if (!Number.isInteger(frame.statusCode) || frame.statusCode < 0 || frame.statusCode > 999) {
      throw new WireError('W-02', `status code ${frame.statusCode} is not 3 digits`);
    }
    return;
  }
  const body = frame.body;
  if (body === null) {
    // W-16, RFC 4975 §7.1: "A request with no body MUST NOT include a Content-Type or any other
    // MIME-specific header fields."
    for (let i = 2; i < h.length; i++) {
      if (isMimeHeader(h[i]![0])) throw new WireError('W-16', `bodiless request with MIME header field ${h[i]![0]}`);
    }
    return;
  }
  // W-15, RFC 4975 §7.1: Content-Type "MUST be the last field in the message header section".
  if (!sameName(h[h.length - 1]![0], 'Content-Type')) {
    const present = h.some(([name]) => sameName(name, 'Content-Type'));
    throw new WireError('W-15', present ? 'Content-Type must be the last header field' : 'a request with a body needs a Content-Type');
  }
  // W-09, RFC 4975 §7.1: the sender "MUST ensure that the end-line ... is not present in the body".
  if (endLineInBody(body, frame.transactionId)) {
    throw new WireError('W-09', `the body contains the end-line "-------${frame.transactionId}" + flag; choose another transaction id`);
  }
}

function sameName(name: string, canonical: string): boolean {
  return name === canonical || (name.length === canonical.length && name.toLowerCase() === canonical.toLowerCase());
}

/**
 * The fast path: every string ASCII (the common case). The length is the sum of the string
 * lengths, so one Buffer.allocUnsafe, then a JS loop writes each character (cheaper than building
 * and flattening a string for a native encoder), checking names, ids and values on the way.
 * Returns null at the first non-ASCII character (the UTF-8 path takes over).
 */
function writeAscii(frame: MsrpFrame): Uint8Array | null {
  const tid = frame.transactionId;
  const h = frame.headers;
  const isRequest = frame.kind === 'request';
  const body = isRequest ? frame.body : null;
  const comment = isRequest ? null : frame.comment;
  let n = 5 + tid.length + 1 + (isRequest ? frame.method.length : 3) + 2;
  if (comment !== null) n += 1 + comment.length;
  for (let i = 0; i < h.length; i++) n += h[i]![0].length + h[i]![1].length + 4;
  if (body !== null) n += 2 + body.length + 2;
  n += tid.length + 10;
  const out = Buffer.allocUnsafe(n);
  // "MSRP " tid SP method / status [SP comment] CRLF
  out[0] = 0x4d;
  out[1] = 0x53;
  out[2] = 0x52;
  out[3] = 0x50;
  out[4] = SP;
  let o = writeToken(out, 5, tid, 'W-03', 'transaction id');
  if (o < 0) return null;
  out[o++] = SP;
  if (isRequest) {
    o = writeToken(out, o, frame.method, 'W-01', 'method');
    if (o < 0) return null;
  } else {
    const code = frame.statusCode;
    out[o++] = 48 + Math.floor(code / 100);
    out[o++] = 48 + (Math.floor(code / 10) % 10);
    out[o++] = 48 + (code % 10);
    if (comment !== null) {
      out[o++] = SP;
      o = writeText(out, o, comment, 'W-02', 'comment');
      if (o < 0) return null;
    }
  }
  out[o++] = CR;
  out[o++] = LF;
  for (let i = 0; i < h.length; i++) {
    const [name, value] = h[i]!;
    o = writeName(out, o, name);
    if (o < 0) return null;
    out[o++] = 0x3a;
    out[o++] = SP;
    o = writeText(out, o, value, 'W-13', `header ${name}`);
    if (o < 0) return null;
    out[o++] = CR;
    out[o++] = LF;
  }
  if (body !== null) {
    // W-15: the header section ends with a blank line; W-08, RFC 4975 §7.1: "the end-line MUST be
    // preceded by a CRLF that is not part of the body."
    out[o++] = CR;
    out[o++] = LF;
    if (body.length <= 64) for (let k = 0; k < body.length; k++) out[o + k] = body[k]!;
    else out.set(body, o);
    o += body.length;
    out[o++] = CR;
    out[o++] = LF;
  }
  // W-06 end-line: "-------" transact-id continuation-flag CRLF. Responses always end in "$" (W-07).
  for (let k = 0; k < 7; k++) out[o++] = DASH;
  for (let k = 0; k < tid.length; k++) out[o++] = tid.charCodeAt(k);
  out[o++] = isRequest ? FLAG[frame.continuation] : DOLLAR;
  out[o++] = CR;
  out[o++] = LF;
  return out;
}

const SP = 0x20;
const DASH = 0x2d;
const DOLLAR = 0x24;
const FLAG: Record<string, number> = { '+': 0x2b, $: 0x24, '#': 0x23 };

/** An id or method: VCHAR only (no SP, no control), never empty. -1 = not ASCII. */
function writeToken(out: Buffer, o: number, s: string, rule: string, what: string): number {
  if (s.length === 0) throw new WireError(rule, `empty ${what}`);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c === 0x7f) throw new WireError(rule, `${what} "${s}" contains a space or control character`);
    if (c > 0x7f) throw new WireError(rule, `${what} "${s}" contains a non-ASCII character`);
    out[o++] = c;
  }
  return o;
}

/** RFC 4975 §9 `hname = ALPHA *token`. */
function writeName(out: Buffer, o: number, name: string): number {
  const n = name.length;
  if (n === 0 || (NAME_CHAR[name.charCodeAt(0) & 0xff]! & 2) === 0 || name.charCodeAt(0) > 0x7f) throw new WireError('W-12', `bad header name "${name}"`);
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f || NAME_CHAR[c] === 0) throw new WireError('W-12', `bad header name "${name}"`);
    out[o++] = c;
  }
  return o;
}

/** utf8text: anything but line breaks (W-13: no folding). -1 = not ASCII. */
function writeText(out: Buffer, o: number, s: string, rule: string, what: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    if (c === 13 || c === 10) throw new WireError(rule, `${what} contains a line break`);
    out[o++] = c;
  }
  return o;
}

/** token characters (bit 1) and ALPHA (bit 2). */
const NAME_CHAR: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (const c of "-.!%*_+`'~0123456789") t[c.charCodeAt(0)] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 3;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 3;
  return t;
})();

/** The general path: some string is not ASCII. Builds the head as text and encodes it as UTF-8. */
function writeUtf8(frame: MsrpFrame): Uint8Array {
  checkCharacters(frame);
  const head = headText(frame);
  const headLen = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLen + tailLength(frame)) as WritableBytes;
  let o = out.utf8Write(head, 0);
  if (frame.kind === 'request' && frame.body !== null) {
    out[o++] = CR;
    out[o++] = LF;
    out.set(frame.body, o);
    o += frame.body.length;
    out[o++] = CR;
    out[o++] = LF;
  }
  const flag = frame.kind === 'request' ? frame.continuation : '$';
  out.latin1Write(`-------${frame.transactionId}${flag}\r\n`, o);
  return out;
}
