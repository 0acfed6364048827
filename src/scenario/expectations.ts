/**
 * Expectations checked against the trace as it streams. The checker keeps only the facts the
 * scenario's expectations ask about: records of the nodes, sessions and links they name, and for
 * the expectations that only count (`report`, `response`, `none`, `count`) a count and the first few records
 * as evidence. So its memory does not grow with the length of the trace, only with what the
 * expectations look at. At the end it says for each one whether it held, what was expected, what
 * happened instead, and which trace records show it (their `seq`).
 */
import type { AnyTraceRecord, TraceRecord, TraceRecordBase } from '../sim/trace.js';
import { FrameResolver } from '../sim/frame-resolver.js';
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

type Of<K extends Expectation['expect']> = Expectation & { expect: K };

/** How many records matched, and the `seq` of the first few. */
class Tally {
  count = 0;
  readonly seqs: number[] = [];

  add(seq: number): void {
    this.count++;
    if (this.seqs.length < MAX_EVIDENCE) this.seqs.push(seq);
  }
}

/** A `report` expectation as it streams: statuses of the REPORTs it looks at, and its matches. */
class ReportTally {
  /** Status -> REPORTs, in the order statuses first came. */
  readonly statuses = new Map<number, number>();
  readonly all = new Tally();
  readonly match = new Tally();

  constructor(readonly e: Of<'report'>) {}
}

/** A `response` expectation as it streams: statuses of the responses it looks at, and its matches. */
class ResponseTally {
  readonly statuses = new Map<number, number>();
  readonly all = new Tally();
  readonly match = new Tally();

  constructor(readonly e: Of<'response'>) {}
}

/** A `none` expectation as it streams. */
class NoneTally {
  readonly hits = new Tally();

  constructor(readonly e: Of<'none'>) {}
}

/** A `count` expectation as it streams. */
class LinkTally {
  readonly match = new Tally();

  constructor(readonly e: Of<'count'>) {}
}

interface Negative {
  seq: number;
  node: string;
  kind: string;
  status: number | null;
  rule: string | null;
  method: string | null;
}

export class ExpectationChecker {
  private readonly hosts = new Map<string, { host: string; port: number | null }>();

  // What the expectations look at, fixed at the start.
  /** `delivered`: the sessions, and `to + NUL + session` pairs. */
  private readonly deliveredSessions = new Set<string>();
  private readonly deliveredPairs = new Set<string>();
  /** `path`: `at + NUL + method` pairs. */
  private readonly pathFrames = new Set<string>();
  /** Sessions whose endpoint URIs `path`, `response` and `report` (at a relay) expectations need. */
  private readonly uriSessions = new Set<string>();
  private readonly relayIds = new Set<string>();
  /** Whether the method of each response is needed (`response` or `none` naming a method). */
  private readonly trackMethods: boolean;
  /** `connection`: the nodes that connect. */
  private readonly connectFrom = new Set<string>();
  private readonly reportTallies: ReportTally[] = [];
  private readonly responseTallies: ResponseTally[] = [];
  private readonly noneTallies: NoneTally[] = [];
  private readonly linkTallies: LinkTally[] = [];
  private readonly needLinks: boolean;

  // Facts kept for those.
  private readonly sessionUris = new Map<string, Set<string>>();
  /** Sent messages of the `delivered` sessions, by Message-ID: time and digest. */
  private readonly messages = new Map<string, { t: number; digest: string; seq: number; node: string; session: string }>();
  private readonly delivered: { seq: number; t: number; node: string; session: string; messageId: string; digest: string }[] = [];
  /**
   * Method of each request a node sent and still awaits a response to, by `node/conn` and
   * transaction id, to name the method of the response. An entry goes when its response comes
   * or its connection closes, so this holds only transactions in flight.
   */
  private readonly requestMethods = new Map<string, Map<string, string>>();
  private readonly frames: Frame[] = [];
  /** The frame of each `msrp.recv` (a reference to its send in trace format 2). */
  private readonly resolver = new FrameResolver();
  private readonly connects = new Map<string, { seq: number; t: number; node: string; target: string; remote: string }>();
  private readonly connOutcome = new Map<string, { seq: number; t: number; state: 'opened' | 'refused' | 'blocked' | 'timeout'; provisional: boolean }>();
  private readonly routes = new Map<string, string[]>();
  private readonly addressNode = new Map<string, string>();
  private readonly connTarget = new Map<string, string>();
  /** Live relays by the `host:port` the endpoints reach them at. */
  private readonly liveRelays = new Map<string, string>();
  /** The `host:port` of the URIs each live relay put in a Use-Path (learned from `auth.ok`). */
  private readonly liveAliases = new Map<string, Set<string>>();

