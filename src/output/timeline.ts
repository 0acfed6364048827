/**
 * timeline.txt: the run for people, one event per line in trace order:
 *
 *   +0.392428s  relay-a  forwards SEND nH9E3x5ZbUeb as j7Zxlio3y8gt, c3 -> c5   [R-19 RFC 4976 §3, §6.4.1, §6.4.2]
 *                          To-Path   removed msrps://relay.a.example.com:2855/PGmGXss6gJhs;tcp
 *
 * Full MSRP frames and SIP messages are indented under the event that sent them; long bodies are
 * shortened with a note (`[4952 more bytes]`), binary ones replaced by their length. What a relay
 * changed in To-Path and From-Path is shown where it forwarded. TCP segments are left out unless
 * asked for (the pcap and the trace have them).
 *
 * The writer is incremental: `write(record)` returns that record's text at once and keeps only
 * connection and host names, so the timeline can be streamed to a file.
 */
import type { AnyTraceRecord, TraceRecord } from '../sim/trace.js';
import type { ByteRange } from '../wire/frame.js';
import { FrameResolver, type TracedFrame } from '../sim/frame-resolver.js';
import { formatTime } from '../sim/time.js';
import { formatBitRate, formatMs } from './flow-format.js';
import { describeRule } from './rules.js';

export interface TimelineOptions {
  /** Width of the node column (default: the longest node id given, at least 8). */
  nodeWidth?: number;
  /** Node ids known in advance (from the topology), to size the node column. */
  nodes?: string[];
  /** Include every `tcp.segment` (default false). */
  segments?: boolean;
  /** Longest body shown in full, in characters (default 256). */
  maxBody?: number;
}

