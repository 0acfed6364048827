/**
 * Collects the flow of a run (flow-model.ts) from trace records as they stream. Each record type
 * the diagrams draw from has one small handler in `FLOW_HANDLERS`; the pairing of frames and
 * connections lives in flow-msrp.ts, flow-sip.ts and flow-tcp.ts, the state they share in
 * flow-state.ts. Records of other types only name their node.
 */
import type { AnyTraceRecord, TraceRecord, TraceType } from '../sim/trace.js';
import { formatMs } from './flow-format.js';
import type { FlowModel, FlowOptions, Marker } from './flow-model.js';
import { noteReceived, onDecision, onMalformed, onMsrpRecv, onMsrpSend, onRaw, pathChangeOf } from './flow-msrp.js';
import { onSipRecv, onSipSend } from './flow-sip.js';
import { FlowState, linkKey } from './flow-state.js';
import { onAccept, onClose, onConnect, onDrop, onFirewallExpire, onFirewallPass, onRefused, onTimeout } from './flow-tcp.js';
import { laneOrder } from './lane-order.js';

/** What one record type does to the flow. */
export type FlowHandler<K extends TraceType = TraceType> = (s: FlowState, r: TraceRecord<K>) => void;

// Nodes, links, routes -----------------------------------------------------------------------------

function onHost(s: FlowState, r: TraceRecord<'net.host'>): void {
  const n = s.node(r.node);
  if (r.kind === 'firewall') s.guessRole(r.node, 'firewall');
  n.address = r.address;
  n.names = r.names;
  if (n.host === null && r.kind === 'host') n.host = r.name;
  for (const name of n.names) s.hostToNode.set(name.toLowerCase(), r.node);
  if (n.address) s.hostToNode.set(n.address, r.node);
}

function onLink(s: FlowState, r: TraceRecord<'net.link'>): void {
  const a = r.a;
  const b = r.b;
  s.node(a);
  s.node(b);
  const key = linkKey(a, b);
  const old = s.linkMap.get(key);
  s.linkMap.set(key, { a, b, latency: (r.latency ?? null), bandwidth: (r.bandwidth ?? null), jitter: r.jitter, loss: r.loss, up: old?.up ?? true });
}

function onRoute(s: FlowState, r: TraceRecord<'net.route'>): void {
  const path = r.path;
  if (path && path.length > 1) {
    s.routes.set(`${r.node}>${r.dst}`, path);
    for (let i = 1; i < path.length; i++) s.ensureLink(path[i - 1]!, path[i]!);
  }
}

function onRelayStart(s: FlowState, r: TraceRecord<'relay.start'>): void {
  s.guessRole(r.node, 'relay');
  if (s.node(r.node).profile === null) s.node(r.node).profile = r.profile;
}

const asSender: FlowHandler = (s, r) => s.guessRole(r.node, 'sender');
const asEndpoint: FlowHandler = (s, r) => s.guessRole(r.node, 'endpoint');

// Sessions ---------------------------------------------------------------------------------------

function onSessionAction(s: FlowState, r: TraceRecord<'action.session'>): void {
  const session = s.session((r.session ?? ''));
  session.offerer = r.offerer;
  session.answerer = r.answerer;
}

function onEstablished(s: FlowState, r: TraceRecord<'session.established'>): void {
  const session = s.session((r.session ?? ''));
  session.established = true;
  const toPath = r.toPath;
  if (session.path.length === 0 && toPath.length > 0) session.path = [r.node, ...toPath.map(s.nodeOfUri)];
  s.marker(r, r.node, `session ${session.id} established`, 'ok');
}

/** `session.failed`, `session.rejected`, `session.reject`. */
function onSessionEnded(s: FlowState, r: TraceRecord<'session.failed' | 'session.rejected' | 'session.reject'>): void {
  const session = s.session((r.session ?? ''));
  const why = r.type === 'session.failed' ? r.reason : r.reason || String(r.status);
  if (r.type === 'session.failed') session.failed = why;
  s.marker(r, r.node, `session ${session.id} ${r.type === 'session.failed' ? 'failed' : 'rejected'}: ${why}`, 'error');
}

// Decisions: the rule behind a frame, or a note on a frame received -------------------------------

const decidesOut: FlowHandler<'relay.response-forward'> = (s, r) => onDecision(s, r, r.outTransactionId, null);
const decidesOn: FlowHandler<'relay.respond' | 'auth.request' | 'session.bind' | 'endpoint.reject'> = (s, r) => onDecision(s, r, r.transactionId, null);

function onRefuse(s: FlowState, r: TraceRecord<'relay.refuse'>): void {
  onDecision(s, r, r.transactionId, null);
  noteReceived(s, r, `refused ${String(r.status)}: ${(r.reason ?? '')}`, true);
}

/** `relay.report`, `endpoint.report-sent`: the rule behind the next REPORT the node sends. */
function onReportDecision(s: FlowState, r: TraceRecord<'relay.report' | 'endpoint.report-sent'>): void {
  if (r.rule !== undefined) s.nextReport.set(r.node, r.rule);
  if (r.type === 'relay.report') s.marker(r, r.node, `REPORT ${String(r.status)} to the sender`, r.status === 200 ? 'info' : 'error');
}

// Markers ----------------------------------------------------------------------------------------

/** A handler that puts a marker on the record's node. */
function mark<K extends TraceType>(text: (r: TraceRecord<K>) => string, kind: Marker['kind']): FlowHandler<K> {
  return (s, r) => s.marker(r, r.node, text(r), kind);
}

function onEndpointReport(s: FlowState, r: TraceRecord<'endpoint.report'>): void {
  if (r.status !== 200) s.marker(r, r.node, `failure REPORT ${String(r.status)} for ${(r.messageId ?? '')}`, 'error');
}

