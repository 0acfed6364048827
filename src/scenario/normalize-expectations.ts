/**
 * The `expect` section: one function per kind of expectation, each checking the nodes, sessions
 * and links it names and converting its times.
 */
import { parseUri } from '../wire/uri.js';
import type { ScenarioFileExpectation } from './definition.js';
import type { Path } from './problems.js';
import type { NormalizeContext } from './normalize-context.js';
import { us } from './normalize-defaults.js';
import type { CountBound, Expectation, ExpectationKind, Micros, PathElement, ScenarioEvent } from './types.js';

type Sessions = Map<string, { offerer: string; answerer: string }>;
type Of<K extends keyof ScenarioFileExpectation> = NonNullable<ScenarioFileExpectation[K]>;
type KindOf<K extends ExpectationKind['expect']> = Extract<ExpectationKind, { expect: K }>;

export function buildExpectations(cx: NormalizeContext, events: ScenarioEvent[]): Expectation[] {
  const sessions: Sessions = new Map();
  for (const e of events) if (e.action === 'session') sessions.set(e.session, e);
  const out: Expectation[] = [];
  (cx.file.expect ?? []).forEach((x, index) => {
    if (x === undefined) return;
    const path: Path = ['expect', index];
    const k = expectation(cx, x, path, sessions, events);
    if (k !== undefined) out.push({ index, source: cx.source(path), ...k });
  });
  return out;
}

function expectation(cx: NormalizeContext, x: ScenarioFileExpectation, path: Path, sessions: Sessions, events: ScenarioEvent[]): ExpectationKind | undefined {
  if (x.delivered !== undefined) return delivered(cx, x.delivered, [...path, 'delivered'], sessions, events);
  if (x.report !== undefined) return report(cx, x.report, [...path, 'report']);
  if (x.response !== undefined) return response(cx, x.response, [...path, 'response']);
  if (x.path !== undefined) return pathExpectation(cx, x.path, [...path, 'path']);
  if (x.connection !== undefined) return connection(cx, x.connection, [...path, 'connection']);
  if (x.none !== undefined) return none(cx, x.none, [...path, 'none']);
  if (x.count !== undefined) return count(cx, x.count, [...path, 'count']);
  return undefined;
}

const before = (v: string | undefined): Micros | null => (v === undefined ? null : us(v));
const countOf = (n: number | undefined): CountBound => (n === undefined ? { min: 1, max: null } : { min: n, max: n });
const optSession = (cx: NormalizeContext, p: Path, id: string | undefined): boolean => id === undefined || cx.refSession(p, id);

function delivered(cx: NormalizeContext, d: Of<'delivered'>, p: Path, sessions: Sessions, events: ScenarioEvent[]): KindOf<'delivered'> | undefined {
  const okS = cx.refSession([...p, 'session'], d.session);
  const okTo = cx.refEndpoint([...p, 'to'], d.to) !== undefined;
  const s = sessions.get(d.session);
  if (!okS || !okTo || s === undefined) return undefined;
  if (d.to !== s.offerer && d.to !== s.answerer) {
    cx.err([...p, 'to'], `\`${d.to}\` is not a party of session \`${d.session}\` (\`${s.offerer}\` and \`${s.answerer}\`)`);
    return undefined;
  }
  const from = d.to === s.offerer ? s.answerer : s.offerer;
  let messages = d.messages;
  if (messages === undefined) {
    messages = events.reduce((n, e) => n + (e.action === 'send' && e.session === d.session && e.to === d.to ? e.count : 0), 0);
    // A send with problems is reported where it is; it may have been the one meant here.
    const valid = events.filter((e) => e.action === 'send' && e.session === d.session).length;
    if (messages === 0 && (cx.sentOn.get(d.session) ?? 0) === valid) {
      cx.warn(p, `no \`send\` event sends to \`${d.to}\` on session \`${d.session}\`; expecting one message`, 'key');
    }
    if (messages === 0) messages = 1;
  }
  return { expect: 'delivered', session: d.session, to: d.to, from, messages, within: before(d.within) };
}

function report(cx: NormalizeContext, r: Of<'report'>, p: Path): KindOf<'report'> | undefined {
  const ok = [cx.refMsrp([...p, 'to'], r.to) !== undefined, optSession(cx, [...p, 'session'], r.session)].every(Boolean);
  return ok ? { expect: 'report', to: r.to, status: r.status, session: r.session ?? null, count: countOf(r.count), before: before(r.before) } : undefined;
}

