/**
 * What the flow collector knows while records stream: nodes, links, connections, arrows still
 * waiting for their other end, and the decisions not yet matched to a frame. The handlers of
 * flow-tcp.ts, flow-msrp.ts, flow-sip.ts and flow-collector.ts update it; flow-collector.ts
 * turns it into a FlowModel.
 *
 * Memory. Arrows are kept, up to `maxArrows` (what the ladder can show anyway); beyond that they
 * are counted, not kept. Per-connection state is small and bounded by the number of connections;
 * the maps keyed by transaction are capped.
 */
import type { TraceRecordBase } from '../sim/trace.js';
import { FrameResolver } from '../sim/frame-resolver.js';
import type { Micros } from '../sim/time.js';
import { parseUri } from '../wire/uri.js';
import type { Arrow, ArrowEnd, ArrowKind, FlowOptions, LinkFacts, Marker, NodeFacts, PathChange, SessionFacts } from './flow-model.js';
import type { NodeRole } from './topology-info.js';

export interface ConnFacts {
  node: string;
  peer: string | null;
  isn: number | null;
  remote: string | null;
  tls: boolean;
  /** Pending connect arrow (initiator side). */
  connect: Arrow | null;
  closed: string | null;
  /** Recent segment drops nobody claimed yet: frames recorded after their segments. */
  drops: { seqNo: number; len: number; end: ArrowEnd }[];
  /** Frames sent on this connection and not yet received, oldest first. */
  inFlight: Arrow[];
}

/** The collector's state, shared by the record handlers. */
export class FlowState {
  readonly nodeMap = new Map<string, NodeFacts>();
  readonly linkMap = new Map<string, LinkFacts>();
  readonly hostToNode = new Map<string, string>();
  readonly conns = new Map<string, ConnFacts>();
  readonly arrows: Arrow[] = [];
  readonly markers: Marker[] = [];
  readonly sessions = new Map<string, SessionFacts>();
  readonly routes = new Map<string, string[]>();
  /** `sendConn|kind|tid|method-or-status` -> arrows not yet received. */
  readonly pendingMsrp = new Map<string, Arrow[]>();
  readonly pendingSip = new Map<string, Arrow[]>();
  /** `node|tid` -> arrow just sent by that node (for decision records that follow the send). */
  readonly lastSent = new Map<string, Arrow>();
  /** `node|tid` -> decision seen before its frame was sent. */
  readonly decisions = new Map<string, { rule: string; change: PathChange | null }>();
  /** node -> decision that applies to the next REPORT that node sends. */
  readonly nextReport = new Map<string, string>();
  /** `recvConn|tid` -> last arrow received there (for what the receiver then did with it). */
  readonly received = new Map<string, Arrow>();
  /** The frame of each `msrp.recv` (a reference to its send in trace format 2). */
  readonly frames = new FrameResolver();
  readonly maxArrows: number;
  readonly maxBodyText: number;
  nextId = 0;
  omitted = 0;
  last: Micros = 0;

  constructor(readonly options: FlowOptions = {}) {
    this.maxArrows = options.maxArrows ?? 20_000;
    this.maxBodyText = options.maxBodyText ?? 16 * 1024;
    for (const n of options.topology?.nodes ?? []) {
      const facts = this.node(n.id);
      facts.role = n.role;
      if (n.host !== undefined) {
        facts.host = n.host;
        this.hostToNode.set(n.host.toLowerCase(), n.id);
      }
      if (n.address !== undefined) {
        facts.address = n.address;
        this.hostToNode.set(n.address, n.id);
      }
      if (n.inside) facts.inside = [...n.inside];
      if (n.profile !== undefined) facts.profile = n.profile;
    }
    for (const l of options.topology?.links ?? []) {
      this.linkMap.set(linkKey(l.a, l.b), {
        a: l.a,
        b: l.b,
        latency: l.latency ?? null,
        bandwidth: l.bandwidth ?? null,
        jitter: l.jitter ?? null,
        loss: l.loss ?? null,
        up: true,
      });
      this.node(l.a);
      this.node(l.b);
    }
  }

  readonly fixedRoles = new Set<string>();

