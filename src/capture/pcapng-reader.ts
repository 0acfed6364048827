/**
 * A pure reader for pcapng files (draft-ietf-opsawg-pcapng): what Wireshark and `tshark -w` save by
 * default and what `msrp-sim run` writes. Section Header Blocks in either byte order (a file may
 * hold several sections, each with its own interfaces), Interface Description Blocks with their
 * link type, snap length, if_tsresol and if_tsoffset, Enhanced, Simple and the obsolete Packet
 * Blocks; every other block type is skipped. Damaged input is reported, never thrown.
 */

export interface CapturedPacket {
  /** 1-based over the whole file, as capture tools number packets. */
  number: number;
  linkType: number;
  /** Seconds since the epoch with microseconds ("1700000000.000123"); null when the block has none (Simple Packet Block). */
  time: string | null;
  originalLength: number;
  /** The captured bytes (a view into the input). */
  data: Uint8Array;
}

export type PcapngReadResult = { ok: true; packets: CapturedPacket[]; warnings: string[] } | { ok: false; message: string };

const SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 0x00000001;
const OPB = 0x00000002; // obsolete Packet Block
const SPB = 0x00000003;
const EPB = 0x00000006;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second. */
  unitsPerSecond: bigint;
  offsetSeconds: bigint;
}

export function readPcapng(bytes: Uint8Array): PcapngReadResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: CapturedPacket[] = [];
  const warnings: string[] = [];
  let le = true;
  let interfaces: Interface[] = [];
  let sections = 0;
  // Every packet block counts, read or not, so numbers match what Wireshark shows.
  let count = 0;
  let p = 0;
  while (p < bytes.length) {
    if (p + 12 > bytes.length) {
      if (p === 0) return { ok: false, message: 'damaged pcapng: the file is shorter than a section header block' };
      warnings.push(`truncated block at byte ${p}`);
      break;
    }
    const typeBe = view.getUint32(p, false);
    if (typeBe === SHB) {
      // The byte-order magic after the length says how to read this section, the length included.
      const magicLe = view.getUint32(p + 8, true);
      if (magicLe === BYTE_ORDER_MAGIC) le = true;
      else if (view.getUint32(p + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else return sections === 0 ? { ok: false, message: 'not a pcapng file (bad byte-order magic)' } : { ok: true, packets, warnings: [...warnings, `section at byte ${p} has a bad byte-order magic; the rest is not read`] };
      sections++;
      interfaces = [];
    } else if (sections === 0) {
      return { ok: false, message: 'not a pcapng file (no Section Header Block first)' };
    }
    const type = view.getUint32(p, le);
    const length = view.getUint32(p + 4, le);
    if (length < 12 || length % 4 !== 0) {
      if (sections === 1 && p === 0) return { ok: false, message: `damaged pcapng: block length ${length} at byte ${p}` };
      warnings.push(`damaged block length ${length} at byte ${p}; the rest is not read`);
      break;
    }
    if (p + length > bytes.length) {
      if (p === 0) return { ok: false, message: 'damaged pcapng: the section header block is truncated' };
      warnings.push(`truncated block at byte ${p} (${length} bytes announced, ${bytes.length - p} present)`);
      break;
    }
    const body = p + 8;
    const bodyEnd = p + length - 4;
    switch (type) {
      case SHB:
        break;
      case IDB: {
        const iface: Interface = { linkType: view.getUint16(body, le), snapLength: view.getUint32(body + 4, le), unitsPerSecond: 1_000_000n, offsetSeconds: 0n };
        for (const [code, value] of options(bytes, view, body + 8, bodyEnd, le)) {
          if (code === OPT_IF_TSRESOL && value.length >= 1) {
            const r = value[0] as number;
            // Most significant bit clear: a negative power of 10; set: of 2.
            iface.unitsPerSecond = (r & 0x80) === 0 ? 10n ** BigInt(r) : 2n ** BigInt(r & 0x7f);
          } else if (code === OPT_IF_TSOFFSET && value.length >= 8) {
            iface.offsetSeconds = new DataView(value.buffer, value.byteOffset, 8).getBigInt64(0, le);
          }
        }
        interfaces.push(iface);
        break;
      }
      case EPB:
      case OPB: {
        count++;
        const id = type === EPB ? view.getUint32(body, le) : view.getUint16(body, le);
        const capLen = view.getUint32(body + 12, le);
        const origLen = view.getUint32(body + 16, le);
        const iface = interfaces[id];
        if (iface === undefined) {
          warnings.push(`packet ${count} names interface ${id}, which its section does not describe; skipped`);
          break;
        }
        if (body + 20 + capLen > bodyEnd) {
          warnings.push(`packet ${count} is damaged (${capLen} captured bytes do not fit its block)`);
          break;
        }
        const ts = (BigInt(view.getUint32(body + 4, le)) << 32n) | BigInt(view.getUint32(body + 8, le));
        packets.push({ number: count, linkType: iface.linkType, time: formatTime(ts, iface), originalLength: origLen, data: bytes.subarray(body + 20, body + 20 + capLen) });
        break;
      }
      case SPB: {
        count++;
        const iface = interfaces[0];
        if (iface === undefined) {
          warnings.push(`packet ${count} (a Simple Packet Block) comes before any interface; skipped`);
          break;
        }
        const origLen = view.getUint32(body, le);
        // The captured length is not stored: the original length cut by the snap length and the block.
        let capLen = Math.min(origLen, bodyEnd - (body + 4));
        if (iface.snapLength > 0) capLen = Math.min(capLen, iface.snapLength);
        packets.push({ number: count, linkType: iface.linkType, time: null, originalLength: origLen, data: bytes.subarray(body + 4, body + 4 + capLen) });
        break;
      }
      default:
        // Name resolution, statistics, journal, custom blocks...: nothing decode needs.
        break;
    }
    p += length;
  }
  return { ok: true, packets, warnings };
}

/** The options of a block, from `p` to `end`, as [code, value] pairs, up to opt_endofopt. */
function options(bytes: Uint8Array, view: DataView, p: number, end: number, le: boolean): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  while (p + 4 <= end) {
    const code = view.getUint16(p, le);
    const len = view.getUint16(p + 2, le);
    if (code === 0 || p + 4 + len > end) break;
    out.push([code, bytes.subarray(p + 4, p + 4 + len)]);
    p += 4 + ((len + 3) & ~3);
  }
  return out;
}

function formatTime(ts: bigint, iface: Interface): string {
  const seconds = ts / iface.unitsPerSecond + iface.offsetSeconds;
  const micros = ((ts % iface.unitsPerSecond) * 1_000_000n) / iface.unitsPerSecond;
  return `${seconds}.${micros.toString().padStart(6, '0')}`;
}

/** Seconds since the epoch with microseconds, from a classic pcap record's two fields. */
export function pcapTime(seconds: number, fraction: number, nanoseconds: boolean): string {
  const micros = nanoseconds ? Math.floor(fraction / 1000) : fraction;
  return `${seconds}.${String(micros).padStart(6, '0')}`;
}
