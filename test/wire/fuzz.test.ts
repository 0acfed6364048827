/**
 * Fuzz: random bytes and mutated valid frames never make the parser throw, every error names a rule
 * and an offset, and the memory the parser holds stays within its limits whatever it is fed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsrpParser, type ParseError, type ParserOptions } from '../../src/wire/parser.js';
import { fixture, rfcFixtureNames, rng } from './helpers.js';

const corpus = Buffer.concat(rfcFixtureNames().map(fixture));
const frames = rfcFixtureNames().map(fixture);

interface Run {
  errors: ParseError[];
  frames: number;
  maxRetained: number;
}

/** Feeds slices, checking the sink's records and the parser's memory after each push. */
function feed(slices: Iterable<Uint8Array>, options?: ParserOptions, stream = false): Run {
  const run: Run = { errors: [], frames: 0, maxRetained: 0 };
  const p = new MsrpParser(
    stream
      ? { frame: () => run.frames++, error: (e) => run.errors.push(e), head: () => undefined, bodyPiece: () => undefined, end: () => run.frames++ }
      : { frame: () => run.frames++, error: (e) => run.errors.push(e) },
    { ...options, streamBodies: stream },
  );
  for (const s of slices) {
    p.push(s);
    run.maxRetained = Math.max(run.maxRetained, p.retainedBytes);
  }
  p.end();
  for (const e of run.errors) {
    // CHECKLIST ids: W-xx, U-xx, R-xx, and the Digest profile's R-16a..R-16h (d.3).
    expect(e.rule).toMatch(/^[WUR]-\d\d[a-h]?$/);
    expect(Number.isInteger(e.offset) && e.offset >= 0).toBe(true);
    expect(typeof e.fatal).toBe('boolean');
  }
  expect(run.errors.filter((e) => e.fatal).length).toBeLessThanOrEqual(1);
  return run;
}

function sliced(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    const end = Math.min(Math.max(c, at), bytes.length);
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('insertText' as const), at: fc.nat(), text: fc.constantFrom('\r\n', '\r', '\n', '-------', ':', ' ', 'MSRP ', '$\r\n', '\r\n\r\n') }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.nat(300) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.nat(20) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) b[at] ^= 1 << m.bit;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'insertText':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text, 'latin1'), b.subarray(at)]);
        break;
      case 'duplicate':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + m.len), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
    }
  }
  return b;
}

describe('fuzz', () => {
  it('random bytes: no throw, errors with rule and offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(2000), { maxLength: 10 }), fc.boolean(), fc.boolean(), (bytes, cuts, strict, stream) => {
        feed(sliced(bytes, cuts.sort((a, b) => a - b)), { strict }, stream);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes after a valid start line and headers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(3000), { maxLength: 10 }), fc.boolean(), (bytes, cuts, strict) => {
        const head = Buffer.from('MSRP fuzz0001 SEND\r\nTo-Path: msrp://a.example.com:1/s;tcp\r\n', 'latin1');
        const input = Buffer.concat([head, bytes]);
        feed(sliced(input, cuts.sort((a, b) => a - b)), { strict, maxBodySize: 1000, maxHeaderBytes: 1000, maxLineLength: 200 });
      }),
      { numRuns: 300 },
    );
  });

  it('mutated RFC frames (bit flips, truncations, insertions, duplications): no throw, bounded', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(3000), { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        (frame, ms, cuts, strict, stream) => {
          const input = mutate(Buffer.concat([frame, frame]), ms);
          const options = { strict, maxBodySize: 4096, maxHeaderBytes: 2048, maxLineLength: 512, maxHeaderCount: 16 };
          const run = feed(sliced(input, cuts.sort((a, b) => a - b)), options, stream);
          expect(run.maxRetained).toBeLessThanOrEqual(64 * 1024);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('a mutated stream of all RFC frames, in random slices', () => {
    const next = rng(20070901);
    for (let i = 0; i < 200; i++) {
      const input = Buffer.from(corpus);
      const flips = 1 + Math.floor(next() * 5);
      for (let k = 0; k < flips; k++) input[Math.floor(next() * input.length)] ^= 1 << Math.floor(next() * 8);
      const cuts: number[] = [];
      for (let at = 0; at < input.length; ) cuts.push((at += 1 + Math.floor(next() * 400)));
      const run = feed(sliced(input, cuts), { strict: next() < 0.5 });
      expect(run.frames + run.errors.length).toBeGreaterThan(0);
    }
  });

  describe('50 MB of junk in slices: the parser holds a bounded amount of memory', () => {
    const limits = { maxLineLength: 4096, maxHeaderBytes: 16384, maxBodySize: 1 << 20, maxHeaderCount: 64 };
    // Bodies are filled up to maxBodySize, the buffer holds a header section or a line.
    const bound = limits.maxBodySize * 2 + 64 * 1024;

    function* junk(prefix: string, total: number, pattern: (i: number, b: Buffer) => void): Generator<Uint8Array> {
      yield Buffer.from(prefix, 'latin1');
      const slice = Buffer.alloc(64 * 1024);
      let i = 0;
      for (let sent = 0; sent < total; sent += slice.length) {
        pattern(i++, slice);
        yield slice;
      }
    }
    const random = (seed: number) => {
      const next = rng(seed);
      return (_i: number, b: Buffer) => {
        for (let k = 0; k < b.length; k += 4) b.writeUInt32LE(Math.floor(next() * 0x100000000), k);
      };
    };

    for (const [name, prefix, pattern] of [
      ['random bytes', '', random(1)],
      ['a start line, then random bytes', 'MSRP junk0001 SEND\r\n', random(2)],
      ['a header section, then a body that never ends', 'MSRP junk0002 SEND\r\nTo-Path: msrp://a.example.com:1/s;tcp\r\nFrom-Path: msrp://b.example.com:2/t;tcp\r\nContent-Type: a/b\r\n\r\n', random(3)],
      ['header lines forever', 'MSRP junk0003 SEND\r\n', (_i: number, b: Buffer) => b.fill('X-A: 0123456789abcdef\r\n')],
      ['CRLFs and dashes forever', 'MSRP junk0004 SEND\r\nTo-Path: msrp://a.example.com:1/s;tcp\r\n\r\n', (_i: number, b: Buffer) => b.fill('\r\n-------junk0004')],
    ] as const) {
      it(name, () => {
        for (const stream of [false, true]) {
          const run = feed(junk(prefix, 50 * 1024 * 1024, pattern), limits, stream);
          expect(run.maxRetained).toBeLessThanOrEqual(bound);
          expect(run.errors.some((e) => e.fatal)).toBe(true);
        }
      });
    }
  });
});