  constructor(private readonly scenario: Scenario) {
    for (const n of scenario.nodes) {
      if (n.role === 'relay' && n.live !== null) {
        // A live relay stands for the URIs at its real address, and those its Use-Path names.
        this.hosts.set(n.id, { host: n.live.connect.host.toLowerCase(), port: n.live.connect.port });
        this.liveRelays.set(`${n.live.connect.host.toLowerCase()}:${n.live.connect.port}`, n.id);
        if (n.live.serverName !== null) {
          const name = `${n.live.serverName.toLowerCase()}:${n.live.connect.port}`;
          this.liveRelays.set(name, n.id);
          this.liveAliases.set(n.id, new Set([name]));
        }
      } else if (n.role !== 'firewall') this.hosts.set(n.id, { host: n.host.toLowerCase(), port: n.port });
    }
    for (const n of scenario.nodes) if (n.role === 'relay') this.relayIds.add(n.id);
    let trackMethods = false;
    for (const e of scenario.expectations) {
      switch (e.expect) {
        case 'delivered':
          this.deliveredSessions.add(e.session);
          this.deliveredPairs.add(`${e.to}\0${e.session}`);
          break;
        case 'report':
          this.reportTallies.push(new ReportTally(e));
          if (e.session !== null && this.relayIds.has(e.to)) this.uriSessions.add(e.session);
          break;
        case 'response':
          this.responseTallies.push(new ResponseTally(e));
          if (e.method !== null) trackMethods = true;
          if (e.session !== null) this.uriSessions.add(e.session);
          break;
        case 'path':
          this.pathFrames.add(`${e.at}\0${e.method}`);
          if (e.session !== null) this.uriSessions.add(e.session);
          break;
        case 'connection':
          this.connectFrom.add(e.from);
          break;
        case 'none':
          this.noneTallies.push(new NoneTally(e));
          if (e.method !== null) trackMethods = true;
          break;
        case 'count':
          this.linkTallies.push(new LinkTally(e));
          break;
      }
    }
    this.trackMethods = trackMethods;
    this.needLinks = this.linkTallies.length > 0;
  }

