/**
 * REPORT construction (E-29, E-30, W-24, W-27) and the report decision of the Success-Report /
 * Failure-Report table (CHECKLIST c.4).
 */
import { buildRequest } from '../wire/builder.js';
import type { ByteRange, FailureReport, MsrpRequest, SuccessReport } from '../wire/frame.js';

export interface ReportInit {
  transactionId: string;
  /** E-29: To-Path = From-Path of the original request (full list). */
  toPath: readonly string[];
  /** E-29: From-Path = the reporter's own URI. */
  fromPath: readonly string[];
  messageId: string;
  byteRange: ByteRange;
  code: number;
  comment?: string | null;
}

const PHRASES: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  408: 'Request Timeout',
  413: 'Message Too Large',
  415: 'Unsupported Media Type',
  481: 'Session Does Not Exist',
  501: 'Not Implemented',
  506: 'Session Already Bound',
};

export function statusPhrase(code: number): string | null {
  return PHRASES[code] ?? null;
}

/**
 * W-24, RFC 4975 §7.1.2: a REPORT "MUST contain the Message-ID header field from the original SEND
 * request" and "MUST contain a Status header field"; it "MUST NOT include Success-Report or
 * Failure-Report header fields".
 */
export function buildReport(init: ReportInit): MsrpRequest {
  return buildRequest({
    transactionId: init.transactionId,
    method: 'REPORT',
    toPath: init.toPath,
    fromPath: init.fromPath,
    messageId: init.messageId,
    byteRange: init.byteRange,
    status: { namespace: 0, code: init.code, comment: init.comment === undefined ? statusPhrase(init.code) : init.comment },
  });
}

/** W-29, RFC 4975 §7.1.1: absent Failure-Report MUST be treated as "yes", absent Success-Report as "no". */
export function effectiveFailureReport(value: FailureReport | undefined): FailureReport {
  return value ?? 'yes';
}

export function effectiveSuccessReport(value: SuccessReport | undefined): SuccessReport {
  return value ?? 'no';
}

/**
 * What a receiving endpoint sends as a transaction response, per CHECKLIST c.4:
 * - `yes`: "MUST immediately generate a response" (200 or the error);
 * - `partial`: "MUST NOT send a 200 transaction response", SHOULD send a non-200 on failure;
 * - `no`: "MUST NOT send a failure REPORT request, and MUST NOT send a transaction response".
 * Returns the code to send, or null for none. The rule id explains the choice.
 */
export function endpointResponse(fr: FailureReport, code: number): { code: number | null; rule: string } {
  if (fr === 'no') return { code: null, rule: 'A-11' };
  if (fr === 'partial' && code === 200) return { code: null, rule: 'A-03' };
  return { code, rule: 'E-33' };
}
