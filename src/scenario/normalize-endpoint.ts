/**
 * Endpoints (senders, receivers and endpoints): built-in settings, then `defaults.endpoint`, the
 * role's defaults and the node's own (or a `set` event's) over them; chunking and credentials
 * checked on the settings the endpoint ends up with.
 */
import type { Path } from './problems.js';
import { origin, type NormalizeContext } from './normalize-context.js';
import { BUILTIN, bytes, fr, secs, tlsVersion, us, yesNo, type RawEndpoint } from './normalize-defaults.js';
import { checkChunkSize } from './normalize-limits.js';
import type { ScenarioEndpoint, ScenarioRelayCredentials } from './types.js';

export function endpointBase(cx: NormalizeContext, id: string, role: ScenarioEndpoint['role']): ScenarioEndpoint {
  const host = cx.hostOf.get(id)!;
  return {
    id,
    role,
    host,
    address: null,
    port: BUILTIN.port,
    scheme: 'msrp',
    tls: { version: '1.3' },
    certificateNames: [host],
    relays: [],
    acceptTypes: ['*'],
    acceptWrappedTypes: [],
    maxSize: null,
    chunkSize: 2048,
    chunkStrategy: 'fixed',
    successReport: 'no',
    failureReport: 'yes',
    transactionTimeout: 30_000_000,
    authExpires: null,
    connectionModel: 'rfc4975',
    reachable: !cx.insideOf.has(id),
    onSessionFailure: 'report',
  };
}

export function applyEndpoint(cx: NormalizeContext, base: ScenarioEndpoint, raw: RawEndpoint, path: Path): ScenarioEndpoint {
  const n: ScenarioEndpoint = { ...base, tls: { ...base.tls }, relays: base.relays.map((r) => ({ ...r })) };
  if (raw.address !== undefined) n.address = raw.address;
  if (raw.port !== undefined) n.port = raw.port;
  if (raw.scheme !== undefined) n.scheme = raw.scheme;
  if (raw.tls?.version !== undefined) n.tls.version = tlsVersion(raw.tls.version);
  if (raw.certificateNames !== undefined) n.certificateNames = [...raw.certificateNames];
  if (raw.acceptTypes !== undefined) n.acceptTypes = raw.acceptTypes.filter((t) => t !== undefined);
  if (raw.acceptWrappedTypes !== undefined) n.acceptWrappedTypes = raw.acceptWrappedTypes.filter((t) => t !== undefined);
  if (raw.maxSize !== undefined) n.maxSize = bytes(raw.maxSize);
  if (raw.chunkSize !== undefined) {
    n.chunkSize = bytes(raw.chunkSize);
    if (n.chunkSize === 0) cx.err([...path, 'chunkSize'], 'a chunk needs at least 1 byte');
    checkChunkSize(cx, n.chunkSize, [...path, 'chunkSize']);
  }
  if (raw.chunkStrategy !== undefined) n.chunkStrategy = raw.chunkStrategy;
  if (raw.successReport !== undefined) n.successReport = yesNo(raw.successReport);
  if (raw.failureReport !== undefined) n.failureReport = fr(raw.failureReport);
  if (raw.transactionTimeout !== undefined) n.transactionTimeout = us(raw.transactionTimeout);
  if (raw.authExpires !== undefined) n.authExpires = secs(raw.authExpires);
  if (raw.connectionModel !== undefined) n.connectionModel = raw.connectionModel;
  if (raw.reachable !== undefined) n.reachable = raw.reachable;
  if (raw.onSessionFailure !== undefined) n.onSessionFailure = raw.onSessionFailure;
  if (raw.relays !== undefined) {
    const seen = new Set<string>();
    n.relays = [];
    raw.relays.forEach((r, i) => {
      if (r === undefined) return;
      const p = [...path, 'relays', i];
      const relay = typeof r === 'string' ? r : r.relay;
      const refPath = typeof r === 'string' ? p : [...p, 'relay'];
      if (cx.ref(refPath, relay, ['relay'], 'a relay') === undefined) return;
      if (path[0] === 'nodes') cx.relayPaths.set(`${base.id}\0${relay}`, refPath);
      if (seen.has(relay)) {
        cx.err(refPath, `relay \`${relay}\` is already in the list`);
        return;
      }
      seen.add(relay);
      const own = typeof r === 'string' ? undefined : r;
      n.relays.push({ relay, username: own?.username ?? base.id, password: own?.password ?? raw.password ?? null, ...(own?.digestUri === false ? { digestUri: false } : {}), ...(own?.authPerSession === true ? { authPerSession: true } : {}) });
    });
    // A session's own AUTH goes to one relay (AG Projects' client knows no chain of relays).
    if (n.relays.length > 1) {
      raw.relays.forEach((r, i) => {
        if (r !== undefined && typeof r !== 'string' && r.authPerSession === true) cx.err([...path, 'relays', i, 'authPerSession'], '`authPerSession` needs a single relay: each session AUTHs to its one relay on a connection of its own');
      });
    }
  } else if (raw.password !== undefined) {
    // `set: { password }`: the new password for every relay.
    for (const r of n.relays) r.password = raw.password;
  }
  return n;
}

/** W-31 on the settings a node ends up with, reported where the chunk size was chosen. */
export function checkChunking(cx: NormalizeContext, node: ScenarioEndpoint, layers: [object | undefined, Path][]): void {
  if (node.chunkSize <= 2048 || node.chunkStrategy !== 'fixed') return;
  const at = origin(['chunkSize'], layers) ?? origin(['chunkStrategy'], layers);
  if (at !== undefined) cx.warn(at, 'chunks of more than 2048 bytes must be interruptible (W-31, RFC 4975 §7.1.1); set `chunkStrategy: interruptible`');
}

export function checkCredentials(cx: NormalizeContext, node: ScenarioEndpoint, path: Path): void {
  node.relays.forEach((cred: ScenarioRelayCredentials, i) => {
    const relay = cx.rawNodes.get(cred.relay);
    if (relay?.role !== 'relay') return;
    const p = [...path, 'relays', i];
    if (cred.password === null) {
      cx.warn(p, `\`${node.id}\` has no password for relay \`${cred.relay}\`; its AUTH will fail (give \`password\`)`);
      return;
    }
    // A live relay's users are its own, not the file's (docs/live.md).
    if (relay.live !== undefined || cx.options.live?.[cred.relay] !== undefined) return;
    const users = relay.users ?? {};
    // A user written with problems of its own is reported there.
    if (cx.pos.get(['nodes', cred.relay, 'users', cred.username]) !== undefined && !Object.hasOwn(users, cred.username)) return;
    if (!Object.hasOwn(users, cred.username)) cx.warn(p, `relay \`${cred.relay}\` has no user \`${cred.username}\`; the AUTH of \`${node.id}\` will fail`);
    else if (users[cred.username] !== cred.password) cx.warn(p, `the password of \`${node.id}\` for relay \`${cred.relay}\` is not the one in its \`users\`; the AUTH will fail`);
  });
}
