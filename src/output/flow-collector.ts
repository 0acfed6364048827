/**
 * Collects the flow of a run (flow-model.ts) from trace records as they stream. Each record type
 * the diagrams draw from has one small handler in `FLOW_HANDLERS`; the pairing of frames and
 * connections lives in flow-msrp.ts, flow-sip.ts and flow-tcp.ts, the state they share in
 * flow-state.ts. Records of other types only name their node.
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import { formatMs } from './flow-format.js';
import type { FlowModel, FlowOptions, Marker } from './flow-model.js';
import { noteReceived, onDecision, onMalformed, onMsrpRecv, onMsrpSend, onRaw, pathChangeOf } from './flow-msrp.js';
import { onSipRecv, onSipSend } from './flow-sip.js';
import { FlowState, linkKey } from './flow-state.js';
import { onAccept, onClose, onConnect, onDrop, onFirewallExpire, onFirewallPass, onRefused, onTimeout } from './flow-tcp.js';
import { laneOrder } from './lane-order.js';
import { arr, num, str } from './trace-fields.js';

/** What one record type does to the flow. */
export type FlowHandler = (s: FlowState, r: AnyTraceRecord) => void;

// Nodes, links, routes -----------------------------------------------------------------------------

function onHost(s: FlowState, r: AnyTraceRecord): void {
  const n = s.node(r.node);
  if (r.kind === 'firewall') s.guessRole(r.node, 'firewall');
  n.address = str(r.address);
  n.names = arr(r.names);
  if (n.host === null && r.kind === 'host') n.host = str(r.name);
  for (const name of n.names) s.hostToNode.set(name.toLowerCase(), r.node);
  if (n.address) s.hostToNode.set(n.address, r.node);
}

function onLink(s: FlowState, r: AnyTraceRecord): void {
  const a = str(r.a);
  const b = str(r.b);
  s.node(a);
  s.node(b);
  const key = linkKey(a, b);
  const old = s.linkMap.get(key);
  s.linkMap.set(key, { a, b, latency: num(r.latency), bandwidth: num(r.bandwidth), jitter: num(r.jitter), loss: num(r.loss), up: old?.up ?? true });
}

function onRoute(s: FlowState, r: AnyTraceRecord): void {
  const path = r.path as string[] | null;
  if (path && path.length > 1) {
    s.routes.set(`${r.node}>${str(r.dst)}`, path);
    for (let i = 1; i < path.length; i++) s.ensureLink(path[i - 1]!, path[i]!);
  }
}

function onRelayStart(s: FlowState, r: AnyTraceRecord): void {
  s.guessRole(r.node, 'relay');
  if (s.node(r.node).profile === null && typeof r.profile === 'string') s.node(r.node).profile = r.profile;
}

const asSender: FlowHandler = (s, r) => s.guessRole(r.node, 'sender');
const asEndpoint: FlowHandler = (s, r) => s.guessRole(r.node, 'endpoint');

// Sessions ---------------------------------------------------------------------------------------

function onSessionAction(s: FlowState, r: AnyTraceRecord): void {
  const session = s.session(str(r.session));
  session.offerer = str(r.offerer);
  session.answerer = str(r.answerer);
}

function onEstablished(s: FlowState, r: AnyTraceRecord): void {
  const session = s.session(str(r.session));
  session.established = true;
  const toPath = arr(r.toPath);
  if (session.path.length === 0 && toPath.length > 0) session.path = [r.node, ...toPath.map(s.nodeOfUri)];
  s.marker(r, r.node, `session ${session.id} established`, 'ok');
}

/** `session.failed`, `session.rejected`, `session.reject`. */
function onSessionEnded(s: FlowState, r: AnyTraceRecord): void {
  const session = s.session(str(r.session));
  const why = str(r.reason) || (r.status !== undefined ? String(r.status) : '');
  if (r.type === 'session.failed') session.failed = why;
  s.marker(r, r.node, `session ${session.id} ${r.type === 'session.failed' ? 'failed' : 'rejected'}: ${why}`, 'error');
}

// Decisions: the rule behind a frame, or a note on a frame received -------------------------------

