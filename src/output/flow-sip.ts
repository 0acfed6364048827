/** SIP messages as arrows, from `sip.send` to the `sip.recv` with the same dialog, CSeq and method or status. */
import type { AnyTraceRecord } from '../sim/trace.js';
import { push, shift, type FlowState } from './flow-state.js';
import { num, str } from './trace-fields.js';

export function onSipSend(s: FlowState, r: AnyTraceRecord): void {
  const a = s.newArrow('sip', r, r.node, str(r.to));
  if (!a) return;
  a.session = str(r.session) || null;
  const sdp = r.hasSdp === true ? ' (SDP)' : '';
  if (r.kind === 'request') {
    a.method = str(r.method);
    a.label = `${a.method}${sdp}`;
  } else {
    a.status = num(r.status);
    a.label = `${a.status ?? ''} ${str(r.reason)}${sdp}`;
    a.error = (a.status ?? 0) >= 300;
  }
  const cseq = r.cseq as { seq?: number; method?: string } | undefined;
  a.sub = r.kind === 'response' && cseq?.method ? `to ${cseq.method}` : '';
  a.text = str(r.text);
  push(s.pendingSip, sipKey(r, r.node, str(r.to)), a);
}

export function onSipRecv(s: FlowState, r: AnyTraceRecord): void {
  const a = shift(s.pendingSip, sipKey(r, str(r.from), r.node));
  if (!a) return;
  a.t1 = r.t;
  a.seq1 = r.seq;
}

function sipKey(r: AnyTraceRecord, from: string, to: string): string {
  const cseq = r.cseq as { seq?: number; method?: string } | undefined;
  return `${str(r.session)}|${from}|${to}|${str(r.kind)}|${str(r.callId)}|${cseq?.seq ?? ''}|${cseq?.method ?? ''}|${r.kind === 'request' ? str(r.method) : String(r.status)}`;
}
