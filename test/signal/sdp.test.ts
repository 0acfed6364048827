import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatSdp, isMsrpMedia, parseSdp } from '../../src/signal/sdp.js';
import type { MsrpMediaDescription, SdpIssue, SessionDescription } from '../../src/signal/sdp.js';

/** A fixture as a peer would send it: the RFC's lines joined with CRLF. */
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8').replace(/\n/g, '\r\n');

const parsed = (text: string): { desc: SessionDescription; violations: SdpIssue[] } => {
  const r = parseSdp(text);
  if (!r.ok) throw new Error(`parse failed: ${JSON.stringify(r.errors)}`);
  return r;
};

const rules = (issues: SdpIssue[]): string[] => issues.map((v) => `${v.rule}@${v.line}`);

const msrp = (port: number, host: string, path: string[], acceptTypes: string[], proto = 'TCP/MSRP'): MsrpMediaDescription => ({
  media: 'message',
  port,
  proto,
  formats: ['*'],
  connectionAddress: host,
  addressType: 'IP4',
  path,
  acceptTypes,
});

const full = (username: string, id: string, version: string, host: string, media: MsrpMediaDescription): SessionDescription => ({
  origin: { username, sessionId: id, version, addressType: 'IP4', address: host },
  sessionName: ' -',
  connection: { addressType: 'IP4', address: host },
  time: { start: 0, stop: 0 },
  media: [media],
});

