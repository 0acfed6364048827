/**
 * A pure reader for classic pcap files (the libpcap format, both byte orders, microsecond and
 * nanosecond timestamps) and the link, IP and TCP layers needed to get at TCP payloads. No file
 * system here: it takes the bytes and returns values; damaged input is reported, never thrown.
 */

export type CaptureKind = 'pcap' | 'pcapng' | null;

/** Which capture format `bytes` start with, by magic number. */
export function detectCapture(bytes: Uint8Array): CaptureKind {
  if (bytes.length < 4) return null;
  const be = ((bytes[0] as number) << 24) | ((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number);
  const le = ((bytes[3] as number) << 24) | ((bytes[2] as number) << 16) | ((bytes[1] as number) << 8) | (bytes[0] as number);
  for (const magic of [be >>> 0, le >>> 0]) {
    if (magic === MAGIC_MICRO || magic === MAGIC_NANO) return 'pcap';
  }
  if ((be >>> 0) === 0x0a0d0d0a) return 'pcapng';
  return null;
}

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;

export interface PcapHeader {
  littleEndian: boolean;
  /** Timestamps carry nanoseconds (magic 0xa1b23c4d) rather than microseconds. */
  nanoseconds: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  linkType: number;
}

export interface PcapPacket {
  /** 1-based, as capture tools number packets. */
  number: number;
  seconds: number;
  /** Microseconds or nanoseconds, per `PcapHeader.nanoseconds`. */
  fraction: number;
  originalLength: number;
  /** The captured bytes (a view into the input). */
  data: Uint8Array;
}

export type PcapReadResult =
  | { ok: true; header: PcapHeader; packets: PcapPacket[]; warnings: string[] }
  | { ok: false; message: string };

/** Reads a whole pcap file. A truncated last record is a warning; the packets before it stay. */
export function readPcap(bytes: Uint8Array): PcapReadResult {
  if (bytes.length < 24) return { ok: false, message: 'file is shorter than a pcap header (24 bytes)' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBe = view.getUint32(0, false);
  const magicLe = view.getUint32(0, true);
  let littleEndian: boolean;
  let nanoseconds: boolean;
  if (magicLe === MAGIC_MICRO || magicLe === MAGIC_NANO) {
    littleEndian = true;
    nanoseconds = magicLe === MAGIC_NANO;
  } else if (magicBe === MAGIC_MICRO || magicBe === MAGIC_NANO) {
    littleEndian = false;
    nanoseconds = magicBe === MAGIC_NANO;
  } else {
    return { ok: false, message: 'not a pcap file (unknown magic number)' };
  }
  const header: PcapHeader = {
    littleEndian,
    nanoseconds,
    versionMajor: view.getUint16(4, littleEndian),
    versionMinor: view.getUint16(6, littleEndian),
    snapLength: view.getUint32(16, littleEndian),
    // The upper bits of this field may carry FCS information (pcap file format, LinkType field).
    linkType: view.getUint32(20, littleEndian) & 0x0fffffff,
  };
  if (header.versionMajor !== 2) return { ok: false, message: `unsupported pcap version ${header.versionMajor}.${header.versionMinor}` };
  const packets: PcapPacket[] = [];
  const warnings: string[] = [];
  let p = 24;
  while (p < bytes.length) {
    if (p + 16 > bytes.length) {
      warnings.push(`truncated record header after packet ${packets.length}`);
      break;
    }
    const seconds = view.getUint32(p, littleEndian);
    const fraction = view.getUint32(p + 4, littleEndian);
    const capLen = view.getUint32(p + 8, littleEndian);
    const origLen = view.getUint32(p + 12, littleEndian);
    if (p + 16 + capLen > bytes.length) {
      warnings.push(`packet ${packets.length + 1} is truncated (${capLen} bytes announced, ${bytes.length - p - 16} present)`);
      break;
    }
    packets.push({ number: packets.length + 1, seconds, fraction, originalLength: origLen, data: bytes.subarray(p + 16, p + 16 + capLen) });
    p += 16 + capLen;
  }
  return { ok: true, header, packets, warnings };
}

// ---------------------------------------------------------------------------------------------
// Link, network and transport layers

/** Link types (pcap LINKTYPE_ values) understood by `decodeTcp`. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export interface TcpSegment {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  seq: number;
  syn: boolean;
  fin: boolean;
  rst: boolean;
  payload: Uint8Array;
  /** The packet was cut by the snap length: the payload is incomplete. */
  truncated: boolean;
}

export type DecodeResult =
  | { ok: true; segment: TcpSegment }
  /** `reason` is null for packets that are simply not TCP (ARP, UDP, ...). */
  | { ok: false; reason: string | null };

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = [0x8100, 0x88a8, 0x9100];

/** Finds the TCP segment in one captured packet. */
export function decodeTcp(packet: { data: Uint8Array; originalLength: number }, linkType: number): DecodeResult {
  const d = packet.data;
  const truncated = packet.originalLength > d.length;
  let ip: Uint8Array;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      let off = 12;
      if (d.length < 14) return { ok: false, reason: 'short Ethernet frame' };
      let type = u16(d, off);
      while (ETHERTYPE_VLAN.includes(type)) {
        off += 4;
        if (d.length < off + 2) return { ok: false, reason: 'short VLAN header' };
        type = u16(d, off);
      }
      if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return { ok: false, reason: null };
      ip = d.subarray(off + 2);
      break;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      ip = d;
      break;
    case LINKTYPE.NULL: {
      // 4-byte address family in the byte order of the machine that captured.
      if (d.length < 4) return { ok: false, reason: 'short loopback header' };
      ip = d.subarray(4);
      break;
    }
    case LINKTYPE.LINUX_SLL: {
      if (d.length < 16) return { ok: false, reason: 'short Linux cooked header' };
      const type = u16(d, 14);
      if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return { ok: false, reason: null };
      ip = d.subarray(16);
      break;
    }
    case LINKTYPE.LINUX_SLL2: {
      if (d.length < 20) return { ok: false, reason: 'short Linux cooked v2 header' };
      const type = u16(d, 0);
      if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return { ok: false, reason: null };
      ip = d.subarray(20);
      break;
    }
    default:
      return { ok: false, reason: `unsupported link type ${linkType}` };
  }
  if (ip.length < 1) return { ok: false, reason: 'empty IP packet' };
  const version = (ip[0] as number) >> 4;
  if (version === 4) return decodeIpv4(ip, truncated);
  if (version === 6) return decodeIpv6(ip, truncated);
  return { ok: false, reason: null };
}

