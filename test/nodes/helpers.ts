/** Building blocks for node tests: default options and small worlds declared in a few lines. */
import { FrameResolver } from '../../src/sim/frame-resolver.js';
import type { EndpointOptions, RelayCredentials } from '../../src/nodes/endpoint/endpoint-node.js';
import type { RelayOptions } from '../../src/nodes/relay/relay-node.js';
import { World, type LinkSpec, type NodeSpec, type WorldOptions, type WorldSpec } from '../../src/nodes/world.js';
import type { AnyTraceRecord, TraceRecord } from '../../src/sim/trace.js';
import { SECOND } from '../../src/sim/time.js';
import { parseFrames } from '../../src/wire/parser.js';
import type { MsrpFrame } from '../../src/wire/frame.js';
import { ScriptedPeer, type Script } from './peers.js';

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
    // Expires bounds, probation, failed AUTHs and nonce lifetime: the profile's defaults.
    maxChunk: Number.POSITIVE_INFINITY,
    idleLimit: 3600 * SECOND,
    transactionTimeout: 30 * SECOND,
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

export function build(nodes: NodeSpec[], links: [string, string, LinkSpec['options']?][], seed: string | number = 1, network?: WorldSpec['network'], options: WorldOptions = {}): Built {
  const world = new World({ seed, nodes, links: links.map(([a, b, options]) => ({ a, b, options })), network }, options);
  const trace: AnyTraceRecord[] = [];
  world.sim.trace.addSink(resolvingSink(trace));
  return {
    world,
    trace,
    of: (type, node) => trace.filter((r) => r.type === type && (node === undefined || r.node === node)),
  };
}

/** The SPEC §5 topology: psa - relay-a - relay-b - fw-b - pra. */
export function specTopology(opts: { relayA?: Partial<RelayOptions>; relayB?: Partial<RelayOptions>; psa?: Partial<EndpointOptions>; pra?: Partial<EndpointOptions>; world?: WorldOptions } = {}): Built {
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
    1,
    undefined,
    opts.world,
  );
}

/** Adds a bare host (for scripted peers) and its links to a built world, before it starts. */
export function addHost(t: Built, id: string, name: string, links: [string, LinkSpec['options']?][]): void {
  t.world.network.addHost(id, { name });
  for (const [other, options] of links) t.world.network.addLink(id, other, options);
}

/** The frame a `msrp.send` record carries, parsed back from its bytes. */
export function frameOf(record: AnyTraceRecord): MsrpFrame {
  const bytes = typeof record.text === 'string' ? Buffer.from(record.text, 'utf8') : Buffer.from(String(record.bytesBase64), 'base64');
  const { frames, errors } = parseFrames(new Uint8Array(bytes));
  if (frames.length !== 1 || errors.length > 0) throw new Error(`record ${record.seq} does not hold one frame`);
  return frames[0]!;
}

