/**
 * Which of an endpoint's sessions a received request belongs to (RFC 4975 §5.4, §7.3; CHECKLIST
 * c.2 E-16, E-17; c.4 E-31), sans-I/O: sessions are known by the URI this endpoint gave each
 * (U-09), compared as RFC 4975 §6.1 says (scheme, host and port case-insensitively, session part
 * exactly: `uriKey`). `S` is the node's session, `C` its connection handle.
 */
import type { MsrpRequest } from '../wire/frame.js';
import { parseUri, uriKey } from '../wire/uri.js';
import type { SessionLife } from './session-life.js';

/** What the matcher reads of a session. */
export interface MatchableSession<C> {
  readonly life: SessionLife;
  /** The connection the session is bound to, if any yet. */
  readonly conn: C | null;
  /** This side opens the connection (E-12, E-18): it binds it itself, with its first SEND. */
  readonly active: boolean;
}

/** Where a SEND goes, and the rule that says so. */
export type SessionMatch<S> =
  /** E-17: no live session has this To-Path: 481. */
  | { kind: 'unknown'; rule: 'E-17' }
  /** E-16: the session is bound to another connection: 506. */
  | { kind: 'elsewhere'; session: S; rule: 'E-16' }
  /** E-16: the first request on a connection binds a passive session to it. */
  | { kind: 'bind'; session: S; rule: 'E-16' }
  /** The session's own connection; `establish` when this is the first request it receives there. */
  | { kind: 'session'; session: S; establish: boolean };

/** The key a session's URI is known by (RFC 4975 §6.1 comparison); an unparsable URI keeps its text. */
export function sessionKey(uri: string): string {
  const parsed = parseUri(uri);
  return parsed.ok ? uriKey(parsed.uri) : `invalid:${uri}`;
}

export class SessionMatcher<S extends MatchableSession<C>, C> {
  private readonly byUri = new Map<string, S>();

  /** Sessions known by URI. */
  get size(): number {
    return this.byUri.size;
  }

  /** `session` is known from now on by `key` (its URI's `sessionKey`). */
  add(key: string, session: S): void {
    this.byUri.set(key, session);
  }

  /** Nothing is known by `key` any more; with `session`, only if it is that session's. */
  remove(key: string, session?: S): void {
    if (session === undefined || this.byUri.get(key) === session) this.byUri.delete(key);
  }

  /** The node crashed: no session is known. */
  clear(): void {
    this.byUri.clear();
  }

  /**
   * E-17, RFC 4975 §7.3: at an endpoint "the To-Path will have exactly one URI", which names the
   * session; any other To-Path names none.
   */
  lookup(frame: MsrpRequest): S | undefined {
    return frame.toPath.length === 1 ? this.byUri.get(sessionKey(frame.toPath[0]!)) : undefined;
  }

  /**
   * The session a SEND that arrived on `conn` belongs to. `direct`: the endpoint uses no relay, so
   * a passive session binds to the connection its first request comes on (with relays, the relay
   * connection carries every session, R-26).
   */
  send(conn: C, frame: MsrpRequest, direct: boolean): SessionMatch<S> {
    // E-17: the To-Path "MUST map to an existing session that is associated with the connection
    // on which the request arrived".
    const session = this.lookup(frame);
    if (!session || session.life.over) return { kind: 'unknown', rule: 'E-17' };
    // E-16: the first request on a connection binds it to the session (passive side).
    if (session.conn === null && direct && !session.active) return { kind: 'bind', session, rule: 'E-16' };
    // E-16, RFC 4975 §5.4: in use on another connection: "MUST reject the request with a 506".
    if (session.conn !== conn) return { kind: 'elsewhere', session, rule: 'E-16' };
    return { kind: 'session', session, establish: session.life.state === 'connecting' };
  }
}
