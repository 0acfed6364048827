/**
 * Parse once: each received frame carries the bytes the parser consumed for it (`wireLength`,
 * start line through end-line) and the bytes before its body (`headLength`), so that no node
 * re-serializes a received frame to learn its size. Checked whole and at every split, for whole
 * frames and for streamed heads (the sum of the pieces).
 */
import { describe, expect, it } from 'vitest';
import { buildRequest, buildResponse } from '../../src/wire/builder.js';
import type { MsrpFrame } from '../../src/wire/frame.js';
import { MsrpParser } from '../../src/wire/parser.js';
import { serializedLength, serializeFrame } from '../../src/wire/serializer.js';
import { ascii, parseCuts } from './helpers.js';

const TO = 'msrp://bob.example.com:2855/b;tcp';
const FROM = 'msrp://alice.example.com:2855/a;tcp';
const PATHS = `To-Path: ${TO}\nFrom-Path: ${FROM}\n`;

/** Frames of several shapes, written as peers may write them (not only as the serializer does). */
const TEXTS = [
  `MSRP a1 SEND\n${PATHS}Message-ID: m1\nByte-Range: 1-5/5\nContent-Type: text/plain\n\nhello\n-------a1$\n`,
  `MSRP a2 200 OK\n${PATHS}-------a2$\n`,
  `MSRP a3 SEND\n${PATHS}Message-ID: m1\n-------a3$\n`,
  // Whitespace the serializer would not write, and an empty body (W-17).
  `MSRP a4 SEND\nTo-Path:   ${TO}  \nFrom-Path: ${FROM}\nMessage-ID: m1\nByte-Range: 1-0/0\nContent-Type: text/plain\n\n\n-------a4$\n`,
  `MSRP a5 REPORT\n${PATHS}Message-ID: m1\nByte-Range: 1-5/5\nStatus: 000 200 OK\n-------a5$\n`,
  `MSRP a6 SEND\n${PATHS}Message-ID: m2\nByte-Range: 1-*/3000\nContent-Type: text/plain\n\n${'x'.repeat(3000)}\n-------a6+\n`,
];
const BYTES = TEXTS.map((t) => ascii(t));
const STREAM = Buffer.concat(BYTES);

const lengths = (frames: MsrpFrame[]) => frames.map((f) => [f.transactionId, f.wireLength, f.headLength]);
const expected = TEXTS.map((t, i) => {
  const text = t.replace(/\n/g, '\r\n');
  const blank = text.indexOf('\r\n\r\n');
  const endLine = text.lastIndexOf('\r\n-------') + 2;
  // Before the body: through the blank line when there is one, else all before the end-line.
  const head = blank >= 0 && blank + 4 <= endLine ? blank + 4 : endLine;
  return [`a${i + 1}`, BYTES[i]!.length, head];
});

describe('wireLength and headLength of received frames', () => {
  it('are the bytes consumed for each frame and those before its body, at every split', () => {
    const whole = parseCuts(STREAM, []);
    expect(whole.errors).toEqual([]);
    expect(lengths(whole.frames)).toEqual(expected);
    for (let cut = 1; cut < STREAM.length; cut++) expect(lengths(parseCuts(STREAM, [cut]).frames), `cut ${cut}`).toEqual(expected);
  });

  it('equal serializedLength for frames the serializer wrote', () => {
    const frames = [
      buildRequest({ transactionId: 'b1', method: 'SEND', toPath: [TO], fromPath: [FROM], messageId: 'm1', byteRange: { start: 1, end: 3, total: 3 }, contentType: 'text/plain', body: new Uint8Array([1, 2, 3]) }),
      buildResponse({ transactionId: 'b2', statusCode: 481, toPath: [FROM], fromPath: [TO] }),
    ];
    const parsed = parseCuts(Buffer.concat(frames.map((f) => serializeFrame(f))), []).frames;
    expect(parsed.map((f) => f.wireLength)).toEqual(frames.map((f) => serializedLength(f)));
  });

  it('count bytes skipped before a frame to no frame (they are not its bytes)', () => {
    const { frames } = parseCuts(Buffer.concat([ascii('\n\n'), BYTES[1]!]), []);
    expect(lengths(frames)).toEqual([expected[1]]);
  });

  it('are absent on frames built rather than received', () => {
    const f = buildResponse({ transactionId: 'b3', statusCode: 200, toPath: [FROM], fromPath: [TO] });
    expect(f.wireLength).toBeUndefined();
    expect(f.headLength).toBeUndefined();
  });
});

describe('streamed requests (streamBodies)', () => {
  /** [tid, headLength at head(), wireLength at head(), wireLength at end(), body bytes] per request. */
  function stream(cuts: number[]): (string | number | undefined)[][] {
    const out: (string | number | undefined)[][] = [];
    let head: MsrpFrame | null = null;
    let body = 0;
    const p = new MsrpParser(
      {
        frame: (f) => out.push([f.transactionId, f.headLength, f.wireLength, f.wireLength, 0]),
        error: () => undefined,
        head: (h) => {
          head = h;
          body = 0;
          out.push([h.transactionId, h.headLength, h.wireLength]);
        },
        bodyPiece: (piece) => (body += piece.length),
        end: () => out.at(-1)!.push(head!.wireLength, body),
      },
      { streamBodies: true },
    );
    let at = 0;
    for (const c of cuts) {
      p.push(STREAM.subarray(at, c));
      at = c;
    }
    p.push(STREAM.subarray(at));
    return out;
  }

  it('a head knows its header section; the end, the sum of all it took', () => {
    const want = expected.map(([tid, wire, head], i) => {
      const response = TEXTS[i]!.split('\n')[0]!.endsWith(' 200 OK');
      const bodyLen = i === 0 ? 5 : i === 5 ? 3000 : 0;
      return response ? [tid, head, wire, wire, 0] : [tid, head, undefined, wire, bodyLen];
    });
    expect(stream([])).toEqual(want);
    for (let cut = 1; cut < STREAM.length; cut += 7) expect(stream([cut, Math.min(cut + 500, STREAM.length - 1)]), `cut ${cut}`).toEqual(want);
  });
});
