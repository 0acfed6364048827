/**
 * What msrprelay's sessions do to a connection beyond the routing decision (relay-sessions.ts):
 * the errors its Python code raises and nothing catches, which make Twisted drop the connection
 * (docs/relay-profiles.md, `msrprelay:session-per-auth`); a refusal on a new connection after it
 * was bound, whose end-line then fails; and the check of a response on a leg. Sans-I/O: it acts
 * through the RelayHost.
 */
import type { FailureReport, MsrpRequest, MsrpResponse } from '../wire/frame.js';
import type { AuthServer } from './auth-server.js';
import { compareLegPath, msrprelayPathsReadable, UNREADABLE_PATH } from './msrprelay-uri.js';
import type { RelayHost } from './relay-host.js';
import { deviation, reasonFor, type RelayProfile } from './relay-profile.js';
import { sessionOf, type SessionRefusal } from './relay-sessions.js';
import type { RequestStream } from './send-source.js';

/** Answers `frame` with `status` as the relay answers its own errors (RelayForwarding.reject). */
export type Reject<C> = (conn: C, frame: MsrpRequest, fr: FailureReport, status: number, rule: string, comment?: string) => void;

export class SessionLegs<C, T> {
  /** Connections whose request in progress fails at its end-line, with its answer still waiting for the event loop's next turn. */
  private readonly failingAtEnd = new Map<C, { answer: T | null }>();

  constructor(
    private readonly host: RelayHost<C, T>,
    private readonly auth: AuthServer<C, T>,
    private readonly profile: () => RelayProfile,
  ) {}

  /**
   * A response on `conn`: whether the relay acts on it. msrprelay reads a response on a session's
   * leg as it reads a request (relay.py `_bound_peer_data`, 482-503): one whose paths it cannot
   * read, whose From-Path is not the leg's or that comes before the session is bound is ignored
   * (the error it raises is caught and dropped for a response, 554-557); one whose From-Path runs
   * past the leg's raises IndexError, and the connection is dropped.
   */
  response(conn: C, frame: MsrpResponse): boolean {
    const profile = this.profile();
    if (!profile.sessionPerAuth) return true;
    const ignore = (reason: string, rule: string): false => {
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason }, deviation(profile, rule));
      return false;
    };
    if (profile.unreadablePathDropped && !msrprelayPathsReadable(frame)) return ignore(UNREADABLE_PATH, 'unreadable-path');
    const leg = sessionOf(this.auth.all, conn);
    if (leg === null) return true;
    const from = compareLegPath(frame.fromPath, leg.owner ? leg.token.fromPath : leg.token.peer?.path ?? []);
    if (from === 'index-error') {
      this.raised(conn, 'IndexError: deque index out of range');
      return false;
    }
    if (from === 'differs') return ignore('From-Path does not match session source', 'session-per-auth');
    if (leg.owner && leg.token.peer === null) return ignore('Non-forwarding method received on unbound session', 'session-per-auth');
    return true;
  }

  /** msrprelay refused `frame` (relay-sessions.ts `routeSession`): answer it, drop the connection, or wait for its end-line. */
  refused(conn: C, frame: MsrpRequest, fr: FailureReport, route: SessionRefusal, reject: Reject<C>): void {
    const profile = this.profile();
    if (route.status === null) {
      // A Python error nothing catches: on a leg Twisted drops the connection; on a new
      // connection it ends in the Deferred's log (no answer), and the end-line fails.
      if (!route.failsAtEnd) this.raised(conn, route.raises);
      else {
        this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: `${route.raises} (in a Deferred: nothing answers)` }, route.rule);
        if (fr !== 'no') this.failingAtEnd.set(conn, { answer: null });
      }
      return;
    }
    const comment = route.comment === null ? undefined : route.status === 481 ? `${reasonFor(profile, 481) ?? ''}: ${route.comment}` : route.comment;
    this.host.emit('relay.refuse', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: route.comment ?? 'no such session', status: route.status }, route.rule);
    if (!route.failsAtEnd) {
      reject(conn, frame, fr, route.status, route.rule, comment);
      return;
    }
    // Twisted writes what is queued at the event loop's next turn: an end-line that comes in the
    // same read drops the connection first, and the answer with it.
    const status = route.status;
    const pending = { answer: null as T | null };
    pending.answer = this.host.setTimer(this.host.now, () => {
      pending.answer = null;
      if (this.host.isOpen(conn)) reject(conn, frame, fr, status, route.rule, comment);
    });
    if (fr !== 'no') this.failingAtEnd.set(conn, pending);
  }

  /** The request refused on `conn` has ended in the read it began in (a whole frame). */
  ended(conn: C): void {
    this.failAtEnd(conn);
  }

  /** For a streamed request refused at its head: a stream whose end-line fails, or null if it does not. */
  stream(conn: C): RequestStream | null {
    if (!this.failingAtEnd.has(conn)) return null;
    return { piece: () => undefined, end: () => this.failAtEnd(conn), abort: () => void this.failingAtEnd.delete(conn) };
  }

  /** A Python error left the protocol's data handler: Twisted drops the connection (no answer). */
  private raised(conn: C, error: string): void {
    this.host.emit('relay.drop-connection', { conn: this.host.connId(conn), error }, deviation(this.profile(), 'session-per-auth'));
    this.host.close(conn);
  }

  /**
   * The end-line of a request refused after its new connection was bound meets a forward that was
   * never made (relay.py 313 or 316: `msrpdata_forward` is None), and the AttributeError drops the
   * connection, with any answer not yet written.
   */
  private failAtEnd(conn: C): void {
    const pending = this.failingAtEnd.get(conn);
    if (pending === undefined) return;
    this.failingAtEnd.delete(conn);
    this.host.cancelTimer(pending.answer);
    this.raised(conn, "AttributeError: 'NoneType' object has no attribute 'transaction_id'");
  }
}
