import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUri, parsePath, parseUri, pathToString, uriEquals, uriKey, type MsrpUri } from '../../src/wire/uri.js';

function must(text: string): MsrpUri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(`${text}: ${r.rule} ${r.message}`);
  return r.uri;
}

describe('parseUri: RFC examples', () => {
  it.each([
    ['msrp://host.example.com:8493/asfd34;tcp', { scheme: 'msrp', user: null, host: 'host.example.com', port: 8493, sessionId: 'asfd34', transport: 'tcp', params: [] }],
    ['msrps://alice@intra.example.com;tcp', { scheme: 'msrps', user: 'alice', host: 'intra.example.com', port: null, sessionId: null, transport: 'tcp', params: [] }],
    ['msrps://extra.example.com:9000/mywdEe1233;tcp', { scheme: 'msrps', user: null, host: 'extra.example.com', port: 9000, sessionId: 'mywdEe1233', transport: 'tcp', params: [] }],
    // RFC 7977 §5.2.1 transport "ws"
    ['msrps://df7jal23ls0d.invalid:2855/98cjs;ws', { scheme: 'msrps', user: null, host: 'df7jal23ls0d.invalid', port: 2855, sessionId: '98cjs', transport: 'ws', params: [] }],
    ['msrps://alice@a.example.com:443;ws', { scheme: 'msrps', user: 'alice', host: 'a.example.com', port: 443, sessionId: null, transport: 'ws', params: [] }],
  ])('%s', (text, expected) => {
    expect(parseUri(text)).toEqual({ ok: true, uri: expected });
    expect(formatUri(must(text))).toBe(text);
  });

  it('parses IP hosts, session-ids with "/", "+", "=" and extra parameters', () => {
    expect(must('msrp://192.0.2.1:2855/a/b+c=d~e;tcp;foo=bar;baz')).toEqual({
      scheme: 'msrp',
      user: null,
      host: '192.0.2.1',
      port: 2855,
      sessionId: 'a/b+c=d~e',
      transport: 'tcp',
      params: [
        ['foo', 'bar'],
        ['baz', null],
      ],
    });
    expect(must('msrp://[2001:db8::1]:2855/s;tcp').host).toBe('[2001:db8::1]');
    expect(must('msrp://[::ffff:192.0.2.1]:2855/s;tcp').host).toBe('[::ffff:192.0.2.1]');
  });

  it('lower-cases the scheme and keeps the case of everything else', () => {
    const u = must('MSRPS://Alice@Relay.Example.com:9000/AbC;TCP');
    expect(u.scheme).toBe('msrps');
    expect(u.user).toBe('Alice');
    expect(u.host).toBe('Relay.Example.com');
    expect(u.sessionId).toBe('AbC');
    expect(u.transport).toBe('TCP');
  });
});

