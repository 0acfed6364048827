/**
 * Codec edges judged against the RFC 4975 §9 / RFC 4976 §7 ABNF (docs/tolerance.md): the Digest
 * headers parsed to their grammar, headers that may appear once repeated, and values a
 * receiver cannot act on. Each frame is parsed lenient and strict, whole and at every split:
 * lenient delivers it with its violations, each marked malformed or not (a malformed frame is one
 * a tolerant receiver cannot act on: nodes answer 400, `decode` exits 1); strict refuses it with
 * one error per violation.
 */
import { describe, expect, it } from 'vitest';
import type { MsrpFrame } from '../../src/wire/frame.js';
import type { ParseError, ParserOptions } from '../../src/wire/parser.js';
import { malformedViolation } from '../../src/wire/tolerance.js';
import { parseCuts, parseCutsViews, plain } from './helpers.js';

const TO = 'msrp://bob.example.net:8492/kd83hs7;tcp';
const FROM = 'msrp://alice.example.org:7113/pq71xz;tcp';
const RELAY = 'msrps://relay.example.com;tcp';
const CLIENT = 'msrps://alice.example.org:7113/9di4ea;tcp';
const CHALLENGE = 'Digest realm="relay.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"';
const CREDENTIALS =
  'Digest username="alice", realm="relay.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"';
const INFO = 'qop=auth, rspauth="d3b07384d113edec49eaa6238ad5ff00", cnonce="0a4f113b", nc=00000001';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

/** A SEND with a 5-byte body: `headers` go between Byte-Range and Content-Type. */
function send(headers: string[], opts: { messageId?: string | null; range?: string | null } = {}): Buffer {
  const lines = ['MSRP ce92kd01 SEND', `To-Path: ${TO}`, `From-Path: ${FROM}`];
  if (opts.messageId !== null) lines.push(`Message-ID: ${opts.messageId ?? 'mce001'}`);
  if (opts.range !== null) lines.push(`Byte-Range: ${opts.range ?? '1-5/5'}`);
  return crlf([...lines, ...headers, 'Content-Type: text/plain', '', 'hello', '-------ce92kd01$', '']);
}

/** A bodiless REPORT with the given Status line value. */
function report(headers: string[]): Buffer {
  return crlf(['MSRP ce92kd02 REPORT', `To-Path: ${FROM}`, `From-Path: ${TO}`, 'Message-ID: mce001', 'Byte-Range: 1-5/5', ...headers, '-------ce92kd02$', '']);
}

function auth(headers: string[]): Buffer {
  return crlf(['MSRP ce92kd03 AUTH', `To-Path: ${RELAY}`, `From-Path: ${CLIENT}`, ...headers, '-------ce92kd03$', '']);
}

function response(status: string, headers: string[]): Buffer {
  return crlf([`MSRP ce92kd03 ${status}`, `To-Path: ${CLIENT}`, `From-Path: ${RELAY}`, ...headers, '-------ce92kd03$', '']);
}

/** Parses whole and at every split (also as the simulator does, bodyViews), checking they agree. */
function parse(bytes: Buffer, options?: ParserOptions): { frames: MsrpFrame[]; errors: ParseError[] } {
  const whole = parseCuts(bytes, [], options);
  const expected = { f: whole.frames.map(plain), e: whole.errors };
  for (let cut = 1; cut < bytes.length; cut++) {
    for (const r of [parseCuts(bytes, [cut], options), parseCutsViews(bytes, [cut], (i) => i === 1, options)]) {
      const got = { f: r.frames.map(plain), e: r.errors };
      if (JSON.stringify(got) !== JSON.stringify(expected)) expect({ cut, ...got }).toEqual({ cut, ...expected });
    }
  }
  return whole;
}

interface EdgeCase {
  name: string;
  bytes: Buffer;
  /** Lenient mode: the frame's violations as [rule, malformed]. */
  violations: [rule: string, malformed: boolean][];
}

const M = true; // malformed: a receiver cannot act on the frame
const C = false; // cosmetic: noted, the frame is acted on

