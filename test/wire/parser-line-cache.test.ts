/**
 * The parser remembers each connection's header lines by position, to skip work on lines that
 * repeat (whole, or by "Name: " with a new value, as Message-ID and Byte-Range do from chunk to
 * chunk). Whatever it remembers, a frame must parse exactly as it would on a fresh connection:
 * same fields, same violations, same errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MsrpFrame } from '../../src/wire/frame.js';
import { MsrpParser, type ParseError, type ParserOptions } from '../../src/wire/parser.js';
import { plain } from './helpers.js';

const TO = 'msrp://bob.example.com:8888/s1bob;tcp';
const FROM = 'msrp://alice.example.com:7777/s2alice;tcp';

/** Values for the lines that change, the tricky ones included. */
const MESSAGE_IDS = ['m1234567', 'm7654321', 'Mx83hd92kslq', 'ab', ' m1234567', '\tm1234567', 'mé123456', '', 'm123 4567', 'm1234567 '];
const RANGES = ['1-5/5', '1-*/5', '1-5/*', '6-10/10', 'x-5/5', ' 1-5/5', '1-5/5 ', '1-5', '1-99999999999999999/5', '1-4/5'];
const NAMES = ['Message-ID', 'message-id', 'Message-Id', 'Byte-Range', 'byte-range', 'Content-Type'];

interface Spec {
  tid: string;
  messageIdName: number;
  messageId: number;
  rangeName: number;
  range: number;
  body: string;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  tid: fc.constantFrom('tx00001a', 'tx00002b', 'a786hjs2', 'dkei38sd'),
  messageIdName: fc.constantFrom(0, 0, 0, 1, 2),
  messageId: fc.nat(MESSAGE_IDS.length - 1),
  rangeName: fc.constantFrom(3, 3, 3, 4),
  range: fc.nat(RANGES.length - 1),
  body: fc.constantFrom('hello', 'world', ''),
});

function frameBytes(s: Spec, bareLf: boolean): Buffer {
  const lines = [
    `MSRP ${s.tid} SEND`,
    `To-Path: ${TO}`,
    `From-Path: ${FROM}`,
    `${NAMES[s.messageIdName]}: ${MESSAGE_IDS[s.messageId]}${bareLf ? '\nx' : ''}`,
    `${NAMES[s.rangeName]}: ${RANGES[s.range]}`,
    'Content-Type: text/plain',
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${s.body}\r\n-------${s.tid}$\r\n`, 'utf8');
}

function parse(bytes: Buffer, options: ParserOptions): { frames: MsrpFrame[]; errors: ParseError[] } {
  const frames: MsrpFrame[] = [];
  const errors: ParseError[] = [];
  const p = new MsrpParser({ frame: (f) => frames.push(f), error: (e) => errors.push(e) }, options);
  p.push(bytes);
  p.end();
  return { frames, errors };
}

/** A frame's fields with its violation offsets moved by `by` (a fresh parse starts at 0). */
function shifted(f: MsrpFrame, by: number): unknown {
  return plain({ ...f, violations: f.violations.map((v) => ({ ...v, offset: (v.offset ?? 0) + by })) });
}

describe('the per-connection line cache', () => {
  for (const strict of [false, true]) {
    it(`never changes what a frame parses to (${strict ? 'strict' : 'lenient'})`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(spec, fc.nat(9)), { minLength: 2, maxLength: 14 }), (list) => {
          const parts = list.map(([s, r]) => frameBytes(s, r === 0));
          const stream = Buffer.concat(parts);
          const together = parse(stream, { strict });
          const frames: unknown[] = [];
          const errors: ParseError[] = [];
          let at = 0;
          for (const part of parts) {
            const alone = parse(part, { strict });
            for (const f of alone.frames) frames.push(shifted(f, at));
            for (const e of alone.errors) errors.push({ ...e, offset: e.offset + at });
            at += part.length;
          }
          expect(together.errors).toEqual(errors);
          expect(together.frames.map((f) => plain(f))).toEqual(frames);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('a new value after a cached "Name: " is decoded, typed and checked', () => {
    const parts = [0, 1, 3, 5, 6, 8].map((m, i) =>
      frameBytes({ tid: `tx0000${i}a`, messageIdName: 0, messageId: m, rangeName: 3, range: i % 3, body: 'hello' }, false),
    );
    const { frames, errors } = parse(Buffer.concat(parts), {});
    expect(errors).toEqual([]);
    expect(frames.map((f) => f.messageId)).toEqual(['m1234567', 'm7654321', 'ab', 'm1234567', 'mé123456', 'm123 4567']);
    // The tab after the colon is the separator's (W-12, cosmetic): the Message-ID is read without it.
    expect(frames.map((f) => f.violations.map((v) => v.rule))).toEqual([[], [], ['W-38'], ['W-12'], ['W-38'], ['W-38']]);
    expect(frames.map((f) => f.byteRange)).toEqual([
      { start: 1, end: 5, total: 5 },
      { start: 1, end: null, total: 5 },
      { start: 1, end: 5, total: null },
      { start: 1, end: 5, total: 5 },
      { start: 1, end: null, total: 5 },
      { start: 1, end: 5, total: null },
    ]);
  });
});
