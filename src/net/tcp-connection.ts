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
 */
import type { Timer } from '../sim/scheduler.js';
import type { Micros } from '../sim/time.js';
import type {
  AcceptingListener,
  ConnectionHost,
  HostedConnection,
  NetCore,
  NetNode,
  NetSegment,
  ResetCause,
  Route,
} from './net-contracts.js';
import type { CloseReason, Endpoint, TlsClientOptions, TlsServerOptions, TlsState } from './net-types.js';
import { ACK, EMPTY, FIN, PSH, RST, SYN, Segment, flagLetters } from './segment.js';
import { TlsSession } from './tls-session.js';

export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

type Phase = 'syn-sent' | 'syn-received' | 'established' | 'time-wait' | 'closed';

/** The moves the TCP state machine may make (closing by FIN happens inside 'established'). */
const MOVES: Record<Phase, readonly Phase[]> = {
  'syn-sent': ['established', 'closed'],
  'syn-received': ['established', 'closed'],
  established: ['time-wait', 'closed'],
  'time-wait': ['closed'],
  closed: [],
};

export interface ConnectionHandlers {
  /** After the TCP handshake, and the TLS handshake when there is one. */
  onOpen?(conn: TcpConnection): void;
  /** In-order bytes, exactly what the peer wrote. The array is shared: read it, never mutate it. */
  onData?(conn: TcpConnection, bytes: Uint8Array): void;
  /** Called once, whatever ended the connection (not called when this side's host crashed). */
  onClose?(conn: TcpConnection, reason: CloseReason): void;
  /**
   * After segments went out and fewer than `DRAIN_LOW_WATER` written bytes wait to be sent:
   * writers that pace themselves (interruptible MSRP chunks) write more here.
   */
  onDrain?(conn: TcpConnection): void;
}

/** How a host sets a connection up (not for the node layer). */
export interface ConnectionSetup {
  core: NetCore;
  host: ConnectionHost;
  id: string;
  local: Endpoint;
  remote: Endpoint;
  initiator: boolean;
  handlers: ConnectionHandlers;
  isn: number;
  /** The initiator's ISN, for the responding side. */
  peerIsn?: number;
  tlsClient?: TlsClientOptions;
  listener?: AcceptingListener<TcpConnection>;
  connectTimeout?: Micros;
}

const NO_HANDLERS: ConnectionHandlers = {};

/** Below this many unsent bytes, `onDrain` invites paced writers to write more. */
export const DRAIN_LOW_WATER = 16 * 1024;

export class TcpConnection implements HostedConnection {
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

  private handlers: ConnectionHandlers;
  private readonly core: NetCore;
  private readonly host: ConnectionHost;
  private phase: Phase;
  private readonly isn: number;
  private peerIsn: number;
  private readonly localText: string;
  private readonly remoteText: string;

  // Sending, in sequence numbers relative to `isn`.
  private sndUna = 0;
  private sndNxt = 0;
  private finQueued = false;
  private finSent = false;
  private finAcked = false;
  /** This side asked to close before the peer did (it will linger in TIME-WAIT). */
  private activeClose = false;
  /** Written bytes not yet acknowledged: `chunks[head..]`, the first starting at stream offset `headOffset`. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  private headOffset = 0;
  /** Where the last `extract` started: index into `chunks` and that chunk's stream offset. */
  private cursorIndex = 0;
  private cursorOffset = 0;
  /** Application writes made before the connection opened. */
  private pending: Uint8Array[] = [];

  // Receiving, relative to `peerIsn`.
  private rcvNxt = 0;
  private peerFin = false;
  private peerFinAt = -1;
  private readonly ahead: Array<{ rel: number; data: Uint8Array }> = [];
  private aheadBytes = 0;

  private outputArmed = false;
  private ackPending = false;
  /** Data segments received since the last ACK sent, and that ACK's number (relative). */
  private unacked = 0;
  private lastAckSent = 0;
  private delackTimer: Timer | null = null;
  private delackDue = 0;

