/**
 * What hosts, firewalls, links and connections need of each other and of the network, so that the
 * pieces can be written (and read) one file each without reaching into `Network`.
 */
import type { Simulation } from '../sim/simulation.js';
import type { LinkDirection } from './link.js';
import type { TcpOptions } from './net-types.js';
import type { Routing } from './routing.js';
import type { Segment } from './segment.js';

/** A node of the graph: a host (which also forwards) or a firewall. */
export interface NetNode {
  readonly id: string;
  readonly kind: 'host' | 'firewall';
  readonly address: string;
  /** Outgoing link directions, kept sorted by the neighbour's id (routing ties go to the smallest). */
  readonly out: LinkDirection[];
  /** False while crashed: the node neither delivers nor forwards. */
  readonly up: boolean;
  /** A segment arrived over `via`. */
  arrive(segment: Segment, via: LinkDirection): void;
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

/** The network as its parts see it. */
export interface NetCore {
  readonly sim: Simulation;
  readonly tcp: TcpOptions;
  readonly routing: Routing;
  /** `c1`, `c2`, ... in creation order over the whole network. */
  nextConnectionId(): string;
  nodeByAddress(address: string): NetNode | undefined;
  /** A name from the name table, or an IPv4 address, to an address. */
  resolve(name: string): string | null;
  /** Puts a segment that is at `at` on its next link (routing it first when needed). */
  forward(segment: Segment, at: NetNode): void;
  /** Records a segment lost at node `at` (on `link` when it was crossing one). */
  drop(segment: Segment, at: string, link: string | null, reason: DropReason): void;
}
