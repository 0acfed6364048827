/** The order of the lanes in the ladder and the Mermaid diagram. */
import type { LinkFacts, NodeFacts } from './flow-model.js';
import type { NodeRole } from './topology-info.js';

const ROLE_RANK: Record<NodeRole, number> = { sender: 0, endpoint: 2, receiver: 2, relay: 1, firewall: 1, host: 1 };

/**
 * Lane order: senders first (declaration order), then the other nodes by hop distance from the
 * senders (relays and firewalls between), receivers and other endpoints last.
 */
export function laneOrder(nodes: NodeFacts[], links: LinkFacts[]): string[] {
  const adj = new Map<string, string[]>();
  for (const l of links) {
    (adj.get(l.a) ?? adj.set(l.a, []).get(l.a)!).push(l.b);
    (adj.get(l.b) ?? adj.set(l.b, []).get(l.b)!).push(l.a);
  }
  const byOrder = [...nodes].sort((x, y) => x.order - y.order);
  let roots = byOrder.filter((n) => n.role === 'sender');
  if (roots.length === 0) roots = byOrder.filter((n) => n.role === 'endpoint' || n.role === 'receiver').slice(0, 1);
  if (roots.length === 0) roots = byOrder.slice(0, 1);
  const dist = new Map<string, number>();
  const queue: string[] = [];
  for (const r of roots) {
    dist.set(r.id, 0);
    queue.push(r.id);
  }
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const next = [...(adj.get(id) ?? [])].sort((a, b) => orderOf(byOrder, a) - orderOf(byOrder, b));
    for (const n of next) {
      if (dist.has(n)) continue;
      dist.set(n, dist.get(id)! + 1);
      queue.push(n);
    }
  }
  const rootIds = new Set(roots.map((r) => r.id));
  const rank = (n: NodeFacts): number => (rootIds.has(n.id) ? 0 : ROLE_RANK[n.role] === 0 ? 2 : ROLE_RANK[n.role]);
  return byOrder
    .slice()
    .sort((x, y) => rank(x) - rank(y) || (dist.get(x.id) ?? 1e9) - (dist.get(y.id) ?? 1e9) || x.order - y.order)
    .map((n) => n.id);
}

function orderOf(nodes: NodeFacts[], id: string): number {
  const i = nodes.findIndex((n) => n.id === id);
  return i < 0 ? 1e9 : i;
}
