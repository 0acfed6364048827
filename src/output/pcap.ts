/**
 * The run's capture: capture.pcapng (the default) or capture.pcap. Both hold the TCP traffic
 * (LINKTYPE_ETHERNET, Ethernet / IPv4 / TCP with correct IPv4 and TCP checksums), virtual time as
 * timestamps (from the epoch). The pcapng (blocks written by pcapng.ts) adds:
 * - an interface per pair of nodes, named `a<->b` (a: the sender of the first packet between
 *   them), for MSRP and SIP alike, its description giving host names and addresses;
 * - the SIP signalling: each `sip.send` as one TCP segment from port 5060 to port 5060 between the
 *   two nodes' addresses (`net.host`), one connection per pair (see `sipPackets`);
 * - a comment on each packet: `seq=<record> <type> ...`, the record that made it, and the rule
 *   behind it (the record's, or that of the decision record naming the frame, as flow.ts finds).
 * The classic pcap has the MSRP traffic only, as it always had.
 *
 * What is in the MSRP traffic, and why:
 * - One MSRP frame per packet. Packets are built from `msrp.send` records (the whole frame's bytes
 *   and its stream offset), not from `tcp.segment` records, because Wireshark's MSRP dissector
 *   needs a frame to start at the start of a packet; the simulated segmentation (which splits
 *   frames anywhere, start lines included) stays in the trace. A frame's packet carries the
 *   sequence number of its first byte (initial sequence number + 1 + stream offset, the real
 *   numbers of the trace) and has the time of the first segment that carried that byte. A frame
 *   larger than fits in an IPv4 packet is cut into packets of 65,000 bytes, the first holding the
 *   start line. Raw bytes a scenario wrote (`msrp.raw`) are packets of their own in the same way.
 * - The TCP handshake, pure ACKs, FIN and RST are the sender-side `tcp.segment` records (hop 0)
 *   with their real numbers.
 * - TLS (msrps). The traffic is modelled in clear text; the handshake's bytes (counted by the
 *   `tls.handshake` records) sit at the start of each direction's stream, before the MSRP bytes.
 *   They are not in the capture: so that the stream a reader reassembles starts with MSRP (which
 *   Wireshark's dissector and `msrp-sim decode` need), the SYN and SYN-ACK of an msrps connection
 *   carry the initial sequence number moved on by that direction's TLS byte count, and ACKs sent
 *   during the handshake are moved to the same base. Data packets keep their real numbers.
 * - Wireshark's MSRP dissector (seen with 4.0.17) marks some correct frames as malformed: reading a
 *   Content-Type value it looks for ';' from the value's start over as many bytes as the whole
 *   header line has, so it reads 14 bytes past the value ("Content-Type: " is 14): the CRLF, the
 *   blank line's CRLF and the first 10 body bytes. A ';' (0x3B) among those body bytes, when the
 *   value itself has none, gives a negative parameter length and a ReportedBoundsError: "[Malformed
 *   Packet: MSRP]" (with tcp.desegment_tcp_streams off, "[BoundError Unreassembled Packet]"). No
 *   packet layout avoids it (the dissector reassembles the frame first), and the capture must carry
 *   the bytes that were sent, so such frames stay as they are; `wiresharkFlagsFrame` says which.
 * - Addresses and ports are as the accepting side saw them (after NAT), so both directions of a
 *   connection are one TCP stream; a connection never accepted keeps the initiator's view.
 *   MAC addresses are 02:00 followed by the IPv4 address.
 *
 * The builder keeps what it needs per connection (segment times and frames) and writes the file
 * in `finish()`; its size is that of the traffic.
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import type { Micros } from '../sim/time.js';
import { SNAP_LENGTH, frameLength, writeEthernetFrame, writePcap, type Packet } from './capture-packets.js';
import { writePcapng, type PcapngInterface, type PcapngPacket } from './pcapng.js';
import { ruleLabel } from './rules.js';
import type { TopologyInfo } from './topology-info.js';

interface Seg {
  t: Micros;
  rec: number;
  seqNo: number;
  ackNo: number;
  flags: string;
  len: number;
  rule: string | undefined;
}

interface Frame {
  offset: number;
  bytes: Uint8Array;
  /** The msrp.send or msrp.raw record. */
  rec: number;
  type: string;
  /** `SEND 8zs3D2iyer4W`, `200 8zs3D2iyer4W`, `raw bytes`. */
  label: string;
  /** The rule behind the frame: its record's, or that of the decision record naming it. */
  rule: string | null;
}

