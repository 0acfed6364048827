/** `fault` events, and the event that undoes a fault given `for`. */
import type { ScenarioFileFault } from './definition.js';
import type { Path } from './problems.js';
import type { NormalizeContext } from './normalize-context.js';
import { linkSettings } from './normalize-links.js';
import type { Fault, LinkRef, LinkSettings } from './types.js';

export function faultEvent(cx: NormalizeContext, f: ScenarioFileFault, path: Path, linkNow: LinkSettings[]): { fault: Fault; undo?: Fault } | undefined {
  if (f.for !== undefined && f.linkDown === undefined && f.crash === undefined && f.partition === undefined) {
    cx.err([...path, 'for'], '`for` undoes a `linkDown`, `crash` or `partition`; this fault has none', 'key');
    return undefined;
  }
  const from = (ref: LinkRef, direction: 'forward' | 'backward' | 'both' | undefined): string | null => (direction === 'forward' ? ref.a : direction === 'backward' ? ref.b : null);
  if (f.linkDown !== undefined || f.linkUp !== undefined) {
    const kind = f.linkDown !== undefined ? 'linkDown' : 'linkUp';
    const link = cx.refLink([...path, kind], (f.linkDown ?? f.linkUp)!);
    if (link === undefined) return undefined;
    return kind === 'linkDown' ? { fault: { kind, link }, undo: { kind: 'linkUp', link } } : { fault: { kind, link } };
  }
  if (f.crash !== undefined) return cx.ref([...path, 'crash'], f.crash, null) ? { fault: { kind: 'crash', node: f.crash }, undo: { kind: 'restart', node: f.crash } } : undefined;
  if (f.restart !== undefined) return cx.ref([...path, 'restart'], f.restart, null) ? { fault: { kind: 'restart', node: f.restart } } : undefined;
  if (f.resetConnection !== undefined) {
    const r = f.resetConnection;
    const ok = cx.refMsrp([...path, 'resetConnection', 'node'], r.node) !== undefined;
    const peerOk = r.peer === undefined || cx.ref([...path, 'resetConnection', 'peer'], r.peer, null) !== undefined;
    return ok && peerOk ? { fault: { kind: 'resetConnection', node: r.node, peer: r.peer ?? null } } : undefined;
  }
  if (f.flushFirewall !== undefined) {
    return cx.ref([...path, 'flushFirewall'], f.flushFirewall, ['firewall'], 'a firewall') ? { fault: { kind: 'flushFirewall', firewall: f.flushFirewall } } : undefined;
  }
  if (f.partition !== undefined) {
    const seen = new Map<string, number>();
    let ok = true;
    const groups = f.partition.map((g, gi) =>
      (g ?? []).filter((id, i): id is string => {
        if (id === undefined) return false;
        const p = [...path, 'partition', gi, i];
        if (cx.ref(p, id, null) === undefined) ok = false;
        const other = seen.get(id);
        if (other !== undefined) {
          cx.err(p, `\`${id}\` is already in group ${other + 1}; a node is in one group only`);
          ok = false;
        }
        seen.set(id, gi);
        return true;
      }),
    );
    if (f.partition.some((g) => g === undefined)) ok = false;
    return ok ? { fault: { kind: 'partition', groups }, undo: { kind: 'heal' } } : undefined;
  }
  if (f.heal !== undefined) return { fault: { kind: 'heal' } };
  if (f.setLink !== undefined) {
    const link = cx.refLink([...path, 'setLink', 'link'], f.setLink.link);
    if (link === undefined) return undefined;
    const changed = (['latency', 'jitter', 'bandwidth', 'loss', 'mss'] as const).filter((k) => f.setLink![k] !== undefined);
    const settings = linkSettings(linkNow[link.link]!, f.setLink);
    linkNow[link.link] = settings;
    return { fault: { kind: 'setLink', link, changed, settings } };
  }
  if (f.expireTokens !== undefined) {
    return cx.ref([...path, 'expireTokens'], f.expireTokens, ['relay'], 'a relay') ? { fault: { kind: 'expireTokens', relay: f.expireTokens } } : undefined;
  }
  if (f.dropSegment !== undefined) {
    const link = cx.refLink([...path, 'dropSegment', 'link'], f.dropSegment.link);
    if (link === undefined) return undefined;
    return { fault: { kind: 'dropSegment', link, nth: f.dropSegment.nth, from: from(link, f.dropSegment.direction) } };
  }
  if (f.dropFrame !== undefined) {
    const d = f.dropFrame;
    const link = cx.refLink([...path, 'dropFrame', 'link'], d.link);
    if (link === undefined) return undefined;
    return { fault: { kind: 'dropFrame', link, nth: d.nth, from: from(link, d.direction), method: d.method ?? null, status: d.status ?? null } };
  }
  return undefined;
}