const decidesOut: FlowHandler = (s, r) => onDecision(s, r, str(r.outTransactionId), null);
const decidesOn: FlowHandler = (s, r) => onDecision(s, r, str(r.transactionId), null);

function onRefuse(s: FlowState, r: AnyTraceRecord): void {
  onDecision(s, r, str(r.transactionId), null);
  noteReceived(s, r, `refused ${String(r.status)}: ${str(r.reason)}`, true);
}

/** `relay.report`, `endpoint.report-sent`: the rule behind the next REPORT the node sends. */
function onReportDecision(s: FlowState, r: AnyTraceRecord): void {
  if (r.rule !== undefined) s.nextReport.set(r.node, r.rule);
  if (r.type === 'relay.report') s.marker(r, r.node, `REPORT ${String(r.status)} to the sender`, r.status === 200 ? 'info' : 'error');
}

// Markers ----------------------------------------------------------------------------------------

/** A handler that puts a marker on the record's node. */
function mark(text: (r: AnyTraceRecord) => string, kind: Marker['kind']): FlowHandler {
  return (s, r) => s.marker(r, r.node, text(r), kind);
}

function onEndpointReport(s: FlowState, r: AnyTraceRecord): void {
  if (r.status !== 200) s.marker(r, r.node, `failure REPORT ${String(r.status)} for ${str(r.messageId)}`, 'error');
}

/** `relay.drop-connection`, `relay.probation-close`, `relay.auth-disconnect`. */
const relayCloses = mark((r) => `${r.type.slice(6).replace(/-/g, ' ')} ${str(r.conn)}`, 'error');

/** `fault.link-down`, `fault.link-up`. */
function onLinkFault(s: FlowState, r: AnyTraceRecord): void {
  const [a, b] = str(r.link).split('<>');
  if (a && b) {
    const l = s.ensureLink(a, b);
    const up = r.type === 'fault.link-up';
    l.up = up;
    s.marker(r, a, `link ${a} - ${b} ${up ? 'up' : 'down'}`, up ? 'info' : 'error');
  }
}

/** `fault.reset`, `fault.flush`, `fault.partition`, ...: on the node, or on a link's first end. */
const onFault: FlowHandler = (s, r) => s.marker(r, r.node !== '' ? r.node : (str(r.link).split('<>')[0] ?? ''), r.type.slice(6).replace(/-/g, ' '), 'info');

// ------------------------------------------------------------------------------------------------

