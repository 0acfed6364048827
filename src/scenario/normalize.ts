/**
 * From a file of the right shape to a `Scenario`: references to nodes, links and sessions
 * checked, routes to relays checked over the links, times checked against the duration and
 * against the sessions they use, units converted and defaults applied. Every problem is
 * reported; the parts that are wrong are left out and the rest is still checked.
 */
import { typeMatches } from '../protocol/media-types.js';
import { parseUri } from '../wire/uri.js';
import type { ScenarioFile, ScenarioFileEvent, ScenarioFileExpectation, ScenarioFileFault, ScenarioFileNode } from './definition.js';
import type { Diagnostics, Positions } from './diagnostics.js';
import { didYouMean } from './problems.js';
import type { Path } from './problems.js';
import type { SrcNode } from './source.js';
import { formatDuration, parseBandwidth, parseDuration, parseProbability, parseSeconds, parseSize } from './units.js';
import type { UnitResult } from './units.js';
import type {
  CountBound,
  ScenarioEndpoint,
  Expectation,
  ExpectationKind,
  Fault,
  ScenarioFirewall,
  ScenarioFirewallRule,
  LinkRef,
  LinkSettings,
  Micros,
  NodeId,
  PathElement,
  ScenarioRelayCredentials,
  ScenarioRelay,
  RawAction,
  RelayProfileName,
  Scenario,
  ScenarioSendAction,
  SetAction,
  ScenarioEvent,
  ScenarioLink,
  ScenarioNode,
  ScenarioSession,
  SourcePosition,
} from './types.js';

export interface NormalizeOptions {
  /** Every relay gets this profile, whatever the file says (`msrp-sim run --profile`). */
  profile?: RelayProfileName;
}

type RawEndpoint = Partial<Omit<Extract<ScenarioFileNode, { role: 'sender' }>, 'role'>>;
type RawRelay = Partial<Omit<Extract<ScenarioFileNode, { role: 'relay' }>, 'role'>>;
type RawFirewall = Partial<Omit<Extract<ScenarioFileNode, { role: 'firewall' }>, 'role'>>;
type RawLinkSettings = { latency?: string; jitter?: string; bandwidth?: string; loss?: number | string; mss?: number };

/**
 * Bounds on what a scenario sends, so that a run that would not finish (or not fit in memory) is
 * refused at validation. A message and a chunk are held whole in memory at the receiver and in
 * the trace; 64 MiB takes about half a minute to run.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Content bytes of all sends together (`count` times `size`). */
export const MAX_SCENARIO_CONTENT_BYTES = 256 * 1024 * 1024;
/** Messages of all sends together (the sum of their `count`s). */
export const MAX_SCENARIO_MESSAGES = 1_000_000;

/** `64 MiB (67108864 bytes)`. */
const sizeText = (n: number): string => `${n / 1024 / 1024} MiB (${n} bytes)`;

const ENDPOINT_ROLES = ['sender', 'receiver', 'endpoint'] as const;
const MSRP_ROLES = [...ENDPOINT_ROLES, 'relay'] as const;

/** Built-in settings; docs/scenario-format.md lists them. */
export const BUILTIN = {
  duration: 600_000_000,
  seed: 1,
  signallingDelay: 20_000,
  /** RFC 3261 §17.1.1.2: Timer B = 64 × T1, T1 = 500 ms. */
  inviteTimeout: 32_000_000,
  tcp: { connectTimeout: 20_000_000, rto: 1_000_000, maxRetries: 8 },
  link: { latency: 1_000, jitter: 0, bandwidth: 1_000_000_000, loss: 0, mss: 1460 } satisfies LinkSettings,
  port: 2855,
  firewallIdleTimeout: 7_440_000_000,
} as const;

/** Relay settings by profile (SPEC §3.2): only msrprelay's documented values differ. */
export function relayProfileDefaults(profile: RelayProfileName): Pick<ScenarioRelay, 'expires' | 'probation' | 'maxFailedAuths' | 'nonceLifetime' | 'transactionTimeout' | 'idleLimit' | 'maxChunk'> {
  const base = {
    expires: { min: 60_000_000, default: 1_800_000_000, max: 3_600_000_000 },
    probation: 30_000_000,
    maxFailedAuths: 3,
    nonceLifetime: 300_000_000,
    transactionTimeout: 30_000_000,
    idleLimit: null,
    maxChunk: null,
  };
  if (profile === 'msrprelay') return { ...base, expires: { min: 60_000_000, default: 600_000_000, max: 3_600_000_000 }, nonceLifetime: 15_000_000 };
  return base;
}

export function defaultHost(id: string): string {
  return `${id.toLowerCase().replace(/_/gu, '-')}.test`;
}

function must(r: UnitResult): number {
  if (!r.ok) throw new Error(`a value that passed the shape check does not parse: ${r.message}`);
  return r.value;
}
const us = (v: string): Micros => must(parseDuration(v));
const secs = (v: number | string): Micros => must(parseSeconds(v));
const bytes = (v: number | string): number => must(parseSize(v));
const bits = (v: string): number => must(parseBandwidth(v));
const prob = (v: number | string): number => must(parseProbability(v));
const yesNo = (v: 'yes' | 'no' | boolean): 'yes' | 'no' => (v === true ? 'yes' : v === false ? 'no' : v);
const fr = (v: 'yes' | 'no' | 'partial' | boolean): 'yes' | 'no' | 'partial' => (v === true ? 'yes' : v === false ? 'no' : v);
const tlsVersion = (v: string | number): '1.2' | '1.3' => (String(v) === '1.2' ? '1.2' : '1.3');

function article(role: string): string {
  return /^[aeiou]/u.test(role) ? `an ${role}` : `a ${role}`;
}

interface SessionRecord {
  id: string;
  offerer: NodeId;
  answerer: NodeId;
  at: Micros;
  order: number;
  index: number;
  endedAt: Micros | null;
  endedOrder: number;
  endedBy: NodeId | null;
  endIndex: number;
  /** False when the opening event names parties that are not two endpoints (reported there). */
  usable: boolean;
}

export class Normalizer {
  private readonly nodeIds: string[] = [];
  /** The same ids for lookups: a scenario may have tens of thousands of nodes. */
  private readonly nodeIdSet = new Set<string>();
  /** False when `nodes` is not a mapping at all: then references cannot be checked. */
  private readonly nodesKnown: boolean;
  private readonly sessionIds = new Set<string>();
  /** How many `send` events name each session, counting those with problems of their own. */
  private readonly sentOn = new Map<string, number>();
  /** Messages and content bytes of the sends normalized so far (`count` included). */
  private sentMessages = 0;
  private sentBytes = 0;
  private readonly rawNodes = new Map<string, ScenarioFileNode>();
  private readonly nodes = new Map<string, ScenarioNode>();
  private readonly hostOf = new Map<string, string>();
  private readonly insideOf = new Map<string, string>();
  private readonly links: ScenarioLink[] = [];
  private readonly linkIndex = new Map<string, number>();
  private component = new Map<string, number>();
  private duration: Micros = BUILTIN.duration;
  private durationText = '10m (the default)';

  constructor(
    private readonly file: Partial<ScenarioFile>,
    root: SrcNode,
    private readonly pos: Positions,
    private readonly diag: Diagnostics,
    private readonly options: NormalizeOptions,
  ) {
    const nodesSrc = root.kind === 'map' ? root.entries.find((e) => e.key === 'nodes')?.value : undefined;
    this.nodesKnown = nodesSrc?.kind === 'map';
    if (nodesSrc?.kind === 'map') for (const e of nodesSrc.entries) {
      this.nodeIds.push(e.key);
      this.nodeIdSet.add(e.key);
    }
    // Sessions opened anywhere in the file, even by an event with problems, so that those
    // problems are not repeated as "unknown session" wherever the session is used.
    const eventsSrc = root.kind === 'map' ? root.entries.find((e) => e.key === 'events')?.value : undefined;
    if (eventsSrc?.kind === 'seq') {
      for (const ev of eventsSrc.items) {
        if (ev.kind !== 'map') continue;
        const field = (action: string, key: string) => {
          const a = ev.entries.find((e) => e.key === action)?.value;
          const v = a?.kind === 'map' ? a.entries.find((e) => e.key === key)?.value : undefined;
          return v?.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
        };
        const opened = field('session', 'id');
        if (opened !== undefined) this.sessionIds.add(opened);
        const sentOn = field('send', 'session');
        if (sentOn !== undefined) this.sentOn.set(sentOn, (this.sentOn.get(sentOn) ?? 0) + 1);
      }
    }
  }

