/**
 * One run of a sweep: the cell's scenario run with the run's seed, and its result as a small
 * record of figures, computed from the trace through the library's summary collector (the trace
 * itself is not kept).
 */
import { SummaryCollector, type RunSummary } from '../output/summary.js';
import { runScenario, type RunResult } from '../scenario/run.js';
import type { AnyTraceRecord } from '../sim/trace.js';
import type { FigureName } from './definition.js';
import type { Scenario } from '../scenario/types.js';
import type { PlainValue } from './definition.js';

export type SweepRunOutcome = 'pass' | 'fail' | 'error';

/** A run's line in runs.ndjson. */
export interface RunRecord {
  run: number;
  id: string;
  cell: number;
  seed: number | null;
  parameters: Record<string, PlainValue>;
  outcome: SweepRunOutcome;
  expectations: { expected: string; passed: boolean; actual: string }[];
  /** null where the run has no such figure (no message delivered: no latency). */
  figures: Record<FigureName, number | null>;
  /** Records of the trace whose type says something went wrong, by type. */
  failuresByReason: Record<string, number>;
  /** Why the run could not finish (an exception, the event limit), for `error`. */
  error?: string;
}

/** What a run's sinks see, so the CLI can write the full outputs of a run as it goes. */
export interface RunHooks {
  sinks?: ((r: AnyTraceRecord) => void)[];
  /** Whether `sinks` read the node state records (default true); the summary of the figures does not. */
  sinksReadState?: boolean;
  /** Whether `sinks` read the `tcp.segment` records (default true); the summary of the figures does not. */
  sinksReadSegments?: boolean;
  /** Sees the run's result before its figures are taken (writers of full outputs). */
  onResult?: (result: RunResult) => void;
}

/** Nearest-rank percentile of sorted values (p in 0..1). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const ms = (us: number): number => Math.round(us) / 1000;

/** The figures of a run from its summary. */
export function runFigures(s: RunSummary): { figures: Record<FigureName, number | null>; failuresByReason: Record<string, number> } {
  let delivered = 0;
  let sent = 0;
  const latencies: number[] = [];
  for (const session of Object.values(s.sessions)) {
    delivered += session.messagesDelivered;
    sent += session.messagesSent;
    for (const m of session.messages) if (m.latency !== null) latencies.push(m.latency);
  }
  latencies.sort((a, b) => a - b);
  let reports = 0;
  let failureReports = 0;
  let frameHops = 0;
  for (const n of Object.values(s.nodes)) {
    frameHops += n.framesSent;
    // REPORTs that reach endpoints (a relay's own count those it forwards).
    if (n.role === 'relay' || n.role === 'firewall') continue;
    for (const [status, c] of Object.entries(n.reportsReceived)) {
      reports += c;
      if (status !== '200') failureReports += c;
    }
  }
  const failuresByReason: Record<string, number> = {};
  let failures = 0;
  for (const [type, c] of Object.entries(s.problems)) {
    failuresByReason[type] = c;
    failures += c;
  }
  const p = (q: number): number | null => {
    const v = percentile(latencies, q);
    return v === null ? null : ms(v);
  };
  return {
    figures: {
      delivered,
      sent,
      latencyP50: p(0.5),
      latencyP95: p(0.95),
      latencyMax: p(1),
      reports,
      failureReports,
      frameHops,
      segmentsLost: s.problems['net.drop'] ?? 0,
      failures,
      endTime: ms(s.run.end),
    },
    failuresByReason,
  };
}

const NO_FIGURES = (): Record<FigureName, number | null> => ({ delivered: null, sent: null, latencyP50: null, latencyP95: null, latencyMax: null, reports: null, failureReports: null, frameHops: null, segmentsLost: null, failures: null, endTime: null });

/** What a run needs besides its scenario: its place in the sweep. */
export interface RunHead {
  run: number;
  id: string;
  cell: number;
  seed: number | null;
  parameters: Record<string, PlainValue>;
}

/**
 * Runs one run of a sweep in this thread: the cell's scenario (or why it does not load) with the
 * run's seed. Needs no plan, so a worker thread that is handed the scenario loads no parser.
 */
export function executeScenarioRun(head: RunHead, loaded: { ok: true; scenario: Scenario } | { ok: false; problems: readonly { message: string }[] }, hooks: RunHooks = {}): RunRecord {
  if (!loaded.ok) return { ...head, outcome: 'error', expectations: [], figures: NO_FIGURES(), failuresByReason: {}, error: `the parameter set does not load: ${loaded.problems[0]?.message ?? ''}` };
  const summary = new SummaryCollector({ maxMessages: 100_000 });
  try {
    const result = runScenario(loaded.scenario, { ...(head.seed !== null ? { seed: head.seed } : {}), sinks: [(r) => summary.record(r), ...(hooks.sinks ?? [])], sinksReadState: hooks.sinks !== undefined && hooks.sinksReadState !== false, sinksReadSegments: hooks.sinks !== undefined && hooks.sinksReadSegments !== false });
    hooks.onResult?.(result);
    const { figures, failuresByReason } = runFigures(summary.finish(null));
    const limited = result.outcome.reason === 'max-events';
    return {
      ...head,
      outcome: limited ? 'error' : result.passed ? 'pass' : 'fail',
      expectations: result.expectations.map((e) => ({ expected: e.expected, passed: e.passed, actual: e.actual })),
      figures,
      failuresByReason,
      ...(limited ? { error: 'the run reached its event limit' } : {}),
    };
  } catch (err) {
    return { ...head, outcome: 'error', expectations: [], figures: NO_FIGURES(), failuresByReason: {}, error: `internal error: ${err instanceof Error ? err.message : String(err)}` };
  }
}