  // Retransmission.
  private rto: Micros;
  private srtt = -1;
  private rttvar = 0;
  private retries = 0;
  private rtoTimer: Timer | null = null;
  /** When the oldest outstanding segment times out; 0 when nothing is outstanding. */
  private rtoDeadline = 0;
  /** The peer's latest timestamp (TSval) to echo, -1 before any. */
  private tsRecent = -1;
  private dupAcks = 0;
  /** While recovering from a loss: the sequence number that ends recovery; else -1. */
  private recovery = -1;
  /** When the first timeout retransmission of the current recovery went out; -1 if not a timeout. */
  private rtoRetransmitAt = -1;
  /** Ends (relative) of the segments in flight, oldest first, for the segment cap. */
  private inFlight: number[] = [];
  private inFlightHead = 0;

  private connectTimer: Timer | null = null;
  /** After our FIN is acknowledged: ends the wait for the peer's FIN when the peer falls silent. */
  private finWaitTimer: Timer | null = null;
  private lastHeard = 0;
  private timeWaitTimer: Timer | null = null;
  private closeNotified = false;
  private accepted: boolean;
  private readonly listener: AcceptingListener<TcpConnection> | null;
  private readonly tlsSession: TlsSession | null;

  private route: Route | null = null;
  private routeVersion = -1;

  private readonly outputFn = (): void => this.output();
  private readonly rtoFn = (): void => this.onRtoTimer();
  private readonly delackFn = (): void => this.onDelayedAck();

