/**
 * Puts each direction of each TCP connection back in byte order from captured segments:
 * retransmissions and duplicates are dropped, overlaps trimmed, segments that arrive early held
 * until the bytes before them are there. Pure; the caller feeds segments in capture order.
 */
import { endpointLabel, type TcpSegment } from './pcap-reader.js';

export type ReassemblyEvent =
  /** Bytes that continue the stream at `offset` (stream byte offset, from 0). */
  | { kind: 'data'; stream: string; offset: number; bytes: Uint8Array }
  /** Bytes the capture never had; the stream continues after them. */
  | { kind: 'gap'; stream: string; offset: number; missing: number }
  /** A new connection on the same addresses and ports (a new SYN): the stream starts over. */
  | { kind: 'restart'; stream: string };

interface Pending {
  offset: number;
  bytes: Uint8Array;
}

interface Direction {
  label: string;
  /** Sequence number of stream offset 0. */
  base: number;
  /** ISN when the SYN was seen, to tell a retransmitted SYN from a new connection. */
  isn: number | null;
  /** Offset of the next byte expected. */
  next: number;
  /**
   * Segments that arrived early: a binary min-heap by offset (the longer first at one offset), so
   * that a capture of n segments in any order is put back together in O(n log n).
   */
  pending: Pending[];
}

/** "10.0.0.1:5000 -> 10.0.0.2:2855" */
export function streamLabel(s: TcpSegment): string {
  return `${endpointLabel(s.src, s.srcPort)} -> ${endpointLabel(s.dst, s.dstPort)}`;
}

export class TcpReassembler {
  private readonly directions = new Map<string, Direction>();

  /** Labels of the streams seen so far, in order of their first segment. */
  get streams(): string[] {
    return [...this.directions.keys()];
  }

  /** Whether the capture holds the start of the stream (its SYN), so stream byte 0 is the first byte sent. */
  startSeen(stream: string): boolean {
    const dir = this.directions.get(stream);
    return dir !== undefined && dir.isn !== null;
  }

  push(seg: TcpSegment): ReassemblyEvent[] {
    const label = streamLabel(seg);
    const events: ReassemblyEvent[] = [];
    let dir = this.directions.get(label);
    if (seg.syn) {
      if (dir !== undefined && dir.isn !== null && dir.isn === seg.seq) {
        // A retransmitted SYN: nothing new.
      } else {
        if (dir !== undefined && (dir.isn !== null || dir.next > 0 || dir.pending.length > 0)) {
          this.flush(dir, events);
          events.push({ kind: 'restart', stream: label });
        }
        dir = { label, base: (seg.seq + 1) >>> 0, isn: seg.seq, next: 0, pending: [] };
        this.directions.set(label, dir);
      }
    }
    if (dir === undefined) {
      // The capture began after the handshake: the first segment seen starts the stream.
      dir = { label, base: seg.seq, isn: null, next: 0, pending: [] };
      this.directions.set(label, dir);
    }
    let payload = seg.payload;
    if (payload.length === 0) return events;
    // Sequence arithmetic modulo 2^32: the signed distance from the next expected byte.
    const seqOfPayload = seg.syn ? (seg.seq + 1) >>> 0 : seg.seq;
    const expected = (dir.base + dir.next) >>> 0;
    const delta = (seqOfPayload - expected) | 0;
    let offset = dir.next + delta;
    if (delta < 0) {
      // Retransmission: keep only what lies beyond what was already delivered.
      if (payload.length <= -delta) return events;
      payload = payload.subarray(-delta);
      offset = dir.next;
    }
    if (offset > dir.next) {
      heapPush(dir.pending, { offset, bytes: payload });
      return events;
    }
    events.push(this.deliver(dir, payload));
    this.drain(dir, events);
    return events;
  }

  /**
   * Ends the capture: what is still held behind a hole comes out after a `gap` event, so the
   * caller can report the loss and restart its parsing there.
   */
  finish(): ReassemblyEvent[] {
    const events: ReassemblyEvent[] = [];
    for (const dir of this.directions.values()) this.flush(dir, events);
    return events;
  }

  private flush(dir: Direction, events: ReassemblyEvent[]): void {
    while (dir.pending.length > 0) {
      const first = dir.pending[0] as Pending;
      if (first.offset > dir.next) {
        events.push({ kind: 'gap', stream: dir.label, offset: dir.next, missing: first.offset - dir.next });
        dir.next = first.offset;
      }
      this.drain(dir, events);
    }
  }

  private deliver(dir: Direction, bytes: Uint8Array): ReassemblyEvent {
    const event: ReassemblyEvent = { kind: 'data', stream: dir.label, offset: dir.next, bytes };
    dir.next += bytes.length;
    return event;
  }

  /** Delivers held segments that now continue the stream; drops those already covered. */
  private drain(dir: Direction, events: ReassemblyEvent[]): void {
    while (dir.pending.length > 0) {
      const first = dir.pending[0] as Pending;
      if (first.offset > dir.next) return;
      heapPop(dir.pending);
      const skip = dir.next - first.offset;
      if (skip >= first.bytes.length) continue;
      events.push(this.deliver(dir, first.bytes.subarray(skip)));
    }
  }
}

/** Heap order: the smaller offset first; at one offset, the longer segment (it covers the other). */
function before(a: Pending, b: Pending): boolean {
  return a.offset < b.offset || (a.offset === b.offset && a.bytes.length > b.bytes.length);
}

function heapPush(heap: Pending[], item: Pending): void {
  let i = heap.length;
  heap.push(item);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(item, heap[parent]!)) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = item;
}

function heapPop(heap: Pending[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const r = l + 1;
    const child = r < heap.length && before(heap[r]!, heap[l]!) ? r : l;
    if (!before(heap[child]!, last)) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
}