interface SipMessage {
  t: Micros;
  rec: number;
  from: string;
  to: string;
  label: string;
  session: string;
  bytes: Uint8Array;
}

interface ConnState {
  id: string;
  /** The node that owns this side of the connection. */
  node: string | null;
  isn: number | null;
  /** `ip:port` of this side and of the other, as the accepting side saw them. */
  local: string | null;
  remote: string | null;
  peer: string | null;
  tlsBytes: number;
  mss: number;
  segs: Seg[];
  frames: Frame[];
  /** Highest sequence end (relative to isn+1) put on the wire so far. */
  sentEnd: number;
}


/** Largest TCP payload per packet: an IPv4 packet is at most 65,535 bytes. */
const MAX_PAYLOAD = 65_000;

export type CaptureFormat = 'pcap' | 'pcapng';

export interface PcapBuilderOptions {
  /** Node addresses and host names, where the trace's `net.host` records do not give them. */
  topology?: TopologyInfo;
}

export interface PcapBuilder {
  record(r: AnyTraceRecord): void;
  /**
   * The capture file: `pcapng` (capture.pcapng: interfaces per host pair, SIP packets, comments)
   * or `pcap` (capture.pcap: the MSRP traffic only, as before). May be called for both formats.
   */
  finish(format?: CaptureFormat): Uint8Array;
}

/**
 * Decision records naming a frame a node sends: where their transaction id is, and whether the
 * frame is the request or the response (a relay answers a SEND and forwards it with the same id
 * under some profiles).
 */
const DECISIONS: Record<string, [field: 'transactionId' | 'outTransactionId', kind: 'request' | 'response']> = {
  'relay.forward': ['outTransactionId', 'request'],
  'relay.response-forward': ['outTransactionId', 'response'],
  'relay.respond': ['transactionId', 'response'],
  'relay.refuse': ['transactionId', 'response'],
  'endpoint.reject': ['transactionId', 'response'],
  'auth.request': ['transactionId', 'request'],
  'session.bind': ['transactionId', 'request'],
};

