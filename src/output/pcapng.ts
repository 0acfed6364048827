/**
 * The pcapng block format (draft-ietf-opsawg-pcapng), the subset capture.pcapng needs: one
 * Section Header Block, an Interface Description Block per interface (if_name, if_description,
 * if_tsresol 6: microseconds), and an Enhanced Packet Block per packet with its opt_comment.
 * Little endian, as the byte-order magic says; every block and option padded to 32 bits.
 * Packet contents (Ethernet frames) come from pcap.ts. The blocks are made one at a time, so that
 * a capture can be written as the run goes (the interfaces, known only at the end, go in front).
 */
import type { Micros } from '../sim/time.js';

export interface PcapngInterface {
  /** if_name: what Wireshark shows as the interface (`frame.interface_name`). */
  name: string;
  /** if_description. */
  description: string;
  /** LINKTYPE_ value (1: Ethernet). */
  linkType: number;
  snapLength: number;
}

export interface PcapngPacket {
  /** Index into the interfaces. */
  iface: number;
  t: Micros;
  /** The packet's bytes, or their length and how to write them in place (no copy per packet). */
  data: Uint8Array | { length: number; write(out: Uint8Array, at: number): void };
  /** opt_comment (`frame.comment`). */
  comment: string;
}

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;

const enc = new TextEncoder();
const pad4 = (n: number): number => (n + 3) & ~3;

type Option = [code: number, value: Uint8Array];

function optionsLength(options: readonly Option[]): number {
  let n = 4; // opt_endofopt
  for (const [, v] of options) n += 4 + pad4(v.length);
  return n;
}

/** Writes the options and opt_endofopt at `o`; padding bytes stay zero (the buffer starts zeroed). */
function writeOptions(out: Uint8Array, view: DataView, o: number, options: readonly Option[]): number {
  for (const [code, v] of options) {
    if (v.length > 0xffff) throw new Error(`pcapng option ${code} longer than 65,535 bytes`);
    view.setUint16(o, code, true);
    view.setUint16(o + 2, v.length, true);
    out.set(v, o + 4);
    o += 4 + pad4(v.length);
  }
  view.setUint16(o, OPT_ENDOFOPT, true);
  view.setUint16(o + 2, 0, true);
  return o + 4;
}

/** An option value: UTF-8, cut (at a character boundary) to what an option can hold. */
function text(s: string): Uint8Array {
  const b = enc.encode(s);
  if (b.length <= 0xffff) return b;
  let end = 0xffff;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

/** The Section Header Block that starts the file. */
export function pcapngSectionHeader(application: string): Uint8Array {
  const options: Option[] = [[SHB_USERAPPL, text(application)]];
  const len = 28 + optionsLength(options);
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  view.setUint32(0, SHB, true);
  view.setUint32(8, BYTE_ORDER_MAGIC, true);
  view.setUint16(12, 1, true); // major version
  view.setUint16(14, 0, true); // minor version
  view.setBigInt64(16, -1n, true); // section length: not given
  writeOptions(out, view, 24, options);
  trailer(view, len);
  return out;
}

/** An Interface Description Block. */
export function pcapngInterfaceBlock(i: PcapngInterface): Uint8Array {
  const options: Option[] = [
    [IF_NAME, text(i.name)],
    [IF_DESCRIPTION, text(i.description)],
    [IF_TSRESOL, Uint8Array.of(6)],
  ];
  const len = 20 + optionsLength(options);
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDB, true);
  view.setUint16(8, i.linkType, true);
  view.setUint16(10, 0, true);
  view.setUint32(12, i.snapLength, true);
  writeOptions(out, view, 16, options);
  trailer(view, len);
  return out;
}

/** An Enhanced Packet Block with its comment. */
export function pcapngPacketBlock(p: PcapngPacket): Uint8Array {
  const options: Option[] = [[OPT_COMMENT, text(p.comment)]];
  const len = 32 + pad4(p.data.length) + optionsLength(options);
  const out = new Uint8Array(len);
  const view = new DataView(out.buffer);
  view.setUint32(0, EPB, true);
  view.setUint32(8, p.iface, true);
  // Timestamp in units of if_tsresol (microseconds), high 32 bits first.
  view.setUint32(12, Math.floor(p.t / 2 ** 32), true);
  view.setUint32(16, p.t % 2 ** 32, true);
  view.setUint32(20, p.data.length, true);
  view.setUint32(24, p.data.length, true);
  if (p.data instanceof Uint8Array) out.set(p.data, 28);
  else p.data.write(out, 28);
  writeOptions(out, view, 28 + pad4(p.data.length), options);
  trailer(view, len);
  return out;
}

/** A block's length, at its second word and at its end. */
function trailer(view: DataView, len: number): void {
  view.setUint32(4, len, true);
  view.setUint32(len - 4, len, true);
}

/** A whole file: the section header, the interfaces, the packets. */
export function writePcapng(interfaces: readonly PcapngInterface[], packets: readonly PcapngPacket[], application: string): Uint8Array {
  const blocks = [pcapngSectionHeader(application), ...interfaces.map(pcapngInterfaceBlock)];
  packets.forEach((p, k) => {
    if (p.iface < 0 || p.iface >= interfaces.length) throw new Error(`packet ${k}: no interface ${p.iface}`);
    blocks.push(pcapngPacketBlock(p));
  });
  return concatBytes(blocks);
}

/** The arrays one after the other. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const b of parts) total += b.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
