/**
 * A host: an address, names, listening ports and TCP connections. Every host also forwards
 * segments that are not addressed to it (hosts are routers too, which is how relays sit on paths).
 */
import type { Rng } from '../sim/random.js';
import { Listener } from './listener.js';
import type { ConnectionHost, HostedConnection, NetCore, NetDirection, NetSegment } from './net-contracts.js';
import type { ConnectTarget, TlsServerOptions } from './net-types.js';
import { ACK, RST, SYN, resetReply } from './segment.js';
import { TcpConnection, type ConnectionHandlers } from './tcp-connection.js';

/** Ephemeral ports are handed out in order from here, per host, wrapping at 65535. */
export const FIRST_EPHEMERAL_PORT = 49152;

export class Host implements ConnectionHost {
  readonly kind = 'host' as const;
  readonly out: NetDirection[] = [];
  /** Called when the host crashes (after its connections are gone): drop all node state. */
  onCrash?: () => void;
  /** Called when the host is back: listen again. */
  onRestart?: () => void;

  private _up = true;
  private _address: string | null;
  private readonly listeners = new Map<number, Listener>();
  /** Local port -> remote `ip:port` -> connection. */
  private readonly demux = new Map<number, Map<string, TcpConnection>>();
  /** Connections not yet forgotten, in creation order. */
  private readonly live = new Map<string, TcpConnection>();
  private readonly portUse = new Map<number, number>();
  private nextPort = FIRST_EPHEMERAL_PORT;
  private isnRng: Rng | null = null;

  constructor(
    private readonly core: NetCore,
    readonly id: string,
    readonly name: string,
    /** Every name that resolves to this host, `name` first. */
    readonly names: readonly string[],
    address: string | null,
    private readonly assignAddress: (host: Host) => string,
    private readonly registry: Map<string, TcpConnection>,
  ) {
    this._address = address;
  }

  get address(): string {
    return this._address ?? this.assignAddress(this);
  }

  /** Whether an address is fixed yet (the plan assigns them all at once, when first needed). */
  get hasAddress(): boolean {
    return this._address !== null;
  }

  setAddress(address: string): void {
    this._address = address;
  }

  get up(): boolean {
    return this._up;
  }

  /** Connections that are not closed, in creation order. */
  get connections(): ReadonlyArray<TcpConnection> {
    const out: TcpConnection[] = [];
    for (const c of this.live.values()) if (c.state !== 'closed') out.push(c);
    return out;
  }

  listen(port: number, onAccept: (conn: TcpConnection) => void, tls?: TlsServerOptions): Listener {
    if (this.listeners.has(port)) throw new Error(`host ${this.id} already listens on port ${port}`);
    const listener = new Listener(this.id, port, onAccept, tls, (l) => {
      if (this.listeners.get(l.port) === l) this.listeners.delete(l.port);
    });
    this.listeners.set(port, listener);
    return listener;
  }

  connect(target: ConnectTarget, handlers: ConnectionHandlers): TcpConnection {
    const core = this.core;
    const id = core.nextConnectionId();
    const isn = this.drawIsn();
    const address = this._up ? core.resolve(target.host) : null;
    const conn = new TcpConnection({
      core,
      host: this,
      id,
      local: { address: this.address, port: address === null ? 0 : this.allocatePort() },
      remote: { address: address ?? '0.0.0.0', port: target.port },
      initiator: true,
      handlers,
      isn,
      ...(target.tls ? { tlsClient: target.tls } : {}),
      ...(target.connectTimeout !== undefined ? { connectTimeout: target.connectTimeout } : {}),
    });
    conn.announce(target.host, target.tls !== undefined);
    if (!this._up) {
      conn.failSoon({ kind: 'unreachable', detail: `host ${this.id} is down` });
    } else if (address === null) {
      conn.failSoon({ kind: 'unresolved', detail: `cannot resolve '${target.host}'` });
    } else {
      this.register(conn);
      conn.startInitiator();
    }
    return conn;
  }

  // ---- Network side --------------------------------------------------------------------------

