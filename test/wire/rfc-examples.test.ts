/**
 * Every MSRP frame printed in RFC 4975 and RFC 4976, as fixture files (test/wire/fixtures/rfc/,
 * see the README there for how they were extracted and where the RFC is inconsistent): each parses
 * to the fields the RFC text shows, re-serializes byte for byte, and parses the same whatever the
 * slicing of the stream.
 */
import { describe, expect, it } from 'vitest';
import type { ByteRange, MsrpFrame, StatusHeader } from '../../src/wire/frame.js';
import { getHeader } from '../../src/wire/headers.js';
import { parseFrames } from '../../src/wire/parser.js';
import { serializeFrame, serializeUnchecked } from '../../src/wire/serializer.js';
import { ascii, fixture, parseCuts, parseCutsScribbled, parseCutsViews, parseStreaming, plain, randomCuts, rfcFixtureNames, rng, rules } from './helpers.js';

// URIs of the examples.
const BILOXI = 'msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp';
const ATLANTA = 'msrp://atlanta.example.com:7654/jshA7weztas;tcp';
const BOB = 'msrp://bob.example.com:8888/9di4eae923wzd;tcp';
const ALICEPC = 'msrp://alicepc.example.com:7777/iau39soe2843z;tcp';
const ALICE = 'msrp://alice.example.com:7777/iau39soe2843z;tcp';
const BOBPC = 'msrp://bobpc.example.com:8888/9di4eae923wzd;tcp';
const ALICEPC7654 = 'msrp://alicepc.example.com:7654/iau39soe2843z;tcp';
const ALICEPC8888 = 'msrp://alicepc.example.com:8888/9di4eae923wzd;tcp';
const SYSADMIN = 'msrp://example.com:7777/iau39soe2843z;tcp';
const RA = 'msrps://a.example.org:9000/kjfjan;tcp';
const RB = 'msrps://b.example.net:9000/aeiug;tcp';
const R_BOB = 'msrps://bob.example.net:8145/foo;tcp';
const R_ALICE = 'msrps://alice.example.org:7965/bar;tcp';
const INTRA_AUTH = 'msrps://alice@intra.example.com;tcp';
const ALICE_98 = 'msrps://alice.example.com:9892/98cjs;tcp';
const INTRA = 'msrps://intra.example.com:9000/jui787s2f;tcp';
const EXTRA_AUTH = 'msrps://extra.example.com;tcp';
const EXTRA = 'msrps://extra.example.com:9000/mywdEe1233;tcp';

interface Expected {
  tid: string;
  method?: string;
  status?: number;
  comment?: string | null;
  toPath: string[];
  fromPath: string[];
  messageId?: string;
  byteRange?: ByteRange;
  successReport?: 'yes' | 'no';
  failureReport?: 'yes' | 'no' | 'partial';
  reportStatus?: StatusHeader;
  contentType?: string;
  usePath?: string[];
  expires?: number;
  /** Body text (requests); null = bodiless. */
  body?: string | null;
  bodyLength?: number;
  continuation?: '+' | '$' | '#';
  /** Rule ids of the violations, in order. */
  violations: string[];
  /** Extra header values to check. */
  headers?: Record<string, string>;
  /** False when the frame is not canonical (serializing it throws or differs). */
  canonical?: boolean;
}

const range = (start: number, end: number | null, total: number | null): ByteRange => ({ start, end, total });
const OK = { namespace: 0, code: 200, comment: 'OK' };

