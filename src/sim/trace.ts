/**
 * Trace records and the trace stream. Every frame, segment and decision in a run is one record:
 * plain data with a stable field order (t, seq, node, type, rule, then the type's own fields in the
 * order the emitter wrote them), so a trace serializes to identical NDJSON on every run.
 *
 * Each layer declares its record types by merging into `TraceTypes`:
 *
 *   declare module '../sim/trace.js' {
 *     interface TraceTypes { 'tcp.connect': { conn: string; from: string; to: string } }
 *   }
 *
 * The model only emits typed records; formatting lives in src/output/.
 *
 * Records emitted while the world is being built (hosts, links), before the run begins, are held
 * and handed to every sink or subscriber that attaches before the run, so that each one sees the
 * whole trace from record 0 whenever it was attached during set-up. Once the run has begun
 * (`begin`, called by `Simulation.run`), the held records are let go and attaching is hot.
 */
// The two classes from their own modules: rxjs's main entry, under Node, is its CommonJS build of
// every operator (about 0.13 s of CPU at each start of the CLI, for two classes).
import { Observable } from 'rxjs/internal/Observable';
import { Subject } from 'rxjs/internal/Subject';
import type { Micros } from './time.js';

/** Record type name -> its fields. Extended by declaration merging in each layer. */
 
export interface TraceTypes {
  /** The trace's first record (format version 2 on): the format the rest of the trace is in. */
  'trace.format': { version: number };
  'sim.start': { seed: string; duration: Micros | null };
  'sim.end': { reason: string; events: number };
  'sim.limit': { limit: string; value: number };
}

export type TraceType = keyof TraceTypes;

/**
 * The trace format msrp-sim writes and the newest it reads (docs/trace-format.md). Version 1 had
 * no `trace.format` record; from version 2 on, it is the first record of every trace.
 */
export const TRACE_FORMAT_VERSION = 2;

/**
 * The problem with a trace's format record, or null when msrp-sim reads that format: a version
 * newer than it reads, or a version that is not a positive integer.
 */
export function traceFormatProblem(version: unknown): string | null {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return `trace.format: field 'version' must be a positive integer`;
  if (version > TRACE_FORMAT_VERSION) return `trace format version ${version} is newer than this msrp-sim reads (${TRACE_FORMAT_VERSION})`;
  return null;
}

/** A trace format msrp-sim can write: 2 (the default), or 1 for the format before it. */
export type TraceFormatVersion = 1 | 2;

export interface TraceRecordBase {
  /** Virtual time in microseconds. */
  t: Micros;
  /** Position in the trace: 0, 1, 2, ... */
  seq: number;
  /** The node the record is about (`''` for the simulator itself). */
  node: string;
  type: string;
  /** The rule that made the node act: a CHECKLIST id (`R-19`) or a profile deviation id. */
  rule?: string;
}

/**
 * A trace record: the discriminated union of every record type (narrow it on `type` to read its
 * fields), or, with a type argument, the records of those types only.
 */
export type TraceRecord<K extends TraceType = TraceType> = { [P in K]: TraceRecordBase & { type: P } & TraceTypes[P] }[K];

/**
 * Any record read without narrowing on its type (what generic writers and filters see). Its
 * fields are `any` only so that every `TraceRecord` is one: interfaces have no implicit index
 * signature. Code that reads a type's fields narrows a `TraceRecord` instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTraceRecord = TraceRecordBase & Record<string, any>;

export type TraceSink = (record: TraceRecord) => void;

export interface SinkOptions {
  /**
   * The sink reads the node state records (`state.*`; default true). False: the sink ignores
   * them, and while no attached sink or subscriber reads them the model does not build them at all
   * (`wantsState`); it may still be handed them when another consumer reads them.
   */
  states?: boolean;
  /**
   * The sink reads the `tcp.segment` records (default true). False: as with `states`, while no
   * attached sink or subscriber reads them the network does not build them (`wantsSegment`). The
   * capture, the timeline and the trace read them; the summary and the expectations do not.
   */
  segments?: boolean;
}

/** Where the trace reads the time of each record from (the kernel's scheduler). */
export interface TraceClock {
  readonly now: Micros;
}

export class Trace {
  private seq = 0;
  private readonly sinks: TraceSink[] = [];
  private readonly subject = new Subject<TraceRecord>();
  /** Records emitted before the run began, for sinks attached later; null once it has begun. */
  private setup: TraceRecord[] | null = [];
  /** Attached sinks and subscribers that read the `state.*` records. */
  private stateReaders = 0;
  /** Attached sinks and subscribers that read the `tcp.segment` records. */
  private segmentReaders = 0;

