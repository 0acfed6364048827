/**
 * TCP as the diagrams see it: a `connect` arrow from `tcp.connect` to `tcp.accept` (or to what
 * refused or dropped it), connections paired by `tcp.accept`'s `peer` (the initiator's
 * connection), segment drops claimed by the frames they carried, and firewall zones guessed
 * from what a firewall lets out.
 */
import type { TraceRecord } from '../sim/trace.js';
import { formatMs } from './flow-format.js';
import { endOf, type FlowState } from './flow-state.js';

export function onConnect(s: FlowState, r: TraceRecord<'tcp.connect'>): void {
  const c = s.conn((r.conn ?? ''), r.node);
  c.isn = r.isn;
  c.remote = r.remote;
  c.tls = r.tls === true;
  const target = (r.target ?? '');
  const to = s.nodeOfHost(target) || s.nodeOfHost(c.remote.split(':')[0] ?? '') || target;
  const a = s.newArrow('tcp', r, r.node, to);
  if (!a) return;
  a.label = c.tls ? 'connect (TCP+TLS)' : 'connect (TCP)';
  a.sub = `port ${c.remote.split(':')[1] ?? '?'}, ${(r.conn ?? '')}`;
  a.conn = (r.conn ?? '');
  a.text = `TCP connection ${(r.conn ?? '')} from ${r.local} to ${target} (${c.remote})${c.tls ? ', then a TLS handshake' : ''}`;
  c.connect = a;
}

export function onAccept(s: FlowState, r: TraceRecord<'tcp.accept'>): void {
  const c = s.conn((r.conn ?? ''), r.node);
  c.isn = r.isn;
  c.remote = r.remote;
  const peerId = (r.peer ?? '');
  c.peer = peerId;
  const p = s.conns.get(peerId);
  if (!p) return;
  p.peer = (r.conn ?? '');
  c.tls = p.tls;
  if (p.connect) {
    const a = p.connect;
    a.t1 = r.t;
    a.seq1 = r.seq;
    a.to = r.node;
    a.end = null;
    a.sub = `${a.sub} > ${(r.conn ?? '')}`;
    p.connect = null;
  }
}

export function onDrop(s: FlowState, r: TraceRecord<'net.drop' | 'fw.drop' | 'fw.reject'>): void {
  const connId = (r.conn ?? '');
  const c = s.conns.get(connId);
  const flags = r.flags;
  const reason =
    r.type === 'net.drop'
      ? `segment lost${r.link ? ` on link ${(r.link ?? '')}` : ''}: ${(r.reason ?? '').replace(/-/g, ' ')}`
      : `${r.type === 'fw.reject' ? 'rejected (RST)' : 'dropped'} by ${r.node}: ${(r.reason ?? '')}`;
  const end = endOf(r, r.type === 'net.drop' ? 'lost' : 'drop', r.node, reason);
  if (!c) return;
  if (flags.includes('S') && !flags.includes('A') && c.connect) {
    const a = c.connect;
    if (a.end && a.end.at === end.at && a.end.reason === end.reason) a.end.count++;
    else if (!a.end) {
      a.end = end;
      a.error = true;
    }
    return;
  }
  const len = r.len ?? 0;
  if (len === 0 || c.isn === null) return;
  const seqNo = r.seqNo ?? 0;
  const offset = (seqNo - c.isn - 1) >>> 0;
  let claimed = false;
  for (const a of c.inFlight) {
    if (a.offset === null || a.length === null) continue;
    if (a.offset < offset + len && offset < a.offset + a.length) {
      s.addDrop(a, end);
      claimed = true;
    }
  }
  if (!claimed) {
    c.drops.push({ seqNo: offset, len, end });
    if (c.drops.length > 32) c.drops.shift();
  }
}

export function onRefused(s: FlowState, r: TraceRecord<'tcp.refused'>): void {
  const c = s.conns.get((r.conn ?? ''));
  if (c?.connect) c.connect.end = endOf(r, 'refused', r.node, 'connection refused (no listener)');
  if (c) c.connect = null;
}

export function onTimeout(s: FlowState, r: TraceRecord<'tcp.timeout'>): void {
  const c = s.conns.get((r.conn ?? ''));
  if (c && r.phase === 'connect' && c.connect) {
    if (!c.connect.end) c.connect.end = endOf(r, 'lost', c.connect.to, `connect timed out: ${r.detail}`);
    c.connect = null;
  }
  // tcp.close follows with the same story
}

export function onClose(s: FlowState, r: TraceRecord<'tcp.close'>): void {
  const c = s.conns.get((r.conn ?? ''));
  const kind = r.kind;
  if (c) c.closed = `${kind}: ${r.detail}`;
  if (kind !== 'fin') s.marker(r, r.node, `connection ${(r.conn ?? '')} closed (${kind}): ${r.detail}`, 'error');
}

/** `fw.pass`, `nat.map`: who is inside a firewall, when the topology did not say: the source of what it lets out. */
export function onFirewallPass(s: FlowState, r: TraceRecord<'fw.pass' | 'nat.map'>): void {
  const fw = s.node(r.node);
  if (s.options.topology?.nodes.some((n) => n.id === r.node && n.inside !== undefined)) return;
  const flow = r.type === 'nat.map' ? `${r.inside}>` : r.flow;
  const [src, dst] = flow.split('>');
  const addr = (r.type === 'nat.map' || r.direction === 'outbound' ? src : dst)?.split(':')[0] ?? '';
  const inside = s.nodeOfHost(addr);
  if (inside && !fw.inside.includes(inside)) fw.inside.push(inside);
}

export function onFirewallExpire(s: FlowState, r: TraceRecord<'fw.expire'>): void {
  if (!r.closed) s.marker(r, r.node, `state of ${(r.conn ?? '')} expired after ${formatMs(r.idle ?? 0)} idle`, 'error');
}
