/**
 * The simulated network: hosts and firewalls joined by links, a name table, routing, and the
 * faults of SPEC §4. Everything happens as scheduler events in virtual time; everything that
 * happens is a trace record (see trace-types.ts).
 *
 * Address plan (used for every node not given an address): the network is cut at firewalls into
 * segments (connected groups of hosts); segments are numbered 1, 2, ... in the order of their
 * smallest host id, and segment N gets 10.0.N.0/24 (then 10.0.N+1.0/24, ... when it has more
 * than 254 members; later segments move up accordingly), its members numbered .1, .2, ... in id
 * order. A firewall belongs to the segment of its smallest-id outside neighbour. The plan is made
 * when an address is first needed (declare the topology first); nodes added later get a segment
 * of their own. Given addresses are kept and skipped by the plan.
 */
import type { Simulation } from '../sim/simulation.js';
import { MILLISECOND, SECOND } from '../sim/time.js';
import { Firewall } from './firewall.js';
import { Host } from './host.js';
import { Link, linkId } from './link.js';
import { LOOPBACK_DELAY, type DropReason, type NetCore, type NetDirection, type NetNode, type NetSegment } from './net-contracts.js';
import type {
  FirewallOptions,
  HostOptions,
  LinkOptions,
  NetworkOptions,
  SegmentInfo,
  Tap,
  TcpOptions,
} from './net-types.js';
import { Routing } from './routing.js';
import { segmentFields } from './segment.js';
import type { TcpConnection } from './tcp-connection.js';
import './trace-types.js';

export const DEFAULT_LINK: LinkOptions = {
  latency: 1 * MILLISECOND,
  jitter: 0,
  bandwidth: Infinity,
  loss: 0,
  mss: 1460,
  queueLimit: 8 * 1024 * 1024,
};

