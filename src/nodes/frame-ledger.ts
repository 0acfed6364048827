/**
 * Which frame read is which frame written, for trace format 2's references (docs/trace-format.md,
 * "A frame's bytes once"). TCP delivers a connection's bytes in order, so the frames read on a
 * connection are the frames written on its peer, in order. The ledger keeps, per connection, the
 * frames written on it and not yet read at the other end; a frame read is matched with the first
 * of them, and is a reference only when every field it was parsed into equals that frame's (the
 * start line, the headers in order, the continuation flag and the body). A frame that does not
 * match (raw bytes of the scenario between the frames, a real peer) is traced in full and leaves
 * the first one waiting, which is always correct.
 */
import type { MsrpFrame, MsrpRequest } from '../wire/frame.js';
import type { TraceRecord } from '../sim/trace.js';

/** A frame written and not yet read: its `msrp.send` record and the frame as written. */
export interface WrittenFrame {
  sent: TraceRecord<'msrp.send'>;
  frame: MsrpFrame;
}

/** What the reader of a streamed request knows of its body (it does not hold it). */
export interface StreamedBody {
  bodyLength: number;
  /** Every piece equalled the body of the frame `peek` gave when the request's head was read. */
  bodyEqual: boolean;
}

export class FrameLedger {
  private readonly written = new Map<string, WrittenFrame[]>();

  /** `frame` was written on connection `conn` and traced as record `sent`. */
  wrote(conn: string, sent: TraceRecord<'msrp.send'>, frame: MsrpFrame): void {
    let queue = this.written.get(conn);
    if (!queue) this.written.set(conn, (queue = []));
    queue.push({ sent, frame });
  }

  /**
   * A frame was read from the peer connection `peer`: the `msrp.send` record it is, or null
   * (trace it in full). `streamed`: a request whose body the reader handed on as it came instead
   * of holding it: its length, and whether its pieces equalled the body of `peek(peer)`.
   */
  read(peer: string, frame: MsrpFrame, streamed: StreamedBody | null = null): TraceRecord<'msrp.send'> | null {
    const queue = this.written.get(peer);
    if (!queue || queue.length === 0 || frame.violations.length > 0) return null;
    const first = queue[0]!;
    if (!sameFrame(first.frame, frame, streamed)) return null;
    queue.shift();
    return first.sent;
  }

  /** The frame a streamed request being read would be, if it matches: the first one written. */
  peek(peer: string): MsrpFrame | null {
    return this.written.get(peer)?.[0]?.frame ?? null;
  }

  /** Connection `conn` is gone: what it wrote and was not read never will be. */
  closed(conn: string): void {
    this.written.delete(conn);
  }
}

function sameFrame(a: MsrpFrame, b: MsrpFrame, streamed: StreamedBody | null): boolean {
  if (a.kind !== b.kind || a.transactionId !== b.transactionId || a.continuation !== b.continuation) return false;
  if (a.kind === 'request') {
    const r = b as MsrpRequest;
    if (a.method !== r.method) return false;
    if (streamed) {
      if (a.body === null || a.body.length !== streamed.bodyLength || !streamed.bodyEqual) return false;
    } else if (!sameBody(a.body, r.body)) return false;
  } else if (b.kind !== 'response' || a.statusCode !== b.statusCode || a.comment !== b.comment) return false;
  const ha = a.headers;
  const hb = b.headers;
  if (ha.length !== hb.length) return false;
  for (let i = 0; i < ha.length; i++) {
    if (ha[i]![0] !== hb[i]![0] || ha[i]![1] !== hb[i]![1]) return false;
  }
  return true;
}

function sameBody(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
