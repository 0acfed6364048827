/**
 * The frame of any `msrp.recv` record: the one place every reader of a trace (the outputs, the
 * expectations, the CLI's live view) gets it from (docs/trace-format.md, "A frame's bytes once").
 * In format 2 a frame read whose sending is in the trace is `{conn, sent}`, `sent` being the
 * `seq` of its `msrp.send`; a frame read in full (format 1, or a frame with no send in the trace)
 * is its own frame.
 *
 * It is here, in the kernel's layer, because it is about trace records only and both the outputs
 * and the scenario's expectations read it (neither may import the other). The record types it
 * names are the node layer's, merged into `TraceTypes`.
 */
import type { TraceRecord, TraceTypes } from './trace.js';

/**
 * A frame's fields and bytes, as `msrp.send` writes them (kind, transaction id, method or status,
 * paths, ..., `text` or `bytesBase64`), without the connection, offset and length of the send:
 * the connection a frame was read on is its `msrp.recv`'s.
 */
export type TracedFrame = TraceTypes['msrp.send'] extends infer S ? (S extends unknown ? Omit<S, 'conn' | 'offset' | 'length'> : never) : never;

/**
 * Where a reference emitted by a live run holds the `msrp.send` record it names. A symbol key:
 * JSON (the trace file), `Object.keys` and every writer leave it out, so it is not part of the
 * trace, only a shortcut for the readers that run in the same process as the simulation. A trace
 * read from a file has none; its references are resolved from the sends seen before them.
 */
export const SENT_RECORD: unique symbol = Symbol('msrp-sim: the msrp.send a reference names');

/**
 * Resolves `msrp.recv` records to their frames. Feed it every record in trace order (`see`)
 * before asking for a frame (`frameOf`). It keeps each `msrp.send` until a receive refers to it,
 * then lets it go, so memory follows the frames in flight, not the trace; the last frame resolved
 * can be asked for again. Once a reference comes with its send (`SENT_RECORD`, a live run), it
 * keeps no sends: on a tenth of the scale scenario two readers (the summary and the
 * expectations) each kept up to 1,000 and did 330,000 map operations for what the record holds.
 */
export class FrameResolver {
  private readonly pending = new Map<number, TracedFrame>();
  private lastSeq = -1;
  private last: TracedFrame | null = null;
  /** References come with their sends: none is kept. */
  private linked = false;

  /** Notes a record as it streams: an `msrp.send` is kept until a receive refers to it. */
  see(record: { seq: number; type: string }): void {
    if (record.type === 'msrp.send' && !this.linked) this.pending.set(record.seq, record as TraceRecord<'msrp.send'>);
  }

  /**
   * The frame an `msrp.recv` read: the record itself when it is in full, the frame of the send it
   * refers to otherwise, or null for a reference to a send this resolver has not seen (a trace cut
   * before it; a trace read from a file is checked for those when it is read).
   */
  frameOf(record: TraceRecord<'msrp.recv'>): TracedFrame | null {
    if (record.sent === undefined) return record;
    const sent = record[SENT_RECORD];
    if (sent !== undefined) {
      if (!this.linked) {
        this.linked = true;
        this.pending.clear();
      }
      return sent;
    }
    if (record.seq === this.lastSeq) return this.last;
    const frame = this.pending.get(record.sent) ?? null;
    if (frame) this.pending.delete(record.sent);
    this.lastSeq = record.seq;
    this.last = frame;
    return frame;
  }

  /** Sends seen and not yet read: frames in flight, or lost with their connection. */
  get inFlight(): number {
    return this.pending.size;
  }
}
