/**
 * The flow of a run as the diagrams see it: nodes (lanes), links, arrows (an MSRP frame from its
 * `msrp.send` to its `msrp.recv`, a SIP message, a TCP connection attempt), what ended an arrow
 * that never arrived, and markers. Types only; flow-collector.ts builds it from trace records.
 */
import type { Micros } from '../sim/time.js';
import type { NodeRole, TopologyInfo } from './topology-info.js';

export interface NodeFacts {
  id: string;
  role: NodeRole;
  host: string | null;
  address: string | null;
  names: string[];
  inside: string[];
  profile: string | null;
  /** Declaration order (topology first, then first appearance in the trace). */
  order: number;
}

export interface LinkFacts {
  a: string;
  b: string;
  latency: Micros | null;
  /** Bit/s; null: unlimited (or not known). */
  bandwidth: number | null;
  jitter: Micros | null;
  loss: number | null;
  /** False once a `fault.link-down` took it down and no `fault.link-up` brought it back. */
  up: boolean;
}

export type ArrowKind = 'msrp' | 'sip' | 'tcp' | 'raw';

export interface ArrowEnd {
  /** drop: a middlebox or link dropped it; lost: it never arrived (no drop seen); refused/reset: TCP said no. */
  kind: 'drop' | 'lost' | 'refused' | 'malformed';
  /** The node at which the arrow ends (the one that dropped it, or the intended receiver). */
  at: string;
  t: Micros;
  seq: number;
  reason: string;
  rule?: string;
  /** How many times it happened (retransmissions dropped again). */
  count: number;
}

export interface ArrowNote {
  node: string;
  t: Micros;
  text: string;
  rule?: string;
  error: boolean;
  /** A TCP-level event (a segment lost and retransmitted): the ladder draws it in its TCP layer. */
  tcp?: boolean;
}

export interface PathChange {
  node: string;
  rule: string;
  toRemoved: string[];
  fromAdded: string[];
  toBefore: string[];
  fromBefore: string[];
}

export interface Arrow {
  id: number;
  kind: ArrowKind;
  from: string;
  to: string;
  t0: Micros;
  seq0: number;
  /** Arrival, or null when it never arrived (then `end` says why, when known). */
  t1: Micros | null;
  seq1: number | null;
  /** `SEND nH9E3x5ZbUeb`, `200 OK dUsNZqFPDw2n`, `INVITE (SDP)`, `connect (TLS)`. */
  label: string;
  /** `1-2048/5000 +`, `000 408`, ... ('' when nothing to add). */
  sub: string;
  /** Non-200 status, error REPORT, SIP error, drop. */
  error: boolean;
  method: string | null;
  status: number | null;
  transactionId: string | null;
  conn: string | null;
  session: string | null;
  toPath: string[];
  fromPath: string[];
  /** The rule that made the sender send it. */
  rule: string | null;
  /** The frame or SIP message as text (long or binary bodies shortened; see `frameText`). */
  text: string;
  end: ArrowEnd | null;
  notes: ArrowNote[];
  pathChange: PathChange | null;
  /** MSRP: the frame's byte length and stream offset on its connection. */
  length: number | null;
  offset: number | null;
  /** MSRP requests: the Message-ID, by which the ladder groups the chunks of one message. */
  messageId?: string;
  /** MSRP requests: the Byte-Range (end and total null for `*`). */
  byteRange?: ByteRangeFacts;
}

export interface ByteRangeFacts {
  start: number;
  end: number | null;
  total: number | null;
}

export interface Marker {
  t: Micros;
  seq: number;
  node: string;
  text: string;
  kind: 'ok' | 'info' | 'error';
  rule?: string;
}

export interface SessionFacts {
  id: string;
  offerer: string | null;
  answerer: string | null;
  /** Node ids along the MSRP path, offerer first (from session.established or the paths seen). */
  path: string[];
  established: boolean;
  failed: string | null;
}

export interface FlowModel {
  nodes: NodeFacts[];
  /** Node ids in lane order: senders, then relays and firewalls by distance, then receivers. */
  lanes: string[];
  links: LinkFacts[];
  arrows: Arrow[];
  markers: Marker[];
  sessions: SessionFacts[];
  /** Routes as last recorded: `src>dst` -> node ids. */
  routes: Map<string, string[]>;
  /** Arrows not kept because of `maxArrows`. */
  omittedArrows: number;
  /** Virtual time of the last record. */
  end: Micros;
  /** Names an URI by its node id when its host is known, else its host. */
  nodeOfUri(uri: string): string;
}

export interface FlowOptions {
  topology?: TopologyInfo;
  /** Arrows kept for the diagrams (default 20,000); further ones are counted only. */
  maxArrows?: number;
  /** Longest text body kept in an arrow's frame text (default 16 KiB); binary bodies keep a hex preview. */
  maxBodyText?: number;
}