  run(): Scenario {
    const f = this.file;
    if (f.duration !== undefined) {
      this.duration = us(f.duration);
      this.durationText = `\`${f.duration}\``;
    }
    const defaults = f.defaults ?? {};
    for (const [id, n] of Object.entries(f.nodes ?? {})) {
      this.rawNodes.set(id, n);
      this.hostOf.set(id, n.host ?? defaultHost(id));
      if (n.role === 'firewall') for (const inner of n.inside) if (typeof inner === 'string' && inner !== id && !this.insideOf.has(inner)) this.insideOf.set(inner, id);
    }
    this.buildNodes(defaults);
    this.buildLinks(defaults.link ?? {});
    this.checkTopology();
    const { events, sessions } = this.buildEvents();
    const expectations = this.buildExpectations(events);
    return {
      name: f.name ?? '',
      description: f.description ?? '',
      seed: f.seed ?? BUILTIN.seed,
      duration: this.duration,
      signallingDelay: defaults.signallingDelay !== undefined ? us(defaults.signallingDelay) : BUILTIN.signallingDelay,
      inviteTimeout: defaults.inviteTimeout !== undefined ? us(defaults.inviteTimeout) : BUILTIN.inviteTimeout,
      tcp: {
        connectTimeout: defaults.tcp?.connectTimeout !== undefined ? us(defaults.tcp.connectTimeout) : BUILTIN.tcp.connectTimeout,
        rto: defaults.tcp?.rto !== undefined ? us(defaults.tcp.rto) : BUILTIN.tcp.rto,
        maxRetries: defaults.tcp?.maxRetries ?? BUILTIN.tcp.maxRetries,
      },
      nodes: [...this.nodes.values()],
      links: this.links,
      sessions,
      events,
      expectations,
    };
  }

  // ------------------------------------------------------------------------------------------
  // References

  private err(path: Path, message: string, at: 'value' | 'key' = 'value'): void {
    this.diag.error(at === 'key' ? this.pos.key(path) : this.pos.value(path), path, message);
  }

  private warn(path: Path, message: string, at: 'value' | 'key' = 'value'): void {
    this.diag.warn(at === 'key' ? this.pos.key(path) : this.pos.value(path), path, message);
  }

  private line(path: Path): string {
    return this.diag.where(this.pos.key(path)[0]);
  }

  /**
   * The node `id` names, if it exists and has one of `roles`; reports otherwise. `undefined`
   * also for a node that exists but has problems of its own (reported where it is written).
   */
  private ref(path: Path, id: string, roles: readonly string[] | null, wanted = ''): ScenarioFileNode | undefined {
    if (!this.nodesKnown) return undefined;
    if (!this.nodeIdSet.has(id)) {
      this.err(path, `unknown node \`${id}\`${didYouMean(id, this.nodeIds)}`);
      return undefined;
    }
    const n = this.rawNodes.get(id);
    if (n === undefined) return undefined;
    if (roles !== null && !roles.includes(n.role)) {
      this.err(path, `\`${id}\` is ${article(n.role)}, not ${wanted}`);
      return undefined;
    }
    return n;
  }

  private isEndpoint(id: string): boolean {
    const role = this.rawNodes.get(id)?.role;
    return role === 'sender' || role === 'receiver' || role === 'endpoint';
  }

  private refEndpoint(path: Path, id: string): ScenarioFileNode | undefined {
    return this.ref(path, id, ENDPOINT_ROLES, 'an endpoint (a sender, receiver or endpoint)');
  }

  private refMsrp(path: Path, id: string): ScenarioFileNode | undefined {
    return this.ref(path, id, MSRP_ROLES, 'an MSRP node (firewalls speak no MSRP)');
  }

  private refSession(path: Path, id: string): boolean {
    if (this.sessionIds.has(id)) return true;
    const known = [...this.sessionIds];
    this.err(path, `unknown session \`${id}\`${known.length === 0 ? '; no event opens a session' : didYouMean(id, known)}`);
    return false;
  }

  /** The link between two nodes, as a reference with the ends in the order written. */
  private refLink(path: Path, ends: [string, string]): LinkRef | undefined {
    const [a, b] = ends;
    const okA = this.ref([...path, 0], a, null) !== undefined;
    const okB = this.ref([...path, 1], b, null) !== undefined;
    if (!okA || !okB) return undefined;
    const link = this.linkIndex.get(linkKey(a, b));
    if (link === undefined) {
      this.err(path, `there is no link between \`${a}\` and \`${b}\``);
      return undefined;
    }
    return { link, a, b };
  }

  // ------------------------------------------------------------------------------------------
  // Nodes

  private buildNodes(defaults: NonNullable<ScenarioFile['defaults']>): void {
    const seenHosts = new Map<string, string>();
    const seenAddresses = new Map<string, string>();
    for (const [id, raw] of this.rawNodes) {
      const path = ['nodes', id];
      let node: ScenarioNode;
      if (raw.role === 'relay') {
        const base = this.relayBase(id, raw, defaults.relay ?? {});
        node = this.applyRelay(base, raw, path);
        this.checkExpires(node, [
          [defaults.relay, ['defaults', 'relay']],
          [raw, path],
        ]);
      } else if (raw.role === 'firewall') {
        let fw = this.firewallBase(id, raw);
        fw = this.applyFirewall(fw, defaults.firewall ?? {}, ['defaults', 'firewall']);
        node = this.applyFirewall(fw, raw, path);
        this.checkInside(fw.id, raw.inside, path);
      } else {
        let ep = this.endpointBase(id, raw.role);
        ep = this.applyEndpoint(ep, defaults.endpoint ?? {}, ['defaults', 'endpoint']);
        if (raw.role !== 'endpoint') ep = this.applyEndpoint(ep, defaults[raw.role] ?? {}, ['defaults', raw.role]);
        node = this.applyEndpoint(ep, raw, path);
        this.checkChunking(node, [
          [defaults.endpoint, ['defaults', 'endpoint']],
          [raw.role === 'endpoint' ? undefined : defaults[raw.role], ['defaults', raw.role]],
          [raw, path],
        ]);
        if (node.relays.length > 0 || raw.password !== undefined) this.checkCredentials(node as ScenarioEndpoint, path);
      }
      this.nodes.set(id, node);
      const hostKey = node.host.toLowerCase();
      const other = seenHosts.get(hostKey);
      if (other !== undefined) {
        const where: Path = raw.host !== undefined ? [...path, 'host'] : path;
        this.err(where, `host \`${node.host}\` is also the host of \`${other}\`; each node needs its own host name`, raw.host !== undefined ? 'value' : 'key');
      } else seenHosts.set(hostKey, id);
      if (node.address !== null) {
        const same = seenAddresses.get(node.address);
        // Two hosts with one address cannot both be reached: the network refuses to build such a world.
        if (same !== undefined) this.err([...path, 'address'], `address ${node.address} is also the address of \`${same}\`; \`${id}\` needs an address of its own`);
        else seenAddresses.set(node.address, id);
      }
    }
  }

