/**
 * The parser on frames that break the rules a receiver can check: the violation (lenient) or the
 * error (strict) names the rule, the parser recovers at the next frame where framing allows, and
 * the result does not depend on how the stream is split.
 */
import { describe, expect, it } from 'vitest';
import type { MsrpFrame } from '../../src/wire/frame.js';
import { MsrpParser, parseFrames, type ParserOptions } from '../../src/wire/parser.js';
import { ascii, parseCuts, parseStreaming, plain, rules } from './helpers.js';

const TO = 'msrp://bob.example.com:8888/s1bob;tcp';
const FROM = 'msrp://alice.example.com:7777/s2alice;tcp';
const PATHS = `To-Path: ${TO}\nFrom-Path: ${FROM}\n`;

/** A clean frame that follows every case: the parser must be back in step for it. */
const NEXT = ascii(`MSRP next0001 SEND\n${PATHS}Message-ID: mnext001\nByte-Range: 1-2/2\nContent-Type: text/plain\n\nok\n-------next0001$\n`);

const send = (tid: string, headers: string, body: string | null, flag = '$'): string =>
  body === null ? `MSRP ${tid} SEND\n${headers}-------${tid}${flag}\n` : `MSRP ${tid} SEND\n${headers}\n${body}\n-------${tid}${flag}\n`;

interface Case {
  name: string;
  input: Buffer;
  /** Violations of the frame, in order (lenient); strict reports each as a non-fatal error. */
  violations?: string[];
  /** A recoverable error: the frame is dropped in both modes, the next frame parses. */
  error?: string;
  /** A fatal error: nothing after it parses. */
  fatal?: string;
  /** Lenient only (strict is fatal there): e.g. stray CRLFs. */
  strictFatal?: string;
}

