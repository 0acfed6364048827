import { describe, expect, it } from 'vitest';
import { canonicalizeFrame } from '../../src/wire/builder.js';
import {
  byteRangeProblem,
  canonicalHeaderName,
  formatByteRange,
  formatStatus,
  getHeader,
  getHeaders,
  headerRank,
  isIdent,
  isMimeHeader,
  parseByteRange,
  parseDeltaSeconds,
  parseFailureReport,
  parsePathHeader,
  parseStatus,
  parseSuccessReport,
  pathHeaderSpacingOk,
  sortHeaders,
  pathUriProblem,
} from '../../src/wire/headers.js';
import { parseFrames } from '../../src/wire/parser.js';
import { serializeFrame } from '../../src/wire/serializer.js';
import { ascii } from './helpers.js';

describe('Byte-Range', () => {
  it('parses and formats start-end/total with "*"', () => {
    expect(parseByteRange('1-25/25')).toEqual({ start: 1, end: 25, total: 25 });
    expect(parseByteRange('1-*/8')).toEqual({ start: 1, end: null, total: 8 });
    expect(parseByteRange('138-148/*')).toEqual({ start: 138, end: 148, total: null });
    expect(parseByteRange('1-*/*')).toEqual({ start: 1, end: null, total: null });
    expect(parseByteRange('1-0/0')).toEqual({ start: 1, end: 0, total: 0 });
    for (const bad of ['', '1-2', '-1/2', '1-/2', '1-2/', 'a-2/3', '1-2/3x', ' 1-2/3', '1-2-3/4', '+1-2/3', '1-**/2', '1234567890123456-1/2']) {
      expect(parseByteRange(bad)).toBeNull();
    }
    expect(formatByteRange({ start: 5, end: null, total: 8 })).toBe('5-*/8');
    expect(formatByteRange({ start: 1, end: 0, total: 0 })).toBe('1-0/0');
  });

  it('says what is wrong with the numbers (W-25)', () => {
    expect(byteRangeProblem({ start: 1, end: 0, total: 0 })).toBeNull();
    expect(byteRangeProblem({ start: 0, end: 1, total: 2 })).toMatch(/below 1/);
    expect(byteRangeProblem({ start: 5, end: 3, total: null })).toMatch(/before range-start/);
    expect(byteRangeProblem({ start: 1, end: 9, total: 8 })).toMatch(/beyond total/);
    expect(byteRangeProblem({ start: 10, end: null, total: 8 })).toMatch(/beyond total/);
  });
});

describe('Status, reports, Expires', () => {
  it('Status: namespace SP code [SP comment] (W-28)', () => {
    expect(parseStatus('000 200 OK')).toEqual({ namespace: 0, code: 200, comment: 'OK' });
    expect(parseStatus('000 408')).toEqual({ namespace: 0, code: 408, comment: null });
    expect(parseStatus('000 200 ')).toEqual({ namespace: 0, code: 200, comment: '' });
    for (const bad of ['200 OK', '000  200', '00 200', '000 2000', '000-200', 'abc 200']) expect(parseStatus(bad)).toBeNull();
    expect(formatStatus({ namespace: 0, code: 200, comment: 'OK' })).toBe('000 200 OK');
    expect(formatStatus({ namespace: 0, code: 8, comment: null })).toBe('000 008');
  });

  it('report values, any case (W-14, W-29)', () => {
    expect(parseSuccessReport('yes')).toBe('yes');
    expect(parseSuccessReport('No')).toBe('no');
    expect(parseSuccessReport('partial')).toBeNull();
    expect(parseFailureReport('PARTIAL')).toBe('partial');
    expect(parseFailureReport('maybe')).toBeNull();
  });

  it('delta seconds', () => {
    expect(parseDeltaSeconds('900')).toBe(900);
    expect(parseDeltaSeconds('')).toBe(-1);
    expect(parseDeltaSeconds('9 ')).toBe(-1);
    expect(parseDeltaSeconds('-1')).toBe(-1);
  });
});

