/**
 * What the parts of normalizing share: the file, what is known of it so far (node ids, sessions
 * opened anywhere, links), where things were written, and the references every section checks
 * (nodes, sessions, links), each reported once where it is written.
 */
import type { ScenarioFile, ScenarioFileNode } from './definition.js';
import type { Diagnostics, Positions } from './diagnostics.js';
import { didYouMean } from './problems.js';
import type { Path } from './problems.js';
import type { SrcNode } from './source.js';
import { BUILTIN } from './normalize-defaults.js';
import type { LinkRef, Micros, NodeId, RelayProfileName, ScenarioLink, ScenarioNode, SourcePosition } from './types.js';

export interface NormalizeOptions {
  /** Every relay gets this profile, whatever the file says (`msrp-sim run --profile`). */
  profile?: RelayProfileName;
  /** Relays made live at these addresses, whatever the file says (`msrp-sim run --live ID=HOST:PORT`). */
  live?: Readonly<Record<string, { host: string; port: number }>>;
}

const ENDPOINT_ROLES = ['sender', 'receiver', 'endpoint'] as const;
const MSRP_ROLES = [...ENDPOINT_ROLES, 'relay'] as const;

export function article(role: string): string {
  return /^[aeiou]/u.test(role) ? `an ${role}` : `a ${role}`;
}

/** The key of `linkIndex`: the same for both orders of the ends. */
export function linkEndsKey(a: string, b: string): string {
  return a < b ? `${a}\0${b}` : `${b}\0${a}`;
}

/** The path of the last of `layers` (lowest precedence first) that writes one of `keys`. */
export function origin(keys: readonly string[], layers: [object | undefined, Path][]): Path | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const [raw, path] = layers[i]!;
    const key = keys.find((k) => raw !== undefined && Object.hasOwn(raw, k));
    if (key !== undefined) return [...path, key];
  }
  return undefined;
}

/** A session as the events open and end it, while they are read in time order. */
export interface SessionRecord {
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

/** The session of an event if it is open at the event's place in the timeline; reports otherwise. */
export type UsableSession = (path: Path, id: string) => SessionRecord | undefined;

export class NormalizeContext {
  readonly nodeIds: string[] = [];
  /** The same ids for lookups: a scenario may have tens of thousands of nodes. */
  readonly nodeIdSet = new Set<string>();
  /** False when `nodes` is not a mapping at all: then references cannot be checked. */
  readonly nodesKnown: boolean;
  readonly sessionIds = new Set<string>();
  /** How many `send` events name each session, counting those with problems of their own. */
  readonly sentOn = new Map<string, number>();
  /** Messages and content bytes of the sends normalized so far (`count` included). */
  sentMessages = 0;
  sentBytes = 0;
  readonly rawNodes = new Map<string, ScenarioFileNode>();
  readonly nodes = new Map<string, ScenarioNode>();
  readonly hostOf = new Map<string, string>();
  readonly insideOf = new Map<string, string>();
  readonly links: ScenarioLink[] = [];
  readonly linkIndex = new Map<string, number>();
  /** The index in the file's `links` of each link in `links`. */
  readonly linkFileIndex: number[] = [];
  /** Where each endpoint names each of its relays. */
  readonly relayPaths = new Map<string, Path>();
  /** Connected component of each node over the links. */
  readonly component = new Map<string, number>();
  duration: Micros = BUILTIN.duration;
  durationText = '10m (the default)';

  constructor(
    readonly file: Partial<ScenarioFile>,
    root: SrcNode,
    readonly pos: Positions,
    readonly diag: Diagnostics,
    readonly options: NormalizeOptions,
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

  // ------------------------------------------------------------------------------------------
  // Problems and positions

  err(path: Path, message: string, at: 'value' | 'key' = 'value'): void {
    this.diag.error(at === 'key' ? this.pos.key(path) : this.pos.value(path), path, message);
  }

  warn(path: Path, message: string, at: 'value' | 'key' = 'value'): void {
    this.diag.warn(at === 'key' ? this.pos.key(path) : this.pos.value(path), path, message);
  }

  line(path: Path): string {
    return this.diag.where(this.pos.key(path)[0]);
  }

  source(path: Path): SourcePosition {
    const range = this.pos.key(path);
    const { line, column } = this.diag.position(range[0]);
    return { line, column };
  }

  checkTime(path: Path, text: string, at: Micros): void {
    if (at > this.duration) this.err(path, `\`${text}\` is after the end of the run (\`duration\` is ${this.durationText})`);
  }

  // ------------------------------------------------------------------------------------------
  // References

  /**
   * The node `id` names, if it exists and has one of `roles`; reports otherwise. `undefined`
   * also for a node that exists but has problems of its own (reported where it is written).
   */
  ref(path: Path, id: string, roles: readonly string[] | null, wanted = ''): ScenarioFileNode | undefined {
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

  isEndpoint(id: string): boolean {
    const role = this.rawNodes.get(id)?.role;
    return role === 'sender' || role === 'receiver' || role === 'endpoint';
  }

  refEndpoint(path: Path, id: string): ScenarioFileNode | undefined {
    return this.ref(path, id, ENDPOINT_ROLES, 'an endpoint (a sender, receiver or endpoint)');
  }

  refMsrp(path: Path, id: string): ScenarioFileNode | undefined {
    return this.ref(path, id, MSRP_ROLES, 'an MSRP node (firewalls speak no MSRP)');
  }

  refSession(path: Path, id: string): boolean {
    if (this.sessionIds.has(id)) return true;
    const known = [...this.sessionIds];
    this.err(path, `unknown session \`${id}\`${known.length === 0 ? '; no event opens a session' : didYouMean(id, known)}`);
    return false;
  }

  /** The link between two nodes, as a reference with the ends in the order written. */
  refLink(path: Path, ends: [string, string]): LinkRef | undefined {
    const [a, b] = ends;
    const okA = this.ref([...path, 0], a, null) !== undefined;
    const okB = this.ref([...path, 1], b, null) !== undefined;
    if (!okA || !okB) return undefined;
    const link = this.linkIndex.get(linkEndsKey(a, b));
    if (link === undefined) {
      this.err(path, `there is no link between \`${a}\` and \`${b}\``);
      return undefined;
    }
    return { link, a, b };
  }

  sameComponent(a: string, b: string): boolean {
    return this.component.get(a) === this.component.get(b);
  }
}