const EXPECTED: Record<string, Expected> = {
  // RFC 4975 §4, Figure 2
  'rfc4975-s4-f1-send-a786hjs2.msrp': {
    tid: 'a786hjs2', method: 'SEND', toPath: [BILOXI], fromPath: [ATLANTA], messageId: '87652491',
    byteRange: range(1, 25, 25), contentType: 'text/plain', body: 'Hey Bob, are you there?', violations: ['W-25'],
  },
  'rfc4975-s4-f2-200-a786hjs2.msrp': { tid: 'a786hjs2', status: 200, comment: 'OK', toPath: [ATLANTA], fromPath: [BILOXI], violations: [] },
  // RFC 4975 §5.1, Figure 3: chunks printed without To-Path and From-Path
  'rfc4975-s5.1-f1-send-dkei38sd.msrp': {
    tid: 'dkei38sd', method: 'SEND', toPath: [], fromPath: [], messageId: '4564dpWd', byteRange: range(1, null, 8),
    contentType: 'text/plain', body: 'abcd', continuation: '+', violations: ['W-11', 'W-11'], canonical: false,
  },
  'rfc4975-s5.1-f2-send-dkei38ia.msrp': {
    tid: 'dkei38ia', method: 'SEND', toPath: [], fromPath: [], messageId: '4564dpWd', byteRange: range(5, 8, 8),
    contentType: 'text/plain', body: 'EFGH', violations: ['W-11', 'W-11'], canonical: false,
  },
  // RFC 4975 §11.1
  'rfc4975-s11.1-f1-send-d93kswow.msrp': {
    tid: 'd93kswow', method: 'SEND', toPath: [BOB], fromPath: [ALICEPC], messageId: '12339sdqwer', byteRange: range(1, 16, 16),
    contentType: 'text/plain', body: "Hi, I'm Alice!", violations: ['W-25'],
  },
  'rfc4975-s11.1-f2-200-d93kswow.msrp': { tid: 'd93kswow', status: 200, comment: 'OK', toPath: [ALICEPC], fromPath: [BOB], violations: [] },
  'rfc4975-s11.1-f3-send-dkei38sd.msrp': {
    tid: 'dkei38sd', method: 'SEND', toPath: [ALICEPC], fromPath: [BOB], messageId: '456s9wlk3', byteRange: range(1, 21, 21),
    contentType: 'text/plain', body: "Hi, Alice!  I'm Bob!", violations: ['W-25'],
  },
  'rfc4975-s11.1-f4-200-dkei38sd.msrp': { tid: 'dkei38sd', status: 200, comment: 'OK', toPath: [BOB], fromPath: [ALICEPC], violations: [] },
  // RFC 4975 §11.2, Figure 13 (the body crosses a page break in the RFC)
  'rfc4975-s11.2-f1-send-dsdfoe38sd.msrp': {
    tid: 'dsdfoe38sd', method: 'SEND', toPath: [ALICE], fromPath: [BOB], messageId: '456so39s', byteRange: range(1, 374, 374),
    contentType: 'application/xhtml+xml', bodyLength: 384, violations: ['W-25'],
  },
  // RFC 4975 §11.4, Figures 14 and 15
  'rfc4975-s11.4-f1-send-d93kswow.msrp': {
    tid: 'd93kswow', method: 'SEND', toPath: [BOBPC], fromPath: [ALICEPC7654], messageId: '12339sdqwer', byteRange: range(1, 137, 148),
    contentType: 'message/cpim', bodyLength: 137, continuation: '+', violations: [],
  },
  'rfc4975-s11.4-f2-send-op2nc9a.msrp': {
    tid: 'op2nc9a', method: 'SEND', toPath: [BOBPC], fromPath: [ALICEPC7654], messageId: '12339sdqwer', byteRange: range(138, 148, 148),
    contentType: 'message/cpim', body: '1234567890', violations: ['W-25'],
  },
  // RFC 4975 §11.5
  'rfc4975-s11.5-f1-send-d93kswow.msrp': {
    tid: 'd93kswow', method: 'SEND', toPath: [ALICEPC8888], fromPath: [SYSADMIN], messageId: '12339sdqwer', byteRange: range(1, 38, 38),
    failureReport: 'no', successReport: 'no', contentType: 'text/plain', body: 'This conference will end in 5 minutes', violations: ['W-25'],
  },
  // RFC 4975 §11.6, Figures 16 and 17
  'rfc4975-s11.6-f1-send-d93kswow.msrp': {
    tid: 'd93kswow', method: 'SEND', toPath: [BOB], fromPath: [ALICEPC], messageId: '12339sdqwer', byteRange: range(1, 106, 106),
    successReport: 'yes', failureReport: 'no', contentType: 'text/html', bodyLength: 121, violations: ['W-25'],
  },
  'rfc4975-s11.6-f2-report-dkei38sd.msrp': {
    tid: 'dkei38sd', method: 'REPORT', toPath: [ALICEPC], fromPath: [BOB], messageId: '12339sdqwer', byteRange: range(1, 106, 106),
    reportStatus: OK, body: null, violations: [],
  },
  // RFC 4976 §3
  'rfc4976-s3-f1-send-6aef.msrp': {
    tid: '6aef', method: 'SEND', toPath: [RA, RB, R_BOB], fromPath: [R_ALICE], successReport: 'yes', byteRange: range(1, null, null),
    messageId: '87652', contentType: 'text/plain', body: "Hi Bob, I'm about to send you file.mpeg", violations: [],
  },
  'rfc4976-s3-f2-200-6aef.msrp': { tid: '6aef', status: 200, comment: 'OK', toPath: [R_ALICE], fromPath: [RA], messageId: '87652', violations: [] },
  'rfc4976-s3-f3-send-juh76.msrp': {
    tid: 'juh76', method: 'SEND', toPath: [RB, R_BOB], fromPath: [RA, R_ALICE], successReport: 'yes', messageId: '87652',
    byteRange: range(1, null, null), contentType: 'text/plain', bodyLength: 39, violations: [],
  },
  'rfc4976-s3-f4-200-juh76.msrp': { tid: 'juh76', status: 200, comment: 'OK', toPath: [RA], fromPath: [RB], messageId: '87652', violations: [] },
  'rfc4976-s3-f5-send-xght6.msrp': {
    tid: 'xght6', method: 'SEND', toPath: [R_BOB], fromPath: [RB, RA, R_ALICE], successReport: 'yes', messageId: '87652',
    byteRange: range(1, null, null), contentType: 'text/plain', bodyLength: 39, violations: [],
  },
  // The RFC prints this one without its end-line; the fixture adds it (see the README).
  'rfc4976-s3-f6-200-xght6.msrp': { tid: 'xght6', status: 200, comment: 'OK', toPath: [RB], fromPath: [R_BOB], messageId: '87652', violations: [] },
  'rfc4976-s3-f7-report-yh67.msrp': {
    tid: 'yh67', method: 'REPORT', toPath: [RB, RA, R_ALICE], fromPath: [R_BOB], messageId: '87652', byteRange: range(1, 39, 39),
    reportStatus: OK, body: null, violations: [],
  },
  'rfc4976-s3-f8-report-yh67.msrp': {
    tid: 'yh67', method: 'REPORT', toPath: [RA, R_ALICE], fromPath: [RB, R_BOB], messageId: '87652', byteRange: range(1, 39, 39),
    reportStatus: OK, body: null, violations: [],
  },
  'rfc4976-s3-f9-report-yh67.msrp': {
    tid: 'yh67', method: 'REPORT', toPath: [R_ALICE], fromPath: [RA, RB, R_BOB], messageId: '87652', byteRange: range(1, 39, 39),
    reportStatus: OK, body: null, violations: [],
  },
  // RFC 4976 §5.1: AUTH through two relays
  'rfc4976-s5.1-f1-auth-49fh.msrp': { tid: '49fh', method: 'AUTH', toPath: [INTRA_AUTH], fromPath: [ALICE_98], body: null, violations: [] },
  'rfc4976-s5.1-f2-401-49fh.msrp': {
    tid: '49fh', status: 401, comment: 'Unauthorized', toPath: [ALICE_98], fromPath: [INTRA_AUTH], violations: [],
    headers: { 'WWW-Authenticate': 'Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"' },
  },
  'rfc4976-s5.1-f3-auth-49fi.msrp': {
    tid: '49fi', method: 'AUTH', toPath: [INTRA_AUTH], fromPath: [ALICE_98], body: null, violations: [],
    headers: {
      Authorization:
        'Digest username="Alice", realm="intra.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"',
    },
  },
  'rfc4976-s5.1-f4-200-49fi.msrp': {
    tid: '49fi', status: 200, comment: 'OK', toPath: [ALICE_98], fromPath: [INTRA_AUTH], usePath: [INTRA], expires: 900, violations: [],
    headers: {
      'Authentication-Info':
        'nextnonce="40f2e879449675f288476d772627370a",rspauth="7327570c586207eca2afae94fc20903d", cnonce="0a4f113b", nc=00000001, qop=auth',
    },
  },
  'rfc4976-s5.1-f5-auth-mnbvw.msrp': { tid: 'mnbvw', method: 'AUTH', toPath: [INTRA, EXTRA_AUTH], fromPath: [ALICE_98], body: null, violations: [] },
  'rfc4976-s5.1-f6-auth-m2nbvw.msrp': { tid: 'm2nbvw', method: 'AUTH', toPath: [EXTRA_AUTH], fromPath: [INTRA, ALICE_98], body: null, violations: [] },
  'rfc4976-s5.1-f7-401-m2nbvw.msrp': { tid: 'm2nbvw', status: 401, comment: 'Unauthorized', toPath: [INTRA, ALICE_98], fromPath: [EXTRA_AUTH], violations: [] },
  'rfc4976-s5.1-f8-401-mnbvw.msrp': { tid: 'mnbvw', status: 401, comment: 'Unauthorized', toPath: [ALICE_98], fromPath: [INTRA, EXTRA_AUTH], violations: [] },
  'rfc4976-s5.1-f9-auth-m3nbvx.msrp': { tid: 'm3nbvx', method: 'AUTH', toPath: [INTRA, EXTRA_AUTH], fromPath: [ALICE_98], body: null, violations: [] },
  'rfc4976-s5.1-f10-auth-m4nbvx.msrp': { tid: 'm4nbvx', method: 'AUTH', toPath: [EXTRA_AUTH], fromPath: [INTRA, ALICE_98], body: null, violations: [] },
  'rfc4976-s5.1-f11-200-m4nbvx.msrp': {
    tid: 'm4nbvx', status: 200, comment: 'OK', toPath: [INTRA, ALICE_98], fromPath: [EXTRA_AUTH], usePath: [INTRA, EXTRA], expires: 1800, violations: [],
  },
  // Use-Path misprinted in the RFC (the same URI twice; A-15): parsed as printed.
  'rfc4976-s5.1-f12-200-m3nbvx.msrp': {
    tid: 'm3nbvx', status: 200, comment: 'OK', toPath: [ALICE_98], fromPath: [INTRA, EXTRA_AUTH], usePath: [EXTRA, EXTRA], expires: 1800, violations: [],
  },
};

