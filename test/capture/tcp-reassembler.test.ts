import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TcpSegment } from '../../src/capture/pcap-reader.js';
import { TcpReassembler, type ReassemblyEvent } from '../../src/capture/tcp-reassembler.js';

const A = 'a:1 -> b:2';

function seg(seq: number, payload: string, extra: Partial<TcpSegment> = {}): TcpSegment {
  return { src: 'a', srcPort: 1, dst: 'b', dstPort: 2, seq: seq >>> 0, syn: false, fin: false, rst: false, payload: new TextEncoder().encode(payload), truncated: false, ...extra };
}

/** Feeds segments and renders the events compactly. */
function run(segments: TcpSegment[]): string[] {
  const r = new TcpReassembler();
  const events: ReassemblyEvent[] = [];
  for (const s of segments) events.push(...r.push(s));
  events.push(...r.finish());
  return events.map((e) =>
    e.kind === 'data' ? `data@${e.offset}:${new TextDecoder().decode(e.bytes)}` : e.kind === 'gap' ? `gap@${e.offset}+${e.missing}` : 'restart',
  );
}

describe('TcpReassembler', () => {
  it('passes in-order data through, offsets from the byte after the SYN', () => {
    expect(run([seg(100, '', { syn: true }), seg(101, 'hello '), seg(107, 'world')])).toEqual(['data@0:hello ', 'data@6:world']);
  });

  it('holds early segments until the hole is filled', () => {
    expect(run([seg(100, '', { syn: true }), seg(107, 'world'), seg(101, 'hello ')])).toEqual(['data@0:hello ', 'data@6:world']);
  });

  it('drops duplicates and trims overlapping retransmissions', () => {
    expect(run([seg(1, 'abcdef'), seg(1, 'abcdef'), seg(4, 'defghi'), seg(2, 'bc'), seg(10, 'j')])).toEqual([
      'data@0:abcdef',
      'data@6:ghi',
      'data@9:j',
    ]);
  });

  it('handles sequence numbers that wrap around 2^32', () => {
    expect(run([seg(0xfffffffd, '', { syn: true }), seg(0xfffffffe, 'ab'), seg(0, 'cd'), seg(2, 'ef')])).toEqual(['data@0:ab', 'data@2:cd', 'data@4:ef']);
  });

  it('reports a hole the capture never filled, then goes on', () => {
    expect(run([seg(1, 'abc'), seg(10, 'xyz')])).toEqual(['data@0:abc', 'gap@3+6', 'data@9:xyz']);
  });

  it('a new SYN with another ISN starts the stream over; a repeated SYN does not', () => {
    expect(run([seg(100, '', { syn: true }), seg(101, 'one'), seg(100, '', { syn: true }), seg(104, '!'), seg(500, '', { syn: true }), seg(501, 'two')])).toEqual([
      'data@0:one',
      'data@3:!',
      'restart',
      'data@0:two',
    ]);
  });

  it('keeps directions apart', () => {
    const r = new TcpReassembler();
    const back = (seq: number, p: string) => seg(seq, p, { src: 'b', srcPort: 2, dst: 'a', dstPort: 1 });
    const ev = [...r.push(seg(1, 'req')), ...r.push(back(900, 'resp')), ...r.push(seg(4, 'more'))];
    expect(ev.map((e) => e.stream)).toEqual([A, 'b:2 -> a:1', A]);
    expect(r.streams).toEqual([A, 'b:2 -> a:1']);
  });

  it('any split, order and duplication of the segments gives back the stream', () => {
    const message = 'MSRP a786hjs2 SEND\r\nTo-Path: x\r\nFrom-Path: y\r\n-------a786hjs2$\r\n';
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: message.length - 1 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (cuts, shuffle, isn) => {
          const bounds = [0, ...cuts.sort((x, y) => x - y), message.length];
          const pieces = bounds.slice(1).map((end, k) => seg(isn + 1 + bounds[k]!, message.slice(bounds[k], end)));
          // Reorder and duplicate, but keep the first piece first so the stream start is known.
          const rest = pieces.slice(1);
          const order = [...rest];
          for (const n of shuffle) {
            if (order.length === 0) break;
            const k = n % order.length;
            if (n % 3 === 0) order.push(order[k]!);
            else order.push(...order.splice(k, 1));
          }
          const events = run([seg(isn, '', { syn: true }), pieces[0]!, ...order]);
          expect(events.every((e) => e.startsWith('data@'))).toBe(true);
          expect(events.map((e) => e.slice(e.indexOf(':') + 1)).join('')).toBe(message);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('puts 100,000 segments that arrive in reverse order back together, quickly, behind a hole and without', () => {
    const n = 100_000;
    const bytes = (i: number) => new Uint8Array([i & 0xff, (i >> 8) & 0xff]);
    for (const hole of [false, true]) {
      const r = new TcpReassembler();
      const started = Date.now();
      const events: ReassemblyEvent[] = [];
      r.push({ ...seg(1000, '', { syn: true }) });
      for (let i = n - 1; i >= (hole ? 1 : 0); i--) for (const e of r.push({ ...seg(1001 + 2 * i, ''), payload: bytes(i) })) events.push(e);
      for (const e of r.finish()) events.push(e);
      expect(Date.now() - started).toBeLessThan(5000);
      const data = events.filter((e) => e.kind === 'data');
      expect(data).toHaveLength(hole ? n - 1 : n);
      expect(events.filter((e) => e.kind === 'gap')).toEqual(hole ? [{ kind: 'gap', stream: A, offset: 0, missing: 2 }] : []);
      const wrong = data.findIndex((e, k) => {
        const i = hole ? k + 1 : k;
        return e.kind !== 'data' || e.offset !== 2 * i || !Buffer.from(e.bytes).equals(Buffer.from(bytes(i)));
      });
      expect(wrong).toBe(-1);
    }
  });
});