describe('RFC SDP examples', () => {
  const canonical: [string, SessionDescription][] = [
    [
      'rfc4975-s8.2-fig7.sdp',
      full('alice', '2890844526', '2890844527', 'alice.example.com', msrp(7394, 'alice.example.com', ['msrp://alice.example.com:7394/2s93i9ek2a;tcp'], ['text/plain'])),
    ],
    [
      'rfc4975-s8.7-fig9.sdp',
      full(
        'usera',
        '2890844526',
        '2890844527',
        'alice.example.com',
        msrp(7394, 'alice.example.com', ['msrp://alice.example.com:7394/2s93i93idj;tcp'], ['message/cpim', 'text/plain', 'text/html']),
      ),
    ],
    [
      'rfc4975-s8.7-fig10.sdp',
      full('userb', '2890844530', '2890844532', 'bob.example.com', msrp(8493, 'bob.example.com', ['msrp://bob.example.com:8493/si438dsaodes;tcp'], ['message/cpim', 'text/plain'])),
    ],
    [
      'rfc4975-s11.1-sdp1.sdp',
      full('alice', '2890844557', '2890844559', 'alicepc.example.com', msrp(7777, 'alicepc.example.com', ['msrp://alicepc.example.com:7777/iau39soe2843z;tcp'], ['text/plain'])),
    ],
    [
      'rfc4975-s11.1-sdp2.sdp',
      full('bob', '2890844612', '2890844616', 'bob.example.com', msrp(8888, 'bob.example.com', ['msrp://bob.example.com:8888/9di4eae923wzd;tcp'], ['text/plain'])),
    ],
  ];

  for (const [name, expected] of canonical) {
    it(`${name} parses to the model with no violation`, () => {
      const r = parsed(fixture(name));
      expect(r.desc).toEqual(expected);
      expect(r.violations).toEqual([]);
    });
    it(`${name} is canonical: format(parse(x)) is byte-identical`, () => {
      const text = fixture(name);
      expect(formatSdp(parsed(text).desc)).toBe(text);
    });
  }

  // Fragments print only c=, m= and a=: read with placeholders, each missing line counted.
  const fragmentViolations = ['RFC 4566 §5.1@1', 'RFC 4566 §5.2@2', 'RFC 4566 §5.3@2', 'RFC 4566 §5.9@2'];
  const fragment = (host: string, media: MsrpMediaDescription): SessionDescription => ({
    origin: { username: '-', sessionId: '0', version: '0', addressType: 'IP4', address: host },
    sessionName: '-',
    connection: { addressType: 'IP4', address: host },
    time: { start: 0, stop: 0 },
    media: [media],
  });

  it('RFC 4975 §4 Figure 1 offer (fragment)', () => {
    const r = parsed(fixture('rfc4975-s4-fig1-offer.sdp'));
    expect(r.desc).toEqual(fragment('atlanta.example.com', msrp(7654, 'atlanta.example.com', ['msrp://atlanta.example.com:7654/jshA7weztas;tcp'], ['text/plain'])));
    expect(rules(r.violations)).toEqual(fragmentViolations);
  });

  it('RFC 4975 §4 Figure 1 answer (fragment)', () => {
    const r = parsed(fixture('rfc4975-s4-fig1-answer.sdp'));
    expect(r.desc).toEqual(
      fragment('biloxi.example.com', msrp(12763, 'biloxi.example.com', ['msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp'], ['text/plain'])),
    );
    expect(rules(r.violations)).toEqual(fragmentViolations);
  });

  it('RFC 4976 §11 offer: fragment with "a=accept-types: " (A-08 vi)', () => {
    const r = parsed(fixture('rfc4976-s11-offer.sdp'));
    expect(r.desc).toEqual(
      fragment('a.example.com', msrp(1234, 'a.example.com', ['msrp://a.example.com:1234/agic456;tcp'], ['message/cpim', 'text/plain', 'text/html'])),
    );
    expect(rules(r.violations)).toEqual(['A-08@3', ...fragmentViolations]);
  });

  it('RFC 4976 §11 answer: two-hop path over TLS', () => {
    const r = parsed(fixture('rfc4976-s11-answer.sdp'));
    expect(r.desc).toEqual(
      fragment(
        'bob.example.com',
        msrp(1234, 'bob.example.com', ['msrps://relay.example.com:9000/hjdhfha;tcp', 'msrps://bob.example.com:1234/fuige;tcp'], ['message/cpim', 'text/plain'], 'TCP/TLS/MSRP'),
      ),
    );
    expect(rules(r.violations)).toEqual(['A-08@3', ...fragmentViolations]);
    // Formatting writes the standard form: no space after the colon, all lines present.
    expect(formatSdp(r.desc)).toContain('\r\na=accept-types:message/cpim text/plain\r\n');
  });

  it('RFC 5547 §6 Figure 2: file transfer attributes', () => {
    const r = parseSdp(fixture('rfc5547-s6-fig2.sdp'));
    if (!r.ok) throw new Error('parse failed');
    const m = r.desc.media[0] as MsrpMediaDescription;
    expect(m.direction).toBe('sendonly');
    expect(m.acceptTypes).toEqual(['message/cpim']);
    expect(m.acceptWrappedTypes).toEqual(['*']);
    expect(m.fileSelector).toEqual({
      name: 'My cool picture.jpg',
      type: 'image/jpeg',
      size: 32349,
      hash: [{ algorithm: 'sha-1', value: '72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E' }],
    });
    expect(m.fileTransferId).toBe('vBnG916bdberum2fFEABR1FR3ExZMUrd');
    expect(m.attributes).toEqual([
      { name: 'file-disposition', value: 'attachment' },
      { name: 'file-date', value: 'creation:"Mon, 15 May 2006 15:01:31 +0300"' },
      { name: 'file-icon', value: 'cid:id2@alicepc.example.com' },
      { name: 'file-range', value: '1-32349' },
    ]);
    expect(r.desc.sessionName).toBe('');
    expect(rules(r.violations)).toEqual(['RFC 4566 §5.3@3']);
    expect(r.ignored).toEqual([{ line: 7, text: 'i=This is my latest picture' }]);
  });
});