export const DEFAULT_TCP: TcpOptions = {
  mss: 1460,
  rtoInitial: 200 * MILLISECOND,
  rtoMin: 200 * MILLISECOND,
  rtoMax: 60 * SECOND,
  maxRetries: 6,
  connectTimeout: 10 * SECOND,
  window: 65536,
  maxSegmentsInFlight: 45,
  delayedAck: 40 * MILLISECOND,
  timeWait: 2 * SECOND,
  finWaitTimeout: 60 * SECOND,
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

function checkLinkOptions(o: Partial<LinkOptions>, what: string): void {
  const bad = (field: string, rule: string): never => {
    throw new RangeError(`${what}: ${field} must be ${rule}`);
  };
  if (o.latency !== undefined && !(Number.isInteger(o.latency) && o.latency >= 0)) bad('latency', 'whole microseconds >= 0');
  if (o.jitter !== undefined && !(Number.isInteger(o.jitter) && o.jitter >= 0)) bad('jitter', 'whole microseconds >= 0');
  if (o.bandwidth !== undefined && !(o.bandwidth > 0)) bad('bandwidth', 'bit/s > 0 (Infinity for unlimited)');
  if (o.loss !== undefined && !(o.loss >= 0 && o.loss <= 1)) bad('loss', 'a probability in 0..1');
  if (o.mss !== undefined && !(Number.isInteger(o.mss) && o.mss >= 1)) bad('mss', 'a whole number of bytes >= 1');
  if (o.queueLimit !== undefined && !(o.queueLimit > 0)) bad('queueLimit', 'bytes > 0');
}

export class Network implements NetCore {
  readonly tcp: TcpOptions;
  readonly routing: Routing;
  private readonly linkDefaults: LinkOptions;
  private readonly nodes = new Map<string, NetNode>();
  private readonly hosts = new Map<string, Host>();
  private readonly firewalls = new Map<string, Firewall>();
  private readonly links = new Map<string, Link>();
  private readonly byAddress = new Map<string, NetNode>();
  /** Name -> host. */
  private readonly names = new Map<string, Host>();
  /** Connections by id, until they are forgotten. */
  private readonly connections = new Map<string, TcpConnection>();
  private connectionCount = 0;
  private planned = false;
  private nextBlock = 1;
  /** During a partition: node id -> group index (nodes in no group: -1, together). */
  private groups: Map<string, number> | null = null;

  constructor(
    readonly sim: Simulation,
    options: NetworkOptions = {},
  ) {
    checkLinkOptions(options.link ?? {}, 'network link defaults');
    this.linkDefaults = { ...DEFAULT_LINK, ...options.link };
    this.tcp = { ...DEFAULT_TCP, ...options.tcp };
    this.routing = new Routing(this);
  }

  // ---- Topology ------------------------------------------------------------------------------

  addHost(id: string, opts: HostOptions = {}): Host {
    this.checkNewNode(id, opts.address);
    const name = opts.name ?? id;
    const names = [name, ...(opts.names ?? []).filter((n) => n !== name)];
    for (const n of names) {
      if (this.names.has(n)) throw new Error(`name '${n}' of host '${id}' already belongs to host '${this.names.get(n)!.id}'`);
    }
    const host = new Host(this, id, name, names, opts.address ?? null, (h) => this.addressOf(h), this.connections);
    this.nodes.set(id, host);
    this.hosts.set(id, host);
    for (const n of names) this.names.set(n, host);
    this.placeNew(host, opts.address);
    this.routing.invalidate();
    return host;
  }

  addFirewall(id: string, opts: FirewallOptions): Firewall {
    this.checkNewNode(id, opts.address);
    const fw = new Firewall(this, id, opts.name ?? id, opts, (f) => this.addressOf(f));
    this.nodes.set(id, fw);
    this.firewalls.set(id, fw);
    this.placeNew(fw, opts.address);
    this.routing.invalidate();
    return fw;
  }

  addLink(a: string, b: string, opts: Partial<LinkOptions> = {}): Link {
    const na = this.node(a);
    const nb = this.node(b);
    if (na === nb) throw new Error(`a link needs two different nodes, got '${a}' twice`);
    const id = linkId(a, b);
    if (this.links.has(id)) throw new Error(`there is already a link between '${a}' and '${b}'`);
    checkLinkOptions(opts, `link ${id}`);
    const options = { ...this.linkDefaults };
    for (const [k, v] of Object.entries(opts) as [keyof LinkOptions, number | undefined][]) if (v !== undefined) options[k] = v;
    const link = new Link(this, na, nb, options);
    this.links.set(id, link);
    insertSorted(na.out, link.ab);
    insertSorted(nb.out, link.ba);
    if (this.groups !== null) link.cut = this.crossesGroups(link);
    this.sim.trace.emit('', 'net.link', {
      link: id,
      a: link.a.id,
      b: link.b.id,
      latency: options.latency,
      jitter: options.jitter,
      bandwidth: options.bandwidth === Infinity ? null : options.bandwidth,
      loss: options.loss,
      mss: options.mss,
      queueLimit: options.queueLimit,
    });
    this.routing.invalidate();
    return link;
  }

  host(id: string): Host {
    const h = this.hosts.get(id);
    if (h === undefined) throw new Error(`no host '${id}'`);
    return h;
  }

  firewall(id: string): Firewall {
    const f = this.firewalls.get(id);
    if (f === undefined) throw new Error(`no firewall '${id}'`);
    return f;
  }

  link(a: string, b: string): Link {
    const l = this.links.get(linkId(a, b));
    if (l === undefined) throw new Error(`no link between '${a}' and '${b}'`);
    return l;
  }

  /** A live connection by id (either side), or undefined once it is forgotten. */
  connection(id: string): TcpConnection | undefined {
    return this.connections.get(id);
  }

  /** The name table: a host name (or extra name) to its IPv4 address; an IPv4 address stands for itself. */
  resolve(name: string): string | null {
    if (isIpv4(name)) return name;
    const host = this.names.get(name);
    return host === undefined ? null : host.address;
  }

  // ---- Faults --------------------------------------------------------------------------------

  linkDown(a: string, b: string): void {
    const link = this.link(a, b);
    this.sim.trace.emit('', 'fault.link-down', { link: link.id });
    if (!link.up) return;
    link.up = false;
    link.interrupt('link-down');
    this.routing.invalidate();
  }

  linkUp(a: string, b: string): void {
    const link = this.link(a, b);
    this.sim.trace.emit('', 'fault.link-up', { link: link.id });
    if (link.up) return;
    link.up = true;
    this.routing.invalidate();
  }

  /** Changes a link's settings for the segments that enter it from now on. */
  setLink(a: string, b: string, changes: Partial<LinkOptions>): void {
    const link = this.link(a, b);
    checkLinkOptions(changes, `link ${link.id}`);
    const recorded: Record<string, number | null> = {};
    const options = { ...link.options };
    for (const [k, v] of Object.entries(changes) as [keyof LinkOptions, number | undefined][]) {
      if (v === undefined) continue;
      options[k] = v;
      recorded[k] = v === Infinity ? null : v;
    }
    this.sim.trace.emit('', 'fault.set-link', { link: link.id, changes: recorded });
    link.options = options;
    this.routing.invalidate();
  }

  /**
   * Splits the network: links between nodes of different groups are cut (segments on them are
   * lost). Nodes named in no group form one more group together.
   */
  partition(groups: string[][]): void {
    for (const g of groups) for (const id of g) this.node(id);
    this.sim.trace.emit('', 'fault.partition', { groups: groups.map((g) => [...g]) });
    this.groups = new Map();
    groups.forEach((g, i) => g.forEach((id) => this.groups!.set(id, i)));
    for (const link of this.links.values()) {
      const cut = this.crossesGroups(link);
      if (cut && !link.cut) link.interrupt('partition');
      link.cut = cut;
    }
    this.routing.invalidate();
  }

  healPartition(): void {
    this.sim.trace.emit('', 'fault.heal', {});
    for (const link of this.links.values()) link.cut = false;
    this.groups = null;
    this.routing.invalidate();
  }

  /** The host stops: its connections vanish (peers learn by RST or silence), its listeners go. */
  crash(hostId: string): void {
    const host = this.host(hostId);
    this.sim.trace.emit(hostId, 'fault.crash', { connections: host.up ? host.connections.length : 0 });
    host.crash();
    this.routing.invalidate();
  }

  restart(hostId: string): void {
    const host = this.host(hostId);
    this.sim.trace.emit(hostId, 'fault.restart', {});
    this.routing.invalidate();
    host.restart();
  }

  /** Both sides send RST and end with 'reset'. */
  resetConnection(connId: string): void {
    const conn = this.connections.get(connId);
    const peer = conn?.peerId ? this.connections.get(conn.peerId) : undefined;
    this.sim.trace.emit(conn ? conn.hostId : '', 'fault.reset', { conn: connId, peer: peer?.id ?? null });
    conn?.injectReset();
    peer?.injectReset();
  }

  flushFirewall(id: string): void {
    const fw = this.firewall(id);
    this.sim.trace.emit(id, 'fault.flush', { flows: fw.flowCount });
    fw.flush();
  }

  /**
   * Drops the `n`-th (1-based) segment crossing the link from now on, in either direction, that
   * `filter` accepts (`filter` can pick a direction by `from`/`to`).
   */
  dropSegment(a: string, b: string, n: number, filter?: (s: SegmentInfo) => boolean): void {
    const link = this.link(a, b);
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`dropSegment: n must be a whole number >= 1, got ${n}`);
    this.sim.trace.emit('', 'fault.drop-segment', { link: link.id, n });
    let seen = 0;
    const interceptor = {
      kind: 'fault' as const,
      check: (s: SegmentInfo): boolean => {
        if (filter !== undefined && !filter(s)) return false;
        if (++seen < n) return false;
        const i = link.interceptors.indexOf(interceptor);
        if (i >= 0) link.interceptors.splice(i, 1);
        return true;
      },
    };
    link.interceptors.push(interceptor);
  }

  /** Sees every segment entering the link (either direction); 'drop' loses it (`net.drop`, reason 'tap'). Returns the removal. */
  addTap(a: string, b: string, tap: Tap): () => void {
    const link = this.link(a, b);
    const interceptor = { kind: 'tap' as const, check: (s: SegmentInfo): boolean => tap(s) === 'drop' };
    link.interceptors.push(interceptor);
    return () => {
      const i = link.interceptors.indexOf(interceptor);
      if (i >= 0) link.interceptors.splice(i, 1);
    };
  }

  private crossesGroups(link: Link): boolean {
    const g = this.groups!;
    return (g.get(link.a.id) ?? -1) !== (g.get(link.b.id) ?? -1);
  }

  // ---- NetCore -------------------------------------------------------------------------------

  nextConnectionId(): string {
    return `c${++this.connectionCount}`;
  }

  nodeByAddress(address: string): NetNode | undefined {
    if (!this.planned) this.planAddresses();
    return this.byAddress.get(address);
  }

  forward(seg: NetSegment, at: NetNode): void {
    let route = seg.route;
    // Follow the route the segment carries while it is current and leads on from here; else route
    // afresh from here (the topology changed, or NAT rewrote the destination).
    if (route === null || route.version !== this.routing.version || route.nodes[seg.hop] !== at || seg.hop >= route.hops.length) {
      const dst = this.nodeByAddress(seg.dstIp);
      if (dst === at && at.kind === 'host') {
        // A host's segment to its own address goes over its loopback: no link, no capture, no
        // loss; it arrives LOOPBACK_DELAY later (docs/network.md, "Loopback").
        this.sim.scheduler.at(this.sim.now + LOOPBACK_DELAY, () => at.arrive(seg, null));
        return;
      }
      route = dst === undefined || dst === at ? null : this.routing.route(at, dst);
      if (route === null) {
        this.drop(seg, at.id, null, 'no-route');
        return;
      }
      seg.route = route;
      seg.hop = 0;
    }
    const dir: NetDirection = route.hops[seg.hop++]!;
    dir.send(seg);
  }

  drop(seg: NetSegment, at: string, link: string | null, reason: DropReason): void {
    this.sim.trace.emit(at, 'net.drop', Object.assign(segmentFields(seg), { link, reason }));
  }

  // ---- Addresses -----------------------------------------------------------------------------

  private node(id: string): NetNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no host or firewall '${id}'`);
    return n;
  }

  private checkNewNode(id: string, address: string | undefined): void {
    if (id === '') throw new Error('a node id cannot be empty');
    if (this.nodes.has(id)) throw new Error(`there is already a node '${id}'`);
    if (address !== undefined) {
      if (!isIpv4(address)) throw new Error(`'${address}' of node '${id}' is not an IPv4 address`);
      if (this.byAddress.has(address)) throw new Error(`address ${address} of '${id}' already belongs to '${this.byAddress.get(address)!.id}'`);
    }
  }

  /** A new node: its given address is taken now; after the plan, it gets a segment of its own. */
  private placeNew(node: Host | Firewall, address: string | undefined): void {
    if (address !== undefined) this.byAddress.set(address, node);
    if (!this.planned) return;
    if (address === undefined) this.assignBlock([node]);
    this.recordNode(node);
  }

  /** The address of `node`, making the plan first if there is none yet. */
  private addressOf(node: Host | Firewall): string {
    this.planAddresses();
    if (!node.hasAddress) throw new Error(`node '${node.id}' got no address`);
    return node.address;
  }

  /** Assigns every address not given, once (see the header comment). */
  private planAddresses(): void {
    if (this.planned) return;
    this.planned = true;
    const hostIds = [...this.hosts.keys()].sort();
    const segmentOf = new Map<string, number>();
    const segments: NetNode[][] = [];
    for (const id of hostIds) {
      if (segmentOf.has(id)) continue;
      const index = segments.length;
      const members: NetNode[] = [];
      const stack = [this.hosts.get(id)!];
      segmentOf.set(id, index);
      while (stack.length > 0) {
        const h = stack.pop()!;
        members.push(h);
        for (const dir of h.out) {
          const next = dir.to;
          if (next.kind === 'host' && !segmentOf.has(next.id)) {
            segmentOf.set(next.id, index);
            stack.push(next as Host);
          }
        }
      }
      segments.push(members);
    }
    for (const fw of [...this.firewalls.values()].sort((x, y) => (x.id < y.id ? -1 : 1))) {
      const neighbours = fw.out.map((d) => d.to).filter((n) => n.kind === 'host');
      const outside = neighbours.filter((n) => !fw.inside.has(n.id));
      const home = outside[0] ?? neighbours[0]; // `out` is sorted by id
      if (home !== undefined) segments[segmentOf.get(home.id)!]!.push(fw);
      else segments.push([fw]);
    }
    for (const members of segments) {
      members.sort((x, y) => (x.id < y.id ? -1 : 1));
      this.assignBlock(members.filter((m) => !(m as Host | Firewall).hasAddress) as (Host | Firewall)[]);
    }
    for (const id of [...this.nodes.keys()].sort()) this.recordNode(this.nodes.get(id) as Host | Firewall);
  }

  /** Numbers `members` .1, .2, ... in fresh /24 blocks, skipping addresses already taken. */
  private assignBlock(members: (Host | Firewall)[]): void {
    let slot = 0;
    for (const m of members) {
      let a: string;
      do {
        const block = this.nextBlock + Math.floor(slot / 254);
        a = `10.${(block >> 8) & 255}.${block & 255}.${(slot % 254) + 1}`;
        slot++;
      } while (this.byAddress.has(a));
      m.setAddress(a);
      this.byAddress.set(a, m);
    }
    this.nextBlock += Math.max(1, Math.ceil(slot / 254));
  }

  private recordNode(node: Host | Firewall): void {
    this.sim.trace.emit(node.id, 'net.host', {
      kind: node.kind,
      name: node.name,
      address: node.address,
      names: node.kind === 'host' ? [...node.names] : [],
    });
  }
}

/** Keeps a node's outgoing directions sorted by neighbour id (routing's tie-break relies on it). */
function insertSorted(out: NetDirection[], dir: NetDirection): void {
  let i = out.length;
  while (i > 0 && out[i - 1]!.to.id > dir.to.id) i--;
  out.splice(i, 0, dir);
}
