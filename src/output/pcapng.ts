/**
 * The pcapng block format (draft-ietf-opsawg-pcapng), the subset capture.pcapng needs: one
 * Section Header Block, an Interface Description Block per interface (if_name, if_description,
 * if_tsresol 6: microseconds), and an Enhanced Packet Block per packet with its opt_comment.
 * Little endian, as the byte-order magic says; every block and option padded to 32 bits.
 * Packet contents (Ethernet frames) come from pcap.ts.
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

export function writePcapng(interfaces: readonly PcapngInterface[], packets: readonly PcapngPacket[], application: string): Uint8Array {
  const shbOptions: Option[] = [[SHB_USERAPPL, text(application)]];
  const idbOptions = interfaces.map((i): Option[] => [
    [IF_NAME, text(i.name)],
    [IF_DESCRIPTION, text(i.description)],
    [IF_TSRESOL, Uint8Array.of(6)],
  ]);
  const comments = packets.map((p) => text(p.comment));
  const shbLen = 28 + optionsLength(shbOptions);
  const idbLen = idbOptions.map((o) => 20 + optionsLength(o));
  const epbLen = packets.map((p, k) => 32 + pad4(p.data.length) + optionsLength([[OPT_COMMENT, comments[k]!]]));
  let total = shbLen;
  for (const n of idbLen) total += n;
  for (const n of epbLen) total += n;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  const trailer = (start: number, len: number): void => {
    view.setUint32(start + 4, len, true);
    view.setUint32(start + len - 4, len, true);
  };

  view.setUint32(o, SHB, true);
  view.setUint32(o + 8, BYTE_ORDER_MAGIC, true);
  view.setUint16(o + 12, 1, true); // major version
  view.setUint16(o + 14, 0, true); // minor version
  view.setBigInt64(o + 16, -1n, true); // section length: not given
  writeOptions(out, view, o + 24, shbOptions);
  trailer(o, shbLen);
  o += shbLen;

  interfaces.forEach((i, k) => {
    view.setUint32(o, IDB, true);
    view.setUint16(o + 8, i.linkType, true);
    view.setUint16(o + 10, 0, true);
    view.setUint32(o + 12, i.snapLength, true);
    writeOptions(out, view, o + 16, idbOptions[k]!);
    trailer(o, idbLen[k]!);
    o += idbLen[k]!;
  });

  packets.forEach((p, k) => {
    if (p.iface < 0 || p.iface >= interfaces.length) throw new Error(`packet ${k}: no interface ${p.iface}`);
    view.setUint32(o, EPB, true);
    view.setUint32(o + 8, p.iface, true);
    // Timestamp in units of if_tsresol (microseconds), high 32 bits first.
    view.setUint32(o + 12, Math.floor(p.t / 2 ** 32), true);
    view.setUint32(o + 16, p.t % 2 ** 32, true);
    view.setUint32(o + 20, p.data.length, true);
    view.setUint32(o + 24, p.data.length, true);
    if (p.data instanceof Uint8Array) out.set(p.data, o + 28);
    else p.data.write(out, o + 28);
    writeOptions(out, view, o + 28 + pad4(p.data.length), [[OPT_COMMENT, comments[k]!]]);
    trailer(o, epbLen[k]!);
    o += epbLen[k]!;
  });
  return out;
}