  private endpointBase(id: string, role: ScenarioEndpoint['role']): ScenarioEndpoint {
    const host = this.hostOf.get(id)!;
    return {
      id,
      role,
      host,
      address: null,
      port: BUILTIN.port,
      scheme: 'msrp',
      tls: { version: '1.3' },
      certificateNames: [host],
      relays: [],
      acceptTypes: ['*'],
      acceptWrappedTypes: [],
      maxSize: null,
      chunkSize: 2048,
      chunkStrategy: 'fixed',
      successReport: 'no',
      failureReport: 'yes',
      transactionTimeout: 30_000_000,
      authExpires: null,
      connectionModel: 'rfc4975',
      reachable: !this.insideOf.has(id),
      onSessionFailure: 'report',
    };
  }

  private applyEndpoint(base: ScenarioEndpoint, raw: RawEndpoint, path: Path): ScenarioEndpoint {
    const n: ScenarioEndpoint = { ...base, tls: { ...base.tls }, relays: base.relays.map((r) => ({ ...r })) };
    if (raw.address !== undefined) n.address = raw.address;
    if (raw.port !== undefined) n.port = raw.port;
    if (raw.scheme !== undefined) n.scheme = raw.scheme;
    if (raw.tls?.version !== undefined) n.tls.version = tlsVersion(raw.tls.version);
    if (raw.certificateNames !== undefined) n.certificateNames = [...raw.certificateNames];
    if (raw.acceptTypes !== undefined) n.acceptTypes = raw.acceptTypes.filter((t) => t !== undefined);
    if (raw.acceptWrappedTypes !== undefined) n.acceptWrappedTypes = raw.acceptWrappedTypes.filter((t) => t !== undefined);
    if (raw.maxSize !== undefined) n.maxSize = bytes(raw.maxSize);
    if (raw.chunkSize !== undefined) {
      n.chunkSize = bytes(raw.chunkSize);
      if (n.chunkSize === 0) this.err([...path, 'chunkSize'], 'a chunk needs at least 1 byte');
      this.checkChunkSize(n.chunkSize, [...path, 'chunkSize']);
    }
    if (raw.chunkStrategy !== undefined) n.chunkStrategy = raw.chunkStrategy;
    if (raw.successReport !== undefined) n.successReport = yesNo(raw.successReport);
    if (raw.failureReport !== undefined) n.failureReport = fr(raw.failureReport);
    if (raw.transactionTimeout !== undefined) n.transactionTimeout = us(raw.transactionTimeout);
    if (raw.authExpires !== undefined) n.authExpires = secs(raw.authExpires);
    if (raw.connectionModel !== undefined) n.connectionModel = raw.connectionModel;
    if (raw.reachable !== undefined) n.reachable = raw.reachable;
    if (raw.onSessionFailure !== undefined) n.onSessionFailure = raw.onSessionFailure;
    if (raw.relays !== undefined) {
      const seen = new Set<string>();
      n.relays = [];
      raw.relays.forEach((r, i) => {
        if (r === undefined) return;
        const p = [...path, 'relays', i];
        const relay = typeof r === 'string' ? r : r.relay;
        const refPath = typeof r === 'string' ? p : [...p, 'relay'];
        if (this.ref(refPath, relay, ['relay'], 'a relay') === undefined) return;
        if (path[0] === 'nodes') this.relayPaths.set(`${base.id}\0${relay}`, refPath);
        if (seen.has(relay)) {
          this.err(refPath, `relay \`${relay}\` is already in the list`);
          return;
        }
        seen.add(relay);
        const own = typeof r === 'string' ? undefined : r;
        n.relays.push({ relay, username: own?.username ?? base.id, password: own?.password ?? raw.password ?? null });
      });
    } else if (raw.password !== undefined) {
      // `set: { password }`: the new password for every relay.
      for (const r of n.relays) r.password = raw.password;
    }
    return n;
  }

  /** The path of the last of `layers` (lowest precedence first) that writes one of `keys`. */
  private origin(keys: readonly string[], layers: [object | undefined, Path][]): Path | undefined {
    for (let i = layers.length - 1; i >= 0; i--) {
      const [raw, path] = layers[i]!;
      const key = keys.find((k) => raw !== undefined && Object.hasOwn(raw, k));
      if (key !== undefined) return [...path, key];
    }
    return undefined;
  }

  /** W-31 on the settings a node ends up with, reported where the chunk size was chosen. */
  private checkChunking(node: ScenarioEndpoint, layers: [object | undefined, Path][]): void {
    if (node.chunkSize <= 2048 || node.chunkStrategy !== 'fixed') return;
    const at = this.origin(['chunkSize'], layers) ?? this.origin(['chunkStrategy'], layers);
    if (at !== undefined) this.warn(at, 'chunks of more than 2048 bytes must be interruptible (W-31, RFC 4975 §7.1.1); set `chunkStrategy: interruptible`');
  }

  /** Expires bounds in order, on the settings a relay ends up with. */
  private checkExpires(node: ScenarioRelay, layers: [object | undefined, Path][]): void {
    const e = node.expires;
    if (e.min <= e.default && e.default <= e.max) return;
    const at = this.origin(['expires'], layers);
    if (at !== undefined) this.err(at, `Expires bounds must be in order min <= default <= max; they are ${formatDuration(e.min)}, ${formatDuration(e.default)} and ${formatDuration(e.max)}`);
  }

  private checkCredentials(node: ScenarioEndpoint, path: Path): void {
    node.relays.forEach((cred: ScenarioRelayCredentials, i) => {
      const relay = this.rawNodes.get(cred.relay);
      if (relay?.role !== 'relay') return;
      const p = [...path, 'relays', i];
      if (cred.password === null) {
        this.warn(p, `\`${node.id}\` has no password for relay \`${cred.relay}\`; its AUTH will fail (give \`password\`)`);
        return;
      }
      const users = relay.users ?? {};
      // A user written with problems of its own is reported there.
      if (this.pos.get(['nodes', cred.relay, 'users', cred.username]) !== undefined && !Object.hasOwn(users, cred.username)) return;
      if (!Object.hasOwn(users, cred.username)) this.warn(p, `relay \`${cred.relay}\` has no user \`${cred.username}\`; the AUTH of \`${node.id}\` will fail`);
      else if (users[cred.username] !== cred.password) this.warn(p, `the password of \`${node.id}\` for relay \`${cred.relay}\` is not the one in its \`users\`; the AUTH will fail`);
    });
  }

  private relayProfile(raw: RawRelay, defaults: RawRelay): RelayProfileName {
    return this.options.profile ?? raw.profile ?? defaults.profile ?? 'rfc4976';
  }

  private relayBase(id: string, raw: RawRelay, defaults: RawRelay): ScenarioRelay {
    const host = this.hostOf.get(id)!;
    const base: ScenarioRelay = {
      id,
      role: 'relay',
      host,
      address: null,
      port: BUILTIN.port,
      scheme: 'msrps',
      tls: { version: '1.3' },
      certificateNames: [host],
      realm: host,
      users: {},
      ...relayProfileDefaults(this.relayProfile(raw, defaults)),
      profile: this.relayProfile(raw, defaults),
    };
    return this.applyRelay(base, { ...defaults, profile: base.profile }, ['defaults', 'relay']);
  }

  private applyRelay(base: ScenarioRelay, raw: RawRelay, path: Path): ScenarioRelay {
    const n: ScenarioRelay = { ...base, tls: { ...base.tls }, expires: { ...base.expires }, users: { ...base.users } };
    if (raw.address !== undefined) n.address = raw.address;
    if (raw.port !== undefined) n.port = raw.port;
    if (raw.scheme !== undefined) n.scheme = raw.scheme;
    if (raw.tls?.version !== undefined) n.tls.version = tlsVersion(raw.tls.version);
    if (raw.certificateNames !== undefined) n.certificateNames = [...raw.certificateNames];
    if (raw.realm !== undefined) n.realm = raw.realm;
    if (raw.users !== undefined) n.users = { ...raw.users };
    if (raw.expires !== undefined) {
      if (raw.expires.min !== undefined) n.expires.min = secs(raw.expires.min);
      if (raw.expires.default !== undefined) n.expires.default = secs(raw.expires.default);
      if (raw.expires.max !== undefined) n.expires.max = secs(raw.expires.max);
    }
    if (raw.maxChunk !== undefined) {
      n.maxChunk = bytes(raw.maxChunk);
      if (n.maxChunk === 0) this.err([...path, 'maxChunk'], 'a chunk needs at least 1 byte');
    }
    if (raw.probation !== undefined) n.probation = us(raw.probation);
    if (raw.maxFailedAuths !== undefined) n.maxFailedAuths = raw.maxFailedAuths;
    if (raw.nonceLifetime !== undefined) n.nonceLifetime = us(raw.nonceLifetime);
    if (raw.idleLimit !== undefined) {
      n.idleLimit = us(raw.idleLimit);
      if (n.idleLimit === 0) this.err([...path, 'idleLimit'], 'an idle limit of 0 would close every connection at once; leave `idleLimit` out to keep idle connections');
    }
    if (raw.transactionTimeout !== undefined) n.transactionTimeout = us(raw.transactionTimeout);
    if (raw.profile !== undefined) n.profile = this.options.profile ?? raw.profile;
    return n;
  }