/** The handler of each record type the diagrams draw from. */
export const FLOW_HANDLERS: ReadonlyMap<string, FlowHandler> = new Map<string, FlowHandler>([
  ['net.host', onHost],
  ['net.link', onLink],
  ['net.route', onRoute],
  ['relay.start', onRelayStart],
  ['endpoint.message', asSender],
  ['session.offer', asEndpoint],
  ['session.answer', asEndpoint],
  ['auth.ok', asEndpoint],
  ['endpoint.ready', asEndpoint],
  ['action.session', onSessionAction],
  ['session.established', onEstablished],
  ['session.reoffer', mark((r) => `offers session ${str(r.session)} again: ${str(r.reason)}`, 'info')],
  ['session.updated', mark((r) => `session ${str(r.session)} renegotiated`, 'ok')],
  ['session.failed', onSessionEnded],
  ['session.rejected', onSessionEnded],
  ['session.reject', onSessionEnded],
  ['tcp.connect', onConnect],
  ['tcp.accept', onAccept],
  ['tcp.refused', onRefused],
  ['tcp.timeout', onTimeout],
  ['tcp.close', onClose],
  ['fw.drop', onDrop],
  ['fw.reject', onDrop],
  ['net.drop', onDrop],
  ['fw.pass', onFirewallPass],
  ['nat.map', onFirewallPass],
  ['fw.expire', onFirewallExpire],
  ['msrp.send', onMsrpSend],
  ['msrp.raw', onRaw],
  ['msrp.recv', onMsrpRecv],
  ['msrp.malformed', onMalformed],
  ['sip.send', onSipSend],
  ['sip.recv', onSipRecv],
  ['relay.forward', (s, r) => onDecision(s, r, str(r.outTransactionId), pathChangeOf(r))],
  ['relay.respond', decidesOn],
  ['auth.request', decidesOn],
  ['session.bind', decidesOn],
  ['endpoint.reject', decidesOn],
  ['relay.response-forward', decidesOut],
  ['relay.refuse', onRefuse],
  ['relay.report', onReportDecision],
  ['endpoint.report-sent', onReportDecision],
  ['relay.discard', (s, r) => noteReceived(s, r, `discarded: ${str(r.reason)}`, true)],
  ['relay.not-mine', (s, r) => noteReceived(s, r, 'not addressed to this relay', true)],
  ['msrp.violation', (s, r) => noteReceived(s, r, `violation: ${str(r.message)}`, true)],
  ['endpoint.deliver', mark((r) => `delivered ${str(r.messageId)} (${String(r.size)} B ${str(r.contentType)})`, 'ok')],
  ['endpoint.report', onEndpointReport],
  ['endpoint.timeout', mark((r) => `no response to ${str(r.transactionId)} in time`, 'error')],
  ['relay.timeout', mark((r) => `no response to ${str(r.outTransactionId)} in 30 s`, 'error')],
  ['auth.fail', mark((r) => `AUTH failed: ${str(r.reason)}`, 'error')],
  ['relay.drop-connection', relayCloses],
  ['relay.probation-close', relayCloses],
  ['relay.auth-disconnect', relayCloses],
  ['relay.idle-close', mark((r) => `closes idle ${str(r.conn)} after ${formatMs(num(r.idle) ?? 0)}`, 'info')],
  ['endpoint.abort', mark((r) => `abort ${str(r.messageId)} (${String(r.status)})`, 'error')],
  ['fault.crash', mark(() => 'crash', 'error')],
  ['fault.restart', mark(() => 'restart', 'info')],
  ['fault.link-down', onLinkFault],
  ['fault.link-up', onLinkFault],
  ['fault.reset', onFault],
  ['fault.flush', onFault],
  ['fault.partition', onFault],
  ['fault.heal', onFault],
  ['fault.set-link', onFault],
  ['fault.drop-segment', onFault],
]);

/** Collects the flow of a run from its records. */
export class FlowCollector {
  private readonly state: FlowState;
  /** The node an URI names (by its host), else its host. */
  readonly nodeOfUri: (uri: string) => string;

  constructor(options: FlowOptions = {}) {
    this.state = new FlowState(options);
    this.nodeOfUri = this.state.nodeOfUri;
  }

  record(r: AnyTraceRecord): void {
    const s = this.state;
    s.last = r.t;
    if (r.node !== '' && r.type !== 'net.route') s.node(r.node);
    FLOW_HANDLERS.get(r.type)?.(s, r);
  }

  /** The model as it stands: arrows still in flight come back ended (`lost`) with what is known. */
  finish(): FlowModel {
    const s = this.state;
    for (const a of s.arrows) {
      if (a.t1 !== null || a.end) continue;
      if (a.kind === 'sip') continue;
      const c = a.conn ? s.conns.get(a.conn) : undefined;
      const why = c?.closed ? `connection ${a.conn} closed (${c.closed})` : a.kind === 'tcp' ? 'no answer' : 'not received by the end of the run';
      a.end = { kind: 'lost', at: a.to, t: s.last, seq: Number.MAX_SAFE_INTEGER, reason: why, count: 1 };
    }
    for (const a of s.arrows) if (a.end && a.end.kind !== 'lost') a.error = true;
    for (const session of s.sessions.values()) {
      if (session.path.length === 0 && session.offerer && session.answerer) session.path = [session.offerer, session.answerer];
    }
    const nodes = [...s.nodeMap.values()].filter((n) => n.id !== '');
    return {
      nodes,
      lanes: laneOrder(nodes, [...s.linkMap.values()]),
      links: [...s.linkMap.values()],
      arrows: s.arrows,
      markers: s.markers,
      sessions: [...s.sessions.values()],
      routes: s.routes,
      omittedArrows: s.omitted,
      end: s.last,
      nodeOfUri: s.nodeOfUri,
    };
  }
}
