/**
 * The msrprelay profile's sessions (docs/relay-profiles.md, `msrprelay:session-per-auth`): AG
 * Projects' msrprelay keeps no token table in the RFC 4976 sense. Each successful AUTH makes one
 * session with two legs: the connection the AUTH came on, bound to the AUTH's From-Path, and one
 * other connection, bound to a path too: the first connection (other than a leg) a SEND for the
 * session arrives on, or the one the relay opens for the owner's first SEND. A leg's requests go to
 * the other leg and nowhere else; the first To-Path URI is not looked at once a connection is a
 * leg. Sans-I/O: a pure decision on the token table's records.
 */
import type { MsrpRequest } from '../wire/frame.js';
import type { AuthPeer, Token } from './auth-server.js';
import { compareLegPath } from './msrprelay-uri.js';

/**
 * Where a request on a connection goes under msrprelay's sessions, or how it is refused:
 * answered (`status`), or by a Python error that nothing catches (`raises`, status null). On a
 * leg such an error leaves the protocol's data handler and Twisted drops the connection.
 * `failsAtEnd`: the refusal came after a new connection was bound to the session
 * (`_unbound_peer_data` had set `receiving` but no forward, relay.py 378-386): nothing is
 * answered but the refusal, and the request's end-line raises AttributeError (relay.py 313, 316)
 * unless its Failure-Report is `no`.
 */
export type SessionRoute<C> = { ok: true; token: Token<C, unknown>; conn: C | null; bind: boolean } | SessionRefusal;

/** How msrprelay refuses a request on a session (SessionRoute). */
export type SessionRefusal =
  | { ok: false; status: number; comment: string | null; rule: string; failsAtEnd?: boolean }
  | { ok: false; status: null; raises: string; rule: string; failsAtEnd?: boolean };

const INDEX_ERROR = 'IndexError: deque index out of range';

/** The session `conn` is a leg of, and which leg, if any. */
export function sessionOf<C, T>(tokens: Iterable<Token<C, T>>, conn: C): { token: Token<C, T>; owner: boolean } | null {
  for (const token of tokens) {
    if (token.conn === conn) return { token, owner: true };
    if (token.peer?.conn === conn) return { token, owner: false };
  }
  return null;
}

/**
 * msrprelay's decision for a request with a To-Path of two URIs or more (`token`: the token its
 * first URI names, if any), on connection `conn` whose AUTH standing is `peer`. `rule` names the
 * deviation in the trace.
 */
export function routeSession<C, T>(
  tokens: Iterable<Token<C, T>>,
  conn: C,
  peer: AuthPeer<C, T>,
  frame: MsrpRequest,
  token: Token<C, T> | undefined,
  rule: string,
): SessionRoute<C> {
  const leg = sessionOf(tokens, conn);
  const refuse = (status: number, comment: string | null): SessionRefusal => ({ ok: false, status, comment, rule });
  const raise = (): SessionRefusal => ({ ok: false, status: null, raises: INDEX_ERROR, rule });
  const rest = frame.toPath.slice(1);
  if (leg === null) {
    // A new connection: only a SEND for a session nobody else has joined binds it (the first
    // comer wins); anything else is an unknown method, a SEND for another session 481.
    if (frame.method !== 'SEND' || !(peer.client && peer.state === 'probation')) return refuse(501, `Unknown method: ${frame.method}`);
    if (!token || token.peer !== null || token.conn === null) return refuse(481, null);
    token.peer = { conn, path: frame.fromPath };
    // From here on the connection is the session's (relay.py 378-386), whatever the checks say.
    const to = compareLegPath(rest, token.fromPath);
    const refused = to === 'index-error' ? raise() : to === 'differs' ? refuse(481, 'To-Path does not match session destination') : checkHeaders(frame, refuse);
    return refused === null ? { ok: true, token: token as Token<C, unknown>, conn: token.conn, bind: false } : { ...refused, failsAtEnd: true };
  }
  const s = leg.token;
  const own = leg.owner ? s.fromPath : s.peer!.path ?? [];
  const from = compareLegPath(frame.fromPath, own);
  if (from === 'index-error') return raise();
  if (from === 'differs') return refuse(481, 'From-Path does not match session source');
  if (leg.owner && s.peer === null) {
    // The session's other leg is not known yet: the owner's first SEND makes it (a new connection).
    if (frame.method !== 'SEND') return refuse(481, 'Non-forwarding method received on unbound session');
    s.peer = { conn: null, path: rest };
    return checkHeaders(frame, refuse) ?? { ok: true, token: s as Token<C, unknown>, conn: null, bind: true };
  }
  const other = leg.owner ? s.peer!.path ?? [] : s.fromPath;
  const to = compareLegPath(rest, other);
  if (to === 'index-error') return raise();
  if (to === 'differs') return refuse(481, 'To-Path does not match session destination');
  if (frame.method !== 'SEND' && frame.method !== 'REPORT') return refuse(501, `Unknown method: ${frame.method}`);
  return checkHeaders(frame, refuse) ?? { ok: true, token: s as Token<C, unknown>, conn: leg.owner ? s.peer!.conn : s.conn, bind: leg.owner && s.peer!.conn === null };
}

/** msrprelay refuses a SEND without Message-ID or Byte-Range (400), though RFC 4975 allows leaving Byte-Range out. */
function checkHeaders(frame: MsrpRequest, refuse: (status: number, comment: string) => SessionRefusal): SessionRefusal | null {
  if (frame.method !== 'SEND') return null;
  if (frame.messageId === undefined) return refuse(400, 'Request was unintelligible, please try again (SEND received without Message-ID)');
  if (frame.byteRange === undefined) return refuse(400, 'Request was unintelligible, please try again (SEND received without Byte-Range)');
  return null;
}