export function createPcapBuilder(options: PcapBuilderOptions = {}): PcapBuilder {
  const conns = new Map<string, ConnState>();
  const conn = (id: string): ConnState => {
    let c = conns.get(id);
    if (!c) {
      c = { id, node: null, isn: null, local: null, remote: null, peer: null, tlsBytes: 0, mss: 1460, segs: [], frames: [], sentEnd: 0 };
      conns.set(id, c);
    }
    return c;
  };
  const enc = new TextEncoder();
  const hosts = new Map<string, { name: string; address: string }>();
  for (const n of options.topology?.nodes ?? []) if (n.address !== undefined) hosts.set(n.id, { name: n.host ?? n.id, address: n.address });
  const sip: SipMessage[] = [];
  // The rule behind each frame (as the ladder finds it, flow.ts): a decision record before the
  // frame, or just after it, names the transaction; a REPORT takes the rule of the report record.
  const decisions = new Map<string, string>();
  const lastSent = new Map<string, Frame>();
  const nextReport = new Map<string, string>();

  const addFrame = (r: AnyTraceRecord, bytes: Uint8Array, label: string, tid: string | null, method: string | null): void => {
    const f: Frame = { offset: r.offset as number, bytes, rec: r.seq, type: r.type, label, rule: r.rule ?? null };
    if (tid !== null) {
      const key = `${r.node}\0${tid}\0${String(r.kind)}`;
      const d = decisions.get(key);
      if (d !== undefined) {
        decisions.delete(key);
        f.rule ??= d;
      }
      if (method === 'REPORT') {
        const rule = nextReport.get(r.node);
        if (rule !== undefined) {
          nextReport.delete(r.node);
          f.rule ??= rule;
        }
      }
      lastSent.set(key, f);
    }
    const c = conn(String(r.conn));
    c.node ??= r.node;
    c.frames.push(f);
  };

  return {
    record(r) {
      const decision = DECISIONS[r.type];
      if (decision !== undefined) {
        const tid = r[decision[0]];
        if (r.rule === undefined || typeof tid !== 'string' || tid === '') return;
        const key = `${r.node}\0${tid}\0${decision[1]}`;
        const sent = lastSent.get(key);
        // Just after its frame, or before the next frame of that transaction.
        if (sent && sent.rule === null) sent.rule = r.rule;
        else decisions.set(key, r.rule);
        return;
      }
      switch (r.type) {
        case 'net.host':
          hosts.set(r.node, { name: String(r.name), address: String(r.address) });
          return;
        case 'relay.report':
        case 'endpoint.report-sent':
          if (r.rule !== undefined) nextReport.set(r.node, r.rule);
          return;
        case 'sip.send':
          if (typeof r.text === 'string') {
            const label = r.kind === 'request' ? String(r.method) : `${String(r.status)} ${String(r.reason ?? '')}`.trim();
            sip.push({ t: r.t, rec: r.seq, from: r.node, to: String(r.to), label, session: String(r.session ?? ''), bytes: enc.encode(r.text) });
          }
          return;
        case 'tcp.connect': {
          const c = conn(String(r.conn));
          c.node = r.node;
          c.isn = r.isn as number;
          c.local = String(r.local);
          c.remote = String(r.remote);
          return;
        }
        case 'tcp.accept': {
          const c = conn(String(r.conn));
          const p = conn(String(r.peer));
          c.node = r.node;
          c.isn = r.isn as number;
          c.peer = p.id;
          p.peer = c.id;
          // The accepting side's view names both ends of the stream.
          c.local = String(r.local);
          c.remote = String(r.remote);
          p.local = c.remote;
          p.remote = c.local;
          return;
        }
        case 'tcp.open': {
          const c = conn(String(r.conn));
          if (typeof r.mss === 'number') c.mss = r.mss;
          return;
        }
        case 'tls.handshake':
          conn(String(r.conn)).tlsBytes += r.bytes as number;
          return;
        case 'tcp.segment': {
          if (r.hop !== 0) return;
          const c = conn(String(r.conn));
          c.node ??= r.node;
          c.segs.push({ t: r.t, rec: r.seq, seqNo: r.seqNo as number, ackNo: r.ackNo as number, flags: String(r.flags), len: r.len as number, rule: r.rule });
          return;
        }
        case 'msrp.send': {
          const bytes = typeof r.text === 'string' ? enc.encode(r.text) : typeof r.bytesBase64 === 'string' ? new Uint8Array(Buffer.from(r.bytesBase64, 'base64')) : null;
          if (!bytes) return;
          const tid = String(r.transactionId);
          const what = r.kind === 'request' ? String(r.method) : String(r.status);
          addFrame(r, bytes, `${what} ${tid}`, tid, r.kind === 'request' ? String(r.method) : null);
          return;
        }
        case 'msrp.raw':
          addFrame(r, new Uint8Array(Buffer.from(String(r.text), 'latin1')), 'raw bytes', null, null);
          return;
        default:
          return;
      }
    },

    finish(format = 'pcap') {
      const nodeByAddress = new Map<string, string>();
      for (const [id, h] of hosts) if (!nodeByAddress.has(h.address)) nodeByAddress.set(h.address, id);
      const packets: Packet[] = [];
      for (const c of conns.values()) {
        if (c.isn === null || c.local === null || c.remote === null) continue;
        const peer = c.peer ? conns.get(c.peer) : undefined;
        const srcNode = c.node ?? ipOf(c.local);
        const dstNode = peer?.node ?? nodeByAddress.get(ipOf(c.remote)) ?? ipOf(c.remote);
        const base = (c.isn + c.tlsBytes) >>> 0; // shifted ISN: stream offset tlsBytes is the first byte after the SYN
        const peerBase = peer?.isn !== null && peer?.isn !== undefined ? (peer.isn + 1 + peer.tlsBytes) >>> 0 : null;
        const fixAck = (ack: number, flags: string): number => {
          if (!flags.includes('A') || peerBase === null) return ack;
          return seqBefore(ack, peerBase) ? peerBase : ack;
        };
        const firstData = (c.isn + 1 + c.tlsBytes) >>> 0;
        // Control segments: SYN, SYN-ACK, pure ACK, FIN, RST (payload-free ones as they were;
        // segments that carried bytes are replaced by the frame packets below, except FIN/RST
        // flags, which keep a packet of their own at the end of the data).
        for (const s of c.segs) {
          const syn = s.flags.includes('S');
          const finOrRst = s.flags.includes('F') || s.flags.includes('R');
          if (s.len > 0 && !finOrRst) continue;
          let seq = s.seqNo;
          if (syn) seq = base;
          else if (seqBefore(seq, firstData)) seq = firstData;
          if (s.len > 0) seq = (s.seqNo + s.len) >>> 0; // FIN/RST riding on data: the flag after it
          const flags = s.len > 0 ? s.flags.replace('P', '') : s.flags;
          packets.push({
            t: s.t,
            rec: s.rec,
            sub: 1e12,
            src: c.local,
            dst: c.remote,
            seq,
            ack: fixAck(s.ackNo, s.flags),
            flags,
            payload: null,
            mss: syn ? c.mss : null,
            srcNode,
            dstNode,
            comment: `seq=${s.rec} tcp.segment ${flagNames(flags)} from ${srcNode}${ruleText(s.rule)}`,
            sip: false,
          });
        }
        // The initiator of an msrps connection acknowledged the SYN-ACK on its first TLS flight,
        // which is not in the capture: the handshake's ACK gets a packet of its own.
        const synAt = c.segs.findIndex((s) => s.flags === 'S');
        const next = synAt >= 0 ? c.segs.slice(synAt + 1).find((s) => !s.flags.includes('S')) : undefined;
        if (c.tlsBytes > 0 && next && next.len > 0 && next.flags.includes('A')) {
          const comment = `seq=${next.rec} tcp.segment ACK from ${srcNode} (the handshake's ACK, sent with the first TLS bytes, which are not in the capture)`;
          packets.push({ t: next.t, rec: next.rec, sub: -1, src: c.local, dst: c.remote, seq: firstData, ack: fixAck(next.ackNo, 'A'), flags: 'A', payload: null, mss: null, srcNode, dstNode, comment, sip: false });
        }
        // Frames: one packet each (or several for a frame beyond an IPv4 packet).
        const dataSegs = c.segs.filter((s) => s.len > 0 && !s.flags.includes('S')).sort((a, b) => a.rec - b.rec);
        const firstSent = firstTransmissions(dataSegs, c.isn);
        for (const f of c.frames) {
          const seg = covering(firstSent, f.offset);
          if (!seg) continue; // never on the wire
          const sentEnd = firstSent.length > 0 ? firstSent[firstSent.length - 1]!.end : 0;
          const length = Math.min(f.bytes.length, sentEnd - f.offset);
          if (length <= 0) continue;
          for (let k = 0; k < length; k += MAX_PAYLOAD) {
            const n = Math.min(MAX_PAYLOAD, length - k);
            const piece = f.bytes.subarray(k, k + n);
            const pieceSeg = k === 0 ? seg : (covering(firstSent, f.offset + k) ?? seg);
            const part = n < f.bytes.length ? ` (bytes ${k + 1}-${k + n} of ${f.bytes.length})` : '';
            packets.push({
              t: pieceSeg.t,
              rec: pieceSeg.rec,
              sub: f.offset + k,
              src: c.local,
              dst: c.remote,
              seq: (c.isn + 1 + f.offset + k) >>> 0,
              ack: fixAck(pieceSeg.ackNo, 'A'),
              flags: 'PA',
              payload: piece,
              mss: null,
              srcNode,
              dstNode,
              comment: `seq=${f.rec} ${f.type} ${f.label} from ${srcNode}${part}, first on the wire in tcp.segment seq=${pieceSeg.rec}${ruleText(f.rule ?? undefined)}`,
              sip: false,
            });
          }
        }
      }
      if (format === 'pcapng') packets.push(...sipPackets(sip, hosts));
      packets.sort((a, b) => a.t - b.t || a.rec - b.rec || a.sub - b.sub);
      if (format === 'pcap') return writePcap(packets);
      return writeCapturePcapng(packets, hosts);
    },
  };
}

