/**
 * The messages an endpoint sends, and how long it remembers the messages of a session (RFC 4975
 * §7.1; CHECKLIST c.3, c.4; docs/ambiguities.md E-32): a send checked against what the peer
 * signalled (E-07, E-08), its chunks handed to the session's connection, its transactions and
 * REPORTs counted until nothing more is expected of it, then a grace, then forgotten.
 */
import type { Micros } from '../../sim/time.js';
import type { MsrpResponse } from '../../wire/frame.js';
import type { EndpointTransactions } from '../../protocol/endpoint-transactions.js';
import { mediaTypeAccepted } from '../../signal/media-types.js';
import type { NodeContext } from '../node-context.js';
import type { Timer } from '../../sim/scheduler.js';
import { contentFor, digestOf } from '../content.js';
import { MessageSender, type SenderEvent, type SenderListener } from '../../protocol/message-sender.js';
import { EMPTY_SETTLED, outcomeTag, type EndpointOptions, type Outgoing, type Resend, type Session } from './endpoint-types.js';

/** What the sending side needs of its node. */
export interface SendingNode {
  readonly ctx: NodeContext;
  readonly options: EndpointOptions;
  /** The node's sessions by id. */
  readonly sessions: ReadonlyMap<string, Session>;
  readonly transactions: EndpointTransactions<Session, Outgoing, Timer>;
  failSession(session: Session, reason: string, rule: string): void;
}

/** What a session's life asks of the sending side. */
export interface SessionSending {
  send(action: Resend, fromQueue?: boolean): void;
  dropMessages(session: Session): void;
  grace(session: Session): Micros;
  /** The session failed: every message still being written is aborted. */
  abortAll(session: Session): void;
  /** The session ends: the messages whose success REPORTs have not all come are reported (E-28). */
  unconfirmed(session: Session): void;
  /** What to send again when the session is re-established (E-19). */
  undelivered(session: Session): Resend[];
}

export class EndpointMessages implements SessionSending, SenderListener {
  /** The message of each sender still writing, and its session. */
  private readonly owners = new Map<MessageSender, { session: Session; out: Outgoing }>();

  constructor(private readonly node: SendingNode) {}

  /** What a message's sender says (src/protocol/message-sender.ts). */
  senderEvent(sender: MessageSender, event: SenderEvent): void {
    const owner = this.owners.get(sender);
    if (!owner) return;
    const { session, out } = owner;
    if (event.type === 'chunk') {
      this.chunkWritten(session, out, event.frame.transactionId);
      if (event.flag === '+') this.stateRecord(session, out, 'sending', event.sent, 'chunk-sent');
      return;
    }
    if (event.type === 'abandoned') this.stateRecord(session, out, 'aborted', sender.sent, 'connection-lost');
    else this.stateRecord(session, out, event.type, event.sent, event.type);
    // The sender is over: sent, aborted, or abandoned with its connection (the session has failed, E-19).
    this.owners.delete(sender);
    if (event.type === 'abandoned') return;
    out.done = true;
    this.node.ctx.emit('endpoint.sent', { session: session.id, messageId: out.messageId, size: out.size, aborted: sender.aborting }, sender.aborting ? 'E-24' : 'E-21');
    this.settle(session, out);
  }

  /** What a message sent is now (trace format 2, `state.message`). */
  private stateRecord(session: Session, out: Outgoing, state: 'sending' | 'sent' | 'aborted', bytes: number, change: string): void {
    if (this.node.ctx.wantsState()) this.node.ctx.emitState('state.message', { messageId: out.messageId, session: session.id, direction: 'out', state, bytes, total: out.size, change });
  }

  /** A chunk's last byte is written: with Failure-Report yes or partial, its transaction begins (A-13, c.4). */
  private chunkWritten(session: Session, out: Outgoing, tid: string): void {
    const init = { kind: 'send' as const, session, sessionId: session.id, message: out, messageId: out.messageId, conn: session.conn?.id };
    if (out.failureReport === 'yes') {
      out.unconfirmed.add(tid);
      out.live++;
      this.node.transactions.add(tid, init, true);
    } else if (out.failureReport === 'partial') {
      // c.4: no timer for partial, but an error response may still come; the transaction is
      // forgotten after the transaction timeout so that state stays bounded.
      out.live++;
      this.node.transactions.add(tid, init, true, 'forget');
    }
    // Failure-Report no: no response will come, nothing to remember.
  }

