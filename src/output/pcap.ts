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
 * Written as the run goes. Packets come out in the order of their time, then of the record that
 * made them, so a packet waits until every packet before it is known. A packet is made once its
 * connection's numbers and addresses are settled (the handshake done on both sides, TLS included,
 * or the connection ended) and, for a frame, once the frame is whole on the wire (or its
 * connection sends no more); only then, and once virtual time has moved past it, is it written.
 * So what is held is the traffic of the last moments and of connections still opening, not the
 * run's: memory grows with live state, not with the capture (SPEC §9). A connection that neither
 * settles nor ends holds back the packets after its own until the end of the run.
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import type { Micros } from '../sim/time.js';
import type { Packet } from './capture-packets.js';
import { captureFileWriter, type CaptureFormat } from './capture-files.js';
import { SipStreams } from './capture-sip.js';
import { MAX_PAYLOAD, PacketKind, covering, ipOf, makePacket, newConn, type ConnState, type ConnView, type Frame, type SentSegment, type Sent, type PacketSlot } from './capture-conn.js';
import type { SipSent } from './capture-sip.js';
import type { TopologyInfo } from './topology-info.js';

export interface PcapBuilderOptions {
  /** Node addresses and host names, where the trace's `net.host` records do not give them. */
  topology?: TopologyInfo;
}

/** The capture in memory: fed every record, then made whole. */
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

/** Close kinds after which a connection sends nothing new (`fin`: the peer closed; we may still send). */
const ENDED = new Set(['reset', 'refused', 'timeout', 'unreachable', 'unresolved', 'tls-failed', 'aborted']);

/** The packets of the capture, in order, from the records as they come. */
export interface CapturePackets {
  record(r: AnyTraceRecord): void;
  /** The run is over: every packet still held goes out. */
  end(): void;
  /** Host names and addresses by node, as known so far. */
  readonly hosts: ReadonlyMap<string, { name: string; address: string }>;
  /** Packets to be, held until their turn: what the capture keeps of the run. */
  readonly held: number;
}

/**
 * Makes the capture's packets from the records and hands each to `emit` in the capture's order,
 * as soon as it and every packet before it are known (see the file comment).
 */