const CASES: EdgeCase[] = [
  // ---- Digest headers (RFC 4976 §7, RFC 2617 §3.2; R-16, R-16b) -------------------------------
  { name: 'WWW-Authenticate, well formed', bytes: response('401 Unauthorized', [`WWW-Authenticate: ${CHALLENGE}`]), violations: [] },
  { name: 'Authorization, well formed', bytes: auth([`Authorization: ${CREDENTIALS}`]), violations: [] },
  { name: 'Authentication-Info, well formed', bytes: response('200 OK', ['Use-Path: msrps://relay.example.com:2855/hjdhfds;tcp', 'Expires: 1800', `Authentication-Info: ${INFO}`]), violations: [] },
  { name: 'WWW-Authenticate: Basic realm=...', bytes: response('401 Unauthorized', ['WWW-Authenticate: Basic realm="relay.example.com"']), violations: [['R-16b', M]] },
  { name: 'Authorization: Basic credentials', bytes: auth(['Authorization: Basic YWxpY2U6c2VjcmV0']), violations: [['R-16b', M]] },
  { name: 'WWW-Authenticate: an unterminated quoted string', bytes: response('401 Unauthorized', ['WWW-Authenticate: Digest realm="relay.example.com, qop="auth", nonce="abc']), violations: [['R-16', M]] },
  { name: 'Authorization: Digest =value, name=', bytes: auth(['Authorization: Digest =value, name=']), violations: [['R-16', M]] },
  { name: 'Authorization: an auth-param without "="', bytes: auth(['Authorization: Digest username="alice", realm']), violations: [['R-16', M]] },
  { name: 'Authentication-Info: an auth-param without "="', bytes: response('200 OK', ['Use-Path: msrps://relay.example.com:2855/hjdhfds;tcp', 'Authentication-Info: qop=auth, rspauth']), violations: [['R-16', M]] },
  { name: 'Authentication-Info: an unterminated quoted string', bytes: response('200 OK', ['Use-Path: msrps://relay.example.com:2855/hjdhfds;tcp', 'Authentication-Info: rspauth="d3b07384, qop=auth']), violations: [['R-16', M]] },
  { name: 'WWW-Authenticate: a scheme other than Digest', bytes: response('401 Unauthorized', ['WWW-Authenticate: Bearer realm="x"']), violations: [['R-16', M]] },
  // Understood, but not the MSRP profile: noted; the AUTH exchange decides (R-16e: no qop).
  { name: 'WWW-Authenticate without qop (R-16e)', bytes: response('401 Unauthorized', ['WWW-Authenticate: Digest realm="relay.example.com", nonce="abc"']), violations: [['R-16e', C]] },
  { name: 'Authorization with qop quoted (R-16e)', bytes: auth([`Authorization: ${CREDENTIALS.replace('qop=auth', 'qop="auth"')}`]), violations: [['R-16e', C]] },

  // ---- Headers that may appear once (A-21) ------------------------------------------------------
  { name: 'To-Path twice, same value', bytes: crlf(['MSRP ce92kd01 SEND', `To-Path: ${TO}`, `From-Path: ${FROM}`, `To-Path: ${TO}`, 'Message-ID: mce001', '-------ce92kd01$', '']), violations: [['W-11', C]] },
  { name: 'To-Path twice, other value', bytes: crlf(['MSRP ce92kd01 SEND', `To-Path: ${TO}`, `From-Path: ${FROM}`, `To-Path: ${FROM}`, 'Message-ID: mce001', '-------ce92kd01$', '']), violations: [['W-11', M]] },
  { name: 'From-Path twice, other value', bytes: crlf(['MSRP ce92kd01 SEND', `To-Path: ${TO}`, `From-Path: ${FROM}`, `From-Path: ${TO}`, 'Message-ID: mce001', '-------ce92kd01$', '']), violations: [['W-11', M]] },
  { name: 'Use-Path twice', bytes: response('200 OK', ['Use-Path: msrps://relay.example.com:2855/a1;tcp', 'Use-Path: msrps://relay.example.com:2855/b2;tcp', 'Expires: 900']), violations: [['R-06', M]] },
  { name: 'Message-ID twice', bytes: send(['Message-ID: mce002']), violations: [['W-23', M]] },
  { name: 'Byte-Range twice, other value', bytes: send(['Byte-Range: 1-*/*']), violations: [['W-25', M]] },
  { name: 'Byte-Range twice, same value', bytes: send(['Byte-Range: 1-5/5']), violations: [['W-25', C]] },
  { name: 'Expires twice', bytes: auth(['Expires: 900', 'Expires: 1800']), violations: [['R-05', M]] },
  { name: 'Min-Expires twice', bytes: response('423 Interval Out-of-Bounds', ['Min-Expires: 60', 'Min-Expires: 120']), violations: [['R-05', M]] },
  { name: 'Max-Expires twice', bytes: response('423 Interval Out-of-Bounds', ['Max-Expires: 3600', 'Max-Expires: 7200']), violations: [['R-05', M]] },
  { name: 'Status twice', bytes: report(['Status: 000 200 OK', 'Status: 000 413 Too large']), violations: [['W-28', M]] },
  { name: 'Content-Type twice', bytes: send(['Content-Type: text/html']), violations: [['W-15', C], ['W-15', M]] },
  { name: 'Content-Disposition twice', bytes: send(['Content-Disposition: inline', 'Content-Disposition: attachment']), violations: [['W-15', M]] },
  { name: 'Success-Report twice', bytes: send(['Success-Report: yes', 'Success-Report: no']), violations: [['W-29', M]] },
  { name: 'Failure-Report twice', bytes: send(['Failure-Report: yes', 'Failure-Report: partial']), violations: [['W-29', M]] },
  { name: 'Authorization twice', bytes: auth([`Authorization: ${CREDENTIALS}`, `Authorization: ${CREDENTIALS.replace('alice', 'mallory')}`]), violations: [['R-16', M]] },
  { name: 'WWW-Authenticate twice', bytes: response('401 Unauthorized', [`WWW-Authenticate: ${CHALLENGE}`, `WWW-Authenticate: ${CHALLENGE.replace('dcd98b', 'aaaaaa')}`]), violations: [['R-16', M]] },
  { name: 'an unknown header twice (W-19: ignored, may repeat)', bytes: send(['X-Note: one', 'X-Note: two']), violations: [] },

  // ---- Values a receiver cannot act on ------------------------------------------------------------
  { name: 'Byte-Range not start-end/total', bytes: send([], { range: '1-x/5' }), violations: [['W-25', M]] },
  { name: 'Byte-Range that cannot be (end beyond total)', bytes: send([], { range: '1-5/3' }), violations: [['W-25', M]] },
  { name: 'Status not "000 200"', bytes: report(['Status: 000 2OO OK']), violations: [['W-28', M], ['W-24', C]] },
  { name: 'Expires not a number of seconds', bytes: auth(['Expires: soon']), violations: [['R-05', M]] },
  { name: 'Min-Expires empty', bytes: response('423 Interval Out-of-Bounds', ['Min-Expires: ']), violations: [['R-05', M]] },
  { name: 'Success-Report neither yes nor no', bytes: send(['Success-Report: maybe']), violations: [['W-29', M]] },
  { name: 'Failure-Report not yes, no or partial', bytes: send(['Failure-Report: sometimes']), violations: [['W-29', M]] },
  { name: 'Message-ID empty', bytes: send([], { messageId: '' }), violations: [['W-23', M]] },
  { name: 'Use-Path empty', bytes: response('200 OK', ['Use-Path: ', 'Expires: 900']), violations: [['R-06', M]] },

  // ---- Cosmetic deviations a tolerant receiver accepts --------------------------------------------
  { name: 'header name in lower case', bytes: send(['success-report: no']), violations: [['W-14', C]] },
  { name: 'two SP after the colon', bytes: send(['Success-Report:  no']), violations: [['W-12', C]] },
  { name: 'a tab after the colon', bytes: send(['Success-Report:\tno']), violations: [['W-12', C]] },
  { name: 'white space after a value', bytes: send(['Failure-Report: partial \t']), violations: [['W-12', C]] },
  { name: 'a tab after the colon of Byte-Range, Expires', bytes: auth(['Expires:\t900']), violations: [['W-12', C]] },
  { name: 'Message-ID that is no ident but usable', bytes: send([], { messageId: 'm!' }), violations: [['W-38', C]] },
];

describe('codec edges: lenient delivers with violations marked malformed or not; strict refuses', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const lenient = parse(c.bytes);
      expect(lenient.errors).toEqual([]);
      expect(lenient.frames).toHaveLength(1);
      const f = lenient.frames[0]!;
      expect(f.violations.map((v) => [v.rule, v.malformed === true])).toEqual(c.violations);
      // The frame is malformed (unactionable) exactly when one of its violations is.
      const first = c.violations.find(([, m]) => m);
      expect(malformedViolation(f)?.rule).toBe(first?.[0]);
      const strict = parse(c.bytes, { strict: true });
      expect(strict.frames).toHaveLength(c.violations.length === 0 ? 1 : 0);
      expect(strict.errors.map((e) => e.rule)).toEqual(c.violations.map(([r]) => r));
      expect(strict.errors.every((e) => !e.fatal)).toBe(true);
    });
  }
});
