/**
 * Builders for canonical frames: typed inputs in, a frame whose `headers` are in canonical order
 * (To-Path, From-Path, Message-ID, Byte-Range, Success-Report, Failure-Report, Status, Expires,
 * Min-Expires, Max-Expires, Use-Path, WWW-Authenticate, Authorization, Authentication-Info, other
 * headers, MIME headers, Content-Type) and whose typed fields say the same as the headers, exactly
 * as the parser would decode them. Strict when sending: what no sender may write throws WireError.
 */
import type {
  ByteRange,
  Continuation,
  FailureReport,
  HeaderField,
  MsrpFrame,
  MsrpRequest,
  MsrpResponse,
  StatusHeader,
  SuccessReport,
} from './frame.js';
import {
  HeaderName,
  canonicalHeaderName,
  formatByteRange,
  formatPathHeader,
  formatStatus,
  isMimeHeader,
  parseByteRange,
  parseDeltaSeconds,
  parseFailureReport,
  parsePathHeader,
  parseSuccessReport,
  sortHeaders,
} from './headers.js';
import { WireError, checkFrame } from './serializer.js';

/** Header fields both requests and responses may carry. */
export interface HeaderInit {
  transactionId: string;
  /** To-Path URIs, leftmost = next hop (W-11, R-01). */
  toPath: readonly string[];
  fromPath: readonly string[];
  messageId?: string;
  byteRange?: ByteRange;
  successReport?: SuccessReport;
  failureReport?: FailureReport;
  status?: StatusHeader;
  expires?: number;
  minExpires?: number;
  maxExpires?: number;
  usePath?: readonly string[];
  wwwAuthenticate?: string;
  authorization?: string;
  authenticationInfo?: string;
  /** Other (extension) header fields, written after the known ones, in this order. */
  extraHeaders?: readonly HeaderField[];
}

export interface RequestInit extends HeaderInit {
  method: string;
  /** MIME header fields other than Content-Type (Content-ID, Content-Disposition, ...); need a body. */
  mimeHeaders?: readonly HeaderField[];
  /** Required with a body (W-15), forbidden without (W-16). */
  contentType?: string;
  /** Bytes, or text written as UTF-8; null or absent = bodiless request (W-16). */
  body?: Uint8Array | string | null;
  /** End-line flag (W-06), default `$`. */
  continuation?: Continuation;
}

export interface ResponseInit extends HeaderInit {
  statusCode: number;
  /** Reason phrase; absent = the usual phrase for the code (`reasonPhrase`), null = none. */
  comment?: string | null;
}

/** The Expires family: option of the builder and header name, in the order they are written. */
const EXPIRES_HEADERS = [
  ['expires', HeaderName.expires],
  ['minExpires', HeaderName.minExpires],
  ['maxExpires', HeaderName.maxExpires],
] as const;

/**
 * Reason phrases in common use. RFC 4975 §10 names codes, not phrases; its examples use "OK",
 * RFC 4976 §10.3 gives "Unauthorized" for 401 and §4.6 "Interval Out-of-Bounds" for 423.
 */
const PHRASES: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  408: 'Request Timeout',
  413: 'Message Too Large',
  415: 'Unsupported Media Type',
  423: 'Interval Out-of-Bounds',
  481: 'Session Does Not Exist',
  501: 'Not Implemented',
  506: 'Session Already Bound',
};

export function reasonPhrase(code: number): string | null {
  return PHRASES[code] ?? null;
}

function knownHeaders(init: HeaderInit): HeaderField[] {
  if (init.toPath.length === 0) throw new WireError('W-11', 'To-Path needs at least one URI');
  if (init.fromPath.length === 0) throw new WireError('W-11', 'From-Path needs at least one URI');
  const h: HeaderField[] = [
    [HeaderName.toPath, formatPathHeader(init.toPath)],
    [HeaderName.fromPath, formatPathHeader(init.fromPath)],
  ];
  if (init.messageId !== undefined) h.push([HeaderName.messageId, init.messageId]);
  if (init.byteRange !== undefined) {
    const r = init.byteRange;
    if (!isCount(r.start) || (r.end !== null && !isCount(r.end)) || (r.total !== null && !isCount(r.total))) {
      throw new WireError('W-25', `Byte-Range values must be non-negative integers: ${JSON.stringify(r)}`);
    }
    h.push([HeaderName.byteRange, formatByteRange(r)]);
  }
  if (init.successReport !== undefined) h.push([HeaderName.successReport, init.successReport]);
  if (init.failureReport !== undefined) h.push([HeaderName.failureReport, init.failureReport]);
  if (init.status !== undefined) {
    const s = init.status;
    if (!isCode(s.namespace) || !isCode(s.code)) throw new WireError('W-28', `Status values must be 3-digit: ${JSON.stringify(s)}`);
    h.push([HeaderName.status, formatStatus(s)]);
  }
  for (const [key, name] of EXPIRES_HEADERS) {
    const v = init[key];
    if (v === undefined) continue;
    if (!isCount(v)) throw new WireError('R-05', `${name} must be a non-negative integer: ${v}`);
    h.push([name, String(v)]);
  }
  if (init.usePath !== undefined) {
    if (init.usePath.length === 0) throw new WireError('R-06', 'Use-Path needs at least one URI');
    h.push([HeaderName.usePath, formatPathHeader(init.usePath)]);
  }
  if (init.wwwAuthenticate !== undefined) h.push([HeaderName.wwwAuthenticate, init.wwwAuthenticate]);
  if (init.authorization !== undefined) h.push([HeaderName.authorization, init.authorization]);
  if (init.authenticationInfo !== undefined) h.push([HeaderName.authenticationInfo, init.authenticationInfo]);
  for (const [name, value] of init.extraHeaders ?? []) {
    if (isMimeHeader(name)) throw new WireError('W-15', `MIME header ${name} belongs in mimeHeaders`);
    h.push([name, value]);
  }
  return h;
}