describe('parseUri: malformed URIs', () => {
  it.each([
    // U-02: transport is mandatory
    ['msrp://host.example.com:8493/asfd34', 'U-02'],
    ['msrp://host.example.com:8493', 'U-02'],
    ['msrp://host.example.com:8493/asfd34;', 'U-02'],
    ['msrp://host.example.com:8493/asfd34;t-cp', 'U-02'],
    // bad scheme
    ['http://host.example.com:8493/asfd34;tcp', 'U-01'],
    ['msrpx://host.example.com:8493/asfd34;tcp', 'U-01'],
    ['msrp:/host.example.com:8493/asfd34;tcp', 'U-01'],
    ['host.example.com:8493/asfd34;tcp', 'U-01'],
    // U-03: IP without port
    ['msrp://192.0.2.1/asfd34;tcp', 'U-03'],
    ['msrps://192.0.2.1;tcp', 'U-03'],
    ['msrp://[2001:db8::1]/asfd34;tcp', 'U-03'],
    // bad port
    ['msrp://host.example.com:/asfd34;tcp', 'U-01'],
    ['msrp://host.example.com:84a3/asfd34;tcp', 'U-01'],
    ['msrp://host.example.com:65536/asfd34;tcp', 'U-01'],
    ['msrp://host.example.com:0/asfd34;tcp', 'U-01'],
    ['msrp://host.example.com:-1/asfd34;tcp', 'U-01'],
    // empty host
    ['msrp://:2855/asfd34;tcp', 'U-01'],
    ['msrp:///asfd34;tcp', 'U-01'],
    ['msrp://;tcp', 'U-01'],
    ['msrp://alice@:2855/s;tcp', 'U-01'],
    // bad host
    ['msrp://host_a{b}.example.com:1/s;tcp', 'U-01'],
    ['msrp://[2001:db8::1:2855/s;tcp', 'U-01'],
    ['msrp://[2001:db8:::1]:2855/s;tcp', 'U-01'],
    ['msrp://[v1.fe]:2855/s;tcp', 'U-01'],
    ['msrp://h%zz.example.com:1/s;tcp', 'U-01'],
    // bad session-id characters (no percent-encoding, no "@", not empty)
    ['msrp://host.example.com:1/a%20b;tcp', 'U-01'],
    ['msrp://host.example.com:1/a@b;tcp', 'U-01'],
    ['msrp://host.example.com:1/a:b;tcp', 'U-01'],
    ['msrp://host.example.com:1/;tcp', 'U-01'],
    ['msrp://host.example.com:1/a b;tcp', 'U-01'],
    // non-ASCII and controls (U-01)
    ['msrp://hé.example.com:1/s;tcp', 'U-01'],
    ['msrp://host.example.com:1/sé;tcp', 'U-01'],
    ['msrp://host.example.com:1/s;tcp\r\n', 'U-01'],
    // U-08: no password in userinfo
    ['msrp://alice:secret@host.example.com:1/s;tcp', 'U-08'],
    // parameters
    ['msrp://host.example.com:1/s;tcp;', 'U-01'],
    ['msrp://host.example.com:1/s;tcp;a=', 'U-01'],
    ['msrp://host.example.com:1/s;tcp;a=b=c', 'U-01'],
    ['msrp://host.example.com:1/s;tcp;a@b', 'U-01'],
    ['', 'U-01'],
  ])('%j -> %s', (text, rule) => {
    const r = parseUri(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.rule).toBe(rule);
      expect(r.message.length).toBeGreaterThan(0);
    }
  });

  it('U-04: requirePort rejects port-less URIs (only AUTH To-Path may omit the port)', () => {
    expect(parseUri('msrps://relay.example.com;tcp')).toMatchObject({ ok: true });
    expect(parseUri('msrps://relay.example.com;tcp', { requirePort: true })).toMatchObject({ ok: false, rule: 'U-04' });
    expect(parseUri('msrps://relay.example.com:2855;tcp', { requirePort: true })).toMatchObject({ ok: true });
  });

  it('U-10: requireDomainName rejects IP hosts, single labels and missing ports', () => {
    const opts = { requireDomainName: true };
    expect(parseUri('msrps://relay.example.com:9000/jui787s2f;tcp', opts)).toMatchObject({ ok: true });
    expect(parseUri('msrps://192.0.2.1:9000/jui787s2f;tcp', opts)).toMatchObject({ ok: false, rule: 'U-10' });
    expect(parseUri('msrps://[2001:db8::1]:9000/jui787s2f;tcp', opts)).toMatchObject({ ok: false, rule: 'U-10' });
    expect(parseUri('msrps://relay:9000/jui787s2f;tcp', opts)).toMatchObject({ ok: false, rule: 'U-10' });
    expect(parseUri('msrps://relay.example.com/jui787s2f;tcp', opts)).toMatchObject({ ok: false, rule: 'U-10' });
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const r = parseUri(s);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});

describe('parsePath and pathToString', () => {
  it('splits on single spaces and joins back (W-12)', () => {
    const text = 'msrps://intra.example.com:9000/jui787s2f;tcp msrps://extra.example.com;tcp';
    const r = parsePath(text);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.uris.map((u) => u.host)).toEqual(['intra.example.com', 'extra.example.com']);
      expect(pathToString(r.uris)).toBe(text);
    }
    expect(pathToString(['msrp://a.example.com:1/x;tcp', must('msrp://b.example.com:2/y;tcp')])).toBe(
      'msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y;tcp',
    );
    expect(parsePath('msrp://a.example.com:1/x;tcp  msrp://b.example.com:2/y;tcp')).toMatchObject({ ok: false, rule: 'W-12', index: 1 });
    expect(parsePath('msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y')).toMatchObject({ ok: false, rule: 'U-02', index: 1 });
  });
});

