/**
 * Properties: for any frame a strict sender may write, parse(serialize(frame)) equals the frame,
 * whatever the slicing of the stream; streams of such frames parse the same at any split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRequest, buildResponse, canonicalizeFrame, type RequestInit } from '../../src/wire/builder.js';
import type { ByteRange, Continuation, HeaderField, MsrpFrame, MsrpRequest } from '../../src/wire/frame.js';
import { parseFrames } from '../../src/wire/parser.js';
import { endLineInBody, serializeFrame, serializedLength } from '../../src/wire/serializer.js';
import { parseCuts, parseCutsViews, parseStreaming, plain } from './helpers.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const IDENT_CHARS = `${ALNUM}.-+%=`;

const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));

/** RFC 4975 §9 ident: ALPHANUM 3*31ident-char. */
const ident = fc.tuple(chars(ALNUM, 1, 1), chars(IDENT_CHARS, 3, 31)).map(([a, b]) => a + b);

const uri = fc
  .record({
    scheme: fc.constantFrom('msrp', 'msrps'),
    host: chars('abcdefghijklmnopqrstuvwxyz', 1, 12),
    port: fc.integer({ min: 1, max: 65535 }),
    session: chars(`${ALNUM}+=`, 4, 24),
  })
  .map((u) => `${u.scheme}://${u.host}.example.com:${u.port}/${u.session};tcp`);
const path = fc.array(uri, { minLength: 1, maxLength: 4 });

/** Header values: printable text, not starting with a space (one SP follows the colon, W-12). */
const text = fc
  .tuple(chars(`${ALNUM}!#$%&'()*+,./:;<=>?@[]^_{|}~"`, 1, 1), fc.array(fc.constantFrom(...`${ALNUM} -_.,;:="/`.split(''), 'é', '✓', '中'), { maxLength: 40 }))
  .map(([a, b]) => a + b.join(''));
const extraHeaders = fc.array(
  fc.tuple(chars('abcdefghijklmnopqrstuvwxyz', 1, 10).map((n) => `X-${n}`), text),
  { maxLength: 3 },
) as fc.Arbitrary<HeaderField[]>;

/** Bodies, binary or built from pieces that look like end-lines of this or other transactions. */
function body(tid: string): fc.Arbitrary<Uint8Array> {
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom('\r\n', '\r', '\n', '-------', '\r\n-------', '$', '+', '#', 'hello', ' '),
    ident.map((other) => `\r\n-------${other}$\r\n`),
    fc.constantFrom(`-------${tid}`, `\r\n-------${tid}x`, `-------${tid}$ `, `\r\n------${tid}$\r\n`, `\r\n-------${tid}\r\n`),
  );
  return fc.array(piece, { maxLength: 12 }).map((parts) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))),
  ).map((b) => new Uint8Array(b));
}

const bigBody = fc.integer({ min: 2049, max: 20000 }).map((n) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
});

/** A Byte-Range that agrees with the body (W-25, W-26, W-31) for a SEND chunk. */
function sendRange(len: number, flag: Continuation): fc.Arbitrary<ByteRange> {
  return fc.record({ start: len === 0 ? fc.constant(1) : fc.integer({ min: 1, max: 1_000_000 }), star: fc.boolean(), extra: fc.nat(1000), totalKnown: fc.boolean() }).map(({ start, star, extra, totalKnown }) => {
    const last = start + len - 1;
    const end = star || len > 2048 ? null : last;
    let total: number | null = totalKnown ? last + (flag === '$' ? 0 : extra) : null;
    if (end === null && flag === '$' && total !== null) total = last;
    return { start, end, total };
  });
}

const request: fc.Arbitrary<MsrpFrame> = fc
  .record({
    tid: ident,
    method: fc.constantFrom('SEND', 'SEND', 'SEND', 'REPORT', 'AUTH', 'NICKNAME'),
    toPath: path,
    fromPath: path,
    messageId: ident,
    flag: fc.constantFrom<Continuation>('$', '$', '+', '#'),
    bodyKind: fc.constantFrom('none', 'empty', 'pieces', 'pieces', 'big'),
    successReport: fc.option(fc.constantFrom('yes' as const, 'no' as const), { nil: undefined }),
    failureReport: fc.option(fc.constantFrom('yes' as const, 'no' as const, 'partial' as const), { nil: undefined }),
    statusCode: fc.integer({ min: 0, max: 999 }),
    statusComment: fc.option(text, { nil: null }),
    expires: fc.option(fc.nat(100000), { nil: undefined }),
    usePath: fc.option(path, { nil: undefined }),
    contentType: fc.constantFrom('text/plain', 'message/cpim', 'application/octet-stream', 'text/html; charset=utf-8'),
    mime: fc.option(fc.constant<HeaderField[]>([['Content-Disposition', 'inline']]), { nil: undefined }),
    extraHeaders,
  })
  .chain((r) => {
    const b: fc.Arbitrary<Uint8Array | null> =
      r.bodyKind === 'none' ? fc.constant(null) : r.bodyKind === 'empty' ? fc.constant(new Uint8Array(0)) : r.bodyKind === 'big' && r.method === 'SEND' ? bigBody : body(r.tid);
    return b.chain((bytes) => {
      const len = bytes?.length ?? 0;
      const range = r.method === 'SEND' && bytes !== null ? sendRange(len, r.flag).map((x) => x as ByteRange | undefined) : fc.constant(undefined);
      return range.map((byteRange) => ({ r, bytes, byteRange }));
    });
  })
  .filter(({ r, bytes }) => bytes === null || !endLineInBody(bytes, r.tid))
  .map(({ r, bytes, byteRange }) => {
    const init: RequestInit = {
      transactionId: r.tid,
      method: r.method,
      toPath: r.toPath,
      fromPath: r.fromPath,
      extraHeaders: r.extraHeaders,
      continuation: r.flag,
      body: bytes,
    };
    if (r.method === 'SEND') {
      init.messageId = r.messageId;
      init.byteRange = byteRange;
      init.successReport = r.successReport;
      init.failureReport = r.failureReport;
    } else if (r.method === 'REPORT') {
      init.messageId = r.messageId;
      init.status = { namespace: 0, code: r.statusCode, comment: r.statusComment };
    } else if (r.method === 'AUTH') {
      init.expires = r.expires;
    } else {
      init.usePath = r.usePath;
    }
    if (bytes !== null) {
      init.contentType = r.contentType;
      init.mimeHeaders = r.mime;
    }
    return buildRequest(init);
  });

