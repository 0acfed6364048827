/**
 * MSRP frames as arrows. Pairing: a frame sent on connection c arrives on the connection whose
 * peer is c (`tcp.accept` names the initiator's connection as `peer`); the receive side is
 * matched by connection, kind, transaction id and method or status, first in first out. The
 * rule that made a node send a frame comes from the decision record before or after it
 * (`relay.forward`, `relay.respond`, ...); what a receiver then did with a frame becomes a note.
 */
import type { TraceRecord, TraceRecordBase } from '../sim/trace.js';
import { frameText } from './flow-format.js';
import type { ArrowNote, PathChange } from './flow-model.js';
import { endOf, push, removeFrom, shift, type FlowState } from './flow-state.js';

export function onMsrpSend(s: FlowState, r: TraceRecord<'msrp.send'>): void {
  const connId = (r.conn ?? '');
  const c = s.conn(connId, r.node);
  const peerNode = c.peer ? (s.conns.get(c.peer)?.node ?? '') : '';
  const to = peerNode || s.nodeOfHost((c.remote ?? '').split(':')[0] ?? '') || '?';
  const a = s.newArrow('msrp', r, r.node, to);
  if (!a) return;
  const kind = r.kind;
  a.conn = connId;
  a.transactionId = r.transactionId;
  a.toPath = r.toPath;
  a.fromPath = r.fromPath;
  a.length = r.length;
  a.offset = r.offset;
  a.text = frameText(r, s.maxBodyText);
  if (kind === 'request') {
    a.method = (r.method ?? '');
    a.label = `${a.method} ${a.transactionId}`;
    const br = r.byteRange;
    const parts: string[] = [];
    if (a.method === 'REPORT' && r.reportStatus !== undefined) {
      parts.push(`000 ${String(r.reportStatus)}`);
      a.error = r.reportStatus !== 200;
    }
    if (br) parts.push(`${br.start}-${br.end ?? '*'}/${br.total ?? '*'}`);
    const cont = r.continuation;
    if (cont === '+') parts.push('+');
    if (cont === '#') {
      parts.push('# (abort)');
      a.error = true;
    }
    a.sub = parts.join(' ');
  } else {
    a.status = (r.status ?? null);
    a.label = `${a.status ?? ''}${r.comment ? ` ${(r.comment ?? '')}` : ''} ${a.transactionId}`;
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

export function onRaw(s: FlowState, r: TraceRecord<'msrp.raw'>): void {
  const connId = (r.conn ?? '');
  const c = s.conn(connId, r.node);
  const peerNode = c.peer ? (s.conns.get(c.peer)?.node ?? '') : '';
  const a = s.newArrow('raw', r, r.node, peerNode || '?');
  if (!a) return;
  a.conn = connId;
  a.label = `raw bytes (${String(r.length)} B)`;
  a.length = r.length;
  a.offset = r.offset;
  const text = (r.text ?? '');
  a.text = text.length > s.maxBodyText ? `${text.slice(0, s.maxBodyText)}\n[${text.length - s.maxBodyText} more bytes]` : text;
  push(s.pendingMsrp, `${connId}|raw`, a);
  c.inFlight.push(a);
}

export function onMsrpRecv(s: FlowState, r: TraceRecord<'msrp.recv'>): void {
  const f = s.frames.frameOf(r);
  if (!f) return;
  const connId = (r.conn ?? '');
  const c = s.conn(connId, r.node);
  const sendConn = c.peer ?? '';
  const kind = f.kind;
  const tid = f.transactionId;
  const pk = `${sendConn}|${kind}|${tid}|${kind === 'request' ? (f.method ?? '') : (f.status ?? null)}`;
  let a = shift(s.pendingMsrp, pk) ?? shift(s.pendingMsrp, `${sendConn}|raw`);
  if (!a) {
    // Nothing recorded as sent (the sender is outside the trace): an arrow that starts here.
    a = s.newArrow('msrp', r, s.conns.get(sendConn)?.node ?? '?', r.node) ?? undefined;
    if (!a) return;
    a.transactionId = tid;
    a.conn = sendConn || null;
    a.label = kind === 'request' ? `${(f.method ?? '')} ${tid}` : `${String(f.status)} ${tid}`;
    a.method = kind === 'request' ? (f.method ?? '') : null;
    a.status = kind === 'response' ? (f.status ?? null) : null;
    a.toPath = f.toPath;
    a.fromPath = f.fromPath;
  }
  a.t1 = r.t;
  a.seq1 = r.seq;
  a.to = r.node;
  if (a.end && a.end.kind !== 'refused') {
    // Dropped once, then retransmitted and delivered: keep it as a note.
    a.notes.push({ node: a.end.at, t: a.end.t, text: `${a.end.reason}${a.end.count > 1 ? ` (x${a.end.count})` : ''}; retransmitted`, error: true, ...(a.end.rule ? { rule: a.end.rule } : {}) });
    a.end = null;
  }
  const sc = s.conns.get(sendConn);
  if (sc) removeFrom(sc.inFlight, a);
  s.received.set(`${connId}|${tid}`, a);
  if (s.received.size > 4096) s.received.delete(s.received.keys().next().value as string);
}

export function onMalformed(s: FlowState, r: TraceRecord<'msrp.malformed'>): void {
  const connId = (r.conn ?? '');
  const c = s.conns.get(connId);
  const a = shift(s.pendingMsrp, `${c?.peer ?? ''}|raw`);
  const reason = `malformed: ${r.message}`;
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
export function onDecision(s: FlowState, r: TraceRecordBase, tid: string, change: PathChange | null): void {
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

export function noteReceived(s: FlowState, r: TraceRecordBase & { conn: string; transactionId: string }, text: string, error: boolean): void {
  const a = s.received.get(`${(r.conn ?? '')}|${r.transactionId}`);
  const note: ArrowNote = { node: r.node, t: r.t, text, error };
  if (r.rule !== undefined) note.rule = r.rule;
  if (a) a.notes.push(note);
  else s.marker(r, r.node, text, error ? 'error' : 'info');
}

/** The path rewrite a `relay.forward` record describes (R-19), or null when it names none. */
export function pathChangeOf(r: TraceRecord<'relay.forward'>): PathChange | null {
  const toBefore = r.toPathBefore;
  const toAfter = r.toPathAfter;
  const fromBefore = r.fromPathBefore;
  const fromAfter = r.fromPathAfter;
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
