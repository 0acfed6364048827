/**
 * The connection seam (src/nodes/seams.ts) over a real socket (node:net, node:tls). Everything the
 * socket reports enters the run through the real-time driver as an event at the current time, so
 * the node's machines see real input exactly as they see simulated input. A misbehaving peer ends
 * the connection with its reason, never the program: a refused connect, a reset, a peer that
 * closes mid-transaction (the node's machines see `closed` and act on it), a peer that stops
 * reading (what it has not read passes `maxUnread`, or does not move for `stallLimitMs`). Every
 * byte in each direction is traced (`live.bytes`), for the capture.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Connection, ConnectionAddress, ConnectionEvents, StreamState, ConnectionTls } from '../nodes/seams.js';
import type { Simulation } from '../sim/simulation.js';
import type { RealtimeDriver } from './realtime-driver.js';
import type { LiveCloseKind } from './trace-types.js';

export interface SocketConnectionOptions {
  /** Bytes written and not yet read by the peer beyond which it counts as not reading (default 16 MiB). */
  maxUnread?: number;
  /** Milliseconds written bytes may wait without the peer reading any before the connection is dropped (default 10 s). */
  stallLimitMs?: number;
  /** Milliseconds a graceful close waits for the peer's FIN before the socket is destroyed (default 2 s). */
  closeGraceMs?: number;
  /** Trace the bytes (`live.bytes`) for the capture (default true). */
  traceBytes?: boolean;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EADDRNOTAVAIL']);

function endpoint(address: string | undefined, port: number | undefined): string {
  return `${address ?? '?'}:${port ?? 0}`;
}

export class SocketConnection implements Connection {
  private events: ConnectionEvents | null = null;
  /** Input that arrived before a node listened (kept, in order). */
  private early: Uint8Array[] = [];
  private ended: { kind: LiveCloseKind; detail: string } | null = null;
  private opened = false;
  private closing = false;
  private tlsFacts: ConnectionTls | null = null;
  /** The peer's address as the socket reported it when it opened. */
  private peer: ConnectionAddress;
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly maxUnread: number;
  private readonly stallLimitMs: number;
  private readonly closeGraceMs: number;
  private readonly traceBytes: boolean;
  bytesIn = 0;
  bytesOut = 0;
  /** Called (inside an event) once the connection (and TLS) is up. */
  onOpen: (() => void) | null = null;

