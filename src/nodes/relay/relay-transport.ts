/**
 * Where a relay's connections come from: a listener for the clients and relays that connect to
 * it, and connections it opens to next hops. The simulated network provides one for a
 * simulated host (`hostTransport`); live mode provides one over real sockets (src/live/).
 */
import { SimConnection } from '../sim-connection.js';
import type { Host } from '../../net/index.js';
import type { Connection } from '../seams.js';

/** The TLS a relay serves with: its certificate's names, the version, and whether it asks clients for certificates. */
export interface RelayListenTls {
  certificateNames: string[];
  version: '1.2' | '1.3';
  requestClientCertificate: boolean;
}

/** A connection the relay opens: to `host:port`, over TLS naming `serverName` when `tls` is given. */
export interface RelayConnectTarget {
  host: string;
  port: number;
  tls?: { serverName: string; version: '1.2' | '1.3'; certificateNames: string[] };
}

export interface RelayTransport {
  /** Accepts connections on `port`; each is handed to `accept` (its handshakes may still be under way). */
  listen(port: number, accept: (conn: Connection) => void, tls?: RelayListenTls): void;
  /** Opens a connection to a next hop. */
  connect(target: RelayConnectTarget): Connection;
  /** Lets the transport tell the relay its host crashed or restarted (simulated hosts only). */
  onLifecycle?(crash: () => void, restart: () => void): void;
}

/** A simulated host of src/net/ as a relay's transport. */
export function hostTransport(host: Host): RelayTransport {
  return {
    listen: (port, accept, tls) => {
      host.listen(port, (tcp) => accept(new SimConnection(tcp)), tls);
    },
    connect: (target) => new SimConnection(host.connect(target, {})),
    onLifecycle: (crash, restart) => {
      host.onCrash = crash;
      host.onRestart = restart;
    },
  };
}
