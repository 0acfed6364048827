/**
 * The relay's forwarding decision without a World (CHECKLIST d.2 R-10, d.4 R-12 to R-26, d.5;
 * ambiguities A-01, A-02, A-11): each row sends one request into the machine on a connection, with
 * a token granted to `alice` on her connection, and checks what the relay answered, what it
 * forwarded where, and the rules it traced.
 */
import { describe, expect, it } from 'vitest';
import { AuthServer, type AuthPeer } from '../../src/protocol/auth-server.js';
import { RelayForwarding } from '../../src/protocol/relay-forwarding.js';
import type { RelayLinks } from '../../src/protocol/relay-links.js';
import { RELAY_PROFILES, type RelayProfile, type RelayProfileName } from '../../src/protocol/relay-profile.js';
import { RelayTransactions } from '../../src/protocol/relay-transactions.js';
import type { MessageSender } from '../../src/protocol/message-sender.js';
import type { SendSource } from '../../src/protocol/send-source.js';
import { buildRequest, buildResponse, reasonPhrase, type RequestInit } from '../../src/wire/builder.js';
import { computeDigestResponse, formatAuthorization, parseWwwAuthenticate } from '../../src/wire/digest.js';
import type { MsrpFrame, MsrpRequest, MsrpResponse } from '../../src/wire/frame.js';
import { parseFrames } from '../../src/wire/parser.js';
import { serializeFrame } from '../../src/wire/serializer.js';
import { parseUri } from '../../src/wire/uri.js';
import { FakeRelayHost } from './fake-relay-host.js';

const S = 1_000_000;
const RELAY_TLS = 'msrps://relay.example.com:2855;tcp';
const RELAY_PLAIN = 'msrp://relay.example.com:2855;tcp';
const RELAY = RELAY_TLS;
const ALICE = 'msrps://alice.invalid:2855/a;tcp';
const BOB = 'msrps://bob.invalid:2855/b;tcp';
const NEXT = 'msrps://next.example.com:2855/n;tcp';

interface Rig {
  h: FakeRelayHost;
  fwd: RelayForwarding<string, number>;
  peers: Map<string, AuthPeer<string, number>>;
  token: string;
  /** Frames written through the links (sendFrame) and SEND sources handed to the chunker. */
  frames: { conn: string; frame: MsrpFrame; written: boolean }[];
  sources: { conn: string; source: SendSource; sender: MessageSender }[];
  opened: string[];
  send(conn: string, init: Partial<RequestInit>): void;
  /** `conn` closes (the AUTH server forgets what was bound to it, as the node tells it). */
  close(conn: string): void;
}