  node(id: string): NodeFacts {
    let n = this.nodeMap.get(id);
    if (!n) {
      n = { id, role: 'host', host: null, address: null, names: [], inside: [], profile: null, order: this.nodeMap.size };
      this.nodeMap.set(id, n);
      if (this.options.topology?.nodes.some((t) => t.id === id)) this.fixedRoles.add(id);
    }
    return n;
  }

  guessRole(id: string, role: NodeRole): void {
    if (id === '' || this.fixedRoles.has(id)) return;
    const n = this.node(id);
    if (n.role === 'host' || (n.role === 'endpoint' && role === 'sender')) n.role = role;
  }

  conn(id: string, node: string): ConnFacts {
    let c = this.conns.get(id);
    if (!c) {
      c = { node, peer: null, isn: null, remote: null, tls: false, connect: null, closed: null, drops: [], inFlight: [] };
      this.conns.set(id, c);
    }
    return c;
  }

  /** Node id for a host name or address ('' when unknown). */
  nodeOfHost(host: string): string {
    return this.hostToNode.get(host.toLowerCase()) ?? this.hostToNode.get(host) ?? '';
  }

  readonly uriNames = new Map<string, string>();

  /** The node an URI names (by its host), else its host; cached (paths repeat on every frame). */
  readonly nodeOfUri = (uri: string): string => {
    let name = this.uriNames.get(uri);
    if (name === undefined) {
      const parsed = parseUri(uri);
      name = parsed.ok ? this.nodeOfHost(parsed.uri.host) || parsed.uri.host : uri;
      // Only names that can no longer change are kept: a host not (yet) known may be declared later.
      if (parsed.ok && this.nodeOfHost(parsed.uri.host) !== '' && this.uriNames.size < 100_000) this.uriNames.set(uri, name);
    }
    return name;
  };

  newArrow(kind: ArrowKind, r: TraceRecordBase, from: string, to: string): Arrow | null {
    if (this.arrows.length >= this.maxArrows) {
      this.omitted++;
      return null;
    }
    const a: Arrow = {
      id: this.nextId++,
      kind,
      from,
      to,
      t0: r.t,
      seq0: r.seq,
      t1: null,
      seq1: null,
      label: '',
      sub: '',
      error: false,
      method: null,
      status: null,
      transactionId: null,
      conn: null,
      session: null,
      toPath: [],
      fromPath: [],
      rule: r.rule ?? null,
      text: '',
      end: null,
      notes: [],
      pathChange: null,
      length: null,
      offset: null,
    };
    this.arrows.push(a);
    return a;
  }

  marker(r: TraceRecordBase, node: string, text: string, kind: Marker['kind']): void {
    const m: Marker = { t: r.t, seq: r.seq, node, text, kind };
    if (r.rule !== undefined) m.rule = r.rule;
    this.markers.push(m);
  }


  ensureLink(a: string, b: string): LinkFacts {
    const key = linkKey(a, b);
    let l = this.linkMap.get(key);
    if (!l) {
      l = { a, b, latency: null, bandwidth: null, jitter: null, loss: null, up: true };
      this.linkMap.set(key, l);
      this.node(a);
      this.node(b);
    }
    return l;
  }

  session(id: string): SessionFacts {
    let s = this.sessions.get(id);
    if (!s) {
      s = { id, offerer: null, answerer: null, path: [], established: false, failed: null };
      this.sessions.set(id, s);
    }
    return s;
  }

  addDrop(a: Arrow, end: ArrowEnd): void {
    if (a.end && a.end.at === end.at && a.end.reason === end.reason) a.end.count++;
    else if (!a.end) a.end = { ...end };
  }
}

export function endOf(r: TraceRecordBase, kind: ArrowEnd['kind'], at: string, reason: string): ArrowEnd {
  const e: ArrowEnd = { kind, at, t: r.t, seq: r.seq, reason, count: 1 };
  if (r.rule !== undefined) e.rule = r.rule;
  return e;
}

export function linkKey(a: string, b: string): string {
  return a < b ? `${a}<>${b}` : `${b}<>${a}`;
}

export function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function shift<K, V>(m: Map<K, V[]>, k: K): V | undefined {
  const list = m.get(k);
  if (!list) return undefined;
  const v = list.shift();
  if (list.length === 0) m.delete(k);
  return v;
}

export function removeFrom<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