export interface TimelineWriter {
  /** The lines for `record` (newline-terminated), or '' when the record is left out. */
  write(record: AnyTraceRecord): string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function createTimelineWriter(options: TimelineOptions = {}): TimelineWriter {
  const nodeWidth = options.nodeWidth ?? Math.max(8, ...(options.nodes ?? []).map((n) => n.length));
  const maxBody = options.maxBody ?? 256;
  const connNode = new Map<string, string>();
  const connPeer = new Map<string, string>();
  const frames = new FrameResolver();
  const timeWidth = 11;

  /** Connections to or from a real peer (live mode): the peer's node id, or its address. */
  const connReal = new Map<string, string>();
  const peerOf = (conn: string): string => {
    const real = connReal.get(conn);
    if (real !== undefined) return real;
    const p = connPeer.get(conn);
    return p === undefined ? '?' : (connNode.get(p) ?? '?');
  };

  const line = (r: TraceRecord, text: string, block: string[]): string => {
    const time = formatTime(r.t).padStart(timeWidth);
    const node = (r.node === '' ? '-' : r.node).padEnd(nodeWidth);
    let head = `${time}  ${node}  ${text}`;
    if (r.rule !== undefined) head += `   [${ruleText(r.rule)}]`;
    const indent = ' '.repeat(timeWidth + 2 + nodeWidth + 2 + 2);
    let out = head.trimEnd() + '\n';
    for (const b of block) out += (indent + b).trimEnd() + '\n';
    return out;
  };

  return {
    write(input) {
      const r = input as TraceRecord;
      frames.see(r);
      switch (r.type) {
        case 'tcp.connect':
          connNode.set((r.conn ?? ''), r.node);
          break;
        case 'tcp.accept':
          connNode.set((r.conn ?? ''), r.node);
          connPeer.set((r.conn ?? ''), (r.peer ?? ''));
          connPeer.set((r.peer ?? ''), (r.conn ?? ''));
          break;
        case 'live.connect':
          connReal.set(r.conn, r.peer ?? r.target);
          break;
        case 'live.accept':
          connReal.set(r.conn, r.remote);
          break;
        case 'tcp.segment':
          if (!options.segments) return '';
          break;
        default:
          break;
      }
      const d = describe(r, peerOf, maxBody, frames);
      return d === null ? '' : line(r, d.text, d.block);
    },
  };
}

function ruleText(rule: string): string {
  const info = describeRule(rule);
  if (info.kind === 'checklist' || info.kind === 'ambiguity') return `${rule} ${info.ref}`;
  if (info.kind === 'profile') return `${rule} (${info.ref})`;
  if (info.kind === 'firewall') return `firewall rule ${rule}`;
  return rule;
}

interface Described {
  text: string;
  block: string[];
}

function d(text: string, block: string[] = []): Described {
  return { text, block };
}

/** Frame or message text as indented lines: CRLF removed, the body shortened. */
export function messageLines(text: string, maxBody: number): string[] {
  const lines = text.replace(/\r\n$/, '').split('\r\n');
  const blank = lines.indexOf('');
  if (blank < 0) return lines;
  // MSRP: the body runs to the end-line; SIP: to the end of the text.
  let endLine = lines.length;
  if (lines[0]?.startsWith('MSRP ')) {
    const last = lines[lines.length - 1] ?? '';
    if (last.startsWith('-------')) endLine = lines.length - 1;
  }
  const body = lines.slice(blank + 1, endLine).join('\n');
  const out = lines.slice(0, blank + 1);
  if (body.length > maxBody) {
    const kept = body.slice(0, maxBody);
    const more = Buffer.byteLength(body, 'utf8') - Buffer.byteLength(kept, 'utf8');
    for (const l of kept.split('\n')) out.push(l);
    out[out.length - 1] += ` [${more} more bytes]`;
  } else if (body !== '') {
    for (const l of body.split('\n')) out.push(l);
  } else if (endLine === lines.length) {
    out.pop(); // SIP without a body: no blank line to show
  }
  for (let i = endLine; i < lines.length; i++) out.push(lines[i]!);
  return out;
}

function frameLines(r: TraceRecord<'msrp.send'>, maxBody: number): string[] {
  if (typeof r.text === 'string') return messageLines(r.text, maxBody);
  if (typeof r.bytesBase64 !== 'string') return [];
  const bytes = Buffer.from(r.bytesBase64, 'base64');
  const text = utf8.decode(bytes);
  // Binary body: keep the head and the end-line, name the body by its length.
  const headEnd = text.indexOf('\r\n\r\n');
  const endLine = text.lastIndexOf('\r\n-------');
  if (headEnd < 0 || endLine < headEnd) return [`[${bytes.length} bytes, not UTF-8]`];
  const head = text.slice(0, headEnd);
  const tail = text.slice(endLine + 2).replace(/\r\n$/, '');
  const bodyBytes = bytes.length - Buffer.byteLength(text.slice(0, headEnd + 4), 'latin1') - Buffer.byteLength(text.slice(endLine), 'latin1');
  return [...head.split('\r\n'), '', `[${bodyBytes} bytes of binary body]`, tail];
}

/** A link's changed settings in units people read: `latency 100 ms, loss 1%`. */
function linkChanges(v: Record<string, number | null>): string {
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (x === null) out.push(`${k} default`);
    else if (k === 'latency' || k === 'jitter') out.push(`${k} ${formatMs(x)}`);
    else if (k === 'bandwidth') out.push(`${k} ${formatBitRate(x)}`);
    else if (k === 'loss') out.push(`${k} ${String(Math.round(x * 1e6) / 1e4)}%`);
    else if (k === 'mss') out.push(`${k} ${String(x)} B`);
    else out.push(`${k} ${String(x)}`);
  }
  return out.join(', ') || '(nothing)';
}

function range(br: ByteRange | null | undefined): string {
  if (!br) return '';
  return `${br.start}-${br.end ?? '*'}/${br.total ?? '*'}`;
}

