/**
 * One direction of a connection as bytes written at stream offsets (a trace's frame writes, raw
 * writes, a live socket's reads and writes), put back in order and parsed into frames, each with
 * the time and order of the write that completed it.
 */
import { ResyncParser } from '../capture/resync-parser.js';
import { diffFrame, type DiffFrame } from './diff-model.js';

/** Bytes written at `offset` of a direction's stream. */
export interface StreamPiece {
  offset: number;
  bytes: Uint8Array;
  time: number;
  order: number;
}

/** Frames of a direction, and notes on bytes that were not frames or were missing. */
/**
 * `writes`: the pieces are whole writes of a trace, in the order of their offsets, one after the
 * other (a simulated TLS connection's offsets also count the TLS bytes around them, and a trace
 * edited by hand may have a frame longer than its `length`); else the offsets place the bytes
 * (a live socket's reads and writes): a hole is a gap, bytes seen twice count once.
 */
export function framesOfStream(pieces: StreamPiece[], label: string, writes = false): { frames: DiffFrame[]; notes: string[] } {
  const frames: DiffFrame[] = [];
  const notes: string[] = [];
  const sorted = pieces.slice().sort((a, b) => a.offset - b.offset || a.order - b.order);
  let time = 0;
  let order = 0;
  const parser = (): ResyncParser =>
    new ResyncParser({
      frame: (f) => frames.push(diffFrame(f, time, order)),
      error: (e) => notes.push(`${label}: ${e.rule} ${e.message}`),
      skipped: (offset, count) => notes.push(`${label}: ${count} bytes at stream byte ${offset} are not MSRP frames`),
    });
  let p = parser();
  let at = 0;
  for (const piece of sorted) {
    let bytes = piece.bytes;
    if (writes) at = piece.offset;
    if (piece.offset > at) {
      notes.push(`${label}: ${piece.offset - at} bytes missing at stream byte ${at}`);
      p.end();
      p = parser();
    } else if (piece.offset < at) {
      // Written again (a retransmission as seen by a capture): only what is new counts.
      if (piece.offset + bytes.length <= at) continue;
      bytes = bytes.subarray(at - piece.offset);
    }
    time = piece.time;
    order = piece.order;
    p.push(bytes);
    at = Math.max(at, piece.offset) + bytes.length;
  }
  p.end();
  return { frames, notes };
}
