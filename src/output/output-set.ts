/**
 * The outputs of a run (SPEC §7) as a set fed with trace records as they stream; output/index.ts
 * says how to use it (`createOutputs`). This module loads only what every set needs (the trace
 * writer and the summary): the collectors and renderers of the other outputs come in an
 * `OutputKit`, which index.ts fills with all of them and `loadOutputs` (output-loading.ts) with
 * only those the outputs asked for need. So the CLI's `msrp-sim run --only trace,summary` loads
 * none of them (docs/performance.md, "Start-up").
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import type { DiagramDrawer, DiagramRequest, Diagrams, drawDiagrams } from './diagrams.js';
import type { FlowCollector } from './flow.js';
import type { FlowModel } from './flow-model.js';
import type { renderReport } from './html.js';
import type { LadderOptions } from './ladder.js';
import type { renderMermaid } from './mermaid.js';
import { createNdjsonWriter } from './ndjson.js';
import type { CaptureFileWriter, CapturePackets, captureFileWriter, createCapturePackets } from './pcap.js';
import type { StepCollector } from './report-step.js';
import type { renderStepPlayer } from './report-step-view.js';
import { formatSummary, SummaryCollector, summaryJson, type ExpectationOutcome, type RunSummary, type SummaryExpectation } from './summary.js';
import type { createTimelineWriter, TimelineOptions } from './timeline.js';
import type { TopologyInfo } from './topology-info.js';
import { withSvgEngine } from './svg-engine.js';

export type OutputName = 'trace.ndjson' | 'timeline.txt' | 'sequence.svg' | 'topology.svg' | 'capture.pcapng' | 'capture.pcap' | 'summary.json' | 'report.html' | 'sequence.mmd';

/** The outputs made by default. */
export const OUTPUT_NAMES: readonly OutputName[] = ['trace.ndjson', 'timeline.txt', 'sequence.svg', 'topology.svg', 'capture.pcapng', 'summary.json', 'report.html', 'sequence.mmd'];

/** Every output that can be asked for in `only`: the defaults, and the classic pcap capture. */
export const ALL_OUTPUT_NAMES: readonly OutputName[] = [...OUTPUT_NAMES, 'capture.pcap'];

/** Outputs whose text can be handed over as it is made. */
export type StreamedOutput = 'trace.ndjson' | 'timeline.txt';

/** The capture's files. */
export type CaptureOutput = 'capture.pcapng' | 'capture.pcap';

/**
 * Where a capture file goes as the run goes: its pieces in order, then (at `finish()`) the head
 * that goes before them. capture.pcapng's head holds its interfaces, known only at the end;
 * capture.pcap's is empty (its header is the first piece).
 */
export interface CaptureFileSink {
  write(bytes: Uint8Array): void;
  close(head: Uint8Array): void;
}

export interface OutputOptions {
  /** The outputs to make (default: all). `sequence.svg` stands for all its pages. */
  only?: readonly OutputName[];
  /** Node roles, firewall zones and link settings the trace does not carry (topology-info.ts). */
  topology?: TopologyInfo;
  /** The scenario's name, for titles. */
  name?: string;
  /** Chunks of these outputs go to the function as they are made, instead of into `finish()`. */
  stream?: Partial<Record<StreamedOutput, (chunk: string) => void>>;
  /** The capture files written as the run goes (they are then not in `finish()`'s map). */
  captureSinks?: Partial<Record<CaptureOutput, CaptureFileSink>>;
  ladder?: LadderOptions;
  timeline?: TimelineOptions;
  /** Arrows the diagrams keep (default 20,000); the rest are counted. */
  maxArrows?: number;
  /** Ladder pages inlined in report.html (default 20); all are in the sequence-NNN.svg files. */
  reportPages?: number;
  /** Characters of the timeline inlined in report.html (default 2,000,000). */
  reportTimelineChars?: number;
  /**
   * Draws the SVG diagrams (default: in this thread, with d3-node imported on first use). The CLI
   * passes one that draws them on a thread started, and d3-node loaded, while the run went on.
   */
  drawDiagrams?: DiagramDrawer;
}

export interface FinishOptions {
  /** The scenario's expectation results, for summary.json and the report. */
  expectations?: readonly ExpectationOutcome[] | null;
}

export type OutputFiles = Map<string, string | Uint8Array>;