function rig(name: RelayProfileName | RelayProfile = 'rfc4976', opts: { unreachable?: boolean; sendClosed?: string; maxChunk?: number } = {}): Rig {
  const profile = typeof name === 'string' ? RELAY_PROFILES[name] : name;
  // opensips serves plain MSRP only: its rows use msrp URIs throughout.
  const plain = profile.servedScheme === 'msrp';
  const RELAY = plain ? RELAY_PLAIN : RELAY_TLS;
  const h = new FakeRelayHost('alice', 'bob', 'mallory', 'carol', 'dave');
  const base = parseUri(RELAY);
  if (!base.ok) throw new Error('bad URI');
  const settings = { scheme: plain ? ('msrp' as const) : ('msrps' as const), host: 'relay.example.com', port: 2855, realm: 'relay.example.com', expiresMin: 60, expiresDefault: 900, expiresMax: 3600, probation: 3600 * S, maxFailedAuths: 3, nonceLifetime: 300 * S };
  const auth = new AuthServer<string, number>(h, settings, { alice: 'secret' }, profile);
  const transactions = new RelayTransactions<string, number>(h, { transactionTimeout: 30 * S }, base.uri, profile, () => undefined, () => 0, () => 0);
  const frames: Rig['frames'] = [];
  const sources: Rig['sources'] = [];
  const opened: string[] = [];
  const links: RelayLinks<string> = {
    connectionFor: (next) => {
      if (opts.unreachable) return null;
      opened.push(next);
      h.open.add('next');
      return 'next';
    },
    cameFrom: () => undefined,
    sendClosed: (conn) => conn === opts.sendClosed,
    sendFrame: (conn, frame, written) => {
      frames.push({ conn, frame, written: written !== undefined });
      written?.();
    },
    sendData: (conn, sender) => void sources.push({ conn, source: sender.message, sender }),
    kick: () => undefined,
  };
  const fwd = new RelayForwarding<string, number>(h, links, auth, transactions, { maxChunk: opts.maxChunk ?? Number.POSITIVE_INFINITY }, base.uri, RELAY, profile);
  // carol and dave stay new connections (on probation, which is long here: no row is about it).
  const peers = new Map(['alice', 'bob', 'mallory', 'carol', 'dave'].map((c) => [c, auth.open(c, true)] as const));
  // Past probation (R-09) on the others' connections: the rows here are about forwarding.
  auth.accept(peers.get('bob')!);
  auth.accept(peers.get('mallory')!);
  // alice authenticates on her connection: a challenge, then credentials.
  let n = 0;
  const send = (conn: string, init: Partial<RequestInit>): void => {
    const built = buildRequest({ transactionId: `t${++n}`, method: 'SEND', toPath: [RELAY], fromPath: [ALICE], ...init } as RequestInit);
    // As the relay gets it: written, then read back by its connection's parser.
    const frame = parseFrames(serializeFrame(built)).frames[0] as MsrpRequest;
    fwd.request(conn, peers.get(conn)!, frame);
  };
  send('alice', { method: 'AUTH' });
  const challenge = h.sent().at(-1)!.frame as MsrpResponse;
  const www = parseWwwAuthenticate(challenge.headers.find(([k]) => k === 'WWW-Authenticate')![1]);
  if (!www.ok) throw new Error('no challenge');
  const c = { username: 'alice', realm: settings.realm, password: 'secret', method: 'AUTH', uri: RELAY, nonce: www.value.nonce, nc: 1, cnonce: 'cn', qop: 'auth' as const };
  // msrprelay's digest check raises on a `uri` parameter: its rows leave it out, and echo opaque.
  const uri = profile.authUriUnanswered ? undefined : RELAY;
  send('alice', { method: 'AUTH', authorization: formatAuthorization({ username: 'alice', realm: c.realm, nonce: c.nonce, uri, response: computeDigestResponse(c), cnonce: 'cn', nc: '00000001', qop: 'auth', opaque: www.value.opaque }) });
  const ok = h.sent().at(-1)!.frame as MsrpResponse;
  const token = ok.usePath![0]!;
  h.take();
  const close = (conn: string): void => {
    h.open.delete(conn);
    auth.closed(peers.get(conn)!);
  };
  return { h, fwd, peers, token, frames, sources, opened, send, close };
}

const P_ALICE = 'msrp://alice.invalid:2855/a;tcp';
const P_BOB = 'msrp://bob.invalid:2855/b;tcp';
const P_NEXT = 'msrp://next.example.com:2855/n;tcp';
/** The msrprelay profile with what is read but not switched on yet (its sessions, the `uri` bug). */
const MSRPRELAY: RelayProfile = { ...RELAY_PROFILES.msrprelay, authUriUnanswered: true, sessionPerAuth: true };

const text = (body = '0123456789'): Partial<RequestInit> => ({ messageId: 'm1', byteRange: { start: 1, end: body.length, total: body.length }, contentType: 'text/plain', body });
const rules = (h: FakeRelayHost) => h.events().map((e) => `${e.type} ${e.rule ?? ''}`.trim());
const answers = (h: FakeRelayHost) =>
  h.sent().map((s) => {
    const f = s.frame;
    // A profile's own reason phrase, or a REPORT's status code, where they are the point.
    if (f.kind === 'response') return `${s.conn} ${f.statusCode}${f.comment && f.comment !== reasonPhrase(f.statusCode) ? ` ${f.comment}` : ''}`;
    const req = f as MsrpRequest;
    return `${s.conn} ${req.method}${req.method === 'REPORT' && req.status && req.status.code !== 481 ? ` ${req.status.code}` : ''}`;
  });

