/**
 * The shape of an MSRP frame (RFC 4975 §7, §9; RFC 4976 §7) as msrp-sim's codec produces and
 * consumes it. A frame is one request or response, or one chunk of a message: everything from the
 * start line to the end-line.
 *
 * Frames are values: nothing changes a frame once made. The parser shares the parts that repeat from
 * frame to frame on a connection (a path's URI list, the field pair of a repeated header line) and
 * freezes them, so a consumer that wants a different list builds a new one.
 *
 * The ordered `headers` list is the truth (names and values as received, or as built in canonical
 * order); the typed fields beside it are decoded from it by the parser, so that a node never parses a
 * header twice.
 */

/** The end-line's continuation flag (W-06): `$` last chunk, `+` more follow, `#` aborted. */
export type Continuation = '+' | '$' | '#';

/** A header field as a `[name, value]` pair, in the order it appears on the wire. */
export type HeaderField = [name: string, value: string];

/** A rule a frame broke, with the CHECKLIST id (`W-14`) and where in the stream it was seen. */
export interface Violation {
  rule: string;
  message: string;
  /** Byte offset in the parser's input stream, when known. */
  offset?: number;
  /**
   * True: a tolerant receiver cannot act on the frame (docs/tolerance.md): a node answers the
   * request 400 (or what the RFC says for it) and `decode` counts the frame as malformed.
   * Absent: a cosmetic deviation, noted and otherwise ignored.
   */
  malformed?: true;
}

/** Byte-Range (W-25): 1-based inclusive positions; `null` stands for `*`. */
export interface ByteRange {
  start: number;
  end: number | null;
  total: number | null;
}

/** Status header of a REPORT (W-28): `Status: 000 200 OK`. */
export interface StatusHeader {
  namespace: number;
  code: number;
  comment: string | null;
}

export type SuccessReport = 'yes' | 'no';
export type FailureReport = 'yes' | 'no' | 'partial';

/** Fields every frame has, decoded from the headers. */
export interface FrameCommon {
  transactionId: string;
  headers: HeaderField[];
  /** To-Path URIs as written (parse with `parseUri` when needed). */
  toPath: string[];
  fromPath: string[];
  continuation: Continuation;
  /** Rules the frame broke that a tolerant receiver accepted (lenient mode). Empty when clean. */
  violations: Violation[];
  messageId?: string;
  byteRange?: ByteRange;
  successReport?: SuccessReport;
  failureReport?: FailureReport;
  status?: StatusHeader;
  contentType?: string;
  usePath?: string[];
  expires?: number;
  minExpires?: number;
  maxExpires?: number;
  /**
   * Received frames only (absent on a frame built to be sent): the bytes the parser consumed for
   * it, start line through end-line, as they came (not as the serializer would write them). A
   * request streamed in pieces (`streamBodies`) gets it when its end-line arrives, before `end`:
   * the sum of its head, body pieces and end-line. Nodes read a received frame's size here rather
   * than serialize it again.
   */
  wireLength?: number;
  /**
   * Received frames only: the bytes before the body (start line, header lines, and the blank line
   * when a body follows), or, without a body, all the bytes before the end-line. A streamed head
   * has it when it is handed out.
   */
  headLength?: number;
}

export interface MsrpRequest extends FrameCommon {
  kind: 'request';
  method: string;
  /**
   * The body bytes, or `null` for a bodiless request (W-16). An empty body (W-17) is a
   * zero-length array with a Content-Type. The parser never hands out a view of its own (reused)
   * buffers: a body is a copy, or, with the `bodyViews` option, a view of the caller's pushed
   * bytes, which that caller promises not to change.
   */
  body: Uint8Array | null;
}

export interface MsrpResponse extends FrameCommon {
  kind: 'response';
  statusCode: number;
  comment: string | null;
}

export type MsrpFrame = MsrpRequest | MsrpResponse;