  /**
   * How long a message is remembered once nothing more is expected of it (docs/ambiguities.md
   * E-32): a transaction timeout per hop of the session's path (R-28: "Delivery over each hop
   * should take no more than 30 seconds"), for a relay's failure REPORT or a chunk
   * still on its way to come.
   */
  grace(session: Session): Micros {
    return Math.max(1, session.toPath.length) * this.node.options.transactionTimeout;
  }

  /** A transaction of `out` ended (response, timeout, or the end of a partial window). */
  transactionEnded(session: Session, out: Outgoing): void {
    out.live--;
    this.settle(session, out);
  }

  /**
   * E-32: a message sent is kept while something may still be said about it: until it is written,
   * its transactions are over, and (Success-Report yes) REPORTs cover it unless it was aborted;
   * then for the grace, for failure REPORTs from relays on the way; then forgotten. A message
   * forgotten is not sent again if the session fails later (E-19).
   */
  settle(session: Session, out: Outgoing): void {
    if (out.forgetAt !== null || !out.done || out.live > 0) return;
    if (out.successReport === 'yes' && out.reported < out.size && !out.sender.aborting) return;
    if (session.outgoing.get(out.messageId) !== out) return;
    out.forgetAt = this.node.ctx.now + this.grace(session);
    session.settled.push({ at: out.forgetAt, out });
  }

  /**
   * Forgets the session's messages whose grace is over. It runs as messages come and go (no
   * scheduler event per message): settled messages are queued in the order they settled, which
   * is the order they fall due.
   */
  sweep(session: Session): void {
    const queue = session.settled;
    const now = this.node.ctx.now;
    let head = session.settledHead;
    while (head < queue.length && queue[head]!.at <= now) {
      const { out, incoming } = queue[head]!;
      if (out && session.outgoing.get(out.messageId) === out) session.outgoing.delete(out.messageId);
      if (incoming && session.incoming.get(incoming.assembly.messageId) === incoming) session.incoming.delete(incoming.assembly.messageId);
      queue[head++] = EMPTY_SETTLED;
    }
    if (head > 64 && head * 2 > queue.length) {
      session.settled = queue.slice(head);
      head = 0;
    }
    session.settledHead = head;
  }

  abortAll(session: Session): void {
    for (const out of session.outgoing.values()) {
      if (!out.done) out.sender.abort();
    }
  }

  unconfirmed(session: Session): void {
    // E-28, RFC 4975 §7.1.1: "if the success report has not been received by the time the
    // session is ended, the device SHOULD inform the user". Aborted messages wait for none (E-24).
    for (const out of session.outgoing.values()) {
      if (out.successReport === 'yes' && out.reported < out.size && !out.sender.aborting) {
        this.node.ctx.emit('endpoint.unconfirmed', { session: session.id, messageId: out.messageId, size: out.size, reported: out.reported }, 'E-28');
      }
    }
  }

  undelivered(session: Session): Resend[] {
    // Undelivered = not all written, or (Failure-Report yes) not every chunk confirmed by a 200:
    // a message written into a connection that then failed may never have arrived.
    return [...session.outgoing.values()].filter((o) => !o.done || o.unconfirmed.size > 0).map((o) => ({ ...o.action, messageIdKeep: o.messageId, dataKeep: o.sender.message.data }));
  }

  /**
   * The response to a SEND of `session` (of message `out`, or the binding SEND): 200 confirms a
   * chunk; 481 and 506 end the session (E-16); any other failure aborts the message (E-24).
   */
  response(session: Session, out: Outgoing | null, frame: MsrpResponse): void {
    const code = frame.statusCode;
    if (out) out.live--;
    this.node.ctx.emit('endpoint.response', { session: session.id, transactionId: frame.transactionId, status: code, messageId: out?.messageId ?? null }, code === 200 ? 'R-02' : 'E-24');
    if (code === 200) {
      out?.unconfirmed.delete(frame.transactionId);
      if (out) this.settle(session, out);
      return;
    }
    if (code === 481 || code === 506) {
      // E-16 / RFC 4975 §10.8: the session does not exist there; "sender should terminate".
      this.node.failSession(session, `${code} ${frame.comment ?? ''}`.trim(), code === 481 ? 'E-16' : 'S-03');
      return;
    }
    if (out && !out.done) {
      // E-24, RFC 4975 §7.1: on a failure response "the whole message SHOULD be aborted"; on 413
      // the sender "MUST NOT send further chunks".
      out.sender.response(code);
      this.node.ctx.emit('endpoint.abort', { session: session.id, messageId: out.messageId, status: code }, 'E-24');
    }
    if (out) this.settle(session, out);
  }

