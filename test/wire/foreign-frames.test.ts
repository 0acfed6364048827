/**
 * Frames of the kinds other MSRP implementations test their parsers with (test/wire/fixtures/
 * foreign/, see the README there): odd header-name case and spacing, missing or odd Byte-Range,
 * several frames in one buffer, REPORTs, AUTH with Digest headers, responses with and without
 * comments, bodies that look like end-lines, binary and empty bodies, odd URIs. Each is checked
 * against RFC 4975 §9 (and RFC 4976 §7): what it parses to, which rules it breaks (lenient mode
 * delivers it with those violations, strict mode refuses it), and that the result does not depend
 * on how the stream is split.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MsrpFrame } from '../../src/wire/frame.js';
import { getHeader } from '../../src/wire/headers.js';
import type { ParseError, ParserOptions } from '../../src/wire/parser.js';
import { serializeUnchecked } from '../../src/wire/serializer.js';
import { FIXTURES, parseCuts, parseCutsViews, plain, rules } from './helpers.js';

const DIR = join(FIXTURES, 'foreign');
const load = (name: string): Buffer => readFileSync(join(DIR, `${name}.msrp`));

const TO = 'msrp://bob.example.net:8492/kd83hs7;tcp';
const FROM = 'msrp://alice.example.org:7113/pq71xz;tcp';
const RELAY_AUTH = 'msrps://alice@relay.example.com;tcp';

/** Parses whole, then at every split (every 7th for long inputs), and checks they agree. */
function parse(bytes: Buffer, options?: ParserOptions): { frames: MsrpFrame[]; errors: ParseError[] } {
  const whole = parseCuts(bytes, [], options);
  const expected = JSON.stringify({ f: whole.frames.map(plain), e: whole.errors });
  const step = bytes.length > 600 ? 7 : 1;
  for (let cut = 1; cut < bytes.length; cut += step) {
    // Also as the simulator parses (bodyViews), the second slice continuing the first in memory or not.
    for (const r of [parseCuts(bytes, [cut], options), parseCutsViews(bytes, [cut], () => false, options), parseCutsViews(bytes, [cut], (i) => i === 1, options)]) {
      const got = JSON.stringify({ f: r.frames.map(plain), e: r.errors });
      if (got !== expected) expect({ cut, f: r.frames.map(plain), e: r.errors }).toEqual({ cut, f: whole.frames.map(plain), e: whole.errors });
    }
  }
  return whole;
}

const text = (f: MsrpFrame): string | null => (f.kind === 'request' && f.body !== null ? Buffer.from(f.body).toString('latin1') : null);
const start = (f: MsrpFrame): string => (f.kind === 'request' ? `${f.transactionId} ${f.method}` : `${f.transactionId} ${f.statusCode}`);

interface Case {
  /** The frames lenient mode delivers: start line (`tid METHOD` or `tid STATUS`) and violations. */
  frames: [start: string, violations: string[]][];
  /** Errors in both modes (frames dropped or the stream given up): rule and whether fatal. */
  errors?: [rule: string, fatal: boolean][];
  /** More checks on the frames lenient mode delivers. */
  check?: (frames: MsrpFrame[]) => void;
}