/** A header's value as written in the frame (first occurrence), or undefined. */
export function headerOf(frame: MsrpFrame, name: string): string | undefined {
  return frame.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/** Frames a node put on the wire (`msrp.send`), parsed, with their record. */
export function sent(t: Built, node: string, filter: (f: MsrpFrame) => boolean = () => true): { record: AnyTraceRecord; frame: MsrpFrame }[] {
  return t.of('msrp.send', node)
    .filter((r) => typeof r.text === 'string' || typeof r.bytesBase64 === 'string')
    .map((record) => ({ record, frame: frameOf(record) }))
    .filter((x) => filter(x.frame));
}

export const isRequest = (method: string) => (f: MsrpFrame): boolean => f.kind === 'request' && f.method === method;
export const isResponse = (code?: number) => (f: MsrpFrame): boolean => f.kind === 'response' && (code === undefined || f.statusCode === code);

export interface ChainOptions {
  relay?: Partial<RelayOptions>;
  /** How the endpoints AUTH, on every relays entry (e.g. AG Projects' client for an msrprelay relay: `AG_CLIENT`). */
  credentials?: Partial<Pick<RelayCredentials, 'digestUri' | 'authPerSession'>>;
  psa?: Partial<EndpointOptions>;
  pra?: Partial<EndpointOptions>;
  latency?: number;
  seed?: string | number;
  network?: WorldSpec['network'];
}

/**
 * psa and pra with `a` and `b` relays of their own: psa - a1 - ... - aN - bM - ... - b1 - pra.
 * Each endpoint authenticates to its first relay directly and to the others through it.
 * Relay ids are `a1`, `a2`, ..., `b1`, ...; hosts `relay1.a.example.com`, `relay1.b.example.net`.
 */
export function chain(a: number, b: number, opts: ChainOptions = {}): Built {
  const relayHost = (side: 'a' | 'b', i: number) => `relay${i}.${side}.${side === 'a' ? 'example.com' : 'example.net'}`;
  const creds = (side: 'a' | 'b', n: number, user: string, password: string) =>
    Array.from({ length: n }, (_, i) => ({ uri: `${opts.relay?.scheme ?? 'msrps'}://${relayHost(side, i + 1)}:2855;tcp`, username: user, password, ...opts.credentials }));
  const nodes: NodeSpec[] = [
    { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: creds('a', a, 'psa', 's3cret'), ...opts.psa }) },
  ];
  for (let i = 1; i <= a; i++) nodes.push({ id: `a${i}`, role: 'relay', relay: relay(relayHost('a', i), { psa: 's3cret' }, opts.relay) });
  for (let i = b; i >= 1; i--) nodes.push({ id: `b${i}`, role: 'relay', relay: relay(relayHost('b', i), { pra: 'hunter2' }, opts.relay) });
  nodes.push({ id: 'pra', role: 'receiver', endpoint: endpoint('phone.b.example.net', { relays: creds('b', b, 'pra', 'hunter2'), ...opts.pra }) });
  const order = nodes.map((n) => n.id);
  const latency = opts.latency ?? 10_000;
  const links: [string, string, LinkSpec['options']?][] = [];
  for (let i = 0; i + 1 < order.length; i++) links.push([order[i]!, order[i + 1]!, { latency }]);
  return build(nodes, links, opts.seed, opts.network);
}

export const RELAY_A = 'msrps://relay.a.example.com:2855;tcp';

/** How AG Projects' client AUTHs (msrplib), which an msrprelay relay needs: once per session, without the digest `uri`. */
export const AG_CLIENT = { authPerSession: true, digestUri: false } as const;

export interface OneRelay {
  t: Built;
  bob: ScriptedPeer;
  /** psa's token at relay-a, psa's session URI and bob's, once known. */
  readonly token: string;
  readonly psaUri: string;
  readonly bobUri: string;
}

/**
 * psa - relay-a - bob, where bob is a relay-less scripted peer (peers.ts) that answers as `script`
 * says; started, with session s1 offered by psa at time 0.
 */
export function oneRelay(script: Script, opts: { relay?: Partial<RelayOptions>; psa?: Partial<EndpointOptions>; bobLatency?: number; credentials?: ChainOptions['credentials'] } = {}): OneRelay {
  const t = build(
    [
      { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: opts.relay?.scheme === 'msrp' ? RELAY_A.replace('msrps:', 'msrp:') : RELAY_A, username: 'psa', password: 's3cret', ...opts.credentials }], ...opts.psa }) },
      { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }, opts.relay) },
    ],
    [['psa', 'relay-a', { latency: 10_000 }]],
  );
  addHost(t, 'bob', 'bob.example.com', [['relay-a', { latency: opts.bobLatency ?? 10_000 }]]);
  const bob = new ScriptedPeer(t.world, 'bob', { host: 'bob.example.com', port: 9000, script });
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'bob'));
  return {
    t,
    bob,
    get token() {
      return t.of('relay.auth-ok', 'relay-a')[0]!.token as string;
    },
    get psaUri() {
      return (t.of('session.offer', 'psa')[0]!.path as string[]).at(-1)!;
    },
    get bobUri() {
      return bob.sessionUris[0]!;
    },
  };
}

/**
 * A sink that keeps every record in `trace`, a receive that refers to its send (trace format 2)
 * with its frame's fields resolved, as every consumer of a trace reads it (FrameResolver): tests
 * read a receive's frame on its record.
 */
export function resolvingSink(trace: AnyTraceRecord[]): (r: AnyTraceRecord) => void {
  const frames = new FrameResolver();
  return (r) => {
    frames.see(r);
    if (r.type !== 'msrp.recv' || r.sent === undefined) {
      trace.push(r);
      return;
    }
    const { rule: _r, offset: _o, length: _l, text: _t, bytesBase64: _b, ...frame } = frames.frameOf(r as TraceRecord<'msrp.recv'>) as unknown as AnyTraceRecord;
    trace.push({ ...frame, t: r.t, seq: r.seq, node: r.node, type: r.type, ...(r.rule !== undefined ? { rule: r.rule } : {}), conn: r.conn, sent: r.sent });
  };
}
