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

/** What the reader of a streamed request knows of its body (it does not hold it). */
export interface StreamedBody {
  bodyLength: number;
  /** Every piece equalled the body of the frame `peek` gave when the request's head was read. */
  bodyEqual: boolean;
}

export class FrameLedger {
  private readonly queues = new Map<string, WrittenQueue>();

  /**
   * The queue of frames written on connection `conn` and not yet read: the writing and the reading
   * connection each keep it (taken once), so that a frame costs no lookup by connection id.
   */
  queue(conn: string): WrittenQueue {
    let queue = this.queues.get(conn);
    if (!queue) this.queues.set(conn, (queue = new WrittenQueue()));
    return queue;
  }
}

/**
 * The frames written on one connection and not yet read at the other end, oldest first: the
 * `msrp.send` records and the frames as written, in two arrays read from `head` on (no object
 * per frame, no shift; entries before `head` are let go).
 */
export class WrittenQueue {
  private sents: (TraceRecord<'msrp.send'> | undefined)[] = [];
  private frames: (MsrpFrame | undefined)[] = [];
  private head = 0;
  /** The reading end has closed: nothing written from now on will be read, so nothing is kept. */
  private ended = false;

  /** `frame` was written on the connection and traced as record `sent`. */
  wrote(sent: TraceRecord<'msrp.send'>, frame: MsrpFrame): void {
    if (this.ended) return;
    this.sents.push(sent);
    this.frames.push(frame);
  }

  /**
   * A frame was read at the other end: the `msrp.send` record it is, or null (trace it in full).
   * `streamed`: a request whose body the reader handed on as it came instead of holding it: its
   * length, and whether its pieces equalled the body of the frame `peek` gave.
   */
  read(frame: MsrpFrame, streamed: StreamedBody | null = null): TraceRecord<'msrp.send'> | null {
    const at = this.head;
    if (at === this.frames.length || frame.violations.length > 0) return null;
    if (!sameFrame(this.frames[at]!, frame, streamed)) return null;
    const sent = this.sents[at]!;
    if (at + 1 === this.frames.length) {
      // Read up to what was written (nearly always): start the arrays over.
      this.sents.length = 0;
      this.frames.length = 0;
      this.head = 0;
    } else {
      this.sents[at] = undefined;
      this.frames[at] = undefined;
      this.head = at + 1;
      if (at > 1024 && at * 2 > this.frames.length) this.compact();
    }
    return sent;
  }

  /** The frame a streamed request being read would be, if it matches: the first one written. */
  peek(): MsrpFrame | null {
    return this.frames[this.head] ?? null;
  }

  /** The reading end is gone: what was written and not read never will be. */
  end(): void {
    this.ended = true;
    this.sents = [];
    this.frames = [];
    this.head = 0;
  }

  private compact(): void {
    this.sents = this.sents.slice(this.head);
    this.frames = this.frames.slice(this.head);
    this.head = 0;
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
