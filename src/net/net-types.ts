/**
 * The network layer's public option and record-facing types. All times are integer microseconds
 * of virtual time, sizes are bytes and bandwidths bit/s. This file imports nothing of src/net/
 * (net-contracts.ts builds on it); `ConnectionHandlers`, which names `TcpConnection`, lives in
 * tcp-connection.ts.
 */
import type { Micros } from '../sim/time.js';

/** Settings of one link; the network's `link` defaults fill whatever a link does not set. */
export interface LinkOptions {
  /** One-way propagation delay. */
  latency: Micros;
  /** Extra delay drawn uniformly in [0, jitter) per segment from `rng(linkId, 'jitter')`. */
  jitter: Micros;
  /** Bit/s; `Infinity` (the default) means no serialization delay. */
  bandwidth: number;
  /** Probability (0..1) that a segment is lost, drawn from `rng(linkId, 'loss')`. */
  loss: number;
  /** Largest TCP payload a segment may carry across this link. */
  mss: number;
  /** Bytes that may wait in one direction's queue; a segment that does not fit is dropped. */
  queueLimit: number;
}

export interface TcpOptions {
  /** Largest payload of a segment at the endpoints (the path's link MSS may lower it). */
  mss: number;
  /** Retransmission timeout before any round trip has been measured. */
  rtoInitial: Micros;
  /** Lower bound of the measured retransmission timeout. */
  rtoMin: Micros;
  /** Upper bound of the retransmission timeout, backoff included. */
  rtoMax: Micros;
  /** Retransmissions of one segment without progress before the connection aborts. */
  maxRetries: number;
  /** Time from connect until open (TCP and TLS handshakes) before the attempt fails. */
  connectTimeout: Micros;
  /** Bytes a sender may have in flight (the peer's advertised window, which never changes). */
  window: number;
  /**
   * Segments a sender may have in flight. There is no congestion control; this fixed cap (by
   * default 64 KiB / 1460, as a full window of full segments) keeps queues short when the MSS is small.
   */
  maxSegmentsInFlight: number;
  /** How long a lone data segment's ACK may wait for data to ride on (0: acknowledge every segment at once). */
  delayedAck: Micros;
  /** How long a connection closed by FIN keeps answering its peer's retransmitted FIN. */
  timeWait: Micros;
  /** After this side's FIN is acknowledged, how long the peer may stay silent before giving up on its FIN. */
  finWaitTimeout: Micros;
}

export interface NetworkOptions {
  /** Defaults for every link. */
  link?: Partial<LinkOptions>;
  tcp?: Partial<TcpOptions>;
}

export interface HostOptions {
  /** The host name (default: the id); it resolves to the host's address. */
  name?: string;
  /** IPv4 address; assigned from the address plan when absent. */
  address?: string;
  /** Further names that resolve to this host. */
  names?: string[];
}

export interface TlsClientOptions {
  /** Checked against the server certificate's names (exact, or a `*.` wildcard of one label). */
  serverName: string;
  /** Highest version this side speaks (default 1.3); the lower of both sides is used. */
  version?: '1.2' | '1.3';
  /** Names of the client certificate, presented when the server asks for one (mutual TLS). */
  certificateNames?: string[];
}

export interface TlsServerOptions {
  certificateNames: string[];
  /** Highest version this side speaks (default 1.3). */
  version?: '1.2' | '1.3';
  /** Ask the client for a certificate (mutual TLS when the client presents names). */
  requestClientCertificate?: boolean;
}

export interface ConnectTarget {
  /** A host name from the name table, or an IPv4 address. */
  host: string;
  port: number;
  tls?: TlsClientOptions;
  /** Overrides the network's `tcp.connectTimeout` for this attempt. */
  connectTimeout?: Micros;
}

export type CloseKind =
  | 'fin'
  | 'reset'
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'unresolved'
  | 'tls-failed'
  | 'aborted'
  | 'crash'
  | 'idle';

export interface CloseReason {
  kind: CloseKind;
  /** A sentence for people: who did what and why. */
  detail: string;
  /** The rule that caused it, when one did (a firewall rule id, `idle-timeout`, ...). */
  rule?: string;
}

