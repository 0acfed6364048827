/** `set` events: the settings a node of each role may change during a run, applied over its current ones. */
import type { ScenarioFileEvent } from './definition.js';
import type { Path } from './problems.js';
import { article, type NormalizeContext } from './normalize-context.js';
import type { RawEndpoint, RawFirewall, RawRelay } from './normalize-defaults.js';
import { applyEndpoint, checkChunking } from './normalize-endpoint.js';
import { applyFirewall } from './normalize-firewall.js';
import { applyRelay, checkExpires } from './normalize-relay.js';
import type { ScenarioNode, SetAction } from './types.js';

const ROLE_SETTABLE: Record<'endpoint' | 'relay' | 'firewall', readonly string[]> = {
  endpoint: ['acceptTypes', 'acceptWrappedTypes', 'maxSize', 'chunkSize', 'chunkStrategy', 'successReport', 'failureReport', 'transactionTimeout', 'authExpires', 'connectionModel', 'reachable', 'onSessionFailure', 'password', 'certificateNames'],
  relay: ['users', 'realm', 'certificateNames', 'expires', 'maxChunk', 'probation', 'maxFailedAuths', 'nonceLifetime', 'idleLimit', 'transactionTimeout', 'profile'],
  firewall: ['rules', 'default', 'idleTimeout', 'idleMode', 'policy'],
};

export function setEvent(cx: NormalizeContext, set: NonNullable<ScenarioFileEvent['set']>, path: Path, current: Map<string, ScenarioNode>): SetAction | undefined {
  const raw = cx.ref([...path, 'node'], set.node, null);
  const node = current.get(set.node);
  if (raw === undefined || node === undefined) return undefined;
  const kind = node.role === 'relay' || node.role === 'firewall' ? node.role : 'endpoint';
  const allowed = ROLE_SETTABLE[kind];
  const changed = Object.keys(set).filter((k) => k !== 'node');
  let ok = true;
  for (const k of changed) {
    if (kind === 'firewall' && k === 'nat') {
      // The outside address and the mappings are fixed when the run starts.
      cx.err([...path, k], '`nat` cannot change during a run: a firewall\'s NAT and outside address are set when the run starts; give `nat` in the node\'s settings', 'key');
      ok = false;
      continue;
    }
    if (!allowed.includes(k)) {
      cx.err([...path, k], `\`${k}\` is not a setting of ${article(node.role)}; ${article(node.role)} can change ${allowed.map((a) => `\`${a}\``).join(', ')}`, 'key');
      ok = false;
    }
  }
  if (changed.length === 0) {
    cx.err(path, `\`set\` needs a setting to change besides \`node\`; for ${article(node.role)}: ${allowed.map((a) => `\`${a}\``).join(', ')}`, 'key');
    return undefined;
  }
  if (!ok) return undefined;
  let settings: ScenarioNode;
  if (node.role === 'relay') {
    settings = applyRelay(cx, node, set as RawRelay, path);
    if (set.expires !== undefined) checkExpires(cx, settings, [[set, path]]);
  } else if (node.role === 'firewall') settings = applyFirewall(cx, node, set as RawFirewall, path);
  else {
    settings = applyEndpoint(cx, node, set as RawEndpoint, path);
    if (set.chunkSize !== undefined || set.chunkStrategy !== undefined) checkChunking(cx, settings, [[set, path]]);
  }
  current.set(set.node, settings);
  return { action: 'set', node: set.node, changed, settings };
}