  constructor(
    readonly id: string,
    private readonly node: string,
    readonly socket: Socket,
    private readonly driver: RealtimeDriver,
    private readonly sim: Simulation,
    readonly useTls: boolean,
    options: SocketConnectionOptions = {},
    /** The socket is already connected (accepted) rather than connecting: this side is not the initiator. */
    connected = false,
  ) {
    this.initiator = !connected;
    this.peer = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    this.maxUnread = options.maxUnread ?? 16 * 1024 * 1024;
    this.stallLimitMs = options.stallLimitMs ?? 10_000;
    this.closeGraceMs = options.closeGraceMs ?? 2_000;
    this.traceBytes = options.traceBytes ?? true;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.driver.inject(() => this.onData(chunk)));
    socket.on('drain', () => {
      this.clearStall();
      this.driver.inject(() => {
        if (!this.ended) this.events?.drained();
      });
    });
    socket.on('end', () => this.driver.inject(() => this.finish('fin', 'the peer closed the connection')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      const kind: LiveCloseKind = RESET_CODES.has(code) ? 'reset' : !this.opened && REFUSED_CODES.has(code) ? 'refused' : !this.opened ? 'refused' : 'error';
      this.driver.inject(() => this.finish(kind, code !== '' ? `${code}: ${error.message}` : error.message));
    });
    socket.on('close', () => {
      if (this.graceTimer !== null) clearTimeout(this.graceTimer);
      this.clearStall();
      this.driver.inject(() => this.finish('fin', 'the socket closed'));
    });
    if (connected) this.markOpen();
    else socket.once(useTls ? 'secureConnect' : 'connect', () => this.driver.inject(() => this.markOpen()));
  }

  readonly initiator: boolean;

  get isOpen(): boolean {
    return this.ended === null && !this.closing;
  }

  get state(): StreamState {
    return this.ended !== null ? 'closed' : this.closing ? 'closing' : this.opened ? 'open' : 'connecting';
  }

  get remote(): ConnectionAddress {
    return this.peer;
  }

  get tls(): ConnectionTls | null {
    return this.tlsFacts;
  }

  /** Offset of the next byte written in this side's stream. */
  get bytesWritten(): number {
    return this.bytesOut;
  }

  /**
   * What the operating system has taken of this side's bytes: the nearest a socket comes to the
   * peer's acknowledgement (docs/live.md).
   */
  get bytesAcknowledged(): number {
    return this.bytesOut - this.socket.writableLength;
  }

  get sendClosed(): boolean {
    return this.closing || this.ended !== null;
  }

  /** Why it ended, once it has. */
  get closeReason(): { kind: LiveCloseKind; detail: string } | null {
    return this.ended;
  }

  /** Bytes written and not yet handed to the operating system. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  listen(events: ConnectionEvents): void {
    this.events = events;
    const early = this.early;
    this.early = [];
    // An accepted socket is open already: the node hears so in an event of its own, as it would
    // from a simulated handshake completing after it adopted the connection.
    if (this.opened) this.sim.scheduler.at(this.sim.now, () => events.opened());
    for (const bytes of early) events.data(bytes);
    if (this.ended) events.closed({ kind: this.ended.kind, detail: this.ended.detail });
  }

  write(bytes: Uint8Array): void {
    if (this.ended || this.closing) return;
    if (this.traceBytes) this.trace('out', bytes);
    this.bytesOut += bytes.length;
    // The model never changes bytes it wrote; the socket may keep the view until it is sent.
    this.socket.write(bytes);
    const unread = this.socket.writableLength;
    if (unread > this.maxUnread) {
      this.finish('stalled', `the peer stopped reading: ${unread} bytes written and not taken (limit ${this.maxUnread})`);
      return;
    }
    if (unread > 0 && this.stallTimer === null) {
      this.stallTimer = setTimeout(
        () => this.driver.inject(() => this.finish('stalled', `the peer read nothing for ${this.stallLimitMs} ms with ${this.socket.writableLength} bytes waiting`)),
        this.stallLimitMs,
      );
    }
  }

  /** Graceful close: what was written goes, then FIN; the peer gets `closeGraceMs` to answer with its own. */
  close(): void {
    if (this.ended || this.closing) return;
    this.closing = true;
    this.socket.end();
    this.graceTimer = setTimeout(() => this.socket.destroy(), this.closeGraceMs);
    // For the node the connection is gone now (as a simulated close is, once its FIN is queued).
    this.finish('local', 'closed by this side');
  }

  /** Drops the connection at once (TCP RST). */
  reset(): void {
    if (this.ended) return;
    this.socket.resetAndDestroy();
    this.finish('local', 'reset by this side');
  }

  /** End of the run: whatever is still open is closed now. */
  shutdown(): void {
    if (!this.ended) {
      this.socket.destroy();
      // The run is over: the record (and the capture's FIN) says so, but the node is not told,
      // as a simulated run's nodes are not told of its end (no session fails because the run ended).
      this.finish('local', 'the run ended', false);
    } else this.socket.destroy();
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
  }

  private markOpen(): void {
    if (this.opened || this.ended) return;
    this.opened = true;
    this.peer = { address: this.socket.remoteAddress ?? this.peer.address, port: this.socket.remotePort ?? this.peer.port };
    if (this.useTls) {
      const t = this.socket as TLSSocket;
      const cert = t.getPeerCertificate?.();
      const names = cert && cert.subject ? [String(cert.subject.CN ?? ''), ...String(cert.subjectaltname ?? '').split(/,\s*/).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4))].filter((n) => n !== '') : [];
      this.tlsFacts = { version: t.getProtocol?.() === 'TLSv1.2' ? '1.2' : '1.3', peerNames: [...new Set(names)], mutual: t.authorized === true && this.initiator === false && names.length > 0 };
    }
    this.sim.trace.emit(this.node, 'live.open', {
      conn: this.id,
      local: endpoint(this.socket.localAddress, this.socket.localPort),
      remote: endpoint(this.socket.remoteAddress, this.socket.remotePort),
      tls: this.useTls,
    });
    this.onOpen?.();
    this.events?.opened();
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    if (this.traceBytes) this.trace('in', chunk);
    this.bytesIn += chunk.length;
    // A copy: the model may keep views of what it was given, and Node reuses its read buffers.
    const bytes = new Uint8Array(chunk);
    if (this.events) this.events.data(bytes);
    else this.early.push(bytes);
  }

  private trace(direction: 'in' | 'out', bytes: Uint8Array): void {
    const offset = direction === 'in' ? this.bytesIn : this.bytesOut;
    this.sim.trace.emit(this.node, 'live.bytes', { conn: this.id, direction, offset, len: bytes.length, data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') });
  }

  private clearStall(): void {
    if (this.stallTimer !== null) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  private finish(kind: LiveCloseKind, detail: string, notify = true): void {
    if (this.ended) return;
    this.ended = { kind, detail };
    this.clearStall();
    if (kind !== 'local') this.socket.destroy();
    this.sim.trace.emit(this.node, 'live.close', { conn: this.id, kind, detail, bytesIn: this.bytesIn, bytesOut: this.bytesOut });
    if (notify) this.events?.closed({ kind, detail });
  }
}
