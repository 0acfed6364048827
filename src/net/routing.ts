/**
 * Routing: shortest path by total latency; among equal-latency paths, the one whose sequence of
 * node ids is lexicographically smallest (compared from the source). With positive link weights
 * that choice is consistent hop by hop: the best path from s is s followed by the best path from
 * the neighbour that has the smallest id among those on a shortest path. So a route is found by a
 * Dijkstra search outward from the destination, stopped once the source is settled, then a walk
 * from the source taking that smallest-id neighbour at each step; and a node that re-routes a
 * segment in flight picks the same continuation the source would have.
 *
 * A link of 0 µs latency counts as 1 µs, so that every step makes progress. Links that are down
 * or cut by a partition are not used, and neither are crashed hosts, except as the destination
 * (segments to a crashed host travel and are lost there, as they would be).
 *
 * Routes are computed on demand and cached until the topology changes (`invalidate`).
 */
import type { NetCore, NetDirection, NetNode, NetRouting, Route } from './net-contracts.js';

export type { Route } from './net-contracts.js';

function weight(dir: NetDirection): number {
  const l = dir.link.options.latency;
  return l > 0 ? l : 1;
}

/** A small binary heap of (distance, node) pairs. */
class NodeHeap {
  private readonly d: number[] = [];
  private readonly n: NetNode[] = [];

  get size(): number {
    return this.d.length;
  }

  push(dist: number, node: NetNode): void {
    const d = this.d;
    const n = this.n;
    let i = d.length;
    d.push(dist);
    n.push(node);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (d[p]! <= dist) break;
      d[i] = d[p]!;
      n[i] = n[p]!;
      i = p;
    }
    d[i] = dist;
    n[i] = node;
  }

  /** Smallest distance waiting (call only when not empty). */
  peek(): number {
    return this.d[0]!;
  }

  pop(): NetNode {
    const d = this.d;
    const n = this.n;
    const top = n[0]!;
    const lastD = d.pop()!;
    const lastN = n.pop()!;
    const size = d.length;
    if (size > 0) {
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && d[r]! < d[l]! ? r : l;
        if (d[c]! >= lastD) break;
        d[i] = d[c]!;
        n[i] = n[c]!;
        i = c;
      }
      d[i] = lastD;
      n[i] = lastN;
    }
    return top;
  }
}

export class Routing implements NetRouting {
  private _version = 0;
  private readonly cache = new Map<string, Route | null>();
  /** The last path recorded per (source, destination), so `net.route` says when one changed. */
  private readonly recorded = new Map<string, string>();

  constructor(private readonly core: NetCore) {}

  /** Bumped on every topology change; routes computed before are stale. */
  get version(): number {
    return this._version;
  }

  invalidate(): void {
    this._version++;
    this.cache.clear();
  }

  /** The route from `from` to `to` under the current topology, or null when there is none. */
  route(from: NetNode, to: NetNode): Route | null {
    const key = `${from.id}\0${to.id}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const route = from === to ? null : this.compute(from, to);
    this.cache.set(key, route);
    const path = route === null ? '' : route.nodes.map((n) => n.id).join(' ');
    if (this.recorded.get(key) !== path) {
      this.recorded.set(key, path);
      this.core.sim.trace.emit(from.id, 'net.route', {
        dst: to.id,
        path: route === null ? null : route.nodes.map((n) => n.id),
        latency: route === null ? null : route.latency,
      });
    }
    return route;
  }

  private compute(from: NetNode, to: NetNode): Route | null {
    // Dijkstra from the destination; links are symmetric, so distances to `to` are distances from it.
    const settled = new Map<NetNode, number>();
    const best = new Map<NetNode, number>();
    const heap = new NodeHeap();
    best.set(to, 0);
    heap.push(0, to);
    while (heap.size > 0) {
      const dist = heap.peek();
      const node = heap.pop();
      if (settled.has(node)) continue;
      settled.set(node, dist);
      // Weights are at least 1, so every node the walk below may step to is strictly closer to the
      // destination than the source and already settled.
      if (node === from) break;
      if (node !== to && !node.up) continue; // a crashed host forwards nothing
      for (const dir of node.out) {
        if (!dir.link.usable) continue;
        const next = dir.to;
        if (settled.has(next)) continue;
        if (next !== from && !next.up) continue;
        const nd = dist + weight(dir);
        const old = best.get(next);
        if (old === undefined || nd < old) {
          best.set(next, nd);
          heap.push(nd, next);
        }
      }
    }
    const total = settled.get(from);
    if (total === undefined) return null;
    const nodes: NetNode[] = [from];
    const hops: NetDirection[] = [];
    let latency = 0;
    let mss = Infinity;
    let at = from;
    let remaining = total;
    while (at !== to) {
      let step: NetDirection | null = null;
      for (const dir of at.out) {
        if (!dir.link.usable) continue;
        const d = settled.get(dir.to);
        if (d !== undefined && d + weight(dir) === remaining && (dir.to === to || dir.to.up)) {
          step = dir; // `out` is sorted by neighbour id: the first candidate is the smallest
          break;
        }
      }
      if (step === null) return null; // cannot happen with a consistent search; be safe
      hops.push(step);
      nodes.push(step.to);
      latency += step.link.options.latency;
      if (step.link.options.mss < mss) mss = step.link.options.mss;
      remaining -= weight(step);
      at = step.to;
    }
    return { version: this._version, nodes, hops, latency, mss };
  }
}
