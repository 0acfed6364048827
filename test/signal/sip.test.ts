import { describe, expect, it } from 'vitest';
import { buildAnswer, buildOffer } from '../../src/signal/offer-answer.js';
import { formatSdp, parseSdp } from '../../src/signal/sdp.js';
import {
  buildAck,
  buildBye,
  buildByeOk,
  buildInvite,
  buildInviteOk,
  buildNotAcceptable,
  buildReInvite,
  buildRequestPending,
  byteLength,
  formatSipMessage,
  headerTag,
  parseSipMessage,
  sipHeader,
  sipHeaders,
  sipSdpBody,
  summarizeSip,
  uacDialog,
  uasDialog,
} from '../../src/signal/sip.js';
import type { SipMessage } from '../../src/signal/sip.js';

const psa = { user: 'psa', host: 'push.example.com' };
const pra = { user: 'pra', host: 'phone.b.example.net' };

const offer = buildOffer({
  origin: { username: 'psa', sessionId: '1', version: '1' },
  sessionName: 'Café ☕ push',
  path: ['msrp://push.example.com:2855/s1;tcp'],
  acceptTypes: ['text/plain'],
});
const offerText = formatSdp(offer);

/** Carries a message as the simulator does: text out, parse on the other side. */
function carry<T extends SipMessage>(msg: T): T {
  const r = parseSipMessage(formatSipMessage(msg));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  expect(r.violations).toEqual([]);
  expect(r.message).toEqual(msg);
  return r.message as T;
}

const invite = buildInvite({ from: psa, to: pra, callId: '3413an89KU', fromTag: '786', branch: 'a1b2', cseq: 1, sdp: offerText });