// U-11, RFC 4975 §6.1: every clause, each with equal and non-equal pairs.
const comparisons: [clause: string, a: string, b: string, equal: boolean][] = [
  // (1) scheme must match, case-insensitive; msrp != msrps
  ['1 scheme case', 'MSRP://relay.example.com:2855/s1;tcp', 'msrp://relay.example.com:2855/s1;tcp', true],
  ['1 scheme case', 'MsRpS://relay.example.com:2855/s1;tcp', 'msrps://relay.example.com:2855/s1;tcp', true],
  ['1 msrp vs msrps', 'msrp://relay.example.com:2855/s1;tcp', 'msrps://relay.example.com:2855/s1;tcp', false],
  // (2) authority: host case-insensitive
  ['2 host case', 'msrp://Relay.EXAMPLE.com:2855/s1;tcp', 'msrp://relay.example.com:2855/s1;tcp', true],
  ['2 different host', 'msrp://relay.example.com:2855/s1;tcp', 'msrp://relay.example.net:2855/s1;tcp', false],
  ['2 host trailing dot is a different string', 'msrp://relay.example.com.:2855/s1;tcp', 'msrp://relay.example.com:2855/s1;tcp', false],
  // (2) userinfo is not compared
  ['2 userinfo ignored', 'msrp://alice@relay.example.com:2855/s1;tcp', 'msrp://bob@relay.example.com:2855/s1;tcp', true],
  ['2 userinfo vs none', 'msrp://alice@relay.example.com:2855/s1;tcp', 'msrp://relay.example.com:2855/s1;tcp', true],
  ['2 userinfo same, host differs', 'msrp://alice@relay.example.com:2855/s1;tcp', 'msrp://alice@other.example.com:2855/s1;tcp', false],
  // (2) percent-encoded unreserved characters are decoded before comparison
  ['2 pct-decoding', 'msrp://%72elay.example.com:2855/s1;tcp', 'msrp://relay.example.com:2855/s1;tcp', true],
  ['2 pct-decoding upper letter', 'msrp://%52ELAY.example.com:2855/s1;tcp', 'msrp://relay.example.com:2855/s1;tcp', true],
  ['2 pct-decoding hyphen', 'msrp://relay%2Da.example.com:2855/s1;tcp', 'msrp://relay-a.example.com:2855/s1;tcp', true],
  ['2 pct hex case (reserved char)', 'msrp://a%2cb.example.com:2855/s1;tcp', 'msrp://a%2Cb.example.com:2855/s1;tcp', true],
  ['2 reserved char stays encoded', 'msrp://a%2Cb.example.com:2855/s1;tcp', 'msrp://a,b.example.com:2855/s1;tcp', false],
  ['2 pct-decoding, different host', 'msrp://%72elay.example.com:2855/s1;tcp', 'msrp://delay.example.com:2855/s1;tcp', false],
  // (2) explicit IP address: address equivalence
  ['2 IPv4 equal', 'msrp://192.0.2.1:2855/s1;tcp', 'msrp://192.0.2.1:2855/s1;tcp', true],
  ['2 IPv4 differ', 'msrp://192.0.2.1:2855/s1;tcp', 'msrp://192.0.2.10:2855/s1;tcp', false],
  ['2 IPv6 compressed vs full', 'msrp://[::1]:2855/s1;tcp', 'msrp://[0:0:0:0:0:0:0:1]:2855/s1;tcp', true],
  ['2 IPv6 hex case and leading zeros', 'msrp://[2001:DB8::0001]:2855/s1;tcp', 'msrp://[2001:db8:0:0::1]:2855/s1;tcp', true],
  ['2 IPv6 embedded IPv4', 'msrp://[::ffff:192.0.2.1]:2855/s1;tcp', 'msrp://[::ffff:c000:201]:2855/s1;tcp', true],
  ['2 IPv6 differ', 'msrp://[::1]:2855/s1;tcp', 'msrp://[::2]:2855/s1;tcp', false],
  ['2 IPv4-mapped IPv6 is not the IPv4 address', 'msrp://[::ffff:192.0.2.1]:2855/s1;tcp', 'msrp://192.0.2.1:2855/s1;tcp', false],
  // (3) port: exact match; explicit never equals absent (no default port)
  ['3 same port', 'msrp://relay.example.com:9000/s1;tcp', 'msrp://relay.example.com:9000/s1;tcp', true],
  ['3 port leading zeros', 'msrp://relay.example.com:09000/s1;tcp', 'msrp://relay.example.com:9000/s1;tcp', true],
  ['3 different port', 'msrp://relay.example.com:9000/s1;tcp', 'msrp://relay.example.com:9001/s1;tcp', false],
  ['3 explicit vs absent, even 2855', 'msrps://relay.example.com:2855;tcp', 'msrps://relay.example.com;tcp', false],
  ['3 both absent', 'msrps://relay.example.com;tcp', 'msrps://RELAY.example.com;tcp', true],
  // (4) session-id: case-sensitive; absent never equals present
  ['4 same session-id', 'msrp://relay.example.com:2855/aBc/9+=;tcp', 'msrp://relay.example.com:2855/aBc/9+=;tcp', true],
  ['4 session-id case', 'msrp://relay.example.com:2855/aBc;tcp', 'msrp://relay.example.com:2855/abc;tcp', false],
  ['4 absent vs present', 'msrp://relay.example.com:2855;tcp', 'msrp://relay.example.com:2855/abc;tcp', false],
  ['4 different session-id', 'msrp://relay.example.com:2855/abc;tcp', 'msrp://relay.example.com:2855/abd;tcp', false],
  // (5) transport: case-insensitive; different transports never match
  ['5 transport case', 'msrp://relay.example.com:2855/s1;TCP', 'msrp://relay.example.com:2855/s1;tcp', true],
  ['5 tcp vs ws', 'msrp://relay.example.com:2855/s1;tcp', 'msrp://relay.example.com:2855/s1;ws', false],
  ['5 unknown transport', 'msrp://relay.example.com:2855/s1;sctp', 'msrp://relay.example.com:2855/s1;SCTP', true],
  // derived: other URI parameters are ignored
  ['params ignored', 'msrp://relay.example.com:2855/s1;tcp;foo=bar', 'msrp://relay.example.com:2855/s1;tcp', true],
  ['params ignored, rest differs', 'msrp://relay.example.com:2855/s1;tcp;foo=bar', 'msrp://relay.example.com:2855/s2;tcp;foo=bar', false],
];