  /** Feeds one record, as emitted or as read from a trace file (the one place it is taken as typed). */
  record(input: AnyTraceRecord): void {
    const r = input as TraceRecord;
    this.resolver.see(r);
    switch (r.type) {
      case 'net.host':
        if (typeof r.address === 'string') this.addressNode.set(r.address, r.node);
        return;
      case 'auth.ok': {
        if (this.liveRelays.size === 0) return;
        const relay = parseUri(r.relay);
        const usePath = r.usePath;
        const last = usePath.length > 0 ? parseUri(usePath[usePath.length - 1]!) : null;
        if (!relay.ok || last === null || !last.ok) return;
        const id = this.liveRelays.get(`${relay.uri.host.toLowerCase()}:${relay.uri.port}`);
        if (id === undefined) return;
        const set = this.liveAliases.get(id) ?? new Set<string>();
        set.add(`${last.uri.host.toLowerCase()}:${last.uri.port}`);
        this.liveAliases.set(id, set);
        return;
      }
      case 'net.route':
        if (this.needLinks && Array.isArray(r.path)) this.routes.set(`${r.node}>${r.dst}`, r.path);
        return;
      case 'session.offer':
      case 'session.answer': {
        const session = r.session;
        if (!this.uriSessions.has(session)) return;
        const path = r.path;
        const set = this.sessionUris.get(session) ?? new Set<string>();
        set.add(path[path.length - 1]!);
        this.sessionUris.set(session, set);
        return;
      }
      case 'endpoint.message':
        if (this.deliveredSessions.has(r.session)) {
          this.messages.set(r.messageId, { t: r.t, digest: r.digest, seq: r.seq, node: r.node, session: r.session });
        }
        return;
      case 'endpoint.deliver':
        if (this.deliveredPairs.has(`${r.node}\0${r.session}`)) {
          this.delivered.push({ seq: r.seq, t: r.t, node: r.node, session: r.session, messageId: r.messageId, digest: r.digest });
        }
        return;
      case 'endpoint.report': {
        // What reached an endpoint, with the session the endpoint matched it to. REPORTs at
        // relays are counted from their `msrp.recv` below; `none` counts every REPORT there too.
        const status = r.status;
        for (const tally of this.reportTallies) {
          if (r.node === tally.e.to) this.tallyReport(tally, r, status, r.session);
        }
        return;
      }
      case 'msrp.send':
        // REPORTs get no response (RFC 4975 §7.1.2), so they are not waited for.
        if (this.trackMethods && r.kind === 'request' && r.method !== 'REPORT') {
          const key = `${r.node}/${r.conn}`;
          let open = this.requestMethods.get(key);
          if (!open) this.requestMethods.set(key, (open = new Map()));
          open.set(r.transactionId, r.method);
        }
        if (this.needLinks) this.countOnLinks(r);
        return;
      case 'msrp.recv': {
        const f = this.resolver.frameOf(r);
        if (!f) return;
        if (f.kind === 'response') {
          const open = this.requestMethods.get(`${r.node}/${r.conn}`);
          const method = open?.get(f.transactionId) ?? null;
          open?.delete(f.transactionId);
          const status = f.status;
          for (const tally of this.responseTallies) {
            const e = tally.e;
            if (r.node !== e.to || (e.before !== null && r.t > e.before)) continue;
            if (e.method !== null && method !== e.method) continue;
            if (e.session !== null && !this.inSession(e.session, f.toPath, f.fromPath)) continue;
            tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
            tally.all.add(r.seq);
            if (status === e.status) tally.match.add(r.seq);
          }
          this.negative(r, 'response', status, r.rule ?? null, method);
        } else if (f.method === 'REPORT') {
          const status = f.reportStatus ?? null;
          if (this.relayIds.has(r.node)) {
            for (const tally of this.reportTallies) {
              if (r.node !== tally.e.to) continue;
              const session = tally.e.session !== null && this.inSession(tally.e.session, f.toPath, f.fromPath) ? tally.e.session : null;
              this.tallyReport(tally, r, status, session);
            }
          }
          // A REPORT without a valid Status is not one a node can take (RFC 4975 §7.1.2, W-24):
          // it is a violation, which `none: { kind: violation }` counts, not a REPORT.
          if (status !== null) this.negative(r, 'report', status, null, 'REPORT');
        }
        if (f.kind === 'request' && this.pathFrames.size > 0 && this.pathFrames.has(`${r.node}\0${f.method}`)) {
          this.frames.push({ seq: r.seq, t: r.t, node: r.node, method: f.method, toPath: f.toPath, fromPath: f.fromPath });
        }
        return;
      }
      case 'msrp.violation':
      case 'endpoint.violation':
      case 'msrp.malformed':
        this.negative(r, 'violation', null, r.rule ?? null, null);
        return;
      case 'fw.drop':
      case 'relay.discard':
      case 'net.drop':
        this.negative(r, 'drop', null, r.rule ?? null, null);
        if (r.type === 'fw.drop' && typeof r.conn === 'string' && r.flags === 'S') this.setOutcome(r.conn, r, 'blocked');
        return;
      case 'fw.reject':
        this.negative(r, 'reset', null, r.rule ?? null, null);
        if (typeof r.conn === 'string') this.setOutcome(r.conn, r, 'blocked');
        return;
      case 'endpoint.timeout':
      case 'relay.timeout':
      case 'tcp.timeout':
        this.negative(r, 'timeout', null, r.rule ?? null, null);
        if (r.type === 'tcp.timeout' && r.phase === 'connect') this.setOutcome(r.conn, r, 'timeout');
        return;
      case 'tcp.connect':
        if (this.connectFrom.has(r.node)) this.connects.set(r.conn, { seq: r.seq, t: r.t, node: r.node, target: r.target, remote: r.remote });
        if (this.needLinks) this.connTarget.set(r.conn, r.remote);
        return;
      case 'tcp.accept':
        if (this.needLinks) this.connTarget.set(r.conn, r.remote);
        return;
      case 'tcp.open':
        if (r.role === 'initiator') this.setOutcome(r.conn, r, 'opened');
        return;
      case 'tcp.close':
        // Transactions of a closed connection get no response any more.
        this.requestMethods.delete(`${r.node}/${r.conn}`);
        if (r.kind === 'refused') this.setOutcome(r.conn, r, 'refused');
        if (r.kind === 'reset') this.negative(r, 'reset', null, r.rule ?? null, null);
        return;
    }
  }

