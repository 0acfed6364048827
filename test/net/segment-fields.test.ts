import { describe, expect, it } from 'vitest';
import type { SegmentFields, SegmentInfo } from '../../src/net/net-types.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { text, world } from './helpers.js';

const HEADER = ['conn', 'src', 'dst', 'seqNo', 'ackNo', 'flags', 'len'] as const;

function header(r: AnyTraceRecord | SegmentInfo): SegmentFields {
  const h: Record<string, unknown> = {};
  for (const k of HEADER) h[k] = (r as unknown as Record<string, unknown>)[k];
  return h as unknown as SegmentFields;
}

describe('segment fields', () => {
  // One segment, four views: the tap's info, its tcp.segment record, and the net.drop or fw.drop
  // record that ends it show the same header fields, NAT rewriting included.
  it('taps, tcp.segment, net.drop and fw.drop records show a segment alike', () => {
    const w = world();
    w.net.addHost('out', { name: 'out.example.com' });
    w.net.addHost('in');
    w.net.addFirewall('fw', { inside: ['in'], nat: true, rules: [{ action: 'deny', direction: 'inbound', port: 5060, mode: 'reject' }] });
    w.net.addLink('in', 'fw', { latency: 10_000 });
    w.net.addLink('fw', 'out', { latency: 10_000 });
    const infos: SegmentInfo[] = [];
    let tapped: SegmentInfo | null = null;
    w.net.addTap('fw', 'out', (s) => {
      const info = { ...s, payload: s.payload.slice() };
      if (s.len > 0 && tapped === null) {
        tapped = info; // dropped before it is put on the link: no tcp.segment record
        return 'drop';
      }
      infos.push(info);
      return 'pass';
    });
    w.net.host('out').listen(2855, (c) => c.setHandlers({}));
    w.net.host('in').connect({ host: 'out.example.com', port: 2855 }, { onOpen: (c) => c.write(text.encode('hello')) });
    w.net.host('out').connect({ host: w.net.host('in').address, port: 5060 }, {});
    w.sim.run({ until: 2_000_000 });

    const onLink = w.of('tcp.segment').filter((r) => r.link === 'fw<>out');
    expect(infos.length).toBeGreaterThan(4);
    expect(infos.map((i) => [i.link, i.from, i.to])).toEqual(onLink.map((r) => [r.link, r.node, r.to]));
    expect(infos.map(header)).toEqual(onLink.map(header));
    // NAT: what leaves the firewall carries its address, not the inside host's.
    const fwAddress = w.net.firewall('fw').address;
    expect(infos.find((i) => i.from === 'fw')!.src.startsWith(`${fwAddress}:`)).toBe(true);

    const tapDrops = w.of('net.drop').filter((r) => r.reason === 'tap');
    expect(tapDrops.map(header)).toEqual([header(tapped!)]);
    expect(tapDrops[0]!.link).toBe('fw<>out');

    const rejected = w.of('fw.reject');
    expect(rejected.length).toBeGreaterThan(0);
    const syn = onLink.find((r) => r.node === 'out' && r.flags === 'S' && String(r.dst).endsWith(':5060'))!;
    expect(header(rejected[0]!)).toEqual(header(syn));
    expect(Object.keys(rejected[0]!).slice(-4)).toEqual(['flow', 'direction', 'reason', 'both']);
    expect(Object.keys(tapDrops[0]!).slice(-2)).toEqual(['link', 'reason']);
  });
});
