import { describe, expect, it } from 'vitest';
import { buildRequest, buildResponse } from '../../src/wire/builder.js';
import type { MsrpRequest } from '../../src/wire/frame.js';
import { parseFrames } from '../../src/wire/parser.js';
import { WireError, endLineInBody, serializeFrame, serializedLength } from '../../src/wire/serializer.js';
import { ascii } from './helpers.js';

const TO = 'msrp://bob.example.com:8888/s1bob;tcp';
const FROM = 'msrp://alice.example.com:7777/s2alice;tcp';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function request(overrides: Partial<MsrpRequest>): MsrpRequest {
  return {
    kind: 'request',
    transactionId: 'ser00001',
    method: 'SEND',
    headers: [
      ['To-Path', TO],
      ['From-Path', FROM],
      ['Message-ID', 'm1234'],
      ['Content-Type', 'text/plain'],
    ],
    toPath: [TO],
    fromPath: [FROM],
    continuation: '$',
    violations: [],
    body: Buffer.from('hi'),
    ...overrides,
  };
}

function thrown(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return e as WireError;
  }
  throw new Error('did not throw');
}

describe('serializeFrame', () => {
  it('writes a request with a body: blank line, body, CRLF, end-line (W-08)', () => {
    expect(text(serializeFrame(request({})))).toBe(
      `MSRP ser00001 SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nMessage-ID: m1234\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------ser00001$\r\n`,
    );
  });

  it('writes a bodiless request with the end-line right after the headers (W-16)', () => {
    const f = request({ headers: [['To-Path', TO], ['From-Path', FROM], ['Message-ID', 'm1234']], body: null, continuation: '+' });
    expect(text(serializeFrame(f))).toBe(`MSRP ser00001 SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nMessage-ID: m1234\r\n-------ser00001+\r\n`);
  });

  it('writes an empty body as blank line + CRLF + end-line (W-17)', () => {
    expect(text(serializeFrame(request({ body: new Uint8Array(0) })))).toMatch(/Content-Type: text\/plain\r\n\r\n\r\n-------ser00001\$\r\n$/);
  });

  it('writes responses with and without comment, always "$", never a body', () => {
    const r = buildResponse({ transactionId: 'ser00002', statusCode: 200, comment: null, toPath: [FROM], fromPath: [TO] });
    expect(text(serializeFrame(r))).toBe(`MSRP ser00002 200\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\n-------ser00002$\r\n`);
    expect(text(serializeFrame({ ...r, comment: 'OK', continuation: '+' }))).toMatch(/^MSRP ser00002 200 OK\r\n[^]*-------ser00002\$\r\n$/);
    expect(text(serializeFrame({ ...r, statusCode: 7 }))).toMatch(/^MSRP ser00002 007\r\n/);
  });

  it('writes headers in their order and values as they are (UTF-8)', () => {
    const f = request({ headers: [['To-Path', TO], ['From-Path', FROM], ['X-Z', '  spaced  é'], ['Message-ID', 'm1234'], ['Content-Type', 'text/plain']] });
    const bytes = serializeFrame(f);
    expect(Buffer.from(bytes).toString('utf8')).toContain('X-Z:   spaced  é\r\nMessage-ID');
    expect(bytes.length).toBe(serializedLength(f));
  });

  it('refuses To-Path not first and From-Path not second (W-11)', () => {
    expect(thrown(() => serializeFrame(request({ headers: [['From-Path', FROM], ['To-Path', TO]], body: null }))).rule).toBe('W-11');
    expect(thrown(() => serializeFrame(request({ headers: [['To-Path', TO], ['Message-ID', 'm'], ['From-Path', FROM]], body: null }))).rule).toBe('W-11');
    expect(thrown(() => serializeFrame(request({ headers: [], body: null }))).rule).toBe('W-11');
  });

  it('refuses a body without Content-Type, or with Content-Type not last (W-15)', () => {
    expect(thrown(() => serializeFrame(request({ headers: [['To-Path', TO], ['From-Path', FROM]] }))).rule).toBe('W-15');
    expect(
      thrown(() => serializeFrame(request({ headers: [['To-Path', TO], ['From-Path', FROM], ['Content-Type', 'text/plain'], ['Message-ID', 'm']] }))).rule,
    ).toBe('W-15');
  });

  it('refuses MIME headers without a body (W-16)', () => {
    expect(thrown(() => serializeFrame(request({ body: null }))).rule).toBe('W-16');
    expect(thrown(() => serializeFrame(request({ headers: [['To-Path', TO], ['From-Path', FROM], ['Content-ID', '<a@b>']], body: null }))).rule).toBe('W-16');
  });

  it('refuses a body that contains its own end-line (W-09)', () => {
    for (const body of ['-------ser00001$', 'a\r\n-------ser00001+\r\nb', '-------ser00001#\r', 'x-------ser00001$\r\n']) {
      expect(thrown(() => serializeFrame(request({ body: Buffer.from(body) }))).rule).toBe('W-09');
    }
    for (const body of ['-------ser00001', '-------ser00001x', '-------ser0000$', '-------ser00001$ ', '-------other001$\r\n', '------ser00001$']) {
      expect(() => serializeFrame(request({ body: Buffer.from(body) }))).not.toThrow();
      const parsed = parseFrames(serializeFrame(request({ body: Buffer.from(body) }))).frames[0] as MsrpRequest;
      expect(text(parsed.body!)).toBe(body);
    }
    // The CRLF written after the body completes an end-line the body ends with.
    expect(endLineInBody(Buffer.from('--------ser00001$'), 'ser00001')).toBe(true);
    expect(endLineInBody(Buffer.from('--------ser00001$'), '-ser00001')).toBe(true);
    expect(endLineInBody(Buffer.from('-------ser00001$\n'), 'ser00001')).toBe(false);
  });

  it('refuses line breaks in values and bad names, ids and status codes', () => {
    expect(thrown(() => serializeFrame(request({ headers: [['To-Path', TO], ['From-Path', `${FROM}\r\nX: y`]], body: null }))).rule).toBe('W-13');
    expect(thrown(() => serializeFrame(request({ headers: [['To-Path', TO], ['From-Path', FROM], ['Bad Name', 'x']], body: null }))).rule).toBe('W-12');
    expect(thrown(() => serializeFrame(request({ transactionId: 'a b', body: null, headers: [['To-Path', TO], ['From-Path', FROM]] }))).rule).toBe('W-03');
    expect(thrown(() => serializeFrame(request({ method: '', body: null, headers: [['To-Path', TO], ['From-Path', FROM]] }))).rule).toBe('W-01');
    const r = buildResponse({ transactionId: 'ser00003', statusCode: 200, toPath: [FROM], fromPath: [TO] });
    expect(thrown(() => serializeFrame({ ...r, statusCode: 1000 })).rule).toBe('W-02');
    expect(thrown(() => serializeFrame({ ...r, comment: 'a\nb' })).rule).toBe('W-02');
  });

  it('re-serializes what it parsed, byte for byte, including padding it keeps', () => {
    const input = ascii(`MSRP keep0001 SEND\nTo-Path:   ${TO}\nFrom-Path: ${FROM}\nx-custom: a  b \nMessage-ID: m1234\nContent-Type: text/plain\n\nhi\n-------keep0001$\n`);
    const f = parseFrames(input).frames[0]!;
    expect(Buffer.from(serializeFrame(f)).equals(input)).toBe(true);
  });
});

