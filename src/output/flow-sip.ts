/** SIP messages as arrows, from `sip.send` to the `sip.recv` with the same dialog, CSeq and method or status. */
import type { TraceRecord } from '../sim/trace.js';
import { push, shift, type FlowState } from './flow-state.js';

export function onSipSend(s: FlowState, r: TraceRecord<'sip.send'>): void {
  const a = s.newArrow('sip', r, r.node, (r.to ?? ''));
  if (!a) return;
  a.session = (r.session ?? '') || null;
  const sdp = r.hasSdp === true ? ' (SDP)' : '';
  if (r.kind === 'request') {
    a.method = (r.method ?? '');
    a.label = `${a.method}${sdp}`;
  } else {
    a.status = (r.status ?? null);
    a.label = `${a.status ?? ''} ${(r.reason ?? '')}${sdp}`;
    a.error = (a.status ?? 0) >= 300;
  }
  const cseq = r.cseq;
  a.sub = r.kind === 'response' && cseq?.method ? `to ${cseq.method}` : '';
  a.text = (r.text ?? '');
  push(s.pendingSip, sipKey(r, r.node, (r.to ?? '')), a);
}

export function onSipRecv(s: FlowState, r: TraceRecord<'sip.recv'>): void {
  const a = shift(s.pendingSip, sipKey(r, r.from, r.node));
  if (!a) return;
  a.t1 = r.t;
  a.seq1 = r.seq;
}

function sipKey(r: TraceRecord<'sip.send' | 'sip.recv'>, from: string, to: string): string {
  const cseq = r.cseq;
  return `${(r.session ?? '')}|${from}|${to}|${r.kind}|${r.callId}|${cseq?.seq ?? ''}|${cseq?.method ?? ''}|${r.kind === 'request' ? (r.method ?? '') : String(r.status)}`;
}
