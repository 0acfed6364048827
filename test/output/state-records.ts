/**
 * A tiny emitter of node state records (trace format 2, src/protocol/state-events.ts) for a trace
 * that has none, so that the report's node-state panel can be tested before the nodes emit them.
 * From the frames of the trace alone: a request written starts a transaction waiting for 30 s on
 * its node; a response read on that connection ends it; a 401 read by an AUTH's sender leaves its
 * AUTH state `challenged`, a 200 `authenticated`. The records go right after the frame record that
 * caused them, and every record is numbered again.
 */
import type { AnyTraceRecord } from '../../src/sim/trace.js';

const TIMEOUT = 30_000_000;

export function withStateRecords(records: readonly AnyTraceRecord[]): AnyTraceRecord[] {
  const out: Record<string, unknown>[] = [];
  const waiting = new Map<string, { method: string; messageId: string | null }>();
  for (const r of records) {
    out.push({ ...r });
    const base = { t: r.t, node: r.node };
    if (r.type === 'msrp.send' && r.kind === 'request' && r.method !== 'REPORT') {
      const messageId = typeof r.messageId === 'string' ? r.messageId : null;
      waiting.set(`${r.node} ${r.conn} ${r.transactionId}`, { method: r.method, messageId });
      out.push({ ...base, type: 'state.transaction', transactionId: r.transactionId, method: r.method, conn: r.conn, state: 'waiting', timerAt: r.t + TIMEOUT, messageId, change: 'timer-set' });
    } else if (r.type === 'msrp.recv' && r.kind === 'response') {
      const key = `${r.node} ${r.conn} ${r.transactionId}`;
      const w = waiting.get(key);
      if (!w) continue;
      waiting.delete(key);
      out.push({ ...base, type: 'state.transaction', transactionId: r.transactionId, method: w.method, conn: r.conn, state: 'done', timerAt: null, messageId: w.messageId, change: `answered ${r.status}` });
      if (w.method === 'AUTH') {
        const relay = (r.fromPath as string[])[0] ?? '?';
        const ok = r.status === 200;
        out.push({ ...base, type: 'state.auth', relay, state: ok ? 'authenticated' : r.status === 401 ? 'challenged' : 'refused', usePath: ok ? relay : null, expires: ok ? 600 : null, refreshAt: ok ? r.t + 480_000_000 : null, change: ok ? 'authorized' : `got ${r.status}` });
      }
    }
  }
  return out.map((r, seq) => ({ ...r, seq }) as AnyTraceRecord);
}
