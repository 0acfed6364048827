/**
 * The base of a TCP connection (tcp-connection.ts has the model): its fields, the phase machine
 * with its one `transition`, and closing. The connection is a chain of classes along the seams
 * of the model, each in one file, each calling only the ones below it:
 *
 *   TcpState     (this file)         fields shared by all, phases, closing and the close report
 *   TcpSender    tcp-sender.ts       the send queue, segments, the window, ACKs received, RTO
 *   TcpReceiver  tcp-receiver.ts     reassembly, delayed ACKs, the peer's FIN and RST
 *   TcpConnection tcp-connection.ts  the public API, segment dispatch, the handshakes (TCP, TLS)
 *
 * A class, not composed objects, so a segment's path costs no more calls or allocations than
 * one class would: the fields every section reads live here.
 */
import type { Timer } from '../sim/scheduler.js';
import type { ConnectionCallbacks, ConnectionHost, HostedConnection, NetCore } from './net-contracts.js';
import type { CloseReason, Endpoint, TlsState } from './net-types.js';

export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

/** The TCP phases of one side (closing by FIN happens inside 'established'). */
export type TcpPhase = 'syn-sent' | 'syn-received' | 'established' | 'time-wait' | 'closed';

/** The moves the TCP state machine may make. */
const MOVES: Record<TcpPhase, readonly TcpPhase[]> = {
  'syn-sent': ['established', 'closed'],
  'syn-received': ['established', 'closed'],
  established: ['time-wait', 'closed'],
  'time-wait': ['closed'],
  closed: [],
};

/** What every section of a connection is made from (`ConnectionSetup` adds the application's part). */
export interface TcpStateSetup {
  core: NetCore;
  host: ConnectionHost;
  id: string;
  local: Endpoint;
  remote: Endpoint;
  initiator: boolean;
  isn: number;
  /** The initiator's ISN, for the responding side. */
  peerIsn?: number;
}

export abstract class TcpState implements HostedConnection {
  readonly id: string;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly initiator: boolean;
  /** The TLS parameters once the TLS handshake is done; null for plain TCP. */
  tls: TlsState | null = null;
  state: ConnectionState = 'connecting';
  /**
   * Offset in this side's TCP byte stream of the next byte written (TLS handshake bytes count).
   * Bytes written before the connection is open enter the stream when it opens, so read this
   * after `onOpen` to learn where a write lands.
   */
  bytesWritten = 0;
  /** Id of the other side's connection object, once a segment from it arrived (for faults and records). */
  peerId: string | null = null;

  /** Set by the connection's constructor and `setHandlers`. */
  protected handlers!: ConnectionCallbacks<this>;
  protected readonly core: NetCore;
  protected readonly host: ConnectionHost;
  protected phase: TcpPhase;
  protected readonly isn: number;
  protected peerIsn: number;
  protected readonly localText: string;
  protected readonly remoteText: string;

  // Sequence numbers, relative to `isn` (sending) and `peerIsn` (receiving).
  protected sndUna = 0;
  protected sndNxt = 0;
  protected rcvNxt = 0;
  protected finQueued = false;
  protected finSent = false;
  protected finAcked = false;
  /** This side asked to close before the peer did (it will linger in TIME-WAIT). */
  protected activeClose = false;
  protected peerFin = false;
  /** Application writes made before the connection opened. */
  protected pending: Uint8Array[] = [];

  protected ackPending = false;
  /** Data segments received since the last ACK sent, and that ACK's number (relative). */
  protected unacked = 0;
  protected lastAckSent = 0;
  /** The peer's latest timestamp (TSval) to echo, -1 before any. */
  protected tsRecent = -1;

  protected connectTimer: Timer | null = null;
  protected rtoTimer: Timer | null = null;
  /** When the oldest outstanding segment times out; 0 when nothing is outstanding. */
  protected rtoDeadline = 0;
  protected delackTimer: Timer | null = null;
  /** After our FIN is acknowledged: ends the wait for the peer's FIN when the peer falls silent. */
  protected finWaitTimer: Timer | null = null;
  protected lastHeard = 0;
  protected timeWaitTimer: Timer | null = null;
  protected closeNotified = false;
  /** The application has the connection (the initiator from the start, a responder once accepted). */
  protected accepted: boolean;

