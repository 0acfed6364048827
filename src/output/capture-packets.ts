/**
 * The packets of a capture as bytes: Ethernet / IPv4 / TCP frames with correct checksums, the
 * classic pcap header and records around them, and the two Wireshark dissector quirks the tests allow for.
 * capture.pcap and capture.pcapng (pcap.ts, pcapng.ts) share these frames.
 */
import type { Micros } from '../sim/time.js';

/** Largest packet a capture holds (the snapshot length in its headers). */
export const SNAP_LENGTH = 262_144;

/** One packet of the capture, made from the trace. */
export interface Packet {
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
  /** The nodes at either end (for the pcapng interface), and the packet's comment. */
  srcNode: string;
  dstNode: string;
  comment: string;
  /** SIP signalling (pcapng only). */
  sip: boolean;
}

function splitEndpoint(ep: string): [number[], number] {
  const i = ep.lastIndexOf(':');
  const ip = ep.slice(0, i).split('.').map((x) => Number(x) & 255);
  while (ip.length < 4) ip.push(0);
  return [ip, Number(ep.slice(i + 1)) & 0xffff];
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 };

/** The classic pcap file's global header: little endian, microsecond timestamps, Ethernet. */
export function pcapHeader(): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true);
  view.setUint32(12, 0, true);
  view.setUint32(16, SNAP_LENGTH, true);
  view.setUint32(20, 1, true);
  return out;
}

/** One packet record of a classic pcap file: its header and its frame (IPv4 id `ipId`). */
export function pcapRecord(p: Packet, ipId: number): Uint8Array {
  const frameLen = frameLength(p);
  const out = new Uint8Array(16 + frameLen);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(p.t / 1_000_000), true);
  view.setUint32(4, p.t % 1_000_000, true);
  view.setUint32(8, frameLen, true);
  view.setUint32(12, frameLen, true);
  writeEthernetFrame(out, 16, p, ipId);
  return out;
}

export function frameLength(p: Packet): number {
  return 14 + 20 + (p.mss !== null ? 24 : 20) + (p.payload?.length ?? 0);
}

/** Writes the packet as an Ethernet / IPv4 / TCP frame at `o`. */
export function writeEthernetFrame(out: Uint8Array, o: number, p: Packet, ipId: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const [srcIp, srcPort] = splitEndpoint(p.src);
  const [dstIp, dstPort] = splitEndpoint(p.dst);
  const tcpLen = p.mss !== null ? 24 : 20;
  const payloadLen = p.payload?.length ?? 0;
  const ipLen = 20 + tcpLen + payloadLen;
  // Ethernet
  out.set([0x02, 0x00, ...dstIp, 0x02, 0x00, ...srcIp, 0x08, 0x00], o);
  const ip = o + 14;
  // IPv4
  out[ip] = 0x45;
  out[ip + 1] = 0;
  view.setUint16(ip + 2, ipLen);
  view.setUint16(ip + 4, ipId);
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

/**
 * Whether Wireshark's MSRP dissector (seen with 4.0.17) may show this correct frame with the warning
 * "Trailing stray characters": where it shows a body as a text string, a body with a NUL byte
 * followed by any other byte (binary content: images, octet streams) gets that warning. It is at
 * warning level, not a malformed packet, and the bytes are what was sent. Not every such frame
 * gets it (the dissector does not show every body as a string): this says which may.
 */
export function wiresharkStrayCharacters(frame: Uint8Array): boolean {
  const text = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const head = text.indexOf('\r\n\r\n');
  if (head < 0) return false;
  const bodyStart = head + 4;
  // The body ends before the CRLF of the end-line (RFC 4975 §9: body CRLF end-line).
  const endLine = text.lastIndexOf('\r\n-------', text.length - 3);
  const body = text.subarray(bodyStart, endLine > bodyStart ? endLine : text.length);
  const nul = body.indexOf(0);
  if (nul < 0) return false;
  for (let i = nul + 1; i < body.length; i++) if (body[i] !== 0) return true;
  return false;
}