  constructor(setup: ConnectionSetup) {
    this.core = setup.core;
    this.host = setup.host;
    this.id = setup.id;
    this.local = setup.local;
    this.remote = setup.remote;
    this.initiator = setup.initiator;
    this.handlers = setup.handlers;
    this.isn = setup.isn;
    this.peerIsn = setup.peerIsn ?? 0;
    this.localText = `${this.local.address}:${this.local.port}`;
    this.remoteText = `${this.remote.address}:${this.remote.port}`;
    this.phase = setup.initiator ? 'syn-sent' : 'syn-received';
    this.rto = this.core.tcp.rtoInitial;
    this.accepted = setup.initiator;
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
    } else {
      this.tlsSession = null;
    }
    if (setup.initiator) {
      const timeout = setup.connectTimeout ?? this.core.tcp.connectTimeout;
      this.connectTimer = this.core.sim.scheduler.after(timeout, () => this.onConnectTimeout(timeout));
    }
  }

  /** The host this side belongs to. */
  get hostId(): string {
    return this.host.id;
  }

  /** `ip:port` of the remote end, the host's demultiplexing key under the local port. */
  get remoteKey(): string {
    return this.remoteText;
  }

  /** This side has closed (FIN queued): it can still receive, but write nothing more. */
  get sendClosed(): boolean {
    return this.finQueued;
  }

  /**
   * Stream offset up to which the peer has acknowledged this side's bytes: what it has received,
   * whatever becomes of the connection (the same count as `bytesWritten`).
   */
  get bytesAcknowledged(): number {
    return Math.max(0, Math.min(this.sndUna - 1, this.bytesWritten));
  }

  /** Bytes written but not yet put into segments (the send queue a paced writer watches). */
  get bufferedAmount(): number {
    if (this.state !== 'open') {
      let n = 0;
      for (const p of this.pending) n += p.length;
      return n;
    }
    return Math.max(0, 1 + this.bytesWritten - this.sndNxt);
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

  // ---- Sending -------------------------------------------------------------------------------

  /** Puts bytes at the end of the TCP stream. */
  private streamWrite(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.bytesWritten += bytes.length;
    this.armOutput();
  }

  private armOutput(): void {
    if (this.outputArmed) return;
    this.outputArmed = true;
    this.core.sim.scheduler.after(0, this.outputFn);
  }

  /** Sends what the window allows, then a pure ACK if one is still owed. */
  private output(): void {
    this.outputArmed = false;
    if (this.phase !== 'established') return;
    const window = this.core.tcp.window;
    const maxSegments = this.core.tcp.maxSegmentsInFlight;
    const end = 1 + this.bytesWritten;
    const mss = this.mss();
    while (true) {
      const inflight = this.sndNxt - this.sndUna;
      if (inflight >= window || this.inFlight.length - this.inFlightHead >= maxSegments) break;
      if (this.sndNxt < end) {
        const rel = this.sndNxt;
        const len = Math.min(mss, end - rel, window - inflight);
        let flags = ACK;
        if (rel + len === end) {
          flags |= PSH;
          if (this.finQueued) flags |= FIN;
        }
        this.sendSegment(rel, flags, this.extract(rel - 1, len));
        this.sndNxt = rel + len;
        if (flags & FIN) {
          this.finSent = true;
          this.sndNxt++;
        }
        this.sent(this.sndNxt);
        continue;
      }
      if (this.finQueued && !this.finSent) {
        this.sendSegment(this.sndNxt, FIN | ACK, null);
        this.finSent = true;
        this.sndNxt++;
        this.sent(this.sndNxt);
      }
      break;
    }
    if (this.ackPending) this.sendSegment(this.sndNxt, ACK, null);
    if (this.handlers.onDrain && this.state === 'open' && this.bufferedAmount < DRAIN_LOW_WATER) this.handlers.onDrain(this);
  }

  /** A new segment ending at `upTo` is in flight. */
  private sent(upTo: number): void {
    this.inFlight.push(upTo);
    if (this.rtoDeadline === 0) this.armRto();
  }

  /** Resends the segment that starts at `rel`; `attempt` 0 is a fast retransmit. */
  private retransmit(rel: number, attempt: number): void {
    let flags: number;
    let payload: Uint8Array | null = null;
    const end = 1 + this.bytesWritten;
    if (rel === 0) {
      flags = this.initiator ? SYN : SYN | ACK;
    } else if (rel < end) {
      const len = Math.min(this.mss(), Math.min(this.sndNxt, end) - rel);
      flags = ACK;
      if (rel + len === end) {
        flags |= PSH;
        if (this.finSent) flags |= FIN;
      }
      payload = this.extract(rel - 1, len);
    } else {
      flags = FIN | ACK;
    }
    this.core.sim.trace.emit(this.host.id, 'tcp.retransmit', {
      conn: this.id,
      seqNo: (this.isn + rel) >>> 0,
      len: payload === null ? 0 : payload.length,
      flags: flagLetters(flags),
      attempt,
      rto: this.rto,
    });
    this.sendSegment(rel, flags, payload);
  }

  private sendSegment(rel: number, flags: number, payload: Uint8Array | null): void {
    const ack = flags & ACK ? (this.peerIsn + this.rcvNxt) >>> 0 : 0;
    if (flags & ACK) {
      this.ackPending = false;
      this.unacked = 0;
      this.lastAckSent = this.rcvNxt;
    }
    const seg = new Segment(
      this.id,
      this.host.id,
      this.local.address,
      this.local.port,
      this.remote.address,
      this.remote.port,
      (this.isn + rel) >>> 0,
      ack,
      flags,
      payload,
      this.localText,
      this.remoteText,
    );
    seg.tsVal = this.core.sim.now;
    seg.tsEcr = this.tsRecent;
    this.transmit(seg);
  }

  private sendReset(): void {
    this.sendSegment(this.sndNxt, RST | ACK, null);
  }

  private transmit(seg: Segment): void {
    const route = this.currentRoute();
    if (route === null) {
      this.core.drop(seg, this.host.id, null, 'no-route');
      return;
    }
    seg.route = route;
    seg.hop = 0;
    this.core.forward(seg, this.host);
  }

  private currentRoute(): Route | null {
    const routing = this.core.routing;
    if (this.routeVersion !== routing.version) {
      this.routeVersion = routing.version;
      const dst: NetNode | undefined = this.core.nodeByAddress(this.remote.address);
      this.route = dst === undefined || dst === this.host ? null : routing.route(this.host, dst);
    }
    return this.route;
  }

  /** Path MSS (smallest link MSS on the current route) capped by the endpoints' MSS. */
  private mss(): number {
    const route = this.currentRoute();
    const tcpMss = this.core.tcp.mss;
    return route !== null && route.mss < tcpMss ? route.mss : tcpMss;
  }

  /** `len` bytes of the stream from offset `from` (a view when they lie in one write). */
  private extract(from: number, len: number): Uint8Array {
    const chunks = this.chunks;
    // New data is cut in stream order: start from where the last cut was, else from the oldest.
    let i = this.head;
    let offset = this.headOffset;
    if (this.cursorIndex > i && this.cursorOffset <= from) {
      i = this.cursorIndex;
      offset = this.cursorOffset;
    }
    while (offset + chunks[i]!.length <= from) {
      offset += chunks[i]!.length;
      i++;
    }
    this.cursorIndex = i;
    this.cursorOffset = offset;
    let start = from - offset;
    const first = chunks[i]!;
    if (start + len <= first.length) return first.subarray(start, start + len);
    const out = new Uint8Array(len);
    let filled = 0;
    while (filled < len) {
      const c = chunks[i]!;
      const n = Math.min(c.length - start, len - filled);
      out.set(c.subarray(start, start + n), filled);
      filled += n;
      start = 0;
      i++;
    }
    return out;
  }

  /** Forgets written bytes below stream offset `upTo` (they are acknowledged). */
  private release(upTo: number): void {
    const chunks = this.chunks;
    while (this.head < chunks.length && this.headOffset + chunks[this.head]!.length <= upTo) {
      this.headOffset += chunks[this.head]!.length;
      chunks[this.head] = EMPTY;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > chunks.length) {
      this.chunks = chunks.slice(this.head);
      this.head = 0;
      this.cursorIndex = 0;
      this.cursorOffset = this.headOffset;
    }
  }

  // ---- Acknowledgements and retransmission ---------------------------------------------------

  private unwrapAck(ack: number): number {
    return this.sndUna + ((ack - ((this.isn + this.sndUna) >>> 0)) | 0);
  }

  private processAck(seg: NetSegment): void {
    const ackRel = this.unwrapAck(seg.ack);
    if (ackRel > this.sndUna && ackRel <= this.sndNxt) {
      this.sampleRtt(seg);
      this.sndUna = ackRel;
      const inFlight = this.inFlight;
      while (this.inFlightHead < inFlight.length && inFlight[this.inFlightHead]! <= ackRel) this.inFlightHead++;
      if (this.inFlightHead > 256 && this.inFlightHead * 2 > inFlight.length) {
        this.inFlight = inFlight.slice(this.inFlightHead);
        this.inFlightHead = 0;
      }
      this.release(Math.min(ackRel - 1, this.bytesWritten));
      this.retries = 0;
      this.dupAcks = 0;
      this.rto = this.baseRto();
      if (this.finSent && ackRel === this.bytesWritten + 2) {
        this.finAcked = true;
        if (!this.peerFin) this.armFinWait();
      }
      if (this.recovery >= 0) {
        if (this.rtoRetransmitAt >= 0 && seg.tsEcr >= 0 && seg.tsEcr < this.rtoRetransmitAt) {
          // RFC 3522 (Eifel): this ACK echoes a segment sent before the timeout's retransmission,
          // so the original arrived and the timeout was spurious: stop resending what is in flight.
          this.recovery = -1;
        } else if (ackRel >= this.recovery) {
          this.recovery = -1;
        } else {
          this.retransmit(ackRel, 0); // partial ACK: the next hole
        }
        if (this.recovery < 0) this.rtoRetransmitAt = -1;
      }
      if (this.sndUna < this.sndNxt) this.armRto();
      else this.rtoDeadline = 0;
      if (this.finAcked && this.peerFin) {
        this.closedByFin();
        return;
      }
      if (this.sndNxt < 1 + this.bytesWritten || (this.finQueued && !this.finSent)) this.armOutput();
    } else if (
      ackRel === this.sndUna &&
      seg.len === 0 &&
      !(seg.flags & (SYN | FIN)) &&
      this.sndNxt > this.sndUna &&
      this.recovery < 0
    ) {
      if (++this.dupAcks === 3) {
        this.recovery = this.sndNxt;
        this.rtoRetransmitAt = -1;
        this.retransmit(this.sndUna, 0);
      }
    }
  }

  /** RFC 7323 §4.1: a round-trip sample from the echoed timestamp of an ACK that acknowledges new data. */
  private sampleRtt(seg: NetSegment): void {
    if (seg.tsEcr < 0) return;
    const r = this.core.sim.now - seg.tsEcr;
    // RFC 6298 §2: alpha 1/8, beta 1/4.
    if (this.srtt < 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }

  /** The timeout without backoff: RFC 6298 from the measured round trip, or the initial value. */
  private baseRto(): Micros {
    const t = this.core.tcp;
    if (this.srtt < 0) return t.rtoInitial;
    const rto = Math.ceil(this.srtt + Math.max(1000, 4 * this.rttvar));
    return Math.min(t.rtoMax, Math.max(t.rtoMin, rto));
  }

  /** (Re)starts the timer of the oldest outstanding segment. */
  private armRto(): void {
    const scheduler = this.core.sim.scheduler;
    this.rtoDeadline = scheduler.now + this.rto;
    // The timer is lazy: it fires at its original time and re-arms for a later deadline, so an
    // ACK costs no cancel; only a deadline that moves earlier (after backoff ends) re-arms it.
    if (this.rtoTimer !== null && this.rtoTimer.time > this.rtoDeadline) {
      scheduler.cancel(this.rtoTimer);
      this.rtoTimer = null;
    }
    if (this.rtoTimer === null) this.rtoTimer = scheduler.at(this.rtoDeadline, this.rtoFn);
  }

  /**
   * FIN-WAIT-2 (RFC 9293 §3.10.7.4 lets an implementation bound it, as Linux does): the peer may
   * still send, but if it stays silent for `finWaitTimeout` the connection ends as a timeout.
   */
  private armFinWait(): void {
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

  private onRtoTimer(): void {
    this.rtoTimer = null;
    if (this.phase === 'closed' || this.phase === 'time-wait' || this.rtoDeadline === 0) return;
    const scheduler = this.core.sim.scheduler;
    if (scheduler.now < this.rtoDeadline) {
      this.rtoTimer = scheduler.at(this.rtoDeadline, this.rtoFn);
      return;
    }
    if (this.sndUna >= this.sndNxt) {
      this.rtoDeadline = 0;
      return;
    }
    this.retries++;
    const max = this.core.tcp.maxRetries;
    if (this.retries > max) {
      const connecting = this.phase !== 'established';
      const detail = connecting
        ? `no answer to ${this.initiator ? 'SYN' : 'SYN-ACK'} after ${max} retransmissions`
        : `no acknowledgement after ${max} retransmissions`;
      this.core.sim.trace.emit(this.host.id, 'tcp.timeout', {
        conn: this.id,
        phase: connecting ? 'connect' : 'data',
        retries: max,
        detail,
      });
      this.finish({ kind: 'timeout', detail }, this.accepted);
      return;
    }
    this.rto = Math.min(this.rto * 2, this.core.tcp.rtoMax);
    this.dupAcks = 0;
    this.recovery = this.sndNxt;
    if (this.rtoRetransmitAt < 0) this.rtoRetransmitAt = scheduler.now;
    this.retransmit(this.sndUna, this.retries);
    this.rtoDeadline = scheduler.now + this.rto;
    this.rtoTimer = scheduler.at(this.rtoDeadline, this.rtoFn);
  }

  // ---- Receiving -----------------------------------------------------------------------------

  private processData(seg: NetSegment): void {
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

  private onReset(seg: NetSegment): void {
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

  // ---- Ending --------------------------------------------------------------------------------

  /** Both FINs are acknowledged. */
  private closedByFin(): void {
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
  private finish(reason: CloseReason, notify: boolean): void {
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

  private transition(to: Phase): void {
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

  private notifyClose(reason: CloseReason): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    this.recordClose(reason);
    const handlers = this.accepted ? this.handlers : NO_HANDLERS;
    handlers.onClose?.(this, reason);
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
