/**
 * capture.pcap: the run's TCP traffic as a classic pcap (LINKTYPE_ETHERNET, Ethernet / IPv4 /
 * TCP with correct IPv4 and TCP checksums), virtual time as timestamps (from the epoch).
 *
 * What is in it, and why:
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

interface Seg {
  t: Micros;
  rec: number;
  seqNo: number;
  ackNo: number;
  flags: string;
  len: number;
}

interface Frame {
  offset: number;
  bytes: Uint8Array;
}

interface ConnState {
  id: string;
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

interface Packet {
  t: Micros;
  rec: number;
  sub: number;
  src: string;
  dst: string;
  seq: number;
  ack: number;
  flags: string;
  payload: Uint8Array | null;
  mss: number | null;
}

/** Largest TCP payload per packet: an IPv4 packet is at most 65,535 bytes. */
const MAX_PAYLOAD = 65_000;
const SNAP_LENGTH = 262_144;

export interface PcapBuilder {
  record(r: AnyTraceRecord): void;
  finish(): Uint8Array;
}

export function createPcapBuilder(): PcapBuilder {
  const conns = new Map<string, ConnState>();
  const conn = (id: string): ConnState => {
    let c = conns.get(id);
    if (!c) {
      c = { id, isn: null, local: null, remote: null, peer: null, tlsBytes: 0, mss: 1460, segs: [], frames: [], sentEnd: 0 };
      conns.set(id, c);
    }
    return c;
  };
  const enc = new TextEncoder();

  return {
    record(r) {
      switch (r.type) {
        case 'tcp.connect': {
          const c = conn(String(r.conn));
          c.isn = r.isn as number;
          c.local = String(r.local);
          c.remote = String(r.remote);
          return;
        }
        case 'tcp.accept': {
          const c = conn(String(r.conn));
          const p = conn(String(r.peer));
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
          c.segs.push({ t: r.t, rec: r.seq, seqNo: r.seqNo as number, ackNo: r.ackNo as number, flags: String(r.flags), len: r.len as number });
          return;
        }
        case 'msrp.send': {
          const bytes = typeof r.text === 'string' ? enc.encode(r.text) : typeof r.bytesBase64 === 'string' ? new Uint8Array(Buffer.from(r.bytesBase64, 'base64')) : null;
          if (bytes) conn(String(r.conn)).frames.push({ offset: r.offset as number, bytes });
          return;
        }
        case 'msrp.raw':
          conn(String(r.conn)).frames.push({ offset: r.offset as number, bytes: new Uint8Array(Buffer.from(String(r.text), 'latin1')) });
          return;
        default:
          return;
      }
    },

    finish() {
      const packets: Packet[] = [];
      for (const c of conns.values()) {
        if (c.isn === null || c.local === null || c.remote === null) continue;
        const peer = c.peer ? conns.get(c.peer) : undefined;
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
          packets.push({
            t: s.t,
            rec: s.rec,
            sub: 1e12,
            src: c.local,
            dst: c.remote,
            seq,
            ack: fixAck(s.ackNo, s.flags),
            flags: s.len > 0 ? s.flags.replace('P', '') : s.flags,
            payload: null,
            mss: syn ? c.mss : null,
          });
        }
        // The initiator of an msrps connection acknowledged the SYN-ACK on its first TLS flight,
        // which is not in the capture: the handshake's ACK gets a packet of its own.
        const synAt = c.segs.findIndex((s) => s.flags === 'S');
        const next = synAt >= 0 ? c.segs.slice(synAt + 1).find((s) => !s.flags.includes('S')) : undefined;
        if (c.tlsBytes > 0 && next && next.len > 0 && next.flags.includes('A')) {
          packets.push({ t: next.t, rec: next.rec, sub: -1, src: c.local, dst: c.remote, seq: firstData, ack: fixAck(next.ackNo, 'A'), flags: 'A', payload: null, mss: null });
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
            });
          }
        }
      }
      packets.sort((a, b) => a.t - b.t || a.rec - b.rec || a.sub - b.sub);
      return writePcap(packets);
    },
  };
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

function splitEndpoint(ep: string): [number[], number] {
  const i = ep.lastIndexOf(':');
  const ip = ep.slice(0, i).split('.').map((x) => Number(x) & 255);
  while (ip.length < 4) ip.push(0);
  return [ip, Number(ep.slice(i + 1)) & 0xffff];
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 };

