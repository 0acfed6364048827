/**
 * The endpoint's open transactions (CHECKLIST c.4, c.5; A-13), sans-I/O: the table by transaction
 * id, the timer of each (30 s from the last byte written with Failure-Report yes, A-13; the window
 * after which a Failure-Report partial transaction is forgotten), responses matched to their
 * transaction (W-05: a response to none is stray) and timeouts. What a response or a timeout
 * means for a session, a message or the AUTH is the node's (and the other machines'): the table
 * hands the transaction back. `S` and `M` are the node's session and message handles, `T` its
 * timer handle; all opaque here.
 */
import type { MsrpResponse } from '../wire/frame.js';
import type { EndpointEvents, EndpointEventType } from './endpoint-events.js';
import type { StateTransaction } from './state-events.js';

/**
 * A transaction's life: `written` (its request is queued; its timer starts when the last byte is
 * written, A-13), `waiting` (for a response, its timer running), then `answered`, `timed-out`,
 * `expired` (a partial transaction's window ended with no response: nothing to say) or `dropped`
 * (its session failed or its connection closed: no response can come any more).
 */
export type TransactionState = 'written' | 'waiting' | 'answered' | 'timed-out' | 'expired' | 'dropped';

const MOVES: Record<TransactionState, readonly TransactionState[]> = {
  written: ['waiting', 'answered', 'dropped'],
  waiting: ['answered', 'timed-out', 'expired', 'dropped'],
  answered: [],
  'timed-out': [],
  expired: [],
  dropped: [],
};

/** One open transaction. */
export class EndpointTransaction<S, M, T> {
  private current: TransactionState = 'written';
  timer: T | null = null;
  /** When its timer fires (µs), while it runs. */
  timerAt: number | null = null;

  constructor(
    readonly transactionId: string,
    /** `auth`: an AUTH to relay `relayIndex`; `send`: a SEND of `session` (of `message`, unless it is the binding SEND). */
    readonly kind: 'send' | 'auth',
    /** The timer fires a timeout (Failure-Report yes, AUTH) or only forgets it (Failure-Report partial). */
    readonly onExpiry: 'timeout' | 'forget',
    readonly session: S | null,
    readonly sessionId: string | null,
    readonly message: M | null,
    readonly messageId: string | null,
    readonly relayIndex: number,
    /** The connection its request went on, when known. */
    readonly conn: string | null,
  ) {}

  get state(): TransactionState {
    return this.current;
  }

  transition(to: TransactionState): void {
    if (!MOVES[this.current].includes(to)) throw new Error(`transaction ${this.transactionId}: illegal move ${this.current} -> ${to}`);
    this.current = to;
  }
}

/** What the table asks of the node that runs it. */
export interface EndpointTransactionsHost<S, M, T> {
  readonly now: number;
  emit<K extends EndpointEventType>(type: K, fields: EndpointEvents[K], rule?: string): void;
  setTimer(at: number, fire: () => void): T;
  cancelTimer(timer: T | null): void;
  /** no response in time (`endpoint.timeout` has been emitted). */
  timedOut(t: EndpointTransaction<S, M, T>): void;
  /** A Failure-Report partial transaction's window ended without a response. */
  expired(t: EndpointTransaction<S, M, T>): void;
  /** A transaction's state changed (trace format 2, `state.transaction`); from its timer's start on. */
  state?(fields: StateTransaction): void;
  /**
   * Whether to build the record for `state` now (asked once per change, just before building it):
   * false when nothing reads state records. Absent: always.
   */
  wantsState?(): boolean;
}

/** What a new transaction is about. */
export interface TransactionInit<S, M> {
  kind: 'send' | 'auth';
  session?: S;
  sessionId?: string;
  message?: M;
  messageId?: string;
  relayIndex?: number;
  /** The connection its request goes on. */
  conn?: string;
}

export class EndpointTransactions<S, M, T> {
  private readonly open = new Map<string, EndpointTransaction<S, M, T>>();

  /** `timeout` (µs): CHECKLIST c.4's 30 seconds, the endpoint's transactionTimeout. */
  constructor(
    private readonly host: EndpointTransactionsHost<S, M, T>,
    private readonly settings: { transactionTimeout: number },
  ) {}

