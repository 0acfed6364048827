/** Records of MSRP on a connection: frames written and read, raw bytes, what the parser refused. */
import type { FrameFields } from '../frame-record.js';

/** A frame written on `conn` at stream offset `offset` (its `length` bytes), with its bytes. */
export type MsrpSendRecord = FrameFields & { conn: string; offset: number; length: number };
/** A frame read on `conn`. */
export type MsrpRecvRecord = FrameFields & { conn: string };
/** Scenario action `raw`: bytes written as they are (`text`: one character per byte, latin1). */
export interface MsrpRawRecord { conn: string; offset: number; length: number; text: string }
/** A frame that breaks a rule the parser checks (the record's rule names it); it is still handled. */
export interface MsrpViolationRecord { conn: string; transactionId: string; message: string }
/** A frame over a reading limit (bytes, reads): the connection closes. */
export interface MsrpLimitRecord { conn: string; transactionId: string; length: number; reads: number; reason: string }
/** Input that is not a frame, at stream offset `offset`; `fatal`: the stream cannot be framed any more. */
export interface MsrpMalformedRecord { conn: string; offset: number; fatal: boolean; message: string }