export interface Endpoint {
  address: string;
  port: number;
}

export interface TlsState {
  version: '1.2' | '1.3';
  /** The names of the peer's certificate (the client's only in mutual TLS). */
  peerNames: string[];
  mutual: boolean;
}

/**
 * A segment's header fields as trace records (`tcp.segment`, `net.drop`, `fw.drop`, `fw.reject`)
 * and taps show them: `segmentFields` in segment.ts makes them.
 */
export interface SegmentFields {
  /** Id of the connection that sent it (for an injected RST: of the one whose segment caused it). */
  conn: string;
  /** `ip:port` as on the wire at this hop (after NAT, where one was crossed). */
  src: string;
  dst: string;
  /** TCP sequence and acknowledgement numbers (`seq` of a record is its own position in the trace). */
  seqNo: number;
  ackNo: number;
  /** TCP flags as letters in the order F S R P A: `S`, `SA`, `A`, `PA`, `FA`, `FPA`, `R`, `RA`. */
  flags: string;
  len: number;
}

/**
 * A segment as taps and `dropSegment` filters see it when it enters a link. `payload` is a view of
 * the sender's bytes, valid during the call: read it, never mutate or keep it.
 */
export interface SegmentInfo extends SegmentFields {
  link: string;
  from: string;
  to: string;
  payload: Uint8Array;
}

export type TapVerdict = 'pass' | 'drop';
export type Tap = (segment: SegmentInfo) => TapVerdict;

export type FirewallDirection = 'inbound' | 'outbound';

export interface FirewallRule {
  action: 'allow' | 'deny';
  /** Which connections it applies to (by who opened them); both when absent. */
  direction?: FirewallDirection;
  /** Destination port of the connection. */
  port?: number;
  /** Destination host of the connection: a host id, name or IPv4 address. */
  host?: string;
  /** Allow only connections whose first bytes from the initiator are a TLS handshake record. */
  tlsOnly?: boolean;
  /** For `deny` and `tlsOnly`: silently drop (the caller times out) or reject with RST. */
  mode?: 'drop' | 'reject';
  /** Named in trace records; default `<firewall id>#<1-based position>`. */
  id?: string;
}

export interface FirewallOptions {
  /** Host ids on the protected side; a connection opened by one of them is outbound. */
  inside: string[];
  rules?: FirewallRule[];
  /** Connection state unused this long expires (default 1 h). */
  idleTimeout?: Micros;
  /** What meets a segment of an expired connection: silence, or RST to its sender. */
  idleMode?: 'drop' | 'reset';
  /** Rewrite outbound connections to the firewall's address and a mapped port. */
  nat?: boolean;
  /** The firewall's (outside) address; assigned from the address plan when absent. */
  address?: string;
  name?: string;
}

/** A connection as a firewall tracks it, in its inside view (before NAT / after reverse NAT). */
export interface FlowInfo {
  /** Stable for the life of the flow in this firewall: use it to key per-flow state. */
  readonly key: string;
  readonly firewall: string;
  /** Who opened it. */
  readonly direction: FirewallDirection;
  /** The initiator's and responder's endpoints as the firewall saw the first segment. */
  readonly initiator: Endpoint;
  readonly responder: Endpoint;
  /** The outside endpoint NAT gave the initiator, when NAT applied. */
  readonly nat: Endpoint | null;
  /** Id of the initiating connection, for cross-reference in the trace. */
  readonly conn: string;
  /** The rule that let it through. */
  readonly rule: string;
}

export type InspectorVerdict = { verdict: 'pass' } | { verdict: 'drop' | 'reset'; rule: string; reason: string };

/**
 * A policy hook: sees every allowed connection's payload bytes in order, per direction of travel
 * (`inbound` = towards the inside). A `drop` blocks the flow from that segment on; a `reset` sends
 * RST to both ends.
 */
export type Inspector = (flow: FlowInfo, direction: FirewallDirection, payload: Uint8Array) => InspectorVerdict;
