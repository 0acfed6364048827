/**
 * Expectations checked against the trace as it streams: the checker keeps only the facts each
 * expectation needs (never the whole trace), and at the end says for each one whether it held,
 * what was expected, what happened instead, and which trace records show it (their `seq`).
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import { formatTime } from '../sim/time.js';
import { parseUri, uriEquals } from '../wire/uri.js';
import type { CountBound, Expectation, PathElement, Scenario } from './types.js';

export interface ExpectationResult {
  index: number;
  line: number;
  column: number;
  kind: Expectation['expect'];
  passed: boolean;
  expected: string;
  actual: string;
  /** `seq` of the trace records that show what happened. */
  evidence: number[];
}

interface Frame {
  seq: number;
  t: number;
  node: string;
  method?: string;
  status?: number;
  toPath: string[];
  fromPath: string[];
}

const MAX_EVIDENCE = 10;

export class ExpectationChecker {
  private readonly hosts = new Map<string, { host: string; port: number | null }>();
  private readonly sessionUris = new Map<string, Set<string>>();
  /** Sent message records by Message-ID: time and digest. */
  private readonly messages = new Map<string, { t: number; digest: string; seq: number; node: string; session: string }>();
  private readonly delivered: { seq: number; t: number; node: string; session: string; messageId: string; digest: string }[] = [];
  private readonly reports: { seq: number; t: number; node: string; session: string; status: number }[] = [];
  private readonly responses: { seq: number; t: number; node: string; status: number; tid: string; conn: string }[] = [];
  /** Method of each request a node sent, by node + conn + tid, to name the method of a response. */
  private readonly requestMethods = new Map<string, string>();
  private readonly frames: Frame[] = [];
  private readonly connects = new Map<string, { seq: number; t: number; node: string; target: string; remote: string }>();
  private readonly connOutcome = new Map<string, { seq: number; t: number; state: 'opened' | 'refused' | 'blocked' | 'timeout' }>();
  private readonly negatives: { seq: number; node: string; kind: string; status: number | null; rule: string | null; method: string | null }[] = [];
  private readonly routes = new Map<string, string[]>();
  private readonly addressNode = new Map<string, string>();
  private readonly linkCounts: { seq: number; path: string[]; from: string; method?: string; status?: number }[] = [];
  private readonly connTarget = new Map<string, string>();
  private readonly needFrames: boolean;
  private readonly needLinks: boolean;

  constructor(private readonly scenario: Scenario) {
    for (const n of scenario.nodes) {
      if (n.role !== 'firewall') this.hosts.set(n.id, { host: n.host.toLowerCase(), port: n.port });
    }
    this.needFrames = scenario.expectations.some((e) => e.expect === 'path');
    this.needLinks = scenario.expectations.some((e) => e.expect === 'count');
  }