const SIP_PORT = 5060;

/**
 * SIP over TCP (as the messages' Via says), one connection per pair of signalling endpoints from
 * port 5060 to port 5060 between their addresses, opened by the first message between them
 * (SYN, SYN-ACK and ACK at that message's time); each message is one segment, sent when its
 * `sip.send` record says, and acknowledges what the other side sent before.
 */
function sipPackets(messages: readonly SipMessage[], hosts: ReadonlyMap<string, { address: string }>): Packet[] {
  const out: Packet[] = [];
  const streams = new Map<string, Map<string, { next: number }>>();
  for (const m of messages) {
    const from = hosts.get(m.from)?.address;
    const to = hosts.get(m.to)?.address;
    if (from === undefined || to === undefined) continue; // no address to send from or to
    const key = [m.from, m.to].sort().join('\0');
    const src = `${from}:${SIP_PORT}`;
    const dst = `${to}:${SIP_PORT}`;
    const base = { t: m.t, rec: m.rec, src, dst, payload: null, mss: null, srcNode: m.from, dstNode: m.to, sip: true };
    let s = streams.get(key);
    if (!s) {
      const a = { next: isnOf(`sip ${m.from} ${m.to}`) };
      const b = { next: isnOf(`sip ${m.to} ${m.from}`) };
      s = new Map([[m.from, a], [m.to, b]]);
      streams.set(key, s);
      const opening = `opening the SIP connection from ${m.from} to ${m.to} for this ${m.label}`;
      out.push({ ...base, sub: -3, seq: a.next, ack: 0, flags: 'S', mss: 1460, comment: `seq=${m.rec} sip.send TCP SYN ${opening}` });
      out.push({ ...base, sub: -2, src: dst, dst: src, srcNode: m.to, dstNode: m.from, seq: b.next, ack: (a.next + 1) >>> 0, flags: 'SA', mss: 1460, comment: `seq=${m.rec} sip.send TCP SYN,ACK ${opening}` });
      a.next = (a.next + 1) >>> 0;
      b.next = (b.next + 1) >>> 0;
      out.push({ ...base, sub: -1, seq: a.next, ack: b.next, flags: 'A', comment: `seq=${m.rec} sip.send TCP ACK ${opening}` });
    }
    const mine = s.get(m.from)!;
    const theirs = s.get(m.to)!;
    const session = m.session !== '' ? `, session ${m.session}` : '';
    out.push({ ...base, sub: 0, seq: mine.next, ack: theirs.next, flags: 'PA', payload: m.bytes, comment: `seq=${m.rec} sip.send ${m.label} from ${m.from} to ${m.to}${session}` });
    mine.next = (mine.next + m.bytes.length) >>> 0;
  }
  return out;
}

