/**
 * A tiny pcap writer for tests: Ethernet / raw IP packets with IPv4 or IPv6 and TCP, in either
 * byte order, with microsecond or nanosecond timestamps.
 */

export interface TcpSpec {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  seq: number;
  ack?: number;
  syn?: boolean;
  fin?: boolean;
  rst?: boolean;
  payload?: Uint8Array | string;
}

export interface PcapOptions {
  littleEndian?: boolean;
  nanoseconds?: boolean;
  /** 1 Ethernet (default), 101 raw IP, 228 raw IPv4, 229 raw IPv6, 0 loopback, 113 Linux cooked. */
  linkType?: number;
  /** Captured bytes per packet; longer packets are cut and keep their original length. */
  snapLength?: number;
}

const enc = new TextEncoder();

function bytesOf(p: Uint8Array | string | undefined): Uint8Array {
  if (p === undefined) return new Uint8Array(0);
  return typeof p === 'string' ? enc.encode(p) : p;
}

function ipv4Bytes(a: string): number[] {
  return a.split('.').map(Number);
}

function ipv6Bytes(a: string): number[] {
  const [head, tail] = a.includes('::') ? (a.split('::') as [string, string]) : [a, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function checksum(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function tcpHeader(spec: TcpSpec): number[] {
  const flags = (spec.fin ? 0x01 : 0) | (spec.syn ? 0x02 : 0) | (spec.rst ? 0x04 : 0) | 0x18; // PSH+ACK
  const seq = spec.seq >>> 0;
  const ack = (spec.ack ?? 0) >>> 0;
  return [
    spec.srcPort >> 8, spec.srcPort & 0xff, spec.dstPort >> 8, spec.dstPort & 0xff,
    seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff,
    ack >>> 24, (ack >>> 16) & 0xff, (ack >>> 8) & 0xff, ack & 0xff,
    0x50, flags, 0xff, 0xff, 0, 0, 0, 0,
  ];
}

/** An IPv4 packet carrying one TCP segment. */
export function ipv4Tcp(spec: TcpSpec): Uint8Array {
  const payload = bytesOf(spec.payload);
  const tcp = tcpHeader(spec);
  const total = 20 + tcp.length + payload.length;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, 6, 0, 0, ...ipv4Bytes(spec.src), ...ipv4Bytes(spec.dst)];
  const c = checksum(ip);
  ip[10] = c >> 8;
  ip[11] = c & 0xff;
  const out = new Uint8Array(total);
  out.set(ip, 0);
  out.set(tcp, 20);
  out.set(payload, 40);
  return out;
}

/** An IPv6 packet carrying one TCP segment. */
export function ipv6Tcp(spec: TcpSpec): Uint8Array {
  const payload = bytesOf(spec.payload);
  const tcp = tcpHeader(spec);
  const len = tcp.length + payload.length;
  const ip = [0x60, 0, 0, 0, len >> 8, len & 0xff, 6, 64, ...ipv6Bytes(spec.src), ...ipv6Bytes(spec.dst)];
  const out = new Uint8Array(40 + len);
  out.set(ip, 0);
  out.set(tcp, 40);
  out.set(payload, 40 + tcp.length);
  return out;
}

/** Wraps an IP packet for the link type; Ethernet frames are padded to 60 bytes as on the wire. */
export function linkFrame(ip: Uint8Array, linkType: number): Uint8Array {
  const v6 = (ip[0] as number) >> 4 === 6;
  const type = v6 ? [0x86, 0xdd] : [0x08, 0x00];
  let head: number[];
  switch (linkType) {
    case 1:
      head = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, ...type];
      break;
    case 0:
      head = [v6 ? 30 : 2, 0, 0, 0];
      break;
    case 113:
      head = [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...type];
      break;
    default:
      head = [];
  }
  const len = Math.max(head.length + ip.length, linkType === 1 ? 60 : 0);
  const out = new Uint8Array(len);
  out.set(head, 0);
  out.set(ip, head.length);
  return out;
}

/** A whole pcap file: one packet per spec, 1 ms apart. */
export function writePcap(packets: Uint8Array[], options: PcapOptions = {}): Uint8Array {
  const le = options.littleEndian ?? true;
  const ns = options.nanoseconds ?? false;
  const snap = options.snapLength ?? 65535;
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, ns ? 0xa1b23c4d : 0xa1b2c3d4, le);
  header.setUint16(4, 2, le);
  header.setUint16(6, 4, le);
  header.setUint32(16, snap, le);
  header.setUint32(20, options.linkType ?? 1, le);
  parts.push(new Uint8Array(header.buffer));
  packets.forEach((data, k) => {
    const cap = Math.min(data.length, snap);
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, 1_700_000_000 + Math.floor(k / 1000), le);
    rec.setUint32(4, (k % 1000) * (ns ? 1_000_000 : 1000), le);
    rec.setUint32(8, cap, le);
    rec.setUint32(12, data.length, le);
    parts.push(new Uint8Array(rec.buffer), data.subarray(0, cap));
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** TCP segments as a capture of the given link type (IPv4 unless an address has a ':'). */
export function tcpCapture(segments: TcpSpec[], options: PcapOptions = {}): Uint8Array {
  const link = options.linkType ?? 1;
  return writePcap(
    segments.map((s) => linkFrame(s.src.includes(':') ? ipv6Tcp(s) : ipv4Tcp(s), link)),
    options,
  );
}