const response: fc.Arbitrary<MsrpFrame> = fc
  .record({
    tid: ident,
    statusCode: fc.integer({ min: 100, max: 699 }),
    comment: fc.option(fc.oneof(text, fc.constant(''), fc.constant('OK')), { nil: null }),
    toPath: path,
    fromPath: path,
    messageId: fc.option(ident, { nil: undefined }),
    usePath: fc.option(path, { nil: undefined }),
    expires: fc.option(fc.nat(100000), { nil: undefined }),
    minExpires: fc.option(fc.nat(100000), { nil: undefined }),
    extraHeaders,
  })
  .map((r) =>
    buildResponse({
      transactionId: r.tid,
      statusCode: r.statusCode,
      comment: r.comment,
      toPath: r.toPath,
      fromPath: r.fromPath,
      messageId: r.messageId,
      usePath: r.usePath,
      expires: r.expires,
      minExpires: r.minExpires,
      extraHeaders: r.extraHeaders,
    }),
  );

const frame = fc.oneof({ weight: 3, arbitrary: request }, { weight: 1, arbitrary: response });

/**
 * A built frame as the parser hands it out after reading it: with the bytes it took on the wire
 * (the serializer's length) and those before its body (all but the body, its CRLF and the end-line).
 */
function received(f: MsrpFrame): MsrpFrame {
  const wireLength = serializedLength(f);
  const endLine = f.transactionId.length + 10;
  const tail = f.kind === 'request' && f.body !== null ? f.body.length + 2 + endLine : endLine;
  return { ...f, wireLength, headLength: wireLength - tail };
}

/** Cut offsets for a byte string of length n, from arbitrary numbers. */
const cutsFor = (n: number, raw: number[]) => [...new Set(raw.map((x) => 1 + (x % Math.max(1, n - 1))))].filter((c) => c < n).sort((a, b) => a - b);

describe('round trip', () => {
  it('parse(serialize(frame)) equals the frame, whatever the split', () => {
    fc.assert(
      fc.property(frame, fc.array(fc.nat(), { maxLength: 8 }), (f, raw) => {
        const bytes = serializeFrame(f);
        expect(bytes.length).toBe(serializedLength(f));
        const cuts = cutsFor(bytes.length, raw);
        const { frames, errors } = parseCuts(bytes, cuts);
        expect(errors).toEqual([]);
        expect(frames).toHaveLength(1);
        expect(plain(frames[0]!)).toEqual(plain(received(f)));
        expect(Buffer.from(serializeFrame(frames[0]!)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  it('built frames are clean for the strict parser and already canonical', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const { frames, errors } = parseFrames(serializeFrame(f), { strict: true });
        expect(errors).toEqual([]);
        expect(frames).toHaveLength(1);
        expect(plain(canonicalizeFrame(f))).toEqual(plain(f));
      }),
      { numRuns: 300 },
    );
  });

  it('a stream of frames parses the same at any split, also streamed', () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (list, raw) => {
        const stream = Buffer.concat(list.map((f) => serializeFrame(f)));
        const cuts = cutsFor(stream.length, raw);
        const { frames, errors } = parseCuts(stream, cuts);
        expect(errors).toEqual([]);
        expect(frames.map(plain)).toEqual(list.map((f) => plain(received(f))));
        // As the simulator parses (bodyViews), slices continuing each other in memory or not.
        for (const copied of [() => false, (i: number) => i % 2 === 1]) {
          const held = parseCutsViews(stream, cuts, copied);
          expect(held.errors).toEqual([]);
          expect(held.frames.map(plain)).toEqual(list.map((f) => plain(received(f))));
        }
        const streamed = parseStreaming(stream, cuts);
        expect(streamed.errors).toEqual([]);
        expect(streamed.events).toEqual(
          list.map((f) =>
            f.kind === 'request' ? { head: plain({ ...(received(f) as MsrpRequest), body: null }), body: f.body === null ? [] : Array.from(f.body), end: f.continuation } : { frame: plain(received(f)) },
          ),
        );
      }),
      { numRuns: 200 },
    );
  });
});
