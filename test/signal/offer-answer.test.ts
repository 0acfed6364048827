import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildAnswer, buildOffer, pathEndpoints, validateAnswer, validateOffer } from '../../src/signal/offer-answer.js';
import type { AnswererCapabilities, AnswererConfig, OfferConfig } from '../../src/signal/offer-answer.js';
import { formatSdp, parseSdp } from '../../src/signal/sdp.js';
import type { MsrpMediaDescription, SessionDescription } from '../../src/signal/sdp.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8').replace(/\n/g, '\r\n');
const sdp = (text: string): SessionDescription => {
  const r = parseSdp(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.desc;
};

const aliceUri = 'msrp://alicepc.example.com:7777/iau39soe2843z;tcp';
const bobUri = 'msrp://bob.example.com:8888/9di4eae923wzd;tcp';
const alice: OfferConfig = {
  origin: { username: 'alice', sessionId: '2890844557', version: '2890844559' },
  sessionName: ' -',
  path: [aliceUri],
  acceptTypes: ['text/plain'],
};
const bob: AnswererConfig = {
  origin: { username: 'bob', sessionId: '2890844612', version: '2890844616' },
  sessionName: ' -',
  path: [bobUri],
  acceptTypes: ['text/plain'],
};
const caps: AnswererCapabilities = { acceptTypes: ['text/plain'] };

/** The RFC 4975 §11.1 offer with its MSRP media line changed. */
const offerWith = (change: Partial<MsrpMediaDescription>, session: Partial<SessionDescription> = {}): SessionDescription => {
  const base = sdp(fixture('rfc4975-s11.1-sdp1.sdp'));
  const m = { ...(base.media[0] as MsrpMediaDescription), ...change };
  for (const key of Object.keys(change) as (keyof MsrpMediaDescription)[]) if (change[key] === undefined) delete m[key];
  return { ...base, ...session, media: [m] };
};

const answerWith = (change: Partial<MsrpMediaDescription>): SessionDescription => {
  const base = sdp(fixture('rfc4975-s11.1-sdp2.sdp'));
  return { ...base, media: [{ ...(base.media[0] as MsrpMediaDescription), ...change }] };
};

describe('validateOffer: one passing and one failing case per rule', () => {
  it('accepts the RFC 4975 §11.1 offer', () => {
    expect(validateOffer(offerWith({}), caps)).toEqual({ ok: true, violations: [] });
  });

  const failing: [string, SessionDescription, AnswererCapabilities, string, RegExp][] = [
    ['E-01 media is not message', offerWith({ media: 'text' }), caps, 'E-01', /no m=message line/],
    ['E-01 port 0 (the offerer disabled its only line)', offerWith({ port: 0 }), caps, 'E-01', /no m=message line/],
    ['E-01 protocol', offerWith({ proto: 'TCP/WS/MSRP' }), caps, 'E-01', /neither TCP\/MSRP nor TCP\/TLS\/MSRP/],
    ['E-01 format list', offerWith({ formats: ['text/plain'] }), caps, 'E-01', /not "\*"/],
    ['E-01 port differs from the endpoint URI', offerWith({ port: 7778 }), caps, 'E-01', /port 7778 does not match port 7777/],
    ['E-02 c= is not the endpoint host', offerWith({ connectionAddress: 'other.example.com' }), caps, 'E-02', /c= address other\.example\.com/],
    ['X-06 a CEMA answerer names the CEMA rule', offerWith({ connectionAddress: 'sbc.example.com' }), { ...caps, cema: true }, 'X-06', /not the host/],
    ['E-03 no a=path', offerWith({ path: [] }), caps, 'E-03', /no a=path/],
    ['E-03 malformed URI', offerWith({ path: ['sip:alice@example.com'] }), caps, 'E-03', /msrp:\/\//],
    ['U-04 URI without port', offerWith({ path: ['msrp://alicepc.example.com/iau39soe2843z;tcp'] }), caps, 'U-04', /explicit port/],
    ['U-09 endpoint URI without session-id', offerWith({ path: ['msrp://alicepc.example.com:7777;tcp'] }), caps, 'U-09', /no session-id/],
    ['U-07 TLS protocol with an msrp URI', offerWith({ proto: 'TCP/TLS/MSRP' }), caps, 'U-07', /TCP\/TLS\/MSRP does not match the msrp scheme/],
    [
      'U-07 msrps URI with plain TCP',
      offerWith({ path: ['msrps://alicepc.example.com:7777/iau39soe2843z;tcp'] }),
      caps,
      'U-07',
      /TCP\/MSRP does not match the msrps scheme/,
    ],
    ['E-05 no a=accept-types', offerWith({ acceptTypes: [] }), caps, 'E-05', /no a=accept-types/],
    ['E-05 no type in common', offerWith({ acceptTypes: ['image/jpeg'] }), caps, 'E-05', /none of the offered types \(image\/jpeg\)/],
    ['E-18 passive offer to a COMEDIA answerer', offerWith({ setup: 'passive' }), { ...caps, comedia: true }, 'E-18', /forbids/],
  ];
  it.each(failing)('%s -> 488 %s', (_name, offer, c, rule, reason) => {
    const v = validateOffer(offer, c);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.status).toBe(488);
    expect(v.rule).toBe(rule);
    expect(v.reason).toMatch(reason);
  });

  const passing: [string, SessionDescription, AnswererCapabilities][] = [
    ['E-01 port 9 with a=setup:active (RFC 6135 §4.2.2)', offerWith({ port: 9, setup: 'active' }), caps],
    ['E-01 a second m-line with port 0 is left alone', { ...offerWith({}), media: [...offerWith({}).media, { ...(offerWith({}).media[0] as MsrpMediaDescription), port: 0, proto: 'x' }] }, caps],
    ['E-02 host compared case-insensitively', offerWith({ connectionAddress: 'AlicePC.Example.COM' }), caps],
    [
      'E-02 IPv6 literal',
      offerWith({ path: ['msrp://[2001:db8::1]:7777/iau39soe2843z;tcp'], connectionAddress: '2001:db8::1', addressType: 'IP6' }),
      caps,
    ],
    [
      'E-04 relay first: port and c= follow the last URI',
      offerWith({ path: ['msrp://relay.example.com:2855/r1;tcp', aliceUri] }),
      caps,
    ],
    ['X-06 with a=msrp-cema, c/m may name the relay', offerWith({ path: ['msrp://relay.example.com:2855/r1;tcp', aliceUri], connectionAddress: 'relay.example.com', port: 2855, cema: true }), caps],
    ['U-07 msrps with TCP/TLS/MSRP', offerWith({ proto: 'TCP/TLS/MSRP', path: ['msrps://alicepc.example.com:7777/iau39soe2843z;tcp'] }), caps],
    ['E-05 wildcard in the offer', offerWith({ acceptTypes: ['*'] }), caps],
    ['E-05 type wildcard in the answerer', offerWith({ acceptTypes: ['text/html'] }), { acceptTypes: ['text/*'] }],
    ['E-05 sendonly offer: the answerer never sends, so no overlap needed', offerWith({ acceptTypes: ['image/jpeg'], direction: 'sendonly' }), caps],
    ['E-05 session-level sendonly counts too', offerWith({ acceptTypes: ['image/jpeg'] }, { attributes: [{ name: 'sendonly' }] }), caps],
    ['E-18 passive offer to an RFC 4975 answerer (a=setup not read)', offerWith({ setup: 'passive' }), caps],
    ['E-18 actpass to a COMEDIA answerer', offerWith({ setup: 'actpass' }), { ...caps, comedia: true }],
  ];
  it.each(passing)('%s -> ok', (_name, offer, c) => {
    expect(validateOffer(offer, c)).toMatchObject({ ok: true });
  });

  it('counts SHOULD-level problems without rejecting: E-06, holdconn, a=connection', () => {
    const v = validateOffer(
      offerWith({ acceptTypes: ['text/plain', 'message/cpim'], acceptWrappedTypes: ['text/plain'], setup: 'holdconn', attributes: [{ name: 'connection', value: 'new' }] }),
      caps,
    );
    expect(v.ok && v.violations.map((x) => x.rule)).toEqual(['E-06', 'E-18', 'E-18']);
  });

  it('E-04: pathEndpoints names the first hop and the endpoint', () => {
    expect(pathEndpoints(['msrp://r:1/a;tcp', aliceUri])).toEqual({ firstHop: 'msrp://r:1/a;tcp', endpoint: aliceUri });
    expect(pathEndpoints([])).toBeUndefined();
  });
});

describe('validateAnswer', () => {
  const offer = offerWith({});

  it('accepts the RFC 4975 §11.1 answer, offerer active (E-12)', () => {
    expect(validateAnswer(offer, sdp(fixture('rfc4975-s11.1-sdp2.sdp')))).toEqual({ ok: true, active: 'offerer', violations: [] });
  });

  it('accepts the RFC 4976 §11 answer (two hops, TLS) to its offer', () => {
    const v = validateAnswer(sdp(fixture('rfc4976-s11-offer.sdp')), sdp(fixture('rfc4976-s11-answer.sdp')));
    expect(v).toEqual({ ok: true, active: 'offerer', violations: [] });
  });

  it.each([
    ['RFC 3264 §6 m-line count', { ...answerWith({}), media: [] }, 'RFC 3264 §6'],
    ['E-01 answer rejected the line (port 0)', answerWith({ port: 0 }), 'E-01'],
    ['E-01 port mismatch', answerWith({ port: 1 }), 'E-01'],
    ['E-02 c= mismatch', answerWith({ connectionAddress: 'elsewhere.example.com' }), 'E-02'],
    ['E-03 no path', answerWith({ path: [] }), 'E-03'],
    ['E-05 no accept-types', answerWith({ acceptTypes: [] }), 'E-05'],
    ['U-07 scheme and protocol disagree', answerWith({ proto: 'TCP/TLS/MSRP' }), 'U-07'],
    ['E-18 answer active to an RFC 4975 offerer (both active)', answerWith({ setup: 'active' }), 'E-18'],
    ['E-18 actpass in an answer', answerWith({ setup: 'actpass' }), 'E-18'],
  ] as [string, SessionDescription, string][])('%s -> 488 %s', (_name, answer, rule) => {
    const v = validateAnswer(offer, answer);
    expect(v.ok).toBe(false);
    if (!v.ok) expect([v.status, v.rule]).toEqual([488, rule]);
  });

  it('E-01: one of two offered MSRP lines rejected with port 0 is fine', () => {
    const second = { ...(offer.media[0] as MsrpMediaDescription) };
    const two = { ...offer, media: [offer.media[0] as MsrpMediaDescription, second] };
    const answer = buildAnswer(two, bob);
    if (!answer.ok) throw new Error(answer.reason);
    expect(answer.answer.media.map((m) => m.port)).toEqual([8888, 0]);
    expect(validateAnswer(two, answer.answer)).toMatchObject({ ok: true, active: 'offerer' });
  });

  it('E-18: answer active to actpass makes the answerer active', () => {
    expect(validateAnswer(offerWith({ setup: 'actpass' }), answerWith({ setup: 'active' }))).toMatchObject({ ok: true, active: 'answerer' });
  });

  it('E-18: answer active to active is refused', () => {
    const v = validateAnswer(offerWith({ setup: 'active' }), answerWith({ setup: 'active' }));
    expect(!v.ok && v.rule).toBe('E-18');
  });
});

describe('buildOffer and buildAnswer', () => {
  it('reproduce RFC 4975 §11.1 byte for byte', () => {
    const offerText = formatSdp(buildOffer(alice));
    expect(offerText).toBe(fixture('rfc4975-s11.1-sdp1.sdp'));
    const answer = buildAnswer(sdp(offerText), bob);
    if (!answer.ok) throw new Error(answer.reason);
    expect(formatSdp(answer.answer)).toBe(fixture('rfc4975-s11.1-sdp2.sdp'));
    expect(answer.active).toBe('offerer');
  });

  it('reproduce RFC 4975 §8.7 byte for byte', () => {
    const offer = buildOffer({
      origin: { username: 'usera', sessionId: '2890844526', version: '2890844527' },
      sessionName: ' -',
      path: ['msrp://alice.example.com:7394/2s93i93idj;tcp'],
      acceptTypes: ['message/cpim', 'text/plain', 'text/html'],
    });
    expect(formatSdp(offer)).toBe(fixture('rfc4975-s8.7-fig9.sdp'));
    const answer = buildAnswer(offer, {
      origin: { username: 'userb', sessionId: '2890844530', version: '2890844532' },
      sessionName: ' -',
      path: ['msrp://bob.example.com:8493/si438dsaodes;tcp'],
      acceptTypes: ['message/cpim', 'text/plain'],
    });
    expect(answer.ok && formatSdp(answer.answer)).toBe(fixture('rfc4975-s8.7-fig10.sdp'));
  });

  it('answer the RFC 4976 §11 offer with a relay path like the RFC does', () => {
    const answer = buildAnswer(sdp(fixture('rfc4976-s11-offer.sdp')), {
      origin: { username: 'bob', sessionId: '1', version: '1' },
      path: ['msrps://relay.example.com:9000/hjdhfha;tcp', 'msrps://bob.example.com:1234/fuige;tcp'],
      acceptTypes: ['message/cpim', 'text/plain'],
    });
    if (!answer.ok) throw new Error(answer.reason);
    expect(answer.answer.media).toEqual(sdp(fixture('rfc4976-s11-answer.sdp')).media);
  });

  it('turn a failed validation into a 488 verdict', () => {
    expect(buildAnswer(offerWith({ acceptTypes: ['image/jpeg'] }), bob)).toMatchObject({ ok: false, status: 488, rule: 'E-05' });
  });

  it('COMEDIA: reachable offerer offers actpass; answerer behind NAT answers active (E-18)', () => {
    const offer = buildOffer({ ...alice, comedia: true });
    expect(offer.media[0]?.setup).toBe('actpass');
    const answer = buildAnswer(offer, { ...bob, comedia: true, behindNat: true });
    if (!answer.ok) throw new Error(answer.reason);
    expect([answer.active, answer.answer.media[0]?.setup]).toEqual(['answerer', 'active']);
    expect(validateAnswer(offer, answer.answer)).toMatchObject({ ok: true, active: 'answerer' });
  });

  it('COMEDIA: offerer behind NAT offers active; answer is passive', () => {
    const offer = buildOffer({ ...alice, comedia: true, behindNat: true });
    expect(offer.media[0]?.setup).toBe('active');
    const answer = buildAnswer(offer, { ...bob, comedia: true });
    expect(answer.ok && [answer.active, answer.answer.media[0]?.setup]).toEqual(['offerer', 'passive']);
  });

  it('TLS endpoint URIs give TCP/TLS/MSRP (U-07) and IPv6 hosts an IP6 c= line', () => {
    const offer = buildOffer({ ...alice, path: ['msrps://[2001:db8::7]:2855/s1;tcp'] });
    expect(formatSdp(offer)).toContain('c=IN IP6 2001:db8::7\r\nt=0 0\r\nm=message 2855 TCP/TLS/MSRP *\r\n');
    expect(validateOffer(offer, caps)).toMatchObject({ ok: true });
  });

  it('CEMA (X-06): relay-using answerer puts the relay in c/m, answers passive with a=msrp-cema', () => {
    const offer = buildOffer({ ...alice, cema: true });
    expect([offer.media[0]?.cema, offer.media[0]?.setup]).toEqual([true, 'actpass']);
    const answer = buildAnswer(offer, { ...bob, cema: true, behindNat: true, path: ['msrp://relay.b.example.net:2855/r9;tcp', bobUri] });
    if (!answer.ok) throw new Error(answer.reason);
    expect(answer.answer.media[0]).toMatchObject({ cema: true, setup: 'passive', port: 2855, connectionAddress: 'relay.b.example.net' });
    expect(validateAnswer(offer, answer.answer)).toMatchObject({ ok: true, active: 'offerer' });
  });

  it('CEMA (X-06): falls back to RFC 4975 when both sides use relays', () => {
    const relayed = (host: string, uri: string): string[] => [`msrp://${host}:2855/r;tcp`, uri];
    const offer = buildOffer({ ...alice, cema: true, path: relayed('relay.a.example.com', aliceUri) });
    expect(offer.media[0]?.connectionAddress).toBe('relay.a.example.com');
    const answer = buildAnswer(offer, { ...bob, cema: true, path: relayed('relay.b.example.net', bobUri) });
    expect(answer.ok && answer.answer.media[0]).toMatchObject({ connectionAddress: 'bob.example.com', port: 8888 });
    expect(answer.ok && answer.answer.media[0]?.cema).toBeUndefined();
  });

  it('file transfer (X-07): the answer copies name, type, size and the transfer id, and is recvonly', () => {
    const offer = buildOffer({
      ...alice,
      acceptTypes: ['message/cpim'],
      direction: 'sendonly',
      fileSelector: { name: 'My cool picture.jpg', type: 'image/jpeg', size: 32349, hash: [{ algorithm: 'sha-1', value: '72:24' }] },
      fileTransferId: 'vBnG916bdberum2fFEABR1FR3ExZMUrd',
    });
    const answer = buildAnswer(offer, { ...bob, acceptTypes: ['image/jpeg'] });
    if (!answer.ok) throw new Error(answer.reason);
    expect(answer.answer.media[0]).toMatchObject({
      direction: 'recvonly',
      fileSelector: { name: 'My cool picture.jpg', type: 'image/jpeg', size: 32349 },
      fileTransferId: 'vBnG916bdberum2fFEABR1FR3ExZMUrd',
    });
    expect(answer.answer.media[0]?.fileSelector?.hash).toBeUndefined();
  });

  it('RFC 3264 §6: other m-lines are answered with port 0', () => {
    const audio: MsrpMediaDescription = { media: 'audio', port: 49170, proto: 'RTP/AVP', formats: ['0'], connectionAddress: 'alicepc.example.com', addressType: 'IP4', path: [], acceptTypes: [] };
    const offer = { ...offerWith({}), media: [audio, ...offerWith({}).media] };
    const answer = buildAnswer(offer, bob);
    if (!answer.ok) throw new Error(answer.reason);
    expect(answer.answer.media.map((m) => [m.media, m.port])).toEqual([['audio', 0], ['message', 8888]]);
    expect(validateAnswer(offer, answer.answer)).toMatchObject({ ok: true });
  });

  it('direction mirrors the offer (RFC 3264 §6.1)', () => {
    const answer = buildAnswer(offerWith({ direction: 'recvonly' }), bob);
    expect(answer.ok && answer.answer.media[0]?.direction).toBe('sendonly');
  });

  it('throws on a malformed own path (a configuration bug)', () => {
    expect(() => buildOffer({ ...alice, path: [] })).toThrow();
    expect(() => buildOffer({ ...alice, path: ['msrp://x.example.com/s;tcp'] })).toThrow(/explicit port/);
  });
});
