/**
 * One side of a simulated TCP connection (with the TLS handshake model on top when asked for).
 *
 * The model, briefly (docs/network.md has the whole list):
 * - Sequence numbers are kept relative to this side's ISN (0 = SYN, 1 = first byte, ...) and put
 *   on the wire as real 32-bit numbers; received ones are unwrapped against what is expected.
 * - Writes are queued and sent at the end of the current instant, so writes made together share
 *   segments; segments carry at most the path's MSS; at most `window` bytes are in flight.
 * - ACKs ride on data when there is some to send in the same instant; otherwise every second data
 *   segment is acknowledged at once, a lone one after `delayedAck` (RFC 5681 §4.2), and a FIN, a
 *   duplicate or a segment out of order or filling a gap at once.
 * - Out-of-order data is kept and delivered in order; duplicates are discarded.
 * - Every segment carries the timestamps option (RFC 7323), not shown in records: round trips are
 *   measured from echoed timestamps, and a timeout found spurious by them (RFC 3522) stops the
 *   resending it started.
 * - Retransmission: after an RTO (RFC 6298 estimate, doubled on each expiry) the first unacknowledged
 *   segment is resent; three duplicate ACKs resend it at once; while recovering, each partial ACK
 *   resends the next hole (NewReno's idea without a congestion window). `maxRetries` expiries
 *   without progress abort the connection.
 * - No congestion control: a fixed window of `window` bytes and `maxSegmentsInFlight` segments.
 * - FIN after queued data. After `close()` this side still receives until the peer's FIN; a peer's
 *   FIN ends the connection for the application and closes this side too. The side that closed
 *   first lingers in TIME-WAIT for `timeWait` to re-acknowledge a retransmitted FIN, and gives up
 *   on a peer silent for `finWaitTimeout` after its own FIN was acknowledged.
 *
 * The class is the last of a chain along the model's seams (tcp-state.ts lists it): the phase
 * machine and closing, the send side, the receive side; this file adds the public API, the
 * dispatch of a received segment and the handshakes (TCP, then TLS).
 */
import type { Micros } from '../sim/time.js';
import type { AcceptingListener, ConnectionCallbacks, NetSegment } from './net-contracts.js';
import type { CloseReason, TlsClientOptions, TlsServerOptions } from './net-types.js';
import { ACK, FIN, RST, SYN } from './segment.js';
import { TcpReceiver } from './tcp-receiver.js';
import type { TcpStateSetup } from './tcp-state.js';
import { TlsSession } from './tls-session.js';

export type { ConnectionState } from './tcp-state.js';
export { DRAIN_LOW_WATER } from './tcp-sender.js';

/** What a connection tells its application (see `ConnectionCallbacks` for each call). */
export type ConnectionHandlers = ConnectionCallbacks<TcpConnection>;

/** How a host sets a connection up (not for the node layer). */
export interface ConnectionSetup extends TcpStateSetup {
  handlers: ConnectionHandlers;
  tlsClient?: TlsClientOptions;
  listener?: AcceptingListener<TcpConnection>;
  connectTimeout?: Micros;
}

export class TcpConnection extends TcpReceiver {
  private readonly listener: AcceptingListener<TcpConnection> | null;

  constructor(setup: ConnectionSetup) {
    super(setup);
    this.handlers = setup.handlers;
    this.listener = setup.listener ?? null;
    const tlsServer: TlsServerOptions | undefined = this.listener?.tls;
    if (setup.tlsClient || tlsServer) {
      const role = setup.initiator ? 'client' : 'server';
      this.tlsSession = new TlsSession(role, setup.tlsClient ?? null, tlsServer ?? null, {
        send: (bytes, step) => {
          this.core.sim.trace.emit(this.host.id, 'tls.handshake', {
            conn: this.id,
            role,
            step,
            version: this.tlsSession!.negotiatedVersion,
            bytes: bytes.length,
          });
          this.streamWrite(bytes);
        },
        established: (state) => {
          this.tls = state;
          this.core.sim.trace.emit(this.host.id, 'tls.established', { conn: this.id, role, ...state });
          this.becomeOpen();
        },
        fail: (detail, alert) => {
          this.core.sim.trace.emit(this.host.id, 'tls.fail', { conn: this.id, role, detail });
          if (alert) this.streamWrite(alert);
          this.pending = [];
          this.notifyClose({ kind: 'tls-failed', detail });
          this.close();
        },
      });
    }
    if (setup.initiator) {
      const timeout = setup.connectTimeout ?? this.core.tcp.connectTimeout;
      this.connectTimer = this.core.sim.scheduler.after(timeout, () => this.onConnectTimeout(timeout));
    }
  }

