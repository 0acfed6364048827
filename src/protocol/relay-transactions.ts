/**
 * The relay's table of forwarded transactions (RFC 4976 §3, §6.4; CHECKLIST d.4,
 * R-22, d.5, d.6 R-28): what the relay remembers of each request it forwarded, the window (the 30 s
 * timer) that runs from the request's last byte sent, the responses that come back for it (consumed
 * for a SEND, mapped back to the original transaction id for any other request), the 408 and the
 * failure REPORTs to the original sender, and what a lost next-hop connection means for each.
 * Sans-I/O: it acts through a RelayHost.
 */
import { buildResponse } from '../wire/builder.js';
import type { ByteRange, FailureReport, MsrpRequest, MsrpResponse } from '../wire/frame.js';
import { pathUri } from '../wire/path-uris.js';
import type { MsrpUri } from '../wire/uri.js';
import { forwardPaths, namesRelay } from './paths.js';
import { answer, header, type RelayHost } from './relay-host.js';
import { deviation, type RelayProfile } from './relay-profile.js';
import { buildReport } from './report.js';

/**
 * A forwarded transaction: `sending` until the request's last byte is written to the next hop,
 * then `waiting` for the response within its window, then `done` (answered, timed out, forgotten,
 * or lost with its connection). A record made only to report a failure is `done` from the start.
 */
export type ForwardedState = 'sending' | 'waiting' | 'done';

const MOVES: Record<ForwardedState, readonly ForwardedState[]> = {
  sending: ['waiting', 'done'],
  waiting: ['done'],
  done: [],
};

/** What the relay remembers of a request it forwarded, to handle the response (d.5). */
export class Forwarded<C, T> {
  private current: ForwardedState;
  /** the window's timer, while `waiting`, and when it fires. */
  timer: T | null = null;
  timerAt: number | null = null;
  /** Stream offset on `outConn` just past the forwarded request's last byte; -1 until written. */
  endOffset = -1;

  constructor(
    readonly method: string,
    readonly inbound: MsrpRequest,
    readonly inConn: C,
    readonly outConn: C,
    /** The token URI this relay consumed from the To-Path. */
    readonly own: string,
    readonly failureReport: FailureReport,
    /** The range this relay sent (or could not send), for a SEND with a body. */
    readonly range: ByteRange | null,
    readonly bytesSent: number,
    /** Body bytes received so far of the inbound SEND (a cut-through relay forwards before the end). */
    readonly received: { bytes: number },
    state: ForwardedState = 'sending',
  ) {
    this.current = state;
  }

  get state(): ForwardedState {
    return this.current;
  }

  transition(to: ForwardedState): void {
    if (!MOVES[this.current].includes(to)) throw new Error(`forwarded transaction: illegal move ${this.current} -> ${to}`);
    this.current = to;
  }
}

/** The settings the table reads (RelayOptions). */
export interface TransactionSettings {
  /** the window of a forwarded request, from its last byte sent (µs). */
  transactionTimeout: number;
}

export class RelayTransactions<C, T> {
  private table = new Map<string, Forwarded<C, T>>();

  constructor(
    private readonly host: RelayHost<C, T>,
    private readonly settings: TransactionSettings,
    /** The relay's own URI, which a response to a forwarded non-SEND must be addressed to. */
    private readonly base: MsrpUri,
    /** The profile every decision from now on follows; the node changes it on a scenario `set`. */
    public profile: RelayProfile,
    /** a transaction on these connections ended without traffic on them. */
    private readonly used: (conn: C) => void,
    /** Bytes written to, and acknowledged by the peer of, a connection. */
    private readonly bytesWritten: (conn: C) => number,
    private readonly bytesAcknowledged: (conn: C) => number,
  ) {}

  get size(): number {
    return this.table.size;
  }

  /** Remembers a request forwarded as `tid` on its outbound connection. */
  add(tid: string, f: Forwarded<C, T>): void {
    this.table.set(tid, f);
    this.traceState(f, tid, 'forwarded');
  }