describe('names', () => {
  it('canonical names, MIME headers, ranks', () => {
    expect(canonicalHeaderName('to-path')).toBe('To-Path');
    expect(canonicalHeaderName('WWW-AUTHENTICATE')).toBe('WWW-Authenticate');
    expect(canonicalHeaderName('x-foo')).toBe('x-foo');
    expect(isMimeHeader('Content-Type')).toBe(true);
    expect(isMimeHeader('content-language')).toBe(true);
    expect(isMimeHeader('Content')).toBe(false);
    expect(isMimeHeader('X-Content-Type')).toBe(false);
    expect(headerRank('To-Path')).toBeLessThan(headerRank('From-Path'));
    expect(headerRank('X-Foo')).toBeLessThan(headerRank('Content-ID'));
    expect(headerRank('Content-ID')).toBeLessThan(headerRank('content-type'));
    expect(sortHeaders([['Content-Type', 'a'], ['X', '1'], ['From-Path', 'f'], ['Content-ID', 'i'], ['To-Path', 't'], ['Y', '2']])).toEqual([
      ['To-Path', 't'], ['From-Path', 'f'], ['X', '1'], ['Y', '2'], ['Content-ID', 'i'], ['Content-Type', 'a'],
    ]);
  });

  it('getHeader is case-insensitive (W-14)', () => {
    const f = { headers: [['To-Path', 'a'], ['x-foo', '1'], ['X-FOO', '2']] as [string, string][] };
    expect(getHeader(f, 'to-path')).toBe('a');
    expect(getHeader(f, 'X-Foo')).toBe('1');
    expect(getHeaders(f, 'x-foo')).toEqual(['1', '2']);
    expect(getHeader(f, 'missing')).toBeUndefined();
  });

  it('idents (W-03, W-38)', () => {
    expect(isIdent('a786hjs2')).toBe(true);
    expect(isIdent('49fh')).toBe(true);
    expect(isIdent('a.-+%=')).toBe(true);
    expect(isIdent('abc')).toBe(false);
    expect(isIdent('-abc')).toBe(false);
    expect(isIdent('a'.repeat(33))).toBe(false);
    expect(isIdent('ab_c')).toBe(false);
  });
});

describe('paths and URIs', () => {
  it('splits on SP (tolerating runs), notes spacing', () => {
    expect(parsePathHeader('a b')).toEqual(['a', 'b']);
    expect(parsePathHeader('  a \t b ')).toEqual(['a', 'b']);
    expect(parsePathHeader('')).toEqual([]);
    expect(pathHeaderSpacingOk('a b', ['a', 'b'])).toBe(true);
    expect(pathHeaderSpacingOk('a  b', ['a', 'b'])).toBe(false);
    expect(pathHeaderSpacingOk('a b ', ['a', 'b'])).toBe(false);
  });

  it('cheap URI checks (U-01, U-02, U-04)', () => {
    expect(pathUriProblem('msrp://a.example.com:1/s;tcp', true)).toBeNull();
    expect(pathUriProblem('MSRPS://a.example.com:1;tcp', true)).toBeNull();
    expect(pathUriProblem('msrp://[2001:db8::1]:2855/s;tcp', true)).toBeNull();
    expect(pathUriProblem('msrp://alice@a.example.com:1/s;tcp', true)).toBeNull();
    expect(pathUriProblem('sip:a@b', false)?.rule).toBe('U-01');
    expect(pathUriProblem('msrp:/a;tcp', false)?.rule).toBe('U-01');
    expect(pathUriProblem('msrp://;tcp', false)?.rule).toBe('U-01');
    expect(pathUriProblem('msrp://a.example.com:1/s', false)?.rule).toBe('U-02');
    expect(pathUriProblem('msrp://a.example.com:1/s;', false)?.rule).toBe('U-02');
    expect(pathUriProblem('msrp://a.example.com/s;tcp', true)?.rule).toBe('U-04');
    expect(pathUriProblem('msrp://[2001:db8::1]/s;tcp', true)?.rule).toBe('U-04');
    expect(pathUriProblem('msrp://a.example.com:/s;tcp', true)?.rule).toBe('U-04');
    expect(pathUriProblem('msrp://a.example.com/s;tcp', false)).toBeNull();
  });
});