  private tallyReport(tally: ReportTally, r: TraceRecordBase, status: number | null, session: string | null): void {
    const e = tally.e;
    if ((e.session !== null && session !== e.session) || (e.before !== null && r.t > e.before)) return;
    if (status !== null) tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    tally.all.add(r.seq);
    if (status === e.status) tally.match.add(r.seq);
  }

  /** Whether a frame's paths end at an endpoint URI of the session (either direction). */
  private inSession(session: string, toPath: string[], fromPath: string[]): boolean {
    const uris = this.sessionUris.get(session);
    if (!uris) return false;
    return uris.has(toPath[toPath.length - 1]!) || uris.has(fromPath[fromPath.length - 1]!);
  }

  /** Something that `none` expectations may forbid. */
  private negative(r: TraceRecordBase, kind: string, status: number | null, rule: string | null, method: string | null): void {
    const n: Negative = { seq: r.seq, node: r.node, kind, status, rule, method };
    for (const tally of this.noneTallies) {
      const e = tally.e;
      if (n.kind === e.kind && (e.status === null || n.status === e.status) && (e.rule === null || n.rule === e.rule) && (e.at === null || n.node === e.at) && (e.method === null || n.method === e.method)) {
        tally.hits.add(n.seq);
      }
    }
  }

  private setOutcome(conn: string, r: TraceRecord, state: 'opened' | 'refused' | 'blocked' | 'timeout'): void {
    // Only the attempts of nodes that `connection` expectations name are looked at.
    if (!this.connects.has(conn)) return;
    const prior = this.connOutcome.get(conn);
    // The first outcome of an attempt is its outcome: a reset by a firewall after the connection
    // opened does not make it `blocked`, nor does the timeout of a dropped SYN make it `timeout`.
    // Only a dropped SYN is provisional: a retransmitted SYN that gets through opens it.
    if (prior && !(prior.provisional && (state === 'opened' || state === 'refused' || (state === 'blocked' && r.type === 'fw.reject')))) return;
    this.connOutcome.set(conn, { seq: r.seq, t: r.t, state, provisional: r.type === 'fw.drop' });
  }

  private countOnLinks(r: TraceRecord<'msrp.send'>): void {
    const remote = this.connTarget.get(r.conn);
    const dst = remote ? this.addressNode.get(remote.split(':')[0]!) : undefined;
    if (!dst) return;
    const path = this.routes.get(`${r.node}>${dst}`) ?? [r.node, dst];
    const method = r.method;
    const status = r.status;
    for (const tally of this.linkTallies) {
      const e = tally.e;
      if (crosses(path, e.link.a, e.link.b, e.from) && (e.method === null || method === e.method) && (e.status === null || status === e.status)) tally.match.add(r.seq);
    }
  }

  finish(): ExpectationResult[] {
    let reports = 0;
    let responses = 0;
    let nones = 0;
    let counts = 0;
    return this.scenario.expectations.map((e) => {
      if (e.expect === 'report') return this.check(e, this.reportTallies[reports++]!);
      if (e.expect === 'response') return this.check(e, this.responseTallies[responses++]!);
      if (e.expect === 'none') return this.check(e, this.noneTallies[nones++]!);
      if (e.expect === 'count') return this.check(e, this.linkTallies[counts++]!);
      return this.check(e, null);
    });
  }

