/**
 * Firewalls: built-in settings, `defaults.firewall` and the node's own (or a `set` event's) over
 * them; rules with their ids and hosts, and the nodes inside.
 */
import { didYouMean } from './problems.js';
import type { Path } from './problems.js';
import type { NormalizeContext } from './normalize-context.js';
import { BUILTIN, bytes, us, type RawFirewall } from './normalize-defaults.js';
import type { ScenarioFirewall, ScenarioFirewallRule } from './types.js';

export function firewallBase(cx: NormalizeContext, id: string, raw: RawFirewall): ScenarioFirewall {
  return {
    id,
    role: 'firewall',
    host: cx.hostOf.get(id)!,
    address: null,
    inside: (raw.inside ?? []).filter((x): x is string => typeof x === 'string'),
    rules: [],
    default: { inbound: 'deny', outbound: 'allow', mode: 'drop' },
    idleTimeout: BUILTIN.firewallIdleTimeout,
    idleMode: 'drop',
    nat: null,
    policy: null,
  };
}

export function applyFirewall(cx: NormalizeContext, base: ScenarioFirewall, raw: RawFirewall, path: Path): ScenarioFirewall {
  const n: ScenarioFirewall = { ...base, default: { ...base.default } };
  if (raw.address !== undefined) n.address = raw.address;
  if (raw.default !== undefined) {
    if (typeof raw.default === 'string') n.default = { ...n.default, inbound: raw.default, outbound: raw.default };
    else n.default = { inbound: raw.default.inbound ?? n.default.inbound, outbound: raw.default.outbound ?? n.default.outbound, mode: raw.default.mode ?? n.default.mode };
  }
  if (raw.idleTimeout !== undefined) n.idleTimeout = us(raw.idleTimeout);
  if (raw.idleMode !== undefined) n.idleMode = raw.idleMode;
  if (raw.nat !== undefined) n.nat = raw.nat === false ? null : raw.nat === true ? { address: null } : { address: raw.nat.address ?? null };
  if (raw.policy !== undefined) {
    const p = raw.policy;
    const old = n.policy;
    n.policy = {
      maxFrame: p.maxFrame !== undefined ? bytes(p.maxFrame) : (old?.maxFrame ?? null),
      methods: p.methods !== undefined ? p.methods.filter((m) => m !== undefined) : (old?.methods ?? null),
      contentTypes: p.contentTypes !== undefined ? p.contentTypes.filter((t) => t !== undefined) : (old?.contentTypes ?? null),
      action: p.action ?? old?.action ?? 'drop',
    };
  }
  if (raw.rules !== undefined) n.rules = rules(cx, raw.rules, [...path, 'rules']);
  return n;
}

function rules(cx: NormalizeContext, raw: NonNullable<RawFirewall['rules']>, path: Path): ScenarioFirewallRule[] {
  const out: ScenarioFirewallRule[] = [];
  const ids = new Map<string, number>();
  raw.forEach((r, i) => {
    if (r === undefined) return;
    const p = [...path, i];
    const action = r.allow !== undefined ? 'allow' : 'deny';
    const direction = r.allow ?? r.deny ?? 'any';
    if (action === 'allow' && r.mode !== undefined) cx.err([...p, 'mode'], '`mode` says how a `deny` rule denies; an `allow` rule has none', 'key');
    const id = r.id ?? `rule-${i + 1}`;
    const first = ids.get(id);
    if (first !== undefined) cx.err(r.id !== undefined ? [...p, 'id'] : p, `rule id \`${id}\` is also the id of rule ${first + 1}`);
    else ids.set(id, i);
    let host: string | null = null;
    if (r.host !== undefined) {
      const nodeHost = cx.hostOf.get(r.host);
      const known = [...cx.hostOf.values()].some((h) => h.toLowerCase() === r.host!.toLowerCase());
      if (nodeHost !== undefined) host = nodeHost;
      else {
        host = r.host;
        if (!known && !/^\d+\.\d+\.\d+\.\d+$/u.test(r.host) && cx.nodesKnown) {
          cx.warn([...p, 'host'], `no node is \`${r.host}\` or has it as host${didYouMean(r.host, [...cx.nodeIds, ...cx.hostOf.values()])}`);
        }
      }
    }
    if (r.tlsOnly !== undefined && r['tls-only'] !== undefined) cx.err([...p, 'tls-only'], '`tls-only` is another spelling of `tlsOnly`; give only one of them', 'key');
    out.push({ id, action, direction, port: r.port ?? null, host, tlsOnly: r.tlsOnly ?? r['tls-only'] ?? false, mode: action === 'deny' ? (r.mode ?? 'drop') : null });
  });
  return out;
}

export function checkInside(cx: NormalizeContext, fw: string, inside: readonly (string | undefined)[], path: Path): void {
  const seen = new Set<string>();
  inside.forEach((id, i) => {
    if (id === undefined) return;
    const p = [...path, 'inside', i];
    if (id === fw) {
      cx.err(p, 'a firewall is not inside itself');
      return;
    }
    if (seen.has(id)) {
      cx.err(p, `\`${id}\` is already listed`);
      return;
    }
    seen.add(id);
    cx.ref(p, id, null);
    const other = cx.insideOf.get(id);
    if (other !== undefined && other !== fw) cx.err(p, `\`${id}\` is already inside firewall \`${other}\`; put firewall \`${fw}\` inside \`${other}\` instead`);
  });
}
