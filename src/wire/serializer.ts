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
 * The start line and header lines, each ending in CRLF. Strings are concatenated (V8 ropes, no
 * copying until the single write) and encoded once.
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

/** The checks of `serializeFrame` (exported for builders and tests). Throws WireError. */
export function checkFrame(frame: MsrpFrame): void {
  const h = frame.headers;
  // W-11, RFC 4975 §9: `headers = To-Path CRLF From-Path CRLF ...`.
  if (h.length < 1 || h[0]![0].toLowerCase() !== 'to-path') throw new WireError('W-11', 'To-Path must be the first header field');
  if (h.length < 2 || h[1]![0].toLowerCase() !== 'from-path') throw new WireError('W-11', 'From-Path must be the second header field');
  for (const [name, value] of h) {
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
  const body = frame.body;
  if (body === null) {
    // W-16, RFC 4975 §7.1: "A request with no body MUST NOT include a Content-Type or any other
    // MIME-specific header fields."
    for (const [name] of h) {
      if (isMimeHeader(name)) throw new WireError('W-16', `bodiless request with MIME header field ${name}`);
    }
    return;
  }
  // W-15, RFC 4975 §7.1: Content-Type "MUST be the last field in the message header section".
  const last = h[h.length - 1]!;
  if (last[0].toLowerCase() !== 'content-type') {
    const present = h.some(([name]) => name.toLowerCase() === 'content-type');
    throw new WireError('W-15', present ? 'Content-Type must be the last header field' : 'a request with a body needs a Content-Type');
  }
  // W-09, RFC 4975 §7.1: the sender "MUST ensure that the end-line ... is not present in the body".
  if (endLineInBody(body, frame.transactionId)) {
    throw new WireError('W-09', `the body contains the end-line "-------${frame.transactionId}" + flag; choose another transaction id`);
  }
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
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const tid = Buffer.from(transactionId, 'latin1');
  const tl = tid.length;
  let i = b.indexOf(DASH7, 0);
  while (i >= 0) {
    let j = i + 7;
    let ok = true;
    for (let k = 0; k < tl; k++, j++) {
      if (j >= b.length || b[j] !== tid[k]) {
        ok = false;
        break;
      }
    }
    if (ok && j < b.length) {
      const f = b[j];
      if (f === 0x2b || f === 0x24 || f === 0x23) {
        // The CRLF after the flag may be the body's own bytes or the CRLF written after the body.
        if (j + 1 === b.length) return true;
        if (b[j + 1] === CR && (j + 2 === b.length || b[j + 2] === LF)) return true;
      }
    }
    i = b.indexOf(DASH7, i + 1);
  }
  return false;
}

/** Bytes `serializeFrame(frame)` produces. */
export function serializedLength(frame: MsrpFrame): number {
  const head = byteLength(headText(frame));
  return head + tailLength(frame);
}

function tailLength(frame: MsrpFrame): number {
  const tl = frame.transactionId.length + 10; // "-------" tid flag CRLF
  if (frame.kind === 'request' && frame.body !== null) return 2 + frame.body.length + 2 + tl;
  return tl;
}

/**
 * Serializes a frame into one freshly allocated buffer. Throws WireError for frames no sender may
 * write (see `checkFrame`).
 */
export function serializeFrame(frame: MsrpFrame): Uint8Array {
  checkFrame(frame);
  return serializeUnchecked(frame);
}

/** As `serializeFrame`, without the checks (for frames the builders made, and benchmarks). */
export function serializeUnchecked(frame: MsrpFrame): Uint8Array {
  const head = headText(frame);
  const ascii = isAscii(head);
  const headLen = ascii ? head.length : Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLen + tailLength(frame)) as WritableBytes;
  let o = ascii ? out.latin1Write(head, 0) : out.utf8Write(head, 0);
  if (frame.kind === 'request' && frame.body !== null) {
    // W-15: the header section ends with a blank line; W-08, RFC 4975 §7.1: "the end-line MUST be
    // preceded by a CRLF that is not part of the body."
    out[o++] = CR;
    out[o++] = LF;
    out.set(frame.body, o);
    o += frame.body.length;
    out[o++] = CR;
    out[o++] = LF;
  }
  // W-06 end-line: "-------" transact-id continuation-flag CRLF. Responses always end in "$" (W-07).
  const flag = frame.kind === 'request' ? frame.continuation : '$';
  o += out.latin1Write(`-------${frame.transactionId}${flag}\r\n`, o);
  return out;
}