  private firewallBase(id: string, raw: RawFirewall): ScenarioFirewall {
    return {
      id,
      role: 'firewall',
      host: this.hostOf.get(id)!,
      address: null,
      inside: (raw.inside ?? []).filter((x): x is string => typeof x === 'string'),
      rules: [],
      default: { inbound: 'deny', outbound: 'allow', mode: 'drop' },
      idleTimeout: BUILTIN.firewallIdleTimeout,
      idleMode: 'drop',
      nat: null,
      policy: null,
    };
  }

  private applyFirewall(base: ScenarioFirewall, raw: RawFirewall, path: Path): ScenarioFirewall {
    const n: ScenarioFirewall = { ...base, default: { ...base.default } };
    if (raw.address !== undefined) n.address = raw.address;
    if (raw.default !== undefined) {
      if (typeof raw.default === 'string') n.default = { ...n.default, inbound: raw.default, outbound: raw.default };
      else n.default = { inbound: raw.default.inbound ?? n.default.inbound, outbound: raw.default.outbound ?? n.default.outbound, mode: raw.default.mode ?? n.default.mode };
    }
    if (raw.idleTimeout !== undefined) n.idleTimeout = us(raw.idleTimeout);
    if (raw.idleMode !== undefined) n.idleMode = raw.idleMode;
    if (raw.nat !== undefined) n.nat = raw.nat === false ? null : raw.nat === true ? { address: null } : { address: raw.nat.address ?? null };
    if (raw.policy !== undefined) {
      const p = raw.policy;
      const old = n.policy;
      n.policy = {
        maxFrame: p.maxFrame !== undefined ? bytes(p.maxFrame) : (old?.maxFrame ?? null),
        methods: p.methods !== undefined ? p.methods.filter((m) => m !== undefined) : (old?.methods ?? null),
        contentTypes: p.contentTypes !== undefined ? p.contentTypes.filter((t) => t !== undefined) : (old?.contentTypes ?? null),
        action: p.action ?? old?.action ?? 'drop',
      };
    }
    if (raw.rules !== undefined) n.rules = this.rules(raw.rules, [...path, 'rules']);
    return n;
  }

  private rules(raw: NonNullable<RawFirewall['rules']>, path: Path): ScenarioFirewallRule[] {
    const out: ScenarioFirewallRule[] = [];
    const ids = new Map<string, number>();
    raw.forEach((r, i) => {
      if (r === undefined) return;
      const p = [...path, i];
      const action = r.allow !== undefined ? 'allow' : 'deny';
      const direction = r.allow ?? r.deny ?? 'any';
      if (action === 'allow' && r.mode !== undefined) this.err([...p, 'mode'], '`mode` says how a `deny` rule denies; an `allow` rule has none', 'key');
      const id = r.id ?? `rule-${i + 1}`;
      const first = ids.get(id);
      if (first !== undefined) this.err(r.id !== undefined ? [...p, 'id'] : p, `rule id \`${id}\` is also the id of rule ${first + 1}`);
      else ids.set(id, i);
      let host: string | null = null;
      if (r.host !== undefined) {
        const nodeHost = this.hostOf.get(r.host);
        const known = [...this.hostOf.values()].some((h) => h.toLowerCase() === r.host!.toLowerCase());
        if (nodeHost !== undefined) host = nodeHost;
        else {
          host = r.host;
          if (!known && !/^\d+\.\d+\.\d+\.\d+$/u.test(r.host) && this.nodesKnown) {
            this.warn([...p, 'host'], `no node is \`${r.host}\` or has it as host${didYouMean(r.host, [...this.nodeIds, ...this.hostOf.values()])}`);
          }
        }
      }
      if (r.tlsOnly !== undefined && r['tls-only'] !== undefined) this.err([...p, 'tls-only'], '`tls-only` is another spelling of `tlsOnly`; give only one of them', 'key');
      out.push({ id, action, direction, port: r.port ?? null, host, tlsOnly: r.tlsOnly ?? r['tls-only'] ?? false, mode: action === 'deny' ? (r.mode ?? 'drop') : null });
    });
    return out;
  }

