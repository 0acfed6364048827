/**
 * The chunks a relay writes for one chunk it received (RFC 4976 §6.4.1; CHECKLIST ):
 * the message sender's listener at a relay. Each chunk written on the next hop's connection is a
 * forwarded transaction (`relay.forward`, its 30 s timer from its last byte, A-13); bytes that
 * connection closed on before they went out in a complete chunk are undeliverable.
 */
import type { ByteRange, FailureReport, MsrpRequest } from '../wire/frame.js';
import type { MessageSender, SenderEvent, SenderListener } from './message-sender.js';
import type { RelayHost } from './relay-host.js';
import { deviation, type RelayProfile } from './relay-profile.js';
import { Forwarded, type RelayTransactions } from './relay-transactions.js';

/** Where one received chunk came from and where the relay sends it on. */
export interface ForwardedChunkOrigin<C> {
  inConn: C;
  /** The request as received (its head, for a cut-through chunk still arriving). */
  frame: MsrpRequest;
  target: C;
  paths: { toPath: string[]; fromPath: string[] };
  /** This relay's own URI in the request's To-Path. */
  own: string;
  fr: FailureReport;
  /** The Byte-Range received. */
  range: ByteRange;
  /** Bytes of the body received so far (a cut-through chunk grows). */
  received: { bytes: number };
}

export class ForwardedChunks<C, T> implements SenderListener {
  constructor(
    private readonly host: RelayHost<C, T>,
    private readonly transactions: RelayTransactions<C, T>,
    /** The relay's forwarding decision: its profile as it is when each event comes (a scenario `set` changes it). */
    private readonly relay: { readonly profile: RelayProfile },
    readonly origin: ForwardedChunkOrigin<C>,
  ) {}

  senderEvent(_sender: MessageSender, event: SenderEvent): void {
    if (event.type === 'chunk') this.written(event.frame, event.range);
    else if (event.type === 'abandoned') this.abandoned(event.from);
  }

  /** A chunk's last byte was written on the next hop's connection: a forwarded transaction. */
  private written(chunk: MsrpRequest, chunkRange: ByteRange): void {
    const { inConn, frame, target, paths, own, fr, range, received } = this.origin;
    const profile = this.relay.profile;
    const keep = profile.keepTransactionId;
    const f = new Forwarded<C, T>('SEND', frame, inConn, target, own, fr, chunkRange, chunk.body?.length ?? 0, received);
    this.transactions.add(chunk.transactionId, f);
    const rechunked = chunk.byteRange?.start !== range.start || (chunk.body?.length ?? 0) < received.bytes;
    const rule = keep && chunk.transactionId === frame.transactionId ? deviation(profile, 'keep-tid') : rechunked ? 'R-23' : 'R-19';
    this.host.emit(
      'relay.forward',
      { method: 'SEND', inConn: this.host.connId(inConn), outConn: this.host.connId(target), inTransactionId: frame.transactionId, outTransactionId: chunk.transactionId, toPathBefore: frame.toPath, toPathAfter: paths.toPath, fromPathBefore: frame.fromPath, fromPathAfter: paths.fromPath, byteRangeIn: range, byteRangeOut: chunk.byteRange ?? null, rechunked },
      rule,
    );
    if (fr === 'no') this.transactions.drop(chunk.transactionId, f);
    else this.transactions.written(f, chunk.transactionId, frame);
  }

  /** The next hop's connection closed before the bytes from `from` (1-based) went out in a complete chunk. */
  private abandoned(from: number): void {
    const { inConn, frame, target, own, fr, range, received } = this.origin;
    const profile = this.relay.profile;
    if (fr === 'no') return;
    // A-02 (our choice): the relay took the SEND (with Failure-Report yes it has answered 200)
    // but the connection to the next hop failed, or went away, before these bytes went out in a
    // complete chunk: a 408 REPORT for them to the original sender.
    const end = range.start + received.bytes - 1;
    this.host.emit('relay.undeliverable', { transactionId: frame.transactionId, reason: `connection ${this.host.connId(target)} to the next hop closed before bytes ${from}-${end} went out` }, 'A-02');
    const lost = new Forwarded<C, T>('SEND', frame, inConn, target, own, fr, { start: from, end, total: range.total }, end - from + 1, received, 'done');
    if (profile.forwardFailureReport !== null) {
      // opensips writes synchronously: a connection that fails under the write is a failed forward.
      this.transactions.failureReport(lost, profile.forwardFailureReport, deviation(profile, 'forward-failure-report'));
      return;
    }
    if (profile.sessionPerAuth) {
      this.transactions.failureReport(lost, 408, deviation(profile, 'session-ends-with-leg'), 'Session got disconnected');
      return;
    }
    this.transactions.failureReport(lost, 408, 'A-02');
  }
}
