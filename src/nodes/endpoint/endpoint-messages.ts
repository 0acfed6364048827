/**
 * The messages an endpoint sends, and how long it remembers the messages of a session (RFC 4975
 * §7.1; CHECKLIST c.3, c.4; docs/ambiguities.md E-32): a send checked against what the peer
 * signalled (E-07, E-08), its chunks handed to the session's connection, its transactions and
 * REPORTs counted until nothing more is expected of it, then a grace, then forgotten.
 */
import type { Micros } from '../../sim/time.js';
import type { EndpointTransactions } from '../../protocol/endpoint-transactions.js';
import { mediaTypeAccepted } from '../../signal/media-types.js';
import type { NodeContext } from '../node-context.js';
import type { Timer } from '../../sim/scheduler.js';
import { contentFor, digestOf } from '../content.js';
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

export class EndpointMessages {
  constructor(private readonly node: SendingNode) {}

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
    if (out.successReport === 'yes' && out.reported < out.size && !out.source.abort) return;
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
      source: {
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
        sent: 0,
        ...(action.abortAfter !== undefined ? { abortAt: action.abortAfter } : {}),
      },
    };
    out.source.onChunkWritten = (chunk) => {
      const tid = chunk.transactionId;
      if (failureReport === 'yes') {
        out.unconfirmed.add(tid);
        out.live++;
        this.node.transactions.add(tid, { kind: 'send', session, sessionId: session.id, message: out, messageId }, true);
      } else if (failureReport === 'partial') {
        // c.4: no timer for partial, but an error response may still come; the transaction is
        // forgotten after the transaction timeout so that state stays bounded.
        out.live++;
        this.node.transactions.add(tid, { kind: 'send', session, sessionId: session.id, message: out, messageId }, true, 'forget');
      }
      // Failure-Report no: no response will come, nothing to remember.
    };
    out.source.onDone = () => {
      out.done = true;
      this.node.ctx.emit('endpoint.sent', { session: session.id, messageId, size: body.length, aborted: out.source.abort === true }, out.source.abort ? 'E-24' : 'E-21');
      this.settle(session, out);
    };
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
    session.conn.sendData(out.source);
  }
}