describe('forwarding decision (d.2, d.4, d.5)', () => {
  const rows: { id: string; profile?: RelayProfileName | RelayProfile; opts?: Parameters<typeof rig>[1]; act: (r: Rig) => void; events: string[]; answers: string[]; out?: string[] }[] = [
    {
      id: 'A-01, R-19: a request whose first To-Path URI is not this relay gets 481 and is not forwarded',
      act: (r) => r.send('alice', { toPath: ['msrps://other.example.com:2855/x;tcp', BOB], ...text() }),
      events: ['relay.not-mine A-01', 'relay.respond A-01'],
      answers: ['alice 481'],
    },
    {
      id: 'R-10: a SEND addressed to the relay itself (no next hop) gets 481',
      act: (r) => r.send('alice', { toPath: [RELAY], ...text() }),
      events: ['relay.respond R-10'],
      answers: ['alice 481'],
    },
    {
      id: 'R-14: a SEND through a token the relay never issued gets 481 and goes nowhere',
      act: (r) => r.send('alice', { toPath: ['msrps://relay.example.com:2855/forged;tcp', BOB], ...text() }),
      events: ['relay.refuse R-14', 'relay.respond R-14'],
      answers: ['alice 481'],
    },
    {
      id: 'R-12: a client token used from another connection, not toward its owner, gets 481',
      act: (r) => r.send('mallory', { toPath: [r.token, NEXT, BOB], ...text() }),
      events: ['relay.refuse R-12', 'relay.respond R-12'],
      answers: ['mallory 481'],
    },
    {
      id: 'R-13: a SEND through an expired token gets 481',
      act: (r) => (r.h.advance(900 * S), r.send('alice', { toPath: [r.token, BOB], ...text() })),
      events: ['relay.refuse R-13', 'relay.respond R-13'],
      answers: ['alice 481'],
    },
    {
      id: 'R-17, R-20: from the token owner: 200 at once, forwarded on toward the next To-Path URI (R-25: a connection opened)',
      act: (r) => r.send('alice', { toPath: [r.token, NEXT, BOB], ...text() }),
      events: ['relay.respond R-20'],
      answers: ['alice 200'],
      out: [`next SEND ${NEXT} ${BOB} | ${'TOKEN'} ${ALICE}`],
    },
    {
      id: 'R-26: toward the token owner from elsewhere, last hop: delivered on the connection the token is bound to',
      act: (r) => r.send('mallory', { toPath: [r.token, ALICE], fromPath: [BOB], ...text() }),
      events: ['relay.respond R-20'],
      answers: ['mallory 200'],
      out: [`alice SEND ${ALICE} | TOKEN ${BOB}`],
    },
    {
      id: 'R-20, A-03: Failure-Report partial gets no 200, and is forwarded',
      act: (r) => r.send('alice', { toPath: [r.token, NEXT], failureReport: 'partial', ...text() }),
      events: [],
      answers: [],
      out: [`next SEND ${NEXT} | TOKEN ${ALICE}`],
    },
    {
      id: 'A-11, R-14: a refused SEND with Failure-Report no gets no response',
      act: (r) => r.send('alice', { toPath: ['msrps://relay.example.com:2855/forged;tcp', BOB], failureReport: 'no', ...text() }),
      events: ['relay.refuse R-14'],
      answers: [],
    },
    {
      id: 'R-22, A-02: the next hop cannot be reached: the SEND gets 408 as its transaction response',
      opts: { unreachable: true },
      act: (r) => r.send('alice', { toPath: [r.token, NEXT], ...text() }),
      events: ['relay.undeliverable R-22', 'relay.respond R-22'],
      answers: ['alice 408'],
    },
    {
      id: 'E-33: nothing is acted on from a connection the relay has closed',
      opts: { sendClosed: 'mallory' },
      act: (r) => r.send('mallory', { toPath: [r.token, ALICE], fromPath: [BOB], ...text() }),
      events: ['relay.discard E-33'],
      answers: [],
    },
    {
      id: 'R-24: a REPORT is forwarded like any request, with no transaction kept (no response comes)',
      act: (r) => r.send('alice', { method: 'REPORT', toPath: [r.token, NEXT], messageId: 'm1', status: { namespace: 0, code: 200, comment: null }, byteRange: { start: 1, end: 10, total: 10 } }),
      events: ['relay.forward R-24'],
      answers: [],
      out: [`next REPORT ${NEXT} | TOKEN ${ALICE}`],
    },
    {
      id: 'opensips:report-not-response: an unknown token gets 200 and a 481 REPORT',
      profile: 'opensips',
      act: (r) => r.send('alice', { toPath: ['msrp://relay.example.com:2855/forged;tcp', P_BOB], fromPath: [P_ALICE], ...text() }),
      events: ['relay.refuse R-14', 'relay.respond R-20', 'relay.report opensips:report-not-response'],
      answers: ['alice 200', 'alice REPORT'],
    },
    {
      id: 'opensips:scheme-not-served: a request for an msrps URI of the relay is dropped unanswered (msrp_handler.c: no handler matches)',
      profile: RELAY_PROFILES.opensips,
      act: (r) => r.send('alice', { toPath: [r.token.replace('msrp:', 'msrps:'), P_BOB], fromPath: [P_ALICE], ...text() }),
      events: ['relay.discard opensips:scheme-not-served'],
      answers: [],
    },
    {
      id: 'opensips:drop-not-mine: a request for another host is dropped unanswered (strict: 481, A-01)',
      profile: RELAY_PROFILES.opensips,
      act: (r) => r.send('alice', { toPath: ['msrp://other.example.com:2855/x;tcp', P_BOB], fromPath: [P_ALICE], ...text() }),
      events: ['relay.discard opensips:drop-not-mine'],
      answers: [],
    },
    {
      id: 'opensips:drop-not-mine: a SEND whose first To-Path URI has no port is dropped unanswered',
      profile: RELAY_PROFILES.opensips,
      act: (r) => r.send('alice', { toPath: [r.token.replace(':2855', ''), P_BOB], fromPath: [P_ALICE], ...text() }),
      events: ['relay.discard opensips:drop-not-mine'],
      answers: [],
    },
    {
      id: 'opensips:unknown-method-501: an unknown method gets 501 "Unknown method" (strict: forwarded, R-24)',
      profile: RELAY_PROFILES.opensips,
      act: (r) => r.send('alice', { method: 'NICKNAME', toPath: [r.token, P_NEXT], fromPath: [P_ALICE] }),
      events: ['relay.respond opensips:unknown-method-501'],
      answers: ['alice 501 Unknown method'],
    },
    {
      // msrp_relay.c handle_msrp_request: the port and my_url checks return before the method is looked at.
      id: 'opensips:drop-not-mine before opensips:unknown-method-501: an unknown method for another host is dropped unanswered, not answered 501',
      profile: RELAY_PROFILES.opensips,
      act: (r) => r.send('alice', { method: 'NICKNAME', toPath: ['msrp://other.example.com:2855/x;tcp', P_NEXT], fromPath: [P_ALICE] }),
      events: ['relay.discard opensips:drop-not-mine'],
      answers: [],
    },
    {
      id: 'opensips:drop-not-mine before opensips:unknown-method-501: an unknown method whose first To-Path URI has no port is dropped unanswered',
      profile: RELAY_PROFILES.opensips,
      act: (r) => r.send('alice', { method: 'NICKNAME', toPath: [r.token.replace(':2855', ''), P_NEXT], fromPath: [P_ALICE] }),
      events: ['relay.discard opensips:drop-not-mine'],
      answers: [],
    },
    {
      // msrp_handler.c: no handler is found for an msrps To-Path, so msrp_relay never sees the request.
      id: 'opensips:scheme-not-served before opensips:unknown-method-501: an unknown method for an msrps URI of the relay is dropped unanswered',
      profile: RELAY_PROFILES.opensips,
      act: (r) => r.send('alice', { method: 'NICKNAME', toPath: [r.token.replace('msrp:', 'msrps:'), P_NEXT], fromPath: [P_ALICE] }),
      events: ['relay.discard opensips:scheme-not-served'],
      answers: [],
    },
    {
      id: 'opensips:route-by-to-path: a token used from another connection goes where To-Path says (strict: 481, R-12)',
      profile: RELAY_PROFILES.opensips,
      act: (r) => r.send('mallory', { toPath: [r.token, P_NEXT, P_BOB], fromPath: [P_ALICE], ...text() }),
      events: ['relay.respond R-20'],
      answers: ['mallory 200'],
      out: [`next SEND ${P_NEXT} ${P_BOB} | TOKEN ${P_ALICE}`],
    },
    {
      id: 'opensips:route-by-to-path: the token outlives the connection it was granted on (strict: 481, R-12)',
      profile: RELAY_PROFILES.opensips,
      act: (r) => (r.close('alice'), r.send('bob', { toPath: [r.token, P_ALICE], fromPath: [P_BOB], ...text() })),
      events: ['relay.respond R-20'],
      answers: ['bob 200'],
      out: [`next SEND ${P_ALICE} | TOKEN ${P_BOB}`],
    },
    {
      id: 'msrprelay:session-per-auth: a second AUTH on a connection with a session gets 481',
      profile: MSRPRELAY,
      act: (r) => r.send('alice', { method: 'AUTH' }),
      events: ['relay.respond msrprelay:session-per-auth'],
      answers: ['alice 481 Indicated session does not exist, please terminate: Non-response with me as endpoint, nowhere to relay to'],
    },
    {
      // relay.py 505-506 raise ResponseNoSession for it, and 554-559 answer every raised error of a request, a REPORT's too.
      id: 'msrprelay:session-per-auth: a REPORT from the owner before any SEND gets 481 (unbound session), a response though it is a REPORT',
      profile: MSRPRELAY,
      act: (r) => r.send('alice', { method: 'REPORT', toPath: [r.token, NEXT], messageId: 'm1', status: { namespace: 0, code: 200, comment: null }, byteRange: { start: 1, end: 1, total: 1 } }),
      events: ['relay.refuse msrprelay:session-per-auth', 'relay.respond msrprelay:session-per-auth'],
      answers: ['alice 481 Indicated session does not exist, please terminate: Non-forwarding method received on unbound session'],
    },
    {
      id: 'msrprelay:session-per-auth: the first new connection to send to the token binds it; its SEND goes to the owner',
      profile: MSRPRELAY,
      act: (r) => r.send('carol', { toPath: [r.token, ALICE], fromPath: [BOB], ...text() }),
      events: ['relay.respond R-20'],
      answers: ['carol 200'],
      out: [`alice SEND ${ALICE} | TOKEN ${BOB}`],
    },
    {
      id: 'msrprelay:session-per-auth: a second new connection for a bound session gets 481',
      profile: MSRPRELAY,
      act: (r) => (r.send('carol', { toPath: [r.token, ALICE], fromPath: [BOB], ...text() }), r.h.take(), r.sources.splice(0), r.send('dave', { toPath: [r.token, ALICE], fromPath: [BOB], ...text() })),
      events: ['relay.refuse msrprelay:session-per-auth', 'relay.respond msrprelay:session-per-auth'],
      answers: ['dave 481 Indicated session does not exist, please terminate'],
    },
    {
      id: 'msrprelay:session-per-auth: the owner sending to another destination than the session\'s gets 481',
      profile: MSRPRELAY,
      act: (r) => (r.send('alice', { toPath: [r.token, NEXT, BOB], ...text() }), r.h.take(), r.sources.splice(0), r.send('alice', { toPath: [r.token, NEXT, 'msrps://carol.invalid:2855/c;tcp'], ...text() })),
      events: ['relay.refuse msrprelay:session-per-auth', 'relay.respond msrprelay:session-per-auth'],
      answers: ['alice 481 Indicated session does not exist, please terminate: To-Path does not match session destination'],
    },
    {
      id: 'msrprelay:session-per-auth: a From-Path other than the AUTH\'s gets 481',
      profile: MSRPRELAY,
      act: (r) => r.send('alice', { toPath: [r.token, NEXT], fromPath: ['msrps://alice.invalid:2855/other;tcp'], ...text() }),
      events: ['relay.refuse msrprelay:session-per-auth', 'relay.respond msrprelay:session-per-auth'],
      answers: ['alice 481 Indicated session does not exist, please terminate: From-Path does not match session source'],
    },
    {
      // relay.py _bound_peer_data pops the first To-Path URI unread (its check is commented out).
      id: 'msrprelay:session-per-auth: on a leg the first To-Path URI is not looked at: a SEND naming another host there goes to the session\'s destination (strict: 481, A-01)',
      profile: MSRPRELAY,
      act: (r) => r.send('alice', { toPath: ['msrps://other.example.com:2855/x;tcp', NEXT, BOB], ...text() }),
      events: ['relay.respond R-20'],
      answers: ['alice 200'],
      out: [`next SEND ${NEXT} ${BOB} | msrps://other.example.com:2855/x;tcp ${ALICE}`],
    },
    {
      id: 'msrprelay:session-per-auth: an AUTH for another relay on a new connection gets 501 (never forwarded)',
      profile: MSRPRELAY,
      act: (r) => r.send('carol', { method: 'AUTH', toPath: [RELAY, NEXT], fromPath: [BOB] }),
      events: ['relay.refuse msrprelay:session-per-auth', 'relay.respond msrprelay:session-per-auth'],
      answers: ['carol 501 Unknown method: AUTH'],
    },
    {
      id: 'msrprelay:session-per-auth: a SEND without Byte-Range gets 400 (RFC 4975 lets a single chunk leave it out)',
      profile: MSRPRELAY,
      act: (r) => r.send('alice', { toPath: [r.token, NEXT], messageId: 'm1', contentType: 'text/plain', body: 'x' }),
      events: ['relay.refuse msrprelay:session-per-auth', 'relay.respond msrprelay:session-per-auth'],
      answers: ['alice 400 Request was unintelligible, please try again (SEND received without Byte-Range)'],
    },
    {
      // Measured against Kamailio 5.6 (test/differential): before the last hop it looks nothing up.
      id: 'kamailio:no-lookup-before-last-hop: an unknown token before the last hop is not looked up: 200, forwarded to the next hop',
      profile: 'kamailio',
      act: (r) => r.send('alice', { toPath: ['msrps://relay.example.com:2855/forged;tcp', NEXT, BOB], ...text() }),
      events: ['relay.unauthenticated kamailio:no-lookup-before-last-hop', 'relay.respond R-20'],
      answers: ['alice 200'],
      out: [`next SEND ${NEXT} ${BOB} | msrps://relay.example.com:2855/forged;tcp msrps://alice.invalid:2855/a;tcp`],
    },
    {
      id: 'kamailio:unknown-method-501: an unknown method is refused 501, not forwarded (R-24 allows blocking)',
      profile: 'kamailio',
      act: (r) => r.send('alice', { method: 'NOTIFY', toPath: [r.token, NEXT] }),
      events: ['relay.respond kamailio:unknown-method-501'],
      answers: ['alice 501 Request-method-not-understood'],
    },
    {
      // Kamailio's configuration answers 501 before it looks at the paths (test/differential measures it).
      id: 'kamailio:unknown-method-501: an unknown method for another host still gets 501 (no drop checks in that profile)',
      profile: 'kamailio',
      act: (r) => r.send('alice', { method: 'NOTIFY', toPath: ['msrps://other.example.com:2855/x;tcp', NEXT] }),
      events: ['relay.respond kamailio:unknown-method-501'],
      answers: ['alice 501 Request-method-not-understood'],
    },
    {
      id: 'kamailio:drop-connection-large-frame: a frame of 16 KiB or more resets the connection',
      profile: 'kamailio',
      act: (r) => r.send('alice', { toPath: [r.token, NEXT], ...text('x'.repeat(16 * 1024)) }),
      events: ['relay.drop-connection kamailio:drop-connection-large-frame'],
      answers: [],
    },
  ];
  it.each(rows)('$id', ({ profile, opts, act, events, answers: expected, out }) => {
    const r = rig(profile, opts);
    act(r);
    expect(rules(r.h).filter((x) => !x.startsWith('relay.forward') || events.includes(x))).toEqual(events);
    expect(answers(r.h)).toEqual(expected);
    const forwarded = [
      ...r.frames.map(({ conn, frame }) => `${conn} ${(frame as MsrpRequest).method} ${frame.toPath.join(' ')} | ${frame.fromPath.join(' ')}`),
      ...r.sources.map(({ conn, source }) => `${conn} SEND ${source.toPath.join(' ')} | ${source.fromPath.join(' ')}`),
    ].map((x) => x.replace(r.token, 'TOKEN'));
    expect(forwarded).toEqual(out ?? []);
  });

  describe("msrprelay reads paths as its code does (msrprelay-uri.ts; relay.py _bound_peer_data, _unbound_peer_data)", () => {
    const EXTRA = 'msrps://extra.invalid:2855/e;tcp';
    const closes = (r: Rig) => r.h.out.flatMap((o) => (o.kind === 'close' || o.kind === 'reset' ? [`${o.kind} ${o.conn}`] : []));

    it('URIs compare field by field (protocol.py URI.__eq__): host case, user part and parameters do not matter, so the SEND is the session\'s', () => {
      for (const from of ['msrps://Alice.INVALID:2855/a;tcp', 'msrps://u@alice.invalid:2855/a;tcp', 'msrps://alice.invalid:2855/a;tcp;x=1']) {
        const r = rig(MSRPRELAY);
        r.send('alice', { toPath: [r.token, NEXT, BOB], fromPath: [from], ...text() });
        expect(answers(r.h), from).toEqual(['alice 200']);
        expect(r.sources.length, from).toBe(1);
      }
    });

    it('a port or a session id that differs is another URI: 481, From-Path does not match session source', () => {
      for (const from of ['msrps://alice.invalid/a;tcp', 'msrps://alice.invalid:2855/A;tcp', 'msrp://alice.invalid:2855/a;tcp']) {
        const r = rig(MSRPRELAY);
        r.send('alice', { toPath: [r.token, NEXT, BOB], fromPath: [from], ...text() });
        expect(answers(r.h), from).toEqual(['alice 481 Indicated session does not exist, please terminate: From-Path does not match session source']);
      }
    });

    it('msrprelay:unreadable-path: a path URI its reader refuses (scheme case, a transport other than tcp, a parameter without =) is dropped unanswered; the strict relay reads them', () => {
      for (const bad of ['MSRPS://relay.example.com:2855/x;tcp', 'msrps://alice.invalid:2855/a;TCP', 'msrps://alice.invalid:2855/a;tcp;flag']) {
        const r = rig(MSRPRELAY);
        r.send('alice', { toPath: [r.token, NEXT, BOB], fromPath: [bad], ...text() });
        expect(rules(r.h), bad).toEqual(['relay.discard msrprelay:unreadable-path']);
        expect(answers(r.h), bad).toEqual([]);
        const strict = rig('rfc4976');
        strict.send('alice', { toPath: [strict.token, NEXT, BOB], fromPath: [bad], ...text() });
        expect(rules(strict.h), bad).not.toContain('relay.discard msrprelay:unreadable-path');
      }
    });

    it('a From-Path longer than the leg\'s raises IndexError (relay.py 501-502): no answer, the connection dropped', () => {
      const r = rig(MSRPRELAY);
      r.send('alice', { toPath: [r.token, NEXT, BOB], fromPath: [ALICE, EXTRA], ...text() });
      expect(rules(r.h)).toEqual(['relay.drop-connection msrprelay:session-per-auth']);
      expect(r.h.events()[0]!.fields).toMatchObject({ conn: 'alice', error: 'IndexError: deque index out of range' });
      expect(answers(r.h)).toEqual([]);
      expect(closes(r)).toEqual(['close alice']);
      // One that differs before it runs past the leg's is refused first: 481.
      const d = rig(MSRPRELAY);
      d.send('alice', { toPath: [d.token, NEXT, BOB], fromPath: [EXTRA, ALICE], ...text() });
      expect(answers(d.h)).toEqual(['alice 481 Indicated session does not exist, please terminate: From-Path does not match session source']);
      expect(closes(d)).toEqual([]);
    });

    it('a To-Path longer than the bound destination raises IndexError (relay.py 516-517): the connection dropped', () => {
      const r = rig(MSRPRELAY);
      r.send('alice', { toPath: [r.token, NEXT, BOB], ...text() });
      r.h.take();
      r.send('alice', { toPath: [r.token, NEXT, BOB, EXTRA], ...text() });
      expect(rules(r.h)).toEqual(['relay.drop-connection msrprelay:session-per-auth']);
      expect(closes(r)).toEqual(['close alice']);
    });

    it('on a new connection the refusal comes after the binding: an IndexError goes unanswered and the SEND\'s end-line drops the connection (AttributeError, relay.py 313)', () => {
      const r = rig(MSRPRELAY);
      r.send('carol', { toPath: [r.token, ALICE, EXTRA], fromPath: [BOB], ...text() });
      expect(rules(r.h)).toEqual(['relay.discard msrprelay:session-per-auth', 'relay.drop-connection msrprelay:session-per-auth']);
      expect(answers(r.h)).toEqual([]);
      expect(closes(r)).toEqual(['close carol']);
    });

    it('on a new connection a 481 whose SEND ends in the same read is lost with the connection; with Failure-Report no it goes out and the connection stays', () => {
      const r = rig(MSRPRELAY);
      r.send('carol', { toPath: [r.token, 'msrps://other.invalid:2855/o;tcp'], fromPath: [BOB], ...text() });
      r.h.advance(r.h.now);
      expect(answers(r.h)).toEqual([]);
      expect(closes(r)).toEqual(['close carol']);
      const n = rig(MSRPRELAY);
      n.send('carol', { toPath: [n.token, 'msrps://other.invalid:2855/o;tcp'], fromPath: [BOB], failureReport: 'no', ...text() });
      n.h.advance(n.h.now);
      expect(answers(n.h)).toEqual(['carol 481 Indicated session does not exist, please terminate: To-Path does not match session destination']);
      expect(closes(n)).toEqual([]);
    });

    it('on a new connection a streamed SEND refused at its head gets its 481 at the next turn, and its end-line then drops the connection', () => {
      const r = rig(MSRPRELAY);
      const head = parseFrames(serializeFrame(buildRequest({ transactionId: 'h1', method: 'SEND', toPath: [r.token, 'msrps://other.invalid:2855/o;tcp'], fromPath: [BOB], ...text() } as RequestInit))).frames[0] as MsrpRequest;
      const stream = r.fwd.head('carol', r.peers.get('carol')!, head)!;
      expect(answers(r.h)).toEqual([]);
      r.h.advance(r.h.now);
      expect(answers(r.h)).toEqual(['carol 481 Indicated session does not exist, please terminate: To-Path does not match session destination']);
      expect(closes(r)).toEqual([]);
      stream.end(head);
      expect(closes(r)).toEqual(['close carol']);
    });

    it('a response on a leg: From-Path not the leg\'s is ignored, longer than the leg\'s drops the connection; the strict relay acts on both', () => {
      const r = rig(MSRPRELAY);
      // As the relay reads it: written, then parsed by its connection.
      const ok = (from: string[]) => parseFrames(serializeFrame(buildResponse({ transactionId: 'z9', statusCode: 200, toPath: [RELAY], fromPath: from }))).frames[0] as MsrpResponse;
      expect(r.fwd.response('alice', ok(['msrps://alice.invalid:2855/other;tcp']))).toBe(false);
      expect(rules(r.h)).toEqual(['relay.discard msrprelay:session-per-auth']);
      expect(r.fwd.response('alice', ok([ALICE, EXTRA]))).toBe(false);
      expect(closes(r)).toEqual(['close alice']);
      const strict = rig('rfc4976');
      expect(strict.fwd.response('alice', ok([ALICE, EXTRA]))).toBe(true);
    });
  });

  it('R-18: a forwarded non-SEND gets a new transaction id; kamailio:keep-tid keeps it', () => {
    // R-24: an unknown method is forwarded as a REPORT would be.
    const r = rig();
    r.send('alice', { method: 'NOTIFY', toPath: [r.token, NEXT] });
    expect(r.h.events().find((e) => e.type === 'relay.forward')).toMatchObject({ rule: 'R-24', fields: { inTransactionId: 't3', outTransactionId: r.frames[0]!.frame.transactionId } });
    expect(r.frames[0]!.frame.transactionId).not.toBe('t3');
    const k = rig('kamailio');
    k.send('alice', { method: 'REPORT', toPath: [k.token, NEXT], messageId: 'm1', status: { namespace: 0, code: 200, comment: null } });
    expect(k.h.events().find((e) => e.type === 'relay.forward')).toMatchObject({ rule: 'kamailio:keep-tid' });
    expect(k.frames[0]!.frame.transactionId).toBe('t3');
  });

  it('R-23: with a smaller maxChunk the SEND is handed on re-chunked; each chunk written is a transaction traced R-23', () => {
    const r = rig('rfc4976', { maxChunk: 4 });
    r.send('alice', { toPath: [r.token, NEXT], ...text() });
    const { source, sender } = r.sources[0]!;
    expect(source).toMatchObject({ maxChunk: 4, firstPosition: 1, total: 10, lastFlag: '$', messageId: 'm1' });
    const chunk = buildRequest({ transactionId: 'o1', method: 'SEND', toPath: source.toPath, fromPath: source.fromPath, byteRange: { start: 1, end: 4, total: 10 }, contentType: 'text/plain', body: '0123', continuation: '+' });
    // The connection's writer writes its first chunk (chunk-writer.ts drives the sender so).
    sender.chunkStarted();
    sender.advance(4);
    sender.chunkEnded(chunk, { start: 1, end: 4, total: 10 }, '+');
    expect(r.h.events().at(-1)).toMatchObject({ type: 'relay.forward', rule: 'R-23', fields: { outTransactionId: 'o1', rechunked: true, byteRangeOut: { start: 1, end: 4, total: 10 } } });
    // R-21: the chunk's window runs from its last byte: no response in 30 s => 408 REPORT for bytes 1-4.
    r.h.advance(30 * S);
    expect(r.h.events().map((e) => e.type).slice(-2)).toEqual(['relay.timeout', 'relay.report']);
    expect((r.h.sent().at(-1)!.frame as MsrpRequest).byteRange).toEqual({ start: 1, end: 4, total: 10 });
  });

  it('A-02: bytes that never went out in a complete chunk get a 408 REPORT when the next hop goes away', () => {
    const r = rig();
    r.send('alice', { toPath: [r.token, NEXT], ...text() });
    // Four bytes went out in a complete chunk; the connection closed under the next one.
    const { sender } = r.sources[0]!;
    sender.chunkStarted();
    sender.advance(4);
    sender.chunkEnded(buildRequest({ transactionId: 'o1', method: 'SEND', toPath: sender.message.toPath, fromPath: sender.message.fromPath, byteRange: { start: 1, end: 4, total: 10 }, contentType: 'text/plain', body: '0123', continuation: '+' }), { start: 1, end: 4, total: 10 }, '+');
    sender.chunkStarted();
    sender.abandoned(5, true);
    expect(rules(r.h).slice(-2)).toEqual(['relay.undeliverable A-02', 'relay.report A-02']);
    expect((r.h.sent().at(-1)!.frame as MsrpRequest).byteRange).toEqual({ start: 5, end: 10, total: 10 });
  });

  it('R-19: when the next To-Path URI is this relay again, it consumes that one too', () => {
    const r = rig();
    r.send('alice', { toPath: [r.token, r.token, BOB], ...text() });
    expect(rules(r.h)).toEqual(['relay.local-hop R-19', 'relay.respond R-20']);
    expect(r.h.events()[0]!.fields).toMatchObject({ toPathAfter: [r.token, BOB], fromPathAfter: [r.token, ALICE] });
    expect(r.opened).toEqual([BOB]);
  });
});
