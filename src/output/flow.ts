/**
 * The flow of a run as the diagrams see it, collected from trace records as they stream: the
 * nodes (lanes), the arrows (an MSRP frame from its `msrp.send` to its `msrp.recv`, a SIP message,
 * a TCP connection attempt), what ended an arrow that never arrived (a firewall drop, a reset),
 * and markers (delivery, failures, faults). The ladder, the topology, the Mermaid diagram and the
 * report page are drawn from it.
 *
 * Pairing. A frame sent on connection c arrives on the connection whose peer is c (`tcp.accept`
 * names the initiator's connection as `peer`); the receive side is matched by connection,
 * kind, transaction id and method or status, first in first out.
 *
 * Memory. Arrows are kept, up to `maxArrows` (what the ladder can show anyway); beyond that they
 * are counted, not kept. Per-connection state is small and bounded by the number of connections.
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import type { Micros } from '../sim/time.js';
import { parseUri } from '../wire/uri.js';
import type { NodeRole, TopologyInfo } from './topology-info.js';

export interface NodeFacts {
  id: string;
  role: NodeRole;
  host: string | null;
  address: string | null;
  names: string[];
  inside: string[];
  profile: string | null;
  /** Declaration order (topology first, then first appearance in the trace). */
  order: number;
}

export interface LinkFacts {
  a: string;
  b: string;
  latency: Micros | null;
  /** Bit/s; null: unlimited (or not known). */
  bandwidth: number | null;
  jitter: Micros | null;
  loss: number | null;
  /** False once a `fault.link-down` took it down and no `fault.link-up` brought it back. */
  up: boolean;
}

export type ArrowKind = 'msrp' | 'sip' | 'tcp' | 'raw';

export interface ArrowEnd {
  /** drop: a middlebox or link dropped it; lost: it never arrived (no drop seen); refused/reset: TCP said no. */
  kind: 'drop' | 'lost' | 'refused' | 'malformed';
  /** The node at which the arrow ends (the one that dropped it, or the intended receiver). */
  at: string;
  t: Micros;
  seq: number;
  reason: string;
  rule?: string;
  /** How many times it happened (retransmissions dropped again). */
  count: number;
}

export interface ArrowNote {
  node: string;
  t: Micros;
  text: string;
  rule?: string;
  error: boolean;
}

export interface PathChange {
  node: string;
  rule: string;
  toRemoved: string[];
  fromAdded: string[];
  toBefore: string[];
  fromBefore: string[];
}

export interface Arrow {
  id: number;
  kind: ArrowKind;
  from: string;
  to: string;
  t0: Micros;
  seq0: number;
  /** Arrival, or null when it never arrived (then `end` says why, when known). */
  t1: Micros | null;
  seq1: number | null;
  /** `SEND nH9E3x5ZbUeb`, `200 OK dUsNZqFPDw2n`, `INVITE (SDP)`, `connect (TLS)`. */
  label: string;
  /** `1-2048/5000 +`, `000 408`, ... ('' when nothing to add). */
  sub: string;
  /** Non-200 status, error REPORT, SIP error, drop. */
  error: boolean;
  method: string | null;
  status: number | null;
  transactionId: string | null;
  conn: string | null;
  session: string | null;
  toPath: string[];
  fromPath: string[];
  /** The rule that made the sender send it. */
  rule: string | null;
  /** The frame or SIP message as text (long or binary bodies shortened; see `frameText`). */
  text: string;
  end: ArrowEnd | null;
  notes: ArrowNote[];
  pathChange: PathChange | null;
  /** MSRP: the frame's byte length and stream offset on its connection. */
  length: number | null;
  offset: number | null;
}

export interface Marker {
  t: Micros;
  seq: number;
  node: string;
  text: string;
  kind: 'ok' | 'info' | 'error';
  rule?: string;
}

export interface SessionFacts {
  id: string;
  offerer: string | null;
  answerer: string | null;
  /** Node ids along the MSRP path, offerer first (from session.established or the paths seen). */
  path: string[];
  established: boolean;
  failed: string | null;
}

export interface FlowModel {
  nodes: NodeFacts[];
  /** Node ids in lane order: senders, then relays and firewalls by distance, then receivers. */
  lanes: string[];
  links: LinkFacts[];
  arrows: Arrow[];
  markers: Marker[];
  sessions: SessionFacts[];
  /** Routes as last recorded: `src>dst` -> node ids. */
  routes: Map<string, string[]>;
  /** Arrows not kept because of `maxArrows`. */
  omittedArrows: number;
  /** Virtual time of the last record. */
  end: Micros;
  /** Names an URI by its node id when its host is known, else its host. */
  nodeOfUri(uri: string): string;
}