describe('canonicalizeFrame', () => {
  it('fixes name case, padding, spacing, order and value case; serializes canonically', () => {
    const input = ascii(
      'MSRP canon001 SEND\nfrom-path: msrp://b.example.com:2/t;tcp\nTO-PATH:   msrp://a.example.com:1/s;tcp  msrp://c.example.com:3/u;tcp\n' +
        'content-type: text/plain\nsuccess-report: YES\nmessage-id: m1234\n\nhi\n-------canon001$\n',
    );
    const parsed = parseFrames(input).frames[0]!;
    const c = canonicalizeFrame(parsed);
    expect(c.headers).toEqual([
      ['To-Path', 'msrp://a.example.com:1/s;tcp msrp://c.example.com:3/u;tcp'],
      ['From-Path', 'msrp://b.example.com:2/t;tcp'],
      ['Message-ID', 'm1234'],
      ['Success-Report', 'yes'],
      ['Content-Type', 'text/plain'],
    ]);
    const again = parseFrames(serializeFrame(c), { strict: true });
    expect(again.errors).toEqual([]);
    expect(again.frames[0]).toMatchObject({ toPath: parsed.toPath, fromPath: parsed.fromPath, successReport: 'yes' });
  });

  it('drops MIME headers from a bodiless request (W-16)', () => {
    const parsed = parseFrames(ascii('MSRP canon002 SEND\nTo-Path: msrp://a.example.com:1/s;tcp\nFrom-Path: msrp://b.example.com:2/t;tcp\nMessage-ID: m1234\nContent-Type: text/plain\n-------canon002$\n')).frames[0]!;
    const c = canonicalizeFrame(parsed);
    expect(c.headers.map((h) => h[0])).toEqual(['To-Path', 'From-Path', 'Message-ID']);
    expect(c.contentType).toBeUndefined();
    expect(() => serializeFrame(c)).not.toThrow();
  });
});

describe('header names that are properties of Object.prototype', () => {
  const frame = (extra: string) =>
    parseFrames(ascii(`MSRP a786hjs2 SEND\nTo-Path: msrp://b.example.com:7654/jshA7weztas;tcp\nFrom-Path: msrp://a.example.com:8888/9di4eae923wzd;tcp\nMessage-ID: 87652491\n${extra}Byte-Range: 1-5/5\nContent-Type: text/plain\n\nHello\n-------a786hjs2$\n`));

  it('constructor, toString and hasOwnProperty are extension headers: kept, found by name, ranked as such', () => {
    const r = frame('constructor: one\ntoString: two\nhasOwnProperty: three\n');
    expect(r.errors).toEqual([]);
    const f = r.frames[0]!;
    expect(getHeader(f, 'constructor')).toBe('one');
    expect(getHeader(f, 'TOSTRING')).toBe('two');
    expect(getHeaders(f, 'hasownproperty')).toEqual(['three']);
    expect(getHeader(f, '__proto__')).toBeUndefined();
    expect(getHeader(f, 'valueOf')).toBeUndefined();
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(canonicalHeaderName(name)).toBe(name);
      expect(headerRank(name)).toBe(headerRank('X-Other'));
    }
    expect(f.messageId).toBe('87652491');
    expect(f.contentType).toBe('text/plain');
  });

  it('a header line named __proto__ is not a header (hname = ALPHA *token): the frame is refused', () => {
    const r = frame('__proto__: x\n');
    expect(r.frames).toEqual([]);
    expect(r.errors).toMatchObject([{ rule: 'W-12', message: 'malformed header line (expected "name: value")' }]);
  });
});