/** `relay.drop-connection`, `relay.probation-close`, `relay.auth-disconnect`. */
const relayCloses = mark<'relay.drop-connection' | 'relay.probation-close' | 'relay.auth-disconnect'>((r) => `${r.type.slice(6).replace(/-/g, ' ')} ${(r.conn ?? '')}`, 'error');

/** `fault.link-down`, `fault.link-up`. */
function onLinkFault(s: FlowState, r: TraceRecord<'fault.link-down' | 'fault.link-up'>): void {
  const [a, b] = (r.link ?? '').split('<>');
  if (a && b) {
    const l = s.ensureLink(a, b);
    const up = r.type === 'fault.link-up';
    l.up = up;
    s.marker(r, a, `link ${a} - ${b} ${up ? 'up' : 'down'}`, up ? 'info' : 'error');
  }
}

/** `fault.reset`, `fault.flush`, `fault.partition`, ...: on the node, or on a link's first end. */
const onFault: FlowHandler = (s, r) => s.marker(r, r.node !== '' ? r.node : ('link' in r && typeof r.link === 'string' ? (r.link.split('<>')[0] ?? '') : ''), r.type.slice(6).replace(/-/g, ' '), 'info');

// ------------------------------------------------------------------------------------------------

/** A handler keyed by its record type: the dispatch by `type` gives it only records of that type. */
function on<K extends TraceType>(type: K, handler: FlowHandler<K>): [TraceType, FlowHandler] {
  return [type, handler as FlowHandler];
}

/** The handler of each record type the diagrams draw from. */
export const FLOW_HANDLERS: ReadonlyMap<TraceType, FlowHandler> = new Map<TraceType, FlowHandler>([
  on('net.host', onHost),
  on('net.link', onLink),
  on('net.route', onRoute),
  on('relay.start', onRelayStart),
  on('endpoint.message', asSender),
  on('session.offer', asEndpoint),
  on('session.answer', asEndpoint),
  on('auth.ok', asEndpoint),
  on('endpoint.ready', asEndpoint),
  on('action.session', onSessionAction),
  on('session.established', onEstablished),
  on('session.reoffer', mark((r) => `offers session ${(r.session ?? '')} again: ${(r.reason ?? '')}`, 'info')),
  on('session.updated', mark((r) => `session ${(r.session ?? '')} renegotiated`, 'ok')),
  on('session.failed', onSessionEnded),
  on('session.rejected', onSessionEnded),
  on('session.reject', onSessionEnded),
  on('tcp.connect', onConnect),
  on('tcp.accept', onAccept),
  on('tcp.refused', onRefused),
  on('tcp.timeout', onTimeout),
  on('tcp.close', onClose),
  on('fw.drop', onDrop),
  on('fw.reject', onDrop),
  on('net.drop', onDrop),
  on('fw.pass', onFirewallPass),
  on('nat.map', onFirewallPass),
  on('fw.expire', onFirewallExpire),
  on('msrp.send', onMsrpSend),
  on('msrp.raw', onRaw),
  on('msrp.recv', onMsrpRecv),
  on('msrp.malformed', onMalformed),
  on('sip.send', onSipSend),
  on('sip.recv', onSipRecv),
  on('relay.forward', (s, r) => onDecision(s, r, r.outTransactionId, pathChangeOf(r))),
  on('relay.respond', decidesOn),
  on('auth.request', decidesOn),
  on('session.bind', decidesOn),
  on('endpoint.reject', decidesOn),
  on('relay.response-forward', decidesOut),
  on('relay.refuse', onRefuse),
  on('relay.report', onReportDecision),
  on('endpoint.report-sent', onReportDecision),
  on('relay.discard', (s, r) => noteReceived(s, r, `discarded: ${(r.reason ?? '')}`, true)),
  on('relay.not-mine', (s, r) => noteReceived(s, r, 'not addressed to this relay', true)),
  on('msrp.violation', (s, r) => noteReceived(s, r, `violation: ${r.message}`, true)),
  on('endpoint.deliver', mark((r) => `delivered ${(r.messageId ?? '')} (${String(r.size)} B ${r.contentType})`, 'ok')),
  on('endpoint.report', onEndpointReport),
  on('endpoint.timeout', mark((r) => `no response to ${r.transactionId} in time`, 'error')),
  on('relay.timeout', mark((r) => `no response to ${r.outTransactionId} in 30 s`, 'error')),
  on('auth.fail', mark((r) => `AUTH failed: ${(r.reason ?? '')}`, 'error')),
  on('relay.drop-connection', relayCloses),
  on('relay.probation-close', relayCloses),
  on('relay.auth-disconnect', relayCloses),
  on('relay.idle-close', mark((r) => `closes idle ${(r.conn ?? '')} after ${formatMs(r.idle ?? 0)}`, 'info')),
  on('endpoint.abort', mark((r) => `abort ${(r.messageId ?? '')} (${String(r.status)})`, 'error')),
  on('fault.crash', mark(() => 'crash', 'error')),
  on('fault.restart', mark(() => 'restart', 'info')),
  on('fault.link-down', onLinkFault),
  on('fault.link-up', onLinkFault),
  on('fault.reset', onFault),
  on('fault.flush', onFault),
  on('fault.partition', onFault),
  on('fault.heal', onFault),
  on('fault.set-link', onFault),
  on('fault.drop-segment', onFault),
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

  /** Feeds one record, as emitted or as `readNdjson` reads it (the one place it is taken as typed). */
  record(input: AnyTraceRecord): void {
    const r = input as TraceRecord;
    const s = this.state;
    s.last = r.t;
    s.frames.see(r);
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
