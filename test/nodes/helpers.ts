/** Building blocks for node tests: default options and small worlds declared in a few lines. */
import type { EndpointOptions } from '../../src/nodes/endpoint-node.js';
import type { RelayOptions } from '../../src/nodes/relay-node.js';
import { World, type LinkSpec, type NodeSpec } from '../../src/nodes/world.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { SECOND } from '../../src/sim/time.js';

export function endpoint(host: string, overrides: Partial<EndpointOptions> = {}): EndpointOptions {
  return {
    host,
    port: 7654,
    scheme: 'msrp',
    relays: [],
    acceptTypes: ['text/plain', 'image/jpeg'],
    acceptWrappedTypes: [],
    maxSize: 10 * 1024 * 1024,
    chunkSize: 2048,
    chunkStrategy: 'fixed',
    successReport: 'no',
    failureReport: 'yes',
    transactionTimeout: 30 * SECOND,
    authExpires: null,
    connectionModel: 'rfc4975',
    reachable: true,
    onSessionFailure: 'report',
    tlsVersion: '1.3',
    ...overrides,
  };
}

export function relay(host: string, users: Record<string, string>, overrides: Partial<RelayOptions> = {}): RelayOptions {
  return {
    host,
    port: 2855,
    scheme: 'msrps',
    realm: host,
    users,
    expiresMin: 60,
    expiresDefault: 900,
    expiresMax: 3600,
    maxChunk: Number.POSITIVE_INFINITY,
    probation: 30,
    maxFailedAuths: 3,
    nonceLifetime: 300,
    idleLimit: 3600,
    transactionTimeout: 30,
    profile: 'rfc4976',
    tlsVersion: '1.3',
    ...overrides,
  };
}

export interface Built {
  world: World;
  trace: AnyTraceRecord[];
  of(type: string, node?: string): AnyTraceRecord[];
}

export function build(nodes: NodeSpec[], links: [string, string, LinkSpec['options']?][], seed: string | number = 1): Built {
  const world = new World({ seed, nodes, links: links.map(([a, b, options]) => ({ a, b, options })) });
  const trace: AnyTraceRecord[] = [];
  world.sim.trace.addSink((r) => trace.push(r));
  return {
    world,
    trace,
    of: (type, node) => trace.filter((r) => r.type === type && (node === undefined || r.node === node)),
  };
}

/** The SPEC §5 topology: psa - relay-a - relay-b - fw-b - pra. */
export function specTopology(opts: { relayA?: Partial<RelayOptions>; relayB?: Partial<RelayOptions>; psa?: Partial<EndpointOptions>; pra?: Partial<EndpointOptions> } = {}): Built {
  return build(
    [
      { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: 'msrps://relay.a.example.com:2855;tcp', username: 'psa', password: 's3cret' }], ...opts.psa }) },
      { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }, opts.relayA) },
      { id: 'relay-b', role: 'relay', relay: relay('relay.b.example.net', { pra: 'hunter2' }, opts.relayB) },
      { id: 'fw-b', role: 'firewall', firewall: { inside: ['pra'], rules: [{ action: 'allow', direction: 'outbound' }, { action: 'deny', direction: 'inbound' }] } },
      { id: 'pra', role: 'receiver', endpoint: endpoint('phone.b.example.net', { relays: [{ uri: 'msrps://relay.b.example.net:2855;tcp', username: 'pra', password: 'hunter2' }], ...opts.pra }) },
    ],
    [
      ['psa', 'relay-a', { latency: 10_000 }],
      ['relay-a', 'relay-b', { latency: 40_000 }],
      ['relay-b', 'fw-b', { latency: 10_000 }],
      ['fw-b', 'pra', { latency: 10_000, bandwidth: 2_000_000 }],
    ],
  );
}