const names = rfcFixtureNames();

function checkExpected(f: MsrpFrame, x: Expected): void {
  expect(f.transactionId).toBe(x.tid);
  if (x.method !== undefined) {
    expect(f.kind).toBe('request');
    if (f.kind !== 'request') return;
    expect(f.method).toBe(x.method);
    if (x.body !== undefined) expect(f.body === null ? null : Buffer.from(f.body).toString('latin1')).toBe(x.body);
    if (x.bodyLength !== undefined) expect(f.body?.length).toBe(x.bodyLength);
  } else {
    expect(f.kind).toBe('response');
    if (f.kind !== 'response') return;
    expect(f.statusCode).toBe(x.status);
    expect(f.comment).toBe(x.comment ?? null);
  }
  expect(f.toPath).toEqual(x.toPath);
  expect(f.fromPath).toEqual(x.fromPath);
  expect(f.messageId).toBe(x.messageId);
  expect(f.byteRange).toEqual(x.byteRange);
  expect(f.successReport).toBe(x.successReport);
  expect(f.failureReport).toBe(x.failureReport);
  expect(f.status).toEqual(x.reportStatus);
  expect(f.contentType).toBe(x.contentType);
  expect(f.usePath).toEqual(x.usePath);
  expect(f.expires).toBe(x.expires);
  expect(f.continuation).toBe(x.continuation ?? '$');
  expect(rules(f)).toEqual(x.violations);
  for (const [name, value] of Object.entries(x.headers ?? {})) expect(getHeader(f, name)).toBe(value);
}

