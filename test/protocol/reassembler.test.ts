import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageAssembly } from '../../src/protocol/reassembler.js';
import { IntervalSet } from '../../src/protocol/byte-ranges.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('IntervalSet', () => {
  it('merges touching and overlapping intervals', () => {
    const s = new IntervalSet();
    s.add(5, 8);
    s.add(1, 3);
    expect(s.intervals).toEqual([{ start: 1, end: 3 }, { start: 5, end: 8 }]);
    s.add(4, 4);
    expect(s.intervals).toEqual([{ start: 1, end: 8 }]);
    expect(s.coversAll(8)).toBe(true);
    expect(s.coversAll(9)).toBe(false);
    expect(s.size).toBe(8);
  });
});

describe('MessageAssembly (E-34)', () => {
  it('takes a whole message without Byte-Range', () => {
    const a = new MessageAssembly('m', { maxSize: 100 });
    const r = a.add(undefined, bytes('hello'), '$');
    expect(r.kind).toBe('complete');
    expect(text((r as { body: Uint8Array }).body)).toBe('hello');
  });

  it('reassembles RFC 4975 §5.1 chunks in any order', () => {
    for (const order of [[0, 1], [1, 0]]) {
      const a = new MessageAssembly('m', { maxSize: 100 });
      const chunks = [
        { range: { start: 1, end: null, total: 8 }, body: bytes('abcd'), flag: '+' as const },
        { range: { start: 5, end: 8, total: 8 }, body: bytes('EFGH'), flag: '$' as const },
      ];
      const results = order.map((i) => a.add(chunks[i]!.range, chunks[i]!.body, chunks[i]!.flag));
      const last = results[1]!;
      expect(last.kind).toBe('complete');
      expect(text((last as { body: Uint8Array }).body)).toBe('abcdEFGH');
    }
  });

  it('knows the total from the $ chunk when the total is *', () => {
    const a = new MessageAssembly('m', { maxSize: 100 });
    expect(a.add({ start: 4, end: null, total: null }, bytes('def'), '$').kind).toBe('partial');
    const r = a.add({ start: 1, end: 3, total: null }, bytes('abc'), '+');
    expect(r.kind).toBe('complete');
  });

  it('lets the data received last win on overlap', () => {
    const a = new MessageAssembly('m', { maxSize: 100 });
    a.add({ start: 1, end: 4, total: 6 }, bytes('aaaa'), '+');
    const r = a.add({ start: 3, end: 6, total: 6 }, bytes('BBBB'), '$');
    expect(text((r as { body: Uint8Array }).body)).toBe('aaBBBB');
  });

  it('takes the chunk length from the payload, not from range-end (A-09)', () => {
    const a = new MessageAssembly('m', { maxSize: 100 });
    const r = a.add({ start: 1, end: 99, total: 3 }, bytes('abc'), '$');
    expect(r.kind).toBe('complete');
  });

  it('refuses messages over max-size before allocating (W-37, 413)', () => {
    const a = new MessageAssembly('m', { maxSize: 10 });
    expect(a.add({ start: 1, end: 5, total: 1_000_000_000 }, bytes('abcde'), '+')).toEqual({ kind: 'too-large', limit: 10, claimed: 1_000_000_000 });
    expect(a.add({ start: 8, end: null, total: null }, bytes('abcde'), '+').kind).toBe('too-large');
  });

  it('accepts the empty message 1-0/0 (W-26)', () => {
    const a = new MessageAssembly('m', { maxSize: 10 });
    expect(a.add({ start: 1, end: 0, total: 0 }, new Uint8Array(0), '$').kind).toBe('complete');
  });

  it('records an abort (#)', () => {
    const a = new MessageAssembly('m', { maxSize: 10 });
    expect(a.add({ start: 1, end: null, total: 8 }, bytes('abc'), '#')).toEqual({ kind: 'aborted', received: 3 });
  });

  it('reassembles any chunking in any order (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 299 }), { maxLength: 10 }),
        fc.func(fc.integer()),
        (message, cuts, key) => {
          const points = [...new Set(cuts.filter((c) => c < message.length))].sort((x, y) => x - y);
          const bounds = [0, ...points, message.length];
          const chunks = bounds.slice(0, -1).map((s, i) => ({ s, e: bounds[i + 1]! }));
          const shuffled = chunks.map((c, i) => ({ c, k: key(i) })).sort((x, y) => x.k - y.k).map((x) => x.c);
          const a = new MessageAssembly('m', { maxSize: 1000 });
          let result = null as null | ReturnType<MessageAssembly['add']>;
          for (const { s, e } of shuffled) {
            result = a.add({ start: s + 1, end: e, total: message.length }, message.subarray(s, e), e === message.length ? '$' : '+');
          }
          expect(result?.kind).toBe('complete');
          expect(Buffer.from((result as { body: Uint8Array }).body).equals(Buffer.from(message))).toBe(true);
        },
      ),
    );
  });
});