export interface OutputSet {
  /** Feeds one record (bound: can be passed as a trace sink). */
  readonly record: (record: AnyTraceRecord) => void;
  /**
   * Whether these outputs read the node state records (`state.*`): the trace, the timeline, the
   * report's step-through panel, the diagrams (which name every node a record is about). The
   * summary and the capture do not: attach with `addSink(outputs.record, { states: outputs.readsState })`
   * and a run that makes only those builds no state records.
   */
  readonly readsState: boolean;
  /**
   * Whether these outputs read the `tcp.segment` records: the capture, and those that read the
   * state records (the trace, the timeline, the report, the diagrams). The summary alone does not:
   * attach with `segments: outputs.readsSegments` too and a summary-only run builds none.
   */
  readonly readsSegments: boolean;
  /** The summary so far (cheap; counted as records came). */
  summary(expectations?: readonly ExpectationOutcome[] | null): RunSummary;
  /** Makes the files. Call once, after the last record. */
  finish(options?: FinishOptions): Promise<OutputFiles>;
}

/** The scenario's expectation results as summary.json and the report show them. */
function summaryExpectations(results: readonly ExpectationOutcome[] | null): SummaryExpectation[] | null {
  return results === null ? null : results.map((e) => ({ expectation: e.expected, ok: e.passed, ...(e.passed ? {} : { actual: e.actual }), evidence: [...e.evidence] }));
}

/** What the outputs other than the trace and the summary are made with; those asked for must be given. */
export interface OutputKit {
  createTimelineWriter?: typeof createTimelineWriter;
  FlowCollector?: typeof FlowCollector;
  capture?: { createCapturePackets: typeof createCapturePackets; captureFileWriter: typeof captureFileWriter };
  StepCollector?: typeof StepCollector;
  renderMermaid?: typeof renderMermaid;
  renderReport?: typeof renderReport;
  renderStepPlayer?: typeof renderStepPlayer;
  /** Draws the SVG diagrams in this thread (when `OutputOptions.drawDiagrams` does not). */
  drawDiagrams?: typeof drawDiagrams;
}

/** Which outputs are asked for, and what making them takes. */
export function outputPlan(options: OutputOptions) {
  const wanted = new Set<OutputName>(options.only ?? OUTPUT_NAMES);
  for (const n of wanted) if (!ALL_OUTPUT_NAMES.includes(n)) throw new Error(`unknown output '${n}' (known: ${ALL_OUTPUT_NAMES.join(', ')})`);
  const html = wanted.has('report.html');
  const svg = html || wanted.has('sequence.svg') || wanted.has('topology.svg');
  return {
    wanted,
    html,
    svg,
    needFlow: svg || wanted.has('sequence.mmd'),
    needTimeline: wanted.has('timeline.txt') || html,
    needPcap: wanted.has('capture.pcapng') || wanted.has('capture.pcap'),
  };
}

function need<T>(made: T | undefined, what: string): T {
  if (made === undefined) throw new Error(`createOutputsWith: the outputs asked for need ${what}, which the kit lacks`);
  return made;
}

/**
 * The outputs `options` asks for, made with what `kit` holds (`createOutputs` in index.ts gives
 * it everything; `loadOutputs` only what the outputs need).
 */
