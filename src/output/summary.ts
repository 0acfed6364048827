/**
 * summary.json: the figures of a run, per node and per session, counted as the records stream
 * (counters and one entry per message in flight; no record is kept), and `formatSummary` for the
 * few lines the CLI prints.
 *
 * Delivery latency of a message = `endpoint.deliver` time at the receiver - `endpoint.message`
 * time at the sender (same Message-ID; the last 100,000 messages sent are matched). `expectations` is filled by the caller (the scenario's
 * expectation results with their evidence); it is null when there were none.
 */
import type { AnyTraceRecord, TraceRecord } from '../sim/trace.js';
import { formatTime, type Micros } from '../sim/time.js';
import { FrameResolver } from '../sim/frame-resolver.js';
import { nullProtoRecord } from '../wire/own.js';
import type { NodeRole, TopologyInfo } from './topology-info.js';

export interface NodeSummary {
  role: NodeRole;
  framesSent: number;
  framesReceived: number;
  /** Wire bytes of the frames this node sent. */
  bytesSent: number;
  /** Body bytes of the SEND chunks sent and received. */
  bodyBytesSent: number;
  bodyBytesReceived: number;
  /** Requests sent and received, by method. */
  requestsSent: Record<string, number>;
  requestsReceived: Record<string, number>;
  /** Transaction responses sent and received, by status code. */
  responsesSent: Record<string, number>;
  responsesReceived: Record<string, number>;
  /** REPORTs sent and received, by the status they carry. */
  reportsSent: Record<string, number>;
  reportsReceived: Record<string, number>;
  sipSent: number;
  sipReceived: number;
  /** Segments this node dropped (firewalls) or lost (links ending here). */
  drops: number;
  /** Rule violations it recorded in what it received. */
  violations: number;
  connectionsOpened: number;
  connectionsAccepted: number;
  /** Connections that ended other than by FIN (reset, timeout, refused, ...), by kind. */
  connectionFailures: Record<string, number>;
}

export interface LatencyFigures {
  count: number;
  min: Micros;
  mean: Micros;
  median: Micros;
  max: Micros;
}

export interface MessageSummary {
  messageId: string;
  from: string;
  to: string | null;
  contentType: string;
  size: number;
  sentAt: Micros;
  deliveredAt: Micros | null;
  latency: Micros | null;
  /** Status of the last REPORT the sender got for it, if any. */
  report: number | null;
}

export interface SessionSummary {
  offerer: string | null;
  answerer: string | null;
  established: boolean;
  /** Why the session failed (`session.failed`), or its offer was rejected (`session.rejected`). */
  failed: string | null;
  /** Messages sent (`endpoint.message`; a message sent again after a failure, E-19, counts once). */
  messagesSent: number;
  /** Send actions whose message was never sent: refused, failed with the session, or still waiting at the end. */
  messagesNotSent: number;
  /** Of those, the ones still waiting for their session when the run ended. */
  messagesWaiting: number;
  messagesDelivered: number;
  bytesDelivered: number;
  latency: LatencyFigures | null;
  /** The first `maxMessages` messages of the session. */
  messages: MessageSummary[];
}

/**
 * What the outputs need of an expectation's result: the fields of the scenario layer's
 * `ExpectationResult`, which output/ does not import (it reads trace records only), so
 * `runScenario(...).expectations` is passed as it is.
 */
export interface ExpectationOutcome {
  /** What was expected, as the scenario says it. */
  expected: string;
  passed: boolean;
  /** What happened. */
  actual: string;
  /** `seq` of the records that show it. */
  evidence: readonly number[];
}

/** An expectation as summary.json shows it. */
export interface SummaryExpectation {
  /** What was expected, as the scenario says it. */
  expectation: string;
  ok: boolean;
  /** What happened instead, when it failed. */
  actual?: string;
  /** Records that show it (seq numbers in trace.ndjson). */
  evidence?: number[];
}

export interface RunSummary {
  run: {
    name: string | null;
    seed: string | null;
    /** Virtual time at the end of the run, µs. */
    end: Micros;
    endReason: string | null;
    records: number;
    limit: string | null;
  };
  nodes: Record<string, NodeSummary>;
  sessions: Record<string, SessionSummary>;
  /** Records by type whose name says something went wrong, for a quick look. */
  problems: Record<string, number>;
  expectations: SummaryExpectation[] | null;
}

export interface SummaryOptions {
  topology?: TopologyInfo;
  name?: string;
  /** Messages listed per session (default 1000); all are counted. */
  maxMessages?: number;
}

