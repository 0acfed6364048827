/**
 * The receiving side of an endpoint (RFC 4975 §7.1 to §7.3; CHECKLIST c.2 to c.6): which session
 * a request belongs to (the session matcher), reassembly of its chunks, the response the
 * Failure-Report table asks for (c.4, E-33), success REPORTs (E-27, E-29), and what a REPORT
 * received says of a message sent (E-31, E-32).
 */
import type { Micros } from '../../sim/time.js';
import { buildResponse } from '../../wire/builder.js';
import type { FailureReport, MsrpRequest } from '../../wire/frame.js';
import { malformedViolation } from '../../wire/tolerance.js';
import { MessageAssembly } from '../../protocol/reassembler.js';
import type { SessionMatcher } from '../../protocol/session-matcher.js';
import { responseToPath } from '../../protocol/paths.js';
import { buildReport, effectiveFailureReport, effectiveSuccessReport, endpointResponse } from '../../protocol/report.js';
import { mediaTypeAccepted } from '../../signal/media-types.js';
import type { MsrpConnection } from '../msrp-connection.js';
import type { NodeContext } from '../node-context.js';
import { digestOf } from '../content.js';
import type { EndpointOptions, Incoming, Outgoing, Session } from './endpoint-types.js';

/** What the receiving side needs of its node. */
export interface ReceivingNode {
  readonly ctx: NodeContext;
  readonly options: EndpointOptions;
  /** The node's host has crashed: it handles nothing. */
  crashed(): boolean;
  /** The endpoint's own URI (the From-Path of a response to a request naming none). */
  deviceUri(): string;
  readonly matcher: SessionMatcher<Session, MsrpConnection>;
  /** The session's connection is bound: it is established (E-15, E-16). */
  establish(session: Session): void;
  failSession(session: Session, reason: string, rule: string): void;
  /** Forgets the session's messages whose grace is over (E-32). */
  sweep(session: Session): void;
  /** How long a message is remembered once nothing more is expected of it (E-32). */
  grace(session: Session): Micros;
  /** A message sent may now be settled (E-32). */
  settle(session: Session, out: Outgoing): void;
}

export class EndpointReceiver {
  constructor(private readonly node: ReceivingNode) {}

  /** What a message received is now (trace format 2, `state.message`). */
  private stateRecord(session: Session, messageId: string, state: 'receiving' | 'aborted' | 'delivered', bytes: number, total: number | null, change: string): void {
    if (this.node.ctx.wantsState()) this.node.ctx.emitState('state.message', { messageId, session: session.id, direction: 'in', state, bytes, total, change });
  }

  /** A request arrived on `conn` (CHECKLIST c.2 to c.5). */
  request(conn: MsrpConnection, frame: MsrpRequest): void {
    if (this.node.crashed()) return;
    // docs/tolerance.md: a request this endpoint cannot act on is answered 400 (RFC 4975 §10.2,
    // as the Failure-Report table allows, E-33); a REPORT is never answered (E-31), just ignored.
    const unactionable = malformedViolation(frame);
    if (unactionable !== undefined) {
      if (frame.method === 'REPORT') {
        this.node.ctx.emit('endpoint.report-ignored', { conn: conn.id, messageId: frame.messageId ?? null, status: frame.status?.code ?? null, reason: unactionable.message }, unactionable.rule);
      } else {
        this.respond(conn, frame, effectiveFailureReport(frame.failureReport), 400, unactionable.rule);
      }
      return;
    }
    if (frame.method === 'REPORT') {
      this.onReport(conn, frame);
      return;
    }
    const fr = effectiveFailureReport(frame.failureReport);
    if (frame.method !== 'SEND') {
      // E-35, RFC 4975 §12: an unknown method "MUST return a 501 response".
      this.respond(conn, frame, fr, 501, 'E-35');
      return;
    }
    const match = this.node.matcher.send(conn, frame, this.node.options.relays.length === 0);
    if (match.kind === 'unknown') {
      this.respond(conn, frame, fr, 481, match.rule);
      return;
    }
    if (match.kind === 'elsewhere') {
      this.respond(conn, frame, fr, 506, match.rule);
      return;
    }
    const session = match.session;
    if (match.kind === 'bind') {
      session.conn = conn;
      this.node.ctx.emit('session.bound', { session: session.id, conn: conn.id }, match.rule);
      this.node.establish(session);
    } else if (match.establish) {
      this.node.establish(session);
    }
    this.onSend(conn, session, frame, fr);
  }