function utf8(text: string): Uint8Array {
  const b = Buffer.from(text, 'utf8');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function isCode(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 999;
}

/** The typed fields as the parser decodes them from these headers. */
function typedFields(init: HeaderInit) {
  return {
    toPath: [...init.toPath],
    fromPath: [...init.fromPath],
    violations: [],
    messageId: init.messageId,
    byteRange: init.byteRange === undefined ? undefined : { ...init.byteRange },
    successReport: init.successReport,
    failureReport: init.failureReport,
    status: init.status === undefined ? undefined : { ...init.status },
    usePath: init.usePath === undefined ? undefined : [...init.usePath],
    expires: init.expires,
    minExpires: init.minExpires,
    maxExpires: init.maxExpires,
  };
}

/** A canonical request. Throws WireError for what no sender may write (W-09, W-11, W-15, W-16). */
export function buildRequest(init: RequestInit): MsrpRequest {
  const headers = knownHeaders(init);
  const body = init.body === undefined || init.body === null ? null : typeof init.body === 'string' ? utf8(init.body) : init.body;
  if (body === null) {
    // W-16, RFC 4975 §7.1: "A request with no body MUST NOT include a Content-Type or any other
    // MIME-specific header fields."
    if (init.contentType !== undefined) throw new WireError('W-16', 'a bodiless request must not have a Content-Type');
    if (init.mimeHeaders !== undefined && init.mimeHeaders.length > 0) throw new WireError('W-16', 'a bodiless request must not have MIME header fields');
  } else {
    // W-15, RFC 4975 §7.1: "If a body is present, ... Content-Type ... MUST be the last field".
    if (init.contentType === undefined) throw new WireError('W-15', 'a request with a body needs a Content-Type');
    for (const [name, value] of init.mimeHeaders ?? []) {
      if (!isMimeHeader(name) || name.toLowerCase() === 'content-type') throw new WireError('W-15', `${name} is not a MIME header other than Content-Type`);
      headers.push([name, value]);
    }
    headers.push([HeaderName.contentType, init.contentType]);
  }
  const frame: MsrpRequest = {
    kind: 'request',
    transactionId: init.transactionId,
    method: init.method,
    headers,
    continuation: init.continuation ?? '$',
    ...typedFields(init),
    contentType: body === null ? undefined : init.contentType,
    body,
  };
  checkFrame(frame);
  return frame;
}

/** A canonical response (never a body, W-18). */
export function buildResponse(init: ResponseInit): MsrpResponse {
  const frame: MsrpResponse = {
    kind: 'response',
    transactionId: init.transactionId,
    statusCode: init.statusCode,
    comment: init.comment === undefined ? reasonPhrase(init.statusCode) : init.comment,
    headers: knownHeaders(init),
    continuation: '$',
    ...typedFields(init),
    contentType: undefined,
  };
  checkFrame(frame);
  return frame;
}

/**
 * What a strict sender would have written for the same frame: canonical header-name case (W-14),
 * one SP after each colon and between path URIs (W-12), lower-case report values, canonical
 * header order with To-Path and From-Path first and Content-Type last (W-11, W-15), and no MIME
 * header fields on a bodiless request (W-16). Values it cannot read are kept as they are; a request
 * with a body but no Content-Type stays unserializable (there is no type to invent).
 */
export function canonicalizeFrame<F extends MsrpFrame>(frame: F): F {
  const bodiless = frame.kind === 'response' || frame.body === null;
  const headers: HeaderField[] = [];
  for (const [rawName, rawValue] of frame.headers) {
    const name = canonicalHeaderName(rawName);
    if (bodiless && isMimeHeader(name)) continue;
    headers.push([name, canonicalValue(name, rawValue)]);
  }
  return {
    ...frame,
    headers: sortHeaders(headers),
    contentType: bodiless ? undefined : frame.contentType,
    violations: [...frame.violations],
  };
}

function canonicalValue(name: string, raw: string): string {
  // W-12: one SP after the colon, so no padding before the value; what follows is content
  // (utf8text may end in spaces) except in the typed headers, which are rewritten.
  const value = raw.trim();
  switch (name) {
    case HeaderName.toPath:
    case HeaderName.fromPath:
    case HeaderName.usePath:
      return formatPathHeader(parsePathHeader(value));
    case HeaderName.byteRange: {
      const r = parseByteRange(value);
      return r === null ? value : formatByteRange(r);
    }
    case HeaderName.successReport:
      return parseSuccessReport(value) ?? value;
    case HeaderName.failureReport:
      return parseFailureReport(value) ?? value;
    case HeaderName.expires:
    case HeaderName.minExpires:
    case HeaderName.maxExpires: {
      const n = parseDeltaSeconds(value);
      return n < 0 ? value : String(n);
    }
    case HeaderName.messageId:
    case HeaderName.contentType:
      return value;
    default:
      return raw.trimStart();
  }
}
