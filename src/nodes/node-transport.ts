/**
 * Where a node's connections come from: a listener for the peers that connect to it (a relay's
 * clients and peer relays; the passive side of an endpoint's direct session, RFC 4975 §5.4), and
 * the connections it opens (a relay's next hops, R-25; an endpoint's relay, peer and raw targets).
 * The simulated network provides one for a simulated host (`hostTransport`); live mode provides
 * them over real sockets (src/live/). Relays and endpoints share this one shape.
 */
import { SimConnection } from './sim-connection.js';
import type { Host } from '../net/index.js';
import type { Connection } from './seams.js';

/** The TLS a node serves with: its certificate's names, the version, and whether it asks clients for certificates (relays, mutual TLS). */
export interface TransportListenTls {
  certificateNames: string[];
  version: '1.2' | '1.3';
  requestClientCertificate?: boolean;
}

/**
 * A connection the node opens: to `host:port`, over TLS naming `serverName` when `tls` is given;
 * a relay presents its own certificate's names to a peer relay that asks for them.
 */
export interface TransportTarget {
  host: string;
  port: number;
  tls?: { serverName: string; version: '1.2' | '1.3'; certificateNames?: string[] };
}

export interface NodeTransport {
  /** Accepts connections on `port`; each is handed to `accept` (its handshakes may still be under way). */
  listen(port: number, accept: (conn: Connection) => void, tls?: TransportListenTls): void;
  /** Opens a connection. */
  connect(target: TransportTarget): Connection;
  /** Lets the transport tell the node its host crashed or restarted (simulated hosts only). */
  onLifecycle?(crash: () => void, restart: () => void): void;
}

/** A simulated host of src/net/ as a node's transport. */
export function hostTransport(host: Host): NodeTransport {
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
