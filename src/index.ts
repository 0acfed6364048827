/**
 * msrp-sim's public library API: the MSRP codec on its own, the kernel and its trace, the nodes
 * and the world they run in, and scenario files (load, validate, run).
 */
export * from './wire/index.js';
export { Simulation, Scheduler, RandomStreams, Trace, formatTime, SECOND, MILLISECOND, MICROSECOND, type AnyTraceRecord, type TraceRecord, type TraceFormatVersion, TRACE_FORMAT_VERSION, type TraceTypes, type TraceSink, type Rng, type Timer, type RunOutcome } from './sim/index.js';
export * from './scenario/index.js';
export { runScenario, type RunOptions, type RunResult } from './scenario/run.js';
export type { ExpectationResult } from './scenario/expectations.js';
export { worldSpec } from './scenario/world-spec.js';
export { World, type WorldSpec, type NodeSpec, type LinkSpec, type WorldOptions } from './nodes/world.js';
export { EndpointNode, type EndpointOptions } from './nodes/endpoint/endpoint-node.js';
export { RelayNode, type RelayOptions } from './nodes/relay/relay-node.js';
export type { Connection, ConnectionAddress, ConnectionCloseReason, ConnectionEvents, ConnectionTls, StreamState } from './nodes/seams.js';
export type { LiveCloseKind } from './live/trace-types.js';
export { hostTransport, type NodeTransport, type TransportListenTls, type TransportTarget } from './nodes/node-transport.js';
export { RELAY_PROFILES, type RelayProfile, type RelayProfileName } from './protocol/relay-profile.js';
export { parseSweepFile, planSweep, cellScenario, executeRun, executeScenarioRun, runFigures, combine, stats, summaryCsv, runsNdjson, junitCases, sweepHtml, shardOf, chunkRuns, sweepJsonSchema, FIGURE_NAMES, COMBINE_NAMES, MAX_RUNS, type SweepSpec, type SweepAxis, type SweepParameter, type SweepFileResult, type SweepPlan, type SweepCell, type PlannedRun, type SweepSource, type PlanResult, type RunRecord, type RunHead, type SweepRunOutcome, type RunHooks, type RunRecords, type CellStats, type FigureName, type CombineName, type SweepFile, type PlainValue, type PathStep, type ConcretePath, SweepFileSchema } from './sweep/index.js';
export type { Range as SourceRange, SrcNode, SrcEntry, Scalar } from './scenario/source.js';
export type { JunitCase } from './output/junit.js';
export { compareRuns, compareFrames, runFromTrace, runFromCapture, formatDiff, diffJson, DiffInputError, IdNormalizer, TRACE_FORMATS_READ, type RunModel, type RunKind, type DiffConnection, type DiffFrame, type DiffNode, type DiffOptions, type DiffResult, type Difference, type FieldDifference, type ConnectionPair, type NodePair, type DiffRunSummary, type FormatOptions, type IdNormalizeOptions, type IdKind, type LooseRecord } from './diff/index.js';
export { Network } from './net/index.js';
export { createOutputs, outputsFromNdjson, OUTPUT_NAMES, ALL_OUTPUT_NAMES, renderLadder, renderTopology, renderMermaid, renderReport, createPcapBuilder, createNdjsonWriter, readNdjson, readNdjsonLines, createTimelineWriter, formatSummary, describeRule, type OutputSet, type OutputOptions, type OutputName, type CaptureFormat, type TopologyInfo } from './output/index.js';