  record(r: AnyTraceRecord): void {
    const f = r as AnyTraceRecord & Record<string, never>;
    switch (r.type) {
      case 'net.host':
        if (typeof f.address === 'string') this.addressNode.set(f.address, r.node);
        return;
      case 'net.route':
        if (Array.isArray(f.path)) this.routes.set(`${r.node}>${f.dst as string}`, f.path as string[]);
        return;
      case 'session.offer':
      case 'session.answer': {
        const path = f.path as unknown as string[];
        const set = this.sessionUris.get(f.session as string) ?? new Set<string>();
        set.add(path[path.length - 1]!);
        this.sessionUris.set(f.session as string, set);
        return;
      }
      case 'endpoint.message':
        this.messages.set(f.messageId as string, { t: r.t, digest: f.digest as string, seq: r.seq, node: r.node, session: f.session as string });
        return;
      case 'endpoint.deliver':
        this.delivered.push({ seq: r.seq, t: r.t, node: r.node, session: f.session as string, messageId: f.messageId as string, digest: f.digest as string });
        return;
      case 'endpoint.report':
        this.reports.push({ seq: r.seq, t: r.t, node: r.node, session: f.session as string, status: f.status as number });
        if ((f.status as number) !== 200) this.negatives.push({ seq: r.seq, node: r.node, kind: 'report', status: f.status as number, rule: r.rule ?? null, method: 'REPORT' });
        return;
      case 'msrp.send':
        if (f.kind === 'request') this.requestMethods.set(`${r.node}/${f.conn as string}/${f.transactionId as string}`, f.method as string);
        if (this.needLinks) this.countOnLinks(r);
        return;
      case 'msrp.recv':
        if (f.kind === 'response') {
          this.responses.push({ seq: r.seq, t: r.t, node: r.node, status: f.status as number, tid: f.transactionId as string, conn: f.conn as string });
          if ((f.status as number) !== 200) this.negatives.push({ seq: r.seq, node: r.node, kind: 'response', status: f.status as number, rule: r.rule ?? null, method: null });
        } else if (f.method === 'REPORT' && typeof f.reportStatus === 'number' && f.reportStatus !== 200) {
          this.negatives.push({ seq: r.seq, node: r.node, kind: 'report', status: f.reportStatus as number, rule: null, method: 'REPORT' });
        }
        if (this.needFrames && f.kind === 'request') {
          this.frames.push({ seq: r.seq, t: r.t, node: r.node, method: f.method as string, toPath: f.toPath as unknown as string[], fromPath: f.fromPath as unknown as string[] });
        }
        return;
      case 'msrp.violation':
      case 'endpoint.violation':
      case 'msrp.malformed':
        this.negatives.push({ seq: r.seq, node: r.node, kind: 'violation', status: null, rule: r.rule ?? null, method: null });
        return;
      case 'fw.drop':
      case 'relay.discard':
      case 'net.drop':
        this.negatives.push({ seq: r.seq, node: r.node, kind: 'drop', status: null, rule: r.rule ?? null, method: null });
        if (r.type === 'fw.drop' && typeof f.conn === 'string' && f.flags === 'S') this.setOutcome(f.conn, r, 'blocked');
        return;
      case 'fw.reject':
        this.negatives.push({ seq: r.seq, node: r.node, kind: 'reset', status: null, rule: r.rule ?? null, method: null });
        if (typeof f.conn === 'string') this.setOutcome(f.conn, r, 'blocked');
        return;
      case 'endpoint.timeout':
      case 'relay.timeout':
      case 'tcp.timeout':
        this.negatives.push({ seq: r.seq, node: r.node, kind: 'timeout', status: null, rule: r.rule ?? null, method: null });
        if (r.type === 'tcp.timeout' && f.phase === 'connect') this.setOutcome(f.conn as string, r, 'timeout');
        return;
      case 'tcp.connect':
        this.connects.set(f.conn as string, { seq: r.seq, t: r.t, node: r.node, target: f.target as string, remote: f.remote as string });
        this.connTarget.set(f.conn as string, f.remote as string);
        return;
      case 'tcp.accept':
        this.connTarget.set(f.conn as string, f.remote as string);
        return;
      case 'tcp.open':
        if (f.role === 'initiator') this.setOutcome(f.conn as string, r, 'opened');
        return;
      case 'tcp.close':
        if (f.kind === 'refused') this.setOutcome(f.conn as string, r, 'refused');
        if (f.kind === 'reset') this.negatives.push({ seq: r.seq, node: r.node, kind: 'reset', status: null, rule: r.rule ?? null, method: null });
        return;
    }
  }

  private setOutcome(conn: string, r: AnyTraceRecord, state: 'opened' | 'refused' | 'blocked' | 'timeout'): void {
    if (!this.connOutcome.has(conn) || state !== 'timeout') {
      const prior = this.connOutcome.get(conn);
      if (prior && prior.state === 'blocked' && state === 'timeout') return;
      this.connOutcome.set(conn, { seq: r.seq, t: r.t, state });
    }
  }

  private countOnLinks(r: AnyTraceRecord): void {
    const f = r as Record<string, unknown>;
    const remote = this.connTarget.get(f.conn as string);
    const dst = remote ? this.addressNode.get(remote.split(':')[0]!) : undefined;
    if (!dst) return;
    const path = this.routes.get(`${r.node}>${dst}`) ?? [r.node, dst];
    this.linkCounts.push({ seq: r.seq, path, from: r.node, method: f.method as string | undefined, status: f.status as number | undefined });
  }