  constructor(setup: TcpStateSetup) {
    this.core = setup.core;
    this.host = setup.host;
    this.id = setup.id;
    this.local = setup.local;
    this.remote = setup.remote;
    this.initiator = setup.initiator;
    this.isn = setup.isn;
    this.peerIsn = setup.peerIsn ?? 0;
    this.localText = `${this.local.address}:${this.local.port}`;
    this.remoteText = `${this.remote.address}:${this.remote.port}`;
    this.phase = setup.initiator ? 'syn-sent' : 'syn-received';
    this.accepted = setup.initiator;
  }

  /** The host this side belongs to. */
  get hostId(): string {
    return this.host.id;
  }

  /** `ip:port` of the remote end, the host's demultiplexing key under the local port. */
  get remoteKey(): string {
    return this.remoteText;
  }

  // ---- Ending --------------------------------------------------------------------------------

  /**
   * FIN-WAIT-2 (RFC 9293 §3.10.7.4 lets an implementation bound it, as Linux does): the peer may
   * still send, but if it stays silent for `finWaitTimeout` the connection ends as a timeout.
   */
  protected armFinWait(): void {
    if (this.finWaitTimer !== null) return;
    const scheduler = this.core.sim.scheduler;
    const limit = this.core.tcp.finWaitTimeout;
    this.finWaitTimer = scheduler.at(Math.max(scheduler.now, this.lastHeard + limit), () => {
      this.finWaitTimer = null;
      if (this.phase !== 'established' || this.peerFin) return;
      if (scheduler.now < this.lastHeard + limit) {
        this.armFinWait();
        return;
      }
      const detail = `the peer did not close within ${limit / 1e6} s of silence after this side's FIN`;
      this.core.sim.trace.emit(this.host.id, 'tcp.timeout', { conn: this.id, phase: 'close', retries: 0, detail });
      this.finish({ kind: 'timeout', detail }, true);
    });
  }

  /** Both FINs are acknowledged. */
  protected closedByFin(): void {
    this.notifyClose({ kind: 'fin', detail: 'closed by this side' });
    this.state = 'closed';
    this.stopTimers();
    if (this.activeClose) {
      this.transition('time-wait');
      this.timeWaitTimer = this.core.sim.scheduler.after(this.core.tcp.timeWait, () => {
        this.timeWaitTimer = null;
        this.transition('closed');
        this.host.unregister(this);
      });
    } else {
      this.transition('closed');
      this.host.unregister(this);
    }
  }

  /** Ends the connection at once. */
  protected finish(reason: CloseReason, notify: boolean): void {
    if (this.phase === 'closed') return;
    this.transition('closed');
    this.state = 'closed';
    this.stopTimers();
    this.pending = [];
    this.host.unregister(this);
    if (notify) {
      this.notifyClose(reason);
    } else if (!this.closeNotified) {
      this.closeNotified = true;
      this.recordClose(reason);
    }
  }

  protected transition(to: TcpPhase): void {
    if (!MOVES[this.phase].includes(to)) throw new Error(`connection ${this.id}: no move from ${this.phase} to ${to}`);
    this.phase = to;
  }

  private stopTimers(): void {
    const scheduler = this.core.sim.scheduler;
    scheduler.cancel(this.connectTimer);
    scheduler.cancel(this.rtoTimer);
    scheduler.cancel(this.timeWaitTimer);
    scheduler.cancel(this.finWaitTimer);
    scheduler.cancel(this.delackTimer);
    this.finWaitTimer = null;
    this.delackTimer = null;
    this.connectTimer = null;
    this.rtoTimer = null;
    this.timeWaitTimer = null;
    this.rtoDeadline = 0;
  }

  protected notifyClose(reason: CloseReason): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.recordClose(reason);
    // A responder nobody accepted has no application to tell.
    if (this.accepted) this.handlers.onClose?.(this, reason);
  }

  private recordClose(reason: CloseReason): void {
    this.core.sim.trace.emit(
      this.host.id,
      'tcp.close',
      { conn: this.id, kind: reason.kind, detail: reason.detail },
      reason.rule,
    );
  }
}
