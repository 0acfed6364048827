/** The `nodes` section: each node by its role, and hosts and addresses that must be unique. */
import type { ScenarioFile } from './definition.js';
import type { Path } from './problems.js';
import type { NormalizeContext } from './normalize-context.js';
import { applyEndpoint, checkChunking, checkCredentials, endpointBase } from './normalize-endpoint.js';
import { applyFirewall, checkInside, firewallBase } from './normalize-firewall.js';
import { applyRelay, checkExpires, relayBase } from './normalize-relay.js';
import { liveRelay } from './normalize-live.js';
import type { ScenarioEndpoint, ScenarioNode } from './types.js';

export function buildNodes(cx: NormalizeContext, defaults: NonNullable<ScenarioFile['defaults']>): void {
  const seenHosts = new Map<string, string>();
  const seenAddresses = new Map<string, string>();
  for (const [id, raw] of cx.rawNodes) {
    const path = ['nodes', id];
    let node: ScenarioNode;
    if (raw.role === 'relay') {
      const base = relayBase(cx, id, raw, defaults.relay ?? {});
      node = applyRelay(cx, base, raw, path);
      const live = liveRelay(cx, id, raw, path);
      node.live = live.connect;
      node.listen = live.listen;
      checkExpires(cx, node, [
        [defaults.relay, ['defaults', 'relay']],
        [raw, path],
      ]);
    } else if (raw.role === 'firewall') {
      let fw = firewallBase(cx, id, raw);
      fw = applyFirewall(cx, fw, defaults.firewall ?? {}, ['defaults', 'firewall']);
      node = applyFirewall(cx, fw, raw, path);
      checkInside(cx, fw.id, raw.inside, path);
    } else {
      let ep = endpointBase(cx, id, raw.role);
      ep = applyEndpoint(cx, ep, defaults.endpoint ?? {}, ['defaults', 'endpoint']);
      if (raw.role !== 'endpoint') ep = applyEndpoint(cx, ep, defaults[raw.role] ?? {}, ['defaults', raw.role]);
      node = applyEndpoint(cx, ep, raw, path);
      checkChunking(cx, node, [
        [defaults.endpoint, ['defaults', 'endpoint']],
        [raw.role === 'endpoint' ? undefined : defaults[raw.role], ['defaults', raw.role]],
        [raw, path],
      ]);
      if (node.relays.length > 0 || raw.password !== undefined) checkCredentials(cx, node as ScenarioEndpoint, path);
    }
    cx.nodes.set(id, node);
    const hostKey = node.host.toLowerCase();
    const other = seenHosts.get(hostKey);
    if (other !== undefined) {
      const where: Path = raw.host !== undefined ? [...path, 'host'] : path;
      cx.err(where, `host \`${node.host}\` is also the host of \`${other}\`; each node needs its own host name`, raw.host !== undefined ? 'value' : 'key');
    } else seenHosts.set(hostKey, id);
    if (node.address !== null) {
      const same = seenAddresses.get(node.address);
      // Two hosts with one address cannot both be reached: the network refuses to build such a world.
      if (same !== undefined) cx.err([...path, 'address'], `address ${node.address} is also the address of \`${same}\`; \`${id}\` needs an address of its own`);
      else seenAddresses.set(node.address, id);
    }
  }
}
