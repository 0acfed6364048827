/**
 * A world: the kernel, the network and the nodes of one run, built from a declarative
 * description (what the scenario layer produces from a file), plus the actions a scenario can
 * take at a time. Topology is declared, never built by node code.
 */
import { Simulation } from '../sim/simulation.js';
import { SECOND, type Micros } from '../sim/time.js';
import type { TraceFormatVersion, TraceRecord } from '../sim/trace.js';
import type { NodeTransport } from './node-transport.js';
import { Network, type Host, type FirewallOptions, type FlowInfo, type LinkOptions, type NetworkOptions } from '../net/index.js';
import { EndpointNode, type EndpointOptions, type SendAction } from './endpoint/endpoint-node.js';
import { RelayNode, type RelayOptions } from './relay/relay-node.js';
import { NodeContext } from './node-context.js';
import { FrameLedger } from './frame-ledger.js';
import { SignallingCore } from './signalling-core.js';
import { PolicyFlow, type MsrpPolicy } from './firewall-policy.js';
import './trace-types.js';

export type EndpointRole = 'sender' | 'receiver' | 'endpoint';

export type NodeSpec =
  | { id: string; role: EndpointRole; address?: string; endpoint: EndpointOptions }
  | { id: string; role: 'relay'; address?: string; relay: RelayOptions }
  | {
      id: string;
      role: 'firewall';
      address?: string;
      firewall: FirewallOptions;
      policy?: MsrpPolicy;
      /** Reads the MSRP of every connection from its first byte even without a policy: one is set later. */
      inspect?: boolean;
    };

export interface LinkSpec {
  a: string;
  b: string;
  options?: Partial<LinkOptions>;
}

export interface WorldSpec {
  seed: string | number;
  nodes: NodeSpec[];
  links: LinkSpec[];
  network?: Partial<NetworkOptions>;
  /** One-way delay of the SIP signalling core. */
  signallingDelay?: Micros;
  /** Timer B: how long an INVITE waits for its final response (default 32 s, RFC 3261 §17.1.1.2). */
  inviteTimeout?: Micros;
}

export interface WorldOptions {
  /** The transport of endpoint `id` over its simulated host; default: the host. */
  endpointTransport?: (id: string, host: Host) => NodeTransport;
  /** The transport of relay `id` over its simulated host (live mode adds a real listener); default: the host. */
  relayTransport?: (id: string, host: Host) => NodeTransport;
  /** The trace format to write (docs/trace-format.md); default: the simulation's. */
  traceFormat?: TraceFormatVersion;
}

/** Figures of a run for the printed summary, counted from the records as they pass. */
export class RunCounters {
  /** Sessions established: counted once, at the active side (the one that bound the connection). */
  sessionsEstablished = 0;
  /** Sessions that failed, at either side or both: a session counts once. */
  private readonly failed = new Set<string>();
  messagesSent = 0;
  /** Sends refused or failed with their session (`messagesWaiting` adds those still waiting). */
  private notSent = 0;
  /** Sends waiting for their session to be established. */
  messagesWaiting = 0;
  messagesDelivered = 0;
  /** Status -> REPORTs that reached a sender (null: a REPORT without a Status). */
  readonly reports = new Map<number | null, number>();

  /** Counts what `record` says, read through its type (a record of another type counts nothing). */
  record(record: TraceRecord): void {
    switch (record.type) {
      case 'session.established':
        if (record.active) this.sessionsEstablished++;
        return;
      case 'session.failed':
      case 'session.rejected':
        this.failed.add(record.session);
        return;
      case 'endpoint.send-queued':
        this.messagesWaiting++;
        return;
      case 'endpoint.send-refused':
      case 'endpoint.send-failed':
        if ('resend' in record && record.resend) return;
        this.notSent++;
        if ('queued' in record && record.queued) this.messagesWaiting--;
        return;
      case 'endpoint.message':
        // A message sent again after its session failed (E-19) counts once.
        if ('resend' in record && record.resend) return;
        this.messagesSent++;
        if ('queued' in record && record.queued) this.messagesWaiting--;
        return;
      case 'endpoint.deliver':
        this.messagesDelivered++;
        return;
      case 'endpoint.report':
        this.reports.set(record.status, (this.reports.get(record.status) ?? 0) + 1);
        return;
    }
  }