describe('SIP messages', () => {
  it('INVITE is real SIP text with the SDP offer and Content-Length in bytes', () => {
    const text = formatSipMessage(invite);
    const length = byteLength(offerText);
    expect(length).toBeGreaterThan(offerText.length); // "é" and "☕" take more than one byte
    expect(text).toBe(
      [
        'INVITE sip:pra@phone.b.example.net SIP/2.0',
        'Via: SIP/2.0/TCP push.example.com;branch=z9hG4bKa1b2',
        'Max-Forwards: 70',
        'To: <sip:pra@phone.b.example.net>',
        'From: <sip:psa@push.example.com>;tag=786',
        'Call-ID: 3413an89KU',
        'CSeq: 1 INVITE',
        'Contact: <sip:psa@push.example.com>',
        'Content-Type: application/sdp',
        `Content-Length: ${length}`,
        '',
        offerText,
      ].join('\r\n'),
    );
    expect(Buffer.byteLength(text.slice(text.indexOf('\r\n\r\n') + 4), 'utf8')).toBe(length);
  });

  it('INVITE / 200 OK / ACK / BYE / 200 OK round trip through parseSipMessage', () => {
    // Offerer -> answerer: INVITE
    const rxInvite = carry(invite);
    expect(summarizeSip(rxInvite)).toEqual({ kind: 'request', method: 'INVITE', callId: '3413an89KU', cseq: { seq: 1, method: 'INVITE' }, hasSdp: true });
    const rxOffer = parseSdp(sipSdpBody(rxInvite) as string);
    expect(rxOffer.ok && rxOffer.desc).toEqual(offer);

    // Answerer -> offerer: 200 OK with the answer
    const answer = buildAnswer(offer, {
      origin: { username: 'pra', sessionId: '2', version: '2' },
      path: ['msrp://phone.b.example.net:2855/s2;tcp'],
      acceptTypes: ['text/plain'],
    });
    if (!answer.ok) throw new Error(answer.reason);
    const ok = carry(buildInviteOk(rxInvite, { toTag: '087js', contact: pra, sdp: formatSdp(answer.answer) }));
    expect(summarizeSip(ok)).toEqual({ kind: 'response', status: 200, reason: 'OK', callId: '3413an89KU', cseq: { seq: 1, method: 'INVITE' }, hasSdp: true });
    expect(sipHeader(ok, 'via')).toBe(sipHeader(invite, 'via'));
    expect(sipHeader(ok, 'to')).toBe('<sip:pra@phone.b.example.net>;tag=087js');
    expect(sipHeader(ok, 'from')).toBe('<sip:psa@push.example.com>;tag=786');

    // Offerer -> answerer: ACK, a new transaction to the Contact (RFC 3261 §13.2.2.4)
    const ack = carry(buildAck(invite, ok, { branch: 'c3d4' }));
    expect(ack.requestUri).toBe('sip:pra@phone.b.example.net');
    expect(sipHeader(ack, 'via')).toBe('SIP/2.0/TCP push.example.com;branch=z9hG4bKc3d4');
    expect(sipHeader(ack, 'cseq')).toBe('1 ACK');
    expect(headerTag(sipHeader(ack, 'to'))).toBe('087js');
    expect(summarizeSip(ack).hasSdp).toBe(false);

    // Offerer ends the session: BYE within the dialog, and its 200 OK
    const caller = uacDialog(invite, ok);
    expect(caller).toEqual({
      callId: '3413an89KU',
      localUri: 'sip:psa@push.example.com',
      localTag: '786',
      remoteUri: 'sip:pra@phone.b.example.net',
      remoteTag: '087js',
      remoteTarget: 'sip:pra@phone.b.example.net',
      localHost: 'push.example.com',
      transport: 'TCP',
    });
    const bye = carry(buildBye(caller, { branch: 'e5f6', cseq: 2 }));
    expect(formatSipMessage(bye)).toBe(
      [
        'BYE sip:pra@phone.b.example.net SIP/2.0',
        'Via: SIP/2.0/TCP push.example.com;branch=z9hG4bKe5f6',
        'Max-Forwards: 70',
        'To: <sip:pra@phone.b.example.net>;tag=087js',
        'From: <sip:psa@push.example.com>;tag=786',
        'Call-ID: 3413an89KU',
        'CSeq: 2 BYE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const byeOk = carry(buildByeOk(bye));
    expect(summarizeSip(byeOk)).toEqual({ kind: 'response', status: 200, reason: 'OK', callId: '3413an89KU', cseq: { seq: 2, method: 'BYE' }, hasSdp: false });
    expect(sipHeader(byeOk, 'content-length')).toBe('0');
  });

  it('re-INVITE: a new offer in the dialog (RFC 3261 §14.1); a crossing one gets 491, ACKed in its transaction', () => {
    const callee = uasDialog(invite, '087js', pra);
    const reinvite = carry(buildReInvite(callee, { branch: 'r1', cseq: 1, sdp: offerText, contact: pra }));
    expect(formatSipMessage(reinvite)).toBe(
      [
        'INVITE sip:psa@push.example.com SIP/2.0',
        'Via: SIP/2.0/TCP phone.b.example.net;branch=z9hG4bKr1',
        'Max-Forwards: 70',
        'To: <sip:psa@push.example.com>;tag=786',
        'From: <sip:pra@phone.b.example.net>;tag=087js',
        'Call-ID: 3413an89KU',
        'CSeq: 1 INVITE',
        'Contact: <sip:pra@phone.b.example.net>',
        'Content-Type: application/sdp',
        `Content-Length: ${byteLength(offerText)}`,
        '',
        offerText,
      ].join('\r\n'),
    );
    const pending = carry(buildRequestPending(reinvite));
    expect(summarizeSip(pending)).toEqual({ kind: 'response', status: 491, reason: 'Request Pending', callId: '3413an89KU', cseq: { seq: 1, method: 'INVITE' }, hasSdp: false });
    expect(sipHeader(pending, 'to')).toBe('<sip:psa@push.example.com>;tag=786');
    const ack = carry(buildAck(reinvite, pending, { branch: 'unused' }));
    expect(sipHeader(ack, 'via')).toBe(sipHeader(reinvite, 'via'));
    expect(sipHeader(ack, 'cseq')).toBe('1 ACK');
    // A 200 to the re-INVITE keeps the dialog's tags.
    const ok = carry(buildInviteOk(reinvite, { toTag: '', contact: psa, sdp: offerText }));
    expect(sipHeader(ok, 'to')).toBe('<sip:psa@push.example.com>;tag=786');
  });

  it('the answerer can end the session too (its own dialog view)', () => {
    const callee = uasDialog(invite, '087js', pra);
    const bye = carry(buildBye(callee, { branch: 'x1', cseq: 1 }));
    expect(bye.requestUri).toBe('sip:psa@push.example.com');
    expect(sipHeader(bye, 'from')).toBe('<sip:pra@phone.b.example.net>;tag=087js');
    expect(sipHeader(bye, 'to')).toBe('<sip:psa@push.example.com>;tag=786');
    expect(sipHeader(bye, 'via')).toBe('SIP/2.0/TCP phone.b.example.net;branch=z9hG4bKx1');
  });

  it('488 carries the rule and reason in a Warning, and its ACK stays in the INVITE transaction', () => {
    const nak = carry(buildNotAcceptable(invite, { toTag: 'n1', agent: 'phone.b.example.net', rule: 'E-05', reason: 'none of the offered types ("image/jpeg") is understood' }));
    expect(formatSipMessage(nak)).toContain('SIP/2.0 488 Not Acceptable Here\r\n');
    expect(sipHeader(nak, 'warning')).toBe('399 phone.b.example.net "E-05: none of the offered types (\\"image/jpeg\\") is understood"');
    expect(summarizeSip(nak)).toMatchObject({ status: 488, warning: 'E-05: none of the offered types ("image/jpeg") is understood', hasSdp: false });
    const ack = carry(buildAck(invite, nak, { branch: 'unused' }));
    expect(ack.requestUri).toBe(invite.requestUri);
    expect(sipHeader(ack, 'via')).toBe(sipHeader(invite, 'via'));
    expect(sipHeader(ack, 'to')).toBe('<sip:pra@phone.b.example.net>;tag=n1');
  });

  it('keeps a Warning on one line whatever the reason holds', () => {
    const nak = buildNotAcceptable(invite, { toTag: 'n2', agent: 'h', rule: 'E-01', reason: 'a\r\nInjected: yes' });
    expect(sipHeader(nak, 'warning')).toBe('399 h "E-01: a Injected: yes"');
    expect(sipHeader(carry(nak), 'injected')).toBeUndefined();
  });

  it('keeps a branch that already has the magic cookie', () => {
    const i = buildInvite({ from: psa, to: pra, callId: 'c', fromTag: 't', branch: 'z9hG4bKxyz', cseq: 7, sdp: '' });
    expect(sipHeader(i, 'via')).toBe('SIP/2.0/TCP push.example.com;branch=z9hG4bKxyz');
    expect(sipHeader(i, 'content-type')).toBeUndefined();
    expect(sipHeader(i, 'content-length')).toBe('0');
  });
});

describe('parseSipMessage', () => {
  const text = formatSipMessage(invite);

  it('reads LF line ends, compact names and folded headers', () => {
    const lf = 'BYE sip:b@h SIP/2.0\nv: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\nMax-Forwards: 70\nt: <sip:b@h>;tag=2\nf: <sip:a@a.example.com>;\n tag=1\ni: cid\nCSeq: 5 BYE\nl: 0\n\n';
    const r = parseSipMessage(lf);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.violations.map((v) => v.rule)).toEqual(['RFC 3261 §7']);
    expect(headerTag(sipHeader(r.message, 'from'))).toBe('1');
    expect(summarizeSip(r.message)).toMatchObject({ method: 'BYE', callId: 'cid', cseq: { seq: 5, method: 'BYE' } });
    expect(sipHeader(r.message, 'VIA')).toBe('SIP/2.0/UDP a.example.com;branch=z9hG4bK1');
  });

  it('counts bytes, not characters: a character-counted Content-Length leaves bytes over', () => {
    const chars = text.replace(`Content-Length: ${byteLength(offerText)}`, `Content-Length: ${offerText.length}`);
    const r = parseSipMessage(chars);
    expect(r.ok && r.violations.map((v) => v.rule)).toEqual(['RFC 3261 §18.3']);
    expect(r.ok && r.message.body).not.toBe(offerText);
  });

  it('reads a message without Content-Length, counted', () => {
    const r = parseSipMessage(text.replace(/Content-Length: [0-9]+\r\n/, ''));
    expect(r.ok && r.message.body).toBe(offerText);
    expect(r.ok && r.violations.map((v) => v.rule)).toEqual(['RFC 3261 §20.14']);
  });

  it('counts a CSeq method that is not the request method', () => {
    const r = parseSipMessage(text.replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'));
    expect(r.ok && r.violations.map((v) => v.rule)).toEqual(['RFC 3261 §8.1.1.5']);
  });

  it.each([
    ['a body shorter than Content-Length', text.slice(0, -5), 'RFC 3261 §18.3'],
    ['no empty line', 'INVITE sip:a@b SIP/2.0\r\nCall-ID: x\r\n', 'RFC 3261 §7'],
    ['a bad start line', text.replace('INVITE sip:pra@phone.b.example.net SIP/2.0', 'HELLO'), 'RFC 3261 §7.1'],
    ['no Call-ID', text.replace('Call-ID: 3413an89KU\r\n', ''), 'RFC 3261 §8.1.1'],
    ['a malformed CSeq', text.replace('CSeq: 1 INVITE', 'CSeq: one'), 'RFC 3261 §20.16'],
    ['a malformed Content-Length', text.replace(/Content-Length: [0-9]+/, 'Content-Length: many'), 'RFC 3261 §20.14'],
  ])('rejects %s', (_name, bad, rule) => {
    const r = parseSipMessage(bad);
    expect(!r.ok && r.errors[0]?.rule).toBe(rule);
  });

  it('reads header names that are properties of Object.prototype as plain names, none a compact form', () => {
    const msg = 'BYE sip:b@h SIP/2.0\r\nVia: SIP/2.0/TCP a.example.com;branch=z9hG4bK1\r\nTo: <sip:b@h>;tag=2\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: cid\r\nCSeq: 5 BYE\r\nconstructor: one\r\nhasOwnProperty: two\r\nContent-Length: 0\r\n\r\n';
    const r = parseSipMessage(msg);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(sipHeaders(r.message, 'Constructor')).toEqual(['one']);
    expect(sipHeaders(r.message, 'hasownproperty')).toEqual(['two']);
    for (const name of ['__proto__', 'toString', 'valueOf']) expect(sipHeaders(r.message, name)).toEqual([]);
    expect(sipHeader(r.message, 'call-id')).toBe('cid');
  });

  it('never throws', () => {
    for (const t of ['', '\r\n\r\n', 'SIP/2.0 200 OK\r\n\r\n', 'x\n\n', 'INVITE a SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n']) {
      expect(() => parseSipMessage(t)).not.toThrow();
    }
  });
});