const PROBLEM_TYPES = new Set([
  'fw.drop',
  'fw.reject',
  'net.drop',
  'tcp.refused',
  'tcp.timeout',
  'tls.fail',
  'msrp.malformed',
  'msrp.violation',
  'endpoint.violation',
  'endpoint.timeout',
  'endpoint.abort',
  'session.failed',
  'session.rejected',
  'sip.timeout',
  'endpoint.send-refused',
  'endpoint.send-failed',
  'relay.discard',
  'relay.refuse',
  'relay.timeout',
  'relay.undeliverable',
  'auth.fail',
  'relay.auth-fail',
  'sim.limit',
]);

export class SummaryCollector {
  private readonly nodes = new Map<string, NodeSummary>();
  private readonly sessions = new Map<string, SessionSummary & { latencies: Micros[] }>();
  private readonly messages = new Map<string, MessageSummary & { session: string }>();
  private readonly problems = new Map<string, number>();
  private readonly fixedRoles = new Set<string>();
  /** The frame of each `msrp.recv` (a reference to its send in trace format 2). */
  private readonly frames = new FrameResolver();
  private readonly maxMessages: number;
  private records = 0;
  private end: Micros = 0;
  private seed: string | null = null;
  private endReason: string | null = null;
  private limit: string | null = null;

  constructor(private readonly options: SummaryOptions = {}) {
    this.maxMessages = options.maxMessages ?? 1000;
    for (const n of options.topology?.nodes ?? []) {
      this.node(n.id).role = n.role;
      this.fixedRoles.add(n.id);
    }
  }

  private node(id: string): NodeSummary {
    let n = this.nodes.get(id);
    if (!n) {
      n = {
        role: 'host',
        framesSent: 0,
        framesReceived: 0,
        bytesSent: 0,
        bodyBytesSent: 0,
        bodyBytesReceived: 0,
        requestsSent: nullProtoRecord(),
        requestsReceived: nullProtoRecord(),
        responsesSent: nullProtoRecord(),
        responsesReceived: nullProtoRecord(),
        reportsSent: nullProtoRecord(),
        reportsReceived: nullProtoRecord(),
        sipSent: 0,
        sipReceived: 0,
        drops: 0,
        violations: 0,
        connectionsOpened: 0,
        connectionsAccepted: 0,
        connectionFailures: nullProtoRecord(),
      };
      this.nodes.set(id, n);
    }
    return n;
  }

  private role(id: string, role: NodeRole): void {
    if (this.fixedRoles.has(id)) return;
    const n = this.node(id);
    if (n.role === 'host' || (n.role === 'endpoint' && role === 'sender')) n.role = role;
  }

