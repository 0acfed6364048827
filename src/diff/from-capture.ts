/**
 * A run from a capture (pcap or pcapng, such as a tcpdump of a deployment): each TCP connection's
 * two directions decoded into frames by src/capture/, the initiator being the sender of the first
 * SYN (or, when the capture starts after the handshake, of the first data, since the active side
 * of an MSRP connection speaks first).
 *
 * A capture knows addresses, not nodes. A node is what these keys name together: a listener's
 * `ip:port`, the URI authority (`host:port`) of the From-Path a side writes (its own URI, RFC 4975
 * §7.1), and, for a side that writes nothing, its IP address. Keys that meet on one side of a
 * connection are one node; so a relay that answers on `10.0.0.5:2855` and opens connections with
 * `msrp://relay.example.com:2855/...` in its From-Path is one node.
 */
import { decodeCapture, readCapturePackets } from '../capture/capture-decoder.js';
import { decodeTcp, endpointLabel } from '../capture/pcap-reader.js';
import { DiffInputError } from './diff-input-error.js';
import { diffFrame, type DiffConnection, type DiffFrame, type DiffNode, type RunModel } from './diff-model.js';

interface Endpoint {
  host: string;
  port: number;
}

interface Building {
  a: Endpoint;
  b: Endpoint;
  /** 0: `a` opened it. */
  initiator: 0 | 1 | null;
  firstData: 0 | 1 | null;
  opened: number;
}

/** `seconds.fraction` of a capture as µs. */
function micros(time: string | undefined): number | null {
  if (time === undefined) return null;
  const [s, f = ''] = time.split('.');
  return Number(s) * 1e6 + Number((f + '000000').slice(0, 6));
}

/** The authority of the first URI of a From-Path: `host:port` of `msrp://host:port/id;tcp`. */
export function fromPathAuthority(frame: DiffFrame): string | null {
  const h = frame.headers.find(([n]) => n.toLowerCase() === 'from-path');
  const m = h && /^msrps?:\/\/(?:[^@/\s]*@)?([^/\s;]+)/i.exec(h[1].trim());
  return m ? m[1]!.toLowerCase() : null;
}

class Keys {
  private readonly parent = new Map<string, string>();
  find(k: string): string {
    let p = this.parent.get(k) ?? k;
    if (p !== k) this.parent.set(k, (p = this.find(p)));
    else this.parent.set(k, k);
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
  members(root: string): string[] {
    return [...this.parent.keys()].filter((k) => this.find(k) === root);
  }
}

/** `map`: a node name for a key (`ip:port`, `ip` or a URI authority `host:port`). */
export function runFromCapture(bytes: Uint8Array, source: string, map: ReadonlyMap<string, string> = new Map()): RunModel {
  const packets = readCapturePackets(bytes);
  if (!packets.ok) throw new DiffInputError(packets.message);
  const notes: string[] = [...packets.warnings];
  const conns = new Map<string, Building>();
  const order: Building[] = [];
  for (const packet of packets.packets) {
    const r = decodeTcp(packet, packet.linkType);
    if (!r.ok) continue;
    const s = r.segment;
    const src = endpointLabel(s.src, s.srcPort);
    const dst = endpointLabel(s.dst, s.dstPort);
    const key = src < dst ? `${src} ${dst}` : `${dst} ${src}`;
    let c = conns.get(key);
    if (c === undefined) {
      c = { a: { host: s.src, port: s.srcPort }, b: { host: s.dst, port: s.dstPort }, initiator: null, firstData: null, opened: packet.number };
      conns.set(key, c);
      order.push(c);
    }
    const from: 0 | 1 = endpointLabel(c.a.host, c.a.port) === src ? 0 : 1;
    if (s.syn && c.initiator === null) c.initiator = from;
    if (s.payload.length > 0 && c.firstData === null) c.firstData = from;
  }
  const frames = new Map<string, DiffFrame[]>();
  let count = 0;
  const decoded = decodeCapture(bytes, {
    frame: (f, where) => {
      let list = frames.get(where.stream);
      if (list === undefined) frames.set(where.stream, (list = []));
      list.push(diffFrame(f, micros(where.time), count++));
    },
    error: (e, stream) => notes.push(`${stream}: ${e.rule} ${e.message}`),
    skipped: (offset, n, _cause, stream) => notes.push(`${stream}: ${n} bytes at stream byte ${offset} are not MSRP frames`),
    warn: (m) => notes.push(m),
    note: () => undefined,
  });
  if (!decoded.ok) throw new DiffInputError(decoded.message);
  const keys = new Keys();
  const built = order.flatMap((c) => {
    const first = c.initiator ?? c.firstData ?? 0;
    const ini = first === 0 ? c.a : c.b;
    const res = first === 0 ? c.b : c.a;
    const iniLabel = endpointLabel(ini.host, ini.port);
    const resLabel = endpointLabel(res.host, res.port);
    const fwd = frames.get(`${iniLabel} -> ${resLabel}`) ?? [];
    const bwd = frames.get(`${resLabel} -> ${iniLabel}`) ?? [];
    // Not MSRP (SIP, say), or no MSRP got through: nothing diff compares.
    if (fwd.length === 0 && bwd.length === 0) return [];
    // The responder listens at its address; both sides are known by the URI they write.
    const resKey = resLabel;
    keys.find(resKey);
    for (const f of bwd) {
      const a = fromPathAuthority(f);
      if (a !== null) keys.union(resKey, `uri:${a}`);
    }
    let iniKey: string | null = null;
    for (const f of fwd) {
      const a = fromPathAuthority(f);
      if (a === null) continue;
      if (iniKey === null) keys.find((iniKey = `uri:${a}`));
      else keys.union(iniKey, `uri:${a}`);
    }
    if (iniKey === null) keys.find((iniKey = `ip:${ini.host}`));
    return [{ id: `${iniLabel} -> ${resLabel}`, iniKey, resKey, opened: c.opened, fwd, bwd }];
  });
  const nodes = new Map<string, DiffNode>();
  const nodeOf = (key: string): string => {
    const root = keys.find(key);
    if (!nodes.has(root)) {
      const members = keys.members(root).map((k) => k.replace(/^(uri|ip):/, ''));
      const mapped = members.map((m) => map.get(m) ?? map.get(m.replace(/:\d+$/, ''))).find((n) => n !== undefined);
      // Shown as the URI authority when there is one, else the address.
      const shown = keys.members(root).find((k) => k.startsWith('uri:'))?.slice(4) ?? members[0]!;
      nodes.set(root, { key: root, name: mapped ?? shown, named: mapped !== undefined });
    }
    return root;
  };
  const connections: DiffConnection[] = built.map((c) => ({ id: c.id, initiator: nodeOf(c.iniKey), responder: nodeOf(c.resKey), opened: c.opened, frames: [c.fwd, c.bwd] }));
  return { source, kind: 'capture', nodes: [...nodes.values()], connections, notes };
}
