/**
 * msrp-sim's public library API: the MSRP codec on its own, the kernel and its trace, the nodes
 * and the world they run in, and scenario files (load, validate, run).
 */
export * from './wire/index.js';
export { Simulation, Scheduler, RandomStreams, Trace, formatTime, SECOND, MILLISECOND, MICROSECOND, type AnyTraceRecord, type TraceRecord, type TraceTypes, type TraceSink, type Rng, type Timer, type RunOutcome } from './sim/index.js';
export * from './scenario/index.js';
export { runScenario, type RunOptions, type RunResult } from './scenario/run.js';
export type { ExpectationResult } from './scenario/expectations.js';
export { worldSpec } from './scenario/world-spec.js';
export { World, type WorldSpec, type NodeSpec, type LinkSpec } from './nodes/world.js';
export { EndpointNode, type EndpointOptions } from './nodes/endpoint-node.js';
export { RelayNode, type RelayOptions } from './nodes/relay/relay-node.js';
export { RELAY_PROFILES, type RelayProfile, type RelayProfileName } from './protocol/relay-profile.js';
export { Network } from './net/index.js';
export { createOutputs, outputsFromNdjson, OUTPUT_NAMES, ALL_OUTPUT_NAMES, renderLadder, renderTopology, renderMermaid, renderReport, createPcapBuilder, createNdjsonWriter, readNdjson, createTimelineWriter, formatSummary, describeRule, type OutputSet, type OutputOptions, type OutputName, type CaptureFormat, type TopologyInfo } from './output/index.js';
