/**
 * Where an endpoint's connections come from: a listener for peers that connect to it (the
 * passive side of a direct session, RFC 4975 §5.4), and the connections it opens (to its relay,
 * to a peer, raw ones). The simulated network provides one for a simulated host
 * (`endpointHostTransport`); live mode provides one that opens real sockets to a live relay
 * (src/live/). The relay's counterpart is src/nodes/relay/relay-transport.ts.
 */
import { SimConnection } from '../sim-connection.js';
import type { Host } from '../../net/index.js';
import type { Connection } from '../seams.js';

/** The TLS an endpoint serves with (an `msrps` endpoint): its certificate's names and the version. */
export interface EndpointListenTls {
  certificateNames: string[];
  version: '1.2' | '1.3';
}

/** A connection the endpoint opens: to `host:port`, over TLS naming `serverName` when `tls` is given. */
export interface EndpointConnectTarget {
  host: string;
  port: number;
  tls?: { serverName: string; version: '1.2' | '1.3' };
}

export interface EndpointTransport {
  /** Accepts connections on `port`; each is handed to `accept` (its handshakes may still be under way). */
  listen(port: number, accept: (conn: Connection) => void, tls?: EndpointListenTls): void;
  /** Opens a connection. */
  connect(target: EndpointConnectTarget): Connection;
  /** Lets the transport tell the endpoint its host crashed or restarted (simulated hosts only). */
  onLifecycle?(crash: () => void, restart: () => void): void;
}

/** A simulated host of src/net/ as an endpoint's transport. */
export function endpointHostTransport(host: Host): EndpointTransport {
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
