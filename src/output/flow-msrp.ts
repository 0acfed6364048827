/**
 * MSRP frames as arrows. Pairing: a frame sent on connection c arrives on the connection whose
 * peer is c (`tcp.accept` names the initiator's connection as `peer`); the receive side is
 * matched by connection, kind, transaction id and method or status, first in first out. The
 * rule that made a node send a frame comes from the decision record before or after it
 * (`relay.forward`, `relay.respond`, ...); what a receiver then did with a frame becomes a note.
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import { frameText } from './flow-format.js';
import type { ArrowNote, ByteRangeFacts, PathChange } from './flow-model.js';
import { endOf, push, removeFrom, shift, type FlowState } from './flow-state.js';
import { arr, num, str } from './trace-fields.js';

export function onMsrpSend(s: FlowState, r: AnyTraceRecord): void {
  const connId = str(r.conn);
  const c = s.conn(connId, r.node);
  const peerNode = c.peer ? (s.conns.get(c.peer)?.node ?? '') : '';
  const to = peerNode || s.nodeOfHost((c.remote ?? '').split(':')[0] ?? '') || '?';
  const a = s.newArrow('msrp', r, r.node, to);
  if (!a) return;
  const kind = str(r.kind);
  a.conn = connId;
  a.transactionId = str(r.transactionId);
  a.toPath = arr(r.toPath);
  a.fromPath = arr(r.fromPath);
  a.length = num(r.length);
  a.offset = num(r.offset);
  a.text = frameText(r, s.maxBodyText);
  if (kind === 'request') {
    a.method = str(r.method);
    a.label = `${a.method} ${a.transactionId}`;
    const br = r.byteRange as ByteRangeFacts | undefined;
    if (br) a.byteRange = { start: br.start, end: br.end, total: br.total };
    if (typeof r.messageId === 'string') a.messageId = r.messageId;
    const parts: string[] = [];
    if (a.method === 'REPORT' && r.reportStatus !== undefined) {
      parts.push(`000 ${String(r.reportStatus)}`);
      a.error = r.reportStatus !== 200;
    }
    if (br) parts.push(`${br.start}-${br.end ?? '*'}/${br.total ?? '*'}`);
    const cont = str(r.continuation);
    if (cont === '+') parts.push('+');
    if (cont === '#') {
      parts.push('# (abort)');
      a.error = true;
    }
    a.sub = parts.join(' ');
  } else {
    a.status = num(r.status);
    a.label = `${a.status ?? ''}${r.comment ? ` ${str(r.comment)}` : ''} ${a.transactionId}`;
    // A 401 is the AUTH handshake's challenge (R-04), not a failure; a refused AUTH shows as auth.fail.
    a.error = a.status !== 200 && a.status !== 401;
  }
  // Decisions recorded before the frame (relay.respond, auth.request, relay.forward of a bodiless SEND).
  const key = `${r.node}|${a.transactionId}`;
  const d = s.decisions.get(key);
  if (d) {
    s.decisions.delete(key);
    if (a.rule === null) a.rule = d.rule;
    if (d.change) a.pathChange = d.change;
  }
  if (a.method === 'REPORT') {
    const rule = s.nextReport.get(r.node);
    if (rule !== undefined) {
      s.nextReport.delete(r.node);
      if (a.rule === null) a.rule = rule;
    }
  }
  s.lastSent.set(key, a);
  if (s.lastSent.size > 4096) s.lastSent.delete(s.lastSent.keys().next().value as string);
  const pk = `${connId}|${kind}|${a.transactionId}|${a.method ?? a.status}`;
  push(s.pendingMsrp, pk, a);
  c.inFlight.push(a);
  // Segments of this frame may have been dropped before the frame was recorded (chunks are
  // recorded when their last byte is written).
  if (c.drops.length > 0 && a.offset !== null && a.length !== null) {
    for (const d of c.drops) if (a.offset < d.seqNo + d.len && d.seqNo < a.offset + a.length) s.addDrop(a, d.end);
  }
}

export function onRaw(s: FlowState, r: AnyTraceRecord): void {
  const connId = str(r.conn);
  const c = s.conn(connId, r.node);
  const peerNode = c.peer ? (s.conns.get(c.peer)?.node ?? '') : '';
  const a = s.newArrow('raw', r, r.node, peerNode || '?');
  if (!a) return;
  a.conn = connId;
  a.label = `raw bytes (${String(r.length)} B)`;
  a.length = num(r.length);
  a.offset = num(r.offset);
  const text = str(r.text);
  a.text = text.length > s.maxBodyText ? `${text.slice(0, s.maxBodyText)}\n[${text.length - s.maxBodyText} more bytes]` : text;
  push(s.pendingMsrp, `${connId}|raw`, a);
  c.inFlight.push(a);
}

export function onMsrpRecv(s: FlowState, r: AnyTraceRecord): void {
  const connId = str(r.conn);
  const c = s.conn(connId, r.node);
  const sendConn = c.peer ?? '';
  const kind = str(r.kind);
  const tid = str(r.transactionId);
  const pk = `${sendConn}|${kind}|${tid}|${kind === 'request' ? str(r.method) : num(r.status)}`;
  let a = shift(s.pendingMsrp, pk) ?? shift(s.pendingMsrp, `${sendConn}|raw`);
  if (!a) {
    // Nothing recorded as sent (the sender is outside the trace): an arrow that starts here.
    a = s.newArrow('msrp', r, s.conns.get(sendConn)?.node ?? '?', r.node) ?? undefined;
    if (!a) return;
    a.transactionId = tid;
    a.conn = sendConn || null;
    a.label = kind === 'request' ? `${str(r.method)} ${tid}` : `${String(r.status)} ${tid}`;
    a.method = kind === 'request' ? str(r.method) : null;
    a.status = kind === 'response' ? num(r.status) : null;
    a.toPath = arr(r.toPath);
    a.fromPath = arr(r.fromPath);
  }
  a.t1 = r.t;
  a.seq1 = r.seq;
  a.to = r.node;
  if (a.end && a.end.kind !== 'refused') {
    // Dropped once, then retransmitted and delivered: keep it as a note.
    a.notes.push({ node: a.end.at, t: a.end.t, text: `${a.end.reason}${a.end.count > 1 ? ` (x${a.end.count})` : ''}; retransmitted`, error: true, tcp: true, ...(a.end.rule ? { rule: a.end.rule } : {}) });
    a.end = null;
  }
  const sc = s.conns.get(sendConn);
  if (sc) removeFrom(sc.inFlight, a);
  s.received.set(`${connId}|${tid}`, a);
  if (s.received.size > 4096) s.received.delete(s.received.keys().next().value as string);
}

export function onMalformed(s: FlowState, r: AnyTraceRecord): void {
  const connId = str(r.conn);
  const c = s.conns.get(connId);
  const a = shift(s.pendingMsrp, `${c?.peer ?? ''}|raw`);
  const reason = `malformed: ${str(r.message)}`;
  if (a) {
    a.end = endOf(r, 'malformed', r.node, reason);
    a.error = true;
    const sc = s.conns.get(c?.peer ?? '');
    if (sc) removeFrom(sc.inFlight, a);
  } else {
    s.marker(r, r.node, reason, 'error');
  }
}

/** A decision record naming the transaction a node sends (or just sent). */
export function onDecision(s: FlowState, r: AnyTraceRecord, tid: string, change: PathChange | null): void {
  if (r.rule === undefined || tid === '') return;
  const key = `${r.node}|${tid}`;
  const sent = s.lastSent.get(key);
  if (sent) {
    if (sent.rule === null) sent.rule = r.rule;
    if (change && !sent.pathChange) sent.pathChange = change;
  } else {
    s.decisions.set(key, { rule: r.rule, change });
    if (s.decisions.size > 4096) s.decisions.delete(s.decisions.keys().next().value as string);
  }
}

export function noteReceived(s: FlowState, r: AnyTraceRecord, text: string, error: boolean): void {
  const a = s.received.get(`${str(r.conn)}|${str(r.transactionId)}`);
  const note: ArrowNote = { node: r.node, t: r.t, text, error };
  if (r.rule !== undefined) note.rule = r.rule;
  if (a) a.notes.push(note);
  else s.marker(r, r.node, text, error ? 'error' : 'info');
}

/** The path rewrite a `relay.forward` record describes (R-19), or null when it names none. */
export function pathChangeOf(r: AnyTraceRecord): PathChange | null {
  const toBefore = arr(r.toPathBefore);
  const toAfter = arr(r.toPathAfter);
  const fromBefore = arr(r.fromPathBefore);
  const fromAfter = arr(r.fromPathAfter);
  if (toBefore.length === 0 && fromAfter.length === 0) return null;
  return {
    node: r.node,
    rule: r.rule ?? '',
    toRemoved: toBefore.filter((u) => !toAfter.includes(u)),
    fromAdded: fromAfter.filter((u) => !fromBefore.includes(u)),
    toBefore,
    fromBefore,
  };
}