describe('builders', () => {
  it('buildRequest writes canonical order and typed fields that match the headers', () => {
    const f = buildRequest({
      transactionId: 'bld00001',
      method: 'SEND',
      toPath: [TO, FROM],
      fromPath: [FROM],
      extraHeaders: [['X-Trace', '1']],
      mimeHeaders: [['Content-Disposition', 'inline']],
      contentType: 'text/plain',
      failureReport: 'partial',
      successReport: 'yes',
      byteRange: { start: 1, end: 5, total: 5 },
      messageId: 'msg00001',
      body: 'héllo'.normalize('NFC').slice(0, 4) + 'o',
    });
    expect(f.headers.map((h) => h[0])).toEqual([
      'To-Path', 'From-Path', 'Message-ID', 'Byte-Range', 'Success-Report', 'Failure-Report', 'X-Trace', 'Content-Disposition', 'Content-Type',
    ]);
    expect(f.headers[0]).toEqual(['To-Path', `${TO} ${FROM}`]);
    expect(f.headers[3]).toEqual(['Byte-Range', '1-5/5']);
    const parsed = parseFrames(serializeFrame(f)).frames[0]!;
    expect(parsed).toMatchObject({ toPath: [TO, FROM], byteRange: { start: 1, end: 5, total: 5 }, failureReport: 'partial', contentType: 'text/plain' });
  });

  it('buildResponse: status phrase by default, null for none, typed AUTH headers in order', () => {
    const r = buildResponse({
      transactionId: 'bld00002',
      statusCode: 423,
      toPath: [FROM],
      fromPath: [TO],
      minExpires: 60,
      maxExpires: 3600,
      expires: 900,
      usePath: [TO],
      authenticationInfo: 'rspauth="x"',
      wwwAuthenticate: 'Digest realm="r"',
    });
    expect(r.comment).toBe('Interval Out-of-Bounds');
    expect(r.headers.map((h) => h[0])).toEqual(['To-Path', 'From-Path', 'Expires', 'Min-Expires', 'Max-Expires', 'Use-Path', 'WWW-Authenticate', 'Authentication-Info']);
    expect(buildResponse({ transactionId: 'bld00003', statusCode: 299, toPath: [FROM], fromPath: [TO] }).comment).toBeNull();
    expect(buildResponse({ transactionId: 'bld00004', statusCode: 200, comment: null, toPath: [FROM], fromPath: [TO] }).comment).toBeNull();
  });

  it('throws WireError for what no sender may write', () => {
    const base = { transactionId: 'bld00005', method: 'SEND', toPath: [TO], fromPath: [FROM] };
    expect(thrown(() => buildRequest({ ...base, body: 'x' })).rule).toBe('W-15');
    expect(thrown(() => buildRequest({ ...base, contentType: 'text/plain' })).rule).toBe('W-16');
    expect(thrown(() => buildRequest({ ...base, mimeHeaders: [['Content-ID', '<a>']] })).rule).toBe('W-16');
    expect(thrown(() => buildRequest({ ...base, toPath: [] })).rule).toBe('W-11');
    expect(thrown(() => buildRequest({ ...base, byteRange: { start: 1.5, end: null, total: null } })).rule).toBe('W-25');
    expect(thrown(() => buildRequest({ ...base, status: { namespace: 0, code: 1000, comment: null } })).rule).toBe('W-28');
    expect(thrown(() => buildRequest({ ...base, expires: -1 })).rule).toBe('R-05');
    expect(thrown(() => buildRequest({ ...base, contentType: 'text/plain', body: 'a\r\n-------bld00005$\r\n' })).rule).toBe('W-09');
    expect(thrown(() => buildRequest({ ...base, extraHeaders: [['Content-ID', '<a>']] })).rule).toBe('W-15');
  });
});
