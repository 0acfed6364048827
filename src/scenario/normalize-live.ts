/**
 * Live relays (docs/live.md): a relay of the scenario that is real, reached over real sockets at
 * `live.connect` (or `msrp-sim run --live ID=HOST:PORT`). What the simulator cannot do to a real
 * relay is refused here, where it is written: a link to it, a firewall around it, a fault or a
 * `set` on it, raw bytes sent to it by node id.
 */
import type { ScenarioFile } from './definition.js';
import type { Path } from './problems.js';
import type { NormalizeContext } from './normalize-context.js';
import type { RawRelay } from './normalize-defaults.js';
import type { ScenarioRelayListen, ScenarioRelayLive } from './types.js';

/** `host:port` split (`[v6]:port` too); null when the port is missing or out of range. */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const i = text.lastIndexOf(':');
  if (i <= 0) return null;
  const host = text.slice(0, i).replace(/^\[(.*)\]$/u, '$1');
  const digits = text.slice(i + 1);
  if (!/^[0-9]{1,5}$/u.test(digits)) return null;
  const port = Number(digits);
  if (port < 1 || port > 65535 || host === '') return null;
  return { host, port };
}

/**
 * The live settings of relay `id`: `connect` (a real relay: the file's `live.connect`, with the
 * command line's `--live ID=HOST:PORT` over it) or `listen` (a simulated relay with a real
 * listener for real clients), never both.
 */
export function liveRelay(cx: NormalizeContext, id: string, raw: RawRelay, path: Path): { connect: ScenarioRelayLive | null; listen: ScenarioRelayListen | null } {
  const override = cx.options.live?.[id];
  const written = raw.live;
  const none = { connect: null, listen: null };
  if (written === undefined && override === undefined) {
    // `live` written with problems of its own (reported where they are): still a live relay, so
    // that the checks that follow do not ask for links to it.
    if (cx.pos.get([...path, 'live']) === undefined) return none;
    return { connect: { connect: { host: '', port: 0 }, ca: null, serverName: null, clientCert: null, clientKey: null }, listen: null };
  }
  // A key written with a bad value (reported by the schema) counts as written.
  const connectWritten = written?.connect !== undefined || cx.pos.get([...path, 'live', 'connect']) !== undefined;
  // The command line makes the relay a real one, whatever the file says.
  if (written !== undefined && override === undefined && !connectWritten) return { connect: null, listen: listener(cx, written, [...path, 'live']) };
  if (written !== undefined && written.connect !== undefined && written.listen !== undefined) {
    cx.err([...path, 'live', 'listen'], 'a relay is either real (`connect`: msrp-sim reaches it over real sockets) or simulated with a real listener for real clients (`listen`), not both', 'key');
  }
  if (written !== undefined && override === undefined) {
    for (const k of ['cert', 'key'] as const) {
      if (written[k] !== undefined) cx.err([...path, 'live', k], `\`${k}\` is the certificate a listening relay presents (with \`listen\`); a real relay (\`connect\`) has its own: leave it out`, 'key');
    }
  }
  let connect = override ?? null;
  if (connect === null && written?.connect !== undefined) {
    connect = parseHostPort(written.connect);
    if (connect === null) cx.err([...path, 'live', 'connect'], `\`${written.connect}\` is no address a relay can listen on: write host:port with a port from 1 to 65535`);
  }
  if (written !== undefined && (written.clientCert === undefined) !== (written.clientKey === undefined)) {
    const missing = written.clientCert === undefined ? 'clientCert' : 'clientKey';
    cx.err([...path, 'live', written.clientCert === undefined ? 'clientKey' : 'clientCert'], `a client certificate needs its key and the key its certificate: \`${missing}\` is missing`, 'key');
  }
  return {
    connect: {
      // With its address wrong (reported), it is still a live relay for the checks that follow.
      connect: connect ?? { host: written?.connect ?? '', port: 0 },
      ca: written?.ca ?? null,
      serverName: written?.serverName ?? null,
      clientCert: written?.clientCert ?? null,
      clientKey: written?.clientKey ?? null,
    },
    listen: null,
  };
}

/** `live: { listen, cert?, key? }`: where a simulated relay listens for real clients. */
function listener(cx: NormalizeContext, written: NonNullable<RawRelay['live']>, path: Path): ScenarioRelayListen | null {
  if (written.listen === undefined) {
    // Written with a bad value: reported by the schema already.
    if (cx.pos.get([...path, 'listen']) !== undefined) return null;
    cx.err(path, 'live mode needs `connect` (a real relay msrp-sim reaches) or `listen` (this simulated relay also listens for real clients)');
    return null;
  }
  for (const k of ['ca', 'serverName', 'clientCert', 'clientKey'] as const) {
    if (written[k] !== undefined) cx.err([...path, k], `\`${k}\` is for reaching a real relay (with \`connect\`); a listening relay presents \`cert\` and \`key\``, 'key');
  }
  if ((written.cert === undefined) !== (written.key === undefined)) {
    cx.err([...path, written.cert === undefined ? 'key' : 'cert'], `a certificate needs its key and the key its certificate: \`${written.cert === undefined ? 'cert' : 'key'}\` is missing`, 'key');
  }
  const address = parseHostPort(written.listen);
  if (address === null) {
    cx.err([...path, 'listen'], `\`${written.listen}\` is no address to listen on: write host:port with a port from 1 to 65535`);
    return null;
  }
  return { address, cert: written.cert ?? null, key: written.key ?? null };
}

