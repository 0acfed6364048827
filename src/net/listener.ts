/** A listening port: new connections to it are handed to `onAccept` once their TCP handshake is done. */
import type { AcceptingListener } from './net-contracts.js';
import type { TlsServerOptions } from './net-types.js';
import type { TcpConnection } from './tcp-connection.js';

export class Listener implements AcceptingListener<TcpConnection> {
  private _closed = false;

  constructor(
    readonly hostId: string,
    readonly port: number,
    /** Install the connection's handlers here (`conn.setHandlers`); `onOpen` follows (after TLS, if any). */
    readonly onAccept: (conn: TcpConnection) => void,
    readonly tls: TlsServerOptions | undefined,
    private readonly onClose: (listener: Listener) => void,
  ) {}

  get closed(): boolean {
    return this._closed;
  }

  /** Stops accepting: later SYNs are refused; connections already accepted are not touched. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.onClose(this);
  }
}
