/** The order of the lanes in the ladder and the Mermaid diagram. */
import type { LinkFacts, NodeFacts } from './flow-model.js';
import type { NodeRole } from './topology-info.js';

const ROLE_RANK: Record<NodeRole, number> = { sender: 0, endpoint: 2, receiver: 2, relay: 1, firewall: 1, host: 1 };

/** The nodes hop distances are counted from: the senders, else the first endpoint, else the first node. */
function roots(byOrder: NodeFacts[]): NodeFacts[] {
  let found = byOrder.filter((n) => n.role === 'sender');
  if (found.length === 0) found = byOrder.filter((n) => n.role === 'endpoint' || n.role === 'receiver').slice(0, 1);
  if (found.length === 0) found = byOrder.slice(0, 1);
  return found;
}

/** Hop distance of each node from the senders (or the first endpoint), over the links. */
export function hopDistances(nodes: NodeFacts[], links: LinkFacts[]): Map<string, number> {
  const adj = new Map<string, string[]>();
  for (const l of links) {
    (adj.get(l.a) ?? adj.set(l.a, []).get(l.a)!).push(l.b);
    (adj.get(l.b) ?? adj.set(l.b, []).get(l.b)!).push(l.a);
  }
  const queue = roots([...nodes].sort((x, y) => x.order - y.order)).map((r) => r.id);
  const dist = new Map<string, number>();
  for (const id of queue) dist.set(id, 0);
  // Breadth first: a node's distance does not depend on the order its neighbours are visited in.
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const n of adj.get(id) ?? []) {
      if (dist.has(n)) continue;
      dist.set(n, dist.get(id)! + 1);
      queue.push(n);
    }
  }
  return dist;
}

/**
 * Lane order: senders first (declaration order), then the other nodes by hop distance from the
 * senders (relays and firewalls between), receivers and other endpoints last.
 */
export function laneOrder(nodes: NodeFacts[], links: LinkFacts[]): string[] {
  const byOrder = [...nodes].sort((x, y) => x.order - y.order);
  const dist = hopDistances(nodes, links);
  const rootIds = new Set(roots(byOrder).map((r) => r.id));
  const rank = (n: NodeFacts): number => (rootIds.has(n.id) ? 0 : ROLE_RANK[n.role] === 0 ? 2 : ROLE_RANK[n.role]);
  return byOrder
    .slice()
    .sort((x, y) => rank(x) - rank(y) || (dist.get(x.id) ?? 1e9) - (dist.get(y.id) ?? 1e9) || x.order - y.order)
    .map((n) => n.id);
}