function writePcap(packets: Packet[]): Uint8Array {
  let total = 24;
  for (const p of packets) total += 16 + 14 + 20 + (p.mss !== null ? 24 : 20) + (p.payload?.length ?? 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  // Global header, little endian, microsecond timestamps.
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true);
  view.setUint32(12, 0, true);
  view.setUint32(16, SNAP_LENGTH, true);
  view.setUint32(20, 1, true);
  let o = 24;
  let ipId = 0;
  for (const p of packets) {
    const [srcIp, srcPort] = splitEndpoint(p.src);
    const [dstIp, dstPort] = splitEndpoint(p.dst);
    const tcpLen = p.mss !== null ? 24 : 20;
    const payloadLen = p.payload?.length ?? 0;
    const ipLen = 20 + tcpLen + payloadLen;
    const frameLen = 14 + ipLen;
    view.setUint32(o, Math.floor(p.t / 1_000_000), true);
    view.setUint32(o + 4, p.t % 1_000_000, true);
    view.setUint32(o + 8, frameLen, true);
    view.setUint32(o + 12, frameLen, true);
    o += 16;
    // Ethernet
    out.set([0x02, 0x00, ...dstIp, 0x02, 0x00, ...srcIp, 0x08, 0x00], o);
    const ip = o + 14;
    // IPv4
    out[ip] = 0x45;
    out[ip + 1] = 0;
    view.setUint16(ip + 2, ipLen);
    view.setUint16(ip + 4, (ipId = (ipId + 1) & 0xffff));
    view.setUint16(ip + 6, 0x4000); // don't fragment
    out[ip + 8] = 64;
    out[ip + 9] = 6;
    out.set(srcIp, ip + 12);
    out.set(dstIp, ip + 16);
    view.setUint16(ip + 10, checksum(out, ip, 20, 0));
    // TCP
    const tcp = ip + 20;
    view.setUint16(tcp, srcPort);
    view.setUint16(tcp + 2, dstPort);
    view.setUint32(tcp + 4, p.seq >>> 0);
    view.setUint32(tcp + 8, p.flags.includes('A') ? p.ack >>> 0 : 0);
    out[tcp + 12] = (tcpLen / 4) << 4;
    let flags = 0;
    for (const ch of p.flags) flags |= FLAG_BITS[ch] ?? 0;
    out[tcp + 13] = flags;
    view.setUint16(tcp + 14, 65535);
    if (p.mss !== null) {
      out[tcp + 20] = 2;
      out[tcp + 21] = 4;
      view.setUint16(tcp + 22, p.mss);
    }
    if (p.payload) out.set(p.payload, tcp + tcpLen);
    // Pseudo-header: source, destination, zero, protocol, TCP length.
    let pseudo = 0;
    for (let k = 0; k < 4; k += 2) {
      pseudo += (srcIp[k]! << 8) | srcIp[k + 1]!;
      pseudo += (dstIp[k]! << 8) | dstIp[k + 1]!;
    }
    pseudo += 6 + tcpLen + payloadLen;
    view.setUint16(tcp + 16, checksum(out, tcp, tcpLen + payloadLen, pseudo));
    o += frameLen;
  }
  return out;
}

/** The Internet checksum (RFC 1071) of `len` bytes at `off`, starting from `initial`. */
export function checksum(b: Uint8Array, off: number, len: number, initial: number): number {
  let sum = initial;
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) {
    sum += (b[i]! << 8) | b[i + 1]!;
    if (sum > 0x3fffffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  }
  if (i < end) sum += b[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

/**
 * Whether Wireshark's MSRP dissector (seen with 4.0.17; releases back to 1.x have the same
 * Content-Type code) will show this correct frame as malformed: a ';' within the 10 bytes after the blank line
 * that ends a Content-Type header whose value has no ';' of its own (see the file comment). Content-Type
 * is the last header of a frame with a body (RFC 4975 §9, content-stuff), which is the case checked.
 */
export function wiresharkFlagsFrame(frame: Uint8Array): boolean {
  const text = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('latin1');
  const head = text.indexOf('\r\n\r\n');
  if (head < 0) return false;
  const lineStart = text.lastIndexOf('\r\n', head - 1) + 2;
  const line = text.slice(lineStart, head);
  const m = /^Content-Type:[ \t]*/i.exec(line);
  if (!m) return false;
  // The dissector searches [value start, value start + line length): past the line by the
  // length of the name, the colon and the white space.
  const from = lineStart + m[0].length;
  const until = Math.min(text.length, from + line.length);
  const semicolon = text.indexOf(';', from);
  return semicolon >= lineStart + line.length && semicolon < until;
}
