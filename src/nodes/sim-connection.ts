/**
 * The simulated side of the connection seam (seams.ts): a simulated TCP (or TLS) connection of
 * src/net/ as a node's `Connection`.
 */
import type { TcpConnection } from '../net/index.js';
import type { Connection, ConnectionAddress, ConnectionEvents, StreamState, ConnectionTls } from './seams.js';

/** A simulated TcpConnection presented through the connection seam. */
export class SimConnection implements Connection {
  constructor(private readonly tcp: TcpConnection) {}

  get id(): string {
    return this.tcp.id;
  }

  get state(): StreamState {
    return this.tcp.state;
  }

  get peerConnection(): string | null {
    return this.tcp.peerId;
  }

  get initiator(): boolean {
    return this.tcp.initiator;
  }

  get remote(): ConnectionAddress {
    return this.tcp.remote;
  }

  get tls(): ConnectionTls | null {
    return this.tcp.tls;
  }

  get bytesWritten(): number {
    return this.tcp.bytesWritten;
  }

  get bytesAcknowledged(): number {
    return this.tcp.bytesAcknowledged;
  }

  get bufferedAmount(): number {
    return this.tcp.bufferedAmount;
  }

  get sendClosed(): boolean {
    return this.tcp.sendClosed;
  }

  write(bytes: Uint8Array): void {
    this.tcp.write(bytes);
  }

  close(): void {
    this.tcp.close();
  }

  reset(): void {
    this.tcp.reset();
  }

  listen(events: ConnectionEvents): void {
    this.tcp.setHandlers({
      onOpen: () => events.opened(),
      onData: (_conn, bytes) => events.data(bytes),
      onClose: (_conn, reason) => events.closed(reason),
      onDrain: () => events.drained(),
    });
  }
}