export function createCapturePackets(options: PcapBuilderOptions, emit: (p: Packet) => void): CapturePackets {
  const conns = new Map<string, ConnState>();
  const conn = (id: string): ConnState => {
    let c = conns.get(id);
    if (!c) {
      c = newConn(id);
      conns.set(id, c);
    }
    return c;
  };
  const enc = new TextEncoder();
  const hosts = new Map<string, { name: string; address: string }>();
  for (const n of options.topology?.nodes ?? []) if (n.address !== undefined) hosts.set(n.id, { name: n.host ?? n.id, address: n.address });
  let nodeByAddress: Map<string, string> | null = null;
  const sip = new SipStreams(hosts);
  // The rule behind each frame (as the ladder finds it, flow.ts): a decision record before the
  // frame, or just after it (at the same virtual time), names the transaction; a REPORT takes the
  // rule of the report record.
  const decisions = new Map<string, string>();
  const lastSent = new Map<string, Frame>();
  let lastSentAt = 0;
  const nextReport = new Map<string, string>();

  // The packets to be, in order; those before `head` are out.
  let queue: PacketSlot[] = [];
  let head = 0;
  let ended = false;
  // Connections with bytes on the wire that no record has claimed yet: a chunk is written as it
  // streams and traced whole once it ends (protocol/chunk-writer.ts), so its packets belong at
  // the time its first bytes went, before packets already known. Nothing at or after that time
  // goes out while it streams.
  const unclaimed = new Set<ConnState>();
  const checkClaims = (c: ConnState): void => {
    if (!c.claimsOver && !c.dataOver && c.sentEnd > c.claimedEnd) unclaimed.add(c);
    else unclaimed.delete(c);
  };
  /** A record claims stream bytes `start` .. `end` of `c`. */
  const claim = (c: ConnState, start: number, end: number): void => {
    if (start > c.claimedEnd) {
      let i = c.claims.length;
      while (i > 0 && c.claims[i - 1]![0] > start) i--;
      c.claims.splice(i, 0, [start, end]);
    } else c.claimedEnd = Math.max(c.claimedEnd, end);
    while (c.claims.length > 0 && c.claims[0]![0] <= c.claimedEnd) c.claimedEnd = Math.max(c.claimedEnd, c.claims.shift()![1]);
    checkClaims(c);
    // The first transmissions before claimedEnd cover no frame recorded later.
    while (c.sentFrom < c.sent.length && c.sent[c.sentFrom]!.end <= c.claimedEnd) c.sentFrom++;
    if (c.sentFrom > 64 && c.sentFrom * 2 > c.sent.length) {
      c.sent = c.sent.slice(c.sentFrom);
      c.sentFrom = 0;
    }
  };
  /** The first packet that may still come: that of the earliest unclaimed byte. */
  const barrier = (): Sent | null => {
    let first: Sent | null = null;
    for (const c of unclaimed) {
      const s = covering(c.sent, c.sentFrom, c.claimedEnd) ?? c.sent[c.sentFrom];
      if (s !== undefined && (first === null || s.t < first.t || (s.t === first.t && s.rec < first.rec))) first = s;
    }
    return first;
  };

  const insert = (slot: PacketSlot): void => {
    let i = queue.length;
    while (i > head && later(queue[i - 1]!, slot)) i--;
    if (i === queue.length) queue.push(slot);
    else queue.splice(i, 0, slot);
  };
  const slot = (kind: PacketSlot['kind'], t: Micros, rec: number, sub: number, c: ConnState | null, seg: SentSegment | Sent | null, frame: Frame | null = null, k = 0, sipMessage: SipSent | null = null): void =>
    insert({ t, rec, sub, kind, conn: c, seg, frame, k, sip: sipMessage });
  // The hosts' addresses come from the topology, or all at once when the network makes its plan
  // (the `net.host` records of that moment).
  let plannedAt = Number.POSITIVE_INFINITY;
  let now = Number.NEGATIVE_INFINITY;

  const settled = (c: ConnState): boolean => ended || (c.settled && (c.peer === null || conns.get(c.peer)!.settled));
  const ready = (s: PacketSlot): boolean => {
    if (s.kind === PacketKind.Sip) return ended || plannedAt < now || (hosts.has(s.sip!.from) && hosts.has(s.sip!.to));
    const c = s.conn!;
    if (!settled(c)) return false;
    if (s.kind !== PacketKind.Piece || ended || c.dataOver) return true;
    const f = s.frame!;
    return f.offset + s.k + Math.min(MAX_PAYLOAD, f.bytes.length - s.k) <= c.sentEnd;
  };

  /** Hands out every packet known before `until` whose turn has come. */
  const flush = (until: Micros): void => {
    now = until;
    const stop = ended ? null : barrier();
    while (head < queue.length) {
      const s = queue[head]!;
      if (!(s.t < now) || !ready(s)) break;
      if (stop !== null && (s.t > stop.t || (s.t === stop.t && s.rec >= stop.rec))) break;
      head++;
      if (s.kind === PacketKind.Sip) {
        for (const p of sip.message(s.sip!)) emit(p);
        continue;
      }
      const p = make(s);
      if (p !== null) emit(p);
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  };

  const viewOf = (c: ConnState): ConnView | null => {
    if (c.view !== null) return c.view;
    if (c.isn === null || c.local === null || c.remote === null) return null;
    if (nodeByAddress === null) {
      nodeByAddress = new Map();
      for (const [id, h] of hosts) if (!nodeByAddress.has(h.address)) nodeByAddress.set(h.address, id);
    }
    const peer = c.peer ? conns.get(c.peer) : undefined;
    c.view = {
      src: c.local,
      dst: c.remote,
      srcNode: c.node ?? ipOf(c.local),
      dstNode: peer?.node ?? nodeByAddress.get(ipOf(c.remote)) ?? ipOf(c.remote),
      // Stream offset tlsBytes is the first byte after the SYN.
      base: (c.isn + c.tlsBytes) >>> 0,
      firstData: (c.isn + 1 + c.tlsBytes) >>> 0,
      peerBase: peer?.isn !== null && peer?.isn !== undefined ? (peer.isn + 1 + peer.tlsBytes) >>> 0 : null,
      mss: c.mss,
    };
    return c.view;
  };

  const make = (s: PacketSlot): Packet | null => {
    const v = viewOf(s.conn!);
    return v === null ? null : makePacket(s, v);
  };

  /** The pieces of the frames waiting on `c` that its first transmissions now cover. */
  const cover = (c: ConnState): void => {
    while (c.waiting.length > 0) {
      const w = c.waiting[0]!;
      const at = w.f.offset + w.k;
      if (at >= c.sentEnd) return; // not on the wire yet (nor is any frame after it)
      // Bytes first sent in no segment on the wire (a fault took them at the sender) leave a gap:
      // a frame starting there has no packet; a later piece goes with the frame's first.
      const sent = covering(c.sent, c.sentFrom, at) ?? (w.k > 0 ? w.first : null);
      if (sent === null) {
        c.waiting.shift();
        continue;
      }
      slot(PacketKind.Piece, sent.t, sent.rec, at, c, sent, w.f, w.k);
      if (w.k === 0) w.first = sent;
      w.k += MAX_PAYLOAD;
      if (w.k >= w.f.bytes.length) c.waiting.shift();
    }
  };

  const stopSending = (c: ConnState): void => {
    c.dataOver = true;
    c.waiting.length = 0;
    unclaimed.delete(c);
  };

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
    if (c.isn === null) return; // never on the wire
    // In stream order: raw bytes written while a chunk streams are traced before it.
    let i = c.waiting.length;
    while (i > 0 && c.waiting[i - 1]!.f.offset > f.offset) i--;
    c.waiting.splice(i, 0, { f, k: 0, first: null });
    cover(c);
    if (c.dataOver) c.waiting.length = 0; // what is not on the wire yet never will be
    claim(c, f.offset, f.offset + bytes.length);
  };

  const segment = (r: AnyTraceRecord): void => {
    const c = conn(String(r.conn));
    c.node ??= r.node;
    if (c.isn === null) return;
    const s: SentSegment = { t: r.t, rec: r.seq, seqNo: r.seqNo as number, ackNo: r.ackNo as number, flags: String(r.flags), len: r.len as number, rule: r.rule };
    const syn = s.flags.includes('S');
    const fin = s.flags.includes('F');
    if (s.len === 0 || fin || s.flags.includes('R')) slot(PacketKind.Control, s.t, s.rec, 1e12, c, s);
    if (c.synPhase === 0 && s.flags === 'S') c.synPhase = 1;
    else if (c.synPhase === 1 && !syn) {
      c.synPhase = 2;
      if (c.tls && s.len > 0 && s.flags.includes('A')) slot(PacketKind.HandshakeAck, s.t, s.rec, -1, c, s);
    }
    if (s.len > 0 && !syn && !c.dataOver) {
      const start = (s.seqNo - c.isn - 1) >>> 0;
      const end = start + s.len;
      if (end > c.sentEnd) {
        c.sent.push({ start: c.sentEnd < 0 ? start : Math.max(start, c.sentEnd), end, t: s.t, rec: s.rec, ackNo: s.ackNo });
        c.sentEnd = end;
        cover(c);
        checkClaims(c);
      }
    }
    if (fin) stopSending(c);
  };

  /** A record says the connection ended: its numbers are final; `stops`: it sends nothing new. */
  const ends = (id: unknown, stops: boolean): void => {
    const c = conn(String(id));
    c.settled = true;
    if (stops) stopSending(c);
  };

  return {
    hosts,
    get held() {
      return queue.length - head;
    },

    record(r) {
      if (ended) throw new Error('capture: a record after the end');
      flush(r.t);
      if (r.t !== lastSentAt) {
        lastSent.clear();
        lastSentAt = r.t;
      }
      const decision = DECISIONS[r.type];
      if (decision !== undefined) {
        const tid = r[decision[0]];
        if (r.rule === undefined || typeof tid !== 'string' || tid === '') return;
        const key = `${r.node}\0${tid}\0${decision[1]}`;
        const sent = lastSent.get(key);
        // Just after its frame (at its time), or before the next frame of that transaction.
        if (sent && sent.rule === null) sent.rule = r.rule;
        else decisions.set(key, r.rule);
        return;
      }
      switch (r.type) {
        case 'net.host':
          hosts.set(r.node, { name: String(r.name), address: String(r.address) });
          nodeByAddress = null;
          plannedAt = Math.min(plannedAt, r.t);
          return;
        case 'relay.report':
        case 'endpoint.report-sent':
          if (r.rule !== undefined) nextReport.set(r.node, r.rule);
          return;
        case 'sip.send':
          if (typeof r.text === 'string') {
            const label = r.kind === 'request' ? String(r.method) : `${String(r.status)} ${String(r.reason ?? '')}`.trim();
            // Its packets (and those of the connection it opens) have subs -3 to 0.
            slot(PacketKind.Sip, r.t, r.seq, -3, null, null, null, 0, { t: r.t, rec: r.seq, from: r.node, to: String(r.to), label, session: String(r.session ?? ''), bytes: enc.encode(r.text) });
          }
          return;
        case 'tcp.connect': {
          const c = conn(String(r.conn));
          c.node = r.node;
          c.isn = r.isn as number;
          c.local = String(r.local);
          c.remote = String(r.remote);
          c.tls = r.tls === true;
          return;
        }
        case 'tcp.accept': {
          const c = conn(String(r.conn));
          const p = conn(String(r.peer));
          c.node = r.node;
          c.isn = r.isn as number;
          c.peer = p.id;
          c.tls = p.tls;
          // The accepting side's view names both ends of the stream.
          c.local = String(r.local);
          c.remote = String(r.remote);
          if (p.view === null) {
            p.peer = c.id;
            p.local = c.remote;
            p.remote = c.local;
          }
          return;
        }
        case 'tcp.open': {
          const c = conn(String(r.conn));
          if (typeof r.mss === 'number') c.mss = r.mss;
          if (!c.tls) c.settled = true;
          return;
        }
        case 'tls.handshake': {
          const c = conn(String(r.conn));
          c.tlsBytes += r.bytes as number;
          claim(c, c.tlsBytes - (r.bytes as number), c.tlsBytes);
          return;
        }
        case 'tls.established':
          conn(String(r.conn)).settled = true;
          return;
        case 'tls.fail': {
          const c = conn(String(r.conn));
          c.settled = true;
          c.claimsOver = true;
          unclaimed.delete(c);
          return;
        }
        case 'tcp.refused':
          ends(r.conn, true);
          return;
        case 'tcp.close':
          ends(r.conn, ENDED.has(String(r.kind)));
          return;
        case 'tcp.timeout':
          ends(r.conn, r.phase !== 'close');
          return;
        case 'tcp.segment':
          if (r.hop === 0) segment(r);
          return;
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
    end() {
      if (ended) return;
      ended = true;
      flush(Number.POSITIVE_INFINITY);
      queue = [];
      head = 0;
    },
  };
}

/** Whether slot `a` comes after slot `b` in the capture. */
function later(a: PacketSlot, b: PacketSlot): boolean {
  return a.t !== b.t ? a.t > b.t : a.rec !== b.rec ? a.rec > b.rec : a.sub > b.sub;
}

/** The capture made in memory (the library's outputs without a file to stream to). */
export function createPcapBuilder(options: PcapBuilderOptions = {}): PcapBuilder {
  const packets: Packet[] = [];
  const capture = createCapturePackets(options, (p) => packets.push(p));
  return {
    record: (r) => capture.record(r),
    finish(format = 'pcap') {
      capture.end();
      const writer = captureFileWriter(format, null, capture.hosts);
      for (const p of packets) writer.packet(p);
      return writer.whole();
    },
  };
}

export { checksum, wiresharkFlagsFrame, wiresharkStrayCharacters } from './capture-packets.js';
export { captureFileWriter, type CaptureFileWriter, type CaptureFormat } from './capture-files.js';