describe('parseSdp tolerance', () => {
  const text = fixture('rfc4975-s11.1-sdp1.sdp');

  it('reads LF-only line ends with one violation', () => {
    const lf = parseSdp(text.replace(/\r\n/g, '\n'));
    if (!lf.ok) throw new Error('parse failed');
    expect(lf.desc).toEqual(parsed(text).desc);
    expect(rules(lf.violations)).toEqual(['RFC 4566 §5@1']);
  });

  it('counts a missing final CRLF', () => {
    const r = parseSdp(text.slice(0, -2));
    expect(r.ok && rules(r.violations)).toEqual(['RFC 4566 §5@8']);
  });

  it('keeps unknown attributes in order and formats them back', () => {
    const withExtra = text + 'a=x-custom:1 2\r\na=x-flag\r\n';
    const r = parsed(withExtra);
    expect(r.desc.media[0]?.attributes).toEqual([{ name: 'x-custom', value: '1 2' }, { name: 'x-flag' }]);
    expect(formatSdp(r.desc)).toBe(withExtra);
  });

  it('reads setup, max-size, direction, cema and accept-wrapped-types', () => {
    const r = parsed(text + 'a=accept-wrapped-types:text/html\r\na=max-size:2048\r\na=setup:actpass\r\na=msrp-cema\r\na=recvonly\r\n');
    const m = r.desc.media[0] as MsrpMediaDescription;
    expect([m.acceptWrappedTypes, m.maxSize, m.setup, m.cema, m.direction]).toEqual([['text/html'], 2048, 'actpass', true, 'recvonly']);
    expect(r.violations).toEqual([]);
  });

  it('puts the media c= where the session has none, and formats it after m=', () => {
    const desc: SessionDescription = { ...parsed(text).desc };
    delete desc.connection;
    const out = formatSdp(desc);
    expect(out).toContain('m=message 7777 TCP/MSRP *\r\nc=IN IP4 alicepc.example.com\r\n');
    expect(parsed(out).desc).toEqual(desc);
  });

  it('represents lines that break E-01 so validation can name the rule', () => {
    const r = parsed(text.replace('m=message 7777 TCP/MSRP *', 'm=message 7777 TCP/WS/MSRP text/plain'));
    const m = r.desc.media[0] as MsrpMediaDescription;
    expect([m.proto, m.formats, isMsrpMedia(m)]).toEqual(['TCP/WS/MSRP', ['text/plain'], false]);
  });

  it('keeps other media with their attributes', () => {
    const r = parsed(text + 'm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n');
    expect(r.desc.media[1]).toMatchObject({ media: 'audio', port: 49170, proto: 'RTP/AVP', formats: ['0'], attributes: [{ name: 'rtpmap', value: '0 PCMU/8000' }] });
  });

  it('counts malformed entries, repeated attributes and out-of-order lines', () => {
    const r = parsed(
      [
        'v=0',
        'o=a 1 1 IN IP4 a.example.com',
        's=-',
        't=0 0',
        'c=IN IP4 a.example.com',
        'm=message 7 TCP/MSRP *',
        'a=accept-types:text  */plain',
        'a=accept-types:text/plain',
        'a=path:msrp://a.example.com/abc;tcp http://y',
        'a=max-size:big',
        'a=setup:sometimes',
        '',
      ].join('\r\n'),
    );
    expect(rules(r.violations)).toEqual([
      'RFC 4566 §5@5',
      'E-05@7',
      'E-05@7',
      'E-05@7',
      'RFC 4566 §5@8',
      'E-03@9',
      'E-08@10',
      'E-18@11',
    ]);
    expect(r.desc.media[0]?.acceptTypes).toEqual(['text', '*/plain']);
    expect(r.desc.media[0]?.path).toEqual(['msrp://a.example.com/abc;tcp', 'http://y']);
    expect(r.desc.media[0]?.attributes).toEqual([
      { name: 'max-size', value: 'big' },
      { name: 'setup', value: 'sometimes' },
    ]);
  });

  it.each([
    ['v=1', 'RFC 4566 §5.1'],
    ['o=alice 1 2 IN', 'RFC 4566 §5.2'],
    ['o=alice 1 2 ATM IP4 x', 'RFC 4566 §5.2'],
    ['c=IN IPX host', 'RFC 4566 §5.7'],
    ['t=now later', 'RFC 4566 §5.9'],
    ['m=message 70000 TCP/MSRP *', 'RFC 4566 §5.14'],
    ['m=message 7777', 'RFC 4566 §5.14'],
  ])('rejects %s', (line, rule) => {
    const key = line.slice(0, 2);
    const bad = text.split('\r\n').map((l) => (l.startsWith(key) ? line : l)).join('\r\n');
    const r = parseSdp(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.rule).toBe(rule);
  });

  it('rejects media without any c= line', () => {
    const r = parseSdp(text.replace('c=IN IP4 alicepc.example.com\r\n', ''));
    expect(!r.ok && r.errors.map((e) => e.rule)).toEqual(['RFC 4566 §5.7']);
  });

  it('rejects text with neither v= nor m=', () => {
    for (const t of ['', '\r\n', 'c=IN IP4 a.example.com\r\n']) {
      const r = parseSdp(t);
      expect(!r.ok && r.errors.map((e) => e.rule)).toEqual(['RFC 4566 §5']);
    }
  });

  it('never throws on arbitrary text', () => {
    for (const t of ['', '\r\n', 'garbage', 'm=', 'a=path:', '\n\n\n', 'v=0\r\nm=message x y z\r\n']) {
      expect(() => parseSdp(t)).not.toThrow();
    }
  });
});