const CLEAN: Record<string, Case> = {
  'auth-challenge': {
    frames: [['au92kd01 AUTH', []], ['au92kd01 401', []]],
    check: ([auth, challenge]) => {
      // U-04: the AUTH To-Path is the one place a URI may have no port (RFC 4976 §8).
      expect(auth!.toPath).toEqual([RELAY_AUTH]);
      expect(challenge!.kind === 'response' && challenge.comment).toBe('Unauthorized');
      expect(getHeader(challenge!, 'WWW-Authenticate')).toMatch(/^Digest realm="relay.example.com", qop="auth", nonce="/);
    },
  },
  'auth-credentials': {
    frames: [['au92kd02 AUTH', []], ['au92kd02 200', []]],
    check: ([auth, ok]) => {
      expect(auth!.expires).toBe(1800);
      expect(getHeader(auth!, 'Authorization')).toContain('response="6629fae49393a05397450978507c4ef1"');
      expect(ok!.usePath).toEqual(['msrps://relay.example.com:2855/hjdhfds;tcp']);
      expect(ok!.expires).toBe(1800);
      expect(getHeader(ok!, 'Authentication-Info')).toBe('qop=auth, rspauth="d3b07384d113edec49eaa6238ad5ff00", cnonce="0a4f113b", nc=00000001');
    },
  },
  'auth-423': {
    frames: [['au92kd03 423', []]],
    check: ([r]) => expect([r!.minExpires, r!.maxExpires]).toEqual([60, 3600]),
  },
  'binary-body': {
    frames: [['bn92kd01 SEND', []]],
    check: ([f]) => {
      // Every byte value, then a CRLF and an end-line cut one character short: all body.
      const body = f!.kind === 'request' ? f.body! : new Uint8Array();
      expect(Array.from(body.subarray(0, 256))).toEqual([...Array(256).keys()]);
      expect(Buffer.from(body.subarray(256)).toString('latin1')).toBe('\r\n-------bn92kd0\r\n');
      expect(f!.byteRange).toEqual({ start: 1, end: 274, total: 274 });
    },
  },
  'bodiless-send': {
    frames: [['bs92kd01 SEND', []]],
    check: ([f]) => expect(f!.kind === 'request' && f.body).toBeNull(),
  },
  'empty-body': {
    // W-17: an empty body (Content-Type, blank line, CRLF, end-line) is not a bodiless request.
    frames: [['eb92kd01 SEND', []]],
    check: ([f]) => {
      expect(text(f!)).toBe('');
      expect(f!.contentType).toBe('text/plain');
    },
  },
  'body-is-crlf': {
    // The body is one CRLF; the CRLF before the end-line is not part of it (W-08).
    frames: [['bc92kd01 SEND', []]],
    check: ([f]) => expect(text(f!)).toBe('\r\n'),
  },
  'body-with-dash-lines': {
    // W-10: only CRLF + "-------" + this transaction's id + flag + CRLF ends the body.
    frames: [['dl92kd01 SEND', []]],
    check: ([f]) => {
      expect(text(f!)).toBe('-------\r\n-------dl92kd0\r\n-------dl92kd01\r\n-------xx92kd01$\r\n--------dl92kd01$\r\n-------dl92kd01$x\r\nend');
      expect(f!.continuation).toBe('$');
    },
  },
  'byte-range-star-total': {
    frames: [['st92kd01 SEND', []]],
    check: ([f]) => {
      expect(f!.byteRange).toEqual({ start: 1, end: null, total: null });
      expect(f!.continuation).toBe('+');
    },
  },
  'missing-byte-range': {
    // W-25: the first chunk SHOULD carry Byte-Range, so its absence breaks no MUST.
    frames: [['mb92kd01 SEND', []]],
    check: ([f]) => {
      expect(f!.byteRange).toBeUndefined();
      expect(text(f!)).toBe('hello');
    },
  },
  'content-type-params': {
    frames: [['ct92kd01 SEND', []]],
    check: ([f]) => expect(f!.contentType).toBe('text/plain; charset=UTF-8; format=flowed'),
  },
  'cpim-body': {
    frames: [['cp92kd01 SEND', []]],
    check: ([f]) => {
      expect(f!.contentType).toBe('Message/CPIM');
      expect(text(f!)).toMatch(/^From: <sip:alice@example.org>\r\n[\s\S]*\r\n\r\nContent-Type: text\/plain; charset=utf-8\r\n\r\nHello$/);
    },
  },
  'mime-headers-before-content-type': {
    frames: [['mh92kd01 SEND', []]],
    check: ([f]) => expect(f!.headers.map(([n]) => n).slice(4)).toEqual(['Content-ID', 'Content-Description', 'Content-Disposition', 'Content-Type']),
  },
  'unknown-headers': {
    // W-19: unknown header fields are ignored, and kept in order as received.
    frames: [['uh92kd01 SEND', []]],
    check: ([f]) => {
      expect(getHeader(f!, 'X-Custom')).toBe('anything at all; odd=value');
      expect(getHeader(f!, 'P-Asserted-Identity')).toBe('<sip:alice@example.org>');
      expect(f!.byteRange).toEqual({ start: 1, end: 2, total: 2 });
    },
  },
  'unknown-method': {
    // other-method = 1*UPALPHA: the parser delivers it; answering 501 is the node's business.
    frames: [['um92kd01 NICKNAME', []]],
  },
  'expires-leading-zero': {
    frames: [['ex92kd01 AUTH', []]],
    check: ([f]) => expect(f!.expires).toBe(900),
  },
  'long-tid-and-ident-chars': {
    // ident = ALPHANUM 3*31(ALPHANUM / "." / "-" / "+" / "%" / "=").
    frames: [['1816g3gNxVlCDeg3gNxVlCDe.-+%= SEND', []]],
    check: ([f]) => expect(f!.messageId).toBe('1816g3gNxV.-+%='),
  },
  'report-status-comment': {
    frames: [['rp92kd01 REPORT', []]],
    check: ([f]) => {
      expect(f!.status).toEqual({ namespace: 0, code: 200, comment: 'OK' });
      expect(f!.byteRange).toEqual({ start: 1, end: 106, total: 106 });
    },
  },
  'report-failure-413': {
    frames: [['rf92kd01 REPORT', []]],
    check: ([f]) => expect(f!.status).toEqual({ namespace: 0, code: 413, comment: 'Message too large, stop sending' }),
  },
  'status-without-comment': {
    frames: [['sw92kd01 REPORT', []]],
    check: ([f]) => expect(f!.status).toEqual({ namespace: 0, code: 200, comment: null }),
  },
  'status-other-namespace': {
    // namespace = 3(DIGIT); only "000" is defined, but others are well formed.
    frames: [['so92kd01 REPORT', []]],
    check: ([f]) => expect(f!.status).toEqual({ namespace: 1, code: 200, comment: 'OK' }),
  },
  'response-4xx-5xx': {
    frames: [['r492kd01 481', []], ['r592kd01 501', []], ['r692kd01 506', []], ['r792kd01 408', []]],
    check: (fs) => expect(fs.map((f) => f.kind === 'response' && f.comment)).toEqual(['Session does not exist', 'Method not understood', 'Request session bound to another connection', null]),
  },
  'response-comment-utf8': {
    // comment = utf8text.
    frames: [['rc92kd01 200', []]],
    check: ([f]) => expect(f!.kind === 'response' && f.comment).toBe('Très bien ✓'),
  },
  'response-with-byte-range': {
    frames: [['br92kd01 200', []]],
  },
  'uri-ipv6-and-params': {
    frames: [['v692kd01 SEND', []]],
    check: ([f]) => {
      expect(f!.toPath).toEqual(['msrp://[2001:db8::1]:2855/s1;tcp;foo=bar']);
      expect(f!.fromPath).toEqual(['msrps://user@192.0.2.7:2856/s2;tcp']);
    },
  },
  'uri-ws-transport': {
    // RFC 7977 §5.2.1: transport = "tcp" / "ws" / 1*ALPHANUM.
    frames: [['ws92kd01 SEND', []]],
  },
};

const BROKEN: Record<string, Case> = {
  'multiple-frames': {
    // Three frames in one buffer; the second ends the message ("$") 40 bytes short of its total.
    frames: [['mf92kd01 SEND', []], ['mf92kd02 SEND', ['W-25']], ['mf92kd01 200', []]],
    check: ([a, b]) => {
      expect(text(a!)).toBe('\r\n');
      expect(text(b!)).toBe('line one\r\nline two\r\n');
    },
  },
  'byte-range-end-past-total': { frames: [['ep92kd01 SEND', ['W-25']]] },
  'two-byte-ranges-and-unknown': {
    frames: [['tb92kd01 SEND', ['W-25']]],
    check: ([f]) => {
      expect(getHeader(f!, 'Byte-Dummy')).toBe('1-25/25');
      expect(f!.contentType).toBe('text/plain;charset=utf8');
      expect(text(f!)).toBe('ab\r\nc');
    },
  },
  // "Message-ID:" SP ident: the SP is part of every header's grammar (W-12).
  'no-space-after-colon': {
    frames: [['ns92kd01 SEND', ['W-12', 'W-12', 'W-12']]],
    check: ([f]) => {
      expect([f!.messageId, f!.contentType]).toEqual(['mns001', 'text/plain']);
      expect(f!.byteRange).toEqual({ start: 1, end: 3, total: 3 });
    },
  },
  'trailing-space-value': { frames: [['ts92kd01 SEND', ['W-12', 'W-38']]] },
  'response-no-to-from': { frames: [['nt92kd01 200', ['W-11', 'W-11']]] },
  'uri-unknown-scheme': { frames: [['us92kd01 SEND', ['U-01', 'U-01']]] },
  // U-04, RFC 4976 §8: To-Path and From-Path URIs of non-AUTH requests carry a port.
  'uri-without-port': { frames: [['np92kd01 SEND', ['U-04', 'U-04']]] },
};

const ERRORS: Record<string, Case> = {
  // Text after a frame that is no start line: nothing can be framed after it.
  'junk-after-end-line': { frames: [['ja92kd01 200', []]], errors: [['W-10', true]] },
  // The stream ends inside the next frame's start line.
  'trailing-partial-frame': { frames: [['tp92kd01 200', []]], errors: [['W-06', true]] },
  // other-method = 1*UPALPHA: "_" is not in it; the frame is dropped, the stream goes on.
  'method-underscore': { frames: [], errors: [['W-01', false]] },
  // "To-Path :" is no header name followed by a colon.
  'space-before-colon': { frames: [], errors: [['W-12', false]] },
};

function expectFrames(c: Case, frames: MsrpFrame[]): void {
  expect(frames.map((f) => [start(f), rules(f)])).toEqual(c.frames);
  c.check?.(frames);
}

describe('frames of the kinds other MSRP parsers are tested with', () => {
  it('every fixture is covered by a case here or in the notes below', () => {
    const names = readdirSync(DIR).filter((f) => f.endsWith('.msrp')).map((f) => f.slice(0, -5)).sort();
    const covered = [...Object.keys(CLEAN), ...Object.keys(BROKEN), ...Object.keys(ERRORS), ...NOTED].sort();
    expect(names).toEqual(covered);
  });

  describe('well formed: delivered without a violation in both modes', () => {
    for (const [name, c] of Object.entries(CLEAN)) {
      it(name, () => {
        const bytes = load(name);
        for (const strict of [false, true]) {
          const { frames, errors } = parse(bytes, { strict });
          expect(errors).toEqual([]);
          expectFrames(c, frames);
        }
        // Canonical input comes back byte for byte.
        const { frames } = parse(bytes);
        expect(Buffer.concat(frames.map((f) => serializeUnchecked(f))).equals(bytes)).toBe(true);
      });
    }
  });

  describe('breaking a rule: delivered with the violation (lenient), refused (strict)', () => {
    for (const [name, c] of Object.entries(BROKEN)) {
      it(name, () => {
        const bytes = load(name);
        const lenient = parse(bytes);
        expect(lenient.errors).toEqual([]);
        expectFrames(c, lenient.frames);
        const strict = parse(bytes, { strict: true });
        // Each violation is an error in strict mode, and the frame that broke it is not delivered.
        const broken = c.frames.filter(([, v]) => v.length > 0);
        expect(strict.errors.map((e) => e.rule)).toEqual(broken.flatMap(([, v]) => v));
        expect(strict.errors.every((e) => !e.fatal)).toBe(true);
        expect(strict.frames.map(start)).toEqual(c.frames.filter(([, v]) => v.length === 0).map(([s]) => s));
      });
    }
  });

  describe('not a frame: an error in both modes, the frames around it intact', () => {
    for (const [name, c] of Object.entries(ERRORS)) {
      it(name, () => {
        for (const strict of [false, true]) {
          const { frames, errors } = parse(load(name), { strict });
          expectFrames(c, frames);
          expect(errors.map((e) => [e.rule, e.fatal])).toEqual(c.errors);
        }
      });
    }
  });
});

/**
 * Fixtures with a note in the README: where msrp-sim chose (W-14, W-26 in docs/ambiguities.md) or
 * where the input is not MSRP (bare LF line ends).
 */
const NOTED = ['lower-header-names', 'upper-header-names', 'report-values-case', 'empty-abort-chunk', 'tab-after-colon', 'lf-only', 'mixed-line-ends'];

describe('fixtures with a note in the README', () => {
  it('header names and yes/no/partial in any case: decoded as the canonical ones, noted as W-14', () => {
    for (const [name, messageId] of [['lower-header-names', 'mlw001'], ['upper-header-names', 'mup001']] as const) {
      const [f] = parse(load(name)).frames;
      expect([f!.toPath, f!.fromPath, f!.messageId, f!.byteRange, f!.contentType]).toEqual([[TO], [FROM], messageId, { start: 1, end: 3, total: 3 }, 'text/plain']);
      expect(text(f!)).toBe('abc');
      expect(new Set(rules(f!))).toEqual(new Set(['W-14']));
      // Strict mode checks the canonical form msrp-sim's nodes write (docs/ambiguities.md, W-14).
      const strict = parse(load(name), { strict: true });
      expect(strict.frames).toEqual([]);
      expect(new Set(strict.errors.map((e) => e.rule))).toEqual(new Set(['W-14']));
    }
    const [f] = parse(load('report-values-case')).frames;
    expect([f!.successReport, f!.failureReport]).toEqual(['yes', 'partial']);
    expect(rules(f!)).toEqual(['W-14', 'W-14']);
  });

  it('an empty chunk that aborts a message part-way: framed, with its range and flag, clean in both modes', () => {
    for (const strict of [false, true]) {
      const { frames, errors } = parse(load('empty-abort-chunk'), { strict });
      expect(errors).toEqual([]);
      const [f] = frames;
      expect(text(f!)).toBe('');
      expect(f!.byteRange).toEqual({ start: 4097, end: null, total: 10000 });
      expect(f!.continuation).toBe('#');
      expect(f!.violations).toEqual([]);
    }
  });

  it('a tab after the colon is not the SP the grammar asks for (W-12, once)', () => {
    const lenient = parse(load('tab-after-colon'));
    expect(lenient.frames.map((f) => f.toPath)).toEqual([[TO]]);
    expect(rules(lenient.frames[0]!).filter((r) => r === 'W-12')).toHaveLength(1);
    expect(parse(load('tab-after-colon'), { strict: true }).frames).toEqual([]);
  });

  it('LF instead of CRLF: nothing is framed, and the error says the line ends are the problem', () => {
    for (const name of ['lf-only', 'mixed-line-ends']) {
      for (const strict of [false, true]) {
        const { frames, errors } = parse(load(name), { strict });
        expect(frames).toEqual([]);
        expect(errors.length).toBeGreaterThan(0);
        expect(errors[0]!.message).toMatch(/bare LF/);
      }
    }
  });
});
