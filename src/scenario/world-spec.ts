/**
 * From a loaded scenario to the world the simulator runs: node options in the units the nodes
 * use, the network's link and firewall settings, and the scenario's defaults.
 */
import type { FirewallOptions, FirewallRule as NetFirewallRule, LinkOptions } from '../net/index.js';
import type { EndpointOptions } from '../nodes/endpoint/endpoint-node.js';
import type { RelayOptions } from '../nodes/relay/relay-node.js';
import type { NodeSpec, WorldSpec } from '../nodes/world.js';
import type { MsrpPolicy } from '../nodes/firewall-policy.js';
import type { ScenarioEndpoint, ScenarioFirewall, LinkSettings, ScenarioRelay, Scenario, ScenarioNode } from './types.js';

const SECOND = 1_000_000;

/**
 * The relay's URI as its endpoints are configured with it: a live relay's names its real port,
 * and its `serverName` or else its real address.
 */
export function relayUri(relay: ScenarioRelay): string {
  if (relay.live !== null) {
    // Its name (the one its certificate bears) when `serverName` gives one, else its address.
    const host = relay.live.serverName ?? relay.live.connect.host;
    return `${relay.scheme}://${host.includes(':') ? `[${host}]` : host}:${relay.live.connect.port};tcp`;
  }
  return `${relay.scheme}://${relay.host}:${relay.port};tcp`;
}

export function endpointOptions(node: ScenarioEndpoint, relays: ReadonlyMap<string, ScenarioRelay>): EndpointOptions {
  return {
    host: node.host,
    port: node.port,
    scheme: node.scheme,
    relays: node.relays.map((r) => ({ uri: relayUri(relays.get(r.relay)!), username: r.username, password: r.password ?? '', ...(r.digestUri === false ? { digestUri: false } : {}), ...(r.authPerSession === true ? { authPerSession: true } : {}) })),
    acceptTypes: node.acceptTypes,
    acceptWrappedTypes: node.acceptWrappedTypes,
    maxSize: node.maxSize ?? Number.POSITIVE_INFINITY,
    chunkSize: node.chunkSize,
    chunkStrategy: node.chunkStrategy,
    successReport: node.successReport,
    failureReport: node.failureReport,
    transactionTimeout: node.transactionTimeout,
    authExpires: node.authExpires === null ? null : Math.round(node.authExpires / SECOND),
    connectionModel: node.connectionModel,
    reachable: node.reachable,
    onSessionFailure: node.onSessionFailure,
    tlsVersion: node.tls.version,
    certificateNames: node.certificateNames,
  };
}

export function relayOptions(node: ScenarioRelay): RelayOptions {
  return {
    host: node.host,
    port: node.port,
    scheme: node.scheme,
    realm: node.realm,
    users: node.users,
    expiresMin: Math.round(node.expires.min / SECOND),
    expiresDefault: Math.round(node.expires.default / SECOND),
    expiresMax: Math.round(node.expires.max / SECOND),
    maxChunk: node.maxChunk ?? Number.POSITIVE_INFINITY,
    probation: node.probation,
    maxFailedAuths: node.maxFailedAuths,
    nonceLifetime: node.nonceLifetime,
    idleLimit: node.idleLimit === null ? Number.POSITIVE_INFINITY : node.idleLimit,
    transactionTimeout: node.transactionTimeout,
    profile: node.profile,
    tlsVersion: node.tls.version,
    certificateNames: node.certificateNames,
  };
}

export function firewallRules(node: ScenarioFirewall): NetFirewallRule[] {
  const rules: NetFirewallRule[] = node.rules.map((r) => {
    const rule: NetFirewallRule = { action: r.action, id: `${node.id}#${r.id}` };
    if (r.direction !== 'any') rule.direction = r.direction;
    if (r.port !== null) rule.port = r.port;
    if (r.host !== null) rule.host = r.host;
    if (r.tlsOnly) rule.tlsOnly = true;
    if (r.mode !== null) rule.mode = r.mode;
    return rule;
  });
  // SPEC §3.3: the defaults (outbound allowed, inbound denied) come after the scenario's rules.
  rules.push({ action: node.default.outbound, direction: 'outbound', mode: node.default.mode, id: `${node.id}#default-outbound` });
  rules.push({ action: node.default.inbound, direction: 'inbound', mode: node.default.mode, id: `${node.id}#default-inbound` });
  return rules;
}

export function firewallOptions(node: ScenarioFirewall): FirewallOptions {
  const options: FirewallOptions = {
    inside: node.inside,
    rules: firewallRules(node),
    idleTimeout: node.idleTimeout,
    idleMode: node.idleMode,
    nat: node.nat !== null,
    name: node.host,
  };
  const address = node.nat?.address ?? node.address;
  if (address !== null) options.address = address;
  return options;
}

/** The firewall's MSRP policy (SPEC §3.3), or null when it has none. */
export function firewallPolicy(node: ScenarioFirewall): MsrpPolicy | null {
  if (!node.policy) return null;
  return {
    action: node.policy.action,
    ...(node.policy.maxFrame !== null ? { maxFrame: node.policy.maxFrame } : {}),
    ...(node.policy.methods !== null ? { methods: node.policy.methods } : {}),
    ...(node.policy.contentTypes !== null ? { contentTypes: node.policy.contentTypes } : {}),
  };
}

export function linkOptions(link: LinkSettings): Partial<LinkOptions> {
  return { latency: link.latency, jitter: link.jitter, bandwidth: link.bandwidth, loss: link.loss, mss: link.mss };
}

function nodeSpec(node: ScenarioNode, relays: ReadonlyMap<string, ScenarioRelay>, scenario: Scenario): NodeSpec {
  const address = node.address ?? undefined;
  switch (node.role) {
    case 'relay':
      return { id: node.id, role: 'relay', address, relay: relayOptions(node) };
    case 'firewall': {
      const spec: NodeSpec = { id: node.id, role: 'firewall', address, firewall: firewallOptions(node) };
      const policy = firewallPolicy(node);
      if (policy) spec.policy = policy;
      // A `set` of its policy later: the firewall reads every connection from its first byte, so
      // that the policy applies to the frames of connections already open when it is set.
      else if (scenario.events.some((e) => e.action === 'set' && e.node === node.id && e.changed.includes('policy'))) spec.inspect = true;
      return spec;
    }
    default:
      return { id: node.id, role: node.role, address, endpoint: endpointOptions(node, relays) };
  }
}

export function worldSpec(scenario: Scenario, seedOverride?: string | number): WorldSpec {
  const relays = new Map<string, ScenarioRelay>();
  for (const n of scenario.nodes) if (n.role === 'relay') relays.set(n.id, n);
  return {
    seed: seedOverride ?? scenario.seed,
    // A live relay is real: no simulated node stands for it (live mode, docs/live.md).
    nodes: scenario.nodes.filter((n) => n.role !== 'relay' || n.live === null).map((n) => nodeSpec(n, relays, scenario)),
    links: scenario.links.map((l) => ({ a: l.a, b: l.b, options: linkOptions(l) })),
    network: { tcp: { connectTimeout: scenario.tcp.connectTimeout, rtoInitial: scenario.tcp.rto, maxRetries: scenario.tcp.maxRetries } },
    signallingDelay: scenario.signallingDelay,
    inviteTimeout: scenario.inviteTimeout,
  };
}