  /** This side has closed (FIN queued): it can still receive, but write nothing more. */
  get sendClosed(): boolean {
    return this.finQueued;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
  }

  /**
   * Queues bytes for sending. The array is not copied: do not change it after writing it.
   * Writes after `close()` (or once the connection ended) are ignored.
   */
  write(bytes: Uint8Array): void {
    if (this.state === 'closed' || this.finQueued || bytes.length === 0) return;
    if (this.state !== 'open') {
      this.pending.push(bytes);
      return;
    }
    this.streamWrite(bytes);
  }

  /** Sends FIN after the queued data; `onClose` follows when both sides have closed. */
  close(): void {
    if (this.phase === 'closed' || this.phase === 'time-wait' || this.finQueued) return;
    if (this.phase === 'syn-sent') {
      this.finish({ kind: 'aborted', detail: 'closed before the connection opened' }, true);
      return;
    }
    if (this.phase === 'syn-received') {
      this.sendReset();
      this.finish({ kind: 'aborted', detail: 'closed before the connection opened' }, true);
      return;
    }
    this.finQueued = true;
    if (!this.peerFin) this.activeClose = true;
    if (this.state !== 'closed') this.state = 'closing';
    // Writes still waiting for the TLS handshake can no longer go out.
    this.pending = [];
    this.armOutput();
  }

  /** Aborts the connection with RST; `onClose` reports 'aborted'. */
  reset(): void {
    if (this.phase === 'closed') return;
    if (this.phase !== 'syn-sent' && this.phase !== 'time-wait') this.sendReset();
    this.finish({ kind: 'aborted', detail: 'reset by this side' }, true);
  }

  // ---- Used by the host and the network ------------------------------------------------------

  /** Records the attempt (`target` as the caller named it). */
  announce(target: string, tls: boolean): void {
    this.core.sim.trace.emit(this.host.id, 'tcp.connect', {
      conn: this.id,
      local: this.localText,
      remote: this.remoteText,
      target,
      tls,
      isn: this.isn,
    });
  }

  /** The initiator's first step: SYN, or failure when there is no route to the destination. */
  startInitiator(): void {
    const route = this.currentRoute();
    if (route === null) {
      const detail = `no route from ${this.host.id} to ${this.remote.address}`;
      this.core.sim.scheduler.after(0, () => this.finish({ kind: 'unreachable', detail }, true));
      return;
    }
    this.sendSegment(0, SYN, null);
    this.sndNxt = 1;
    this.armRto();
  }

  /** Fails at once, in its own event (unresolved name, host down). */
  failSoon(reason: CloseReason): void {
    this.core.sim.scheduler.after(0, () => this.finish(reason, true));
  }

  /** The responder's first step: SYN-ACK. */
  startResponder(syn: NetSegment): void {
    const peerConn = syn.conn;
    this.peerId = peerConn;
    this.tsRecent = syn.tsVal;
    this.core.sim.trace.emit(this.host.id, 'tcp.accept', {
      conn: this.id,
      peer: peerConn,
      local: this.localText,
      remote: this.remoteText,
      isn: this.isn,
    });
    this.rcvNxt = 1;
    this.sendSegment(0, SYN | ACK, null);
    this.sndNxt = 1;
    this.armRto();
  }

  /** The host crashed: everything is gone, nothing is sent, the application is not called. */
  crash(): void {
    if (this.phase === 'closed') return;
    this.finish({ kind: 'crash', detail: `host ${this.host.id} crashed` }, false);
  }

  /** A fault resets the connection: RST to the peer, and this side ends as reset. */
  injectReset(): void {
    if (this.phase === 'closed') return;
    if (this.phase !== 'syn-sent' && this.phase !== 'time-wait') this.sendReset();
    this.finish({ kind: 'reset', detail: 'reset by fault injection' }, true);
  }

