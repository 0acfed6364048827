import { describe, expect, it } from 'vitest';
import { addressTypeOfHost, hostAsConnectionAddress, parsePathUri } from '../../src/signal/path-uri.js';
import * as signal from '../../src/signal/index.js';

describe('parsePathUri (local helper until the wire URI codec is used here)', () => {
  it.each([
    ['msrp://alicepc.example.com:7777/iau39soe2843z;tcp', { scheme: 'msrp', host: 'alicepc.example.com', port: 7777, sessionId: 'iau39soe2843z', transport: 'tcp' }],
    ['MSRPS://Relay.Example.com:9000/hjdhfha;TCP', { scheme: 'msrps', host: 'Relay.Example.com', port: 9000, sessionId: 'hjdhfha', transport: 'tcp' }],
    ['msrps://a.example.org;tcp', { scheme: 'msrps', host: 'a.example.org', transport: 'tcp' }],
    ['msrp://bob@[2001:db8::1]:2855/a+b=c/d;ws;x=y;flag', { scheme: 'msrp', host: '[2001:db8::1]', port: 2855, sessionId: 'a+b=c/d', transport: 'ws' }],
    ['msrp://192.0.2.1:1/s;tcp', { scheme: 'msrp', host: '192.0.2.1', port: 1, sessionId: 's', transport: 'tcp' }],
  ])('reads %s', (text, uri) => {
    expect(parsePathUri(text)).toEqual({ ok: true, uri });
  });

  it.each([
    'sip:bob@example.com',
    'msrp://host.example.com:7777/abc',
    'msrp://host.example.com:99999/abc;tcp',
    'msrp://host.example.com:/abc;tcp',
    'msrp://:7777/abc;tcp',
    'msrp://host.example.com:7777/a%20b;tcp',
    'msrp://host.example.com:7777/abc;tcp;',
  ])('rejects %s', (text) => {
    expect(parsePathUri(text).ok).toBe(false);
  });

  it('maps hosts to SDP connection addresses', () => {
    expect([hostAsConnectionAddress('[2001:db8::1]'), addressTypeOfHost('[2001:db8::1]')]).toEqual(['2001:db8::1', 'IP6']);
    expect([hostAsConnectionAddress('a.example.com'), addressTypeOfHost('a.example.com')]).toEqual(['a.example.com', 'IP4']);
  });
});

describe('src/signal/index.ts', () => {
  it('exports the public functions', () => {
    for (const name of [
      'formatSdp', 'parseSdp', 'isMsrpMedia', 'mediaTypeAccepted', 'mediaTypesOverlap', 'negotiateSetup', 'chooseOfferSetup',
      'activePartyFromAnswer', 'validateOffer', 'validateAnswer', 'buildOffer', 'buildAnswer', 'pathEndpoints', 'buildInvite',
      'buildInviteOk', 'buildNotAcceptable', 'buildAck', 'buildBye', 'buildByeOk', 'buildSipResponse', 'parseSipMessage',
      'formatSipMessage', 'summarizeSip', 'sipSdpBody', 'uacDialog', 'uasDialog',
    ]) {
      expect(typeof (signal as Record<string, unknown>)[name], name).toBe('function');
    }
    expect('parsePathUri' in signal).toBe(false);
  });
});
