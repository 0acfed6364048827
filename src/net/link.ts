/**
 * A link between two nodes: one-way latency, jitter, bandwidth with a FIFO queue per direction,
 * loss and an MSS. Links are symmetric: both directions share the settings, each has its own queue.
 *
 * Timing of a segment entering a direction at time t (all integer µs):
 *   start   = max(t, end of the previous segment's transmission)      FIFO queue
 *   end     = start + ceil((len + 40) * 8 / bandwidth)                40 = IPv4 + TCP headers
 *   arrival = max(end + latency + jitter draw, previous arrival)      never overtakes
 * The last clamp makes a direction first-in first-out for every segment, which is stronger than
 * "never reorder one connection's bytes" and needs no per-connection state.
 */
import type { Rng } from '../sim/random.js';
import type { NetCore, NetDirection, NetLink, NetNode, NetSegment } from './net-contracts.js';
import type { LinkOptions, SegmentInfo } from './net-types.js';
import { HEADER_BYTES, flagLetters, EMPTY, segmentFields } from './segment.js';

/** A tap or a `dropSegment` fault: returns true to drop the segment. */
export interface Interceptor {
  readonly kind: 'tap' | 'fault';
  readonly check: (segment: SegmentInfo) => boolean;
}

/** The canonical id of the link between `a` and `b`: the ids in sorted order, so declaration order does not matter. */
export function linkId(a: string, b: string): string {
  return a < b ? `${a}<>${b}` : `${b}<>${a}`;
}

export class LinkDirection implements NetDirection {
  /** When the transmitter is free again. */
  private busyUntil = 0;
  private lastArrival = 0;

  constructor(
    readonly link: Link,
    readonly from: NetNode,
    readonly to: NetNode,
  ) {}

  /** Transmits a segment from `from` towards `to`. */
  send(seg: NetSegment): void {
    const link = this.link;
    const core = link.core;
    const sim = core.sim;
    if (!link.up || link.cut) {
      core.drop(seg, this.from.id, link.id, link.up ? 'partition' : 'link-down');
      return;
    }
    if (link.interceptors.length > 0 && this.intercepted(seg)) return;
    const opts = link.options;
    const now = sim.now;
    const start = this.busyUntil > now ? this.busyUntil : now;
    let end = start;
    if (opts.bandwidth !== Infinity) {
      const bytes = seg.len + HEADER_BYTES;
      const queued = ((start - now) * opts.bandwidth) / 8e6;
      if (queued + bytes > opts.queueLimit) {
        core.drop(seg, this.from.id, link.id, 'queue-full');
        return;
      }
      end = start + Math.ceil((bytes * 8e6) / opts.bandwidth);
      this.busyUntil = end;
    }
    let arrival = end + opts.latency;
    if (opts.jitter > 0) arrival += Math.floor(link.jitterRng() * opts.jitter);
    if (arrival < this.lastArrival) arrival = this.lastArrival;
    this.lastArrival = arrival;
    // The fields of `segmentFields`, spelled out: `link` and `to` come between `conn` and `src` in
    // this record (the trace's key order), and a spread in the middle of a literal costs more than
    // the rest of the record on this path, once per segment per hop. The type (SegmentFields & ...)
    // still checks that no field is missing.
    // Built only when something reads it (Trace.wantsSegment): its seq is taken either way.
    if (sim.trace.wantsSegment()) {
      sim.trace.emit(this.from.id, 'tcp.segment', {
        conn: seg.conn,
        link: link.id,
        to: this.to.id,
        src: seg.src,
        dst: seg.dst,
        seqNo: seg.seq,
        ackNo: seg.ack,
        flags: flagLetters(seg.flags),
        len: seg.len,
        hop: seg.hops,
        arrival,
      });
    }
    seg.hops++;
    if (opts.loss > 0 && link.lossRng() < opts.loss) {
      core.drop(seg, this.from.id, link.id, 'loss');
      return;
    }
    seg.wire = this;
    seg.wireEpoch = link.epoch;
    let land = seg.arrive;
    if (land === null) land = seg.arrive = () => seg.wire!.land(seg);
    sim.scheduler.at(arrival, land);
  }

  /** The segment reaches the far end, unless the link went down (or was cut) while it was on the wire. */
  land(seg: NetSegment): void {
    const link = this.link;
    if (link.epoch !== seg.wireEpoch) {
      link.core.drop(seg, this.from.id, link.id, link.interruption);
      return;
    }
    this.to.arrive(seg, this);
  }

  /** The link went down or was cut: the queue is gone with it. */
  clearQueue(now: number): void {
    this.busyUntil = now;
    this.lastArrival = now;
  }

  private intercepted(seg: NetSegment): boolean {
    const info: SegmentInfo = Object.assign(segmentFields(seg), {
      link: this.link.id,
      from: this.from.id,
      to: this.to.id,
      payload: seg.payload ?? EMPTY,
    });
    // Every interceptor sees the segment (so each counts it), in the order they were added.
    let drop: 'tap' | 'fault' | null = null;
    for (const i of [...this.link.interceptors]) if (i.check(info) && drop === null) drop = i.kind;
    if (drop !== null) this.link.core.drop(seg, this.from.id, this.link.id, drop);
    return drop !== null;
  }
}

export class Link implements NetLink {
  readonly id: string;
  up = true;
  /** Cut by a partition. */
  cut = false;
  /** Bumped when the link goes down or is cut, so segments on the wire at that moment are lost. */
  epoch = 0;
  /** What the last interruption was, for the record of segments it caught on the wire. */
  interruption: 'link-down' | 'partition' = 'link-down';
  readonly ab: LinkDirection;
  readonly ba: LinkDirection;
  readonly interceptors: Interceptor[] = [];
  private _jitterRng: Rng | null = null;
  private _lossRng: Rng | null = null;

  constructor(
    readonly core: NetCore,
    readonly a: NetNode,
    readonly b: NetNode,
    public options: LinkOptions,
  ) {
    this.id = linkId(a.id, b.id);
    this.ab = new LinkDirection(this, a, b);
    this.ba = new LinkDirection(this, b, a);
  }

  /** The link's jitter stream, made on first use (a stream holds kilobytes of state; most links never draw). */
  get jitterRng(): Rng {
    return (this._jitterRng ??= this.core.sim.rng(this.id, 'jitter'));
  }

  get lossRng(): Rng {
    return (this._lossRng ??= this.core.sim.rng(this.id, 'loss'));
  }

  get usable(): boolean {
    return this.up && !this.cut;
  }

  /** The direction leaving `node`. */
  from(node: NetNode): LinkDirection {
    return node === this.a ? this.ab : this.ba;
  }

  /** Goes down (or is cut): segments on the wire are lost, queues emptied. */
  interrupt(why: 'link-down' | 'partition'): void {
    this.epoch++;
    this.interruption = why;
    const now = this.core.sim.now;
    this.ab.clearQueue(now);
    this.ba.clearQueue(now);
  }
}