  /** A forwarded transaction's state changed (`state.transaction`). */
  private traceState(f: Forwarded<C, T>, tid: string, change: string): void {
    if (!this.host.wantsState()) return;
    this.host.emitState('state.transaction', {
      transactionId: tid,
      method: f.method,
      conn: this.host.connId(f.outConn),
      state: f.state,
      timerAt: f.state === 'waiting' ? f.timerAt : null,
      messageId: f.inbound.messageId ?? null,
      change,
    });
  }

  /** The transaction is over: `done`, its timer cancelled if one ran, and traced with `change`. */
  private finish(f: Forwarded<C, T>, tid: string, change: string): void {
    this.host.cancelTimer(f.timer);
    f.timer = null;
    f.timerAt = null;
    f.transition('done');
    this.traceState(f, tid, change);
  }

  /** Forgets `tid` at once (a SEND with Failure-Report no: no response will come). */
  drop(tid: string, f: Forwarded<C, T>): void {
    if (this.table.get(tid) !== f) return;
    this.table.delete(tid);
    this.finish(f, tid, 'no-response-expected');
  }

  /**
   * The last byte of the request forwarded as `tid` has been written. R-28, RFC 4976 §3: "Relays
   * only keep transaction states for a short time for each chunk. Delivery over each hop should
   * take no more than 30 seconds after the last byte of data is sent." A forwarded request is
   * remembered for transactionTimeout from its last byte sent:
   * - a SEND with Failure-Report yes: the R-21 timer; no response by then => 408 REPORT;
   * - any other (Failure-Report partial, which gets no response when it succeeds; a SEND a profile
   *   runs no timer for; a non-SEND request): an error response within that time is still acted on
   *   and when the time is up the relay forgets it, without a REPORT: the chunk is
   *   taken as delivered, and a response or a connection loss after that changes nothing.
   */
  written(f: Forwarded<C, T>, tid: string, frame: MsrpRequest): void {
    if (this.table.get(tid) !== f) return;
    f.endOffset = this.bytesWritten(f.outConn);
    const report = f.method === 'SEND' && f.failureReport === 'yes' && this.runs408Timer(tid, frame);
    f.transition('waiting');
    // msrprelay keeps a partial SEND until a response comes or the session ends: it has no timer.
    if (this.profile.sessionPerAuth && f.method === 'SEND' && f.failureReport === 'partial') return;
    f.timerAt = this.host.now + this.settings.transactionTimeout;
    f.timer = this.host.setTimer(f.timerAt, () => this.windowOver(f, tid, frame, report));
    this.traceState(f, tid, 'timer-set');
  }

  private windowOver(f: Forwarded<C, T>, tid: string, frame: MsrpRequest, report: boolean): void {
    if (this.table.get(tid) !== f) return;
    this.table.delete(tid);
    f.timer = null;
    this.finish(f, tid, report ? 'timed-out' : 'window-over');
    this.used(f.outConn);
    this.used(f.inConn);
    if (report) {
      this.host.emit('relay.timeout', { outTransactionId: tid, messageId: frame.messageId ?? null }, 'R-21');
      this.failureReport(f, 408, 'R-21');
      return;
    }
    if (f.method === 'AUTH' && this.profile.authTimeout408 && this.host.isOpen(f.inConn)) {
      // opensips answers a forwarded AUTH that got no response in time with a 408.
      this.host.emit('relay.timeout', { outTransactionId: tid, messageId: null }, deviation(this.profile, 'auth-timeout-408'));
      answer(this.host, f.inConn, f.inbound, 408, deviation(this.profile, 'auth-timeout-408'), f.own);
      return;
    }
    this.host.emit(
      'relay.forget',
      { outTransactionId: tid, method: f.method, messageId: frame.messageId ?? null, failureReport: f.failureReport, reason: `no ${f.method === 'SEND' && f.failureReport === 'partial' ? 'error ' : ''}response within the transaction timeout` },
      'R-28',
    );
  }

  /** whether the relay runs the 408 timer for a forwarded SEND with Failure-Report yes. */
  private runs408Timer(tid: string, frame: MsrpRequest): boolean {
    if (this.profile.neverReports) {
      this.host.emit('relay.no-timer', { outTransactionId: tid, reason: 'the relay never reports' }, deviation(this.profile, 'never-reports'));
      return false;
    }
    if (this.profile.timeoutOnlyForExplicitYes && frame.failureReport !== 'yes') {
      this.host.emit('relay.no-timer', { outTransactionId: tid, reason: 'Failure-Report absent, not literally yes' }, deviation(this.profile, '408-only-for-explicit-yes'));
      return false;
    }
    return true;
  }

