import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/capture/capture-decoder.js';
import { readPcapng } from '../../src/capture/pcapng-reader.js';
import { ipv4Tcp, linkFrame } from '../helpers/pcap-writer.js';
import { OK, SEND } from '../cli/fixtures.js';

/** A pcapng block: type, total length, body padded to 4, total length again, in one byte order. */
function block(le: boolean, type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, out.length, le);
  out.set(body, 8);
  v.setUint32(out.length - 4, out.length, le);
  return out;
}

function fields(le: boolean, spec: [size: 1 | 2 | 4, value: number][]): Uint8Array {
  const out = new Uint8Array(spec.reduce((n, [s]) => n + s, 0));
  const v = new DataView(out.buffer);
  let p = 0;
  for (const [size, value] of spec) {
    if (size === 1) v.setUint8(p, value);
    else if (size === 2) v.setUint16(p, value, le);
    else v.setUint32(p, value, le);
    p += size;
  }
  return out;
}

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};

const shb = (le: boolean) => block(le, 0x0a0d0d0a, cat(fields(le, [[4, 0x1a2b3c4d], [2, 1], [2, 0], [4, 0xffffffff], [4, 0xffffffff]])));
/** An Interface Description Block with an if_tsresol option when `tsresol` is given. */
const idb = (le: boolean, linkType: number, tsresol?: number) =>
  block(le, 1, cat(fields(le, [[2, linkType], [2, 0], [4, 0]]), tsresol === undefined ? new Uint8Array(0) : cat(fields(le, [[2, 9], [2, 1], [1, tsresol], [1, 0], [2, 0]]), fields(le, [[2, 0], [2, 0]]))));
const epb = (le: boolean, iface: number, ts: bigint, data: Uint8Array) =>
  block(le, 6, cat(fields(le, [[4, iface], [4, Number(ts >> 32n)], [4, Number(ts & 0xffffffffn)], [4, data.length], [4, data.length]]), data));
const spb = (le: boolean, data: Uint8Array) => block(le, 3, cat(fields(le, [[4, data.length]]), data));

const client = { src: '10.0.0.1', srcPort: 50000, dst: '10.0.0.2', dstPort: 2855 };
const server = { src: '10.0.0.2', srcPort: 2855, dst: '10.0.0.1', dstPort: 50000 };
const sendPacket = linkFrame(ipv4Tcp({ ...client, seq: 1, payload: SEND }), 1);
const okPacket = linkFrame(ipv4Tcp({ ...server, seq: 1, payload: OK }), 1);

describe('readPcapng', () => {
  it.each([
    ['little-endian', true],
    ['big-endian', false],
  ])('%s: interfaces, Enhanced and Simple Packet Blocks, an unknown block type skipped', (_name, le) => {
    const file = cat(
      shb(le),
      idb(le, 1),
      // The same host in a second interface, with nanosecond timestamps (if_tsresol 9).
      idb(le, 1, 9),
      block(le, 0x0bad, new Uint8Array([1, 2, 3, 4, 5])),
      epb(le, 0, 1_700_000_000_000_001n, sendPacket),
      epb(le, 1, 1_700_000_000_123_456_789n, okPacket),
      spb(le, okPacket),
    );
    const r = readPcapng(file);
    if (!r.ok) throw new Error(r.message);
    expect(r.warnings).toEqual([]);
    expect(r.packets.map((p) => [p.number, p.linkType, p.time, p.data.length])).toEqual([
      [1, 1, '1700000000.000001', sendPacket.length],
      [2, 1, '1700000000.123456', okPacket.length],
      [3, 1, null, okPacket.length],
    ]);
  });

  it('several sections, each with its own interfaces and byte order; a power-of-2 resolution', () => {
    const file = cat(shb(true), idb(true, 1), epb(true, 0, 5_000_000n, sendPacket), shb(false), idb(false, 228, 0x80 | 10), epb(false, 0, 3n * 1024n + 512n, okPacket.subarray(14)));
    const r = readPcapng(file);
    if (!r.ok) throw new Error(r.message);
    expect(r.packets.map((p) => [p.number, p.linkType, p.time])).toEqual([
      [1, 1, '5.000000'],
      [2, 228, '3.500000'],
    ]);
  });

  it('a truncated last block is a warning; the packets before it stay', () => {
    const whole = cat(shb(false), idb(false, 1), epb(false, 0, 0n, sendPacket), epb(false, 0, 1n, okPacket));
    const r = readPcapng(whole.subarray(0, whole.length - 10));
    if (!r.ok) throw new Error(r.message);
    expect(r.packets).toHaveLength(1);
    expect(r.warnings).toEqual([expect.stringMatching(/^truncated block at byte \d+/)]);
  });

  it('not a pcapng file', () => {
    expect(readPcapng(new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4])).ok).toBe(false);
  });
});

describe('decodeCapture of a pcapng', () => {
  it('a big-endian pcapng decodes to frames with their streams and times', () => {
    const file = cat(shb(false), idb(false, 1), block(false, 0x40000bad, new Uint8Array(8)), epb(false, 0, 1_700_000_000_000_001n, sendPacket), epb(false, 0, 1_700_000_000_000_002n, okPacket));
    const seen: string[] = [];
    const r = decodeCapture(file, {
      frame: (f, s) => seen.push(`${f.kind} ${s.stream} ${s.time} packet ${s.packet}`),
      error: (e) => seen.push(`error ${e.rule}`),
      skipped: (o, n) => seen.push(`skipped ${o}+${n}`),
      warn: (m) => seen.push(`warn ${m}`),
      note: (m) => seen.push(`note ${m}`),
    });
    expect(r).toEqual({ ok: true });
    expect(seen).toEqual([
      'request 10.0.0.1:50000 -> 10.0.0.2:2855 1700000000.000001 packet 1',
      'response 10.0.0.2:2855 -> 10.0.0.1:50000 1700000000.000002 packet 2',
    ]);
  });
});
