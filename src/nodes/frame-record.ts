/**
 * The fields of a trace record that describe one MSRP frame: enough for the timeline, the ladder
 * diagram and the pcap to be made from the trace alone (the full bytes are included when known).
 */
import { base64Of, utf8Text } from '../wire/bytes-text.js';
import type { ByteRange, MsrpFrame, MsrpRequest, MsrpResponse } from '../wire/frame.js';

/** A frame's fields: a request names its method, a response its status and comment. */
export type FrameFields = FrameCommonFields & ({ kind: 'request'; method: string; status?: never } | { kind: 'response'; status: number; comment: string | null; method?: never });

/** The fields of every frame. */
export interface FrameCommonFields {
  transactionId: string;
  toPath: string[];
  fromPath: string[];
  messageId?: string;
  byteRange?: ByteRange;
  reportStatus?: number;
  continuation: string;
  bodyLength: number | null;
  /** The frame's bytes as text when they are valid UTF-8, else `bytesBase64`. */
  text?: string;
  bytesBase64?: string;
}

export function frameFields(frame: MsrpFrame, bytes: Uint8Array | null): FrameFields {
  const f = {
    kind: frame.kind,
    transactionId: frame.transactionId,
    toPath: frame.toPath,
    fromPath: frame.fromPath,
    continuation: frame.continuation,
    bodyLength: frame.kind === 'request' ? (frame.body === null ? null : frame.body.length) : null,
  } as FrameFields;
  if (f.kind === 'request') f.method = (frame as MsrpRequest).method;
  else {
    f.status = (frame as MsrpResponse).statusCode;
    f.comment = (frame as MsrpResponse).comment;
  }
  if (frame.messageId !== undefined) f.messageId = frame.messageId;
  if (frame.byteRange !== undefined) f.byteRange = frame.byteRange;
  if (frame.status !== undefined) f.reportStatus = frame.status.code;
  if (bytes) {
    // A frame starts with "MSRP ", never with a byte-order mark, so the one strict conversion of
    // wire/bytes-text.ts gives the same text as a decoder that would drop one.
    const text = utf8Text(bytes);
    if (text !== null) f.text = text;
    else f.bytesBase64 = base64Of(bytes);
  }
  return f;
}