  private check(e: Expectation, tally: ReportTally | ResponseTally | NoneTally | LinkTally | null): ExpectationResult {
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
        // A message delivered twice (a retransmission after a reconnect, say) counts once.
        const onTime = new Set(intact.filter((d) => !late.includes(d)).map((d) => d.messageId));
        const ok = onTime.size >= e.messages;
        const expected = `${e.messages} message(s) delivered intact to ${e.to} in session ${e.session}${e.within !== null ? ` within ${formatTime(e.within)}` : ''}`;
        const sentCount = [...this.messages.values()].filter((m) => m.session === e.session && m.node !== e.to).length;
        const distinct = new Set(got.map((d) => d.messageId)).size;
        let actual = `${got.length} delivered (${intact.length} intact${late.length ? `, ${late.length} too late` : ''}${distinct < got.length ? `, ${distinct} distinct` : ''}) of ${sentCount} sent`;
        if (late.length) actual += `; slowest took ${formatTime(late.reduce((m, d) => Math.max(m, d.t - this.messages.get(d.messageId)!.t), 0))}`;
        return result(ok, expected, actual, got.map((d) => d.seq));
      }
      case 'report': {
        const t = tally as ReportTally;
        const expected = `${bound(e.count)} REPORT(s) with status ${e.status} at ${e.to}${e.session ? ` in session ${e.session}` : ''}${e.before !== null ? ` by ${formatTime(e.before)}` : ''}`;
        return result(inBound(t.match.count, e.count), expected, describeStatuses('REPORT', t.statuses), (t.match.count ? t.match : t.all).seqs);
      }
      case 'response': {
        const t = tally as ResponseTally;
        const expected = `${bound(e.count)} ${e.method !== null ? `${e.method} ` : ''}response(s) with status ${e.status} at ${e.to}${e.session !== null ? ` in session ${e.session}` : ''}${e.before !== null ? ` by ${formatTime(e.before)}` : ''}`;
        return result(inBound(t.match.count, e.count), expected, describeStatuses('response', t.statuses), (t.match.count ? t.match : t.all).seqs);
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
        const hits = (tally as NoneTally).hits;
        const what = [e.method ?? '', e.kind, e.status !== null ? String(e.status) : '', e.rule ? `rule ${e.rule}` : '', e.at ? `at ${e.at}` : ''].filter(Boolean).join(' ');
        return result(hits.count === 0, `no ${what}`, hits.count === 0 ? 'none happened' : `${hits.count} happened, the first at record ${hits.seqs[0]!}`, hits.seqs);
      }
      case 'count': {
        const match = (tally as LinkTally).match;
        const expected = `${bound(e.frames)} ${e.method ?? (e.status !== null ? `status ${e.status}` : 'MSRP')} frame(s) on ${e.link.a}–${e.link.b}`;
        return result(inBound(match.count, e.frames), expected, `${match.count} crossed`, match.seqs);
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
      if (node !== undefined && got.uri.host.toLowerCase() === node.host && (node.port === null || got.uri.port === node.port)) return true;
      return this.liveAliases.get(w.node)?.has(`${got.uri.host.toLowerCase()}:${got.uri.port}`) === true;
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

function describeStatuses(what: string, counts: Map<number, number>): string {
  if (counts.size === 0) return `no ${what} arrived`;
  return `${what}s: ${[...counts].map(([s, n]) => `${n}×${s}`).join(', ')}`;
}

/** Whether a path of nodes crosses the link a–b (leaving `from`, when given). */
function crosses(p: string[], a: string, b: string, from: string | null): boolean {
  for (let i = 0; i + 1 < p.length; i++) {
    if ((p[i] === a && p[i + 1] === b) || (p[i] === b && p[i + 1] === a)) {
      if (from === null || p[i] === from) return true;
    }
  }
  return false;
}
