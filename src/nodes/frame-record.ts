/**
 * The fields of a trace record that describe one MSRP frame: enough for the timeline, the ladder
 * diagram and the pcap to be made from the trace alone (the full bytes are included when known).
 */
import type { ByteRange, MsrpFrame } from '../wire/frame.js';

export interface FrameFields {
  kind: 'request' | 'response';
  transactionId: string;
  method?: string;
  status?: number;
  comment?: string | null;
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

const utf8 = new TextDecoder('utf-8', { fatal: true });

function encode(bytes: Uint8Array): { text?: string; bytesBase64?: string } {
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { bytesBase64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }
}

export function frameFields(frame: MsrpFrame, bytes: Uint8Array | null): FrameFields {
  const f: FrameFields = {
    kind: frame.kind,
    transactionId: frame.transactionId,
    toPath: frame.toPath,
    fromPath: frame.fromPath,
    continuation: frame.continuation,
    bodyLength: frame.kind === 'request' ? (frame.body === null ? null : frame.body.length) : null,
  };
  if (frame.kind === 'request') f.method = frame.method;
  else {
    f.status = frame.statusCode;
    f.comment = frame.comment;
  }
  if (frame.messageId !== undefined) f.messageId = frame.messageId;
  if (frame.byteRange !== undefined) f.byteRange = frame.byteRange;
  if (frame.status !== undefined) f.reportStatus = frame.status.code;
  if (bytes) Object.assign(f, encode(bytes));
  return f;
}
