/**
 * The `events` section in time order: sessions opened and ended, and each action checked
 * against the sessions open at its time and the nodes' settings at its time.
 */
import type { ScenarioFileEvent } from './definition.js';
import type { Path } from './problems.js';
import { formatDuration } from './units.js';
import type { NormalizeContext, SessionRecord, UsableSession } from './normalize-context.js';
import { us } from './normalize-defaults.js';
import { faultEvent } from './normalize-faults.js';
import { rawEvent } from './normalize-raw.js';
import { sendEvent } from './normalize-send.js';
import { setEvent } from './normalize-set.js';
import type { EventBase, ScenarioEndpoint, ScenarioEvent, ScenarioNode, ScenarioSession } from './types.js';

export function buildEvents(cx: NormalizeContext): { events: ScenarioEvent[]; sessions: ScenarioSession[] } {
  const raw = (cx.file.events ?? []).map((ev, index) => ({ ev, index })).filter((x): x is { ev: ScenarioFileEvent; index: number } => x.ev !== undefined);
  const timed = raw.map((x) => ({ ev: x.ev, index: x.index, at: us(x.ev.at) }));
  // Stable: events at the same time keep their order in the file.
  timed.sort((x, y) => x.at - y.at || x.index - y.index);
  const sessions = new Map<string, SessionRecord>();
  // Sessions opened by any event (checked first, so that uses before the opening are told so).
  timed.forEach((t, order) => {
    const s = t.ev.session;
    if (s === undefined) return;
    const earlier = sessions.get(s.id);
    if (earlier !== undefined) {
      const [first, second] = earlier.index < t.index ? [earlier, { index: t.index }] : [{ index: t.index }, earlier];
      cx.err(['events', second.index, 'session', 'id'], `session \`${s.id}\` is already opened at ${cx.line(['events', first.index])}`);
      if (earlier.index < t.index) return;
    }
    const usable = cx.isEndpoint(s.offerer) && cx.isEndpoint(s.answerer) && s.offerer !== s.answerer;
    sessions.set(s.id, { id: s.id, offerer: s.offerer, answerer: s.answerer, at: t.at, order, index: t.index, endedAt: null, endedOrder: -1, endedBy: null, endIndex: -1, usable });
  });
  const current = new Map<string, ScenarioNode>(cx.nodes);
  const linkNow = cx.links.map((l) => ({ ...l }));
  const events: ScenarioEvent[] = [];
  const recoveries: ScenarioEvent[] = [];
  timed.forEach((t, order) => {
    const { ev, index, at } = t;
    const path: Path = ['events', index];
    if (at > cx.duration) cx.checkTime([...path, 'at'], ev.at, at);
    const base: EventBase = { at, index, source: cx.source(path) };
    const usable: UsableSession = (p, id) => sessionAt(cx, p, id, sessions, order);
    if (ev.session !== undefined) {
      const s = ev.session;
      const p = [...path, 'session'];
      const o = cx.refEndpoint([...p, 'offerer'], s.offerer);
      const a = cx.refEndpoint([...p, 'answerer'], s.answerer);
      if (s.offerer === s.answerer) cx.err([...p, 'answerer'], `a session joins two different endpoints; offerer and answerer are both \`${s.offerer}\``);
      else if (o !== undefined && a !== undefined && !cx.sameComponent(s.offerer, s.answerer)) {
        cx.err([...p, 'answerer'], `no route between \`${s.offerer}\` and \`${s.answerer}\` over the links`);
      }
      if (sessions.get(s.id)?.index === index && o !== undefined && a !== undefined && s.offerer !== s.answerer) events.push({ at, index, source: base.source, action: 'session', session: s.id, offerer: s.offerer, answerer: s.answerer });
    } else if (ev.send !== undefined) {
      const e = sendEvent(cx, ev.send, [...path, 'send'], base, usable, current);
      if (e !== undefined) events.push(e);
    } else if (ev.end !== undefined) {
      const p = [...path, 'end'];
      const s = usable([...p, 'session'], ev.end.session);
      if (s === undefined) return;
      const by = ev.end.by ?? s.offerer;
      if (ev.end.by !== undefined && cx.refEndpoint([...p, 'by'], by) !== undefined && by !== s.offerer && by !== s.answerer) {
        cx.err([...p, 'by'], `\`${by}\` is not a party of session \`${s.id}\` (\`${s.offerer}\` and \`${s.answerer}\`)`);
        return;
      }
      s.endedAt = at;
      s.endedOrder = order;
      s.endedBy = by;
      s.endIndex = index;
      events.push({ at, index, source: base.source, action: 'end', session: s.id, by });
    } else if (ev.auth !== undefined) {
      const p = [...path, 'auth', 'node'];
      const n = cx.refEndpoint(p, ev.auth.node);
      if (n === undefined) return;
      const node = current.get(ev.auth.node) as ScenarioEndpoint | undefined;
      if (node !== undefined && node.relays.length === 0) {
        cx.err(p, `\`${node.id}\` uses no relays, so it has nothing to authenticate to`);
        return;
      }
      events.push({ ...base, action: 'auth', node: ev.auth.node });
    } else if (ev.fault !== undefined) {
      const r = faultEvent(cx, ev.fault, [...path, 'fault'], linkNow);
      if (r === undefined) return;
      events.push({ ...base, action: 'fault', fault: r.fault, recovery: false });
      if (r.undo !== undefined && ev.fault.for !== undefined) {
        const end = at + us(ev.fault.for);
        if (end > cx.duration) cx.warn([...path, 'fault', 'for'], `the fault is undone at ${formatDuration(end)}, after the end of the run (\`duration\` is ${cx.durationText})`);
        recoveries.push({ ...base, at: end, action: 'fault', fault: r.undo, recovery: true });
      }
    } else if (ev.set !== undefined) {
      const e = setEvent(cx, ev.set, [...path, 'set'], current);
      if (e !== undefined) events.push({ ...base, ...e });
    } else if (ev.raw !== undefined) {
      const e = rawEvent(cx, ev.raw, [...path, 'raw'], usable);
      if (e !== undefined) events.push({ ...base, ...e });
    }
  });
  const all = [...events, ...recoveries].sort((x, y) => x.at - y.at || x.index - y.index || Number(x.action === 'fault' && x.recovery) - Number(y.action === 'fault' && y.recovery));
  const list = [...sessions.values()]
    .sort((x, y) => x.order - y.order)
    .map((s): ScenarioSession => ({ id: s.id, offerer: s.offerer, answerer: s.answerer, openedAt: s.at, endedAt: s.endedAt, endedBy: s.endedBy }));
  return { events: all, sessions: list };
}

/** The session `id` if it is open at this point of the timeline; reports otherwise. */
function sessionAt(cx: NormalizeContext, path: Path, id: string, sessions: Map<string, SessionRecord>, order: number): SessionRecord | undefined {
  if (!cx.refSession(path, id)) return undefined;
  const s = sessions.get(id);
  if (s === undefined || !s.usable) return undefined;
  if (s.order > order) {
    cx.err(path, `session \`${id}\` is used before it is opened (at ${formatDuration(s.at)}, ${cx.line(['events', s.index])})`);
    return undefined;
  }
  if (s.endedAt !== null && s.endedOrder < order) {
    cx.err(path, `session \`${id}\` has already ended (at ${formatDuration(s.endedAt)}, ${cx.line(['events', s.endIndex])})`);
    return undefined;
  }
  return s;
}