  finish(): ExpectationResult[] {
    return this.scenario.expectations.map((e) => this.check(e));
  }

  private check(e: Expectation): ExpectationResult {
    const base = { index: e.index, line: e.source.line, column: e.source.column, kind: e.expect };
    const result = (passed: boolean, expected: string, actual: string, evidence: number[]): ExpectationResult => ({
      ...base,
      passed,
      expected,
      actual,
      evidence: evidence.slice(0, MAX_EVIDENCE),
    });
    switch (e.expect) {
      case 'delivered': {
        const got = this.delivered.filter((d) => d.node === e.to && d.session === e.session);
        const intact = got.filter((d) => this.messages.get(d.messageId)?.digest === d.digest);
        const late = e.within === null ? [] : intact.filter((d) => d.t - (this.messages.get(d.messageId)?.t ?? d.t) > e.within!);
        const ok = intact.length - late.length >= e.messages;
        const expected = `${e.messages} message(s) delivered intact to ${e.to} in session ${e.session}${e.within !== null ? ` within ${formatTime(e.within)}` : ''}`;
        const sentCount = [...this.messages.values()].filter((m) => m.session === e.session && m.node !== e.to).length;
        let actual = `${got.length} delivered (${intact.length} intact${late.length ? `, ${late.length} too late` : ''}) of ${sentCount} sent`;
        if (late.length) actual += `; slowest took ${formatTime(Math.max(...late.map((d) => d.t - this.messages.get(d.messageId)!.t)))}`;
        return result(ok, expected, actual, got.map((d) => d.seq));
      }
      case 'report': {
        const got = this.reports.filter((r) => r.node === e.to && (e.session === null || r.session === e.session) && (e.before === null || r.t <= e.before));
        const match = got.filter((r) => r.status === e.status);
        const expected = `${bound(e.count)} REPORT(s) with status ${e.status} at ${e.to}${e.session ? ` in session ${e.session}` : ''}`;
        return result(inBound(match.length, e.count), expected, describeStatuses('REPORT', got.map((r) => r.status)), (match.length ? match : got).map((r) => r.seq));
      }
      case 'response': {
        const got = this.responses.filter((r) => r.node === e.to && (e.before === null || r.t <= e.before)).filter((r) => e.method === null || this.requestMethods.get(`${r.node}/${r.conn}/${r.tid}`) === e.method);
        const match = got.filter((r) => r.status === e.status);
        const expected = `${bound(e.count)} ${e.method ?? ''} response(s) with status ${e.status} at ${e.to}`.replace('  ', ' ');
        return result(inBound(match.length, e.count), expected, describeStatuses('response', got.map((r) => r.status)), (match.length ? match : got).map((r) => r.seq));
      }
      case 'path': {
        const uris = e.session === null ? null : this.sessionUris.get(e.session) ?? new Set<string>();
        const frames = this.frames.filter((f) => f.node === e.at && f.method === e.method && (uris === null || uris.has(f.toPath[f.toPath.length - 1]!) || uris.has(f.fromPath[f.fromPath.length - 1]!)));
        const bad = frames.filter((f) => (e.toPath !== null && !this.pathMatches(f.toPath, e.toPath)) || (e.fromPath !== null && !this.pathMatches(f.fromPath, e.fromPath)));
        const want = [e.toPath ? `To-Path [${e.toPath.map(show).join(' ')}]` : '', e.fromPath ? `From-Path [${e.fromPath.map(show).join(' ')}]` : ''].filter(Boolean).join(' and ');
        const expected = `every ${e.method} at ${e.at} has ${want}`;
        if (frames.length === 0) return result(false, expected, `no ${e.method} reached ${e.at}`, []);
        if (bad.length === 0) return result(true, expected, `${frames.length} ${e.method} frame(s) matched`, frames.map((f) => f.seq));
        const f = bad[0]!;
        return result(false, expected, `${bad.length} of ${frames.length} differ; first: To-Path [${f.toPath.join(' ')}] From-Path [${f.fromPath.join(' ')}]`, bad.map((b) => b.seq));
      }
      case 'connection': {
        const toHost = this.hosts.get(e.to)?.host;
        const attempts = [...this.connects.entries()].filter(([, c]) => c.node === e.from && (c.target.toLowerCase() === toHost || this.addressNode.get(c.remote.split(':')[0]!) === e.to));
        const states = attempts.map(([conn, c]) => ({ conn, c, o: this.connOutcome.get(conn) }));
        const match = states.filter((s) => s.o?.state === e.state && (e.before === null || s.o.t <= e.before));
        const expected = `a connection from ${e.from} to ${e.to} ${e.state}${e.before !== null ? ` by ${formatTime(e.before)}` : ''}`;
        const actual = states.length === 0 ? `${e.from} never tried to connect to ${e.to}` : states.map((s) => `${s.conn}: ${s.o?.state ?? 'pending'}`).join(', ');
        return result(match.length > 0, expected, actual, (match.length ? match : states).map((s) => s.o?.seq ?? s.c.seq));
      }
      case 'none': {
        const hits = this.negatives.filter((n) => n.kind === e.kind && (e.status === null || n.status === e.status) && (e.rule === null || n.rule === e.rule) && (e.at === null || n.node === e.at) && (e.method === null || n.method === e.method));
        const what = [e.kind, e.status !== null ? String(e.status) : '', e.rule ? `rule ${e.rule}` : '', e.at ? `at ${e.at}` : ''].filter(Boolean).join(' ');
        return result(hits.length === 0, `no ${what}`, hits.length === 0 ? 'none happened' : `${hits.length} happened, the first at record ${hits[0]!.seq}`, hits.map((h) => h.seq));
      }
      case 'count': {
        const a = e.link.a;
        const b = e.link.b;
        const crosses = (p: string[]): boolean => {
          for (let i = 0; i + 1 < p.length; i++) {
            if ((p[i] === a && p[i + 1] === b) || (p[i] === b && p[i + 1] === a)) {
              if (e.from === null || p[i] === e.from) return true;
            }
          }
          return false;
        };
        const match = this.linkCounts.filter((c) => crosses(c.path) && (e.method === null || c.method === e.method) && (e.status === null || c.status === e.status));
        const expected = `${bound(e.frames)} ${e.method ?? (e.status !== null ? `status ${e.status}` : 'MSRP')} frame(s) on ${a}–${b}`;
        return result(inBound(match.length, e.frames), expected, `${match.length} crossed`, match.map((m) => m.seq));
      }
    }
  }