function u16(d: Uint8Array, off: number): number {
  return ((d[off] as number) << 8) | (d[off + 1] as number);
}

function u32(d: Uint8Array, off: number): number {
  return (((d[off] as number) << 24) | ((d[off + 1] as number) << 16) | ((d[off + 2] as number) << 8) | (d[off + 3] as number)) >>> 0;
}

function decodeIpv4(ip: Uint8Array, truncated: boolean): DecodeResult {
  if (ip.length < 20) return { ok: false, reason: 'short IPv4 header' };
  const ihl = ((ip[0] as number) & 0x0f) * 4;
  if (ihl < 20 || ip.length < ihl) return { ok: false, reason: 'bad IPv4 header length' };
  if (ip[9] !== 6) return { ok: false, reason: null };
  const flagsFrag = u16(ip, 6);
  if ((flagsFrag & 0x2000) !== 0 || (flagsFrag & 0x1fff) !== 0) return { ok: false, reason: 'fragmented IPv4 packet (not reassembled)' };
  // Total length bounds the payload: Ethernet pads short frames, and the padding is not TCP data.
  const total = u16(ip, 2);
  const end = total >= ihl && total <= ip.length ? total : ip.length;
  const src = `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
  const dst = `${ip[16]}.${ip[17]}.${ip[18]}.${ip[19]}`;
  return decodeTcpHeader(ip.subarray(ihl, end), src, dst, truncated);
}

function decodeIpv6(ip: Uint8Array, truncated: boolean): DecodeResult {
  if (ip.length < 40) return { ok: false, reason: 'short IPv6 header' };
  const payloadLength = u16(ip, 4);
  let next = ip[6] as number;
  let off = 40;
  const end = payloadLength > 0 && 40 + payloadLength <= ip.length ? 40 + payloadLength : ip.length;
  // Walk the extension headers to TCP.
  for (;;) {
    if (next === 6) break;
    if (next === 0 || next === 43 || next === 60) {
      if (off + 2 > end) return { ok: false, reason: 'short IPv6 extension header' };
      const len = ((ip[off + 1] as number) + 1) * 8;
      next = ip[off] as number;
      off += len;
      continue;
    }
    if (next === 51) {
      if (off + 2 > end) return { ok: false, reason: 'short IPv6 extension header' };
      const len = ((ip[off + 1] as number) + 2) * 4;
      next = ip[off] as number;
      off += len;
      continue;
    }
    if (next === 44) return { ok: false, reason: 'fragmented IPv6 packet (not reassembled)' };
    return { ok: false, reason: null };
  }
  if (off > end) return { ok: false, reason: 'short IPv6 extension header' };
  return decodeTcpHeader(ip.subarray(off, end), formatIpv6(ip.subarray(8, 24)), formatIpv6(ip.subarray(24, 40)), truncated);
}

function decodeTcpHeader(tcp: Uint8Array, src: string, dst: string, truncated: boolean): DecodeResult {
  if (tcp.length < 20) return { ok: false, reason: truncated ? 'TCP header cut by the snap length' : 'short TCP header' };
  const dataOffset = ((tcp[12] as number) >> 4) * 4;
  if (dataOffset < 20 || dataOffset > tcp.length) return { ok: false, reason: 'bad TCP header length' };
  const flags = tcp[13] as number;
  return {
    ok: true,
    segment: {
      src,
      srcPort: u16(tcp, 0),
      dst,
      dstPort: u16(tcp, 2),
      seq: u32(tcp, 4),
      fin: (flags & 0x01) !== 0,
      syn: (flags & 0x02) !== 0,
      rst: (flags & 0x04) !== 0,
      payload: tcp.subarray(dataOffset),
      truncated,
    },
  };
}

/** RFC 5952 text form: lower case, longest run of two or more zero groups as "::". */
export function formatIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let k = 0; k < 8; k++) g.push(u16(b, k * 2));
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** `host:port`, with IPv6 hosts in brackets. */
export function endpointLabel(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