export function createOutputsWith(kit: OutputKit, options: OutputOptions = {}): OutputSet {
  const { wanted, html, needFlow, needTimeline, needPcap } = outputPlan(options);
  const stream = options.stream ?? {};

  const ndjson = wanted.has('trace.ndjson') ? createNdjsonWriter() : null;
  const ndjsonChunks: string[] = [];
  const timeline = needTimeline
    ? need(kit.createTimelineWriter, 'timeline')({ nodes: options.topology?.nodes.map((n) => n.id), ...options.timeline })
    : null;
  const timelineChunks: string[] = [];
  const reportTimelineMax = options.reportTimelineChars ?? 2_000_000;
  let reportTimeline = '';
  let reportTimelineOmitted = 0;
  const flow = needFlow ? new (need(kit.FlowCollector, 'flow'))({ topology: options.topology, maxArrows: options.maxArrows }) : null;
  const captures: { name: CaptureOutput; writer: CaptureFileWriter; sink: CaptureFileSink | undefined }[] = [];
  let capture: CapturePackets | null = null;
  if (needPcap) {
    const made = need(kit.capture, 'the capture');
    capture = made.createCapturePackets({ topology: options.topology }, (p) => {
      for (const c of captures) c.writer.packet(p);
    });
    for (const name of ['capture.pcapng', 'capture.pcap'] as const) {
      if (!wanted.has(name)) continue;
      const sink = options.captureSinks?.[name];
      const writer = made.captureFileWriter(name === 'capture.pcap' ? 'pcap' : 'pcapng', sink ? (b) => sink.write(b) : null, capture.hosts);
      captures.push({ name, writer, sink });
    }
  }
  const summary = new SummaryCollector({ topology: options.topology, name: options.name });
  const stepper = html ? new (need(kit.StepCollector, 'report-step'))() : null;
  let finished = false;

  const record = (r: AnyTraceRecord): void => {
    if (ndjson) {
      const line = ndjson.write(r);
      if (stream['trace.ndjson']) stream['trace.ndjson'](line);
      else ndjsonChunks.push(line);
    }
    if (timeline) {
      const text = timeline.write(r);
      if (text !== '') {
        if (wanted.has('timeline.txt')) {
          if (stream['timeline.txt']) stream['timeline.txt'](text);
          else timelineChunks.push(text);
        }
        if (html) {
          if (reportTimeline.length + text.length <= reportTimelineMax) reportTimeline += text;
          else reportTimelineOmitted += text.length;
        }
      }
    }
    flow?.record(r);
    capture?.record(r);
    summary.record(r);
    stepper?.record(r);
  };

  const readsState = ndjson !== null || timeline !== null || flow !== null || stepper !== null;
  return {
    record,
    readsState,
    readsSegments: readsState || capture !== null,
    summary: (expectations = null) => summary.finish(summaryExpectations(expectations)),
    finish(finishOptions = {}) {
      if (finished) throw new Error('outputs already finished');
      finished = true;
      const model = flow?.finish() ?? null;
      const title = options.name ? `msrp-sim: ${options.name}` : 'msrp-sim run';
      const request: DiagramRequest = {
        topology: wanted.has('topology.svg') || html ? { title: `${title}: topology` } : null,
        // Drawn once, with ids numbered per page, for the files and the report alike.
        ladder: wanted.has('sequence.svg') || html ? { title, idPrefix: 'p', ...options.ladder } : null,
      };
      const drawing = model !== null && (request.topology !== null || request.ladder !== null);
      if (drawing && options.drawDiagrams) return options.drawDiagrams(model, request).then((diagrams) => make(finishOptions, model, diagrams));
      // d3-node (jsdom) is loaded only when an SVG is drawn.
      return withSvgEngine(drawing, (engine) => make(finishOptions, model, engine && model ? need(kit.drawDiagrams, 'the diagrams')(engine, model, request) : { topologySvg: null, pages: [] }));
    },
  };

  function make(finishOptions: FinishOptions, model: FlowModel | null, diagrams: Diagrams): OutputFiles {
    const files: OutputFiles = new Map();
    const title = options.name ? `msrp-sim: ${options.name}` : 'msrp-sim run';
    if (ndjson && !stream['trace.ndjson']) files.set('trace.ndjson', ndjsonChunks.join(''));
    if (wanted.has('timeline.txt') && !stream['timeline.txt']) files.set('timeline.txt', timelineChunks.join(''));
    const runSummary = summary.finish(summaryExpectations(finishOptions.expectations ?? null));
    if (wanted.has('summary.json')) files.set('summary.json', summaryJson(runSummary));
    capture?.end();
    for (const c of captures) {
      if (c.sink) c.sink.close(c.writer.head());
      else files.set(c.name, c.writer.whole());
    }
    if (model) {
      const { topologySvg, pages } = diagrams;
      if (topologySvg !== null && wanted.has('topology.svg')) files.set('topology.svg', topologySvg);
      if (wanted.has('sequence.svg')) for (const page of pages) files.set(page.name, page.svg);
      if (wanted.has('sequence.mmd')) files.set('sequence.mmd', need(kit.renderMermaid, 'the Mermaid renderer')(model));
      if (html) {
        const renderReport = need(kit.renderReport, 'the report renderer');
        const renderStepPlayer = need(kit.renderStepPlayer, 'the step-through player');
        const keep = options.reportPages ?? 20;
        const shown = pages.slice(0, keep);
        files.set(
          'report.html',
          renderReport({
            title,
            summary: runSummary,
            summaryText: formatSummary(runSummary),
            topologySvg,
            ladderPages: shown,
            omittedPages: Math.max(0, pages.length - keep),
            timeline: reportTimeline,
            timelineOmitted: reportTimelineOmitted,
            player: stepper ? renderStepPlayer(stepper.finish(model, shown.flatMap((p) => p.arrows))) : undefined,
          }),
        );
      }
    }
    return files;
  }
}
