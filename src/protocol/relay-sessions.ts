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

/** Where a request on a connection goes under msrprelay's sessions, or how it is refused. */
export type SessionRoute<C> =
  | { ok: true; token: Token<C, unknown>; conn: C | null; bind: boolean }
  | { ok: false; status: number; comment: string | null; rule: string };

/** Whether `path`, as far as it goes, equals `bound` URI by URI (msrprelay compares index by index). */
function samePrefix(path: readonly string[], bound: readonly string[]): boolean {
  if (path.length > bound.length) return false;
  for (let i = 0; i < path.length; i++) if (path[i] !== bound[i]) return false;
  return true;
}

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
  const refuse = (status: number, comment: string | null): SessionRoute<C> => ({ ok: false, status, comment, rule });
  const rest = frame.toPath.slice(1);
  if (leg === null) {
    // A new connection: only a SEND for a session nobody else has joined binds it (the first
    // comer wins); anything else is an unknown method, a SEND for another session 481.
    if (frame.method !== 'SEND' || !(peer.client && peer.state === 'probation')) return refuse(501, `Unknown method: ${frame.method}`);
    if (!token || token.peer !== null || token.conn === null) return refuse(481, null);
    token.peer = { conn, path: frame.fromPath };
    if (!samePrefix(rest, token.fromPath)) return refuse(481, 'To-Path does not match session destination');
    return checkHeaders(frame, refuse) ?? { ok: true, token: token as Token<C, unknown>, conn: token.conn, bind: false };
  }
  const s = leg.token;
  const own = leg.owner ? s.fromPath : s.peer!.path ?? [];
  if (!samePrefix(frame.fromPath, own)) return refuse(481, 'From-Path does not match session source');
  if (leg.owner && s.peer === null) {
    // The session's other leg is not known yet: the owner's first SEND makes it (a new connection).
    if (frame.method !== 'SEND') return refuse(481, 'Non-forwarding method received on unbound session');
    s.peer = { conn: null, path: rest };
    return checkHeaders(frame, refuse) ?? { ok: true, token: s as Token<C, unknown>, conn: null, bind: true };
  }
  if (frame.method !== 'SEND' && frame.method !== 'REPORT') return refuse(501, `Unknown method: ${frame.method}`);
  const other = leg.owner ? s.peer!.path ?? [] : s.fromPath;
  if (!samePrefix(rest, other)) return refuse(481, 'To-Path does not match session destination');
  return checkHeaders(frame, refuse) ?? { ok: true, token: s as Token<C, unknown>, conn: leg.owner ? s.peer!.conn : s.conn, bind: leg.owner && s.peer!.conn === null };
}

/** msrprelay refuses a SEND without Message-ID or Byte-Range (400), though RFC 4975 allows leaving Byte-Range out. */
function checkHeaders<C>(frame: MsrpRequest, refuse: (status: number, comment: string) => SessionRoute<C>): SessionRoute<C> | null {
  if (frame.method !== 'SEND') return null;
  if (frame.messageId === undefined) return refuse(400, 'Request was unintelligible, please try again (SEND received without Message-ID)');
  if (frame.byteRange === undefined) return refuse(400, 'Request was unintelligible, please try again (SEND received without Byte-Range)');
  return null;
}
