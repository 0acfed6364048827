/**
 * The send side of a TCP connection (tcp-connection.ts has the model): the queue of written
 * bytes, cutting it into segments within the window and the segment cap, ACKs received, the
 * round-trip estimate, retransmission (RTO, fast retransmit, partial ACKs) and the route.
 */
import type { Micros } from '../sim/time.js';
import { LOOPBACK_DELAY, type NetNode, type NetSegment, type Route } from './net-contracts.js';
import { ACK, EMPTY, FIN, PSH, RST, SYN, Segment, flagLetters } from './segment.js';
import { TcpState } from './tcp-state.js';

/** Below this many unsent bytes, `onDrain` invites paced writers to write more. */
export const DRAIN_LOW_WATER = 16 * 1024;

export abstract class TcpSender extends TcpState {
  /** Written bytes not yet acknowledged: `chunks[head..]`, the first starting at stream offset `headOffset`. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  private headOffset = 0;
  /** Where the last `extract` started: index into `chunks` and that chunk's stream offset. */
  private cursorIndex = 0;
  private cursorOffset = 0;
  private outputArmed = false;

  // Retransmission.
  protected rto: Micros = this.core.tcp.rtoInitial;
  private srtt = -1;
  private rttvar = 0;
  protected retries = 0;
  private dupAcks = 0;
  /** While recovering from a loss: the sequence number that ends recovery; else -1. */
  private recovery = -1;
  /** When the first timeout retransmission of the current recovery went out; -1 if not a timeout. */
  private rtoRetransmitAt = -1;
  /** Ends (relative) of the segments in flight, oldest first, for the segment cap. */
  private inFlight: number[] = [];
  private inFlightHead = 0;

  private route: Route | null = null;
  private routeVersion = -1;

  private readonly outputFn = (): void => this.output();
  private readonly rtoFn = (): void => this.onRtoTimer();

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

  // ---- Sending -------------------------------------------------------------------------------

  /** Puts bytes at the end of the TCP stream. */
  protected streamWrite(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.bytesWritten += bytes.length;
    this.armOutput();
  }

  protected armOutput(): void {
    if (this.outputArmed) return;
    this.outputArmed = true;
    this.core.sim.scheduler.after(0, this.outputFn);
  }

  /** Sends what the window allows, then a pure ACK if one is still owed. */
  protected output(): void {
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

  protected sendSegment(rel: number, flags: number, payload: Uint8Array | null): void {
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

  protected sendReset(): void {
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

  protected currentRoute(): Route | null {
    const routing = this.core.routing;
    if (this.routeVersion !== routing.version) {
      this.routeVersion = routing.version;
      const dst: NetNode | undefined = this.core.nodeByAddress(this.remote.address);
      // To the host's own address: the loopback, a route of no hops (Network.forward delivers it).
      this.route = dst === this.host ? { version: routing.version, nodes: [this.host], hops: [], latency: LOOPBACK_DELAY, mss: Number.POSITIVE_INFINITY } : dst === undefined ? null : routing.route(this.host, dst);
    }
    return this.route;
  }

  /** Path MSS (smallest link MSS on the current route) capped by the endpoints' MSS. */
  protected mss(): number {
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

  protected unwrapAck(ack: number): number {
    return this.sndUna + ((ack - ((this.isn + this.sndUna) >>> 0)) | 0);
  }

  protected processAck(seg: NetSegment): void {
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
  protected sampleRtt(seg: NetSegment): void {
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
  protected baseRto(): Micros {
    const t = this.core.tcp;
    if (this.srtt < 0) return t.rtoInitial;
    const rto = Math.ceil(this.srtt + Math.max(1000, 4 * this.rttvar));
    return Math.min(t.rtoMax, Math.max(t.rtoMin, rto));
  }

  /** (Re)starts the timer of the oldest outstanding segment. */
  protected armRto(): void {
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

}