  arrive(seg: NetSegment, _via: NetDirection | null): void {
    if (!this._up) {
      this.core.drop(seg, this.id, null, 'host-down');
      return;
    }
    if (seg.dstIp !== this._address) {
      this.core.forward(seg, this);
      return;
    }
    const conn = this.demux.get(seg.dstPort)?.get(seg.src);
    if (conn !== undefined) {
      conn.receive(seg);
      return;
    }
    if (seg.flags & RST) return; // never answer an RST
    if ((seg.flags & (SYN | ACK)) === SYN) {
      const listener = this.listeners.get(seg.dstPort);
      if (listener !== undefined && !listener.closed) {
        this.accept(seg, listener);
        return;
      }
      this.core.sim.trace.emit(this.id, 'tcp.refused', { conn: seg.conn, src: seg.src, dst: seg.dst });
      this.core.forward(
        resetReply(seg, this.id, { by: this.id, detail: `connection refused by ${seg.dst}: nothing listens on port ${seg.dstPort}` }),
        this,
      );
      return;
    }
    this.core.forward(resetReply(seg, this.id, { by: this.id, detail: `reset by ${seg.dst}: it has no such connection` }), this);
  }

  /** Crash: connections vanish without a segment, listeners are gone, the node layer is told. */
  crash(): number {
    if (!this._up) return 0;
    this._up = false;
    const conns = [...this.live.values()];
    const open = conns.filter((c) => c.state !== 'closed').length;
    for (const c of conns) c.crash();
    this.live.clear();
    this.demux.clear();
    this.portUse.clear();
    this.listeners.clear();
    this.onCrash?.();
    return open;
  }

  restart(): void {
    if (this._up) return;
    this._up = true;
    this.onRestart?.();
  }

  unregister(conn: HostedConnection): void {
    const byPort = this.demux.get(conn.local.port);
    if (byPort?.get(conn.remoteKey) === conn) {
      byPort.delete(conn.remoteKey);
      if (byPort.size === 0) this.demux.delete(conn.local.port);
      const n = (this.portUse.get(conn.local.port) ?? 1) - 1;
      if (n > 0) this.portUse.set(conn.local.port, n);
      else this.portUse.delete(conn.local.port);
    }
    if (this.live.get(conn.id) === conn) this.live.delete(conn.id);
    if (this.registry.get(conn.id) === conn) this.registry.delete(conn.id);
  }

  private accept(seg: NetSegment, listener: Listener): void {
    const conn = new TcpConnection({
      core: this.core,
      host: this,
      id: this.core.nextConnectionId(),
      local: { address: this._address!, port: seg.dstPort },
      remote: { address: seg.srcIp, port: seg.srcPort },
      initiator: false,
      handlers: {},
      isn: this.drawIsn(),
      peerIsn: seg.seq,
      listener,
    });
    this.register(conn);
    conn.startResponder(seg);
  }

  private register(conn: TcpConnection): void {
    let byPort = this.demux.get(conn.local.port);
    if (byPort === undefined) {
      byPort = new Map();
      this.demux.set(conn.local.port, byPort);
    }
    byPort.set(conn.remoteKey, conn);
    this.portUse.set(conn.local.port, (this.portUse.get(conn.local.port) ?? 0) + 1);
    this.live.set(conn.id, conn);
    this.registry.set(conn.id, conn);
  }

  private drawIsn(): number {
    // The stream is made on first use: most hosts of a large topology open few connections.
    this.isnRng ??= this.core.sim.rng(this.id, 'isn', true);
    return Math.floor(this.isnRng() * 4294967296);
  }

  private allocatePort(): number {
    for (let i = 0; i <= 65535 - FIRST_EPHEMERAL_PORT; i++) {
      const port = this.nextPort;
      this.nextPort = port === 65535 ? FIRST_EPHEMERAL_PORT : port + 1;
      if (!this.portUse.has(port) && !this.listeners.has(port)) return port;
    }
    throw new Error(`host ${this.id} has no free ephemeral port`);
  }
}
