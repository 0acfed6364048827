/**
 * The real sockets of a live run: listeners and outgoing connections (node:net, node:tls), each
 * connection a `SocketConnection` (the connection seam). Live mode listens and connects only where
 * the scenario or the command line says; every socket and listener is closed when the run ends.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions, type TlsOptions } from 'node:tls';
import type { Simulation } from '../sim/simulation.js';
import type { RealtimeDriver } from './realtime-driver.js';
import { SocketConnection, type SocketConnectionOptions } from './socket-connection.js';

/** `host:port` split; the port is required. */
export function parseAddress(address: string): { host: string; port: number } | null {
  const i = address.lastIndexOf(':');
  if (i <= 0) return null;
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535 || host === '') return null;
  return { host, port };
}

export interface LiveListenOptions {
  /** Serve TLS with this certificate and key (PEM). */
  tls?: TlsOptions;
}

export class SocketNetwork {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<SocketConnection>();
  private next = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly driver: RealtimeDriver,
    private readonly options: SocketConnectionOptions = {},
  ) {
    driver.onEnd(() => this.shutdown());
  }

  /** Connections opened or accepted so far and not yet ended. */
  get openConnections(): number {
    let n = 0;
    for (const c of this.connections) if (c.isOpen) n++;
    return n;
  }

  /**
   * Listens at `address` for `node`; each accepted connection is handed to `accept` inside an
   * event. Resolves with the address actually bound (port 0 picks a free one).
   */
  listen(node: string, address: { host: string; port: number }, accept: (conn: SocketConnection) => void, options: LiveListenOptions = {}): Promise<{ host: string; port: number }> {
    const tls = options.tls !== undefined;
    const onSocket = (socket: Socket) => {
      if (!this.driver.active) {
        socket.destroy();
        return;
      }
      this.driver.inject(() => {
        const conn = this.adopt(node, socket, tls, true);
        this.sim.trace.emit(node, 'live.accept', {
          conn: conn.id,
          local: `${socket.localAddress}:${socket.localPort}`,
          remote: `${socket.remoteAddress}:${socket.remotePort}`,
          tls,
        });
        accept(conn);
      });
    };
    const server = tls ? createTlsServer(options.tls!, onSocket) : createServer(onSocket);
    // A TLS handshake that fails never reaches onSocket: it is traced, the listener goes on.
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      this.driver.inject(() => this.sim.trace.emit(node, 'live.close', { conn: `${node}/tls-failed`, kind: 'error', detail: `TLS handshake with ${socket.remoteAddress}:${socket.remotePort} failed: ${error.message}`, bytesIn: 0, bytesOut: 0 }));
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        this.sim.trace.emit(node, 'live.listen-failed', { address: `${address.host}:${address.port}`, detail: `${error.code ?? ''} ${error.message}`.trim() });
        reject(error);
      });
      server.listen(address.port, address.host, () => {
        const bound = server.address();
        const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
        this.sim.trace.emit(node, 'live.listen', { address: `${address.host}:${port}`, tls });
        resolve({ host: address.host, port });
      });
    });
  }

  /** Opens a connection from `node` to `target`, inside an event (the driver's current time). */
  connect(node: string, target: { host: string; port: number }, tls?: ConnectionOptions): SocketConnection {
    const socket = tls ? tlsConnect({ ...tls, host: target.host, port: target.port }) : netConnect({ host: target.host, port: target.port });
    const conn = this.adopt(node, socket, tls !== undefined, false);
    this.sim.trace.emit(node, 'live.connect', { conn: conn.id, target: `${target.host}:${target.port}`, tls: tls !== undefined });
    return conn;
  }

  private adopt(node: string, socket: Socket, tls: boolean, connected: boolean): SocketConnection {
    const conn = new SocketConnection(`${node}/live${++this.next}`, node, socket, this.driver, this.sim, tls, this.options, connected);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
    return conn;
  }

  /** Closes every listener and connection (the end of the run). */
  shutdown(): void {
    for (const server of this.servers) server.close();
    this.servers.length = 0;
    for (const conn of this.connections) conn.shutdown();
    this.connections.clear();
  }
}
