/** The `links` section, and the routes over them: connected components, firewalls bypassed. */
import { linkEndsKey, type NormalizeContext } from './normalize-context.js';
import { BUILTIN, bits, prob, us, type RawLinkSettings } from './normalize-defaults.js';
import type { LinkSettings } from './types.js';

export function linkSettings(base: LinkSettings, raw: RawLinkSettings): LinkSettings {
  return {
    latency: raw.latency !== undefined ? us(raw.latency) : base.latency,
    jitter: raw.jitter !== undefined ? us(raw.jitter) : base.jitter,
    bandwidth: raw.bandwidth !== undefined ? bits(raw.bandwidth) : base.bandwidth,
    loss: raw.loss !== undefined ? prob(raw.loss) : base.loss,
    mss: raw.mss ?? base.mss,
  };
}

export function buildLinks(cx: NormalizeContext, defaults: RawLinkSettings): void {
  const base = linkSettings(BUILTIN.link, defaults);
  (cx.file.links ?? []).forEach((l, i) => {
    if (l === undefined) return;
    const path = ['links', i];
    const [a, b] = [l[0], l[1]];
    const okA = cx.ref([...path, 0], a, null) !== undefined;
    const okB = cx.ref([...path, 1], b, null) !== undefined;
    if (a === b) {
      cx.err([...path, 1], `a link joins two different nodes; both ends are \`${a}\``);
      return;
    }
    if (!okA || !okB) return;
    const key = linkEndsKey(a, b);
    const first = cx.linkIndex.get(key);
    if (first !== undefined) {
      cx.err(path, `\`${a}\` and \`${b}\` are already linked at ${cx.line(['links', cx.linkFileIndex[first]!])}`);
      return;
    }
    cx.linkIndex.set(key, cx.links.length);
    cx.linkFileIndex.push(i);
    cx.links.push({ a, b, ...linkSettings(base, l.length === 3 ? l[2] : {}) });
  });
}

/** Connected components over the links (firewall rules aside: those act at run time). */
export function checkTopology(cx: NormalizeContext): void {
  const parent = new Map<string, string>();
  // Full path compression: every node on the way points at the root afterwards. (Pointing only
  // the first at it left chains as long as the node count in a star of 10,000 links: quadratic.)
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let y = x; y !== r; ) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  for (const id of cx.nodeIds) parent.set(id, id);
  for (const l of cx.links) parent.set(find(l.a), find(l.b));
  // Live relays are reached over real sockets: an endpoint reaches its live relays, and live
  // relays reach each other, without links.
  const live = (id: string): boolean => {
    const n = cx.nodes.get(id);
    return n !== undefined && n.role === 'relay' && n.live !== null;
  };
  let firstLive: string | null = null;
  for (const node of cx.nodes.values()) {
    if (live(node.id)) {
      if (firstLive === null) firstLive = node.id;
      else parent.set(find(node.id), find(firstLive));
    }
    if (node.role === 'sender' || node.role === 'receiver' || node.role === 'endpoint') {
      for (const r of node.relays) if (live(r.relay)) parent.set(find(node.id), find(r.relay));
    }
  }
  const ids = new Map<string, number>();
  for (const id of cx.nodeIds) {
    const root = find(id);
    if (!ids.has(root)) ids.set(root, ids.size);
    cx.component.set(id, ids.get(root)!);
  }
  const linked = new Set(cx.links.flatMap((l) => [l.a, l.b]));
  for (const node of cx.nodes.values()) {
    const path = ['nodes', node.id];
    const usesLive = live(node.id) || ((node.role === 'sender' || node.role === 'receiver' || node.role === 'endpoint') && node.relays.some((r) => live(r.relay)));
    if (cx.nodes.size > 1 && !linked.has(node.id) && !usesLive) cx.warn(path, `\`${node.id}\` has no links`, 'key');
    if (node.role === 'sender' || node.role === 'receiver' || node.role === 'endpoint') {
      node.relays.forEach((r, i) => {
        if (cx.component.get(r.relay) !== cx.component.get(node.id)) {
          const p = cx.relayPaths.get(`${node.id}\0${r.relay}`) ?? [...path, 'relays', i];
          cx.err(p, `no route from \`${node.id}\` to its relay \`${r.relay}\` over the links`);
        }
      });
    }
  }
  // A link from inside a firewall to outside it that does not pass through the firewall.
  for (const [i, l] of cx.links.entries()) {
    for (const [x, y] of [
      [l.a, l.b],
      [l.b, l.a],
    ] as const) {
      const fw = cx.insideOf.get(x);
      if (fw !== undefined && y !== fw && cx.insideOf.get(y) !== fw && cx.insideOf.get(fw) !== y) {
        cx.warn(['links', cx.linkFileIndex[i]!], `\`${x}\` is inside firewall \`${fw}\` but this link joins it to \`${y}\`, which is not: traffic can bypass the firewall`);
      }
    }
  }
}