function response(cx: NormalizeContext, r: Of<'response'>, p: Path): KindOf<'response'> | undefined {
  const ok = [cx.refMsrp([...p, 'to'], r.to) !== undefined, optSession(cx, [...p, 'session'], r.session)].every(Boolean);
  return ok ? { expect: 'response', to: r.to, status: r.status, method: r.method ?? null, session: r.session ?? null, count: countOf(r.count), before: before(r.before) } : undefined;
}

function pathExpectation(cx: NormalizeContext, r: Of<'path'>, p: Path): KindOf<'path'> | undefined {
  let ok = [cx.refMsrp([...p, 'at'], r.at) !== undefined, optSession(cx, [...p, 'session'], r.session)].every(Boolean);
  const elements = (list: (string | undefined)[] | undefined, key: string): PathElement[] | null => {
    if (list === undefined) return null;
    return list.flatMap((item, i): PathElement[] => {
      if (item === undefined) {
        ok = false;
        return [];
      }
      if (item.includes('://')) {
        const u = parseUri(item);
        if (!u.ok) {
          cx.err([...p, key, i], `\`${item}\` is not an MSRP URI: ${u.message}`);
          ok = false;
        }
        return [{ uri: item }];
      }
      if (cx.refMsrp([...p, key, i], item) === undefined) ok = false;
      return [{ node: item }];
    });
  };
  const toPath = elements(r.toPath, 'toPath');
  const fromPath = elements(r.fromPath, 'fromPath');
  return ok ? { expect: 'path', at: r.at, method: r.method, session: r.session ?? null, toPath, fromPath } : undefined;
}

function connection(cx: NormalizeContext, c: Of<'connection'>, p: Path): KindOf<'connection'> | undefined {
  const ok = [cx.refMsrp([...p, 'from'], c.from) !== undefined, cx.refMsrp([...p, 'to'], c.to) !== undefined].every(Boolean);
  if (ok && c.from === c.to) {
    cx.err([...p, 'to'], `a node does not connect to itself`);
    return undefined;
  }
  return ok ? { expect: 'connection', from: c.from, to: c.to, state: c.state, before: before(c.before) } : undefined;
}

function none(cx: NormalizeContext, n: Of<'none'>, p: Path): KindOf<'none'> | undefined {
  let ok = n.at === undefined || cx.ref([...p, 'at'], n.at, null) !== undefined;
  if (n.status !== undefined && n.kind !== 'response' && n.kind !== 'report') {
    cx.err([...p, 'status'], '`status` narrows `response` and `report` only', 'key');
    ok = false;
  }
  if (n.method !== undefined && n.kind !== 'response') {
    cx.err([...p, 'method'], '`method` narrows `response` only', 'key');
    ok = false;
  }
  if (n.rule !== undefined && n.kind !== 'violation' && n.kind !== 'drop' && n.kind !== 'reset') {
    cx.err([...p, 'rule'], '`rule` narrows `violation`, `drop` and `reset` only', 'key');
    ok = false;
  }
  return ok ? { expect: 'none', kind: n.kind, status: n.status ?? null, rule: n.rule ?? null, at: n.at ?? null, method: n.method ?? null } : undefined;
}

function count(cx: NormalizeContext, c: Of<'count'>, p: Path): KindOf<'count'> | undefined {
  const link = cx.refLink([...p, 'link'], c.link);
  if (c.frames !== undefined && (c.min !== undefined || c.max !== undefined)) {
    cx.err([...p, c.min !== undefined ? 'min' : 'max'], '`frames` is an exact count; give either `frames` or `min`/`max`', 'key');
    return undefined;
  }
  if (c.min !== undefined && c.max !== undefined && c.min > c.max) {
    cx.err([...p, 'max'], `\`max\` (${c.max}) is less than \`min\` (${c.min})`);
    return undefined;
  }
  if (link === undefined) return undefined;
  const frames: CountBound = c.frames !== undefined ? { min: c.frames, max: c.frames } : { min: c.min ?? 0, max: c.max ?? null };
  const from = c.direction === 'forward' ? link.a : c.direction === 'backward' ? link.b : null;
  return { expect: 'count', link, from, method: c.method ?? null, status: c.status ?? null, frames };
}
