/**
 * A scenario run in live mode: its simulated endpoints (and any simulated relays, firewalls and
 * links between them) run in the kernel as in a simulated run, driven in wall-clock time by the
 * RealtimeDriver; the connections an endpoint opens to a live relay (a relay of the scenario
 * marked `live: { connect: HOST:PORT }`, or `msrp-sim run --live ID=HOST:PORT`) are real sockets
 * (SocketNetwork), TLS for `msrps`. SIP signalling between the simulated endpoints stays
 * simulated. A simulated relay marked `live: { listen: HOST:PORT }` also accepts real clients on
 * that address, as `msrp-sim relay` does, beside the simulated connections it serves. Expectations
 * are checked as in a simulated run; the trace holds the bytes that crossed the sockets
 * (`live.bytes`), from which the capture is made.
 */
import type { ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import type { Host } from '../net/index.js';
import type { Connection } from '../nodes/seams.js';
import { hostTransport, type NodeTransport } from '../nodes/node-transport.js';
import { prepareRun, type RunOptions, type RunResult } from '../scenario/run.js';
import type { Scenario, ScenarioRelay } from '../scenario/types.js';
import { listeningRelays, liveRelays } from '../scenario/live-relays.js';
import type { RunOutcome } from '../sim/scheduler.js';
import { RealtimeDriver, type LiveOutcome } from './realtime-driver.js';
import { SocketNetwork } from './socket-network.js';
import type { SocketConnectionOptions } from './socket-connection.js';

/** The TLS material for the connections to one live relay (PEM contents, read by the caller). */
export interface LiveRelayTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface LiveScenarioOptions extends RunOptions {
  /** TLS material by live relay id (its `ca`, `clientCert`, `clientKey` files, read). */
  tls?: Readonly<Record<string, LiveRelayTls>>;
  /** The certificate and key (PEM) each listening `msrps` relay presents to real clients, by relay id. */
  listenTls?: Readonly<Record<string, { cert: string | Buffer; key: string | Buffer }>>;
  /** Wall-clock limit (ms); default: the run's length plus 10 s. */
  wallLimitMs?: number;
  /** Socket limits (unread bytes of a peer that stops reading, stall time). */
  sockets?: SocketConnectionOptions;
}

export interface LiveScenarioResult extends RunResult {
  /** How the live run ended (the wall-clock limit included). */
  live: LiveOutcome;
}

const key = (host: string, port: number): string => `${host.toLowerCase()}:${port}`;

/** Runs `scenario` in wall-clock time with its live relays reached over real sockets. */
export async function runLiveScenario(scenario: Scenario, options: LiveScenarioOptions = {}): Promise<LiveScenarioResult> {
  const live = new Map<string, ScenarioRelay>();
  for (const r of liveRelays(scenario)) {
    live.set(key(r.live!.connect.host, r.live!.connect.port), r);
    // Its URI may name it by its server name: that name and port lead to the same address.
    if (r.live!.serverName !== null) live.set(key(r.live!.serverName, r.live!.connect.port), r);
  }
  let sockets: SocketNetwork | null = null;
  const transport = (id: string, host: Host): NodeTransport => {
    const simulated = hostTransport(host);
    return {
      listen: simulated.listen,
      onLifecycle: simulated.onLifecycle!,
      connect: (target) => {
        const relay = live.get(key(target.host, target.port));
        if (relay === undefined || sockets === null) return simulated.connect(target);
        return sockets.connect(id, relay.live!.connect, target.tls ? tlsOptions(relay, target.tls.serverName, options.tls?.[relay.id]) : undefined, relay.id);
      },
    };
  };
  const listening = new Map(listeningRelays(scenario).map((r) => [r.id, r]));
  const relayTransport = (id: string, host: Host): NodeTransport => {
    const simulated = hostTransport(host);
    const relay = listening.get(id);
    if (relay === undefined) return simulated;
    // Bound once, on the relay's first listen; the real accepts go to the relay's latest accept.
    let accept: ((conn: Connection) => void) | null = null;
    return {
      listen: (port, onAccept, tls) => {
        simulated.listen(port, onAccept, tls);
        if (accept === null && sockets !== null) {
          const material = options.listenTls?.[id];
          // A failure to bind is traced (live.listen-failed); the simulated side runs on.
          void sockets.listen(id, relay.listen!.address, (conn) => accept?.(conn), material ? { tls: { cert: material.cert, key: material.key, requestCert: true, rejectUnauthorized: false } } : {}).catch(() => undefined);
        }
        accept = onAccept;
      },
      connect: simulated.connect,
      onLifecycle: simulated.onLifecycle!,
    };
  };
  const run = prepareRun(scenario, options, { endpointTransport: transport, relayTransport });
  const driver = new RealtimeDriver(run.world.sim, { duration: run.until, ...(options.wallLimitMs !== undefined ? { wallLimitMs: options.wallLimitMs } : {}) });
  sockets = new SocketNetwork(run.world.sim, driver, options.sockets);
  const outcome = await driver.run();
  const kernel: RunOutcome = outcome.reason === 'wall-limit' ? { reason: 'stopped', time: outcome.time, events: outcome.events, why: 'the wall-clock limit' } : outcome;
  return { ...run.finish(kernel), live: outcome };
}

/** node:tls options for a connection to `relay`: its CA, SNI and client certificate. */
function tlsOptions(relay: ScenarioRelay, uriHost: string, material: LiveRelayTls | undefined): ConnectionOptions {
  const name = relay.live!.serverName ?? uriHost;
  return {
    // RFC 6066 §3: SNI carries host names only, never an address.
    ...(isIP(name) === 0 ? { servername: name } : {}),
    rejectUnauthorized: true,
    ...(material?.ca !== undefined ? { ca: material.ca } : {}),
    ...(material?.cert !== undefined ? { cert: material.cert } : {}),
    ...(material?.key !== undefined ? { key: material.key } : {}),
  };
}