  private onSend(conn: MsrpConnection, session: Session, frame: MsrpRequest, fr: FailureReport): void {
    const body = frame.body;
    if (body === null) {
      this.respond(conn, frame, fr, 200, 'E-13');
      return;
    }
    const messageId = frame.messageId ?? `(none:${frame.transactionId})`;
    this.node.sweep(session);
    let incoming = session.incoming.get(messageId);
    const contentType = frame.contentType ?? 'application/octet-stream';
    if (!incoming) {
      // E-34: "Unsupported Content-Type and Failure-Report != no => MUST generate a response
      // with a status code of 415".
      if (!mediaTypeAccepted(contentType, this.node.options.acceptTypes, this.node.options.acceptWrappedTypes)) {
        this.respond(conn, frame, fr, 415, 'E-34');
        return;
      }
      incoming = {
        assembly: new MessageAssembly(messageId, { maxSize: this.node.options.maxSize }),
        contentType,
        successReport: effectiveSuccessReport(frame.successReport),
        fromPath: frame.fromPath,
        firstAt: this.node.ctx.now,
        forgetAt: null,
      };
      session.incoming.set(messageId, incoming);
    }
    if (incoming.tooLarge) {
      // E-24 / RFC 4975 §10.5: chunks already on their way after a 413 are refused the same way.
      this.respond(conn, frame, fr, 413, 'E-24');
      return;
    }
    if (incoming.assembly.done || incoming.assembly.aborted) {
      // E-19: a duplicate of a message already received is answered but not delivered again.
      this.respond(conn, frame, fr, 200, 'E-19');
      return;
    }
    const result = incoming.assembly.add(frame.byteRange, body, frame.continuation);
    switch (result.kind) {
      case 'too-large':
        // E-24 / RFC 4975 §10.5: 413 asks the sender to stop sending this message.
        incoming.assembly.aborted = true;
        incoming.tooLarge = true;
        this.node.ctx.emit('endpoint.too-large', { session: session.id, messageId, limit: result.limit, claimed: result.claimed }, 'E-24');
        this.stateRecord(session, messageId, 'aborted', incoming.assembly.received, result.claimed, 'too-large');
        this.respond(conn, frame, fr, 413, 'E-24');
        this.received(session, messageId, incoming);
        return;
      case 'bad-range':
        this.node.ctx.emit('endpoint.violation', { peer: frame.fromPath[0] ?? '', message: result.reason }, 'W-25');
        this.respond(conn, frame, fr, 400, 'W-25');
        return;
      case 'partial':
        this.node.ctx.emit('endpoint.chunk', { session: session.id, messageId, received: result.received, total: incoming.assembly.knownTotal }, 'E-34');
        this.stateRecord(session, messageId, 'receiving', result.received, incoming.assembly.knownTotal, 'chunk-received');
        this.respond(conn, frame, fr, 200, 'E-34');
        return;
      case 'aborted':
        this.node.ctx.emit('endpoint.aborted', { session: session.id, messageId, received: result.received }, 'W-06');
        this.stateRecord(session, messageId, 'aborted', result.received, incoming.assembly.knownTotal, 'aborted');
        this.respond(conn, frame, fr, 200, 'W-06');
        this.successReports(conn, session, frame, incoming, false);
        this.received(session, messageId, incoming);
        return;
      case 'complete':
        this.respond(conn, frame, fr, 200, 'E-34');
        this.node.ctx.emit(
          'endpoint.deliver',
          { session: session.id, messageId, contentType: incoming.contentType, size: result.body.length, digest: digestOf(result.body), assemblyTime: this.node.ctx.now - incoming.firstAt, fromPath: frame.fromPath },
          'E-34',
        );
        this.stateRecord(session, messageId, 'delivered', result.body.length, result.body.length, 'delivered');
        this.successReports(conn, session, frame, incoming, true);
        this.received(session, messageId, incoming);
        return;
    }
  }

  /**
   * A message received whole, or aborted (by its sender, or after a 413): its data has been
   * delivered (or dropped) and goes now; what is left is remembered for the grace, to answer a
   * duplicate chunk (E-19) or one still on its way after a 413 (E-24) the same way, then forgotten
   * (docs/ambiguities.md E-32).
   */
  private received(session: Session, messageId: string, incoming: Incoming): void {
    incoming.assembly.release();
    if (incoming.forgetAt !== null || session.incoming.get(messageId) !== incoming) return;
    incoming.forgetAt = this.node.ctx.now + this.node.grace(session);
    session.settled.push({ at: incoming.forgetAt, incoming });
  }

