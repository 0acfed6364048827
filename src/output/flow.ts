/**
 * The flow of a run as the diagrams see it, collected from trace records as they stream: the
 * nodes (lanes), the arrows (an MSRP frame from its `msrp.send` to its `msrp.recv`, a SIP message,
 * a TCP connection attempt), what ended an arrow that never arrived (a firewall drop, a reset),
 * and markers (delivery, failures, faults). The ladder, the topology, the Mermaid diagram and the
 * report page are drawn from it.
 *
 * One file per concern:
 *   flow-model.ts      the model's types
 *   flow-collector.ts  FlowCollector, and one handler per record type (FLOW_HANDLERS)
 *   flow-state.ts      what the handlers share while records stream
 *   flow-tcp.ts        connections, connect arrows, segment drops, firewall zones
 *   flow-msrp.ts       MSRP frames paired send to receive, the decisions behind them
 *   flow-sip.ts        SIP messages
 *   lane-order.ts      the order of the lanes
 *   flow-format.ts     a frame's text, durations and bit rates for people
 *   trace-types-known.ts  the record types a trace file may hold (readNdjson checks each line's)
 */
export type { Arrow, ArrowEnd, ArrowKind, ArrowNote, FlowModel, FlowOptions, LinkFacts, Marker, NodeFacts, PathChange, SessionFacts } from './flow-model.js';
export { FLOW_HANDLERS, FlowCollector, type FlowHandler } from './flow-collector.js';
export { laneOrder } from './lane-order.js';
export { formatBitRate, formatMs, frameText } from './flow-format.js';
