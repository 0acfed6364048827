/**
 * The receive side of a TCP connection (tcp-connection.ts has the model): in-order delivery and
 * reassembly of segments out of order, delayed ACKs, bytes into the TLS handshake until it is
 * done, the peer's FIN and its RST.
 */
import type { NetSegment, ResetCause } from './net-contracts.js';
import type { CloseReason } from './net-types.js';
import { ACK, FIN } from './segment.js';
import { TcpSender } from './tcp-sender.js';
import type { TlsSession } from './tls-session.js';

export abstract class TcpReceiver extends TcpSender {
  /** Where the peer's FIN sits (relative), once a segment carrying it arrived; else -1. */
  private peerFinAt = -1;
  /** Data beyond a gap, sorted by `rel`. */
  private readonly ahead: Array<{ rel: number; data: Uint8Array }> = [];
  private aheadBytes = 0;
  private delackDue = 0;
  private readonly delackFn = (): void => this.onDelayedAck();
  /** The TLS handshake model, set by the connection when TLS is asked for; null for plain TCP. */
  protected tlsSession: TlsSession | null = null;

  protected processData(seg: NetSegment): void {
    if (this.peerFin) {
      this.ackPending = true; // a retransmission of what we have: acknowledge it again
      return;
    }
    const rel = this.rcvNxt + ((seg.seq - ((this.peerIsn + this.rcvNxt) >>> 0)) | 0);
    const len = seg.len;
    // RFC 5681 §4.2: acknowledge at once a FIN, a segment out of order or a duplicate (the sender
    // counts duplicate ACKs), one that fills a gap, and every second segment; others wait up to
    // `delayedAck` for data to ride on.
    let now = (seg.flags & FIN) !== 0 || this.ahead.length > 0 || ++this.unacked >= 2 || this.core.tcp.delayedAck === 0;
    if (len > 0) {
      const end = rel + len;
      if (end <= this.rcvNxt) {
        now = true; // duplicate: discarded
      } else if (rel <= this.rcvNxt) {
        const data = rel === this.rcvNxt ? seg.payload! : seg.payload!.subarray(this.rcvNxt - rel);
        this.rcvNxt = end;
        this.deliver(data);
        if (this.phase !== 'established') return;
        this.drainAhead();
        if (this.phase !== 'established') return;
      } else {
        now = true;
        if (end - this.rcvNxt <= this.core.tcp.window) this.keepAhead(rel, seg.payload!);
      }
    }
    if (now) this.ackPending = true;
    else this.armDelayedAck();
    if (seg.flags & FIN) this.peerFinAt = rel + len;
    if (this.peerFinAt >= 0 && this.peerFinAt === this.rcvNxt && !this.peerFin) this.onPeerFin();
  }

  /**
   * The delayed-ACK timer counts from the first segment not acknowledged. It is lazy, like the
   * RTO timer: an ACK sent meanwhile does not cancel it; when it fires it checks what is due.
   */
  private armDelayedAck(): void {
    if (this.unacked === 1) this.delackDue = this.core.sim.now + this.core.tcp.delayedAck;
    if (this.delackTimer === null) this.delackTimer = this.core.sim.scheduler.at(this.delackDue, this.delackFn);
  }

  private onDelayedAck(): void {
    this.delackTimer = null;
    if (this.phase !== 'established' || this.unacked === 0) return;
    const scheduler = this.core.sim.scheduler;
    if (scheduler.now < this.delackDue) {
      this.delackTimer = scheduler.at(this.delackDue, this.delackFn);
      return;
    }
    this.ackPending = true;
    this.output();
  }

  private keepAhead(rel: number, data: Uint8Array): void {
    const ahead = this.ahead;
    if (this.aheadBytes + data.length > 2 * this.core.tcp.window) return;
    let lo = 0;
    let hi = ahead.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ahead[mid]!.rel < rel) lo = mid + 1;
      else hi = mid;
    }
    if (lo < ahead.length && ahead[lo]!.rel === rel && ahead[lo]!.data.length >= data.length) return;
    ahead.splice(lo, 0, { rel, data });
    this.aheadBytes += data.length;
  }

  private drainAhead(): void {
    const ahead = this.ahead;
    while (ahead.length > 0 && ahead[0]!.rel <= this.rcvNxt) {
      const e = ahead.shift()!;
      this.aheadBytes -= e.data.length;
      const end = e.rel + e.data.length;
      if (end > this.rcvNxt) {
        const data = e.data.subarray(this.rcvNxt - e.rel);
        this.rcvNxt = end;
        this.deliver(data);
        if (this.phase !== 'established') return;
      }
    }
  }

  private deliver(bytes: Uint8Array): void {
    if (this.tlsSession !== null && !this.tlsSession.done) {
      const rest = this.tlsSession.receive(bytes);
      if (rest.length === 0 || this.state !== 'open') return;
      bytes = rest;
    }
    if (this.closeNotified) return;
    this.handlers.onData?.(this, bytes);
  }

  private onPeerFin(): void {
    this.peerFin = true;
    this.rcvNxt++;
    this.ackPending = true;
    if (!this.finQueued) {
      // The peer closed: close this side too (after what is queued).
      this.finQueued = true;
      this.pending = [];
    }
    if (this.state !== 'closed') this.state = 'closing';
    // The side that closed first hears of the end when both FINs are through (closedByFin).
    if (!this.activeClose) this.notifyClose({ kind: 'fin', detail: 'closed by peer' });
    if (this.phase !== 'established') return;
    if (this.finAcked) {
      this.sendSegment(this.sndNxt, ACK, null); // the last ACK, now: the connection is done
      this.closedByFin();
    } else {
      this.armOutput();
    }
  }

  protected onReset(seg: NetSegment): void {
    if (this.phase === 'time-wait') {
      this.finish({ kind: 'fin', detail: 'closed' }, false);
      return;
    }
    // RFC 793 §3.4: an RST is valid in SYN-SENT when it acknowledges the SYN, elsewhere when its
    // sequence number is in the receive window.
    if (this.phase === 'syn-sent') {
      if (!(seg.flags & ACK) || ((seg.ack - this.isn) >>> 0) !== 1) return;
    } else {
      const offset = (seg.seq - ((this.peerIsn + this.rcvNxt) >>> 0)) | 0;
      if (this.phase !== 'syn-received' && (offset < 0 || offset >= this.core.tcp.window)) return;
    }
    const cause: ResetCause | null = seg.cause;
    const reason: CloseReason =
      this.phase === 'syn-sent'
        ? { kind: 'refused', detail: cause?.detail ?? `connection refused by ${this.remoteText}` }
        : { kind: 'reset', detail: cause?.detail ?? `reset by ${this.remoteText}` };
    if (cause?.rule !== undefined) reason.rule = cause.rule;
    this.finish(reason, this.accepted);
  }

}
