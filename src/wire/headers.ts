/**
 * MSRP header fields: canonical names, their canonical order, and the value grammars of the typed
 * headers (RFC 4975 §9, RFC 4976 §7), as string functions shared by the parser, the serializer and
 * the builders so that all three agree on every value.
 */
import type { ByteRange, FailureReport, HeaderField, MsrpFrame, StatusHeader, SuccessReport } from './frame.js';

/** Canonical spellings of the header fields msrp-sim knows (RFC 4975 §15.2, RFC 4976 §10.1). */
export const HeaderName = {
  toPath: 'To-Path',
  fromPath: 'From-Path',
  messageId: 'Message-ID',
  byteRange: 'Byte-Range',
  successReport: 'Success-Report',
  failureReport: 'Failure-Report',
  status: 'Status',
  expires: 'Expires',
  minExpires: 'Min-Expires',
  maxExpires: 'Max-Expires',
  usePath: 'Use-Path',
  wwwAuthenticate: 'WWW-Authenticate',
  authorization: 'Authorization',
  authenticationInfo: 'Authentication-Info',
  contentId: 'Content-ID',
  contentDescription: 'Content-Description',
  contentDisposition: 'Content-Disposition',
  contentTransferEncoding: 'Content-Transfer-Encoding',
  contentType: 'Content-Type',
} as const;

export type KnownHeaderName = (typeof HeaderName)[keyof typeof HeaderName];

/** Known names in canonical order (builders emit headers in this order; Content-Type is last). */
export const CANONICAL_ORDER: readonly string[] = [
  'To-Path',
  'From-Path',
  'Message-ID',
  'Byte-Range',
  'Success-Report',
  'Failure-Report',
  'Status',
  'Expires',
  'Min-Expires',
  'Max-Expires',
  'Use-Path',
  'WWW-Authenticate',
  'Authorization',
  'Authentication-Info',
];

const canonicalByLower = new Map<string, string>(
  Object.values(HeaderName).map((name) => [name.toLowerCase(), name]),
);

/** The canonical spelling of a known header name (any case in), or the name unchanged. */
export function canonicalHeaderName(name: string): string {
  return canonicalByLower.get(name.toLowerCase()) ?? name;
}

/**
 * W-15, RFC 4975 §9: `content-stuff = *(Other-Mime-header CRLF) Content-Type 2CRLF data CRLF`.
 * MIME header fields are the `Content-*` fields (RFC 2045 §9), Content-Type included.
 */
export function isMimeHeader(name: string): boolean {
  return name.length > 8 && (name.charCodeAt(0) | 0x20) === 0x63 && name.slice(0, 8).toLowerCase() === 'content-';
}

/**
 * Rank of a header in canonical order: the known headers first in CANONICAL_ORDER, then other
 * headers, then MIME headers, then Content-Type (W-15: "MUST be the last field").
 */
export function headerRank(name: string): number {
  const canonical = canonicalHeaderName(name);
  const i = CANONICAL_ORDER.indexOf(canonical);
  if (i >= 0) return i;
  if (canonical === 'Content-Type') return CANONICAL_ORDER.length + 2;
  if (isMimeHeader(name)) return CANONICAL_ORDER.length + 1;
  return CANONICAL_ORDER.length;
}

/** The value of the first header called `name` (compared case-insensitively, W-14), or undefined. */
export function getHeader(frame: Pick<MsrpFrame, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of frame.headers) {
    if (n.length === lower.length && n.toLowerCase() === lower) return v;
  }
  return undefined;
}

/** The values of every header called `name` (case-insensitively), in order. */
export function getHeaders(frame: Pick<MsrpFrame, 'headers'>, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of frame.headers) {
    if (n.length === lower.length && n.toLowerCase() === lower) out.push(v);
  }
  return out;
}