/** Whether node `id` is a live relay. */
export function isLive(cx: NormalizeContext, id: string): boolean {
  const n = cx.nodes.get(id);
  return n !== undefined && n.role === 'relay' && n.live !== null;
}

/** Refuses what cannot apply to a live relay: links, firewalls, faults, `set`, raw bytes to it by id. */
export function checkLive(cx: NormalizeContext, file: Partial<ScenarioFile>): void {
  checkListeners(cx, file);
  const live = [...cx.nodes.values()].filter((n) => n.role === 'relay' && n.live !== null).map((n) => n.id);
  if (live.length === 0) return;
  const why = (id: string): string => `\`${id}\` is a live relay (a real one, at ${address(cx, id)})`;
  for (const [i, l] of cx.links.entries()) {
    for (const id of [l.a, l.b]) {
      if (isLive(cx, id)) cx.err(['links', cx.linkFileIndex[i]!], `${why(id)}: simulated links cannot carry its traffic, which crosses real sockets; leave the link out`);
    }
  }
  for (const [id, raw] of cx.rawNodes) {
    if (raw.role !== 'firewall') continue;
    raw.inside.forEach((inner, j) => {
      if (typeof inner === 'string' && isLive(cx, inner)) cx.err(['nodes', id, 'inside', j], `${why(inner)}: a simulated firewall cannot stand in front of it`);
    });
  }
  (file.events ?? []).forEach((ev, i) => {
    if (ev === undefined || ev === null) return;
    const path: Path = ['events', i];
    const f = ev.fault;
    if (f !== undefined) {
      const refs: [Path, unknown][] = [
        [[...path, 'fault', 'crash'], f.crash],
        [[...path, 'fault', 'restart'], f.restart],
        [[...path, 'fault', 'expireTokens'], f.expireTokens],
        [[...path, 'fault', 'resetConnection', 'node'], f.resetConnection?.node],
        [[...path, 'fault', 'resetConnection', 'peer'], f.resetConnection?.peer],
      ];
      (f.partition ?? []).forEach((g, gi) => (g ?? []).forEach((id, j) => refs.push([[...path, 'fault', 'partition', gi, j], id])));
      for (const [p, id] of refs) {
        if (typeof id === 'string' && isLive(cx, id)) cx.err(p, `${why(id)}: simulated faults apply to simulated nodes and connections only`);
      }
    }
    if (ev.set !== undefined && typeof ev.set.node === 'string' && isLive(cx, ev.set.node)) cx.err([...path, 'set', 'node'], `${why(ev.set.node)}: its settings are its own, \`set\` cannot change them`);
    if (ev.raw !== undefined && typeof ev.raw.to === 'string' && isLive(cx, ev.raw.to)) cx.err([...path, 'raw', 'to'], `${why(ev.raw.to)}: raw bytes reach it on the sender's relay connection (leave \`to\` out)`);
  });
}

function address(cx: NormalizeContext, id: string): string {
  const n = cx.nodes.get(id);
  if (n === undefined || n.role !== 'relay' || n.live === null) return '?';
  const { host, port } = n.live.connect;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Relays with a real listener: two may not share an address, and none may crash or restart (its
 * real socket would stay open, and real clients would be accepted by a relay that is down).
 */
function checkListeners(cx: NormalizeContext, file: Partial<ScenarioFile>): void {
  const seen = new Map<string, string>();
  for (const n of cx.nodes.values()) {
    if (n.role !== 'relay' || n.listen === null) continue;
    const at = `${n.listen.address.host.toLowerCase()}:${n.listen.address.port}`;
    const other = seen.get(at);
    if (other !== undefined) cx.err(['nodes', n.id, 'live', 'listen'], `\`${other}\` listens on ${at} already: each listening relay needs an address of its own`);
    else seen.set(at, n.id);
    if (n.scheme === 'msrps' && n.listen.cert === null && n.listen.key === null) {
      cx.err(['nodes', n.id, 'live', 'listen'], `\`${n.id}\` serves msrps: real clients need a real certificate, so give \`cert\` and \`key\` (PEM files), or \`scheme: msrp\``);
    }
  }
  (file.events ?? []).forEach((ev, i) => {
    const f = ev?.fault;
    if (f === undefined) return;
    for (const kind of ['crash', 'restart'] as const) {
      const id = f[kind];
      const n = typeof id === 'string' ? cx.nodes.get(id) : undefined;
      if (n !== undefined && n.role === 'relay' && n.listen !== null) {
        cx.err(['events', i, 'fault', kind], `\`${n.id}\` listens for real clients (live.listen): its real socket cannot crash or restart with the simulated host; leave the fault out or the listener`);
      }
    }
  });
}
