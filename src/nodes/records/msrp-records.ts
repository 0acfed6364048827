/** Records of MSRP on a connection: frames written and read, raw bytes, what the parser refused. */
import type { FrameFields } from '../frame-record.js';
import type { SENT_RECORD } from '../../sim/frame-resolver.js';
import type { TraceRecordBase } from '../../sim/trace.js';

/** A frame written on `conn` at stream offset `offset` (its `length` bytes), with its bytes. */
export type MsrpSendRecord = FrameFields & { conn: string; offset: number; length: number };
/**
 * A frame read on `conn`. Read it through `FrameResolver.frameOf` (frame-record.ts), which gives
 * the frame of either form.
 */
export type MsrpRecvRecord = MsrpRecvFullRecord | MsrpRecvRefRecord;
/**
 * A frame read on `conn`, in full: its fields, and in format 2 its bytes (`text` or
 * `bytesBase64`) when the whole frame was held. Format 2 writes this form only for a frame whose
 * sending is not in the trace (a real peer's, or the scenario's raw bytes).
 */
export type MsrpRecvFullRecord = FrameFields & { conn: string; sent?: never };
/**
 * Format 2: a frame read on `conn` that is the frame of the `msrp.send` whose `seq` is `sent`
 * (the frame written on the peer connection, every parsed field equal). Emitted by a live run, it
 * also holds that send record under `SENT_RECORD`, which no writer sees (frame-resolver.ts).
 */
export interface MsrpRecvRefRecord { conn: string; sent: number; [SENT_RECORD]?: MsrpSendRecord & TraceRecordBase }
/** Scenario action `raw`: bytes written as they are (`text`: one character per byte, latin1). */
export interface MsrpRawRecord { conn: string; offset: number; length: number; text: string }
/** A frame that breaks a rule the parser checks (the record's rule names it); it is still handled. */
export interface MsrpViolationRecord { conn: string; transactionId: string; message: string }
/** A frame over a reading limit (bytes, reads): the connection closes. */
export interface MsrpLimitRecord { conn: string; transactionId: string; length: number; reads: number; reason: string }
/** Input that is not a frame, at stream offset `offset`; `fatal`: the stream cannot be framed any more. */
export interface MsrpMalformedRecord { conn: string; offset: number; fatal: boolean; message: string }