  private session(id: string): SessionSummary & { latencies: Micros[] } {
    let s = this.sessions.get(id);
    if (!s) {
      s = { offerer: null, answerer: null, established: false, failed: null, messagesSent: 0, messagesNotSent: 0, messagesWaiting: 0, messagesDelivered: 0, bytesDelivered: 0, latency: null, messages: [], latencies: [] };
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Feeds one record, as emitted or as `readNdjson` reads it (the one place it is taken as typed). */
  record(input: AnyTraceRecord): void {
    const r = input as TraceRecord;
    this.frames.see(r);
    // The trace's length up to this record: its seq + 1 counts the state records that a run with no
    // reader of them did not build (Trace.wantsState); in a whole trace, one more than before.
    this.records = Math.max(this.records + 1, r.seq + 1);
    this.end = r.t;
    if (PROBLEM_TYPES.has(r.type)) this.problems.set(r.type, (this.problems.get(r.type) ?? 0) + 1);
    const n = r.node === '' ? null : this.node(r.node);
    switch (r.type) {
      case 'sim.start':
        this.seed = r.seed;
        return;
      case 'sim.end':
        this.endReason = (r.reason ?? '');
        return;
      case 'sim.limit':
        this.limit = r.limit;
        return;
      case 'net.host':
        if (r.kind === 'firewall') this.role(r.node, 'firewall');
        return;
      case 'relay.start':
        this.role(r.node, 'relay');
        return;
      case 'session.offer':
      case 'session.answer':
      case 'auth.ok':
        this.role(r.node, 'endpoint');
        return;
      case 'msrp.send': {
        if (!n) return;
        n.framesSent++;
        n.bytesSent += typeof r.length === 'number' ? r.length : 0;
        if (r.kind === 'request') {
          inc(n.requestsSent, (r.method ?? ''));
          if (r.method === 'SEND' && typeof r.bodyLength === 'number') n.bodyBytesSent += r.bodyLength;
          if (r.method === 'REPORT') inc(n.reportsSent, r.reportStatus === undefined ? 'none' : String(r.reportStatus));
        } else inc(n.responsesSent, String(r.status));
        return;
      }
      case 'msrp.recv': {
        if (!n) return;
        n.framesReceived++;
        const f = this.frames.frameOf(r);
        if (!f) return;
        if (f.kind === 'request') {
          inc(n.requestsReceived, (f.method ?? ''));
          if (f.method === 'SEND' && typeof f.bodyLength === 'number') n.bodyBytesReceived += f.bodyLength;
          if (f.method === 'REPORT') inc(n.reportsReceived, f.reportStatus === undefined ? 'none' : String(f.reportStatus));
        } else inc(n.responsesReceived, String(f.status));
        return;
      }
      case 'sip.send':
        if (n) n.sipSent++;
        return;
      case 'sip.recv':
        if (n) n.sipReceived++;
        return;
      case 'fw.drop':
      case 'fw.reject':
      case 'net.drop':
        if (n) n.drops++;
        return;
      case 'msrp.violation':
      case 'endpoint.violation':
        if (n) n.violations++;
        return;
      case 'tcp.connect':
        if (n) n.connectionsOpened++;
        return;
      case 'tcp.accept':
        if (n) n.connectionsAccepted++;
        return;
      case 'tcp.close':
        if (n && r.kind !== 'fin') inc(n.connectionFailures, r.kind);
        return;
      case 'action.session': {
        const s = this.session((r.session ?? ''));
        s.offerer = r.offerer;
        s.answerer = r.answerer;
        return;
      }
      case 'session.established':
        this.session((r.session ?? '')).established = true;
        return;
      case 'session.failed':
        this.session((r.session ?? '')).failed = (r.reason ?? '');
        return;
      case 'session.rejected':
        this.session((r.session ?? '')).failed = `${String(r.status)} ${(r.reason ?? '')}`;
        return;
      case 'endpoint.send-queued':
        this.session((r.session ?? '')).messagesWaiting++;
        return;
      case 'endpoint.send-refused':
      case 'endpoint.send-failed': {
        if (r.resend === true) return;
        const s = this.session((r.session ?? ''));
        s.messagesNotSent++;
        if (r.queued === true) s.messagesWaiting--;
        return;
      }
      case 'endpoint.message': {
        this.role(r.node, 'sender');
        // A message sent again (E-19) was counted, and its latency is timed, from its first send.
        if (r.resend === true) return;
        const s = this.session((r.session ?? ''));
        s.messagesSent++;
        if (r.queued === true) s.messagesWaiting--;
        const m = {
          session: (r.session ?? ''),
          messageId: (r.messageId ?? ''),
          from: r.node,
          to: null,
          contentType: r.contentType,
          size: typeof r.size === 'number' ? r.size : 0,
          sentAt: r.t,
          deliveredAt: null,
          latency: null,
          report: null,
        };
        this.messages.set(m.messageId, m);
        // Bounded: a message still undelivered after 100,000 newer ones is no longer matched.
        if (this.messages.size > 100_000) this.messages.delete(this.messages.keys().next().value as string);
        if (s.messages.length < this.maxMessages) s.messages.push(m);
        return;
      }
      case 'endpoint.deliver': {
        const id = (r.messageId ?? '');
        const m = this.messages.get(id);
        const s = this.session((r.session ?? '') || m?.session || '');
        s.messagesDelivered++;
        s.bytesDelivered += typeof r.size === 'number' ? r.size : 0;
        if (m && m.deliveredAt === null) {
          m.to = r.node;
          m.deliveredAt = r.t;
          m.latency = r.t - m.sentAt;
          this.session(m.session).latencies.push(m.latency);
        }
        return;
      }
      case 'endpoint.report': {
        const m = this.messages.get((r.messageId ?? ''));
        if (m && typeof r.status === 'number') m.report = r.status;
        return;
      }
      default:
        return;
    }
  }

  finish(expectations: SummaryExpectation[] | null = null): RunSummary {
    // Keys are node ids, session ids and record types from the trace: tables without a prototype,
    // so that `__proto__` is an entry like any other.
    const nodes = nullProtoRecord<NodeSummary>();
    const order = this.options.topology?.nodes.map((n) => n.id) ?? [];
    const ids = [...order.filter((id) => this.nodes.has(id)), ...[...this.nodes.keys()].filter((id) => !order.includes(id)).sort()];
    for (const id of ids) nodes[id] = this.nodes.get(id)!;
    const sessions = nullProtoRecord<SessionSummary>();
    for (const id of [...this.sessions.keys()].sort()) {
      const { latencies, ...s } = this.sessions.get(id)!;
      s.latency = figures(latencies);
      // Still waiting at the end: never sent either.
      s.messagesNotSent += s.messagesWaiting;
      s.messages = s.messages.map((m) => {
        const { session: _session, ...rest } = m as MessageSummary & { session: string };
        return { ...rest };
      });
      sessions[id] = s;
    }
    const problems = nullProtoRecord<number>();
    for (const k of [...this.problems.keys()].sort()) problems[k] = this.problems.get(k)!;
    return {
      run: { name: this.options.name ?? null, seed: this.seed, end: this.end, endReason: this.endReason, records: this.records, limit: this.limit },
      nodes,
      sessions,
      problems,
      expectations,
    };
  }
}

function inc(m: Record<string, number>, k: string): void {
  m[k] = (m[k] ?? 0) + 1;
}

function figures(xs: Micros[]): LatencyFigures | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return { count: s.length, min: s[0]!, mean: Math.round(sum / s.length), median: s[Math.floor((s.length - 1) / 2)]!, max: s[s.length - 1]! };
}

/** summary.json's text: two-space indented JSON, newline-terminated. */
export function summaryJson(summary: RunSummary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}

function ms(us: Micros): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

function kb(bytes: number): string {
  return bytes >= 10_000 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

function counts(m: Record<string, number>): string {
  const e = Object.entries(m);
  return e.length === 0 ? '-' : e.map(([k, v]) => `${k} x${v}`).join(', ');
}

/** The few lines the CLI prints after a run. */
export function formatSummary(summary: RunSummary): string {
  const lines: string[] = [];
  const r = summary.run;
  lines.push(`${r.name ?? 'run'}: ${r.records} records, ended at ${formatTime(r.end)}${r.endReason ? ` (${r.endReason}${r.limit ? `: ${r.limit} limit` : ''})` : ''}`);
  const sessions = Object.entries(summary.sessions);
  if (sessions.length === 0) lines.push('  no sessions');
  for (const [id, s] of sessions) {
    const state = s.failed ? `failed (${s.failed})` : s.established ? 'established' : 'not established';
    const lat = s.latency ? `, delivery ${s.latency.count === 1 ? ms(s.latency.min) : `${ms(s.latency.min)} to ${ms(s.latency.max)}, median ${ms(s.latency.median)}`}` : '';
    const notSent = s.messagesNotSent > 0 ? `, ${s.messagesNotSent} never sent` : '';
    lines.push(`  session ${id} ${s.offerer ?? '?'} -> ${s.answerer ?? '?'}: ${state}, ${s.messagesDelivered}/${s.messagesSent} messages delivered (${kb(s.bytesDelivered)})${notSent}${lat}`);
  }
  for (const [id, n] of Object.entries(summary.nodes)) {
    if (n.framesSent === 0 && n.framesReceived === 0 && n.drops === 0) continue;
    const reports = Object.keys(n.reportsReceived).length > 0 ? `; REPORTs in: ${counts(n.reportsReceived)}` : '';
    const errors = Object.entries(n.responsesReceived).filter(([k]) => k !== '200');
    const errText = errors.length > 0 ? `; non-200 responses in: ${errors.map(([k, v]) => `${k} x${v}`).join(', ')}` : '';
    const drops = n.drops > 0 ? `; dropped ${n.drops} segments` : '';
    lines.push(`  ${id.padEnd(10)} ${n.role.padEnd(9)} sent ${n.framesSent} frames (${kb(n.bytesSent)}), received ${n.framesReceived}${reports}${errText}${drops}`);
  }
  const problems = Object.entries(summary.problems).filter(([k]) => k !== 'sim.limit');
  lines.push(problems.length === 0 ? '  problems: none' : `  problems: ${counts(Object.fromEntries(problems))}`);
  if (summary.expectations) {
    const failed = summary.expectations.filter((e) => !e.ok);
    lines.push(`  expectations: ${summary.expectations.length - failed.length} held, ${failed.length} failed`);
    for (const e of failed) lines.push(`    FAILED ${e.expectation}${e.actual ? `: ${e.actual}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
