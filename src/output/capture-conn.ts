/**
 * What the capture (pcap.ts) keeps per connection and per packet to be, and how a packet is made
 * from it once the connection has settled.
 */
import type { Micros } from '../sim/time.js';
import type { Packet } from './capture-packets.js';
import type { SipSent } from './capture-sip.js';
import { ruleLabel } from './rules.js';

/** A segment a connection sent (its hop-0 `tcp.segment` record). */
export interface SentSegment {
  t: Micros;
  rec: number;
  seqNo: number;
  ackNo: number;
  flags: string;
  len: number;
  rule: string | undefined;
}

export interface Frame {
  offset: number;
  bytes: Uint8Array;
  /** The msrp.send or msrp.raw record. */
  rec: number;
  type: string;
  /** `SEND 8zs3D2iyer4W`, `200 8zs3D2iyer4W`, `raw bytes`. */
  label: string;
  /** The rule behind the frame: its record's, or that of the decision record naming it. */
  rule: string | null;
}

/** The first transmission of stream bytes `start`..`end` (retransmissions are not counted). */
export interface Sent {
  start: number;
  end: number;
  t: Micros;
  rec: number;
  ackNo: number;
}

/** What a connection's packets are made with, fixed once it has settled. */
export interface ConnView {
  src: string;
  dst: string;
  srcNode: string;
  dstNode: string;
  /** The initial sequence number moved on by this side's TLS bytes. */
  base: number;
  /** The sequence number of the first byte after the TLS bytes. */
  firstData: number;
  /** The same for the other side (ACKs before it are moved to it), or null. */
  peerBase: number | null;
  mss: number;
}

export interface ConnState {
  id: string;
  /** The node that owns this side of the connection. */
  node: string | null;
  isn: number | null;
  /** `ip:port` of this side and of the other, as the accepting side saw them. */
  local: string | null;
  remote: string | null;
  peer: string | null;
  tls: boolean;
  tlsBytes: number;
  mss: number;
  /** Its numbers and addresses change no more: the handshake is done (TLS too), or it ended. */
  settled: boolean;
  /** It puts no byte on the wire for the first time any more (its FIN went, or it ended). */
  dataOver: boolean;
  view: ConnView | null;
  /** First transmissions that may still cover a frame not yet recorded (from `sentFrom`). */
  sent: Sent[];
  sentFrom: number;
  /** End of the first transmissions so far (stream offset), -1 before any. */
  sentEnd: number;
  /**
   * Stream bytes 0 .. claimedEnd are all claimed by a record (TLS flights, frames, raw bytes):
   * no frame recorded later starts before it. Claimed ranges after a gap wait in `claims` (raw
   * bytes written while a chunk streams are traced before the chunk, which is traced at its end).
   */
  claimedEnd: number;
  claims: [start: number, end: number][];
  /** No record will claim bytes on the wire any more (TLS failed: its alert is no frame). */
  claimsOver: boolean;
  /** Frames with a piece not on the wire yet, in stream order, and that piece's first byte. */
  waiting: { f: Frame; k: number; first: Sent | null }[];
  /** Where the handshake's ACK of an msrps initiator is looked for: 0 before the SYN, 1 after, 2 done. */
  synPhase: 0 | 1 | 2;
}

/** A packet to be, in the capture's order (t, rec, sub). */
export interface PacketSlot {
  t: Micros;
  rec: number;
  sub: number;
  kind: (typeof PacketKind)[keyof typeof PacketKind];
  conn: ConnState | null;
  seg: SentSegment | Sent | null;
  frame: Frame | null;
  /** The piece of the frame: its first byte's index. */
  k: number;
  /** A SIP message. */
  sip: SipSent | null;
}

/** What a slot makes: a control segment's packet, an msrps handshake's ACK, a frame's piece, SIP. */
export const PacketKind = { Control: 0, HandshakeAck: 1, Piece: 2, Sip: 3 } as const;

/** Largest TCP payload per packet: an IPv4 packet is at most 65,535 bytes. */
export const MAX_PAYLOAD = 65_000;

/** A connection's state before any record about it. */
export function newConn(id: string): ConnState {
  return { id, node: null, isn: null, local: null, remote: null, peer: null, tls: false, tlsBytes: 0, mss: 1460, settled: false, dataOver: false, view: null, sent: [], sentFrom: 0, sentEnd: -1, claimedEnd: 0, claims: [], claimsOver: false, waiting: [], synPhase: 0 };
}