  /**
   * All records as an rxjs Observable, for writers, progress and filters: a subscription made
   * before the run gets the records of the set-up first; after that it is hot (no replay). A
   * subscription reads every record, the `state.*` ones too.
   */
  readonly trace$: Observable<TraceRecord> = new Observable<TraceRecord>((subscriber) => {
    for (const r of this.setup ?? []) subscriber.next(r);
    this.stateReaders++;
    this.segmentReaders++;
    const subscription = this.subject.subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      this.stateReaders--;
      this.segmentReaders--;
    };
  });

  /**
   * `version`: the format to write. From version 2 on, the trace's first record (seq 0, time 0,
   * held with the set-up records) is `trace.format`, for live and simulated runs alike.
   */
  constructor(
    private readonly clock: TraceClock,
    readonly version: TraceFormatVersion = TRACE_FORMAT_VERSION,
  ) {
    if (version >= 2) this.emit('', 'trace.format', { version });
  }

  /**
   * Whether to build a node state record (`state.*`, trace format 2 on) now; call it once for each
   * state change, just before building the record for `emit`:
   *
   *   if (trace.wantsState()) trace.emit(node, 'state.peer', { ... });
   *
   * True while an attached sink or subscriber reads state records (and, before the run begins,
   * always). False when none does (a run that writes only its summary): the record is then not
   * built, and its `seq` is taken all the same, so that every other record has the `seq` it has
   * in a trace written with them (expectation evidence, `msrp.recv` references, the summary's
   * record count). In a format-1 trace, which has no state records, it is false and takes nothing.
   */
  wantsState(): boolean {
    if (this.version < 2) return false;
    // Before the run, every record is held for the sinks still to come, which may read them all.
    if (this.setup !== null || this.stateReaders > 0) return true;
    this.seq++;
    return false;
  }

  /**
   * Whether to build a `tcp.segment` record now, as `wantsState` for state records: false while no
   * attached sink or subscriber reads them (a run that writes only its summary, a sweep), and the
   * record's `seq` is then taken all the same. In every trace format.
   */
  wantsSegment(): boolean {
    if (this.setup !== null || this.segmentReaders > 0) return true;
    this.seq++;
    return false;
  }

  /** Records emitted so far. */
  get count(): number {
    return this.seq;
  }

  /**
   * Adds a direct sink (cheaper than an Observable subscription); returns its removal. Before the
   * run begins, the sink first gets the records emitted so far. `options.states: false`: the sink
   * does not read the `state.*` records (see `wantsState`); `options.segments: false`: nor the
   * `tcp.segment` records (`wantsSegment`).
   */
  addSink(sink: TraceSink, options: SinkOptions = {}): () => void {
    if (this.setup) for (const r of this.setup) sink(r);
    this.sinks.push(sink);
    const reads = options.states !== false;
    const readsSegments = options.segments !== false;
    if (reads) this.stateReaders++;
    if (readsSegments) this.segmentReaders++;
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i < 0) return;
      this.sinks.splice(i, 1);
      if (reads) this.stateReaders--;
      if (readsSegments) this.segmentReaders--;
    };
  }

  /** The run begins: the records of the set-up are no longer held for sinks still to come. */
  begin(): void {
    this.setup = null;
  }

  emit<K extends TraceType>(node: string, type: K, fields: TraceTypes[K], rule?: string): TraceRecord<K> {
    const base: TraceRecordBase = { t: this.clock.now, seq: this.seq++, node, type };
    if (rule !== undefined) base.rule = rule;
    const record = Object.assign(base, fields) as TraceRecord<K>;
    const any = record as TraceRecord;
    // The held record is a copy: were the record itself held, V8 would see most objects of this
    // allocation site survive the first scavenges and allocate every later record, short-lived as
    // they are, in the old generation (allocation-site pretenuring): 40 % more CPU time and 50 % more
    // memory on the scale scenario (docs/performance.md, "Pretenured trace records").
    if (this.setup) this.setup.push({ ...any });
    for (let i = 0; i < this.sinks.length; i++) this.sinks[i]!(any);
    if (this.subject.observed) this.subject.next(any);
    return record;
  }

  complete(): void {
    this.subject.complete();
  }
}
