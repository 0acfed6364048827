/**
 * What a stateful firewall (firewall.ts) keeps of one tracked TCP connection, and the in-order
 * feeding of its payload to an inspector: a segment ahead of a gap is kept (up to a bound) and
 * inspected when the gap is filled.
 */
import type { Timer } from '../sim/scheduler.js';
import type { NetSegment } from './net-contracts.js';
import type { Endpoint, FirewallDirection, FlowInfo, Inspector, InspectorVerdict } from './net-types.js';

/** Out-of-order payload an inspecting firewall keeps per direction of a connection. */
const MAX_INSPECT_AHEAD = 262144;

/** One direction's inspection state. */
export interface InspectStream {
  /** Wire sequence number of the next byte to inspect; -1 until known. */
  next: number;
  ahead: Array<{ seq: number; data: Uint8Array }>;
  aheadBytes: number;
}

/** What is remembered of an expired connection, for `idle-timeout` verdicts. */
export interface Expired {
  flow: string;
  reverse: string;
  natKey: string | null;
  conn: string;
  direction: FirewallDirection;
}

/** A tracked connection. */
export class Flow implements FlowInfo {
  nat: Endpoint | null = null;
  /** `ip:port` of the NAT endpoint, of the initiator and of the responder (inside view). */
  natText: string | null = null;
  readonly initiatorText: string;
  readonly responderText: string;
  natKey: string | null = null;
  /** False once removed from the firewall's tables. */
  tracked = true;
  lastSeen: number;
  timer: Timer | null = null;
  closing = false;
  finFromInitiator = false;
  finFromResponder = false;
  tlsPending: { rule: string; mode: 'drop' | 'reject' } | null = null;
  blocked: { rule: string; reason: string } | null = null;
  streams: [InspectStream, InspectStream] | null = null;
  /** Payload has crossed it (either way). */
  payloadSeen = false;
  /** It carried payload before the inspector was installed: its bytes are never inspected. */
  uninspected = false;

  constructor(
    readonly key: string,
    readonly reverseKey: string,
    readonly firewall: string,
    readonly direction: FirewallDirection,
    readonly initiator: Endpoint,
    readonly responder: Endpoint,
    readonly conn: string,
    readonly rule: string,
    now: number,
  ) {
    this.lastSeen = now;
    this.initiatorText = `${initiator.address}:${initiator.port}`;
    this.responderText = `${responder.address}:${responder.port}`;
  }
}

/** The two directions' inspection state of `flow`, made on first use. */
export function streamsOf(flow: Flow): [InspectStream, InspectStream] {
  if (flow.streams === null) {
    flow.streams = [
      { next: -1, ahead: [], aheadBytes: 0 },
      { next: -1, ahead: [], aheadBytes: 0 },
    ];
  }
  return flow.streams;
}

/**
 * Feeds the segment's new in-order bytes of one direction of `flow` (and any buffered ones they
 * unblock) to the inspector; null when the segment is ahead of a gap (kept, up to a bound) or old.
 */
export function inspectInOrder(flow: Flow, stream: InspectStream, direction: FirewallDirection, seg: NetSegment, inspector: Inspector): InspectorVerdict | null {
  if (stream.next < 0) stream.next = seg.seq;
  const payload = seg.payload!;
  const offset = (seg.seq - stream.next) | 0;
  if (offset > 0) {
    if (stream.aheadBytes + payload.length <= MAX_INSPECT_AHEAD) {
      stream.ahead.push({ seq: seg.seq, data: payload.slice() });
      stream.aheadBytes += payload.length;
    }
    return null;
  }
  if (-offset >= payload.length) return null;
  const fresh = offset === 0 ? payload : payload.subarray(-offset);
  stream.next = (stream.next + fresh.length) >>> 0;
  let verdict = inspector(flow, direction, fresh);
  while (verdict.verdict === 'pass' && stream.ahead.length > 0) {
    let progressed = false;
    for (let i = 0; i < stream.ahead.length; i++) {
      const e = stream.ahead[i]!;
      const d = (e.seq - stream.next) | 0;
      if (d > 0) continue;
      stream.ahead.splice(i, 1);
      stream.aheadBytes -= e.data.length;
      progressed = true;
      if (-d < e.data.length) {
        const bytes = e.data.subarray(-d);
        stream.next = (stream.next + bytes.length) >>> 0;
        verdict = inspector(flow, direction, bytes);
      }
      break;
    }
    if (!progressed) break;
  }
  return verdict;
}