/** Sorts header fields into canonical order, keeping the relative order of equal ranks. */
export function sortHeaders(headers: readonly HeaderField[]): HeaderField[] {
  return headers
    .map((h, i) => ({ h, i, r: headerRank(h[0]) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.h);
}

// ---------------------------------------------------------------------------------------------
// Byte-Range

/** Largest number of decimal digits accepted in a numeric field (stays below 2^53). */
const MAX_DIGITS = 15;

/**
 * Reads `1*DIGIT` from `s` at `i`; returns the value, or -1 when there is no digit or too many.
 * Digits by arithmetic, no parseInt: parseInt accepts signs, spaces and trailing junk.
 */
function digitsAt(s: string, i: number, end: number): number {
  if (i >= end || end - i > MAX_DIGITS) return -1;
  let n = 0;
  for (let k = i; k < end; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * W-25, RFC 4975 §9: `Byte-Range = "Byte-Range:" SP range-start "-" range-end "/" total` with
 * `range-end = 1*DIGIT / "*"` and `total = 1*DIGIT / "*"`. Returns null when the value does not
 * follow the grammar. Arithmetic consistency is checked separately (see `byteRangeProblem`).
 */
export function parseByteRange(value: string): ByteRange | null {
  const dash = value.indexOf('-');
  const slash = value.indexOf('/', dash + 1);
  if (dash <= 0 || slash < 0) return null;
  const start = digitsAt(value, 0, dash);
  if (start < 0) return null;
  let end: number | null;
  if (slash === dash + 2 && value.charCodeAt(dash + 1) === 42 /* * */) end = null;
  else {
    end = digitsAt(value, dash + 1, slash);
    if (end < 0) return null;
  }
  let total: number | null;
  if (value.length === slash + 2 && value.charCodeAt(slash + 1) === 42) total = null;
  else {
    total = digitsAt(value, slash + 1, value.length);
    if (total < 0) return null;
  }
  return { start, end, total };
}

/** `start-end/total` with `*` for null (W-25). */
export function formatByteRange(range: ByteRange): string {
  return `${range.start}-${range.end === null ? '*' : range.end}/${range.total === null ? '*' : range.total}`;
}

/**
 * What is wrong with a Byte-Range on its own (no body needed), or null.
 * W-25, RFC 4975 §7.1.1: "The first octet in the message has a position of one"; range-end is the
 * position of the last byte, so it is at least start-1 (start-1 = empty) and at most total.
 */
export function byteRangeProblem(range: ByteRange): string | null {
  if (range.start < 1) return `range-start ${range.start} is below 1 (positions are 1-based)`;
  if (range.end !== null && range.end < range.start - 1) return `range-end ${range.end} is before range-start ${range.start}`;
  if (range.total !== null) {
    if (range.end !== null && range.end > range.total) return `range-end ${range.end} is beyond total ${range.total}`;
    if (range.start > range.total + 1) return `range-start ${range.start} is beyond total ${range.total}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Status (REPORT)

function isDigit3(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  const c = s.charCodeAt(i + 2) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}

/**
 * W-28, RFC 4975 §9: `Status = "Status:" SP namespace SP status-code [SP comment]`,
 * `namespace = 3(DIGIT)`, `status-code = 3DIGIT`. Returns null when malformed.
 */
export function parseStatus(value: string): StatusHeader | null {
  if (value.length < 7 || value.charCodeAt(3) !== 32) return null;
  const namespace = isDigit3(value, 0);
  const code = isDigit3(value, 4);
  if (namespace < 0 || code < 0) return null;
  if (value.length === 7) return { namespace, code, comment: null };
  if (value.charCodeAt(7) !== 32) return null;
  return { namespace, code, comment: value.slice(8) };
}

/** `000 200 OK` (W-28). */
export function formatStatus(status: StatusHeader): string {
  const ns = String(status.namespace).padStart(3, '0');
  const code = String(status.code).padStart(3, '0');
  return status.comment === null ? `${ns} ${code}` : `${ns} ${code} ${status.comment}`;
}

// ---------------------------------------------------------------------------------------------
// Success-Report / Failure-Report / Expires

/** W-29: `yes` / `no`; W-14: literals are case-insensitive. Null when neither. */
export function parseSuccessReport(value: string): SuccessReport | null {
  if (value === 'yes' || value === 'no') return value;
  const lower = value.toLowerCase();
  return lower === 'yes' || lower === 'no' ? lower : null;
}

/** W-29: `yes` / `no` / `partial`, case-insensitive (W-14). Null otherwise. */
export function parseFailureReport(value: string): FailureReport | null {
  if (value === 'yes' || value === 'no' || value === 'partial') return value;
  const lower = value.toLowerCase();
  return lower === 'yes' || lower === 'no' || lower === 'partial' ? lower : null;
}

/** R-05, RFC 4976 §7: `Expires = "Expires:" SP 1*DIGIT` (also Min-/Max-Expires). -1 when malformed. */
export function parseDeltaSeconds(value: string): number {
  return digitsAt(value, 0, value.length);
}

// ---------------------------------------------------------------------------------------------
// Paths

/**
 * W-12, RFC 4975 §9: `To-Path = "To-Path:" SP MSRP-URI *( SP MSRP-URI )`. Splits on runs of SP or
 * HTAB (a tolerant reading); `pathHeaderSpacingOk` tells whether the value used exactly one SP.
 */
export function parsePathHeader(value: string): string[] {
  if (value.indexOf(' ') < 0 && value.indexOf('\t') < 0) return value.length === 0 ? [] : [value];
  const out: string[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    while (i < n && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && value.charCodeAt(j) !== 32 && value.charCodeAt(j) !== 9) j++;
    out.push(value.slice(i, j));
    i = j;
  }
  return out;
}

/** True when a path value has its URIs separated by exactly one SP, with no padding (W-12). */
export function pathHeaderSpacingOk(value: string, uris: readonly string[]): boolean {
  if (uris.length === 0) return false;
  let len = uris.length - 1;
  for (const u of uris) len += u.length;
  return len === value.length && value.indexOf('\t') < 0;
}

/** A path header value: URIs joined by one SP (W-12). */
export function formatPathHeader(uris: readonly string[]): string {
  return uris.join(' ');
}

/** The rule a path URI breaks, cheaply checked (U-01 scheme, U-02 transport, U-04 port), or null. */
export interface PathUriProblem {
  rule: 'U-01' | 'U-02' | 'U-04';
  message: string;
}

/**
 * A cheap syntactic look at one path URI, enough for the wire layer's violation records (the full
 * URI grammar and comparison live with the URI module). `needPort` applies U-04.
 */
export function pathUriProblem(uri: string, needPort: boolean): PathUriProblem | null {
  // U-01, RFC 4975 §9: msrp-scheme = "msrp" / "msrps"; schemes compare case-insensitively.
  let i: number;
  const c4 = uri.charCodeAt(4);
  if (
    (uri.charCodeAt(0) | 0x20) !== 0x6d ||
    (uri.charCodeAt(1) | 0x20) !== 0x73 ||
    (uri.charCodeAt(2) | 0x20) !== 0x72 ||
    (uri.charCodeAt(3) | 0x20) !== 0x70
  ) {
    return { rule: 'U-01', message: `not an MSRP URI: ${uri}` };
  }
  if (c4 === 58 /* : */) i = 5;
  else if ((c4 | 0x20) === 0x73 && uri.charCodeAt(5) === 58) i = 6;
  else return { rule: 'U-01', message: `not an MSRP URI: ${uri}` };
  if (uri.charCodeAt(i) !== 47 || uri.charCodeAt(i + 1) !== 47) return { rule: 'U-01', message: `not an MSRP URI: ${uri}` };
  i += 2;
  const n = uri.length;
  // The authority ends at the first "/" (session-id) or ";" (parameters): native searches.
  const slash = uri.indexOf('/', i);
  const semi = uri.indexOf(';', i);
  const authEnd = slash >= 0 && (semi < 0 || slash < semi) ? slash : semi >= 0 ? semi : n;
  const at = uri.lastIndexOf('@', authEnd - 1);
  const hostStart = at >= i ? at + 1 : i;
  if (authEnd === hostStart) return { rule: 'U-01', message: `MSRP URI without a host: ${uri}` };
  // U-02, RFC 4975 §9: `";" transport` is not optional; "URIs designating MSRP over TCP MUST
  // include the "tcp" transport parameter."
  const tsemi = uri.indexOf(';', authEnd);
  if (tsemi < 0 || tsemi + 1 >= n || uri.charCodeAt(tsemi + 1) === 59) {
    return { rule: 'U-02', message: `MSRP URI without a transport parameter: ${uri}` };
  }
  // U-04, RFC 4976 §8: "MSRP URIs exchanged ... in To-Path and From-Path headers in non-AUTH
  // requests MUST have an explicit port number." The port follows the last ":" of the host
  // part, after the "]" of an IPv6 literal.
  if (needPort) {
    const colon = uri.lastIndexOf(':', authEnd - 1);
    const bracket = uri.lastIndexOf(']', authEnd - 1);
    if (colon < hostStart || colon < bracket || colon + 1 >= authEnd) {
      return { rule: 'U-04', message: `MSRP URI without an explicit port: ${uri}` };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Identifiers

/** RFC 4975 §9 `ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="` as a lookup table. */
export const IDENT_CHAR: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 2;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 2;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 2;
  for (const c of '.-+%=') t[c.charCodeAt(0)] = 1;
  return t;
})();

/**
 * W-03 / W-38, RFC 4975 §9: `ident = ALPHANUM 3*31ident-char` (4 to 32 characters, the first
 * alphanumeric). Used for transaction ids and Message-IDs.
 */
export function isIdent(s: string): boolean {
  const n = s.length;
  if (n < 4 || n > 32) return false;
  const c0 = s.charCodeAt(0);
  if (c0 > 255 || IDENT_CHAR[c0] !== 2) return false;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || IDENT_CHAR[c] === 0) return false;
  }
  return true;
}