// Types that the exported classes and functions name in their signatures (so that code
// using them can name them too, and the API reference links them).
export type { Firewall } from './net/firewall.js';
export type { Host } from './net/host.js';
export type { Interceptor, Link, LinkDirection } from './net/link.js';
export type { Listener } from './net/listener.js';
export type { AcceptingListener, ConnectionCallbacks, ConnectionHost, DropReason, HostedConnection, NetCore, NetDirection, NetLink, NetNode, NetRouting, NetSegment, ResetCause, Route } from './net/net-contracts.js';
export type { CloseKind, CloseReason, ConnectTarget, Endpoint, FirewallDirection, FirewallOptions, FirewallRule, FlowInfo, HostOptions, Inspector, InspectorVerdict, LinkOptions, NetworkOptions, SegmentFields, SegmentInfo, Tap, TapVerdict, TcpOptions, TlsClientOptions, TlsServerOptions, TlsState } from './net/net-types.js';
export type { Routing } from './net/routing.js';
export type { ConnectionHandlers, ConnectionState, TcpConnection } from './net/tcp-connection.js';
export type { RelayCredentials, Resend, SendAction } from './nodes/endpoint/endpoint-node.js';
export type { MsrpPolicy } from './nodes/firewall-policy.js';
export type { FrameCommonFields, FrameFields } from './nodes/frame-record.js';
export type * from './nodes/records/endpoint-records.js';
export type * from './nodes/records/msrp-records.js';
export type * from './nodes/records/scenario-records.js';
export type * from './nodes/records/session-records.js';
export type { NodeContext } from './nodes/node-context.js';
export type { FrameLedger, WrittenQueue, StreamedBody } from './nodes/frame-ledger.js';
export { FrameResolver, type TracedFrame } from './sim/frame-resolver.js';
export type { SignallingCore } from './nodes/signalling-core.js';
export type { AnswerResult, OfferReceived, Signalling, SignallingPeer } from './nodes/signalling.js';
export type { EndpointRole, RunCounters } from './nodes/world.js';
export type { Arrow, ArrowEnd, ArrowKind, ArrowNote, ByteRangeFacts, FlowModel, LinkFacts, Marker, NodeFacts, PathChange, SessionFacts } from './output/flow-model.js';
export type { ReportInput, ReportPlayer } from './output/html.js';
export type { FinishOptions, OutputFiles, StreamedOutput, CaptureOutput, CaptureFileSink } from './output/index.js';
export type { LadderOptions, LadderPage } from './output/ladder.js';
export { plainFlowModel, flowModelOf, type DiagramDrawer, type DiagramRequest, type Diagrams, type PlainFlowModel } from './output/diagrams.js';
export type { MermaidOptions } from './output/mermaid.js';
export type { NdjsonWriter } from './output/ndjson.js';
export type { PcapBuilder, PcapBuilderOptions } from './output/pcap.js';
export type { RuleInfo, RuleKind } from './output/rules.js';
export type { ExpectationOutcome, LatencyFigures, MessageSummary, NodeSummary, RunSummary, SessionSummary, SummaryExpectation } from './output/summary.js';
export type { TimelineOptions, TimelineWriter } from './output/timeline.js';
export type { NodeRole, TopologyLink, TopologyNode } from './output/topology-info.js';
export type { TopologyOptions } from './output/topology.js';
export type { AuthChallenge, RelayAuthDisconnect, RelayAuthFail, RelayAuthOk, RelayConnect, RelayConnectionClosed, RelayCutThrough, RelayDiscard, RelayDropConnection, RelayForget, RelayForward, RelayIdleClose, RelayLocalHop, RelayNextHopOk, RelayNoTimer, RelayNotMine, RelayProbationClose, RelayProfileChange, RelayRealm, RelayRefuse, RelayReport, RelayReportRange, RelayReportSuppressed, RelayRespond, RelayResponseDropped, RelayResponseForward, RelayStart, RelayStrayResponse, RelayTimeout, RelayTokenForgotten, RelayTokenInvalidated, RelayTokenPastExpiry, RelayTokensExpired, RelayUnauthenticated, RelayUndeliverable } from './protocol/relay-events.js';
export type { AuthChallenged, AuthFail, AuthOk, AuthRefresh, AuthRequest, AuthRetryExpires, EndpointEvents, EndpointEventType, EndpointReady, EndpointStrayResponse, EndpointTimeout, EndpointViolation } from './protocol/endpoint-events.js';
export type { StateAuth, StateEvents, StateMessage, StatePeer, StateSession, StateToken, StateTransaction } from './protocol/state-events.js';
export type { RelayTunables } from './protocol/relay-profile.js';
export type { LazyBytes, MessageBytes } from './protocol/send-source.js';
export type { NormalizeOptions } from './scenario/normalize.js';
export type { AddressType, Direction, FileSelector, MsrpMediaDescription, MsrpProto, SdpAttribute, SdpConnection, SdpOrigin, SessionDescription, SetupValue } from './signal/sdp.js';
export type { Action, RunLimits } from './sim/scheduler.js';
export type { SimulationOptions, SimulationRunLimits } from './sim/simulation.js';
export type { Micros } from './sim/time.js';
export type { SinkOptions, TraceClock, TraceRecordBase, TraceType } from './sim/trace.js';