describe('RFC 4975 / RFC 4976 example frames', () => {
  it('has a fixture for every frame printed in the RFCs (14 + 21) and an expectation for each', () => {
    expect(names.filter((n) => n.startsWith('rfc4975'))).toHaveLength(14);
    expect(names.filter((n) => n.startsWith('rfc4976'))).toHaveLength(21);
    expect([...names].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const name of names) {
    describe(name, () => {
      const bytes = fixture(name);
      const x = EXPECTED[name]!;

      it('parses to the fields the RFC shows (lenient)', () => {
        const { frames, errors } = parseFrames(bytes);
        expect(errors).toEqual([]);
        expect(frames).toHaveLength(1);
        checkExpected(frames[0]!, x);
      });

      it('in strict mode: delivered when clean, else one error per violation', () => {
        const { frames, errors } = parseFrames(bytes, { strict: true });
        if (x.violations.length === 0) {
          expect(errors).toEqual([]);
          expect(frames).toHaveLength(1);
        } else {
          expect(frames).toHaveLength(0);
          expect(rules(errors)).toEqual(x.violations);
          expect(errors.every((e) => !e.fatal && e.transactionId === x.tid)).toBe(true);
        }
      });

      it(x.canonical === false ? 'is not serializable as printed' : 're-serializes byte for byte', () => {
        const f = parseFrames(bytes).frames[0]!;
        if (x.canonical === false) expect(() => serializeFrame(f)).toThrow();
        else expect(Buffer.from(serializeFrame(f)).equals(bytes)).toBe(true);
      });

      it('serializeUnchecked writes it back byte for byte, canonical or not', () => {
        const f = parseFrames(bytes).frames[0]!;
        expect(Buffer.from(serializeUnchecked(f)).equals(bytes)).toBe(true);
      });

      it('parses the same split at every byte offset (and copies what it keeps)', () => {
        const whole = parseFrames(bytes).frames.map(plain);
        for (let cut = 1; cut < bytes.length; cut++) {
          const r = parseCuts(bytes, [cut]);
          expect(r.errors).toEqual([]);
          expect(r.frames.map(plain)).toEqual(whole);
        }
        const scribbled = parseCutsScribbled(bytes, randomCuts(bytes.length, 7, rng(bytes.length)));
        expect(scribbled.frames.map(plain)).toEqual(whole);
      });

      it('parses the same one byte at a time', () => {
        const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
        const r = parseCuts(bytes, cuts);
        expect(r.errors).toEqual([]);
        expect(r.frames.map(plain)).toEqual(parseFrames(bytes).frames.map(plain));
      });
    });
  }

  describe('all fixtures as one stream', () => {
    const stream = Buffer.concat(names.map(fixture));
    const whole = parseFrames(stream);

    it('gives every frame in order', () => {
      expect(whole.errors).toEqual([]);
      expect(whole.frames.map((f) => f.transactionId)).toEqual(names.map((n) => EXPECTED[n]!.tid));
      whole.frames.forEach((f, i) => checkExpected(f, EXPECTED[names[i]!]!));
    });

    it('violation offsets are stream offsets', () => {
      let at = 0;
      names.forEach((n, i) => {
        const len = fixture(n).length;
        for (const v of whole.frames[i]!.violations) {
          expect(v.offset).toBeGreaterThanOrEqual(at);
          expect(v.offset).toBeLessThan(at + len);
        }
        at += len;
      });
    });

    it('is split-independent: every single cut', () => {
      // Compared as JSON text: a deep equality per cut would dominate the run time.
      const expected = JSON.stringify(whole.frames.map(plain));
      for (let cut = 1; cut < stream.length; cut++) {
        const r = parseCuts(stream, [cut]);
        const got = JSON.stringify(r.frames.map(plain));
        if (r.errors.length > 0 || got !== expected) expect({ cut, errors: r.errors, frames: r.frames.map(plain) }).toEqual({ cut, errors: [], frames: whole.frames.map(plain) });
      }
    });

    it('is split-independent: 300 random multi-splits', () => {
      const expected = whole.frames.map(plain);
      const next = rng(4975);
      for (let i = 0; i < 300; i++) {
        const cuts = randomCuts(stream.length, 1 + Math.floor(next() * 60), next);
        const r = i % 3 === 0 ? parseCutsScribbled(stream, cuts) : parseCuts(stream, cuts);
        expect(r.errors).toEqual([]);
        expect(r.frames.map(plain)).toEqual(expected);
      }
    });

    it('with bodyViews (slices that continue each other in memory, or not) is split-independent', () => {
      const expected = JSON.stringify(whole.frames.map(plain));
      for (let cut = 1; cut < stream.length; cut++) {
        for (const copySecond of [false, true]) {
          const r = parseCutsViews(stream, [cut], (i) => copySecond && i === 1);
          const got = JSON.stringify(r.frames.map(plain));
          if (r.errors.length > 0 || got !== expected) expect({ cut, copySecond, errors: r.errors, frames: r.frames.map(plain) }).toEqual({ cut, copySecond, errors: [], frames: whole.frames.map(plain) });
        }
      }
      const next = rng(4977);
      for (let i = 0; i < 300; i++) {
        const cuts = randomCuts(stream.length, 1 + Math.floor(next() * 60), next);
        const r = parseCutsViews(stream, cuts, () => next() < 0.3);
        expect(r.errors).toEqual([]);
        expect(r.frames.map(plain)).toEqual(whole.frames.map(plain));
      }
    });

    it('in streamBodies mode gives the same heads, bodies and flags at any split', () => {
      const expected = whole.frames.map((f) =>
        f.kind === 'request' ? { head: plain({ ...f, body: null }), body: f.body === null ? [] : Array.from(f.body), end: f.continuation } : { frame: plain(f) },
      );
      const next = rng(4976);
      for (let i = 0; i < 100; i++) {
        const r = parseStreaming(stream, randomCuts(stream.length, 1 + Math.floor(next() * 80), next));
        expect(r.errors).toEqual([]);
        expect(r.events).toEqual(expected);
      }
    });
  });

  describe('the RFC as printed', () => {
    it('RFC 4976 §3 frame 6 without its end-line: lenient delivers it with W-06 and goes on with frame 7', () => {
      const printed = Buffer.concat([
        ascii('MSRP xght6 200 OK\nTo-Path: msrps://b.example.net:9000/aeiug;tcp\nFrom-Path: msrps://bob.example.net:8145/foo;tcp\nMessage-ID: 87652\n'),
        fixture('rfc4976-s3-f7-report-yh67.msrp'),
      ]);
      for (let cut = 1; cut < printed.length; cut++) {
        const { frames, errors } = parseCuts(printed, [cut]);
        expect(errors).toEqual([]);
        expect(frames.map((f) => f.transactionId)).toEqual(['xght6', 'yh67']);
        expect(rules(frames[0]!)).toEqual(['W-06']);
        expect(rules(frames[1]!)).toEqual([]);
      }
      const strict = parseFrames(printed, { strict: true });
      expect(strict.frames.map((f) => f.transactionId)).toEqual(['yh67']);
      expect(rules(strict.errors)).toEqual(['W-06']);
      expect(strict.errors[0]!.fatal).toBe(false);
    });

    it('RFC 4976 §3 path header blocks: "To-Path:   " padding and port-less URIs', () => {
      // The header blocks at relay B before and after forwarding, framed as bodiless SENDs.
      const before = ascii(
        'MSRP blk1 SEND\nTo-Path:   msrps://B.example.com/bbb;tcp msrps://Bob.example.com/bob;tcp\n' +
          'From-Path: msrps://A.example.com/aaa;tcp msrps://Alice.example.com/alice;tcp\nMessage-ID: 87652\n-------blk1$\n',
      );
      const { frames, errors } = parseFrames(before);
      expect(errors).toEqual([]);
      const f = frames[0]!;
      expect(f.toPath).toEqual(['msrps://B.example.com/bbb;tcp', 'msrps://Bob.example.com/bob;tcp']);
      expect(f.headers[0]).toEqual(['To-Path', '  msrps://B.example.com/bbb;tcp msrps://Bob.example.com/bob;tcp']);
      expect(rules(f)).toEqual(['W-12', 'U-04', 'U-04']);
      expect(Buffer.from(serializeFrame(f)).equals(before)).toBe(true);
      const after = ascii(
        'MSRP blk2 SEND\nTo-Path: msrps://Bob.example.com/bob;tcp\n' +
          'From-Path: msrps://B.example.com/bbb;tcp msrps://A.example.com/aaa;tcp msrps://Alice.example.com/alice;tcp\nMessage-ID: 87652\n-------blk2$\n',
      );
      expect(rules(parseFrames(after).frames[0]!)).toEqual(['U-04', 'U-04']);
    });

    it('RFC 4976 §5.1 Authorization printed as a folded line: lenient unfolds it (W-13), strict rejects it', () => {
      const folded = ascii(
        'MSRP 49fi AUTH\nTo-Path: msrps://alice@intra.example.com;tcp\nFrom-Path: msrps://alice.example.com:9892/98cjs;tcp\n' +
          'Authorization: Digest username="Alice",\n               realm="intra.example.com", qop=auth\n-------49fi$\n',
      );
      const lenient = parseFrames(folded);
      expect(lenient.errors).toEqual([]);
      expect(getHeader(lenient.frames[0]!, 'authorization')).toBe('Digest username="Alice", realm="intra.example.com", qop=auth');
      // The unfolded value is then read as Digest credentials (RFC 4976 §7): this shortened one
      // has no nonce and no response, so the relay has nothing to check (malformed, R-16).
      expect(lenient.frames[0]!.violations.map((v) => [v.rule, v.malformed === true])).toEqual([['W-13', false], ['R-16', true]]);
      expect(lenient.frames[0]!.violations[1]!.message).toBe('Authorization: Authorization without nonce');
      const strict = parseFrames(folded, { strict: true });
      expect(strict.frames).toEqual([]);
      expect(rules(strict.errors)).toEqual(['W-13']);
    });
  });
});
