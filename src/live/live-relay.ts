/**
 * A simulated relay for real clients (`msrp-sim relay`): the real RelayNode with its protocol
 * machines and profile, its connections real sockets (SocketNetwork), its clock the kernel's
 * scheduler driven in wall-clock time (RealtimeDriver). Every decision is a trace record with its
 * rule, as in a simulated run.
 */
import type { TlsOptions } from 'node:tls';
import { NodeContext } from '../nodes/node-context.js';
import { RelayNode, type RelayOptions } from '../nodes/relay/relay-node.js';
import type { NodeTransport } from '../nodes/node-transport.js';
import type { Connection } from '../nodes/seams.js';
import type { RelayProfileName } from '../protocol/relay-profile.js';
import { Simulation } from '../sim/simulation.js';
import type { AnyTraceRecord } from '../sim/trace.js';
import type { Micros } from '../sim/time.js';
import { RealtimeDriver, type LiveOutcome } from './realtime-driver.js';
import { SocketNetwork } from './socket-network.js';
import type { SocketConnectionOptions } from './socket-connection.js';
import '../nodes/trace-types.js';
import '../nodes/relay/trace-types.js';

export interface LiveRelayOptions {
  /** Node id in the trace (default `relay`). */
  id?: string;
  /** Where to listen (127.0.0.1 unless told otherwise; port 0 picks a free one). */
  listen: { host: string; port: number };
  /** The host name in the relay's URI and Use-Path (default: the listen address). */
  host?: string;
  profile: RelayProfileName;
  realm: string;
  users: Record<string, string>;
  /** Serve msrps with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** How long to run (virtual = wall time, µs); Infinity: until stop(). */
  duration: Micros;
  /** Wall-clock limit (ms); default duration + 10 s. */
  wallLimitMs?: number;
  seed: string | number;
  /** Every trace record, as it is made (the CLI's outputs and its line per frame). */
  onRecord?: (record: AnyTraceRecord) => void;
  /** Socket limits (unread bytes of a peer that stops reading, stall time). */
  sockets?: SocketConnectionOptions;
  /** Further relay settings (tunables, idle limit, transaction timeout). */
  relay?: Partial<RelayOptions>;
}

export interface LiveRelay {
  /** The address it listens on. */
  address: { host: string; port: number };
  /** Its URI, as clients configure it. */
  uri: string;
  /** Resolves when the run has ended and every socket is closed. */
  done: Promise<LiveOutcome>;
  /** Ends the run (Ctrl-C). */
  stop(why: string): void;
  readonly node: RelayNode;
}

/** Starts a live relay; resolves once it listens. */
export async function startLiveRelay(options: LiveRelayOptions): Promise<LiveRelay> {
  const id = options.id ?? 'relay';
  const sim = new Simulation({ seed: options.seed });
  if (options.onRecord) sim.trace.addSink(options.onRecord);
  const driver = new RealtimeDriver(sim, { duration: options.duration, ...(options.wallLimitMs !== undefined ? { wallLimitMs: options.wallLimitMs } : {}) });
  const network = new SocketNetwork(sim, driver, options.sockets);
  let accept: ((conn: Connection) => void) | null = null;
  const tls: TlsOptions | undefined = options.tls ? { cert: options.tls.cert, key: options.tls.key, requestCert: true, rejectUnauthorized: false } : undefined;
  // Bound before the relay is made: its URI names the port actually bound.
  const bound = await network.listen(id, options.listen, (conn) => accept?.(conn), tls ? { tls } : {});
  const transport: NodeTransport = {
    listen: (_port, onAccept) => {
      accept = onAccept;
    },
    connect: (target) => network.connect(id, { host: target.host, port: target.port }, target.tls ? { servername: target.tls.serverName, rejectUnauthorized: false } : undefined),
  };
  const relayOptions: RelayOptions = {
    host: options.host ?? bound.host,
    port: bound.port,
    scheme: options.tls ? 'msrps' : 'msrp',
    realm: options.realm,
    users: options.users,
    maxChunk: Number.POSITIVE_INFINITY,
    idleLimit: Number.POSITIVE_INFINITY,
    transactionTimeout: 30_000_000,
    profile: options.profile,
    tlsVersion: '1.3',
    ...options.relay,
  };
  const node = new RelayNode(new NodeContext(id, sim), transport, relayOptions);
  sim.scheduler.at(0, () => node.start());
  const done = driver.run();
  return { address: bound, uri: node.uri, done, stop: (why) => driver.stop(why), node };
}
