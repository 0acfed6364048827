/**
 * World facts the outputs need and that the trace does not fully carry: node roles, which nodes a
 * firewall has inside, link settings. The trace gives host names and addresses (`net.host`),
 * relays (`relay.start`), links (`net.link`, when the writer was attached before the network was
 * built) and routes (`net.route`); the caller fills `TopologyInfo` from the scenario for the rest.
 * Facts from both are merged; where both give one, the trace wins for addresses and names and
 * `TopologyInfo` wins for roles.
 */
import type { Micros } from '../sim/time.js';

export type NodeRole = 'sender' | 'receiver' | 'endpoint' | 'relay' | 'firewall' | 'host';

export interface TopologyNode {
  id: string;
  role: NodeRole;
  /** Host name (relays and endpoints); URIs naming it are drawn as this node. */
  host?: string;
  address?: string;
  /** Firewalls: the nodes on the inside (its zone). */
  inside?: string[];
  /** Relays: the behaviour profile (`rfc4976`, `kamailio`, ...). */
  profile?: string;
}

export interface TopologyLink {
  a: string;
  b: string;
  /** One-way latency, µs. */
  latency?: Micros;
  /** Bit/s; null or absent: unlimited. */
  bandwidth?: number | null;
  jitter?: Micros;
  loss?: number;
}

export interface TopologyInfo {
  /** In declaration order (the scenario's `nodes`); ties in lane order follow it. */
  nodes: TopologyNode[];
  links?: TopologyLink[];
}