export interface FlowOptions {
  topology?: TopologyInfo;
  /** Arrows kept for the diagrams (default 20,000); further ones are counted only. */
  maxArrows?: number;
  /** Longest text body kept in an arrow's frame text (default 16 KiB); binary bodies keep a hex preview. */
  maxBodyText?: number;
}

interface ConnFacts {
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

const ROLE_RANK: Record<NodeRole, number> = { sender: 0, endpoint: 2, receiver: 2, relay: 1, firewall: 1, host: 1 };

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Collects the flow of a run from its records. */
export class FlowCollector {
  private readonly nodeMap = new Map<string, NodeFacts>();
  private readonly linkMap = new Map<string, LinkFacts>();
  private readonly hostToNode = new Map<string, string>();
  private readonly conns = new Map<string, ConnFacts>();
  private readonly arrows: Arrow[] = [];
  private readonly markers: Marker[] = [];
  private readonly sessions = new Map<string, SessionFacts>();
  private readonly routes = new Map<string, string[]>();
  /** `sendConn|kind|tid|method-or-status` -> arrows not yet received. */
  private readonly pendingMsrp = new Map<string, Arrow[]>();
  private readonly pendingSip = new Map<string, Arrow[]>();
  /** `node|tid` -> arrow just sent by that node (for decision records that follow the send). */
  private readonly lastSent = new Map<string, Arrow>();
  /** `node|tid` -> decision seen before its frame was sent. */
  private readonly decisions = new Map<string, { rule: string; change: PathChange | null }>();
  /** node -> decision that applies to the next REPORT that node sends. */
  private readonly nextReport = new Map<string, string>();
  /** `recvConn|tid` -> last arrow received there (for what the receiver then did with it). */
  private readonly received = new Map<string, Arrow>();
  private readonly maxArrows: number;
  private readonly maxBodyText: number;
  private nextId = 0;
  private omitted = 0;
  private last: Micros = 0;

