/**
 * The outputs of a run (SPEC §7), fed with trace records as they stream:
 *
 *   const outputs = createOutputs({ topology, name, stream: { 'trace.ndjson': (s) => out.write(s) } });
 *   world.sim.trace.addSink(outputs.record);
 *   world.run(...);
 *   for (const [file, content] of await outputs.finish({ expectations })) writeAtomically(file, content);
 *
 * Nothing here touches the file system: `finish()` returns file names and contents, and the
 * outputs named in `stream` are handed over chunk by chunk as the records come (they are then not
 * in `finish()`'s map), so that trace.ndjson and timeline.txt do not grow memory with the trace.
 * The diagrams keep what they draw (bounded by `maxArrows`); the capture files can be handed over
 * as they are made too (`captureSinks`), holding back only the packets not yet settled.
 * Every output can also be rebuilt from a trace file: `outputsFromNdjson(text, options)`.
 * `finish()` returns a Promise because the SVG diagrams are drawn with d3-node, which is imported
 * only when an SVG output (or the report, which inlines them) is asked for, or on another thread
 * (`drawDiagrams`).
 */
import { drawDiagrams } from './diagrams.js';
import { FlowCollector } from './flow.js';
import { renderReport } from './html.js';
import { renderMermaid } from './mermaid.js';
import { readNdjson } from './ndjson.js';
import { createOutputsWith, type FinishOptions, type OutputFiles, type OutputOptions, type OutputSet } from './output-set.js';
import { captureFileWriter, createCapturePackets } from './pcap.js';
import { StepCollector } from './report-step.js';
import { renderStepPlayer } from './report-step-view.js';
import { createTimelineWriter } from './timeline.js';

export type { OutputName, StreamedOutput, CaptureOutput, CaptureFileSink, OutputOptions, FinishOptions, OutputFiles, OutputSet, OutputKit } from './output-set.js';
export { OUTPUT_NAMES, ALL_OUTPUT_NAMES, createOutputsWith } from './output-set.js';
export { loadOutputs } from './output-loading.js';

/**
 * The outputs `options` asks for (default: all), with every output's module at hand
 * (`loadOutputs` loads only those the outputs asked for need, for a caller that can wait).
 */
export function createOutputs(options: OutputOptions = {}): OutputSet {
  return createOutputsWith({ createTimelineWriter, FlowCollector, capture: { createCapturePackets, captureFileWriter }, StepCollector, renderMermaid, renderReport, renderStepPlayer, drawDiagrams }, options);
}

/** Rebuilds the outputs from a trace.ndjson text (trace.ndjson itself comes back as it was read). */
export function outputsFromNdjson(text: string, options: OutputOptions = {}, finishOptions: FinishOptions = {}): Promise<OutputFiles> {
  const outputs = createOutputs(options);
  for (const r of readNdjson(text)) outputs.record(r);
  return outputs.finish(finishOptions);
}

export { createNdjsonWriter, ndjsonLine, readNdjson, readNdjsonLines, NdjsonSyntaxError, type NdjsonWriter } from './ndjson.js';
export { createTimelineWriter, type TimelineOptions, type TimelineWriter } from './timeline.js';
export { FlowCollector, type FlowModel, type FlowOptions, type Arrow, type Marker } from './flow.js';
export { renderLadder, type LadderOptions, type LadderPage } from './ladder.js';
export { drawDiagrams, plainFlowModel, flowModelOf, type DiagramDrawer, type DiagramRequest, type Diagrams, type PlainFlowModel } from './diagrams.js';
export { renderTopology, type TopologyOptions } from './topology.js';
export { renderMermaid, type MermaidOptions } from './mermaid.js';
export { createPcapBuilder, createCapturePackets, captureFileWriter, type PcapBuilder, type PcapBuilderOptions, type CaptureFormat, type CapturePackets, type CaptureFileWriter } from './pcap.js';
export { writePcapng, type PcapngInterface, type PcapngPacket } from './pcapng.js';
export { SummaryCollector, formatSummary, summaryJson, type RunSummary, type NodeSummary, type SessionSummary, type MessageSummary, type SummaryExpectation, type ExpectationOutcome, type LatencyFigures } from './summary.js';
export { renderReport, type ReportInput } from './html.js';
export { junitXml, type JunitCase } from './junit.js';
export { describeRule, ruleLabel, type RuleInfo, type RuleKind } from './rules.js';
export type { TopologyInfo, TopologyNode, TopologyLink, NodeRole } from './topology-info.js';