const CASES: Case[] = [
  // W-01: protocol tag and method names are upper-case, methods are 1*UPALPHA.
  { name: 'W-01 lower-case protocol tag', input: ascii(`msrp w01a0001 SEND\n${PATHS}Message-ID: m1234\n-------w01a0001$\n`), violations: ['W-01'] },
  { name: 'W-01 lower-case method', input: ascii(`MSRP w01b0001 send\n${PATHS}-------w01b0001$\n`), violations: ['W-01'] },
  { name: 'W-01 method with digits', input: ascii(`MSRP w01c0001 SE1D\n${PATHS}-------w01c0001$\n`), error: 'W-01' },
  { name: 'W-01 four-digit status', input: ascii(`MSRP w01d0001 2000 OK\n${PATHS}-------w01d0001$\n`), error: 'W-01' },
  // W-02: exactly one SP between the start line's parts.
  { name: 'W-02 two SPs after MSRP', input: ascii(`MSRP  w02a0001 SEND\n${PATHS}Message-ID: m1234\n-------w02a0001$\n`), violations: ['W-02'] },
  { name: 'W-02 two SPs after the id', input: ascii(`MSRP w02b0001  SEND\n${PATHS}Message-ID: m1234\n-------w02b0001$\n`), violations: ['W-02'] },
  { name: 'W-02 trailing SP', input: ascii(`MSRP w02c0001 SEND \n${PATHS}Message-ID: m1234\n-------w02c0001$\n`), violations: ['W-02'] },
  { name: 'W-02 text after the method', input: ascii(`MSRP w02d0001 SEND now\n${PATHS}-------w02d0001$\n`), error: 'W-02' },
  { name: 'W-02 no method', input: ascii(`MSRP w02e0001\n${PATHS}-------w02e0001$\n`), error: 'W-02' },
  // W-03: transact-id = ident (4 to 32 of ALPHANUM . - + % =, the first ALPHANUM).
  { name: 'W-03 id too short', input: ascii(`MSRP abc SEND\n${PATHS}Message-ID: m1234\n-------abc$\n`), violations: ['W-03'] },
  { name: 'W-03 id too long', input: ascii(`MSRP ${'a'.repeat(33)} SEND\n${PATHS}Message-ID: m1234\n-------${'a'.repeat(33)}$\n`), violations: ['W-03'] },
  { name: 'W-03 id with other characters', input: ascii(`MSRP w03_x!01 SEND\n${PATHS}Message-ID: m1234\n-------w03_x!01$\n`), violations: ['W-03'] },
  { name: 'W-03 id starting with "-" (its end-line has eight dashes)', input: ascii(`MSRP -w03a001 SEND\n${PATHS}Message-ID: m1234\n--------w03a001$\n`), violations: ['W-03'] },
  { name: 'W-03 id with a control byte (fatal)', input: Buffer.from(`MSRP w03\x01b001 SEND\r\n`, 'latin1'), fatal: 'W-03' },
  { name: 'W-03 no id (fatal)', input: ascii('MSRP  \n'), fatal: 'W-03' },
  // W-06: the end-line's flag.
  { name: 'W-06 end-line with another flag is body, frame ends at the real one', input: ascii(send('w06a0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-30/30\nContent-Type: text/plain\n`, 'x\n-------w06a0001%\nsome more')), violations: [] },
  // W-07: responses always end with "$".
  { name: 'W-07 response with "+"', input: ascii(`MSRP w07a0001 200 OK\n${PATHS}-------w07a0001+\n`), violations: ['W-07'] },
  // W-08: the CRLF before the end-line is not part of the body.
  { name: 'W-08 end-line right after the blank line', input: ascii(`MSRP w08a0001 SEND\n${PATHS}Message-ID: m1234\nByte-Range: 1-0/0\nContent-Type: text/plain\n\n-------w08a0001$\n`), violations: ['W-08'] },
  // W-10: framing between frames.
  { name: 'W-10 junk where a start line is due (fatal)', input: ascii('HTTP/1.1 200 OK\n\n'), fatal: 'W-10' },
  { name: 'W-10 an end-line where a start line is due (fatal)', input: ascii('-------next0001$\n'), fatal: 'W-10' },
  { name: 'W-10 a start line ending with a bare LF (fatal, said at once)', input: Buffer.from('MSRP lf010001 SEND\nTo-Path: x\n', 'latin1'), fatal: 'W-10' },
  { name: 'W-10 stray CRLF between frames', input: ascii(`\n\n${send('w10a0001', `${PATHS}Message-ID: m1234\n`, null)}`), violations: ['W-10', 'W-10'], strictFatal: 'W-10' },
  // W-11: To-Path first, From-Path second.
  { name: 'W-11 no To-Path', input: ascii(`MSRP w11a0001 SEND\nFrom-Path: ${FROM}\nMessage-ID: m1234\n-------w11a0001$\n`), violations: ['W-11', 'W-11'] },
  { name: 'W-11 paths swapped', input: ascii(`MSRP w11b0001 SEND\nFrom-Path: ${FROM}\nTo-Path: ${TO}\nMessage-ID: m1234\n-------w11b0001$\n`), violations: ['W-11', 'W-11'] },
  { name: 'W-11 no From-Path', input: ascii(`MSRP w11c0001 200 OK\nTo-Path: ${TO}\n-------w11c0001$\n`), violations: ['W-11'] },
  { name: 'W-11 empty To-Path', input: ascii(`MSRP w11d0001 200 OK\nTo-Path: \nFrom-Path: ${FROM}\n-------w11d0001$\n`), violations: ['W-11'] },
  // W-12: "name:" SP value; one SP between path URIs. Padding after the colon is cosmetic: the
  // typed value (here the Message-ID) is read without it (docs/tolerance.md).
  { name: 'W-12 no SP after the colon', input: ascii(`MSRP w12a0001 SEND\n${PATHS}Message-ID:m1234\n-------w12a0001$\n`), violations: ['W-12'] },
  { name: 'W-12 two SPs after the colon', input: ascii(`MSRP w12b0001 SEND\n${PATHS}Message-ID:  m1234\n-------w12b0001$\n`), violations: ['W-12'] },
  { name: 'W-12 a tab instead of the SP, reported once', input: ascii(`MSRP w12h0001 SEND\n${PATHS}Message-ID:\tm1234\n-------w12h0001$\n`), violations: ['W-12'] },
  { name: 'W-12 a header line with a bare LF', input: Buffer.concat([ascii(`MSRP w12i0001 SEND\n${PATHS}`), Buffer.from('Message-ID: m1234\nX-Next: 1\r\n-------w12i0001$\r\n', 'latin1')]), error: 'W-12' },
  { name: 'W-12 two SPs between URIs', input: ascii(`MSRP w12c0001 SEND\nTo-Path: ${TO}  ${TO}\nFrom-Path: ${FROM}\nMessage-ID: m1234\n-------w12c0001$\n`), violations: ['W-12'] },
  { name: 'W-12 a header line without a colon', input: ascii(`MSRP w12d0001 SEND\n${PATHS}Message-ID m1234\n-------w12d0001$\n`), error: 'W-12' },
  { name: 'W-12 a header name with a bad character', input: ascii(`MSRP w12e0001 SEND\n${PATHS}Message@ID: m1234\n-------w12e0001$\n`), error: 'W-12' },
  { name: 'W-12 a header name starting with a digit', input: ascii(`MSRP w12f0001 SEND\n${PATHS}1X: y\n-------w12f0001$\n`), error: 'W-12' },
  { name: 'W-12 a dash line that is not the end-line', input: ascii(`MSRP w12g0001 SEND\n${PATHS}-------w12g0001!\n-------w12g0001$\n`), error: 'W-12' },
  // W-13: no line folding.
  { name: 'W-13 folded first header', input: ascii(`MSRP w13a0001 SEND\n To-Path: ${TO}\n-------w13a0001$\n`), error: 'W-13' },
  // W-14: header names and literal values in any case (canonical case is what senders write).
  { name: 'W-14 header name case', input: ascii(`MSRP w14a0001 SEND\nto-path: ${TO}\nFROM-PATH: ${FROM}\nmessage-id: m1234\n-------w14a0001$\n`), violations: ['W-14', 'W-14', 'W-14'] },
  { name: 'W-14 report value case', input: ascii(`MSRP w14b0001 SEND\n${PATHS}Message-ID: m1234\nSuccess-Report: YES\nFailure-Report: Partial\n-------w14b0001$\n`), violations: ['W-14', 'W-14'] },
  // W-15: a body needs Content-Type, last.
  { name: 'W-15 body without Content-Type', input: ascii(send('w15a0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-2/2\n`, 'hi')), violations: ['W-15'] },
  { name: 'W-15 header after Content-Type', input: ascii(send('w15b0001', `${PATHS}Message-ID: m1234\nContent-Type: text/plain\nByte-Range: 1-2/2\n`, 'hi')), violations: ['W-15'] },
  { name: 'W-15 empty Content-Type', input: ascii(send('w15c0001', `${PATHS}Message-ID: m1234\nContent-Type: \n`, 'hi')), violations: ['W-15'] },
  { name: 'W-15 Content-Type twice', input: ascii(send('w15d0001', `${PATHS}Message-ID: m1234\nContent-Type: text/plain\nContent-Type: text/html\n`, 'hi')), violations: ['W-15', 'W-15'] },
  // W-16: a bodiless request has no MIME headers and no extra CRLF.
  { name: 'W-16 bodiless request with Content-Type', input: ascii(send('w16a0001', `${PATHS}Message-ID: m1234\nContent-Type: text/plain\n`, null)), violations: ['W-16'] },
  { name: 'W-16 bodiless request with Content-ID', input: ascii(send('w16b0001', `${PATHS}Message-ID: m1234\nContent-ID: <x@y>\n`, null)), violations: ['W-16'] },
  { name: 'W-16 extra CRLF before the end-line', input: ascii(`MSRP w16c0001 SEND\n${PATHS}Message-ID: m1234\n\n-------w16c0001$\n`), violations: ['W-16'] },
  // W-18: responses have no body.
  { name: 'W-18 response with a body', input: ascii(`MSRP w18a0001 200 OK\n${PATHS}\nbody\n-------w18a0001$\n`), violations: ['W-18'] },
  { name: 'W-18 response with a blank line', input: ascii(`MSRP w18b0001 200 OK\n${PATHS}\n-------w18b0001$\n`), violations: ['W-18'] },
  // W-20: no Content-Transfer-Encoding.
  { name: 'W-20 Content-Transfer-Encoding', input: ascii(send('w20a0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-4/4\nContent-Transfer-Encoding: base64\nContent-Type: text/plain\n`, 'aGk=')), violations: ['W-20'] },
  // W-22 (i): responses with just the two paths are fine.
  { name: 'W-22 response with only To-Path and From-Path', input: ascii(`MSRP w22a0001 200 OK\n${PATHS}-------w22a0001$\n`), violations: [] },
  { name: 'W-22 response without comment', input: ascii(`MSRP w22b0001 200\n${PATHS}-------w22b0001$\n`), violations: [] },
  // W-23 / W-38: SEND carries one Message-ID, an ident.
  { name: 'W-23 SEND without Message-ID', input: ascii(send('w23a0001', PATHS, null)), violations: ['W-23'] },
  { name: 'W-23 two Message-IDs', input: ascii(send('w23b0001', `${PATHS}Message-ID: m1234\nMessage-ID: m5678\n`, null)), violations: ['W-23'] },
  { name: 'W-38 Message-ID not an ident', input: ascii(send('w38a0001', `${PATHS}Message-ID: m!\n`, null)), violations: ['W-38'] },
  // W-24: REPORT has Message-ID and Status, no report headers.
  { name: 'W-24 REPORT without Status', input: ascii(`MSRP w24a0001 REPORT\n${PATHS}Message-ID: m1234\n-------w24a0001$\n`), violations: ['W-24'] },
  { name: 'W-24 REPORT without Message-ID', input: ascii(`MSRP w24b0001 REPORT\n${PATHS}Status: 000 200 OK\n-------w24b0001$\n`), violations: ['W-24'] },
  { name: 'W-24 REPORT with Success-Report', input: ascii(`MSRP w24c0001 REPORT\n${PATHS}Message-ID: m1234\nSuccess-Report: yes\nStatus: 000 200 OK\n-------w24c0001$\n`), violations: ['W-24'] },
  { name: 'W-28 malformed Status', input: ascii(`MSRP w28a0001 REPORT\n${PATHS}Message-ID: m1234\nStatus: 200 OK\n-------w28a0001$\n`), violations: ['W-28', 'W-24'] },
  // W-25 / W-26: Byte-Range.
  { name: 'W-25 malformed Byte-Range', input: ascii(send('w25a0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-2\nContent-Type: text/plain\n`, 'hi')), violations: ['W-25'] },
  { name: 'W-25 range-start 0', input: ascii(send('w25b0001', `${PATHS}Message-ID: m1234\nByte-Range: 0-1/2\nContent-Type: text/plain\n`, 'hi')), violations: ['W-25'] },
  { name: 'W-25 range-end before range-start', input: ascii(send('w25c0001', `${PATHS}Message-ID: m1234\nByte-Range: 5-2/9\nContent-Type: text/plain\n`, 'hi')), violations: ['W-25', 'W-25'] },
  { name: 'W-25 range-end beyond total', input: ascii(send('w25d0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-2/1\nContent-Type: text/plain\n`, 'hi')), violations: ['W-25'] },
  { name: 'W-25 range disagrees with the body', input: ascii(send('w25e0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-3/3\nContent-Type: text/plain\n`, 'hi')), violations: ['W-25'] },
  { name: 'W-25 last chunk short of total', input: ascii(send('w25f0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-*/3\nContent-Type: text/plain\n`, 'hi')), violations: ['W-25'] },
  { name: 'W-26 empty SEND not 1-0/0', input: ascii(`MSRP w26a0001 SEND\n${PATHS}Message-ID: m1234\nByte-Range: 2-1/0\nContent-Type: text/plain\n\n\n-------w26a0001$\n`), violations: ['W-25', 'W-26'] },
  // An empty chunk part-way through a longer message is not an empty message (docs/ambiguities.md).
  { name: 'W-26 an empty abort chunk of a longer message is fine', input: ascii(`MSRP w26c0001 SEND\n${PATHS}Message-ID: m1234\nByte-Range: 4097-*/10000\nContent-Type: text/plain\n\n\n-------w26c0001#\n`), violations: [] },
  { name: 'W-26 an empty last chunk of a longer message is fine', input: ascii(`MSRP w26d0001 SEND\n${PATHS}Message-ID: m1234\nByte-Range: 4-3/3\nContent-Type: text/plain\n\n\n-------w26d0001$\n`), violations: [] },
  { name: 'W-26 empty SEND with 1-0/0 is fine', input: ascii(`MSRP w26b0001 SEND\n${PATHS}Message-ID: m1234\nByte-Range: 1-0/0\nContent-Type: text/plain\n\n\n-------w26b0001$\n`), violations: [] },
  // W-29: report values.
  { name: 'W-29 Success-Report maybe', input: ascii(send('w29a0001', `${PATHS}Message-ID: m1234\nSuccess-Report: maybe\n`, null)), violations: ['W-29'] },
  { name: 'W-29 Failure-Report always', input: ascii(send('w29b0001', `${PATHS}Message-ID: m1234\nFailure-Report: always\n`, null)), violations: ['W-29'] },
  // W-31: big chunks are interruptible.
  { name: 'W-31 3000-byte chunk with a range-end', input: ascii(send('w31a0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-3000/3000\nContent-Type: text/plain\n`, 'x'.repeat(3000))), violations: ['W-31'] },
  // W-34: non-SEND bodies up to 10240.
  { name: 'W-34 REPORT body over 10240', input: ascii(`MSRP w34a0001 REPORT\n${PATHS}Message-ID: m1234\nStatus: 000 200 OK\nContent-Type: text/plain\n\n${'r'.repeat(10241)}\n-------w34a0001$\n`), violations: ['W-34'] },
  // U-01, U-02, U-04: path URIs.
  { name: 'U-01 not an MSRP URI', input: ascii(`MSRP u01a0001 200 OK\nTo-Path: sip:bob@example.com\nFrom-Path: ${FROM}\n-------u01a0001$\n`), violations: ['U-01'] },
  { name: 'U-02 URI without transport', input: ascii(`MSRP u02a0001 200 OK\nTo-Path: msrp://bob.example.com:8888/s1\nFrom-Path: ${FROM}\n-------u02a0001$\n`), violations: ['U-02'] },
  { name: 'U-04 SEND To-Path URI without port', input: ascii(send('u04a0001', `To-Path: msrp://bob.example.com/s1;tcp\nFrom-Path: ${FROM}\nMessage-ID: m1234\n`, null)), violations: ['U-04'] },
  { name: 'U-04 AUTH To-Path without port is allowed', input: ascii(`MSRP u04b0001 AUTH\nTo-Path: msrps://relay.example.com;tcp\nFrom-Path: ${FROM}\n-------u04b0001$\n`), violations: [] },
  { name: 'U-10 Use-Path URI without port', input: ascii(`MSRP u10a0001 200 OK\n${PATHS}Use-Path: msrps://relay.example.com/t1;tcp\nExpires: 900\n-------u10a0001$\n`), violations: ['U-04'] },
  // R-05: Expires values.
  { name: 'R-05 Expires not a number', input: ascii(`MSRP r05a0001 AUTH\n${PATHS}Expires: soon\n-------r05a0001$\n`), violations: ['R-05'] },
];

/** Parses case + NEXT at every split (and whole) and checks they all agree. */
function parseEverySplit(bytes: Buffer, options?: ParserOptions) {
  const whole = parseCuts(bytes, [], options);
  const expected = JSON.stringify({ f: whole.frames.map(plain), e: whole.errors });
  const step = bytes.length > 2000 ? 97 : 1;
  for (let cut = 1; cut < bytes.length; cut += step) {
    const r = parseCuts(bytes, [cut], options);
    const got = JSON.stringify({ f: r.frames.map(plain), e: r.errors });
    if (got !== expected) expect({ cut, f: r.frames.map(plain), e: r.errors }).toEqual({ cut, f: whole.frames.map(plain), e: whole.errors });
  }
  return whole;
}

describe('malformed frames, rule by rule', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const bytes = Buffer.concat([c.input, NEXT]);

      it('lenient', () => {
        const { frames, errors, parser } = parseEverySplit(bytes);
        if (c.fatal !== undefined) {
          expect(frames).toEqual([]);
          expect(errors.map((e) => [e.rule, e.fatal])).toEqual([[c.fatal, true]]);
          expect(parser.failed).toBe(true);
          return;
        }
        if (c.error !== undefined) {
          expect(errors.map((e) => [e.rule, e.fatal])).toEqual([[c.error, false]]);
          expect(frames.map((f) => f.transactionId)).toEqual(['next0001']);
          return;
        }
        expect(errors).toEqual([]);
        expect(frames).toHaveLength(2);
        expect(rules(frames[0]!)).toEqual(c.violations);
        for (const v of frames[0]!.violations) {
          expect(v.offset).toBeGreaterThanOrEqual(0);
          expect(v.offset).toBeLessThan(c.input.length);
        }
        expect(frames[1]!.transactionId).toBe('next0001');
        expect(frames[1]!.violations).toEqual([]);
      });

      it('strict', () => {
        const { frames, errors, parser } = parseEverySplit(bytes, { strict: true });
        const fatal = c.fatal ?? c.strictFatal;
        if (fatal !== undefined) {
          expect(frames).toEqual([]);
          expect(errors.map((e) => [e.rule, e.fatal])).toEqual([[fatal, true]]);
          expect(parser.failed).toBe(true);
          return;
        }
        const expected = c.error !== undefined ? [c.error] : c.violations!;
        expect(rules(errors)).toEqual(expected);
        expect(errors.every((e) => !e.fatal && typeof e.offset === 'number' && e.transactionId !== undefined)).toBe(true);
        expect(frames.map((f) => f.transactionId)).toEqual(expected.length > 0 ? ['next0001'] : [frames[0]?.transactionId, 'next0001']);
      });
    });
  }
});

describe('framing', () => {
  it('tells a bodiless request (W-16) from an empty body (W-17)', () => {
    const bodiless = parseFrames(ascii(send('bodiless', `${PATHS}Message-ID: m1234\n`, null))).frames[0]!;
    const empty = parseFrames(ascii(`MSRP emptybdy SEND\n${PATHS}Message-ID: m1234\nByte-Range: 1-0/0\nContent-Type: text/plain\n\n\n-------emptybdy$\n`)).frames[0]!;
    expect(bodiless.kind === 'request' && bodiless.body).toBeNull();
    expect(empty.kind === 'request' && empty.body).toEqual(new Uint8Array(0));
    expect(empty.violations).toEqual([]);
  });

  it('ends a body only at CRLF + its own end-line (W-10)', () => {
    const body = [
      '-------next0001$', // another frame's end-line, at the start of the body
      '-------tricky01', // its own id without a flag
      '-------tricky01$x', // its own id + flag + not CRLF
      '-------tricky01+ ', // flag then SP
      'x-------tricky01$', // not at a line start
      '------tricky01$', // six dashes
      '--------tricky01$', // eight dashes
      '-------tricky0$', // a prefix of the id
      '-------tricky012$', // a longer id
      '-------TRICKY01$', // other case
      '\r-------tricky01$', // CR without LF before it
    ].join('\r\n');
    const frame = Buffer.concat([
      ascii(`MSRP tricky01 SEND\n${PATHS}Message-ID: m1234\nContent-Type: text/plain\n\n`),
      Buffer.from(body, 'latin1'),
      ascii('\n-------tricky01+\n'),
      NEXT,
    ]);
    const { frames, errors } = parseEverySplit(frame);
    expect(errors).toEqual([]);
    expect(frames).toHaveLength(2);
    const f = frames[0]!;
    expect(f.kind === 'request' && Buffer.from(f.body!).toString('latin1')).toBe(body);
    expect(f.continuation).toBe('+');
  });

  it('finds an end-line that straddles two slices after a large body, wherever the cut', () => {
    for (const range of ['1-*/*', '1-3000/3000', '1-10/10']) {
      // Near-misses just before the real end-line: they too straddle the cuts.
      const body = `${'b'.repeat(2950)}\r\n-------big00001\r\n-------big0000$\r\n-------big00001`;
      const bytes = Buffer.concat([
        ascii(`MSRP big00001 SEND\n${PATHS}Message-ID: m1234\nByte-Range: ${range}\nContent-Type: text/plain\n\n`),
        Buffer.from(body, 'latin1'),
        ascii('\n-------big00001$\n'),
        NEXT,
      ]);
      const whole = parseCuts(bytes, []);
      expect(whole.errors).toEqual([]);
      const f = whole.frames[0]!;
      expect(f.kind === 'request' && Buffer.from(f.body!).toString('latin1')).toBe(body);
      const expected = JSON.stringify(whole.frames.map(plain));
      const endLine = bytes.length - NEXT.length - 18;
      for (let cut = endLine - 80; cut < bytes.length; cut++) {
        for (const second of [0, 7, 40]) {
          const cuts = second === 0 || cut + second >= bytes.length ? [cut] : [cut, cut + second];
          const r = parseCuts(bytes, cuts);
          expect(r.errors).toEqual([]);
          if (JSON.stringify(r.frames.map(plain)) !== expected) expect({ cuts, frames: r.frames.map(plain) }).toEqual({ cuts, frames: whole.frames.map(plain) });
        }
      }
    }
  });

  it('gives each frame the same fields and violations as a fresh parser would (repeated lines)', () => {
    const noPort = 'To-Path: msrp://bob.example.com/s1;tcp\n';
    const frames = [
      send('ctx00001', `${noPort}From-Path: ${FROM}\nMessage-ID: m1234\n`, null), // U-04
      `MSRP ctx00002 AUTH\n${noPort}From-Path: ${FROM}\n-------ctx00002$\n`, // AUTH: no U-04
      send('ctx00003', `${noPort}From-Path: ${FROM}\nMessage-ID: m1234\n`, null), // U-04 again
      send('ctx00004', `From-Path: ${FROM}\n${noPort}Message-ID: m1234\n`, null), // lines swapped: W-11 x2
      send('ctx00005', `${noPort}From-Path: ${FROM}\nMessage-ID: m1234\nMessage-ID: m1234\n`, null), // a second Message-ID
      send('ctx00006', `${PATHS}message-id: m1234\nContent-Type: text/plain\nX-After: 1\n`, 'hi'), // W-14, W-15
      send('ctx00007', `${PATHS}message-id: m1234\nContent-Type: text/plain\nX-After: 1\n`, 'hi'), // the same again
      `MSRP ctx00008 200 OK\n${noPort}From-Path: ${FROM}\n-------ctx00008$\n`, // a response: no U-04
    ].map(ascii);
    // Offsets are stream offsets, so they differ; everything else must not.
    const withoutOffsets = (f: MsrpFrame) => plain({ ...f, violations: f.violations.map((v) => ({ rule: v.rule, message: v.message })) });
    const together = parseFrames(Buffer.concat(frames)).frames;
    const alone = frames.map((f) => parseFrames(f).frames[0]!);
    expect(together.map(withoutOffsets)).toEqual(alone.map(withoutOffsets));
    expect(together.map((f) => rules(f))).toEqual([['U-04'], [], ['U-04'], ['W-11', 'W-11', 'U-04'], ['U-04', 'W-23'], ['W-14', 'W-15'], ['W-14', 'W-15'], []]);
  });

  it('carries binary bodies with every byte value, bare CRs and LFs', () => {
    const body = Buffer.alloc(1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 37 + 11) & 0xff;
    body.write('\r\n-------bin00001', 300, 'latin1');
    body.write('\r\n-------bin00001\r\n', 700, 'latin1');
    const bytes = Buffer.concat([
      ascii(`MSRP bin00001 SEND\n${PATHS}Message-ID: m1234\nByte-Range: 1-*/*\nContent-Type: application/octet-stream\n\n`),
      body,
      ascii('\n-------bin00001#\n'),
    ]);
    const { frames, errors } = parseEverySplit(bytes);
    expect(errors).toEqual([]);
    const f = frames[0]!;
    expect(f.kind === 'request' && Buffer.from(f.body!).equals(body)).toBe(true);
    expect(f.continuation).toBe('#');
  });

  it('decodes UTF-8 header values and comments, ASCII ones as they are', () => {
    const bytes = Buffer.from(
      `MSRP utf8resp 200 Très bien\r\n${PATHS.replace(/\n/g, '\r\n')}X-Note: naïve café ✓\r\n-------utf8resp$\r\n`,
      'utf8',
    );
    const f = parseFrames(bytes).frames[0]!;
    expect(f.kind === 'response' && f.comment).toBe('Très bien');
    expect(f.headers[2]).toEqual(['X-Note', 'naïve café ✓']);
  });

  it('keeps unknown headers in order (W-19) and recognizes MIME ones', () => {
    const f = parseFrames(
      ascii(send('unknown1', `${PATHS}Message-ID: m1234\nX-Foo: 1\nContent-Disposition: inline\nContent-Language: en\nContent-Type: text/plain\n`, 'hi')),
    ).frames[0]!;
    expect(f.headers.map((h) => h[0])).toEqual(['To-Path', 'From-Path', 'Message-ID', 'X-Foo', 'Content-Disposition', 'Content-Language', 'Content-Type']);
    expect(f.violations).toEqual([]);
    const bad = parseFrames(ascii(send('unknown2', `${PATHS}Message-ID: m1234\nContent-Language: en\n`, null))).frames[0]!;
    expect(rules(bad)).toEqual(['W-16']);
  });

  it('decodes every typed header', () => {
    const f = parseFrames(
      ascii(
        `MSRP typed001 AUTH\n${PATHS}Message-ID: m1234\nByte-Range: 3-*/10\nSuccess-Report: no\nFailure-Report: partial\nStatus: 000 413 Too much\n` +
          'Expires: 900\nMin-Expires: 60\nMax-Expires: 3600\nUse-Path: msrps://r.example.com:9000/a;tcp msrps://s.example.com:9001/b;tcp\n-------typed001$\n',
      ),
    ).frames[0]!;
    expect(f).toMatchObject({
      messageId: 'm1234',
      byteRange: { start: 3, end: null, total: 10 },
      successReport: 'no',
      failureReport: 'partial',
      status: { namespace: 0, code: 413, comment: 'Too much' },
      expires: 900,
      minExpires: 60,
      maxExpires: 3600,
      usePath: ['msrps://r.example.com:9000/a;tcp', 'msrps://s.example.com:9001/b;tcp'],
    });
  });

  it('parses several frames from one slice and a frame from many', () => {
    const stream = Buffer.concat([NEXT, NEXT, NEXT]);
    expect(parseFrames(stream).frames).toHaveLength(3);
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    expect(parseCuts(stream, cuts).frames).toHaveLength(3);
  });

  it('accepts ids of any VCHAR in lenient mode (framing still works)', () => {
    const f = parseFrames(ascii(send('a~b', `${PATHS}Message-ID: m1234\n`, 'x'))).frames[0]!;
    expect(f.transactionId).toBe('a~b');
    expect(rules(f)).toEqual(['W-03', 'W-15']);
  });

  it('the stream ending inside a frame is a fatal W-06 at the frame start', () => {
    const bytes = Buffer.concat([NEXT, ascii(`MSRP cut00001 SEND\n${PATHS}`)]);
    const { frames, errors, parser } = parseCuts(bytes, []);
    expect(frames).toHaveLength(1);
    expect(errors).toEqual([{ rule: 'W-06', message: expect.any(String), offset: NEXT.length, fatal: true, transactionId: 'cut00001' }]);
    expect(parser.failed).toBe(true);
    const partialStart = parseCuts(Buffer.concat([NEXT, ascii('MSRP cut')]), []);
    expect(partialStart.errors.map((e) => [e.rule, e.offset, e.fatal])).toEqual([['W-06', NEXT.length, true]]);
    expect(parseCuts(NEXT, []).errors).toEqual([]);
  });

  it('ignores input after a fatal error and after end()', () => {
    const errors: unknown[] = [];
    let frames = 0;
    const p = new MsrpParser({ frame: () => frames++, error: (e) => errors.push(e) });
    p.push(ascii('JUNK\n'));
    expect(p.failed).toBe(true);
    expect(p.offset).toBe(0);
    p.push(NEXT);
    expect(frames).toBe(0);
    expect(errors).toHaveLength(1);
    const q = new MsrpParser({ frame: () => frames++, error: (e) => errors.push(e) });
    q.push(NEXT);
    expect(q.offset).toBe(NEXT.length);
    q.end();
    q.push(NEXT);
    expect(frames).toBe(1);
  });

  it('never throws, even when the sink does not stream', () => {
    const p = new MsrpParser({ frame: () => undefined, error: () => undefined }, { streamBodies: true });
    expect(() => p.push(Buffer.concat([NEXT, NEXT]))).not.toThrow();
  });
});

describe('limits (W-39)', () => {
  const big = (n: number) => 'x'.repeat(n);

  it('an over-long start line is fatal, with its offset, without buffering it all', () => {
    const p = parseCuts(Buffer.concat([NEXT, ascii(`MSRP ${big(100)}`)]), [], { maxLineLength: 64 }, false);
    expect(p.errors.map((e) => [e.rule, e.offset, e.fatal])).toEqual([['W-39', NEXT.length, true]]);
    expect(p.frames).toHaveLength(1);
    expect(p.parser.bufferedBytes).toBe(0);
  });

  it('an over-long header line drops the frame and parsing goes on', () => {
    const bytes = Buffer.concat([ascii(send('long0001', `${PATHS}X-Long: ${big(200)}\n`, null)), NEXT]);
    const { frames, errors } = parseEverySplit(bytes, { maxLineLength: 100 });
    expect(errors.map((e) => [e.rule, e.fatal, e.transactionId])).toEqual([['W-39', false, 'long0001']]);
    expect(errors[0]!.offset).toBe(ascii(`MSRP long0001 SEND\n${PATHS}`).length);
    expect(frames.map((f) => f.transactionId)).toEqual(['next0001']);
  });

  it('too many header fields', () => {
    const bytes = Buffer.concat([ascii(send('many0001', `${PATHS}${'X-A: 1\n'.repeat(10)}`, null)), NEXT]);
    const { frames, errors } = parseEverySplit(bytes, { maxHeaderCount: 8 });
    expect(errors.map((e) => [e.rule, e.fatal])).toEqual([['W-39', false]]);
    expect(frames.map((f) => f.transactionId)).toEqual(['next0001']);
  });

  it('a header section too large', () => {
    const bytes = Buffer.concat([ascii(send('hdrs0001', `${PATHS}${'X-A: 0123456789\n'.repeat(30)}`, null)), NEXT]);
    const { frames, errors } = parseEverySplit(bytes, { maxHeaderBytes: 300 });
    expect(errors.map((e) => [e.rule, e.fatal])).toEqual([['W-39', false]]);
    expect(frames.map((f) => f.transactionId)).toEqual(['next0001']);
  });

  it('a body too large: skipped with bounded memory, then parsing goes on', () => {
    const body = big(50_000);
    const bytes = Buffer.concat([ascii(send('body0001', `${PATHS}Message-ID: m1234\nContent-Type: text/plain\n`, body)), NEXT]);
    const { frames, errors } = parseEverySplit(bytes, { maxBodySize: 10_000 });
    expect(errors.map((e) => [e.rule, e.fatal])).toEqual([['W-39', false]]);
    expect(errors[0]!.offset).toBe(ascii(`MSRP body0001 SEND\n${PATHS}Message-ID: m1234\nContent-Type: text/plain\n\n`).length);
    expect(frames.map((f) => f.transactionId)).toEqual(['next0001']);
    // In 1000-byte slices the internal buffer never holds more than a slice and a bit.
    const cuts = Array.from({ length: Math.floor(bytes.length / 1000) }, (_, i) => (i + 1) * 1000);
    let max = 0;
    const p = new MsrpParser({ frame: () => undefined, error: () => undefined }, { maxBodySize: 10_000 });
    let at = 0;
    for (const c of [...cuts, bytes.length]) {
      p.push(bytes.subarray(at, c));
      at = c;
      max = Math.max(max, p.bufferCapacity);
    }
    expect(max).toBeLessThanOrEqual(16 * 1024);
  });

  it('an end-line that never comes is fatal after the skip budget', () => {
    const errors: { rule: string; fatal: boolean }[] = [];
    const p = new MsrpParser({ frame: () => undefined, error: (e) => errors.push(e) }, { maxBodySize: 1000, maxHeaderBytes: 1000 });
    p.push(ascii(`MSRP skip0001 SEND\n${PATHS}X-Bad line\n\n`));
    const junk = Buffer.alloc(500, 0x61);
    for (let i = 0; i < 10 && !p.failed; i++) p.push(junk);
    expect(errors.map((e) => [e.rule, e.fatal])).toEqual([
      ['W-12', false],
      ['W-39', true],
    ]);
  });
});

describe('streamBodies mode', () => {
  it('hands out head, pieces and end; responses as frames; same at every split', () => {
    const body = 'y'.repeat(5000);
    const bytes = Buffer.concat([
      ascii(send('strm0001', `${PATHS}Message-ID: m1234\nByte-Range: 1-*/*\nContent-Type: text/plain\n`, body, '+')),
      ascii(`MSRP strm0002 200 OK\n${PATHS}-------strm0002$\n`),
      ascii(send('strm0003', `${PATHS}Message-ID: m1234\n`, null)),
      NEXT,
    ]);
    const whole = parseStreaming(bytes, []);
    expect(whole.errors).toEqual([]);
    expect(whole.events).toHaveLength(4);
    expect(whole.events[0]).toMatchObject({ head: { transactionId: 'strm0001', body: null, continuation: '+' }, end: '+' });
    expect((whole.events[0] as { body: number[] }).body).toHaveLength(5000);
    expect(whole.events[1]).toMatchObject({ frame: { transactionId: 'strm0002', statusCode: 200 } });
    expect(whole.events[2]).toMatchObject({ head: { transactionId: 'strm0003', body: null }, body: [], end: '$' });
    for (let cut = 1; cut < bytes.length; cut += 13) expect(parseStreaming(bytes, [cut])).toEqual(whole);
  });

  it('puts body-length violations on the head before end()', () => {
    let atEnd: string[] = [];
    let head: { violations: { rule: string }[] } | null = null;
    const p = new MsrpParser(
      {
        frame: () => undefined,
        error: () => undefined,
        head: (h) => (head = h),
        bodyPiece: () => undefined,
        end: () => (atEnd = head!.violations.map((v) => v.rule)),
      },
      { streamBodies: true },
    );
    p.push(ascii(send('strm0004', `${PATHS}Message-ID: m1234\nByte-Range: 1-9/9\nContent-Type: text/plain\n`, 'short')));
    expect(atEnd).toEqual(['W-25']);
  });

  it('does not apply maxBodySize to streamed bodies (they are not buffered)', () => {
    const events: string[] = [];
    const p = new MsrpParser(
      { frame: () => undefined, error: (e) => events.push(`error ${e.rule}`), head: () => events.push('head'), bodyPiece: () => undefined, end: (c) => events.push(`end ${c}`) },
      { streamBodies: true, maxBodySize: 10 },
    );
    p.push(ascii(send('strm0005', `${PATHS}Message-ID: m1234\nContent-Type: text/plain\n`, 'z'.repeat(100))));
    p.push(NEXT);
    expect(events).toEqual(['head', 'end $', 'head', 'end $']);
  });

  it('strict mode rejects a bad head before streaming it', () => {
    const bytes = Buffer.concat([ascii(send('strm0006', `${PATHS}Content-Type: text/plain\n`, 'body')), NEXT]);
    const r = parseStreaming(bytes, [], { strict: true });
    expect(rules(r.errors)).toEqual(['W-23']);
    expect(r.events).toHaveLength(1);
  });
});