  get sessionsFailed(): number {
    return this.failed.size;
  }

  /** Send actions whose message was never sent: refused, failed with its session, or still waiting. */
  get messagesNotSent(): number {
    return this.notSent + this.messagesWaiting;
  }

  toJSON(): Record<string, unknown> {
    return {
      sessionsEstablished: this.sessionsEstablished,
      sessionsFailed: this.sessionsFailed,
      messagesSent: this.messagesSent,
      messagesNotSent: this.messagesNotSent,
      messagesDelivered: this.messagesDelivered,
      reportsByStatus: Object.fromEntries([...this.reports].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))),
    };
  }
}

export class World {
  readonly counters = new RunCounters();
  readonly sim: Simulation;
  readonly network: Network;
  readonly endpoints = new Map<string, EndpointNode>();
  readonly relays = new Map<string, RelayNode>();
  readonly signalling: SignallingCore;
  readonly roles = new Map<string, NodeSpec['role']>();
  /** The MSRP policy in force at each firewall that has one, as its inspector reads it. */
  private readonly policies = new Map<string, { policy: MsrpPolicy | null; flows: Map<string, PolicyFlow> }>();

  /**
   * `options.endpointTransport` gives each endpoint its transport over its simulated host (live
   * mode routes the connections to a live relay over real sockets); default: the host itself.
   */
  constructor(
    readonly spec: WorldSpec,
    options: WorldOptions = {},
  ) {
    this.sim = new Simulation({ seed: spec.seed, ...(options.traceFormat !== undefined ? { traceFormat: options.traceFormat } : {}) });
    this.network = new Network(this.sim, spec.network);
    this.sim.trace.addSink((r) => this.counters.record(r), { states: false, segments: false });
    this.signalling = new SignallingCore(this.sim, spec.signallingDelay ?? 50_000, (id) => this.endpoints.get(id), spec.inviteTimeout);
    // Hosts and firewalls first, in declaration order, so that addresses are stable.
    for (const node of spec.nodes) {
      this.roles.set(node.id, node.role);
      if (node.role === 'firewall') {
        this.network.addFirewall(node.id, node.firewall);
        if (node.policy || node.inspect) this.installPolicy(node.id, node.policy ?? null);
      } else {
        const name = node.role === 'relay' ? node.relay.host : node.endpoint.host;
        this.network.addHost(node.id, { name, address: node.address });
      }
    }
    for (const link of spec.links) this.network.addLink(link.a, link.b, link.options);
    // Format 2 refers a frame read to the frame written (one ledger for the world's connections).
    const frames = this.sim.trace.version >= 2 ? new FrameLedger() : null;
    for (const node of spec.nodes) {
      if (node.role === 'relay') {
        const host = this.network.host(node.id);
        this.relays.set(node.id, new RelayNode(new NodeContext(node.id, this.sim, frames), options.relayTransport?.(node.id, host) ?? host, node.relay));
      } else if (node.role !== 'firewall') {
        const host = this.network.host(node.id);
        this.endpoints.set(node.id, new EndpointNode(new NodeContext(node.id, this.sim, frames), options.endpointTransport?.(node.id, host) ?? host, node.endpoint, this.signalling));
      }
    }
  }

  /** Starts every node at time 0: relays listen, endpoints authenticate to their relays. */
  start(): void {
    this.sim.scheduler.at(0, () => {
      for (const relay of this.relays.values()) relay.start();
      for (const endpoint of this.endpoints.values()) endpoint.start();
    });
  }

  /**
   * Scenario action `set` of a firewall's `policy`: frames judged from now on meet `policy`
   * (PolicyFlow: a frame under way ends under the policy it began with). A firewall that had no
   * policy starts inspecting: connections that have already carried MSRP bytes cannot be picked up
   * mid-frame and stay uninspected (`fw.policy-skip`); new ones, and those that have carried
   * nothing yet, are inspected from their first byte.
   */
  setFirewallPolicy(id: string, policy: MsrpPolicy | null): void {
    const installed = this.policies.get(id);
    this.sim.trace.emit(id, 'fw.policy', { policy: policy ?? null, inspecting: policy !== null || installed !== undefined });
    if (installed) installed.policy = policy;
    else if (policy) this.installPolicy(id, policy);
  }