  /** A response on `conn` (CHECKLIST d.5). */
  response(conn: C, frame: MsrpResponse): void {
    const f = this.table.get(frame.transactionId);
    if (!f || f.outConn !== conn) {
      this.host.emit('relay.stray-response', { conn: this.host.connId(conn), transactionId: frame.transactionId, status: frame.statusCode }, 'W-05');
      return;
    }
    this.table.delete(frame.transactionId);
    this.finish(f, frame.transactionId, 'answered');
    if (f.method === 'SEND') {
      if (this.profile.ignoreSendResponses) {
        this.host.emit('relay.response-dropped', { transactionId: frame.transactionId, status: frame.statusCode }, deviation(this.profile, 'drop-send-responses'));
        return;
      }
      if (frame.statusCode === 200) {
        // d.5: the 200 is consumed here; SEND responses are hop by hop.
        this.host.emit('relay.next-hop-ok', { outTransactionId: frame.transactionId }, 'A-04');
        return;
      }
      // d.5, RFC 4976 §6.4.3: the relay "MUST send a REPORT indicating the nature of the failure".
      // msrprelay's REPORT carries the response's comment.
      if (f.failureReport !== 'no') this.failureReport(f, frame.statusCode, 'R-22', this.profile.sessionPerAuth ? frame.comment ?? null : undefined);
      return;
    }
    if (frame.statusCode === 200 && this.profile.swallowForwardedOk) {
      // opensips consumes every 200 it gets: one to a forwarded AUTH never reaches the client.
      this.host.emit('relay.response-dropped', { transactionId: frame.transactionId, status: 200 }, deviation(this.profile, 'swallow-forwarded-ok'));
      return;
    }
    // RFC 4976 §6.4.3: a response to a non-SEND request goes back hop by hop with the original
    // transaction id, own URI moved from To-Path to the front of From-Path.
    const to = pathUri(frame.toPath, 0);
    if (!to || !to.ok || !namesRelay(this.base, to.uri, false)) {
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: 'response not addressed to this relay' }, 'A-01');
      return;
    }
    if (frame.toPath.length < 2) {
      // E-33: a response to a non-SEND request carries the request's whole From-Path; one that
      // names no hop after this relay cannot be sent back anywhere.
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: 'response names no hop after this relay in its To-Path' }, 'E-33');
      return;
    }
    const paths = forwardPaths(frame.toPath, frame.fromPath);
    if (!this.host.isOpen(f.inConn)) {
      this.host.emit('relay.discard', { conn: this.host.connId(f.inConn), transactionId: f.inbound.transactionId, reason: 'the connection the request came on has closed' }, 'R-25');
      return;
    }
    const out = buildResponse({
      transactionId: f.inbound.transactionId,
      statusCode: frame.statusCode,
      comment: frame.comment,
      toPath: paths.toPath,
      fromPath: paths.fromPath,
      usePath: frame.usePath,
      expires: frame.expires,
      minExpires: frame.minExpires,
      maxExpires: frame.maxExpires,
      wwwAuthenticate: header(frame, 'www-authenticate'),
      authenticationInfo: header(frame, 'authentication-info'),
    });
    this.host.emit(
      'relay.response-forward',
      { status: frame.statusCode, inTransactionId: frame.transactionId, outTransactionId: f.inbound.transactionId, toPathBefore: frame.toPath, toPathAfter: paths.toPath },
      'A-04',
    );
    this.host.send(f.inConn, out);
  }

  /**
   * A failure REPORT to the original sender (d.5): To-Path = From-Path of the SEND as the relay
   * received it; From-Path = the relay's URI; Status 000 <code>; Byte-Range of the affected range
   * (W-27).
   */
  failureReport(f: Forwarded<C, T>, code: number, rule: string, comment?: string | null): void {
    if (this.profile.neverReports) {
      this.host.emit('relay.report-suppressed', { status: code }, deviation(this.profile, 'never-reports'));
      return;
    }
    if (!this.host.isOpen(f.inConn)) {
      this.host.emit('relay.discard', { conn: this.host.connId(f.inConn), transactionId: f.inbound.transactionId, reason: 'no connection back to the sender for the REPORT' }, 'E-31');
      return;
    }
    // W-27: "the actual range being reported on", range-end computed from the data: the chunk this
    // relay sent (or could not send). A profile may report the chunk it received instead.
    const inRange = f.inbound.byteRange ?? { start: 1, end: null, total: null };
    const sent = f.range ?? inRange;
    const strictRange = { start: sent.start, end: sent.end ?? sent.start + f.bytesSent - 1, total: sent.total };
    const byteRange = this.profile.reportReceivedRange ? { start: inRange.start, end: inRange.start + f.received.bytes - 1, total: inRange.total } : strictRange;
    const report = buildReport({
      transactionId: this.host.newTransactionId(),
      toPath: f.inbound.fromPath,
      fromPath: [f.own],
      messageId: f.inbound.messageId ?? 'unknown',
      byteRange,
      code,
      // msrprelay's REPORTs carry a bare status unless it gives a reason.
      comment: comment !== undefined ? comment : this.profile.sessionPerAuth ? null : undefined,
    });
    this.host.emit('relay.report', { status: code, messageId: report.messageId!, toPath: report.toPath, byteRange: report.byteRange! }, rule);
    if (this.profile.reportReceivedRange) {
      this.host.emit('relay.report-range', { transactionId: report.transactionId, byteRange, instead: strictRange }, deviation(this.profile, 'report-received-range'));
    }
    this.host.send(f.inConn, report);
  }

  /**
   * Whether a forwarded request still remembered in its window keeps `conn` in use:
   * its response or its REPORT would travel on it.
   */
  inUse(conn: C): boolean {
    for (const f of this.table.values()) {
      if (f.state === 'waiting' && (f.outConn === conn || f.inConn === conn)) return true;
    }
    return false;
  }

  /**
   * Forgets, without a REPORT, every transaction forwarded on `conn` (the relay closes it as
   * unused, R-27: it knows of no failure). Returns how many.
   */
  forgetOn(conn: C): number {
    let forgotten = 0;
    for (const [tid, f] of this.table) {
      if (f.outConn !== conn) continue;
      this.table.delete(tid);
      this.finish(f, tid, 'forgotten');
      forgotten++;
    }
    return forgotten;
  }

  /** The connection to a next hop closed: what that means for each transaction forwarded on it. */
  closed(conn: C): void {
    // opensips does not notice: what it forwarded on the connection waits for its timeout.
    if (this.profile.waitOnNextHopLoss) return;
    for (const [tid, f] of this.table) {
      if (f.outConn !== conn) continue;
      this.table.delete(tid);
      this.finish(f, tid, 'connection-lost');
      if (f.method !== 'SEND') continue;
      if (this.profile.sessionPerAuth && f.failureReport !== 'no') {
        // msrprelay: the session ends; every SEND still waiting (a partial one waits for ever) gets a 408.
        this.failureReport(f, 408, deviation(this.profile, 'session-ends-with-leg'), 'Session got disconnected');
        continue;
      }
      if (f.failureReport === 'yes') {
        // the response it waits for cannot come any more: a 408 REPORT now, not 30 s later.
        this.failureReport(f, 408, 'A-02');
      } else if (f.endOffset < 0 || this.bytesAcknowledged(conn) < f.endOffset) {
        // a partial SEND the next hop has not received all of (its TCP never acknowledged
        // the bytes) did not get there: the relay knows of that failure and reports it.
        this.failureReport(f, 408, 'A-03');
      } else {
        // a partial SEND the next hop has received waits only for an error response, and
        // none came: the relay knows of no failure, and reports none.
        this.host.emit(
          'relay.forget',
          { outTransactionId: tid, method: f.method, messageId: f.inbound.messageId ?? null, failureReport: f.failureReport, reason: `connection ${this.host.connId(conn)} to the next hop closed after it had received the chunk; no error response came` },
          'A-03',
        );
      }
    }
  }

  /** The relay crashed: transactions live in memory only. */
  reset(): void {
    for (const [tid, f] of this.table) this.finish(f, tid, 'crash');
    this.table = new Map();
  }
}
