/**
 * From a file of the right shape to a `Scenario`: references to nodes, links and sessions
 * checked, routes to relays checked over the links, times checked against the duration and
 * against the sessions they use, units converted and defaults applied. Every problem is
 * reported; the parts that are wrong are left out and the rest is still checked.
 *
 * One file per section of the file: normalize-nodes (with -endpoint, -relay, -firewall),
 * normalize-links, normalize-events (with -send, -faults, -set, -raw), normalize-expectations;
 * normalize-defaults and normalize-limits hold the built-in settings and the bounds, and
 * normalize-context what the sections share.
 */
import type { ScenarioFile } from './definition.js';
import type { Diagnostics, Positions } from './diagnostics.js';
import type { SrcNode } from './source.js';
import { NormalizeContext, type NormalizeOptions } from './normalize-context.js';
import { BUILTIN, defaultHost, us } from './normalize-defaults.js';
import { buildEvents } from './normalize-events.js';
import { buildExpectations } from './normalize-expectations.js';
import { buildLinks, checkTopology } from './normalize-links.js';
import { buildNodes } from './normalize-nodes.js';
import { checkLive } from './normalize-live.js';
import type { Scenario } from './types.js';

export type { NormalizeOptions } from './normalize-context.js';

export function normalize(file: Partial<ScenarioFile>, root: SrcNode, pos: Positions, diag: Diagnostics, options: NormalizeOptions): Scenario {
  const cx = new NormalizeContext(file, root, pos, diag, options);
  if (file.duration !== undefined) {
    cx.duration = us(file.duration);
    cx.durationText = `\`${file.duration}\``;
  }
  const defaults = file.defaults ?? {};
  for (const [id, n] of Object.entries(file.nodes ?? {})) {
    cx.rawNodes.set(id, n);
    cx.hostOf.set(id, n.host ?? defaultHost(id));
    if (n.role === 'firewall') for (const inner of n.inside) if (typeof inner === 'string' && inner !== id && !cx.insideOf.has(inner)) cx.insideOf.set(inner, id);
  }
  buildNodes(cx, defaults);
  buildLinks(cx, defaults.link ?? {});
  checkTopology(cx);
  const { events, sessions } = buildEvents(cx);
  const expectations = buildExpectations(cx, events);
  checkLive(cx, file);
  return {
    name: file.name ?? '',
    description: file.description ?? '',
    seed: file.seed ?? BUILTIN.seed,
    golden: file.golden ?? 'exact',
    duration: cx.duration,
    signallingDelay: defaults.signallingDelay !== undefined ? us(defaults.signallingDelay) : BUILTIN.signallingDelay,
    inviteTimeout: defaults.inviteTimeout !== undefined ? us(defaults.inviteTimeout) : BUILTIN.inviteTimeout,
    tcp: {
      connectTimeout: defaults.tcp?.connectTimeout !== undefined ? us(defaults.tcp.connectTimeout) : BUILTIN.tcp.connectTimeout,
      rto: defaults.tcp?.rto !== undefined ? us(defaults.tcp.rto) : BUILTIN.tcp.rto,
      maxRetries: defaults.tcp?.maxRetries ?? BUILTIN.tcp.maxRetries,
    },
    nodes: [...cx.nodes.values()],
    links: cx.links,
    sessions,
    events,
    expectations,
  };
}