function frameName(r: TracedFrame): string {
  if (r.kind === 'response') return `${String(r.status)}${r.comment ? ` ${(r.comment ?? '')}` : ''} ${r.transactionId}`;
  const extra: string[] = [];
  if (r.method === 'REPORT' && r.reportStatus !== undefined) extra.push(`000 ${String(r.reportStatus)}`);
  if (r.byteRange) extra.push(range(r.byteRange));
  if (r.continuation === '+' || r.continuation === '#') extra.push(`flag ${r.continuation}`);
  return `${(r.method ?? '')} ${r.transactionId}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

function sipName(r: TraceRecord<'sip.send' | 'sip.recv'>): string {
  const sdp = r.hasSdp === true ? ' with SDP' : '';
  return r.kind === 'request' ? `${(r.method ?? '')}${sdp}` : `${String(r.status)} ${(r.reason ?? '')}${sdp}`;
}

function list(a: readonly string[]): string {
  return a.length === 0 ? '(none)' : a.join(' ');
}

function pathDiff(label: string, before: string[], after: string[]): string[] {
  const removed = before.filter((u) => !after.includes(u));
  const added = after.filter((u) => !before.includes(u));
  const pad = ' '.repeat(label.length);
  const out: string[] = [];
  for (const u of removed) out.push(`${out.length === 0 ? label : pad} removed ${u}`);
  for (const u of added) out.push(`${out.length === 0 ? label : pad} added   ${u}`);
  if (out.length === 0) out.push(`${label} unchanged`);
  out.push(`${pad} now     ${after.join(' ') || '(empty)'}`);
  return out;
}

/** Field values for the generic form: short JSON, long lists cut. */
function generic(r: TraceRecord): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (k === 't' || k === 'seq' || k === 'node' || k === 'type' || k === 'rule') continue;
    let s = typeof v === 'string' ? v : JSON.stringify(v);
    if (s === undefined) continue;
    if (s.length > 120) s = `${s.slice(0, 117)}...`;
    parts.push(`${k}=${s}`);
  }
  return `${r.type}${parts.length ? ' ' + parts.join(' ') : ''}`;
}

function describe(r: TraceRecord, peerOf: (conn: string) => string, maxBody: number, frames: FrameResolver): Described | null {
  const conn = 'conn' in r && typeof r.conn === 'string' ? r.conn : '';
  switch (r.type) {
    // Simulator and scenario
    case 'trace.format':
      return d(`trace format version ${String(r.version)}`);
    // Live mode (real sockets)
    case 'live.lag':
      return d(`live: the run fell ${formatMs(r.behind)} behind the wall clock (event due at ${formatMs(r.due)})`);
    case 'live.listen':
      return d(`live: listens on ${r.address}${r.tls ? ' (TLS)' : ''}`);
    case 'live.listen-failed':
      return d(`live: cannot listen on ${r.address}: ${r.detail}`);
    case 'live.accept':
      return d(`live: accepts ${conn} from ${r.remote} on ${r.local}${r.tls ? ' (TLS)' : ''}`);
    case 'live.connect':
      return d(`live: opens ${conn} to ${r.peer !== null ? `${r.peer} at ` : ''}${r.target}${r.tls ? ' (TLS)' : ''}`);
    case 'live.open':
      return d(`live: ${conn} is open, ${r.local} to ${r.remote}${r.tls ? ' (TLS)' : ''}`);
    case 'live.close':
      return d(`live: ${conn} closed (${r.kind}${r.detail ? `: ${r.detail}` : ''}), ${String(r.bytesIn)} B in, ${String(r.bytesOut)} B out`);
    case 'live.bytes':
      return d(`live: ${String(r.len)} B ${r.direction === 'in' ? 'read from' : 'written to'} ${conn} at offset ${String(r.offset)}`);
    // Node state (trace format 2): what changed, for the report's state panel
    case 'state.auth':
      return d(`state: AUTH towards ${r.relay}${r.session !== undefined ? ` for session ${r.session}` : ''} is ${r.state} (${r.change})${r.expires !== null ? `, expires in ${String(r.expires)} s` : ''}`);
    case 'state.token':
      return d(`state: token ${r.token} of ${r.user} on ${r.conn} ${r.state} (${r.change})`);
    case 'state.peer':
      return d(`state: ${r.conn} is ${r.state} (${r.change}), ${String(r.failures)} failed AUTH(s)${r.user !== null ? `, client ${r.user}` : ''}`);
    case 'state.session':
      return d(`state: session ${r.session} is ${r.state} (${r.change})${r.conn !== null ? ` on ${r.conn}` : ''}`);
    case 'state.transaction':
      return d(`state: ${r.method} ${r.transactionId} on ${conn} is ${r.state} (${r.change})${r.timerAt !== null ? `, timer at ${formatMs(r.timerAt)}` : ''}`);
    case 'state.message':
      return d(`state: message ${r.messageId} ${r.direction === 'out' ? 'out' : 'in'} is ${r.state} (${r.change}), ${String(r.bytes)}${r.total !== null ? ` of ${String(r.total)}` : ''} B`);
    case 'sim.start':
      return d(`simulation starts (seed ${r.seed}${r.duration !== null && r.duration !== undefined ? `, duration ${formatMs((r.duration ?? null) ?? 0)}` : ''})`);
    case 'sim.end':
      return d(`simulation ends (${(r.reason ?? '')}, ${String(r.events)} events)`);
    case 'sim.limit':
      return d(`limit reached: ${r.limit} (${String(r.value)})`);
    case 'action.session':
      return d(`scenario: open session ${(r.session ?? '')}, ${r.offerer} offers to ${r.answerer}`);
    case 'action.send':
      return d(`scenario: ${r.from} sends ${r.contentType}${r.size !== null && r.size !== undefined ? `, ${String(r.size)} B` : ''} on ${(r.session ?? '')}`);
    case 'action.end':
      return d(`scenario: ${r.by} ends session ${(r.session ?? '')}`);
    case 'action.auth':
      return d(`scenario: ${r.node} authenticates again`);
    case 'action.raw':
      return d(`scenario: ${r.node} writes ${String(r.length)} raw bytes`);
    case 'action.raw-connect':
      return d(`scenario: ${r.node} opens a connection of its own to ${(r.target ?? '')}`);
    case 'action.set':
      return d(`scenario: new settings for ${r.node}: ${r.changed.join(', ')}`);
    case 'action.fault':
      if ('nth' in r) return d(`fault: frame ${String(r.nth)} of its kind on ${r.link} is dropped (the segment of ${conn} with its last byte)`);
      if ('reset' in r && r.reset === 0) return d(`fault: no connection${r.peer !== null ? ` to ${r.peer}` : ''} to reset`);
      return d(`scenario: fault ${(r.fault ?? '')}`);

    // Network
    case 'net.host':
      return d(`${r.kind === 'firewall' ? 'firewall' : `host ${r.name}`} at ${r.address}`);
    case 'net.link':
      return d(`link ${r.a} - ${r.b}: ${formatMs((r.latency ?? null) ?? 0)}, ${formatBitRate((r.bandwidth ?? null))}${r.loss ? `, loss ${String(r.loss)}` : ''}, MSS ${String(r.mss)}`);
    case 'net.route':
      return d(r.path === null ? `no route to ${r.dst}` : `route to ${r.dst}: ${(r.path ?? []).join(' > ')} (${formatMs((r.latency ?? null) ?? 0)})`);
    case 'net.drop':
      return d(`segment of ${conn} lost${r.link ? ` on ${(r.link ?? '')}` : ''}: ${(r.reason ?? '')} (${r.flags} ${String(r.len)} B)`);
    case 'tcp.connect':
      return d(`connects to ${(r.target ?? '')} (${r.remote})${r.tls ? ' for TLS' : ''}: ${conn} from ${r.local}`);
    case 'tcp.accept':
      return d(`accepts ${conn} from ${r.remote} (the other end of ${(r.peer ?? '')})`);
    case 'tcp.open':
      return d(`${conn} open (${r.role}), ${r.local} - ${r.remote}`);
    case 'tcp.segment':
      return d(`${conn} segment to ${(r.to ?? '')} ${r.flags} ${String(r.len)} B seq ${String(r.seqNo)} ack ${String(r.ackNo)}`);
    case 'tcp.retransmit':
      return d(`${conn} retransmits ${String(r.len)} B at seq ${String(r.seqNo)} (attempt ${String(r.attempt)}, RTO ${formatMs(r.rto ?? 0)})`);
    case 'tcp.close':
      return d(`${conn} closed (${r.kind}): ${r.detail}`);
    case 'tcp.refused':
      return d(`refuses ${conn} from ${r.src}: nobody listens on ${r.dst}`);
    case 'tcp.timeout':
      return d(`${conn} timed out (${r.phase}, ${String(r.retries)} retries): ${r.detail}`);
    case 'tls.handshake':
      return d(`TLS ${r.version} ${r.role} on ${conn}: ${r.step.split(',').join(', ')} (${String(r.bytes)} B)`);
    case 'tls.established': {
      const names = r.peerNames;
      return d(`TLS ${r.version} established on ${conn}${names.length ? `, peer certificate ${names.join(' ')}` : ''}${r.mutual ? ' (mutual)' : ''}`);
    }
    case 'tls.fail':
      return d(`TLS failed on ${conn}: ${r.detail}`);
    case 'fw.pass':
      return d(`lets ${conn} through (${(r.direction ?? '')} ${r.flow}${r.midStream ? ', met mid-stream' : ''})`);
    case 'fw.drop':
      return d(`drops ${(r.direction ?? '')} segment of ${conn} (${r.flags} ${String(r.len)} B, ${r.src} > ${r.dst}): ${(r.reason ?? '')}`);
    case 'fw.reject':
      return d(`rejects ${(r.direction ?? '')} segment of ${conn} with RST (${r.src} > ${r.dst}): ${(r.reason ?? '')}`);
    case 'fw.expire':
      return d(`forgets ${conn} (${r.flow}) after ${formatMs(r.idle ?? 0)} ${r.closed ? 'since it closed' : 'idle'}`);
    case 'fw.rules':
      return d(`rules now, in order: ${r.rules.join(', ')}`);
    case 'fw.idle':
      return d(`idle connections now expire after ${formatMs(r.idleTimeout ?? 0)}, then ${r.idleMode === 'reset' ? 'get a reset' : 'are dropped'}`);
    case 'fw.policy':
      return d(r.policy === null ? 'MSRP policy removed' : `MSRP policy from now on: ${JSON.stringify(r.policy)}`);
    case 'fw.policy-skip':
      return d(`does not inspect ${r.flow}${r.direction ? ` (${(r.direction ?? '')})` : ''}: ${(r.reason ?? '')}`);
    case 'nat.map':
      return d(`maps ${conn}: ${r.inside} goes out as ${r.outside} (to ${r.remote})`);
    case 'fault.link-down':
      return d(`fault: link ${(r.link ?? '')} down`);
    case 'fault.link-up':
      return d(`fault: link ${(r.link ?? '')} up`);
    case 'fault.set-link':
      return d(`fault: link ${(r.link ?? '')} changed: ${linkChanges(r.changes)}`);
    case 'fault.partition':
      return d(`fault: partition ${r.groups.map((g) => `[${g.join(' ')}]`).join(' ')}`);
    case 'fault.heal':
      return d('fault: partition healed');
    case 'fault.crash':
      return d(`fault: crash (${String(r.connections)} connections lost)`);
    case 'fault.restart':
      return d('fault: restart');
    case 'fault.reset':
      return d(`fault: reset ${conn}`);
    case 'fault.flush':
      return d(`fault: firewall state flushed (${String(r.flows)} flows)`);
    case 'fault.drop-segment':
      return d(`fault: segment ${String(r.n)} on ${(r.link ?? '')} will be dropped`);

    // MSRP on the wire
    case 'msrp.send':
      return d(`-> ${frameName(r)} to ${peerOf(conn)} on ${conn} (${String(r.length)} B)`, frameLines(r, maxBody));
    case 'msrp.recv': {
      const frame = frames.frameOf(r);
      return d(`<- ${frame ? frameName(frame) : `the frame of record ${String(r.sent)} (not in this trace)`} from ${peerOf(conn)} on ${conn}`);
    }
    case 'msrp.raw':
      return d(`-> raw bytes to ${peerOf(conn)} on ${conn} (${String(r.length)} B)`, messageLines((r.text ?? ''), maxBody));
    case 'msrp.malformed':
      return d(`malformed input on ${conn} at byte ${String(r.offset)}${r.fatal ? ' (connection reset)' : ''}: ${r.message}`);
    case 'msrp.violation':
      return d(`${r.transactionId} on ${conn} breaks a rule: ${r.message}`);
    case 'msrp.limit':
      return d(`${r.transactionId} on ${conn} is over a limit (${String(r.length)} B${r.reads !== undefined && r.reads !== null ? ` in ${String(r.reads)} reads` : ''}): ${(r.reason ?? '')}`);

    // SIP
    case 'sip.send':
      return d(`-> ${sipName(r)} to ${(r.to ?? '')} (SIP, session ${(r.session ?? '')})`, messageLines((r.text ?? ''), maxBody * 4));
    case 'sip.recv':
      return d(`<- ${sipName(r)} from ${r.from} (SIP)`);
    case 'sip.timeout':
      return d(`no final response from ${(r.to ?? '')} to the ${r.initial ? 'INVITE' : 're-INVITE'} of ${(r.session ?? '')} within Timer B (${formatMs(r.after ?? 0)})`);
    case 'sip.stale':
      return d(`ignores the ${String(r.status)} from ${r.from} to an ${r.initial ? 'INVITE' : 're-INVITE'} of ${(r.session ?? '')}: ${(r.reason ?? '')}`);

    // Relays
    case 'relay.start':
      return d(`relay listens at ${r.uri} (profile ${(r.profile ?? '')})`);
    case 'relay.forward': {
      const block = [
        ...pathDiff('To-Path  ', r.toPathBefore, r.toPathAfter),
        ...pathDiff('From-Path', r.fromPathBefore, r.fromPathAfter),
      ];
      if (r.byteRangeIn !== undefined && r.byteRangeOut !== undefined && (r.rechunked === true || range(r.byteRangeIn) !== range(r.byteRangeOut))) {
        block.push(`Byte-Range ${range(r.byteRangeIn)} -> ${range(r.byteRangeOut)}${r.rechunked ? ' (re-chunked)' : ''}`);
      }
      return d(`forwards ${(r.method ?? '')} ${r.inTransactionId} as ${r.outTransactionId}, ${r.inConn} -> ${r.outConn}`, block);
    }
    case 'relay.response-forward':
      return d(`forwards response ${String(r.status)} ${r.inTransactionId} back as ${r.outTransactionId}`, pathDiff('To-Path  ', r.toPathBefore, r.toPathAfter));
    case 'relay.respond':
      return d(`answers ${(r.method ?? '')} ${r.transactionId} with ${String(r.status)} on ${conn}`);
    case 'relay.report':
      return d(`sends REPORT 000 ${String(r.status)} for ${(r.messageId ?? '')} (${range(r.byteRange)}) to ${r.toPath.at(-1) ?? '?'}`);
    case 'relay.report-suppressed':
      return d(`does not send the REPORT ${String(r.status)}`);
    case 'relay.connect':
      return d(`opens a connection to ${(r.target ?? '')}: ${(r.reason ?? '')}`);
    case 'relay.next-hop-ok':
      return d(`next hop took ${r.outTransactionId} (200): transaction done`);
    case 'relay.discard':
      return d(`discards ${r.transactionId} from ${conn}: ${(r.reason ?? '')}`);
    case 'relay.refuse':
      return d(`refuses ${r.transactionId} on ${conn} with ${String(r.status)}: ${(r.reason ?? '')}`);
    case 'relay.not-mine':
      return d(`${r.transactionId} on ${conn} is not addressed to this relay (To-Path ${list(r.toPath)})`);
    case 'relay.undeliverable':
      return d(`cannot deliver ${r.transactionId}: ${(r.reason ?? '')}`);
    case 'relay.timeout':
      return d(`no response to ${r.outTransactionId} in time`);
    case 'relay.forget':
      return d(`forgets ${(r.method ?? '')} ${r.outTransactionId} (Failure-Report ${r.failureReport}): ${(r.reason ?? '')}`);
    case 'relay.token-forgotten':
      return d(`forgets token ${r.token}, expired at ${formatMs(r.expiredAt ?? 0)}`);
    case 'relay.profile':
      return d(`profile ${r.from} -> ${(r.to ?? '')} from now on`);
    case 'relay.auth-ok':
      return d(`AUTH of ${(r.user ?? '')} on ${conn} accepted: token ${r.token}, expires in ${String(r.expires)} s`);
    case 'relay.auth-fail':
      return d(`AUTH on ${conn} failed (${String(r.failures)} so far): ${(r.reason ?? '')}`);
    case 'relay.auth-disconnect':
      return d(`disconnects ${conn} after ${String(r.failures)} failed AUTHs`);
    case 'auth.challenge':
      return d(`challenges AUTH on ${conn} (realm ${r.realm}${r.stale ? ', stale nonce' : ''})`);
    case 'relay.token-invalidated':
      return d(`token ${r.token} no longer valid: ${(r.reason ?? '')}`);
    case 'relay.connection-closed':
      return d(`connection ${conn} gone (${(r.reason ?? '')})`);
    case 'relay.drop-connection':
      return d(`drops connection ${conn} (${'size' in r ? `frame of ${String(r.size)} B` : 'session' in r ? `session ${String(r.session)} ended` : 'error' in r ? String(r.error) : `body of ${String(r.bodyLength)} B`})`);
    case 'relay.probation-close':
      return d(`closes ${conn}: no AUTH within ${String(r.seconds)} s`);
    case 'relay.idle-close':
      return d(`closes ${conn}${r.user ? ` (client ${(r.user ?? '')})` : r.target ? ` (to ${(r.target ?? '')})` : ''}: no MSRP traffic for ${formatMs(r.idle ?? 0)} (limit ${formatMs(r.limit ?? 0)})${r.tokens ? `, ${String(r.tokens)} token(s) bound to it` : ''}`);
    case 'relay.response-dropped':
      return d(`drops response ${String(r.status)} ${r.transactionId}`);
    case 'relay.cut-through':
      return d(`cuts ${r.inTransactionId} through from ${r.inConn} to ${r.outConn} as it arrives`, [`To-Path now ${list(r.toPathAfter)}`]);
    case 'relay.local-hop':
      return d(`${r.transactionId}: the next To-Path URI is this relay again; it takes that one too`, [`To-Path   now ${list(r.toPathAfter)}`, `From-Path now ${list(r.fromPathAfter)}`]);
    case 'relay.no-timer':
      return d(`runs no transaction timer for ${r.outTransactionId}: ${(r.reason ?? '')}`);
    case 'relay.realm':
      return d(`uses realm ${r.realm} on ${conn}, from the AUTH To-Path (configured: ${r.configured})`);
    case 'relay.report-range':
      return d(`REPORT ${r.transactionId} covers the bytes received, ${range(r.byteRange)}${range(r.byteRange) === range(r.instead) ? ' (here the same as the SEND\'s)' : `, not ${range(r.instead)}`}`);
    case 'relay.token-past-expiry':
      return d(`token ${r.token} used after its Expires ran out (at ${formatMs(r.grantedUntil ?? 0)}); not enforced`);
    case 'relay.tokens-expired':
      return d(`fault: forgets every token it granted (${String(r.count)})`);
    case 'relay.unauthenticated':
      return d(`relays ${r.transactionId} from ${conn}, which never authenticated, to ${r.next}`);
    case 'relay.stray-response':
      return d(`stray response ${String(r.status)} ${r.transactionId} on ${conn}`);

    // Endpoints
    case 'auth.request':
      return d(`AUTH ${r.transactionId} to ${r.relay}${r.withCredentials ? ' with credentials' : ''}${r.expires !== null && r.expires !== undefined ? `, Expires ${String(r.expires)}` : ''}`);
    case 'auth.challenged':
      return d(`challenged by ${r.relay} (realm ${r.realm})`);
    case 'auth.ok':
      return d(`authenticated to ${r.relay}: Use-Path ${list(r.usePath)}, expires in ${String(r.expires)} s`);
    case 'auth.fail':
      return d(`AUTH to ${r.relay} failed: ${(r.reason ?? '')}`);
    case 'auth.refresh':
      return d(`authenticates again before the tokens expire`);
    case 'auth.retry-expires':
      return d(`asks again with Expires ${String(r.next)} (asked ${String(r.asked)})`);
    case 'endpoint.ready':
      return d(`ready: Use-Path ${list(r.usePath)}`);
    case 'endpoint.relay-connected':
      return d(`connected to its relay ${r.relay} on ${conn}`);
    case 'endpoint.relay-lost':
      return d(`lost its relay connection (${(r.reason ?? '')}): ${r.detail}`);
    case 'session.offer':
      return d(`offers session ${(r.session ?? '')} to ${(r.peer ?? '')}: a=path ${list(r.path)}${r.setup ? `, a=setup:${(r.setup ?? '')}` : ''}`);
    case 'session.answer':
      return d(`answers session ${(r.session ?? '')} from ${(r.peer ?? '')}: a=path ${list(r.path)}${r.setup ? `, a=setup:${(r.setup ?? '')}` : ''}${r.active ? ' (active)' : ' (passive)'}`);
    case 'session.reject':
      return d(`rejects session ${(r.session ?? '')}: ${String(r.status)} ${(r.reason ?? '')}`);
    case 'session.rejected':
      return d(`session ${(r.session ?? '')} rejected: ${String(r.status)} ${(r.reason ?? '')}`);
    case 'session.bind':
      return d(`binds session ${(r.session ?? '')} to ${conn} with ${r.transactionId}`);
    case 'session.bound':
      return d(`session ${(r.session ?? '')} bound to ${conn}`);
    case 'session.established':
      return d(`session ${(r.session ?? '')} established on ${(r.conn ?? '') || '(no connection yet)'}${r.active ? ' (active)' : ' (passive)'}`, [`To-Path ${list(r.toPath)}`]);
    case 'session.closed':
      return d(`session ${(r.session ?? '')} closed: ${r.why}`);
    case 'session.failed':
      return d(`session ${(r.session ?? '')} failed: ${(r.reason ?? '')}`);
    case 'session.reoffer':
      return d(`offers session ${(r.session ?? '')} to ${(r.peer ?? '')} again (${(r.reason ?? '')}): a=path ${list(r.path)}`, [`was     ${list(r.previous)}`]);
    case 'session.update':
      return d(`takes ${(r.peer ?? '')}'s new offer for ${(r.session ?? '')}, answers a=path ${list(r.path)}`, [`To-Path ${list(r.toPath)}`]);
    case 'session.updated':
      return d(`session ${(r.session ?? '')} renegotiated with ${(r.peer ?? '')}`, [`To-Path ${list(r.toPath)}`]);
    case 'session.reoffer-rejected':
      return d(`new offer for ${(r.session ?? '')} not taken${r.status === null || r.status === undefined ? '' : ` (${String(r.status)})`}: ${(r.reason ?? '')}${typeof r.retryIn === 'number' ? `; tries again in ${formatMs(r.retryIn)}` : ''}`);
    case 'session.reoffer-refused':
      return d(`refuses ${(r.peer ?? '')}'s new offer for ${(r.session ?? '')}: ${(r.reason ?? '')}`);
    case 'session.answer-ignored':
      return d(`ignores the answer (${String(r.status)}) for ${(r.session ?? '')}: no offer of it is waiting${r.state ? ` (session ${(r.state ?? '')})` : ''}${r.bye ? '; sends the BYE' : ''}`);
    case 'endpoint.unconfirmed':
      return d(`session ${(r.session ?? '')} ended before success REPORTs covered message ${(r.messageId ?? '')} (${String(r.reported)} of ${String(r.size)} B reported)`);
    case 'session.abandoned':
      return d(`session ${(r.session ?? '')} ended before its ${r.step} could go to ${(r.peer ?? '')}${'status' in r ? `: declines the INVITE (${String(r.status)})` : ': nothing is sent'}`);
    case 'session.reestablish':
      return d(`re-establishes session ${(r.session ?? '')} (attempt ${String(r.attempt)})`);
    case 'endpoint.connect':
      return d(`opens a connection for ${(r.session ?? '')} to ${(r.target ?? '')}`);
    case 'endpoint.reuse':
      return d(`reuses ${conn} for ${(r.session ?? '')} (${(r.target ?? '')})`);
    case 'endpoint.message':
      return d(`sends message ${(r.messageId ?? '')} on ${(r.session ?? '')}: ${r.contentType}, ${String(r.size)} B, chunks ${r.chunking}, Success-Report ${r.successReport}, Failure-Report ${r.failureReport}`);
    case 'endpoint.sent':
      return d(`message ${(r.messageId ?? '')} written${r.aborted ? ' (aborted)' : ''}`);
    case 'endpoint.chunk':
      return d(`has ${String(r.received)} of ${r.total === null ? '?' : String(r.total)} bytes of ${(r.messageId ?? '')}`);
    case 'endpoint.deliver':
      return d(`delivers message ${(r.messageId ?? '')}: ${String(r.size)} B ${r.contentType}, MD5 ${r.digest}, assembled in ${formatMs(r.assemblyTime ?? 0)}`, [`From-Path ${list(r.fromPath)}`]);
    case 'endpoint.report-sent':
      return d(`sends REPORT 000 ${String(r.status)} for ${(r.messageId ?? '')} (${range(r.byteRange)})`);
    case 'endpoint.report':
      return d(`REPORT 000 ${String(r.status)} for ${(r.messageId ?? '')} (${range(r.byteRange)})${r.complete ? ': the whole message arrived' : ''}`);
    case 'endpoint.report-ignored':
      return d(`ignores a REPORT for ${(r.messageId ?? '') || 'an unknown message'} (${String(r.status)})`);
    case 'endpoint.response':
      return d(`${String(r.status)} for ${r.transactionId}${r.messageId ? ` (message ${(r.messageId ?? '')})` : ''}`);
    case 'endpoint.reject':
      return d(`answers ${r.transactionId} with ${String(r.status)}`);
    case 'endpoint.no-response':
      return d(`sends no response to ${r.transactionId} (would be ${String(r.wouldBe)}; Failure-Report ${r.failureReport})`);
    case 'endpoint.timeout':
      return d(`no response to ${r.transactionId} in time${r.messageId ? ` (message ${(r.messageId ?? '')})` : ''}`);
    case 'endpoint.abort':
      return d(`aborts message ${(r.messageId ?? '')} after ${String(r.status)}`);
    case 'endpoint.aborted':
      return d(`message ${(r.messageId ?? '')} aborted by its sender after ${String(r.received)} B`);
    case 'endpoint.too-large':
      return d(`message ${(r.messageId ?? '')} too large (${String(r.claimed)} B, limit ${String(r.limit)})`);
    case 'endpoint.send-refused':
      return d(`does not send on ${(r.session ?? '')}: ${(r.reason ?? '')}`);
    case 'endpoint.send-queued':
      return d(`a ${r.contentType} message waits for ${(r.session ?? '')} to be established (now ${(r.state ?? '')})`);
    case 'endpoint.send-failed':
      return d(`a ${r.contentType} message that waited for ${(r.session ?? '')} is not sent: ${(r.reason ?? '')}`);
    case 'endpoint.forced':
      return d(`sends on ${(r.session ?? '')} anyway: ${(r.reason ?? '')}`);
    case 'endpoint.violation':
      return d(`${(r.peer ?? '')} broke a rule: ${r.message}`);
    case 'endpoint.stray-response':
      return d(`stray response ${String(r.status)} ${r.transactionId} on ${conn}`);
    case 'node.crash':
      return d(`crashes (${r.role} state lost)`);
    case 'node.restart':
      return d(`restarts`);
    default:
      return d(generic(r));
  }
}