  constructor(private readonly options: FlowOptions = {}) {
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

  private readonly fixedRoles = new Set<string>();

  private node(id: string): NodeFacts {
    let n = this.nodeMap.get(id);
    if (!n) {
      n = { id, role: 'host', host: null, address: null, names: [], inside: [], profile: null, order: this.nodeMap.size };
      this.nodeMap.set(id, n);
      if (this.options.topology?.nodes.some((t) => t.id === id)) this.fixedRoles.add(id);
    }
    return n;
  }

  private guessRole(id: string, role: NodeRole): void {
    if (id === '' || this.fixedRoles.has(id)) return;
    const n = this.node(id);
    if (n.role === 'host' || (n.role === 'endpoint' && role === 'sender')) n.role = role;
  }

  private conn(id: string, node: string): ConnFacts {
    let c = this.conns.get(id);
    if (!c) {
      c = { node, peer: null, isn: null, remote: null, tls: false, connect: null, closed: null, drops: [], inFlight: [] };
      this.conns.set(id, c);
    }
    return c;
  }

  /** Node id for a host name or address ('' when unknown). */
  private nodeOfHost(host: string): string {
    return this.hostToNode.get(host.toLowerCase()) ?? this.hostToNode.get(host) ?? '';
  }

  private readonly uriNames = new Map<string, string>();

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

  private newArrow(kind: ArrowKind, r: AnyTraceRecord, from: string, to: string): Arrow | null {
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

  private marker(r: AnyTraceRecord, node: string, text: string, kind: Marker['kind']): void {
    const m: Marker = { t: r.t, seq: r.seq, node, text, kind };
    if (r.rule !== undefined) m.rule = r.rule;
    this.markers.push(m);
  }

  record(r: AnyTraceRecord): void {
    this.last = r.t;
    if (r.node !== '' && r.type !== 'net.route') this.node(r.node);
    switch (r.type) {
      case 'net.host': {
        const n = this.node(r.node);
        if (r.kind === 'firewall') this.guessRole(r.node, 'firewall');
        n.address = str(r.address);
        n.names = arr(r.names);
        if (n.host === null && r.kind === 'host') n.host = str(r.name);
        for (const name of n.names) this.hostToNode.set(name.toLowerCase(), r.node);
        if (n.address) this.hostToNode.set(n.address, r.node);
        return;
      }
      case 'net.link': {
        const a = str(r.a);
        const b = str(r.b);
        this.node(a);
        this.node(b);
        const key = linkKey(a, b);
        const old = this.linkMap.get(key);
        this.linkMap.set(key, {
          a,
          b,
          latency: num(r.latency),
          bandwidth: num(r.bandwidth),
          jitter: num(r.jitter),
          loss: num(r.loss),
          up: old?.up ?? true,
        });
        return;
      }
      case 'net.route': {
        const path = r.path as string[] | null;
        if (path && path.length > 1) {
          this.routes.set(`${r.node}>${str(r.dst)}`, path);
          for (let i = 1; i < path.length; i++) this.ensureLink(path[i - 1]!, path[i]!);
        }
        return;
      }
      case 'relay.start':
        this.guessRole(r.node, 'relay');
        if (this.node(r.node).profile === null && typeof r.profile === 'string') this.node(r.node).profile = r.profile;
        return;
      case 'endpoint.message':
        this.guessRole(r.node, 'sender');
        return;
      case 'session.offer':
      case 'session.answer':
      case 'auth.ok':
      case 'endpoint.ready':
        this.guessRole(r.node, 'endpoint');
        return;
      case 'action.session': {
        const s = this.session(str(r.session));
        s.offerer = str(r.offerer);
        s.answerer = str(r.answerer);
        return;
      }
      case 'session.established': {
        const s = this.session(str(r.session));
        s.established = true;
        const toPath = arr(r.toPath);
        if (s.path.length === 0 && toPath.length > 0) s.path = [r.node, ...toPath.map(this.nodeOfUri)];
        this.marker(r, r.node, `session ${s.id} established`, 'ok');
        return;
      }
      case 'session.reoffer':
        this.marker(r, r.node, `offers session ${str(r.session)} again: ${str(r.reason)}`, 'info');
        return;
      case 'session.updated':
        this.marker(r, r.node, `session ${str(r.session)} renegotiated`, 'ok');
        return;
      case 'session.failed':
      case 'session.rejected':
      case 'session.reject': {
        const s = this.session(str(r.session));
        const why = str(r.reason) || (r.status !== undefined ? String(r.status) : '');
        if (r.type === 'session.failed') s.failed = why;
        this.marker(r, r.node, `session ${s.id} ${r.type === 'session.failed' ? 'failed' : 'rejected'}: ${why}`, 'error');
        return;
      }
      case 'tcp.connect':
        this.onConnect(r);
        return;
      case 'tcp.accept':
        this.onAccept(r);
        return;
      case 'tcp.refused': {
        const c = this.conns.get(str(r.conn));
        if (c?.connect) c.connect.end = endOf(r, 'refused', r.node, 'connection refused (no listener)');
        if (c) c.connect = null;
        return;
      }
      case 'tcp.timeout': {
        const c = this.conns.get(str(r.conn));
        if (c && r.phase === 'connect' && c.connect) {
          if (!c.connect.end) c.connect.end = endOf(r, 'lost', c.connect.to, `connect timed out: ${str(r.detail)}`);
          c.connect = null;
        }
        return; // tcp.close follows with the same story
      }
      case 'tcp.close': {
        const c = this.conns.get(str(r.conn));
        const kind = str(r.kind);
        if (c) c.closed = `${kind}: ${str(r.detail)}`;
        if (kind !== 'fin') this.marker(r, r.node, `connection ${str(r.conn)} closed (${kind}): ${str(r.detail)}`, 'error');
        return;
      }
      case 'fw.drop':
      case 'fw.reject':
      case 'net.drop':
        this.onDrop(r);
        return;
      case 'fw.pass':
      case 'nat.map': {
        // Who is inside a firewall, when the topology did not say: the source of what it lets out.
        const fw = this.node(r.node);
        if (this.options.topology?.nodes.some((n) => n.id === r.node && n.inside !== undefined)) return;
        const flow = r.type === 'nat.map' ? `${str(r.inside)}>` : str(r.flow);
        const [src, dst] = flow.split('>');
        const addr = (r.type === 'nat.map' || r.direction === 'outbound' ? src : dst)?.split(':')[0] ?? '';
        const inside = this.nodeOfHost(addr);
        if (inside && !fw.inside.includes(inside)) fw.inside.push(inside);
        return;
      }
      case 'fw.expire':
        if (!r.closed) this.marker(r, r.node, `state of ${str(r.conn)} expired after ${formatMs(num(r.idle) ?? 0)} idle`, 'error');
        return;
      case 'msrp.send':
        this.onMsrpSend(r);
        return;
      case 'msrp.raw':
        this.onRaw(r);
        return;
      case 'msrp.recv':
        this.onMsrpRecv(r);
        return;
      case 'msrp.malformed':
        this.onMalformed(r);
        return;
      case 'sip.send':
        this.onSipSend(r);
        return;
      case 'sip.recv':
        this.onSipRecv(r);
        return;
      case 'relay.forward':
        this.onDecision(r, str(r.outTransactionId), pathChangeOf(r, this.nodeOfUri));
        return;
      case 'relay.respond':
      case 'auth.request':
      case 'session.bind':
      case 'endpoint.reject':
        this.onDecision(r, str(r.transactionId), null);
        return;
      case 'relay.response-forward':
        this.onDecision(r, str(r.outTransactionId), null);
        return;
      case 'relay.refuse':
        this.onDecision(r, str(r.transactionId), null);
        this.noteReceived(r, `refused ${String(r.status)}: ${str(r.reason)}`, true);
        return;
      case 'relay.report':
      case 'endpoint.report-sent':
        if (r.rule !== undefined) this.nextReport.set(r.node, r.rule);
        if (r.type === 'relay.report') this.marker(r, r.node, `REPORT ${String(r.status)} to the sender`, r.status === 200 ? 'info' : 'error');
        return;
      case 'relay.discard':
        this.noteReceived(r, `discarded: ${str(r.reason)}`, true);
        return;
      case 'relay.not-mine':
        this.noteReceived(r, 'not addressed to this relay', true);
        return;
      case 'msrp.violation':
        this.noteReceived(r, `violation: ${str(r.message)}`, true);
        return;
      case 'endpoint.report-ignored':
        return;
      case 'endpoint.deliver':
        this.marker(r, r.node, `delivered ${str(r.messageId)} (${String(r.size)} B ${str(r.contentType)})`, 'ok');
        return;
      case 'endpoint.report':
        if (r.status !== 200) this.marker(r, r.node, `failure REPORT ${String(r.status)} for ${str(r.messageId)}`, 'error');
        return;
      case 'endpoint.timeout':
        this.marker(r, r.node, `no response to ${str(r.transactionId)} in time`, 'error');
        return;
      case 'relay.timeout':
        this.marker(r, r.node, `no response to ${str(r.outTransactionId)} in 30 s`, 'error');
        return;
      case 'auth.fail':
        this.marker(r, r.node, `AUTH failed: ${str(r.reason)}`, 'error');
        return;
      case 'relay.drop-connection':
      case 'relay.probation-close':
      case 'relay.auth-disconnect':
        this.marker(r, r.node, `${r.type.slice(6).replace(/-/g, ' ')} ${str(r.conn)}`, 'error');
        return;
      case 'relay.idle-close':
        this.marker(r, r.node, `closes idle ${str(r.conn)} after ${formatMs(num(r.idle) ?? 0)}`, 'info');
        return;
      case 'endpoint.abort':
        this.marker(r, r.node, `abort ${str(r.messageId)} (${String(r.status)})`, 'error');
        return;
      case 'node.crash':
      case 'fault.crash':
        if (r.type === 'fault.crash') this.marker(r, r.node, 'crash', 'error');
        return;
      case 'fault.restart':
        this.marker(r, r.node, 'restart', 'info');
        return;
      case 'fault.link-down':
      case 'fault.link-up': {
        const [a, b] = str(r.link).split('<>');
        if (a && b) {
          const l = this.ensureLink(a, b);
          l.up = r.type === 'fault.link-up';
          this.marker(r, a, `link ${a} - ${b} ${r.type === 'fault.link-up' ? 'up' : 'down'}`, r.type === 'fault.link-up' ? 'info' : 'error');
        }
        return;
      }
      case 'fault.reset':
      case 'fault.flush':
      case 'fault.partition':
      case 'fault.heal':
      case 'fault.set-link':
      case 'fault.drop-segment':
        this.marker(r, r.node !== '' ? r.node : this.firstLinkEnd(str(r.link)), r.type.slice(6).replace(/-/g, ' '), 'info');
        return;
      default:
        return;
    }
  }

  private firstLinkEnd(link: string): string {
    return link.split('<>')[0] ?? '';
  }

  private ensureLink(a: string, b: string): LinkFacts {
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

  private session(id: string): SessionFacts {
    let s = this.sessions.get(id);
    if (!s) {
      s = { id, offerer: null, answerer: null, path: [], established: false, failed: null };
      this.sessions.set(id, s);
    }
    return s;
  }

  // TCP ------------------------------------------------------------------------------------------

  private onConnect(r: AnyTraceRecord): void {
    const c = this.conn(str(r.conn), r.node);
    c.isn = num(r.isn);
    c.remote = str(r.remote);
    c.tls = r.tls === true;
    const target = str(r.target);
    const to = this.nodeOfHost(target) || this.nodeOfHost(c.remote.split(':')[0] ?? '') || target;
    const a = this.newArrow('tcp', r, r.node, to);
    if (!a) return;
    a.label = c.tls ? 'connect (TCP+TLS)' : 'connect (TCP)';
    a.sub = `port ${c.remote.split(':')[1] ?? '?'}, ${str(r.conn)}`;
    a.conn = str(r.conn);
    a.text = `TCP connection ${str(r.conn)} from ${str(r.local)} to ${target} (${c.remote})${c.tls ? ', then a TLS handshake' : ''}`;
    c.connect = a;
  }

  private onAccept(r: AnyTraceRecord): void {
    const c = this.conn(str(r.conn), r.node);
    c.isn = num(r.isn);
    c.remote = str(r.remote);
    const peerId = str(r.peer);
    c.peer = peerId;
    const p = this.conns.get(peerId);
    if (!p) return;
    p.peer = str(r.conn);
    c.tls = p.tls;
    if (p.connect) {
      const a = p.connect;
      a.t1 = r.t;
      a.seq1 = r.seq;
      a.to = r.node;
      a.end = null;
      a.sub = `${a.sub} > ${str(r.conn)}`;
      p.connect = null;
    }
  }

  private onDrop(r: AnyTraceRecord): void {
    const connId = str(r.conn);
    const c = this.conns.get(connId);
    const flags = str(r.flags);
    const reason =
      r.type === 'net.drop'
        ? `segment lost${r.link ? ` on link ${str(r.link)}` : ''}: ${str(r.reason).replace(/-/g, ' ')}`
        : `${r.type === 'fw.reject' ? 'rejected (RST)' : 'dropped'} by ${r.node}: ${str(r.reason)}`;
    const end = endOf(r, r.type === 'net.drop' ? 'lost' : 'drop', r.node, reason);
    if (!c) return;
    if (flags.includes('S') && !flags.includes('A') && c.connect) {
      const a = c.connect;
      if (a.end && a.end.at === end.at && a.end.reason === end.reason) a.end.count++;
      else if (!a.end) {
        a.end = end;
        a.error = true;
      }
      return;
    }
    const len = num(r.len) ?? 0;
    if (len === 0 || c.isn === null) return;
    const seqNo = num(r.seqNo) ?? 0;
    const offset = (seqNo - c.isn - 1) >>> 0;
    let claimed = false;
    for (const a of c.inFlight) {
      if (a.offset === null || a.length === null) continue;
      if (a.offset < offset + len && offset < a.offset + a.length) {
        this.addDrop(a, end);
        claimed = true;
      }
    }
    if (!claimed) {
      c.drops.push({ seqNo: offset, len, end });
      if (c.drops.length > 32) c.drops.shift();
    }
  }

  private addDrop(a: Arrow, end: ArrowEnd): void {
    if (a.end && a.end.at === end.at && a.end.reason === end.reason) a.end.count++;
    else if (!a.end) a.end = { ...end };
  }

  // MSRP -----------------------------------------------------------------------------------------

  private onMsrpSend(r: AnyTraceRecord): void {
    const connId = str(r.conn);
    const c = this.conn(connId, r.node);
    const peerNode = c.peer ? (this.conns.get(c.peer)?.node ?? '') : '';
    const to = peerNode || this.nodeOfHost((c.remote ?? '').split(':')[0] ?? '') || '?';
    const a = this.newArrow('msrp', r, r.node, to);
    if (!a) return;
    const kind = str(r.kind);
    a.conn = connId;
    a.transactionId = str(r.transactionId);
    a.toPath = arr(r.toPath);
    a.fromPath = arr(r.fromPath);
    a.length = num(r.length);
    a.offset = num(r.offset);
    a.text = frameText(r, this.maxBodyText);
    if (kind === 'request') {
      a.method = str(r.method);
      a.label = `${a.method} ${a.transactionId}`;
      const br = r.byteRange as { start: number; end: number | null; total: number | null } | undefined;
      const parts: string[] = [];
      if (a.method === 'REPORT' && r.reportStatus !== undefined) {
        parts.push(`000 ${String(r.reportStatus)}`);
        a.error = r.reportStatus !== 200;
      }
      if (br) parts.push(`${br.start}-${br.end ?? '*'}/${br.total ?? '*'}`);
      const cont = str(r.continuation);
      if (cont === '+') parts.push('+');
      if (cont === '#') {
        parts.push('# (abort)');
        a.error = true;
      }
      a.sub = parts.join(' ');
    } else {
      a.status = num(r.status);
      a.label = `${a.status ?? ''}${r.comment ? ` ${str(r.comment)}` : ''} ${a.transactionId}`;
      // A 401 is the AUTH handshake's challenge (R-04), not a failure; a refused AUTH shows as auth.fail.
      a.error = a.status !== 200 && a.status !== 401;
    }
    // Decisions recorded before the frame (relay.respond, auth.request, relay.forward of a bodiless SEND).
    const key = `${r.node}|${a.transactionId}`;
    const d = this.decisions.get(key);
    if (d) {
      this.decisions.delete(key);
      if (a.rule === null) a.rule = d.rule;
      if (d.change) a.pathChange = d.change;
    }
    if (a.method === 'REPORT') {
      const rule = this.nextReport.get(r.node);
      if (rule !== undefined) {
        this.nextReport.delete(r.node);
        if (a.rule === null) a.rule = rule;
      }
    }
    this.lastSent.set(key, a);
    if (this.lastSent.size > 4096) this.lastSent.delete(this.lastSent.keys().next().value as string);
    const pk = `${connId}|${kind}|${a.transactionId}|${a.method ?? a.status}`;
    push(this.pendingMsrp, pk, a);
    c.inFlight.push(a);
    // Segments of this frame may have been dropped before the frame was recorded (chunks are
    // recorded when their last byte is written).
    if (c.drops.length > 0 && a.offset !== null && a.length !== null) {
      for (const d of c.drops) if (a.offset < d.seqNo + d.len && d.seqNo < a.offset + a.length) this.addDrop(a, d.end);
    }
  }

  private onRaw(r: AnyTraceRecord): void {
    const connId = str(r.conn);
    const c = this.conn(connId, r.node);
    const peerNode = c.peer ? (this.conns.get(c.peer)?.node ?? '') : '';
    const a = this.newArrow('raw', r, r.node, peerNode || '?');
    if (!a) return;
    a.conn = connId;
    a.label = `raw bytes (${String(r.length)} B)`;
    a.length = num(r.length);
    a.offset = num(r.offset);
    const text = str(r.text);
    a.text = text.length > this.maxBodyText ? `${text.slice(0, this.maxBodyText)}\n[${text.length - this.maxBodyText} more bytes]` : text;
    push(this.pendingMsrp, `${connId}|raw`, a);
    c.inFlight.push(a);
  }

  private onMsrpRecv(r: AnyTraceRecord): void {
    const connId = str(r.conn);
    const c = this.conn(connId, r.node);
    const sendConn = c.peer ?? '';
    const kind = str(r.kind);
    const tid = str(r.transactionId);
    const pk = `${sendConn}|${kind}|${tid}|${kind === 'request' ? str(r.method) : num(r.status)}`;
    let a = shift(this.pendingMsrp, pk) ?? shift(this.pendingMsrp, `${sendConn}|raw`);
    if (!a) {
      // Nothing recorded as sent (the sender is outside the trace): an arrow that starts here.
      a = this.newArrow('msrp', r, this.conns.get(sendConn)?.node ?? '?', r.node) ?? undefined;
      if (!a) return;
      a.transactionId = tid;
      a.conn = sendConn || null;
      a.label = kind === 'request' ? `${str(r.method)} ${tid}` : `${String(r.status)} ${tid}`;
      a.method = kind === 'request' ? str(r.method) : null;
      a.status = kind === 'response' ? num(r.status) : null;
      a.toPath = arr(r.toPath);
      a.fromPath = arr(r.fromPath);
    }
    a.t1 = r.t;
    a.seq1 = r.seq;
    a.to = r.node;
    if (a.end && a.end.kind !== 'refused') {
      // Dropped once, then retransmitted and delivered: keep it as a note.
      a.notes.push({ node: a.end.at, t: a.end.t, text: `${a.end.reason}${a.end.count > 1 ? ` (x${a.end.count})` : ''}; retransmitted`, error: true, ...(a.end.rule ? { rule: a.end.rule } : {}) });
      a.end = null;
    }
    const sc = this.conns.get(sendConn);
    if (sc) removeFrom(sc.inFlight, a);
    this.received.set(`${connId}|${tid}`, a);
    if (this.received.size > 4096) this.received.delete(this.received.keys().next().value as string);
  }

  private onMalformed(r: AnyTraceRecord): void {
    const connId = str(r.conn);
    const c = this.conns.get(connId);
    const a = shift(this.pendingMsrp, `${c?.peer ?? ''}|raw`);
    const reason = `malformed: ${str(r.message)}`;
    if (a) {
      a.end = endOf(r, 'malformed', r.node, reason);
      a.error = true;
      const sc = this.conns.get(c?.peer ?? '');
      if (sc) removeFrom(sc.inFlight, a);
    } else {
      this.marker(r, r.node, reason, 'error');
    }
  }

  /** A decision record naming the transaction a node sends (or just sent). */
  private onDecision(r: AnyTraceRecord, tid: string, change: PathChange | null): void {
    if (r.rule === undefined || tid === '') return;
    const key = `${r.node}|${tid}`;
    const sent = this.lastSent.get(key);
    if (sent) {
      if (sent.rule === null) sent.rule = r.rule;
      if (change && !sent.pathChange) sent.pathChange = change;
    } else {
      this.decisions.set(key, { rule: r.rule, change });
      if (this.decisions.size > 4096) this.decisions.delete(this.decisions.keys().next().value as string);
    }
  }

  private noteReceived(r: AnyTraceRecord, text: string, error: boolean): void {
    const a = this.received.get(`${str(r.conn)}|${str(r.transactionId)}`);
    const note: ArrowNote = { node: r.node, t: r.t, text, error };
    if (r.rule !== undefined) note.rule = r.rule;
    if (a) a.notes.push(note);
    else this.marker(r, r.node, text, error ? 'error' : 'info');
  }

  // SIP ------------------------------------------------------------------------------------------

  private onSipSend(r: AnyTraceRecord): void {
    const a = this.newArrow('sip', r, r.node, str(r.to));
    if (!a) return;
    a.session = str(r.session) || null;
    const sdp = r.hasSdp === true ? ' (SDP)' : '';
    if (r.kind === 'request') {
      a.method = str(r.method);
      a.label = `${a.method}${sdp}`;
    } else {
      a.status = num(r.status);
      a.label = `${a.status ?? ''} ${str(r.reason)}${sdp}`;
      a.error = (a.status ?? 0) >= 300;
    }
    const cseq = r.cseq as { seq?: number; method?: string } | undefined;
    a.sub = r.kind === 'response' && cseq?.method ? `to ${cseq.method}` : '';
    a.text = str(r.text);
    push(this.pendingSip, sipKey(r, r.node, str(r.to)), a);
  }

  private onSipRecv(r: AnyTraceRecord): void {
    const a = shift(this.pendingSip, sipKey(r, str(r.from), r.node));
    if (!a) return;
    a.t1 = r.t;
    a.seq1 = r.seq;
  }

  // ----------------------------------------------------------------------------------------------

  /** The model as it stands: arrows still in flight come back ended (`lost`) with what is known. */
  finish(): FlowModel {
    for (const a of this.arrows) {
      if (a.t1 !== null || a.end) continue;
      if (a.kind === 'sip') continue;
      const c = a.conn ? this.conns.get(a.conn) : undefined;
      const why = c?.closed ? `connection ${a.conn} closed (${c.closed})` : a.kind === 'tcp' ? 'no answer' : 'not received by the end of the run';
      a.end = { kind: 'lost', at: a.to, t: this.last, seq: Number.MAX_SAFE_INTEGER, reason: why, count: 1 };
    }
    for (const a of this.arrows) if (a.end && a.end.kind !== 'lost') a.error = true;
    for (const s of this.sessions.values()) {
      if (s.path.length === 0 && s.offerer && s.answerer) s.path = [s.offerer, s.answerer];
    }
    const nodes = [...this.nodeMap.values()].filter((n) => n.id !== '');
    return {
      nodes,
      lanes: laneOrder(nodes, [...this.linkMap.values()]),
      links: [...this.linkMap.values()],
      arrows: this.arrows,
      markers: this.markers,
      sessions: [...this.sessions.values()],
      routes: this.routes,
      omittedArrows: this.omitted,
      end: this.last,
      nodeOfUri: this.nodeOfUri,
    };
  }
}

/**
 * Lane order: senders first (declaration order), then the other nodes by hop distance from the
 * senders (relays and firewalls between), receivers and other endpoints last.
 */
export function laneOrder(nodes: NodeFacts[], links: LinkFacts[]): string[] {
  const adj = new Map<string, string[]>();
  for (const l of links) {
    (adj.get(l.a) ?? adj.set(l.a, []).get(l.a)!).push(l.b);
    (adj.get(l.b) ?? adj.set(l.b, []).get(l.b)!).push(l.a);
  }
  const byOrder = [...nodes].sort((x, y) => x.order - y.order);
  let roots = byOrder.filter((n) => n.role === 'sender');
  if (roots.length === 0) roots = byOrder.filter((n) => n.role === 'endpoint' || n.role === 'receiver').slice(0, 1);
  if (roots.length === 0) roots = byOrder.slice(0, 1);
  const dist = new Map<string, number>();
  const queue: string[] = [];
  for (const r of roots) {
    dist.set(r.id, 0);
    queue.push(r.id);
  }
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const next = [...(adj.get(id) ?? [])].sort((a, b) => orderOf(byOrder, a) - orderOf(byOrder, b));
    for (const n of next) {
      if (dist.has(n)) continue;
      dist.set(n, dist.get(id)! + 1);
      queue.push(n);
    }
  }
  const rootIds = new Set(roots.map((r) => r.id));
  const rank = (n: NodeFacts): number => (rootIds.has(n.id) ? 0 : ROLE_RANK[n.role] === 0 ? 2 : ROLE_RANK[n.role]);
  return byOrder
    .slice()
    .sort((x, y) => rank(x) - rank(y) || (dist.get(x.id) ?? 1e9) - (dist.get(y.id) ?? 1e9) || x.order - y.order)
    .map((n) => n.id);
}

function orderOf(nodes: NodeFacts[], id: string): number {
  const i = nodes.findIndex((n) => n.id === id);
  return i < 0 ? 1e9 : i;
}

/**
 * A frame's text for people: the bytes when they are text, long bodies shortened with a note;
 * a binary body is replaced by a one-line note (the pcap has the bytes).
 */
export function frameText(r: AnyTraceRecord, maxBody: number): string {
  if (typeof r.text === 'string') return shortenBody(r.text, maxBody, false);
  if (typeof r.bytesBase64 === 'string') {
    const bytes = Buffer.from(r.bytesBase64, 'base64');
    return shortenBody(utf8.decode(bytes), maxBody, true, bytes);
  }
  return '';
}

/** Splits an MSRP frame's text into head, body and end-line, and shortens the body. */
function shortenBody(text: string, maxBody: number, binary: boolean, bytes?: Uint8Array): string {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return text;
  const endLine = text.lastIndexOf('\r\n-------');
  if (endLine < headEnd + 4) return text;
  const head = text.slice(0, headEnd + 4);
  const tail = text.slice(endLine);
  if (binary && bytes) {
    // Body length in bytes: total minus the (ASCII) head and end-line.
    const bodyBytes = bytes.length - Buffer.byteLength(head, 'latin1') - Buffer.byteLength(tail, 'latin1');
    return `${head}[${bodyBytes} bytes of binary body]${tail}`;
  }
  const body = text.slice(headEnd + 4, endLine);
  if (body.length <= maxBody) return text;
  const kept = body.slice(0, maxBody);
  const more = Buffer.byteLength(body, 'utf8') - Buffer.byteLength(kept, 'utf8');
  return `${head}${kept}[${more} more bytes]${tail}`;
}

function pathChangeOf(r: AnyTraceRecord, name: (uri: string) => string): PathChange | null {
  const toBefore = arr(r.toPathBefore);
  const toAfter = arr(r.toPathAfter);
  const fromBefore = arr(r.fromPathBefore);
  const fromAfter = arr(r.fromPathAfter);
  if (toBefore.length === 0 && fromAfter.length === 0) return null;
  void name;
  return {
    node: r.node,
    rule: r.rule ?? '',
    toRemoved: toBefore.filter((u) => !toAfter.includes(u)),
    fromAdded: fromAfter.filter((u) => !fromBefore.includes(u)),
    toBefore,
    fromBefore,
  };
}

function sipKey(r: AnyTraceRecord, from: string, to: string): string {
  const cseq = r.cseq as { seq?: number; method?: string } | undefined;
  return `${str(r.session)}|${from}|${to}|${str(r.kind)}|${str(r.callId)}|${cseq?.seq ?? ''}|${cseq?.method ?? ''}|${r.kind === 'request' ? str(r.method) : String(r.status)}`;
}

function endOf(r: AnyTraceRecord, kind: ArrowEnd['kind'], at: string, reason: string): ArrowEnd {
  const e: ArrowEnd = { kind, at, t: r.t, seq: r.seq, reason, count: 1 };
  if (r.rule !== undefined) e.rule = r.rule;
  return e;
}

function linkKey(a: string, b: string): string {
  return a < b ? `${a}<>${b}` : `${b}<>${a}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function shift<K, V>(m: Map<K, V[]>, k: K): V | undefined {
  const list = m.get(k);
  if (!list) return undefined;
  const v = list.shift();
  if (list.length === 0) m.delete(k);
  return v;
}

function removeFrom<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function arr(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => String(x)) : [];
}

/** `40 ms`, `1.5 s`, `250 µs`. */
export function formatMs(us: Micros): string {
  if (us >= 1_000_000) return `${trimNum(us / 1_000_000)} s`;
  if (us >= 1000) return `${trimNum(us / 1000)} ms`;
  return `${us} µs`;
}

/** `100 Mbit/s`, `2 Mbit/s`, `64 kbit/s`. */
export function formatBandwidth(bps: number | null): string {
  if (bps === null) return 'unlimited';
  if (bps >= 1e9) return `${trimNum(bps / 1e9)} Gbit/s`;
  if (bps >= 1e6) return `${trimNum(bps / 1e6)} Mbit/s`;
  if (bps >= 1e3) return `${trimNum(bps / 1e3)} kbit/s`;
  return `${bps} bit/s`;
}

function trimNum(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}
