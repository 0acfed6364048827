import { describe, expect, it } from 'vitest';
import { decodeTcp, detectCapture, formatIpv6, readPcap, type PcapPacket } from '../../src/capture/pcap-reader.js';
import { ipv4Tcp, ipv6Tcp, linkFrame, tcpCapture, writePcap } from '../helpers/pcap-writer.js';

const spec = { src: '192.0.2.1', srcPort: 40000, dst: '198.51.100.7', dstPort: 2855, seq: 0xdeadbeef, payload: 'MSRP abcd SEND\r\n' };

function only(bytes: Uint8Array): { packets: PcapPacket[]; linkType: number } {
  const r = readPcap(bytes);
  if (!r.ok) throw new Error(r.message);
  expect(r.warnings).toEqual([]);
  return { packets: r.packets, linkType: r.header.linkType };
}

describe('detectCapture', () => {
  it.each([
    ['d4 c3 b2 a1', 'pcap'],
    ['a1 b2 c3 d4', 'pcap'],
    ['4d 3c b2 a1', 'pcap'],
    ['a1 b2 3c 4d', 'pcap'],
    ['0a 0d 0d 0a', 'pcapng'],
    ['4d 53 52 50', null],
    ['d4 c3', null],
  ])('%s -> %s', (hex, kind) => {
    expect(detectCapture(Uint8Array.from(hex.split(' ').map((h) => parseInt(h, 16))))).toBe(kind);
  });
});

describe('readPcap', () => {
  it.each([
    [true, false],
    [false, false],
    [true, true],
    [false, true],
  ])('littleEndian=%s nanoseconds=%s', (littleEndian, nanoseconds) => {
    const bytes = writePcap([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])], { littleEndian, nanoseconds, linkType: 101 });
    const r = readPcap(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header).toMatchObject({ littleEndian, nanoseconds, versionMajor: 2, versionMinor: 4, linkType: 101 });
    expect(r.packets.map((p) => [p.number, [...p.data], p.originalLength])).toEqual([
      [1, [1, 2, 3], 3],
      [2, [4, 5], 2],
    ]);
    expect(r.packets[1]!.fraction).toBe(nanoseconds ? 1_000_000 : 1000);
  });

  it('keeps the packets before a truncated record and warns', () => {
    const bytes = writePcap([new Uint8Array(10), new Uint8Array(10)]);
    const r = readPcap(bytes.subarray(0, bytes.length - 3));
    expect(r.ok && r.packets.length).toBe(1);
    expect(r.ok && r.warnings[0]).toMatch(/packet 2 is truncated/);
    const r2 = readPcap(bytes.subarray(0, 24 + 16 + 10 + 5));
    expect(r2.ok && r2.warnings[0]).toMatch(/truncated record header/);
  });

  it('refuses what is not a pcap', () => {
    expect(readPcap(new Uint8Array(10))).toMatchObject({ ok: false });
    expect(readPcap(new Uint8Array(24))).toMatchObject({ ok: false, message: expect.stringMatching(/magic/) });
  });
});

describe('decodeTcp', () => {
  it.each([
    ['Ethernet', 1],
    ['raw IP', 101],
    ['raw IPv4', 228],
    ['loopback', 0],
    ['Linux cooked', 113],
  ])('%s carrying IPv4', (_name, linkType) => {
    const { packets } = only(tcpCapture([spec], { linkType }));
    const r = decodeTcp(packets[0]!, linkType);
    expect(r).toEqual({
      ok: true,
      segment: {
        src: '192.0.2.1',
        srcPort: 40000,
        dst: '198.51.100.7',
        dstPort: 2855,
        seq: 0xdeadbeef,
        syn: false,
        fin: false,
        rst: false,
        payload: new TextEncoder().encode(spec.payload),
        truncated: false,
      },
    });
  });

  it('ignores Ethernet padding after a short IPv4 packet', () => {
    const tiny = { ...spec, payload: 'ab' };
    const frame = linkFrame(ipv4Tcp(tiny), 1);
    expect(frame.length).toBe(60);
    const r = decodeTcp({ originalLength: 60, data: frame }, 1);
    expect(r.ok && [...r.segment.payload]).toEqual([0x61, 0x62]);
  });

  it('IPv6, with RFC 5952 addresses', () => {
    const v6 = { ...spec, src: '2001:db8::1', dst: '2001:db8:0:0:1:0:0:1' };
    const r = decodeTcp({ originalLength: 0, data: linkFrame(ipv6Tcp(v6), 1) }, 1);
    expect(r.ok && [r.segment.src, r.segment.dst]).toEqual(['2001:db8::1', '2001:db8::1:0:0:1']);
  });

  it('VLAN-tagged Ethernet', () => {
    const ip = ipv4Tcp(spec);
    const frame = new Uint8Array(18 + ip.length);
    frame.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00], 0);
    frame.set(ip, 18);
    const r = decodeTcp({ originalLength: frame.length, data: frame }, 1);
    expect(r.ok && r.segment.dstPort).toBe(2855);
  });

  it('flags, truncation and what is not TCP', () => {
    const syn = only(tcpCapture([{ ...spec, syn: true, payload: '' }])).packets[0]!;
    expect(decodeTcp(syn, 1)).toMatchObject({ ok: true, segment: { syn: true, fin: false } });
    const cut = readPcap(tcpCapture([spec], { snapLength: 60 }));
    expect(cut.ok && decodeTcp(cut.packets[0]!, 1)).toMatchObject({ ok: true, segment: { truncated: true } });
    const udp = ipv4Tcp(spec);
    udp[9] = 17;
    expect(decodeTcp({ originalLength: 0, data: udp }, 101)).toEqual({ ok: false, reason: null });
    const frag = ipv4Tcp(spec);
    frag[6] = 0x20; // more fragments
    expect(decodeTcp({ originalLength: 0, data: frag }, 101)).toMatchObject({ ok: false, reason: expect.stringMatching(/fragment/) });
    const arp = new Uint8Array(60);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect(decodeTcp({ originalLength: 60, data: arp }, 1)).toEqual({ ok: false, reason: null });
    expect(decodeTcp({ originalLength: 3, data: new Uint8Array(3) }, 1)).toMatchObject({ ok: false });
  });

  it('never throws on damaged packets', () => {
    const good = linkFrame(ipv4Tcp(spec), 1);
    for (let cut = 0; cut <= good.length; cut++) {
      for (const link of [0, 1, 101, 113, 228, 229, 276]) {
        decodeTcp({ originalLength: good.length, data: good.subarray(0, cut) }, link);
      }
    }
  });
});

describe('formatIpv6', () => {
  it.each([
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
  ])('%s -> %s', (full, short) => {
    const b = new Uint8Array(16);
    full.split(':').forEach((g, k) => {
      const v = parseInt(g, 16);
      b[k * 2] = v >> 8;
      b[k * 2 + 1] = v & 0xff;
    });
    expect(formatIpv6(b)).toBe(short);
  });
});