  /** Drops what a session remembers of its messages (it has ended: REPORTs for it are ignored, E-31). */
  dropMessages(session: Session): void {
    session.outgoing.clear();
    session.incoming.clear();
    session.settled = [];
    session.settledHead = 0;
  }

  /** Scenario action `send`: the message is made, checked against what the peer signalled, and queued on the session's connection. */
  send(action: Resend, fromQueue = false): void {
    const session = this.node.sessions.get(action.session);
    const tag = outcomeTag(action, fromQueue);
    if (!session || session.life.state === 'closed' || session.life.state === 'failed') {
      const reason = !session ? `no session ${action.session} at ${this.node.ctx.id}` : `session ${action.session} has ${session.life.state === 'closed' ? 'ended' : 'failed'}`;
      this.node.ctx.emit('endpoint.send-refused', { session: action.session, reason, ...tag }, 'E-16');
      return;
    }
    if (session.life.state !== 'established') {
      // It waits for the session, and is sent once it is established or fails with it.
      session.queued.push(action);
      if (action.messageIdKeep === undefined) this.node.ctx.emit('endpoint.send-queued', { session: session.id, state: session.life.state, contentType: action.contentType, size: action.size ?? null });
      return;
    }
    this.sweep(session);
    const peer = session.peerMedia!;
    const body = action.dataKeep ?? contentFor(this.node.ctx, action);
    // E-07, RFC 4975 §8.6: a sender "MUST NOT send content of a type not signaled by the peer".
    if (!mediaTypeAccepted(action.contentType, peer.acceptTypes, peer.acceptWrappedTypes ?? [])) {
      if (!action.force) {
        this.node.ctx.emit('endpoint.send-refused', { session: session.id, reason: `peer does not accept ${action.contentType}`, ...tag }, 'E-07');
        return;
      }
      this.node.ctx.emit('endpoint.forced', { session: session.id, reason: `peer does not accept ${action.contentType}` }, 'E-07');
    }
    // E-08: senders SHOULD NOT exceed the peer's a=max-size.
    if (peer.maxSize !== undefined && body.length > peer.maxSize) {
      if (!action.force) {
        this.node.ctx.emit('endpoint.send-refused', { session: session.id, reason: `${body.length} bytes exceed the peer's max-size ${peer.maxSize}`, ...tag }, 'E-08');
        return;
      }
      this.node.ctx.emit('endpoint.forced', { session: session.id, reason: `${body.length} bytes exceed the peer's max-size ${peer.maxSize}` }, 'E-08');
    }
    const messageId = action.messageIdKeep ?? this.node.ctx.newMessageId();
    const successReport = action.successReport ?? this.node.options.successReport;
    const failureReport = action.failureReport ?? this.node.options.failureReport;
    const strategy = action.chunkStrategy ?? this.node.options.chunkStrategy;
    const chunkSize = action.chunkSize ?? this.node.options.chunkSize;
    const out: Outgoing = {
      messageId,
      action,
      unconfirmed: new Set(),
      size: body.length,
      successReport,
      failureReport,
      digest: digestOf(body),
      reported: 0,
      done: false,
      live: 0,
      forgetAt: null,
      sender: new MessageSender(
        {
          messageId,
          contentType: action.contentType,
          toPath: session.toPath,
          fromPath: [session.localUri],
          // W-29: all chunks of one message "MUST use the same" report values; absent values are
          // left out so that the RFC defaults apply.
          successReport: action.successReport ?? (this.node.options.successReport === 'no' ? undefined : this.node.options.successReport),
          failureReport: action.failureReport ?? (this.node.options.failureReport === 'yes' ? undefined : this.node.options.failureReport),
          data: body,
          firstPosition: 1,
          total: body.length,
          lastFlag: '$',
          // Interruptible chunks (W-31) are as large as chunkSize when it is above 2048, else one chunk.
          maxChunk: strategy === 'fixed' || chunkSize > 2048 ? chunkSize : Number.POSITIVE_INFINITY,
          ...(action.abortAfter !== undefined ? { abortAt: action.abortAfter } : {}),
        },
        this,
      ),
    };
    this.owners.set(out.sender, { session, out });
    session.outgoing.set(messageId, out);
    this.node.ctx.emit(
      'endpoint.message',
      { session: session.id, messageId, contentType: action.contentType, size: body.length, digest: out.digest, successReport, failureReport, chunking: strategy === 'fixed' ? `fixed ${chunkSize}` : 'interruptible', ...tag },
      'E-21',
    );
    if (!session.conn) {
      this.node.failSession(session, 'no connection', 'E-19');
      return;
    }
    session.conn.sendData(out.sender);
  }
}