describe('uriEquals and uriKey (U-11)', () => {
  it.each(comparisons)('clause %s: %s vs %s -> %s', (_clause, a, b, equal) => {
    const ua = must(a);
    const ub = must(b);
    expect(uriEquals(ua, ub)).toBe(equal);
    expect(uriEquals(ub, ua)).toBe(equal);
    expect(uriKey(ua) === uriKey(ub)).toBe(equal);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const char = (chars: string) => fc.constantFrom(...chars.split(''));
const label = fc.string({ unit: char(alnum), minLength: 1, maxLength: 8 });
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
const ipv6 = groups.map((g) => `[${g.map((x) => x.toString(16)).join(':')}]`);
const host = fc.oneof(domain, ipv4, ipv6);
const token = fc.string({ unit: char(alnum + '!#$%&\'*+-.^_`|~'), minLength: 1, maxLength: 6 });
const sessionId = fc.string({ unit: char(alnum + '-._~+=/'), minLength: 1, maxLength: 12 });

const msrpUri: fc.Arbitrary<MsrpUri> = fc
  .record({
    scheme: fc.constantFrom('msrp' as const, 'msrps' as const),
    user: fc.option(fc.string({ unit: char(alnum + "-._~!$&'()*+,;="), minLength: 1, maxLength: 6 }), { nil: null }),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
    sessionId: fc.option(sessionId, { nil: null }),
    transport: fc.oneof(fc.constantFrom('tcp', 'ws', 'TCP'), fc.string({ unit: char(alnum), minLength: 1, maxLength: 5 })),
    params: fc.array(fc.tuple(token, fc.option(token, { nil: null })), { maxLength: 3 }),
  })
  .map((u) => (u.host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(u.host) ? { ...u, port: u.port ?? 2855 } : u));

/** The same URI written differently, as U-11 allows. */
function equivalentVariant(u: MsrpUri, flips: boolean[]): MsrpUri {
  const flip = (s: string) => s.split('').map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join('');
  let h = u.host;
  if (h.startsWith('[')) {
    // full form with leading zeros
    const inner = h.slice(1, -1).split(':');
    h = `[${inner.map((g) => g.padStart(4, '0')).join(':')}]`;
  } else if (!/^\d/.test(h)) {
    // percent-encode the first letter (unreserved) and flip case
    h = flip(h);
    h = `%${h.charCodeAt(0).toString(16)}${h.slice(1)}`;
  }
  return {
    scheme: u.scheme,
    user: flips[0] ? 'someone' : null,
    host: h,
    port: u.port,
    sessionId: u.sessionId,
    transport: flip(u.transport),
    params: flips[1] ? [...u.params, ['x', 'y']] : [],
  };
}

describe('URI properties', () => {
  it('parse(format(u)) equals u, and format(parse(x)) equals x', () => {
    fc.assert(
      fc.property(msrpUri, (u) => {
        const text = formatUri(u);
        const r = parseUri(text);
        expect(r).toEqual({ ok: true, uri: u });
        if (r.ok) expect(formatUri(r.uri)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('an equivalent spelling is uriEquals and has the same uriKey', () => {
    fc.assert(
      fc.property(msrpUri, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (u, flips) => {
        const v = must(formatUri(equivalentVariant(u, flips)));
        expect(uriEquals(u, v)).toBe(true);
        expect(uriKey(u)).toBe(uriKey(v));
      }),
      { numRuns: 500 },
    );
  });

  it('uriEquals(a, b) exactly when uriKey(a) === uriKey(b)', () => {
    // Pairs built from a small pool of parts so that equal and unequal pairs both occur often.
    const small = fc.record({
      scheme: fc.constantFrom('msrp' as const, 'msrps' as const),
      user: fc.constantFrom(null, 'a', 'B'),
      host: fc.constantFrom('r.example.com', 'R.EXAMPLE.COM', '%72.example.com', 'x.example.com', '192.0.2.1', '[::1]', '[0:0::1]', '[::2]'),
      port: fc.constantFrom(1, 2855),
      sessionId: fc.constantFrom(null, 's', 'S', 's/t'),
      transport: fc.constantFrom('tcp', 'TCP', 'ws'),
      params: fc.constantFrom<[string, string | null][]>([], [['a', null]]),
    });
    fc.assert(
      fc.property(small, small, (a, b) => {
        expect(uriEquals(a, b)).toBe(uriKey(a) === uriKey(b));
        expect(uriEquals(a, b)).toBe(uriEquals(b, a));
      }),
      { numRuns: 2000 },
    );
  });
});