/** A fixed initial sequence number per SIP connection direction (FNV-1a of its name). */
function isnOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function ipOf(endpoint: string): string {
  return endpoint.slice(0, endpoint.lastIndexOf(':'));
}

const FLAG_NAMES: [string, string][] = [['S', 'SYN'], ['F', 'FIN'], ['R', 'RST'], ['P', 'PSH'], ['A', 'ACK']];

function flagNames(flags: string): string {
  return FLAG_NAMES.filter(([f]) => flags.includes(f)).map(([, n]) => n).join(',');
}

function ruleText(rule: string | undefined): string {
  return rule === undefined ? '' : `, rule ${ruleLabel(rule)}`;
}

/** One interface per pair of nodes, in the order of their first packet, named `first<->second`. */
function writeCapturePcapng(packets: readonly Packet[], hosts: ReadonlyMap<string, { name: string; address: string }>): Uint8Array {
  const interfaces: PcapngInterface[] = [];
  const index = new Map<string, number>();
  const describe = (node: string): string => {
    const h = hosts.get(node);
    return h ? `${node} (${h.name}, ${h.address})` : node;
  };
  const out: PcapngPacket[] = [];
  let ipId = 0;
  for (const p of packets) {
    const key = [p.srcNode, p.dstNode].sort().join('\0');
    let iface = index.get(key);
    if (iface === undefined) {
      iface = interfaces.length;
      index.set(key, iface);
      interfaces.push({ name: `${p.srcNode}<->${p.dstNode}`, description: `${describe(p.srcNode)} <-> ${describe(p.dstNode)}`, linkType: 1, snapLength: SNAP_LENGTH });
    }
    ipId = (ipId + 1) & 0xffff;
    const id = ipId;
    out.push({ iface, t: p.t, data: { length: frameLength(p), write: (buf, at) => writeEthernetFrame(buf, at, p, id) }, comment: p.comment });
  }
  return writePcapng(interfaces, out, 'msrp-sim');
}

interface Sent {
  start: number;
  end: number;
  t: Micros;
  rec: number;
  ackNo: number;
}

/** The first transmission of each stream byte: segments in record order, retransmissions skipped. */
function firstTransmissions(segs: Seg[], isn: number): Sent[] {
  const out: Sent[] = [];
  let end = -1;
  for (const s of segs) {
    const start = (s.seqNo - isn - 1) >>> 0;
    const e = start + s.len;
    if (e <= end) continue;
    out.push({ start: Math.max(start, end < 0 ? start : end), end: e, t: s.t, rec: s.rec, ackNo: s.ackNo });
    end = e;
  }
  return out;
}

function covering(sent: Sent[], offset: number): Sent | undefined {
  let lo = 0;
  let hi = sent.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sent[mid]!;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/** a < b in 32-bit sequence space. */
function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export { checksum, wiresharkFlagsFrame, wiresharkStrayCharacters } from './capture-packets.js';