  /** Open transactions. */
  get size(): number {
    return this.open.size;
  }

  /**
   * A transaction whose request is queued: with `start`, its timer runs from now (its last byte
   * is written now, or an AUTH); otherwise `start(id)` is called once it is written.
   * `onExpiry` `forget`: Failure-Report partial, whose window only forgets it (c.4: no timer).
   */
  add(transactionId: string, init: TransactionInit<S, M>, start: boolean, onExpiry: 'timeout' | 'forget' = 'timeout'): EndpointTransaction<S, M, T> {
    const t = new EndpointTransaction<S, M, T>(
      transactionId,
      init.kind,
      onExpiry,
      init.session ?? null,
      init.sessionId ?? null,
      init.message ?? null,
      init.messageId ?? null,
      init.relayIndex ?? 0,
      init.conn ?? null,
    );
    if (start) this.arm(t);
    this.open.set(transactionId, t);
    return t;
  }

  /** The request of `transactionId` has been written: its timer starts. */
  start(transactionId: string): void {
    const t = this.open.get(transactionId);
    if (t && t.state === 'written') this.arm(t);
  }

  /**
   * CHECKLIST c.4: with Failure-Report yes, if no response arrives "within 30 seconds from the
   * time the last byte of the transaction is sent, or submitted to the operating system for
   * sending, the element MUST inform the user that the request probably failed".
   */
  private arm(t: EndpointTransaction<S, M, T>): void {
    t.transition('waiting');
    t.timerAt = this.host.now + this.settings.transactionTimeout;
    t.timer = this.host.setTimer(t.timerAt, () => this.expire(t));
    this.report(t, 'timer-set');
  }

  /**
   * What the transaction is now: `waiting` with its timer, `done` (answered, expired, dropped) or
   * `timed-out`. Only transactions whose timer has started are reported (the request written).
   */
  private report(t: EndpointTransaction<S, M, T>, change: string): void {
    if (!this.host.state || t.timerAt === null || this.host.wantsState?.() === false) return;
    const state = t.state === 'waiting' ? 'waiting' : t.state === 'timed-out' ? 'timed-out' : 'done';
    this.host.state({ transactionId: t.transactionId, method: t.kind === 'auth' ? 'AUTH' : 'SEND', conn: t.conn ?? '', state, timerAt: t.state === 'waiting' ? t.timerAt : null, messageId: t.messageId, change });
  }

  private expire(t: EndpointTransaction<S, M, T>): void {
    if (this.open.get(t.transactionId) !== t) return;
    this.open.delete(t.transactionId);
    if (t.onExpiry === 'forget') {
      t.transition('expired');
      this.report(t, 'expired');
      this.host.expired(t);
      return;
    }
    t.transition('timed-out');
    this.report(t, 'timed-out');
    this.host.emit('endpoint.timeout', { transactionId: t.transactionId, kind: t.kind, session: t.sessionId, messageId: t.messageId }, 'A-13');
    this.host.timedOut(t);
  }

  /**
   * A response arrived on connection `conn`: its transaction, which ends, or null (W-05: a response
   * to no open transaction is stray, and ignored).
   */
  response(conn: string, frame: MsrpResponse): EndpointTransaction<S, M, T> | null {
    const t = this.open.get(frame.transactionId);
    if (!t) {
      this.host.emit('endpoint.stray-response', { conn, transactionId: frame.transactionId, status: frame.statusCode }, 'W-05');
      return null;
    }
    this.open.delete(frame.transactionId);
    this.host.cancelTimer(t.timer);
    t.transition('answered');
    this.report(t, `answered-${frame.statusCode}`);
    return t;
  }

  /** Drops the open transactions `which` selects: no response can come for them any more. */
  drop(which: (t: EndpointTransaction<S, M, T>) => boolean): void {
    for (const [tid, t] of this.open) {
      if (!which(t)) continue;
      this.host.cancelTimer(t.timer);
      this.open.delete(tid);
      t.transition('dropped');
      this.report(t, 'dropped');
    }
  }

  /** The node crashed: every transaction is forgotten, its timer cancelled. */
  reset(): void {
    this.drop(() => true);
  }
}
