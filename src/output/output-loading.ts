/**
 * `loadOutputs`: the outputs a run asks for, with only the modules that make them loaded (the
 * CLI's `msrp-sim run --only trace,summary` loads no collector, renderer or diagram module;
 * docs/performance.md, "Start-up"). Like svg-engine.ts, this file is asynchronous only in
 * waiting for those imports (eslint.config.js exempts it); the outputs themselves are made as
 * `createOutputs` makes them, and give the same bytes.
 */
import { createOutputsWith, outputPlan, type OutputKit, type OutputOptions, type OutputSet } from './output-set.js';

export function loadOutputs(options: OutputOptions = {}): Promise<OutputSet> {
  let plan: ReturnType<typeof outputPlan>;
  try {
    plan = outputPlan(options);
  } catch (err) {
    // An output it does not know: a rejection, as a caller of a Promise expects.
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  const { needFlow, needTimeline, needPcap, html, svg, wanted } = plan;
  const mermaid = wanted.has('sequence.mmd');
  const inThread = svg && options.drawDiagrams === undefined;
  return Promise.all([
    needTimeline ? import('./timeline.js') : null,
    needFlow ? import('./flow.js') : null,
    needPcap ? import('./pcap.js') : null,
    html ? import('./report-step.js') : null,
    html ? import('./html.js') : null,
    html ? import('./report-step-view.js') : null,
    mermaid ? import('./mermaid.js') : null,
    inThread ? import('./diagrams.js') : null,
  ]).then(([timeline, flow, pcap, steps, report, player, mmd, diagrams]) => {
    const kit: OutputKit = {};
    if (timeline) kit.createTimelineWriter = timeline.createTimelineWriter;
    if (flow) kit.FlowCollector = flow.FlowCollector;
    if (pcap) kit.capture = { createCapturePackets: pcap.createCapturePackets, captureFileWriter: pcap.captureFileWriter };
    if (steps) kit.StepCollector = steps.StepCollector;
    if (report) kit.renderReport = report.renderReport;
    if (player) kit.renderStepPlayer = player.renderStepPlayer;
    if (mmd) kit.renderMermaid = mmd.renderMermaid;
    if (diagrams) kit.drawDiagrams = diagrams.drawDiagrams;
    return createOutputsWith(kit, options);
  });
}
