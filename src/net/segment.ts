/**
 * A TCP segment in flight. One object per transmission (a retransmission is a new object), so a
 * NAT firewall may rewrite its header in place. The payload is a view of the sender's bytes.
 */
import type { NetDirection, NetSegment, ResetCause, Route } from './net-contracts.js';
import type { SegmentFields } from './net-types.js';

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const PSH = 8;
export const ACK = 16;

/** Segment header + IPv4 header bytes counted for serialization delay (no options, no Ethernet). */
export const HEADER_BYTES = 40;

const FLAG_LETTERS: string[] = [];
for (let bits = 0; bits < 32; bits++) {
  let s = '';
  if (bits & FIN) s += 'F';
  if (bits & SYN) s += 'S';
  if (bits & RST) s += 'R';
  if (bits & PSH) s += 'P';
  if (bits & ACK) s += 'A';
  FLAG_LETTERS.push(s);
}

/** `SA`, `PA`, `FA`, ...: letters in the order F S R P A. */
export function flagLetters(flags: number): string {
  return FLAG_LETTERS[flags & 31]!;
}

export class Segment implements NetSegment {
  /** `ip:port`, rebuilt when NAT rewrites the header. */
  src: string;
  dst: string;
  readonly len: number;
  /** The route it follows and the index of its next hop there. */
  route: Route | null = null;
  hop = 0;
  /** Links crossed so far (the `hop` field of records). */
  hops = 0;
  /** Set on RSTs a middlebox, a host without the connection or a fault injected. */
  cause: ResetCause | null = null;
  /**
   * The timestamps option (RFC 7323), which every segment of the model carries: the sender's clock
   * and the peer's last timestamp echoed (-1 when there is none yet). Not in trace records.
   */
  tsVal = -1;
  tsEcr = -1;
  /** The link direction it is crossing, the link's epoch when it entered, and its arrival event (one closure per segment, not per hop). */
  wire: NetDirection | null = null;
  wireEpoch = 0;
  arrive: (() => void) | null = null;

  constructor(
    /** Id of the sending connection (of the addressed one for injected RSTs). */
    readonly conn: string,
    /** Node that put it on the network. */
    readonly origin: string,
    public srcIp: string,
    public srcPort: number,
    public dstIp: string,
    public dstPort: number,
    readonly seq: number,
    readonly ack: number,
    readonly flags: number,
    readonly payload: Uint8Array | null,
    /** `srcIp:srcPort` and `dstIp:dstPort` when the caller has them (a connection keeps them, which spares a string per segment). */
    src?: string,
    dst?: string,
  ) {
    this.src = src ?? `${srcIp}:${srcPort}`;
    this.dst = dst ?? `${dstIp}:${dstPort}`;
    this.len = payload === null ? 0 : payload.length;
  }

  /** Rewrites the source (NAT); `text` is `ip:port` when the caller keeps it. */
  setSource(ip: string, port: number, text?: string): void {
    this.srcIp = ip;
    this.srcPort = port;
    this.src = text ?? `${ip}:${port}`;
  }

  /** Rewrites the destination (reverse NAT); the segment is routed afresh from where it is. */
  setDestination(ip: string, port: number, text?: string): void {
    this.dstIp = ip;
    this.dstPort = port;
    this.dst = text ?? `${ip}:${port}`;
    this.route = null;
  }
}

export const EMPTY = new Uint8Array(0);

/**
 * The header fields of `seg` as records and taps show them: the one place that names them. The
 * hottest record, `tcp.segment`, spells the same fields out in link.ts instead (see there why).
 */
export function segmentFields(seg: NetSegment): SegmentFields {
  return { conn: seg.conn, src: seg.src, dst: seg.dst, seqNo: seg.seq, ackNo: seg.ack, flags: flagLetters(seg.flags), len: seg.len };
}

/**
 * The RST a node sends back to the sender of `seg` (RFC 793 §3.4 "Reset Generation"): with the
 * segment's ACK as sequence number, or when it had none, sequence 0 acknowledging it.
 */
export function resetReply(seg: NetSegment, origin: string, cause: ResetCause): Segment {
  const hasAck = (seg.flags & ACK) !== 0;
  const consumed = seg.len + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
  const rst = new Segment(
    seg.conn,
    origin,
    seg.dstIp,
    seg.dstPort,
    seg.srcIp,
    seg.srcPort,
    hasAck ? seg.ack : 0,
    hasAck ? 0 : (seg.seq + consumed) >>> 0,
    hasAck ? RST : RST | ACK,
    null,
    seg.dst,
    seg.src,
  );
  rst.cause = cause;
  return rst;
}

/** The RST a middlebox sends on to the receiver of `seg`, as if from its sender (which it stands for). */
export function resetOnward(seg: NetSegment, origin: string, cause: ResetCause): Segment {
  const rst = new Segment(seg.conn, origin, seg.srcIp, seg.srcPort, seg.dstIp, seg.dstPort, seg.seq, seg.ack, RST | ACK, null, seg.src, seg.dst);
  rst.cause = cause;
  return rst;
}
