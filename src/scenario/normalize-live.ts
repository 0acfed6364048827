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
import type { ScenarioRelayLive } from './types.js';

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

/** The live settings of relay `id`: the file's `live`, with the command line's address over it. */
export function liveRelay(cx: NormalizeContext, id: string, raw: RawRelay, path: Path): ScenarioRelayLive | null {
  const override = cx.options.live?.[id];
  const written = raw.live;
  if (written === undefined && override === undefined) {
    // `live` written with problems of its own (reported where they are): still a live relay, so
    // that the checks that follow do not ask for links to it.
    if (cx.pos.get([...path, 'live']) === undefined) return null;
    return { connect: { host: '', port: 0 }, ca: null, serverName: null, clientCert: null, clientKey: null };
  }
  let connect = override ?? null;
  if (connect === null && written !== undefined) {
    connect = parseHostPort(written.connect);
    if (connect === null) cx.err([...path, 'live', 'connect'], `\`${written.connect}\` is no address a relay can listen on: write host:port with a port from 1 to 65535`);
  }
  if (written !== undefined && (written.clientCert === undefined) !== (written.clientKey === undefined)) {
    const missing = written.clientCert === undefined ? 'clientCert' : 'clientKey';
    cx.err([...path, 'live', written.clientCert === undefined ? 'clientKey' : 'clientCert'], `a client certificate needs its key and the key its certificate: \`${missing}\` is missing`, 'key');
  }
  return {
    // With its address wrong (reported), it is still a live relay for the checks that follow.
    connect: connect ?? { host: written?.connect ?? '', port: 0 },
    ca: written?.ca ?? null,
    serverName: written?.serverName ?? null,
    clientCert: written?.clientCert ?? null,
    clientKey: written?.clientKey ?? null,
  };
}

/** Whether node `id` is a live relay. */
export function isLive(cx: NormalizeContext, id: string): boolean {
  const n = cx.nodes.get(id);
  return n !== undefined && n.role === 'relay' && n.live !== null;
}

/** Refuses what cannot apply to a live relay: links, firewalls, faults, `set`, raw bytes to it by id. */
export function checkLive(cx: NormalizeContext, file: Partial<ScenarioFile>): void {
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
