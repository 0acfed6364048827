/**
 * Relays: the profile's settings, then `defaults.relay` and the node's own (or a `set` event's)
 * over them; Expires bounds checked on the settings the relay ends up with.
 */
import { formatDuration } from './units.js';
import type { Path } from './problems.js';
import { origin, type NormalizeContext } from './normalize-context.js';
import { BUILTIN, bytes, relayProfileDefaults, secs, tlsVersion, us, type RawRelay } from './normalize-defaults.js';
import type { RelayProfileName, ScenarioRelay } from './types.js';

function relayProfile(cx: NormalizeContext, raw: RawRelay, defaults: RawRelay): RelayProfileName {
  return cx.options.profile ?? raw.profile ?? defaults.profile ?? 'rfc4976';
}

export function relayBase(cx: NormalizeContext, id: string, raw: RawRelay, defaults: RawRelay): ScenarioRelay {
  const host = cx.hostOf.get(id)!;
  const base: ScenarioRelay = {
    id,
    role: 'relay',
    host,
    address: null,
    port: BUILTIN.port,
    scheme: 'msrps',
    tls: { version: '1.3' },
    certificateNames: [host],
    realm: host,
    users: {},
    ...relayProfileDefaults(relayProfile(cx, raw, defaults)),
    profile: relayProfile(cx, raw, defaults),
    live: null,
    listen: null,
  };
  return applyRelay(cx, base, { ...defaults, profile: base.profile }, ['defaults', 'relay']);
}

export function applyRelay(cx: NormalizeContext, base: ScenarioRelay, raw: RawRelay, path: Path): ScenarioRelay {
  const n: ScenarioRelay = { ...base, tls: { ...base.tls }, expires: { ...base.expires }, users: { ...base.users } };
  if (raw.address !== undefined) n.address = raw.address;
  if (raw.port !== undefined) n.port = raw.port;
  if (raw.scheme !== undefined) n.scheme = raw.scheme;
  if (raw.tls?.version !== undefined) n.tls.version = tlsVersion(raw.tls.version);
  if (raw.certificateNames !== undefined) n.certificateNames = [...raw.certificateNames];
  if (raw.realm !== undefined) n.realm = raw.realm;
  if (raw.users !== undefined) n.users = { ...raw.users };
  if (raw.expires !== undefined) {
    if (raw.expires.min !== undefined) n.expires.min = secs(raw.expires.min);
    if (raw.expires.default !== undefined) n.expires.default = secs(raw.expires.default);
    if (raw.expires.max !== undefined) n.expires.max = secs(raw.expires.max);
  }
  if (raw.maxChunk !== undefined) {
    n.maxChunk = bytes(raw.maxChunk);
    if (n.maxChunk === 0) cx.err([...path, 'maxChunk'], 'a chunk needs at least 1 byte');
  }
  if (raw.probation !== undefined) n.probation = us(raw.probation);
  if (raw.maxFailedAuths !== undefined) n.maxFailedAuths = raw.maxFailedAuths;
  if (raw.nonceLifetime !== undefined) n.nonceLifetime = us(raw.nonceLifetime);
  if (raw.idleLimit !== undefined) {
    n.idleLimit = us(raw.idleLimit);
    if (n.idleLimit === 0) cx.err([...path, 'idleLimit'], 'an idle limit of 0 would close every connection at once; leave `idleLimit` out to keep idle connections');
  }
  if (raw.transactionTimeout !== undefined) n.transactionTimeout = us(raw.transactionTimeout);
  if (raw.profile !== undefined) n.profile = cx.options.profile ?? raw.profile;
  return n;
}

/** Expires bounds in order, on the settings a relay ends up with. */
export function checkExpires(cx: NormalizeContext, node: ScenarioRelay, layers: [object | undefined, Path][]): void {
  const e = node.expires;
  if (e.min <= e.default && e.default <= e.max) return;
  const at = origin(['expires'], layers);
  if (at !== undefined) cx.err(at, `Expires bounds must be in order min <= default <= max; they are ${formatDuration(e.min)}, ${formatDuration(e.default)} and ${formatDuration(e.max)}`);
}