  /** A segment for this connection arrived at its host. */
  receive(seg: NetSegment): void {
    const phase = this.phase;
    if (phase === 'closed') return;
    this.lastHeard = this.core.sim.now;
    if (seg.flags & RST) {
      this.onReset(seg);
      return;
    }
    if (phase === 'syn-sent') {
      if ((seg.flags & (SYN | ACK)) !== (SYN | ACK) || ((seg.ack - this.isn) >>> 0) !== 1) return;
      this.tsRecent = seg.tsVal;
      this.sampleRtt(seg);
      this.peerIsn = seg.seq;
      this.peerId = seg.conn;
      this.rcvNxt = 1;
      this.ackPending = true;
      this.onHandshakeAck();
      return;
    }
    if (phase === 'syn-received') {
      if (seg.flags & SYN) {
        // The initiator did not get our SYN-ACK: answer its retransmitted SYN at once.
        if (!(seg.flags & ACK)) this.sendSegment(0, SYN | ACK, null);
        return;
      }
      if (!(seg.flags & ACK) || this.unwrapAck(seg.ack) < 1) return;
      this.sampleRtt(seg);
      this.onHandshakeAck();
      if (this.phase !== 'established') return;
      // The handshake's ACK may carry data already.
    }
    if (seg.flags & SYN) {
      // Our ACK of the SYN-ACK was lost: acknowledge again.
      this.ackPending = true;
      this.armOutput();
      return;
    }
    if (this.phase === 'time-wait') {
      if (seg.flags & FIN) {
        this.ackPending = true;
        this.sendSegment(this.sndNxt, ACK, null);
      }
      return;
    }
    // RFC 7323 §4.3: echo the timestamp of the earliest segment not yet acknowledged (so a delayed
    // ACK's wait counts in the round trip), never of one beyond a gap.
    if (this.rcvNxt + ((seg.seq - ((this.peerIsn + this.rcvNxt) >>> 0)) | 0) <= this.lastAckSent) this.tsRecent = seg.tsVal;
    if (seg.flags & ACK) this.processAck(seg);
    if (this.phase !== 'established') return;
    if (seg.len > 0 || seg.flags & FIN) this.processData(seg);
    if (this.ackPending && this.phase === 'established') this.armOutput();
  }

  // ---- Handshake and opening -----------------------------------------------------------------

  private onHandshakeAck(): void {
    this.sndUna = 1;
    this.retries = 0;
    this.rto = this.baseRto();
    this.rtoDeadline = 0;
    this.transition('established');
    const mss = this.mss();
    this.core.sim.trace.emit(this.host.id, 'tcp.open', {
      conn: this.id,
      role: this.initiator ? 'initiator' : 'responder',
      local: this.localText,
      remote: this.remoteText,
      isn: this.isn,
      peerIsn: this.peerIsn,
      mss,
    });
    if (!this.initiator) {
      const listener = this.listener!;
      if (listener.closed) {
        // Nobody accepts any more: refuse the connection the way a closed listening socket does.
        this.sendReset();
        this.finish({ kind: 'aborted', detail: `listener on port ${this.local.port} closed` }, false);
        return;
      }
      this.accepted = true;
      listener.onAccept(this);
      if (this.phase !== 'established') return;
    }
    if (this.ackPending) this.armOutput();
    if (this.tlsSession) {
      this.tlsSession.start();
    } else {
      this.becomeOpen();
    }
  }

  private becomeOpen(): void {
    // Closed (or closing) before the handshakes were through: the application never sees it open.
    if (this.phase === 'closed' || this.closeNotified || this.finQueued) return;
    if (this.state === 'connecting') this.state = 'open';
    this.core.sim.scheduler.cancel(this.connectTimer);
    this.connectTimer = null;
    const pending = this.pending;
    this.pending = [];
    for (const bytes of pending) this.streamWrite(bytes);
    this.handlers.onOpen?.(this);
  }

  private onConnectTimeout(timeout: Micros): void {
    this.connectTimer = null;
    if (this.state !== 'connecting' || this.phase === 'closed') return;
    const seconds = `${timeout / 1e6} s`;
    const detail =
      this.phase === 'syn-sent' ? `no answer to SYN within ${seconds}` : `TLS handshake not complete within ${seconds}`;
    this.core.sim.trace.emit(this.host.id, 'tcp.timeout', { conn: this.id, phase: 'connect', retries: this.retries, detail });
    if (this.phase === 'established') this.sendReset();
    this.finish({ kind: 'timeout', detail }, true);
  }

}
