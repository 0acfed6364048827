/**
 * What the pieces of the network need of each other: a segment as links, nodes and connections
 * see it; a link direction as segments, routes and nodes see it; a node, the routing and the
 * network as links, hosts, firewalls and connections see them; a host and a listener as a
 * connection sees them; what a connection tells its application. The concrete classes implement
 * these (`class Segment implements NetSegment`, `class LinkDirection implements NetDirection`,
 * `class Host implements ConnectionHost`, ...) and import this file.
 *
 * The rule that keeps src/net/ free of import circles: this file imports no file of src/net/ but
 * net-types.ts (option and record types, which import nothing of src/net/), so a piece that needs
 * one above it (a connection its host, a segment its link) names the contract here, never the class.
 * Interfaces are erased: the contracts cost nothing at run time.
 */
import type { Simulation } from '../sim/simulation.js';
import type { CloseReason, Endpoint, LinkOptions, TcpOptions, TlsServerOptions } from './net-types.js';

/** Why a host or firewall injected an RST, so the receiver's close reason can say it. */
export interface ResetCause {
  by: string;
  detail: string;
  rule?: string;
}

/**
 * A TCP segment in flight (`Segment` in segment.ts). One object per transmission (a
 * retransmission is a new object), so a NAT firewall may rewrite its header in place. The
 * payload is a view of the sender's bytes.
 */
export interface NetSegment {
  /** Id of the sending connection (of the addressed one for injected RSTs). */
  readonly conn: string;
  /** Node that put it on the network. */
  readonly origin: string;
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  /** `ip:port`, rebuilt when NAT rewrites the header (`setSource`, `setDestination`). */
  readonly src: string;
  readonly dst: string;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly payload: Uint8Array | null;
  readonly len: number;
  /** The route it follows and the index of its next hop there. */
  route: Route | null;
  hop: number;
  /** Links crossed so far (the `hop` field of records). */
  hops: number;
  /** Set on RSTs a middlebox, a host without the connection or a fault injected. */
  readonly cause: ResetCause | null;
  /**
   * The timestamps option (RFC 7323), which every segment of the model carries: the sender's clock
   * and the peer's last timestamp echoed (-1 when there is none yet). Not in trace records.
   */
  readonly tsVal: number;
  readonly tsEcr: number;
  /** The link direction it is crossing, the link's epoch when it entered, and its arrival event (one closure per segment, not per hop). */
  wire: NetDirection | null;
  wireEpoch: number;
  arrive: (() => void) | null;
  /** Rewrites the source (NAT); `text` is `ip:port` when the caller keeps it. */
  setSource(ip: string, port: number, text?: string): void;
  /** Rewrites the destination (reverse NAT); the segment is routed afresh from where it is. */
  setDestination(ip: string, port: number, text?: string): void;
}

/** A link as its directions' users (routing, the address plan) see it (`Link` in link.ts). */
export interface NetLink {
  readonly id: string;
  readonly options: LinkOptions;
  /** Neither down nor cut by a partition. */
  readonly usable: boolean;
}

/** One direction of a link as segments, routes and nodes see it (`LinkDirection` in link.ts). */
export interface NetDirection {
  readonly link: NetLink;
  readonly from: NetNode;
  readonly to: NetNode;
  /** Transmits a segment from `from` towards `to`. */
  send(segment: NetSegment): void;
  /** The segment reaches the far end (its arrival event), unless the link was interrupted meanwhile. */
  land(segment: NetSegment): void;
}

/** A node of the graph: a host (which also forwards) or a firewall. */
export interface NetNode {
  readonly id: string;
  readonly kind: 'host' | 'firewall';
  readonly address: string;
  /** Outgoing link directions, kept sorted by the neighbour's id (routing ties go to the smallest). */
  readonly out: NetDirection[];
  /** False while crashed: the node neither delivers nor forwards. */
  readonly up: boolean;
  /** A segment arrived over `via`, or over the host's loopback (null). */
  arrive(segment: NetSegment, via: NetDirection | null): void;
}

/** How long a segment a host sends to itself takes (µs): about what a Linux loopback takes. */
export const LOOPBACK_DELAY = 10;

/** A path through the graph, as routing computed it. */
export interface Route {
  /** The topology version it was computed for. */
  readonly version: number;
  /** Nodes from source to destination. */
  readonly nodes: readonly NetNode[];
  /** The link direction of each hop (one fewer than nodes). */
  readonly hops: readonly NetDirection[];
  /** Sum of the links' latencies. */
  readonly latency: number;
  /** Smallest MSS along the path. */
  readonly mss: number;
}

/** Routing as connections see it (`Routing` in routing.ts). */
export interface NetRouting {
  /** Bumped on every topology change; routes computed before are stale. */
  readonly version: number;
  /** The route from `from` to `to` under the current topology, or null when there is none. */
  route(from: NetNode, to: NetNode): Route | null;
}

export type DropReason =
  | 'loss'
  | 'link-down'
  | 'partition'
  | 'no-route'
  | 'host-down'
  | 'queue-full'
  | 'fault'
  | 'tap';

/** The network as its parts see it (`Network` in network.ts). */
export interface NetCore {
  readonly sim: Simulation;
  readonly tcp: TcpOptions;
  readonly routing: NetRouting;
  /** `c1`, `c2`, ... in creation order over the whole network. */
  nextConnectionId(): string;
  nodeByAddress(address: string): NetNode | undefined;
  /** A name from the name table, or an IPv4 address, to an address. */
  resolve(name: string): string | null;
  /** Puts a segment that is at `at` on its next link (routing it first when needed). */
  forward(segment: NetSegment, at: NetNode): void;
  /** Records a segment lost at node `at` (on `link` when it was crossing one). */
  drop(segment: NetSegment, at: string, link: string | null, reason: DropReason): void;
}

/** A connection as its host sees it when the connection leaves it (`TcpConnection`). */
export interface HostedConnection {
  readonly id: string;
  readonly local: Endpoint;
  /** `ip:port` of the remote end, the host's demultiplexing key under the local port. */
  readonly remoteKey: string;
}

/** A host as its connections see it (`Host` in host.ts). */
export interface ConnectionHost extends NetNode {
  /** The connection is gone: forget it (its ports, its demultiplexing entry). */
  unregister(conn: HostedConnection): void;
}

/**
 * A listening port as the connections it accepted see it (`Listener` in listener.ts); `C` is the
 * connection as the application gets it.
 */
export interface AcceptingListener<C> {
  readonly closed: boolean;
  readonly tls: TlsServerOptions | undefined;
  readonly onAccept: (conn: C) => void;
}

/**
 * What a connection tells its application; `C` is the connection as the application gets it
 * (`ConnectionHandlers` is this for `TcpConnection`). Generic so that the sections of a
 * connection below `TcpConnection` (tcp-state.ts, ...) can call it without naming the class.
 */
export interface ConnectionCallbacks<C> {
  /** After the TCP handshake, and the TLS handshake when there is one. */
  onOpen?(conn: C): void;
  /** In-order bytes, exactly what the peer wrote. The array is shared: read it, never mutate it. */
  onData?(conn: C, bytes: Uint8Array): void;
  /** Called once, whatever ended the connection (not called when this side's host crashed). */
  onClose?(conn: C, reason: CloseReason): void;
  /**
   * After segments went out and fewer than `DRAIN_LOW_WATER` (16 KiB) written bytes wait to be
   * sent: writers that pace themselves (interruptible MSRP chunks) write more here.
   */
  onDrain?(conn: C): void;
}