  private checkInside(fw: string, inside: readonly (string | undefined)[], path: Path): void {
    const seen = new Set<string>();
    inside.forEach((id, i) => {
      if (id === undefined) return;
      const p = [...path, 'inside', i];
      if (id === fw) {
        this.err(p, 'a firewall is not inside itself');
        return;
      }
      if (seen.has(id)) {
        this.err(p, `\`${id}\` is already listed`);
        return;
      }
      seen.add(id);
      this.ref(p, id, null);
      const other = this.insideOf.get(id);
      if (other !== undefined && other !== fw) this.err(p, `\`${id}\` is already inside firewall \`${other}\`; put firewall \`${fw}\` inside \`${other}\` instead`);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Links and routes

  private linkSettings(base: LinkSettings, raw: RawLinkSettings): LinkSettings {
    return {
      latency: raw.latency !== undefined ? us(raw.latency) : base.latency,
      jitter: raw.jitter !== undefined ? us(raw.jitter) : base.jitter,
      bandwidth: raw.bandwidth !== undefined ? bits(raw.bandwidth) : base.bandwidth,
      loss: raw.loss !== undefined ? prob(raw.loss) : base.loss,
      mss: raw.mss ?? base.mss,
    };
  }

  private buildLinks(defaults: RawLinkSettings): void {
    const base = this.linkSettings(BUILTIN.link, defaults);
    (this.file.links ?? []).forEach((l, i) => {
      if (l === undefined) return;
      const path = ['links', i];
      const [a, b] = [l[0], l[1]];
      const okA = this.ref([...path, 0], a, null) !== undefined;
      const okB = this.ref([...path, 1], b, null) !== undefined;
      if (a === b) {
        this.err([...path, 1], `a link joins two different nodes; both ends are \`${a}\``);
        return;
      }
      if (!okA || !okB) return;
      const key = linkKey(a, b);
      const first = this.linkIndex.get(key);
      if (first !== undefined) {
        this.err(path, `\`${a}\` and \`${b}\` are already linked at ${this.line(['links', this.linkFileIndex[first]!])}`);
        return;
      }
      this.linkIndex.set(key, this.links.length);
      this.linkFileIndex.push(i);
      this.links.push({ a, b, ...this.linkSettings(base, l.length === 3 ? l[2] : {}) });
    });
  }

  private readonly linkFileIndex: number[] = [];
  /** Where each endpoint names each of its relays. */
  private readonly relayPaths = new Map<string, Path>();

  /** Connected components over the links (firewall rules aside: those act at run time). */
  private checkTopology(): void {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    for (const id of this.nodeIds) parent.set(id, id);
    for (const l of this.links) parent.set(find(l.a), find(l.b));
    const ids = new Map<string, number>();
    for (const id of this.nodeIds) {
      const root = find(id);
      if (!ids.has(root)) ids.set(root, ids.size);
      this.component.set(id, ids.get(root)!);
    }
    const linked = new Set(this.links.flatMap((l) => [l.a, l.b]));
    for (const node of this.nodes.values()) {
      const path = ['nodes', node.id];
      if (this.nodes.size > 1 && !linked.has(node.id)) this.warn(path, `\`${node.id}\` has no links`, 'key');
      if (node.role === 'sender' || node.role === 'receiver' || node.role === 'endpoint') {
        node.relays.forEach((r, i) => {
          if (this.component.get(r.relay) !== this.component.get(node.id)) {
            const p = this.relayPaths.get(`${node.id}\0${r.relay}`) ?? [...path, 'relays', i];
            this.err(p, `no route from \`${node.id}\` to its relay \`${r.relay}\` over the links`);
          }
        });
      }
    }
    // A link from inside a firewall to outside it that does not pass through the firewall.
    for (const [i, l] of this.links.entries()) {
      for (const [x, y] of [
        [l.a, l.b],
        [l.b, l.a],
      ] as const) {
        const fw = this.insideOf.get(x);
        if (fw !== undefined && y !== fw && this.insideOf.get(y) !== fw && this.insideOf.get(fw) !== y) {
          this.warn(['links', this.linkFileIndex[i]!], `\`${x}\` is inside firewall \`${fw}\` but this link joins it to \`${y}\`, which is not: traffic can bypass the firewall`);
        }
      }
    }
  }

  private sameComponent(a: string, b: string): boolean {
    return this.component.get(a) === this.component.get(b);
  }

  // ------------------------------------------------------------------------------------------
  // Events

  private source(path: Path): SourcePosition {
    const range = this.pos.key(path);
    const { line, column } = this.diag.position(range[0]);
    return { line, column };
  }

  private checkTime(path: Path, text: string, at: Micros): void {
    if (at > this.duration) this.err(path, `\`${text}\` is after the end of the run (\`duration\` is ${this.durationText})`);
  }

  private buildEvents(): { events: ScenarioEvent[]; sessions: ScenarioSession[] } {
    const raw = (this.file.events ?? []).map((ev, index) => ({ ev, index })).filter((x): x is { ev: ScenarioFileEvent; index: number } => x.ev !== undefined);
    const timed = raw.map((x) => ({ ...x, at: us(x.ev.at) }));
    // Stable: events at the same time keep their order in the file.
    timed.sort((x, y) => x.at - y.at || x.index - y.index);
    const sessions = new Map<string, SessionRecord>();
    // Sessions opened by any event (checked first, so that uses before the opening are told so).
    timed.forEach((t, order) => {
      const s = t.ev.session;
      if (s === undefined) return;
      const earlier = sessions.get(s.id);
      if (earlier !== undefined) {
        const [first, second] = earlier.index < t.index ? [earlier, { index: t.index }] : [{ index: t.index }, earlier];
        this.err(['events', second.index, 'session', 'id'], `session \`${s.id}\` is already opened at ${this.line(['events', first.index])}`);
        if (earlier.index < t.index) return;
      }
      const usable = this.isEndpoint(s.offerer) && this.isEndpoint(s.answerer) && s.offerer !== s.answerer;
      sessions.set(s.id, { id: s.id, offerer: s.offerer, answerer: s.answerer, at: t.at, order, index: t.index, endedAt: null, endedOrder: -1, endedBy: null, endIndex: -1, usable });
    });
    const current = new Map<string, ScenarioNode>(this.nodes);
    const linkNow = this.links.map((l) => ({ ...l }));
    const events: ScenarioEvent[] = [];
    const recoveries: ScenarioEvent[] = [];
    timed.forEach((t, order) => {
      const { ev, index, at } = t;
      const path: Path = ['events', index];
      this.checkTime([...path, 'at'], ev.at, at);
      const base = { at, index, source: this.source(path) };
      const usable = (p: Path, id: string): SessionRecord | undefined => this.sessionAt(p, id, sessions, order);
      if (ev.session !== undefined) {
        const s = ev.session;
        const p = [...path, 'session'];
        const o = this.refEndpoint([...p, 'offerer'], s.offerer);
        const a = this.refEndpoint([...p, 'answerer'], s.answerer);
        if (s.offerer === s.answerer) this.err([...p, 'answerer'], `a session joins two different endpoints; offerer and answerer are both \`${s.offerer}\``);
        else if (o !== undefined && a !== undefined && !this.sameComponent(s.offerer, s.answerer)) {
          this.err([...p, 'answerer'], `no route between \`${s.offerer}\` and \`${s.answerer}\` over the links`);
        }
        if (sessions.get(s.id)?.index === index && o !== undefined && a !== undefined && s.offerer !== s.answerer) events.push({ ...base, action: 'session', session: s.id, offerer: s.offerer, answerer: s.answerer });
      } else if (ev.send !== undefined) {
        const e = this.sendEvent(ev.send, [...path, 'send'], at, usable, current);
        if (e !== undefined) events.push({ ...base, ...e });
      } else if (ev.end !== undefined) {
        const p = [...path, 'end'];
        const s = usable([...p, 'session'], ev.end.session);
        if (s === undefined) return;
        const by = ev.end.by ?? s.offerer;
        if (ev.end.by !== undefined && this.refEndpoint([...p, 'by'], by) !== undefined && by !== s.offerer && by !== s.answerer) {
          this.err([...p, 'by'], `\`${by}\` is not a party of session \`${s.id}\` (\`${s.offerer}\` and \`${s.answerer}\`)`);
          return;
        }
        s.endedAt = at;
        s.endedOrder = order;
        s.endedBy = by;
        s.endIndex = index;
        events.push({ ...base, action: 'end', session: s.id, by });
      } else if (ev.auth !== undefined) {
        const p = [...path, 'auth', 'node'];
        const n = this.refEndpoint(p, ev.auth.node);
        if (n === undefined) return;
        const node = current.get(ev.auth.node) as ScenarioEndpoint | undefined;
        if (node !== undefined && node.relays.length === 0) {
          this.err(p, `\`${node.id}\` uses no relays, so it has nothing to authenticate to`);
          return;
        }
        events.push({ ...base, action: 'auth', node: ev.auth.node });
      } else if (ev.fault !== undefined) {
        const r = this.faultEvent(ev.fault, [...path, 'fault'], linkNow);
        if (r === undefined) return;
        events.push({ ...base, action: 'fault', fault: r.fault, recovery: false });
        if (r.undo !== undefined && ev.fault.for !== undefined) {
          const end = at + us(ev.fault.for);
          if (end > this.duration) this.warn([...path, 'fault', 'for'], `the fault is undone at ${formatDuration(end)}, after the end of the run (\`duration\` is ${this.durationText})`);
          recoveries.push({ ...base, at: end, action: 'fault', fault: r.undo, recovery: true });
        }
      } else if (ev.set !== undefined) {
        const e = this.setEvent(ev.set, [...path, 'set'], current);
        if (e !== undefined) events.push({ ...base, ...e });
      } else if (ev.raw !== undefined) {
        const e = this.rawEvent(ev.raw, [...path, 'raw'], usable);
        if (e !== undefined) events.push({ ...base, ...e });
      }
    });
    const all = [...events, ...recoveries].sort((x, y) => x.at - y.at || x.index - y.index || Number(x.action === 'fault' && x.recovery) - Number(y.action === 'fault' && y.recovery));
    const list = [...sessions.values()]
      .sort((x, y) => x.order - y.order)
      .map((s): ScenarioSession => ({ id: s.id, offerer: s.offerer, answerer: s.answerer, openedAt: s.at, endedAt: s.endedAt, endedBy: s.endedBy }));
    return { events: all, sessions: list };
  }

  /** The session `id` if it is open at this point of the timeline; reports otherwise. */
  private sessionAt(path: Path, id: string, sessions: Map<string, SessionRecord>, order: number): SessionRecord | undefined {
    if (!this.refSession(path, id)) return undefined;
    const s = sessions.get(id);
    if (s === undefined || !s.usable) return undefined;
    if (s.order > order) {
      this.err(path, `session \`${id}\` is used before it is opened (at ${formatDuration(s.at)}, ${this.line(['events', s.index])})`);
      return undefined;
    }
    if (s.endedAt !== null && s.endedOrder < order) {
      this.err(path, `session \`${id}\` has already ended (at ${formatDuration(s.endedAt)}, ${this.line(['events', s.endIndex])})`);
      return undefined;
    }
    return s;
  }

  private sendEvent(
    send: NonNullable<ScenarioFileEvent['send']>,
    path: Path,
    at: Micros,
    usable: (p: Path, id: string) => SessionRecord | undefined,
    current: Map<string, ScenarioNode>,
  ): ScenarioSendAction | undefined {
    const s = usable([...path, 'session'], send.session);
    const fromOk = this.refEndpoint([...path, 'from'], send.from) !== undefined;
    if (s === undefined || !fromOk) return undefined;
    if (send.from !== s.offerer && send.from !== s.answerer) {
      this.err([...path, 'from'], `\`${send.from}\` is not a party of session \`${s.id}\` (\`${s.offerer}\` and \`${s.answerer}\`)`);
      return undefined;
    }
    const to = send.from === s.offerer ? s.answerer : s.offerer;
    const sender = current.get(send.from) as ScenarioEndpoint | undefined;
    const receiver = current.get(to) as ScenarioEndpoint | undefined;
    if (sender === undefined) return undefined;
    const content = send.body !== undefined ? ({ kind: 'text', text: send.body, bytes: new TextEncoder().encode(send.body) } as const) : ({ kind: 'generated', size: bytes(send.size!) } as const);
    const size = content.kind === 'text' ? content.bytes.length : content.size;
    const contentType = send.contentType ?? (content.kind === 'text' ? 'text/plain' : 'application/octet-stream');
    const chunkSize = send.chunkSize !== undefined ? bytes(send.chunkSize) : sender.chunkSize;
    const chunkStrategy = send.chunkStrategy ?? sender.chunkStrategy;
    if (send.chunkSize !== undefined && chunkSize === 0) this.err([...path, 'chunkSize'], 'a chunk needs at least 1 byte');
    if (send.chunkSize !== undefined) this.checkChunkSize(chunkSize, [...path, 'chunkSize']);
    if (size > MAX_MESSAGE_BYTES) this.err(send.size !== undefined ? [...path, 'size'] : [...path, 'body'], `a message of ${size} bytes is larger than msrp-sim sends: at most ${sizeText(MAX_MESSAGE_BYTES)}`);
    if ((send.chunkSize !== undefined || send.chunkStrategy !== undefined) && chunkSize > 2048 && chunkStrategy === 'fixed') {
      this.warn([...path, send.chunkSize !== undefined ? 'chunkSize' : 'chunkStrategy'], 'chunks of more than 2048 bytes must be interruptible (W-31, RFC 4975 §7.1.1); set `chunkStrategy: interruptible`');
    }
    const force = send.force ?? false;
    if (receiver !== undefined && !force) {
      if (!receiver.acceptTypes.some((p) => typeMatches(contentType, p))) {
        this.warn(send.contentType !== undefined ? [...path, 'contentType'] : path, `\`${to}\` does not accept \`${contentType}\` (its acceptTypes: ${receiver.acceptTypes.join(', ')}); set \`force: true\` to send it anyway`, send.contentType !== undefined ? 'value' : 'key');
      }
      if (receiver.maxSize !== null && size > receiver.maxSize) {
        this.warn(send.size !== undefined ? [...path, 'size'] : [...path, 'body'], `the message (${size} bytes) is larger than the maxSize of \`${to}\` (${receiver.maxSize} bytes)`);
      }
    }
    const count = send.count ?? 1;
    const interval = send.interval !== undefined ? us(send.interval) : 0;
    if (count > 1 && at + (count - 1) * interval > this.duration) {
      this.warn([...path, 'count'], `the last of the ${count} messages is due at ${formatDuration(at + (count - 1) * interval)}, after the end of the run (\`duration\` is ${this.durationText})`);
    }
    this.checkTotals(count, size, path, send.count !== undefined);
    const abortAfter = send.abortAfter !== undefined ? bytes(send.abortAfter) : null;
    if (abortAfter !== null && abortAfter >= size) this.warn([...path, 'abortAfter'], `the message has only ${size} bytes, so it is never aborted`);
    return {
      action: 'send',
      session: s.id,
      from: send.from,
      to,
      contentType,
      content,
      size,
      chunkSize,
      chunkStrategy,
      successReport: send.successReport !== undefined ? yesNo(send.successReport) : sender.successReport,
      failureReport: send.failureReport !== undefined ? fr(send.failureReport) : sender.failureReport,
      force,
      abortAfter,
      count,
      interval,
    };
  }

  /** A chunk is held whole in memory while it is written, so it is bounded as a message is. */
  private checkChunkSize(chunkSize: number, path: Path): void {
    if (chunkSize > MAX_MESSAGE_BYTES) this.err(path, `a chunk of ${chunkSize} bytes is larger than msrp-sim sends: at most ${sizeText(MAX_MESSAGE_BYTES)}`);
  }

  /**
   * Counts the messages and content bytes of the scenario's sends so far; the send that takes
   * either over its bound is the one reported (once per bound).
   */
  private checkTotals(count: number, size: number, path: Path, countGiven: boolean): void {
    const messagesBefore = this.sentMessages;
    const bytesBefore = this.sentBytes;
    this.sentMessages += count;
    this.sentBytes += count * size;
    if (messagesBefore <= MAX_SCENARIO_MESSAGES && this.sentMessages > MAX_SCENARIO_MESSAGES) {
      this.err(countGiven ? [...path, 'count'] : path, `this send makes the scenario send ${this.sentMessages} messages; a scenario sends at most ${MAX_SCENARIO_MESSAGES}`, countGiven ? 'value' : 'key');
    }
    if (size <= MAX_MESSAGE_BYTES && bytesBefore <= MAX_SCENARIO_CONTENT_BYTES && this.sentBytes > MAX_SCENARIO_CONTENT_BYTES) {
      this.err(path, `this send makes the scenario send ${this.sentBytes} bytes of content; a scenario sends at most ${sizeText(MAX_SCENARIO_CONTENT_BYTES)}`, 'key');
    }
  }

  private faultEvent(f: ScenarioFileFault, path: Path, linkNow: LinkSettings[]): { fault: Fault; undo?: Fault } | undefined {
    if (f.for !== undefined && f.linkDown === undefined && f.crash === undefined && f.partition === undefined) {
      this.err([...path, 'for'], '`for` undoes a `linkDown`, `crash` or `partition`; this fault has none', 'key');
      return undefined;
    }
    const from = (ref: LinkRef, direction: 'forward' | 'backward' | 'both' | undefined): string | null => (direction === 'forward' ? ref.a : direction === 'backward' ? ref.b : null);
    if (f.linkDown !== undefined || f.linkUp !== undefined) {
      const kind = f.linkDown !== undefined ? 'linkDown' : 'linkUp';
      const link = this.refLink([...path, kind], (f.linkDown ?? f.linkUp)!);
      if (link === undefined) return undefined;
      return kind === 'linkDown' ? { fault: { kind, link }, undo: { kind: 'linkUp', link } } : { fault: { kind, link } };
    }
    if (f.crash !== undefined) return this.ref([...path, 'crash'], f.crash, null) ? { fault: { kind: 'crash', node: f.crash }, undo: { kind: 'restart', node: f.crash } } : undefined;
    if (f.restart !== undefined) return this.ref([...path, 'restart'], f.restart, null) ? { fault: { kind: 'restart', node: f.restart } } : undefined;
    if (f.resetConnection !== undefined) {
      const r = f.resetConnection;
      const ok = this.refMsrp([...path, 'resetConnection', 'node'], r.node) !== undefined;
      const peerOk = r.peer === undefined || this.ref([...path, 'resetConnection', 'peer'], r.peer, null) !== undefined;
      return ok && peerOk ? { fault: { kind: 'resetConnection', node: r.node, peer: r.peer ?? null } } : undefined;
    }
    if (f.flushFirewall !== undefined) {
      return this.ref([...path, 'flushFirewall'], f.flushFirewall, ['firewall'], 'a firewall') ? { fault: { kind: 'flushFirewall', firewall: f.flushFirewall } } : undefined;
    }
    if (f.partition !== undefined) {
      const seen = new Map<string, number>();
      let ok = true;
      const groups = f.partition.map((g, gi) =>
        (g ?? []).filter((id, i): id is string => {
          if (id === undefined) return false;
          const p = [...path, 'partition', gi, i];
          if (this.ref(p, id, null) === undefined) ok = false;
          const other = seen.get(id);
          if (other !== undefined) {
            this.err(p, `\`${id}\` is already in group ${other + 1}; a node is in one group only`);
            ok = false;
          }
          seen.set(id, gi);
          return true;
        }),
      );
      if (f.partition.some((g) => g === undefined)) ok = false;
      return ok ? { fault: { kind: 'partition', groups }, undo: { kind: 'heal' } } : undefined;
    }
    if (f.heal !== undefined) return { fault: { kind: 'heal' } };
    if (f.setLink !== undefined) {
      const link = this.refLink([...path, 'setLink', 'link'], f.setLink.link);
      if (link === undefined) return undefined;
      const changed = (['latency', 'jitter', 'bandwidth', 'loss', 'mss'] as const).filter((k) => f.setLink![k] !== undefined);
      const settings = this.linkSettings(linkNow[link.link]!, f.setLink);
      linkNow[link.link] = settings;
      return { fault: { kind: 'setLink', link, changed, settings } };
    }
    if (f.expireTokens !== undefined) {
      return this.ref([...path, 'expireTokens'], f.expireTokens, ['relay'], 'a relay') ? { fault: { kind: 'expireTokens', relay: f.expireTokens } } : undefined;
    }
    if (f.dropSegment !== undefined) {
      const link = this.refLink([...path, 'dropSegment', 'link'], f.dropSegment.link);
      if (link === undefined) return undefined;
      return { fault: { kind: 'dropSegment', link, nth: f.dropSegment.nth, from: from(link, f.dropSegment.direction) } };
    }
    if (f.dropFrame !== undefined) {
      const d = f.dropFrame;
      const link = this.refLink([...path, 'dropFrame', 'link'], d.link);
      if (link === undefined) return undefined;
      return { fault: { kind: 'dropFrame', link, nth: d.nth, from: from(link, d.direction), method: d.method ?? null, status: d.status ?? null } };
    }
    return undefined;
  }

  private static readonly ROLE_SETTABLE: Record<'endpoint' | 'relay' | 'firewall', readonly string[]> = {
    endpoint: ['acceptTypes', 'acceptWrappedTypes', 'maxSize', 'chunkSize', 'chunkStrategy', 'successReport', 'failureReport', 'transactionTimeout', 'authExpires', 'connectionModel', 'reachable', 'onSessionFailure', 'password', 'certificateNames'],
    relay: ['users', 'realm', 'certificateNames', 'expires', 'maxChunk', 'probation', 'maxFailedAuths', 'nonceLifetime', 'idleLimit', 'transactionTimeout', 'profile'],
    firewall: ['rules', 'default', 'idleTimeout', 'idleMode', 'policy'],
  };

  private setEvent(set: NonNullable<ScenarioFileEvent['set']>, path: Path, current: Map<string, ScenarioNode>): SetAction | undefined {
    const raw = this.ref([...path, 'node'], set.node, null);
    const node = current.get(set.node);
    if (raw === undefined || node === undefined) return undefined;
    const kind = node.role === 'relay' || node.role === 'firewall' ? node.role : 'endpoint';
    const allowed = Normalizer.ROLE_SETTABLE[kind];
    const changed = Object.keys(set).filter((k) => k !== 'node');
    let ok = true;
    for (const k of changed) {
      if (kind === 'firewall' && k === 'nat') {
        // The outside address and the mappings are fixed when the run starts.
        this.err([...path, k], '`nat` cannot change during a run: a firewall\'s NAT and outside address are set when the run starts; give `nat` in the node\'s settings', 'key');
        ok = false;
        continue;
      }
      if (!allowed.includes(k)) {
        this.err([...path, k], `\`${k}\` is not a setting of ${article(node.role)}; ${article(node.role)} can change ${allowed.map((a) => `\`${a}\``).join(', ')}`, 'key');
        ok = false;
      }
    }
    if (changed.length === 0) {
      this.err(path, `\`set\` needs a setting to change besides \`node\`; for ${article(node.role)}: ${allowed.map((a) => `\`${a}\``).join(', ')}`, 'key');
      return undefined;
    }
    if (!ok) return undefined;
    let settings: ScenarioNode;
    if (node.role === 'relay') {
      settings = this.applyRelay(node, set as RawRelay, path);
      if (set.expires !== undefined) this.checkExpires(settings, [[set, path]]);
    } else if (node.role === 'firewall') settings = this.applyFirewall(node, set as RawFirewall, path);
    else {
      settings = this.applyEndpoint(node, set as RawEndpoint, path);
      if (set.chunkSize !== undefined || set.chunkStrategy !== undefined) this.checkChunking(settings, [[set, path]]);
    }
    current.set(set.node, settings);
    return { action: 'set', node: set.node, changed, settings };
  }

  private rawEvent(
    r: NonNullable<ScenarioFileEvent['raw']>,
    path: Path,
    usable: (p: Path, id: string) => SessionRecord | undefined,
  ): RawAction | undefined {
    let ok = this.refMsrp([...path, 'node'], r.node) !== undefined;
    if (r.session !== undefined) {
      const s = usable([...path, 'session'], r.session);
      if (s === undefined) ok = false;
      else if (ok && r.node !== s.offerer && r.node !== s.answerer) {
        this.err([...path, 'node'], `\`${r.node}\` is not a party of session \`${s.id}\` (\`${s.offerer}\` and \`${s.answerer}\`); use \`to\` to pick a connection instead`);
        ok = false;
      }
    }
    if (r.to !== undefined && this.ref([...path, 'to'], r.to, null) === undefined) ok = false;
    if (r.to === r.node) {
      this.err([...path, 'to'], `\`${r.node}\` cannot send to itself`);
      ok = false;
    }
    const data = this.rawBytes(r, path);
    if (data === undefined || !ok) return undefined;
    return { action: 'raw', node: r.node, session: r.session ?? null, to: r.to ?? null, bytes: data };
  }

  private rawBytes(r: NonNullable<ScenarioFileEvent['raw']>, path: Path): Uint8Array | undefined {
    if (r.bytes !== undefined) return this.unescape(r.bytes, [...path, 'bytes']);
    if (r.lines !== undefined) {
      const parts: Uint8Array[] = [];
      for (const [i, line] of r.lines.entries()) {
        if (line === undefined) return undefined;
        const b = this.unescape(line, [...path, 'lines', i]);
        if (b === undefined) return undefined;
        parts.push(b, CRLF);
      }
      return concat(parts);
    }
    if (r.hex !== undefined) {
      const digits = r.hex.replace(/\s+/gu, '');
      if (digits.length % 2 !== 0) {
        this.err([...path, 'hex'], `an odd number of hexadecimal digits (${digits.length}); each byte takes two`);
        return undefined;
      }
      const out = new Uint8Array(digits.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
      return out;
    }
    if (r.base64 !== undefined) {
      const text = r.base64.replace(/\s+/gu, '');
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/u.test(text)) {
        this.err([...path, 'base64'], 'is not valid base64 (groups of four characters, `=` padding only at the end)');
        return undefined;
      }
      const binary = atob(text);
      const out = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
      return out;
    }
    return undefined;
  }

  /** Text to bytes (UTF-8), decoding `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH`. */
  private unescape(text: string, path: Path): Uint8Array | undefined {
    const parts: Uint8Array[] = [];
    const enc = new TextEncoder();
    let plain = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c !== '\\') {
        plain += c;
        continue;
      }
      const e = text[i + 1];
      const simple: Record<string, string> = { r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\' };
      if (e !== undefined && Object.hasOwn(simple, e)) {
        plain += simple[e];
        i++;
      } else if (e === 'x' && /^[0-9A-Fa-f]{2}$/u.test(text.slice(i + 2, i + 4))) {
        parts.push(enc.encode(plain), Uint8Array.of(parseInt(text.slice(i + 2, i + 4), 16)));
        plain = '';
        i += 3;
      } else {
        this.err(path, `unknown escape \`\\${e ?? ''}\`; the escapes are \\r, \\n, \\t, \\0, \\\\ and \\xHH`);
        return undefined;
      }
    }
    parts.push(enc.encode(plain));
    return concat(parts);
  }

  // ------------------------------------------------------------------------------------------
  // Expectations

  private buildExpectations(events: ScenarioEvent[]): Expectation[] {
    const sessions = new Map<string, { offerer: string; answerer: string }>();
    for (const e of events) if (e.action === 'session') sessions.set(e.session, e);
    const out: Expectation[] = [];
    (this.file.expect ?? []).forEach((x, index) => {
      if (x === undefined) return;
      const path: Path = ['expect', index];
      const k = this.expectation(x, path, sessions, events);
      if (k !== undefined) out.push({ index, source: this.source(path), ...k });
    });
    return out;
  }

  private expectation(x: ScenarioFileExpectation, path: Path, sessions: Map<string, { offerer: string; answerer: string }>, events: ScenarioEvent[]): ExpectationKind | undefined {
    const optSession = (p: Path, id: string | undefined): boolean => id === undefined || this.refSession(p, id);
    const before = (v: string | undefined): Micros | null => (v === undefined ? null : us(v));
    const countOf = (n: number | undefined): CountBound => (n === undefined ? { min: 1, max: null } : { min: n, max: n });
    if (x.delivered !== undefined) {
      const d = x.delivered;
      const p = [...path, 'delivered'];
      const okS = this.refSession([...p, 'session'], d.session);
      const okTo = this.refEndpoint([...p, 'to'], d.to) !== undefined;
      const s = sessions.get(d.session);
      if (!okS || !okTo || s === undefined) return undefined;
      if (d.to !== s.offerer && d.to !== s.answerer) {
        this.err([...p, 'to'], `\`${d.to}\` is not a party of session \`${d.session}\` (\`${s.offerer}\` and \`${s.answerer}\`)`);
        return undefined;
      }
      const from = d.to === s.offerer ? s.answerer : s.offerer;
      let messages = d.messages;
      if (messages === undefined) {
        messages = events.reduce((n, e) => n + (e.action === 'send' && e.session === d.session && e.to === d.to ? e.count : 0), 0);
        // A send with problems is reported where it is; it may have been the one meant here.
        const valid = events.filter((e) => e.action === 'send' && e.session === d.session).length;
        if (messages === 0 && (this.sentOn.get(d.session) ?? 0) === valid) {
          this.warn(p, `no \`send\` event sends to \`${d.to}\` on session \`${d.session}\`; expecting one message`, 'key');
        }
        if (messages === 0) messages = 1;
      }
      return { expect: 'delivered', session: d.session, to: d.to, from, messages, within: before(d.within) };
    }
    if (x.report !== undefined) {
      const r = x.report;
      const p = [...path, 'report'];
      const ok = [this.refMsrp([...p, 'to'], r.to) !== undefined, optSession([...p, 'session'], r.session)].every(Boolean);
      return ok ? { expect: 'report', to: r.to, status: r.status, session: r.session ?? null, count: countOf(r.count), before: before(r.before) } : undefined;
    }
    if (x.response !== undefined) {
      const r = x.response;
      const p = [...path, 'response'];
      const ok = [this.refMsrp([...p, 'to'], r.to) !== undefined, optSession([...p, 'session'], r.session)].every(Boolean);
      return ok ? { expect: 'response', to: r.to, status: r.status, method: r.method ?? null, session: r.session ?? null, count: countOf(r.count), before: before(r.before) } : undefined;
    }
    if (x.path !== undefined) {
      const r = x.path;
      const p = [...path, 'path'];
      let ok = [this.refMsrp([...p, 'at'], r.at) !== undefined, optSession([...p, 'session'], r.session)].every(Boolean);
      const elements = (list: (string | undefined)[] | undefined, key: string): PathElement[] | null => {
        if (list === undefined) return null;
        return list.flatMap((item, i): PathElement[] => {
          if (item === undefined) {
            ok = false;
            return [];
          }
          if (item.includes('://')) {
            const u = parseUri(item);
            if (!u.ok) {
              this.err([...p, key, i], `\`${item}\` is not an MSRP URI: ${u.message}`);
              ok = false;
            }
            return [{ uri: item }];
          }
          if (this.refMsrp([...p, key, i], item) === undefined) ok = false;
          return [{ node: item }];
        });
      };
      const toPath = elements(r.toPath, 'toPath');
      const fromPath = elements(r.fromPath, 'fromPath');
      return ok ? { expect: 'path', at: r.at, method: r.method, session: r.session ?? null, toPath, fromPath } : undefined;
    }
    if (x.connection !== undefined) {
      const c = x.connection;
      const p = [...path, 'connection'];
      const ok = [this.refMsrp([...p, 'from'], c.from) !== undefined, this.refMsrp([...p, 'to'], c.to) !== undefined].every(Boolean);
      if (ok && c.from === c.to) {
        this.err([...p, 'to'], `a node does not connect to itself`);
        return undefined;
      }
      return ok ? { expect: 'connection', from: c.from, to: c.to, state: c.state, before: before(c.before) } : undefined;
    }
    if (x.none !== undefined) {
      const n = x.none;
      const p = [...path, 'none'];
      let ok = n.at === undefined || this.ref([...p, 'at'], n.at, null) !== undefined;
      if (n.status !== undefined && n.kind !== 'response' && n.kind !== 'report') {
        this.err([...p, 'status'], '`status` narrows `response` and `report` only', 'key');
        ok = false;
      }
      if (n.method !== undefined && n.kind !== 'response') {
        this.err([...p, 'method'], '`method` narrows `response` only', 'key');
        ok = false;
      }
      if (n.rule !== undefined && n.kind !== 'violation' && n.kind !== 'drop' && n.kind !== 'reset') {
        this.err([...p, 'rule'], '`rule` narrows `violation`, `drop` and `reset` only', 'key');
        ok = false;
      }
      return ok ? { expect: 'none', kind: n.kind, status: n.status ?? null, rule: n.rule ?? null, at: n.at ?? null, method: n.method ?? null } : undefined;
    }
    if (x.count !== undefined) {
      const c = x.count;
      const p = [...path, 'count'];
      const link = this.refLink([...p, 'link'], c.link);
      if (c.frames !== undefined && (c.min !== undefined || c.max !== undefined)) {
        this.err([...p, c.min !== undefined ? 'min' : 'max'], '`frames` is an exact count; give either `frames` or `min`/`max`', 'key');
        return undefined;
      }
      if (c.min !== undefined && c.max !== undefined && c.min > c.max) {
        this.err([...p, 'max'], `\`max\` (${c.max}) is less than \`min\` (${c.min})`);
        return undefined;
      }
      if (link === undefined) return undefined;
      const frames: CountBound = c.frames !== undefined ? { min: c.frames, max: c.frames } : { min: c.min ?? 0, max: c.max ?? null };
      const from = c.direction === 'forward' ? link.a : c.direction === 'backward' ? link.b : null;
      return { expect: 'count', link, from, method: c.method ?? null, status: c.status ?? null, frames };
    }
    return undefined;
  }
}

const CRLF = Uint8Array.of(13, 10);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a}\0${b}` : `${b}\0${a}`;
}
