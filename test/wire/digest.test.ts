import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeDigestResponse,
  computeRspauth,
  formatAuthenticationInfo,
  formatAuthorization,
  formatNc,
  formatWwwAuthenticate,
  parseAuthenticationInfo,
  parseAuthorization,
  parseWwwAuthenticate,
  verifyAuthorization,
  type DigestCredentials,
} from '../../src/wire/digest.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('RFC 2617 §3.5 worked example', () => {
  it('reproduces response 6629fae49393a05397450978507c4ef1 for GET /dir/index.html', () => {
    expect(
      computeDigestResponse({
        username: 'Mufasa',
        realm: 'testrealm@host.com',
        password: 'Circle Of Life',
        method: 'GET',
        uri: '/dir/index.html',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        nc: '00000001',
        cnonce: '0a4f113b',
        qop: 'auth',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('parses the example challenge and reports its auth-int option (R-16c)', () => {
    const r = parseWwwAuthenticate(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(r).toEqual({
      ok: true,
      value: {
        realm: 'testrealm@host.com',
        qop: ['auth', 'auth-int'],
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        opaque: '5ccc069c403ebaf9f0171e9517f40e41',
      },
      violations: [{ rule: 'R-16c', message: expect.any(String) }],
    });
  });
});

describe('the AUTH profile (RFC 4976 §9.1)', () => {
  // HA1 = MD5(user:realm:pass), HA2 = MD5("AUTH:" + rightmost To-Path URI),
  // response = MD5(HA1:nonce:nc:cnonce:auth:HA2)
  const cases = [
    {
      username: 'alice',
      realm: 'relay.a.example.com',
      password: 's3cret',
      uri: 'msrps://relay.a.example.com;tcp',
      nonce: '5f1c0a9e2b7d4c3a8e6f0b1d2c3a4e5f',
      nc: 1,
      cnonce: '0a4f113b9c2d7e6f',
    },
    {
      username: 'Alice',
      realm: 'extra.example.com',
      password: 'hunter2',
      uri: 'msrps://extra.example.com;tcp',
      nonce: 'Uumu8cAV38FGsEF31VLevIbNXj9HWO',
      nc: 0x1f,
      cnonce: '85a0dca8',
    },
  ];

  it.each(cases)('computes response and rspauth for $username@$realm', (c) => {
    const ha1 = md5(`${c.username}:${c.realm}:${c.password}`);
    const ha2 = md5(`AUTH:${c.uri}`);
    const nc = c.nc.toString(16).padStart(8, '0');
    const expected = md5(`${ha1}:${c.nonce}:${nc}:${c.cnonce}:auth:${ha2}`);
    expect(computeDigestResponse({ ...c, method: 'AUTH', qop: 'auth' })).toBe(expected);
    // method defaults to AUTH, nc may be given as the 8-hex string
    expect(computeDigestResponse({ ...c, nc })).toBe(expected);
    // RFC 2617 §3.2.3: rspauth uses A2 = ":" uri
    const rspauth = md5(`${ha1}:${c.nonce}:${nc}:${c.cnonce}:auth:${md5(`:${c.uri}`)}`);
    expect(computeRspauth({ ...c, qop: 'auth' })).toBe(rspauth);
    expect(rspauth).not.toBe(expected);
  });

  it('formats nc as 8 lower-case hex digits', () => {
    expect(formatNc(1)).toBe('00000001');
    expect(formatNc(0xabcdef12)).toBe('abcdef12');
  });
});

describe('RFC 4976 §5.1 header examples parse', () => {
  it('WWW-Authenticate (both challenges)', () => {
    expect(parseWwwAuthenticate('Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"')).toEqual({
      ok: true,
      value: { realm: 'intra.example.com', qop: ['auth'], nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093' },
      violations: [],
    });
    expect(parseWwwAuthenticate('Digest realm="extra.example.com", qop="auth", nonce="Uumu8cAV38FGsEF31VLevIbNXj9HWO"')).toMatchObject({
      ok: true,
      value: { realm: 'extra.example.com', nonce: 'Uumu8cAV38FGsEF31VLevIbNXj9HWO' },
      violations: [],
    });
  });

  it('Authorization', () => {
    expect(
      parseAuthorization(
        'Digest username="Alice", realm="intra.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1"',
      ),
    ).toEqual({
      ok: true,
      value: {
        username: 'Alice',
        realm: 'intra.example.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        qop: 'auth',
        nc: '00000001',
        cnonce: '0a4f113b',
        response: '6629fae49393a05397450978507c4ef1',
      },
      violations: [],
    });
  });

  it('Authentication-Info, with "," or ", " between parameters (W-22 (iii))', () => {
    const expected = {
      ok: true,
      value: {
        nextnonce: '40f2e879449675f288476d772627370a',
        rspauth: '7327570c586207eca2afae94fc20903d',
        cnonce: '0a4f113b',
        nc: '00000001',
        qop: 'auth',
      },
      violations: [],
    };
    const spaced = 'nextnonce="40f2e879449675f288476d772627370a", rspauth="7327570c586207eca2afae94fc20903d", cnonce="0a4f113b", nc=00000001, qop=auth';
    expect(parseAuthenticationInfo(spaced)).toEqual(expected);
    expect(parseAuthenticationInfo(spaced.replace(/, /g, ','))).toEqual(expected);
    expect(formatAuthenticationInfo(expected.value)).toBe(spaced);
  });
});

describe('profile violations', () => {
  it('R-16b: Basic is refused', () => {
    expect(parseWwwAuthenticate('Basic realm="relay.example.com"')).toMatchObject({ ok: false, rule: 'R-16b' });
    expect(parseAuthorization('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toMatchObject({ ok: false, rule: 'R-16b' });
  });

  it('R-16c: auth-int and MD5-sess', () => {
    const c = parseWwwAuthenticate('Digest realm="r", qop="auth-int", nonce="n", algorithm=MD5-sess');
    expect(c.ok && c.violations.map((v) => v.rule)).toEqual(['R-16c', 'R-16e', 'R-16c']);
    const a = parseAuthorization('Digest username="u", realm="r", nonce="n", qop=auth-int, nc=00000001, cnonce="c", response="' + '0'.repeat(32) + '"');
    expect(a.ok && a.violations.map((v) => v.rule)).toEqual(['R-16c']);
  });

  it('R-16d: domain in a challenge is reported', () => {
    const c = parseWwwAuthenticate('Digest realm="r", qop="auth", nonce="n", domain="/x"');
    expect(c.ok && c.violations.map((v) => v.rule)).toEqual(['R-16d']);
  });

  it('R-16e: qop missing, or quoted the wrong way', () => {
    const missing = parseWwwAuthenticate('Digest realm="r", nonce="n"');
    expect(missing.ok && missing.violations.map((v) => v.rule)).toEqual(['R-16e']);
    const unquoted = parseWwwAuthenticate('Digest realm="r", qop=auth, nonce="n"');
    expect(unquoted.ok && unquoted.violations.map((v) => v.rule)).toEqual(['R-16e']);
    const quoted = parseAuthorization('Digest username="u", realm="r", nonce="n", qop="auth", nc=00000001, cnonce="c", response="' + 'a'.repeat(32) + '"');
    expect(quoted.ok && quoted.violations.map((v) => v.rule)).toEqual(['R-16e']);
    const info = parseAuthenticationInfo('rspauth="ab", cnonce="c", nc=00000001, qop="auth"');
    expect(info.ok && info.violations.map((v) => v.rule)).toEqual(['R-16e']);
  });

  it('R-16f: missing cnonce and nc', () => {
    const a = parseAuthorization('Digest username="u", realm="r", nonce="n", qop=auth, response="' + 'a'.repeat(32) + '"');
    expect(a.ok && a.violations.map((v) => v.rule)).toEqual(['R-16f', 'R-16f']);
  });

  it('LHEX: nc and response must be lower-case hex', () => {
    const a = parseAuthorization('Digest username="u", realm="r", nonce="n", qop=auth, nc=0000000A, cnonce="c", response="' + 'A'.repeat(32) + '"');
    expect(a.ok && a.violations.map((v) => v.rule)).toEqual(['R-16', 'R-16']);
    const info = parseAuthenticationInfo('rspauth="ABCD", cnonce="c", nc=1, qop=auth');
    expect(info.ok && info.violations.map((v) => v.rule)).toEqual(['R-16', 'R-16']);
  });

  it('R-16g: the uri parameter must be quoted', () => {
    const a = parseAuthorization('Digest username="u", realm="r", nonce="n", uri=x, qop=auth, nc=00000001, cnonce="c", response="' + 'a'.repeat(32) + '"');
    expect(a.ok && a.violations.map((v) => v.rule)).toEqual(['R-16g']);
  });

  it('R-06: Authentication-Info must carry rspauth, cnonce, nc and qop', () => {
    const info = parseAuthenticationInfo('nextnonce="abc"');
    expect(info.ok && info.violations.map((v) => v.rule)).toEqual(['R-06', 'R-06', 'R-06', 'R-06']);
  });

  it('syntax errors are values, never exceptions', () => {
    for (const bad of ['', 'Digest', 'Digest realm', 'Digest realm="r', 'Digest realm="r",', 'Digest realm="r" nonce="n"', 'Digest realm="r", realm="s", nonce="n"', 'Negotiate abc']) {
      const r = parseWwwAuthenticate(bad);
      expect(r.ok).toBe(false);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        parseWwwAuthenticate(s);
        parseAuthorization('Digest ' + s);
        parseAuthenticationInfo(s);
      }),
    );
  });
});

describe('format and verify', () => {
  const uri = 'msrps://relay.a.example.com;tcp';
  const base = { username: 'alice', realm: 'relay.a.example.com', password: 's3cret', uri, nonce: 'abc123', nc: 1, cnonce: 'deadbeefcafe0001' };
  const creds: DigestCredentials = {
    username: base.username,
    realm: base.realm,
    nonce: base.nonce,
    qop: 'auth',
    nc: formatNc(base.nc),
    cnonce: base.cnonce,
    response: computeDigestResponse(base),
  };
  const options = { password: 's3cret', realm: 'relay.a.example.com', nonce: 'abc123', uri };

  it('formats headers that parse back without violations', () => {
    const text = formatAuthorization({ ...creds, uri, opaque: 'op"aque\\' });
    expect(text).toContain('qop=auth, nc=00000001');
    expect(text).toContain(`uri="${uri}"`);
    expect(parseAuthorization(text)).toEqual({ ok: true, value: { ...creds, uri, opaque: 'op"aque\\' }, violations: [] });
    const challenge = { realm: 'relay.a.example.com', qop: ['auth'], nonce: 'abc123', opaque: 'xyz', stale: true, algorithm: 'MD5' };
    const w = formatWwwAuthenticate(challenge);
    expect(w).toBe('Digest realm="relay.a.example.com", qop="auth", nonce="abc123", opaque="xyz", stale=true, algorithm=MD5');
    expect(parseWwwAuthenticate(w)).toEqual({ ok: true, value: challenge, violations: [] });
  });

  it('accepts good credentials', () => {
    expect(verifyAuthorization(creds, options)).toEqual({ ok: true });
    expect(verifyAuthorization({ ...creds, uri }, options)).toEqual({ ok: true });
    expect(verifyAuthorization({ ...creds, response: creds.response.toUpperCase() }, options)).toEqual({ ok: true });
  });

  it('refuses bad ones, naming the rule', () => {
    expect(verifyAuthorization(creds, { ...options, password: 'wrong' })).toMatchObject({ ok: false, rule: 'R-11' });
    expect(verifyAuthorization(creds, { ...options, uri: 'msrps://other.example.com;tcp' })).toMatchObject({ ok: false, rule: 'R-11' });
    expect(verifyAuthorization({ ...creds, uri: 'msrps://other.example.com;tcp' }, options)).toMatchObject({ ok: false, rule: 'R-16g' });
    expect(verifyAuthorization({ ...creds, realm: 'other' }, options)).toMatchObject({ ok: false, rule: 'R-04' });
    expect(verifyAuthorization(creds, { ...options, nonce: 'fresh' })).toMatchObject({ ok: false, rule: 'R-04' });
    expect(verifyAuthorization({ ...creds, qop: 'auth-int' }, options)).toMatchObject({ ok: false, rule: 'R-16c' });
    expect(verifyAuthorization({ ...creds, qop: undefined }, options)).toMatchObject({ ok: false, rule: 'R-16e' });
    expect(verifyAuthorization({ ...creds, algorithm: 'MD5-sess' }, options)).toMatchObject({ ok: false, rule: 'R-16c' });
    expect(verifyAuthorization({ ...creds, cnonce: undefined }, options)).toMatchObject({ ok: false, rule: 'R-16f' });
    expect(verifyAuthorization({ ...creds, nc: undefined }, options)).toMatchObject({ ok: false, rule: 'R-16f' });
    expect(verifyAuthorization({ ...creds, nc: '00000002' }, options)).toMatchObject({ ok: false, rule: 'R-11' });
    expect(verifyAuthorization({ ...creds, response: 'é'.repeat(16) }, options)).toMatchObject({ ok: false, rule: 'R-11' });
  });
});