  /**
   * E-27, RFC 4975 §7.1.3: with Success-Report yes the receiver "MUST send a success report or
   * reports covering all bytes that are received successfully"; this endpoint reports once, when
   * the message is complete (or aborted), one REPORT per received range.
   */
  private successReports(conn: MsrpConnection, session: Session, frame: MsrpRequest, incoming: Incoming, complete: boolean): void {
    if (incoming.successReport !== 'yes') return;
    const total = incoming.assembly.knownTotal;
    // An empty message has no byte to cover, but its sender still waits for the report (E-28):
    // it gets one with the Byte-Range of an empty SEND, `1-0/0` (W-26; docs/ambiguities.md E-27).
    const ranges = incoming.assembly.ranges.intervals.length === 0 && complete ? [{ start: 1, end: 0 }] : incoming.assembly.ranges.intervals;
    for (const r of ranges) {
      const report = buildReport({
        transactionId: this.node.ctx.newTransactionId(),
        toPath: incoming.fromPath,
        fromPath: [session.localUri],
        messageId: frame.messageId!,
        byteRange: { start: r.start, end: r.end, total },
        code: 200,
      });
      this.node.ctx.emit('endpoint.report-sent', { session: session.id, messageId: frame.messageId!, status: 200, byteRange: report.byteRange!, complete }, 'E-29');
      conn.sendFrame(report);
    }
  }

  /** Sends the transaction response the Failure-Report table asks for (CHECKLIST c.4, E-33). */
  private respond(conn: MsrpConnection, frame: MsrpRequest, fr: FailureReport, code: number, cause: string): void {
    const decision = endpointResponse(fr, code);
    if (decision.code === null) {
      this.node.ctx.emit('endpoint.no-response', { transactionId: frame.transactionId, wouldBe: code, failureReport: fr }, decision.rule);
      return;
    }
    const response = buildResponse({
      transactionId: frame.transactionId,
      statusCode: decision.code,
      toPath: responseToPath(frame.method, frame.fromPath),
      fromPath: [frame.toPath[0] ?? this.node.deviceUri()],
    });
    if (code !== 200) this.node.ctx.emit('endpoint.reject', { transactionId: frame.transactionId, status: code }, cause);
    conn.sendFrame(response);
  }

  private onReport(conn: MsrpConnection, frame: MsrpRequest): void {
    // E-31: never answer a REPORT.
    const session = this.node.matcher.lookup(frame);
    const status = frame.status?.code ?? null;
    if (session && frame.messageId !== undefined && frame.messageId === session.bindingMessageId && status !== null && status !== 200) {
      // E-32: the SEND that bound the session did not get through (a relay on the way reports it,
      // the session has failed.
      this.node.ctx.emit('endpoint.report', { session: session.id, messageId: frame.messageId, status, byteRange: frame.byteRange ?? null, complete: false, fromPath: frame.fromPath }, 'E-32');
      this.node.failSession(session, `failure REPORT ${status} for the binding SEND`, 'E-32');
      return;
    }
    const out = session && frame.messageId ? session.outgoing.get(frame.messageId) : undefined;
    if (!session || !out) {
      // E-31, RFC 4975 §7.3.2: unknown Message-ID in a REPORT: "SHOULD silently ignore".
      this.node.ctx.emit('endpoint.report-ignored', { conn: conn.id, messageId: frame.messageId ?? null, status }, 'E-31');
      return;
    }
    const range = frame.byteRange ?? null;
    if (status === 200 && range) out.reported += (range.end ?? range.start - 1) - range.start + 1;
    this.node.ctx.emit(
      'endpoint.report',
      { session: session.id, messageId: out.messageId, status, byteRange: range, complete: status === 200 && out.reported >= out.size, fromPath: frame.fromPath },
      status === 200 ? 'E-32' : 'E-32',
    );
    if (status !== null && status !== 200) {
      // E-32: a failure REPORT => the sender "MUST treat the session as failed"; 408 is a timeout
      // (RFC 4975 §10.4: "in the same manner as it would treat a local timeout").
      if (!out.done) out.sender.abort();
      this.node.failSession(session, `failure REPORT ${status}`, 'E-32');
      return;
    }
    this.node.settle(session, out);
  }
}