  private pathMatches(actual: string[], want: PathElement[]): boolean {
    if (actual.length !== want.length) return false;
    return want.every((w, i) => {
      const got = parseUri(actual[i]!);
      if (!got.ok) return false;
      if ('uri' in w) {
        const u = parseUri(w.uri);
        return u.ok && uriEquals(u.uri, got.uri);
      }
      const node = this.hosts.get(w.node);
      // A node stands for any URI at its host and port (the session part names the session or
      // the relay token, which the file cannot know).
      return node !== undefined && got.uri.host.toLowerCase() === node.host && (node.port === null || got.uri.port === node.port);
    });
  }
}

function show(p: PathElement): string {
  return 'uri' in p ? p.uri : p.node;
}

function bound(b: CountBound): string {
  if (b.max === null) return b.min === 1 ? 'at least 1' : `at least ${b.min}`;
  return b.min === b.max ? String(b.min) : `${b.min} to ${b.max}`;
}

function inBound(n: number, b: CountBound): boolean {
  return n >= b.min && (b.max === null || n <= b.max);
}

function describeStatuses(what: string, statuses: number[]): string {
  if (statuses.length === 0) return `no ${what} arrived`;
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return `${what}s: ${[...counts].map(([s, n]) => `${n}×${s}`).join(', ')}`;
}