/** The packet of a slot of a connection whose view is `v`; null where there is none (a piece past what was sent). */
export function makePacket(s: PacketSlot, v: ConnView): Packet | null {
  const c = s.conn!;
  const fixAck = (ack: number, flags: string): number => (!flags.includes('A') || v.peerBase === null ? ack : seqBefore(ack, v.peerBase) ? v.peerBase : ack);
  const { src, dst, srcNode, dstNode } = v;
  if (s.kind === PacketKind.Control) {
    // SYN, SYN-ACK, pure ACK, FIN, RST: payload-free ones as they were; a FIN or RST riding on
    // data gets a packet of its own after the data (which the frame packets carry).
    const seg = s.seg as SentSegment;
    const syn = seg.flags.includes('S');
    let seq = seg.seqNo;
    if (syn) seq = v.base;
    else if (seqBefore(seq, v.firstData)) seq = v.firstData;
    if (seg.len > 0) seq = (seg.seqNo + seg.len) >>> 0;
    const flags = seg.len > 0 ? seg.flags.replace('P', '') : seg.flags;
    const comment = `seq=${seg.rec} tcp.segment ${flagNames(flags)} from ${srcNode}${ruleText(seg.rule)}`;
    return { t: s.t, rec: s.rec, sub: s.sub, src, dst, seq, ack: fixAck(seg.ackNo, seg.flags), flags, payload: null, mss: syn ? v.mss : null, srcNode, dstNode, comment, sip: false };
  }
  if (s.kind === PacketKind.HandshakeAck) {
    // The initiator of an msrps connection acknowledged the SYN-ACK on its first TLS flight,
    // which is not in the capture: the handshake's ACK gets a packet of its own.
    if (c.tlsBytes === 0) return null;
    const seg = s.seg as SentSegment;
    const comment = `seq=${seg.rec} tcp.segment ACK from ${srcNode} (the handshake's ACK, sent with the first TLS bytes, which are not in the capture)`;
    return { t: s.t, rec: s.rec, sub: s.sub, src, dst, seq: v.firstData, ack: fixAck(seg.ackNo, 'A'), flags: 'A', payload: null, mss: null, srcNode, dstNode, comment, sip: false };
  }
  // A frame's piece (the whole frame, unless it is larger than an IPv4 packet), cut where the
  // connection stopped sending.
  const f = s.frame!;
  const seg = s.seg as Sent;
  const length = Math.min(f.bytes.length, Math.max(c.sentEnd, 0) - f.offset);
  if (s.k >= length) return null;
  const n = Math.min(MAX_PAYLOAD, length - s.k);
  const part = n < f.bytes.length ? ` (bytes ${s.k + 1}-${s.k + n} of ${f.bytes.length})` : '';
  return {
    t: s.t,
    rec: s.rec,
    sub: s.sub,
    src,
    dst,
    seq: (c.isn! + 1 + f.offset + s.k) >>> 0,
    ack: fixAck(seg.ackNo, 'A'),
    flags: 'PA',
    payload: f.bytes.subarray(s.k, s.k + n),
    mss: null,
    srcNode,
    dstNode,
    comment: `seq=${f.rec} ${f.type} ${f.label} from ${srcNode}${part}, first on the wire in tcp.segment seq=${seg.rec}${ruleText(f.rule ?? undefined)}`,
    sip: false,
  };
}

export function ipOf(endpoint: string): string {
  return endpoint.slice(0, endpoint.lastIndexOf(':'));
}

const FLAG_NAMES: [string, string][] = [['S', 'SYN'], ['F', 'FIN'], ['R', 'RST'], ['P', 'PSH'], ['A', 'ACK']];

function flagNames(flags: string): string {
  return FLAG_NAMES.filter(([f]) => flags.includes(f)).map(([, n]) => n).join(',');
}

function ruleText(rule: string | undefined): string {
  return rule === undefined ? '' : `, rule ${ruleLabel(rule)}`;
}

/** The first transmission holding stream byte `offset`, among `sent[from..]`. */
export function covering(sent: readonly Sent[], from: number, offset: number): Sent | undefined {
  let lo = from;
  let hi = sent.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sent[mid]!;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/** a < b in 32-bit sequence space. */
export function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