  /** Puts the MSRP policy inspector on firewall `id` (SPEC §3.3), one PolicyFlow per connection direction. */
  private installPolicy(id: string, policy: MsrpPolicy | null): void {
    const flows = new Map<string, PolicyFlow>();
    const holder = { policy, flows };
    this.policies.set(id, holder);
    const current = (): MsrpPolicy | null => holder.policy;
    // A connection's readers go with its state in the firewall (closed, expired or reset).
    const ended = (flow: FlowInfo): void => {
      flows.delete(`${flow.key}:inbound`);
      flows.delete(`${flow.key}:outbound`);
    };
    const skipped = this.network.firewall(id).setInspector((flow, direction, payload) => {
      const key = `${flow.key}:${direction}`;
      let f = flows.get(key);
      if (!f) {
        f = new PolicyFlow(id, current, (reason) => this.sim.trace.emit(id, 'fw.policy-skip', { flow: flow.key, direction, reason }, `${id}#policy`));
        flows.set(key, f);
      }
      return f.inspect(payload);
    }, ended);
    for (const flow of skipped) {
      this.sim.trace.emit(id, 'fw.policy-skip', { flow: flow.key, direction: null, reason: 'it carried MSRP bytes before the policy was set: its frames cannot be picked up mid-stream' }, `${id}#policy`);
    }
  }

  /** Connection directions whose MSRP firewall `id` is reading now: for tests of bounded state (SPEC §9). */
  policyFlowCount(id: string): number {
    return this.policies.get(id)?.flows.size ?? 0;
  }

  endpoint(id: string): EndpointNode {
    const e = this.endpoints.get(id);
    if (!e) throw new Error(`no endpoint ${id}`);
    return e;
  }

  // Scenario actions -------------------------------------------------------------------------------

  at(time: Micros, action: () => void): void {
    this.sim.scheduler.at(time, action);
  }

  openSession(id: string, offerer: string, answerer: string): void {
    this.sim.trace.emit('', 'action.session', { session: id, offerer, answerer });
    this.endpoint(offerer).openSession(id, answerer);
  }

  send(from: string, action: SendAction): void {
    this.sim.trace.emit('', 'action.send', { session: action.session, from, contentType: action.contentType, size: action.size ?? null });
    this.endpoint(from).sendMessage(action);
  }

  endSession(id: string, by: string): void {
    this.sim.trace.emit('', 'action.end', { session: id, by });
    this.endpoint(by).endSession(id);
  }

  reauth(node: string): void {
    this.sim.trace.emit('', 'action.auth', { node });
    this.endpoint(node).reauthenticate();
  }

  /**
   * Scenario action `raw`: bytes written as they are, on the node's connection for `session`, on
   * a new connection to node `to` (its MSRP port, with TLS for an msrps relay), on a raw
   * connection the node opened to the URI `to` (`EndpointNode.openRaw`), or on its relay
   * connection.
   */
  raw(node: string, bytes: Uint8Array, session?: string, to?: string): void {
    this.sim.trace.emit('', 'action.raw', { node, length: bytes.length, session: session ?? null, to: to ?? null });
    const relay = to === undefined ? undefined : this.relays.get(to);
    const peer = to === undefined ? undefined : this.endpoints.get(to);
    if (relay || peer) {
      const target = relay
        ? { host: relay.options.host, port: relay.options.port, tls: relay.options.scheme === 'msrps' }
        : { host: peer!.options.host, port: peer!.options.port, tls: peer!.options.scheme === 'msrps' };
      this.endpoint(node).sendRawTo(target, bytes);
      return;
    }
    this.endpoint(node).sendRaw(bytes, session, to);
  }

  /** Opens a connection of `node`'s own to the MSRP URI `target`, for `raw` bytes. */
  rawConnect(node: string, target: string): void {
    this.sim.trace.emit('', 'action.raw-connect', { node, target });
    this.endpoint(node).openRaw(target);
  }

  /** Runs to the duration limit (or until nothing is left to do). */
  run(duration: Micros = 3600 * SECOND): ReturnType<Simulation['run']> {
    return this.sim.run({ until: duration });
  }
}
