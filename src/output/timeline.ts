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
import type { AnyTraceRecord } from '../sim/trace.js';
import { formatTime } from '../sim/time.js';
import { formatBitRate, formatMs } from './flow-format.js';
import { arr, num, str } from './trace-fields.js';
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
  const timeWidth = 11;

  const peerOf = (conn: string): string => {
    const p = connPeer.get(conn);
    return p === undefined ? '?' : (connNode.get(p) ?? '?');
  };

  const line = (r: AnyTraceRecord, text: string, block: string[]): string => {
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
    write(r) {
      switch (r.type) {
        case 'tcp.connect':
          connNode.set(str(r.conn), r.node);
          break;
        case 'tcp.accept':
          connNode.set(str(r.conn), r.node);
          connPeer.set(str(r.conn), str(r.peer));
          connPeer.set(str(r.peer), str(r.conn));
          break;
        case 'tcp.segment':
          if (!options.segments) return '';
          break;
        default:
          break;
      }
      const d = describe(r, peerOf, maxBody);
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

function frameLines(r: AnyTraceRecord, maxBody: number): string[] {
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
function linkChanges(v: unknown): string {
  const out: string[] = [];
  for (const [k, x] of Object.entries((v ?? {}) as Record<string, number | null>)) {
    if (x === null) out.push(`${k} default`);
    else if (k === 'latency' || k === 'jitter') out.push(`${k} ${formatMs(x)}`);
    else if (k === 'bandwidth') out.push(`${k} ${formatBitRate(x)}`);
    else if (k === 'loss') out.push(`${k} ${String(Math.round(x * 1e6) / 1e4)}%`);
    else if (k === 'mss') out.push(`${k} ${String(x)} B`);
    else out.push(`${k} ${String(x)}`);
  }
  return out.join(', ') || '(nothing)';
}

function range(v: unknown): string {
  const br = v as { start?: number; end?: number | null; total?: number | null } | null | undefined;
  if (!br || typeof br !== 'object') return '';
  return `${br.start ?? '?'}-${br.end ?? '*'}/${br.total ?? '*'}`;
}

function frameName(r: AnyTraceRecord): string {
  if (r.kind === 'response') return `${String(r.status)}${r.comment ? ` ${str(r.comment)}` : ''} ${str(r.transactionId)}`;
  const extra: string[] = [];
  if (r.method === 'REPORT' && r.reportStatus !== undefined) extra.push(`000 ${String(r.reportStatus)}`);
  if (r.byteRange) extra.push(range(r.byteRange));
  if (r.continuation === '+' || r.continuation === '#') extra.push(`flag ${str(r.continuation)}`);
  return `${str(r.method)} ${str(r.transactionId)}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

function sipName(r: AnyTraceRecord): string {
  const sdp = r.hasSdp === true ? ' with SDP' : '';
  return r.kind === 'request' ? `${str(r.method)}${sdp}` : `${String(r.status)} ${str(r.reason)}${sdp}`;
}

function list(v: unknown): string {
  const a = arr(v);
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
function generic(r: AnyTraceRecord): string {
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

function describe(r: AnyTraceRecord, peerOf: (conn: string) => string, maxBody: number): Described | null {
  const conn = str(r.conn);
  switch (r.type) {
    // Simulator and scenario
    case 'sim.start':
      return d(`simulation starts (seed ${str(r.seed)}${r.duration !== null && r.duration !== undefined ? `, duration ${formatMs(num(r.duration) ?? 0)}` : ''})`);
    case 'sim.end':
      return d(`simulation ends (${str(r.reason)}, ${String(r.events)} events)`);
    case 'sim.limit':
      return d(`limit reached: ${str(r.limit)} (${String(r.value)})`);
    case 'action.session':
      return d(`scenario: open session ${str(r.session)}, ${str(r.offerer)} offers to ${str(r.answerer)}`);
    case 'action.send':
      return d(`scenario: ${str(r.from)} sends ${str(r.contentType)}${r.size !== null && r.size !== undefined ? `, ${String(r.size)} B` : ''} on ${str(r.session)}`);
    case 'action.end':
      return d(`scenario: ${str(r.by)} ends session ${str(r.session)}`);
    case 'action.auth':
      return d(`scenario: ${str(r.node)} authenticates again`);
    case 'action.raw':
      return d(`scenario: ${str(r.node)} writes ${String(r.length)} raw bytes${r.sent === false ? ' (no open connection: not sent)' : ''}`);
    case 'action.raw-connect':
      return d(`scenario: ${str(r.node)} opens a connection of its own to ${str(r.target)}`);
    case 'action.set':
      return d(`scenario: new settings for ${str(r.node)}: ${arr(r.changed).join(', ')}`);
    case 'action.fault':
      if (r.conn !== undefined) return d(`fault: frame ${String(r.nth)} of its kind on ${str(r.link)} is dropped (the segment of ${conn} with its last byte)`);
      if (r.reset === 0) return d(`fault: no connection${r.peer !== null && r.peer !== undefined ? ` to ${str(r.peer)}` : ''} to reset`);
      return d(`scenario: fault ${str(r.fault)}`);

    // Network
    case 'net.host':
      return d(`${r.kind === 'firewall' ? 'firewall' : `host ${str(r.name)}`} at ${str(r.address)}`);
    case 'net.link':
      return d(`link ${str(r.a)} - ${str(r.b)}: ${formatMs(num(r.latency) ?? 0)}, ${formatBitRate(num(r.bandwidth))}${num(r.loss) ? `, loss ${String(r.loss)}` : ''}, MSS ${String(r.mss)}`);
    case 'net.route':
      return d(r.path === null ? `no route to ${str(r.dst)}` : `route to ${str(r.dst)}: ${arr(r.path).join(' > ')} (${formatMs(num(r.latency) ?? 0)})`);
    case 'net.drop':
      return d(`segment of ${conn} lost${r.link ? ` on ${str(r.link)}` : ''}: ${str(r.reason)} (${str(r.flags)} ${String(r.len)} B)`);
    case 'tcp.connect':
      return d(`connects to ${str(r.target)} (${str(r.remote)})${r.tls ? ' for TLS' : ''}: ${conn} from ${str(r.local)}`);
    case 'tcp.accept':
      return d(`accepts ${conn} from ${str(r.remote)} (the other end of ${str(r.peer)})`);
    case 'tcp.open':
      return d(`${conn} open (${str(r.role)}), ${str(r.local)} - ${str(r.remote)}`);
    case 'tcp.segment':
      return d(`${conn} segment to ${str(r.to)} ${str(r.flags)} ${String(r.len)} B seq ${String(r.seqNo)} ack ${String(r.ackNo)}`);
    case 'tcp.retransmit':
      return d(`${conn} retransmits ${String(r.len)} B at seq ${String(r.seqNo)} (attempt ${String(r.attempt)}, RTO ${formatMs(num(r.rto) ?? 0)})`);
    case 'tcp.close':
      return d(`${conn} closed (${str(r.kind)}): ${str(r.detail)}`);
    case 'tcp.refused':
      return d(`refuses ${conn} from ${str(r.src)}: nobody listens on ${str(r.dst)}`);
    case 'tcp.timeout':
      return d(`${conn} timed out (${str(r.phase)}, ${String(r.retries)} retries): ${str(r.detail)}`);
    case 'tls.handshake':
      return d(`TLS ${str(r.version)} ${str(r.role)} on ${conn}: ${str(r.step).split(',').join(', ')} (${String(r.bytes)} B)`);
    case 'tls.established': {
      const names = arr(r.peerNames);
      return d(`TLS ${str(r.version)} established on ${conn}${names.length ? `, peer certificate ${names.join(' ')}` : ''}${r.mutual ? ' (mutual)' : ''}`);
    }
    case 'tls.fail':
      return d(`TLS failed on ${conn}: ${str(r.detail)}`);
    case 'fw.pass':
      return d(`lets ${conn} through (${str(r.direction)} ${str(r.flow)}${r.midStream ? ', met mid-stream' : ''})`);
    case 'fw.drop':
      return d(`drops ${str(r.direction)} segment of ${conn} (${str(r.flags)} ${String(r.len)} B, ${str(r.src)} > ${str(r.dst)}): ${str(r.reason)}`);
    case 'fw.reject':
      return d(`rejects ${str(r.direction)} segment of ${conn} with RST (${str(r.src)} > ${str(r.dst)}): ${str(r.reason)}`);
    case 'fw.expire':
      return d(`forgets ${conn} (${str(r.flow)}) after ${formatMs(num(r.idle) ?? 0)} ${r.closed ? 'since it closed' : 'idle'}`);
    case 'fw.rules':
      return d(`rules now, in order: ${arr(r.rules).join(', ')}`);
    case 'fw.idle':
      return d(`idle connections now expire after ${formatMs(num(r.idleTimeout) ?? 0)}, then ${r.idleMode === 'reset' ? 'get a reset' : 'are dropped'}`);
    case 'fw.policy':
      return d(r.policy === null ? 'MSRP policy removed' : `MSRP policy from now on: ${JSON.stringify(r.policy)}`);
    case 'fw.policy-skip':
      return d(`does not inspect ${str(r.flow)}${r.direction ? ` (${str(r.direction)})` : ''}: ${str(r.reason)}`);
    case 'nat.map':
      return d(`maps ${conn}: ${str(r.inside)} goes out as ${str(r.outside)} (to ${str(r.remote)})`);
    case 'fault.link-down':
      return d(`fault: link ${str(r.link)} down`);
    case 'fault.link-up':
      return d(`fault: link ${str(r.link)} up`);
    case 'fault.set-link':
      return d(`fault: link ${str(r.link)} changed: ${linkChanges(r.changes)}`);
    case 'fault.partition':
      return d(`fault: partition ${(Array.isArray(r.groups) ? (r.groups as unknown[]) : []).map((g) => `[${arr(g).join(' ')}]`).join(' ')}`);
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
      return d(`fault: segment ${String(r.n)} on ${str(r.link)} will be dropped`);

    // MSRP on the wire
    case 'msrp.send':
      return d(`-> ${frameName(r)} to ${peerOf(conn)} on ${conn} (${String(r.length)} B)`, frameLines(r, maxBody));
    case 'msrp.recv':
      return d(`<- ${frameName(r)} from ${peerOf(conn)} on ${conn}`);
    case 'msrp.raw':
      return d(`-> raw bytes to ${peerOf(conn)} on ${conn} (${String(r.length)} B)`, messageLines(str(r.text), maxBody));
    case 'msrp.malformed':
      return d(`malformed input on ${conn} at byte ${String(r.offset)}${r.fatal ? ' (connection reset)' : ''}: ${str(r.message)}`);
    case 'msrp.violation':
      return d(`${str(r.transactionId)} on ${conn} breaks a rule: ${str(r.message)}`);
    case 'msrp.limit':
      return d(`${str(r.transactionId)} on ${conn} is over a limit (${String(r.length)} B${r.reads !== undefined && r.reads !== null ? ` in ${String(r.reads)} reads` : ''}): ${str(r.reason)}`);

    // SIP
    case 'sip.send':
      return d(`-> ${sipName(r)} to ${str(r.to)} (SIP, session ${str(r.session)})`, messageLines(str(r.text), maxBody * 4));
    case 'sip.recv':
      return d(`<- ${sipName(r)} from ${str(r.from)} (SIP)`);
    case 'sip.timeout':
      return d(`no final response from ${str(r.to)} to the ${r.initial ? 'INVITE' : 're-INVITE'} of ${str(r.session)} within Timer B (${formatMs(num(r.after) ?? 0)})`);
    case 'sip.stale':
      return d(`ignores the ${String(r.status)} from ${str(r.from)} to an ${r.initial ? 'INVITE' : 're-INVITE'} of ${str(r.session)}: ${str(r.reason)}`);

    // Relays
    case 'relay.start':
      return d(`relay listens at ${str(r.uri)} (profile ${str(r.profile)})`);
    case 'relay.forward': {
      const block = [
        ...pathDiff('To-Path  ', arr(r.toPathBefore), arr(r.toPathAfter)),
        ...pathDiff('From-Path', arr(r.fromPathBefore), arr(r.fromPathAfter)),
      ];
      if (r.byteRangeIn !== undefined && r.byteRangeOut !== undefined && (r.rechunked === true || range(r.byteRangeIn) !== range(r.byteRangeOut))) {
        block.push(`Byte-Range ${range(r.byteRangeIn)} -> ${range(r.byteRangeOut)}${r.rechunked ? ' (re-chunked)' : ''}`);
      }
      return d(`forwards ${str(r.method)} ${str(r.inTransactionId)} as ${str(r.outTransactionId)}, ${str(r.inConn)} -> ${str(r.outConn)}`, block);
    }
    case 'relay.response-forward':
      return d(`forwards response ${String(r.status)} ${str(r.inTransactionId)} back as ${str(r.outTransactionId)}`, pathDiff('To-Path  ', arr(r.toPathBefore), arr(r.toPathAfter)));
    case 'relay.respond':
      return d(`answers ${str(r.method)} ${str(r.transactionId)} with ${String(r.status)} on ${conn}`);
    case 'relay.report':
      return d(`sends REPORT 000 ${String(r.status)} for ${str(r.messageId)} (${range(r.byteRange)}) to ${arr(r.toPath).at(-1) ?? '?'}`);
    case 'relay.report-suppressed':
      return d(`does not send the REPORT ${String(r.status)}`);
    case 'relay.connect':
      return d(`opens a connection to ${str(r.target)}: ${str(r.reason)}`);
    case 'relay.next-hop-ok':
      return d(`next hop took ${str(r.outTransactionId)} (200): transaction done`);
    case 'relay.discard':
      return d(`discards ${str(r.transactionId)} from ${conn}: ${str(r.reason)}`);
    case 'relay.refuse':
      return d(`refuses ${str(r.transactionId)} on ${conn} with ${String(r.status)}: ${str(r.reason)}`);
    case 'relay.not-mine':
      return d(`${str(r.transactionId)} on ${conn} is not addressed to this relay (To-Path ${list(r.toPath)})`);
    case 'relay.undeliverable':
      return d(`cannot deliver ${str(r.transactionId)}: ${str(r.reason)}`);
    case 'relay.timeout':
      return d(`no response to ${str(r.outTransactionId)} in time`);
    case 'relay.forget':
      return d(`forgets ${str(r.method)} ${str(r.outTransactionId)} (Failure-Report ${str(r.failureReport)}): ${str(r.reason)}`);
    case 'relay.token-forgotten':
      return d(`forgets token ${str(r.token)}, expired at ${formatMs(num(r.expiredAt) ?? 0)}`);
    case 'relay.profile':
      return d(`profile ${str(r.from)} -> ${str(r.to)} from now on`);
    case 'relay.auth-ok':
      return d(`AUTH of ${str(r.user)} on ${conn} accepted: token ${str(r.token)}, expires in ${String(r.expires)} s`);
    case 'relay.auth-fail':
      return d(`AUTH on ${conn} failed (${String(r.failures)} so far): ${str(r.reason)}`);
    case 'relay.auth-disconnect':
      return d(`disconnects ${conn} after ${String(r.failures)} failed AUTHs`);
    case 'auth.challenge':
      return d(`challenges AUTH on ${conn} (realm ${str(r.realm)}${r.stale ? ', stale nonce' : ''})`);
    case 'relay.token-invalidated':
      return d(`token ${str(r.token)} no longer valid: ${str(r.reason)}`);
    case 'relay.connection-closed':
      return d(`connection ${conn} gone (${str(r.reason)})`);
    case 'relay.drop-connection':
      return d(`drops connection ${conn} (frame of ${String(r.size)} B)`);
    case 'relay.probation-close':
      return d(`closes ${conn}: no AUTH within ${String(r.seconds)} s`);
    case 'relay.idle-close':
      return d(`closes ${conn}${r.user ? ` (client ${str(r.user)})` : r.target ? ` (to ${str(r.target)})` : ''}: no MSRP traffic for ${formatMs(num(r.idle) ?? 0)} (limit ${formatMs(num(r.limit) ?? 0)})${num(r.tokens) ? `, ${String(r.tokens)} token(s) bound to it` : ''}`);
    case 'relay.response-dropped':
      return d(`drops response ${String(r.status)} ${str(r.transactionId)}`);
    case 'relay.cut-through':
      return d(`cuts ${str(r.inTransactionId)} through from ${str(r.inConn)} to ${str(r.outConn)} as it arrives`, [`To-Path now ${list(r.toPathAfter)}`]);
    case 'relay.local-hop':
      return d(`${str(r.transactionId)}: the next To-Path URI is this relay again; it takes that one too`, [`To-Path   now ${list(r.toPathAfter)}`, `From-Path now ${list(r.fromPathAfter)}`]);
    case 'relay.no-timer':
      return d(`runs no transaction timer for ${str(r.outTransactionId)}: ${str(r.reason)}`);
    case 'relay.realm':
      return d(`uses realm ${str(r.realm)} on ${conn}, from the AUTH To-Path (configured: ${str(r.configured)})`);
    case 'relay.report-range':
      return d(`REPORT ${str(r.transactionId)} covers the bytes received, ${range(r.byteRange)}${range(r.byteRange) === range(r.instead) ? ' (here the same as the SEND\'s)' : `, not ${range(r.instead)}`}`);
    case 'relay.token-past-expiry':
      return d(`token ${str(r.token)} used after its Expires ran out (at ${formatMs(num(r.grantedUntil) ?? 0)}); not enforced`);
    case 'relay.tokens-expired':
      return d(`fault: forgets every token it granted (${String(r.count)})`);
    case 'relay.unauthenticated':
      return d(`relays ${str(r.transactionId)} from ${conn}, which never authenticated, to ${str(r.next)}`);
    case 'relay.stray-response':
      return d(`stray response ${String(r.status)} ${str(r.transactionId)} on ${conn}`);

    // Endpoints
    case 'auth.request':
      return d(`AUTH ${str(r.transactionId)} to ${str(r.relay)}${r.withCredentials ? ' with credentials' : ''}${r.expires !== null && r.expires !== undefined ? `, Expires ${String(r.expires)}` : ''}`);
    case 'auth.challenged':
      return d(`challenged by ${str(r.relay)} (realm ${str(r.realm)})`);
    case 'auth.ok':
      return d(`authenticated to ${str(r.relay)}: Use-Path ${list(r.usePath)}, expires in ${String(r.expires)} s`);
    case 'auth.fail':
      return d(`AUTH to ${str(r.relay)} failed: ${str(r.reason)}`);
    case 'auth.refresh':
      return d(`authenticates again before the tokens expire`);
    case 'auth.retry-expires':
      return d(`asks again with Expires ${String(r.next)} (asked ${String(r.asked)})`);
    case 'endpoint.ready':
      return d(`ready: Use-Path ${list(r.usePath)}`);
    case 'endpoint.relay-connected':
      return d(`connected to its relay ${str(r.relay)} on ${conn}`);
    case 'endpoint.relay-lost':
      return d(`lost its relay connection (${str(r.reason)}): ${str(r.detail)}`);
    case 'session.offer':
      return d(`offers session ${str(r.session)} to ${str(r.peer)}: a=path ${list(r.path)}${r.setup ? `, a=setup:${str(r.setup)}` : ''}`);
    case 'session.answer':
      return d(`answers session ${str(r.session)} from ${str(r.peer)}: a=path ${list(r.path)}${r.setup ? `, a=setup:${str(r.setup)}` : ''}${r.active ? ' (active)' : ' (passive)'}`);
    case 'session.reject':
      return d(`rejects session ${str(r.session)}: ${String(r.status)} ${str(r.reason)}`);
    case 'session.rejected':
      return d(`session ${str(r.session)} rejected: ${String(r.status)} ${str(r.reason)}`);
    case 'session.bind':
      return d(`binds session ${str(r.session)} to ${conn} with ${str(r.transactionId)}`);
    case 'session.bound':
      return d(`session ${str(r.session)} bound to ${conn}`);
    case 'session.established':
      return d(`session ${str(r.session)} established on ${str(r.conn) || '(no connection yet)'}${r.active ? ' (active)' : ' (passive)'}`, [`To-Path ${list(r.toPath)}`]);
    case 'session.closed':
      return d(`session ${str(r.session)} closed: ${str(r.why)}`);
    case 'session.failed':
      return d(`session ${str(r.session)} failed: ${str(r.reason)}`);
    case 'session.reoffer':
      return d(`offers session ${str(r.session)} to ${str(r.peer)} again (${str(r.reason)}): a=path ${list(r.path)}`, [`was     ${list(r.previous)}`]);
    case 'session.update':
      return d(`takes ${str(r.peer)}'s new offer for ${str(r.session)}, answers a=path ${list(r.path)}`, [`To-Path ${list(r.toPath)}`]);
    case 'session.updated':
      return d(`session ${str(r.session)} renegotiated with ${str(r.peer)}`, [`To-Path ${list(r.toPath)}`]);
    case 'session.reoffer-rejected':
      return d(`new offer for ${str(r.session)} not taken${r.status === null || r.status === undefined ? '' : ` (${String(r.status)})`}: ${str(r.reason)}${typeof r.retryIn === 'number' ? `; tries again in ${formatMs(r.retryIn)}` : ''}`);
    case 'session.reoffer-refused':
      return d(`refuses ${str(r.peer)}'s new offer for ${str(r.session)}: ${str(r.reason)}`);
    case 'session.answer-ignored':
      return d(`ignores the answer (${String(r.status)}) for ${str(r.session)}: no offer of it is waiting${r.state ? ` (session ${str(r.state)})` : ''}${r.bye ? '; sends the BYE' : ''}`);
    case 'endpoint.unconfirmed':
      return d(`session ${str(r.session)} ended before success REPORTs covered message ${str(r.messageId)} (${String(r.reported)} of ${String(r.size)} B reported)`);
    case 'session.abandoned':
      return d(`session ${str(r.session)} ended before its ${str(r.step)} could go to ${str(r.peer)}${r.status === undefined ? ': nothing is sent' : `: declines the INVITE (${String(r.status)})`}`);
    case 'session.reestablish':
      return d(`re-establishes session ${str(r.session)} (attempt ${String(r.attempt)})`);
    case 'endpoint.connect':
      return d(`opens a connection for ${str(r.session)} to ${str(r.target)}`);
    case 'endpoint.reuse':
      return d(`reuses ${conn} for ${str(r.session)} (${str(r.target)})`);
    case 'endpoint.message':
      return d(`sends message ${str(r.messageId)} on ${str(r.session)}: ${str(r.contentType)}, ${String(r.size)} B, chunks ${str(r.chunking)}, Success-Report ${str(r.successReport)}, Failure-Report ${str(r.failureReport)}`);
    case 'endpoint.sent':
      return d(`message ${str(r.messageId)} written${r.aborted ? ' (aborted)' : ''}`);
    case 'endpoint.chunk':
      return d(`has ${String(r.received)} of ${r.total === null ? '?' : String(r.total)} bytes of ${str(r.messageId)}`);
    case 'endpoint.deliver':
      return d(`delivers message ${str(r.messageId)}: ${String(r.size)} B ${str(r.contentType)}, MD5 ${str(r.digest)}, assembled in ${formatMs(num(r.assemblyTime) ?? 0)}`, [`From-Path ${list(r.fromPath)}`]);
    case 'endpoint.report-sent':
      return d(`sends REPORT 000 ${String(r.status)} for ${str(r.messageId)} (${range(r.byteRange)})`);
    case 'endpoint.report':
      return d(`REPORT 000 ${String(r.status)} for ${str(r.messageId)} (${range(r.byteRange)})${r.complete ? ': the whole message arrived' : ''}`);
    case 'endpoint.report-ignored':
      return d(`ignores a REPORT for ${str(r.messageId) || 'an unknown message'} (${String(r.status)})`);
    case 'endpoint.response':
      return d(`${String(r.status)} for ${str(r.transactionId)}${r.messageId ? ` (message ${str(r.messageId)})` : ''}`);
    case 'endpoint.reject':
      return d(`answers ${str(r.transactionId)} with ${String(r.status)}`);
    case 'endpoint.no-response':
      return d(`sends no response to ${str(r.transactionId)} (would be ${String(r.wouldBe)}; Failure-Report ${str(r.failureReport)})`);
    case 'endpoint.timeout':
      return d(`no response to ${str(r.transactionId)} in time${r.messageId ? ` (message ${str(r.messageId)})` : ''}`);
    case 'endpoint.abort':
      return d(`aborts message ${str(r.messageId)} after ${String(r.status)}`);
    case 'endpoint.aborted':
      return d(`message ${str(r.messageId)} aborted by its sender after ${String(r.received)} B`);
    case 'endpoint.too-large':
      return d(`message ${str(r.messageId)} too large (${String(r.claimed)} B, limit ${String(r.limit)})`);
    case 'endpoint.send-refused':
      return d(`does not send on ${str(r.session)}: ${str(r.reason)}`);
    case 'endpoint.send-queued':
      return d(`a ${str(r.contentType)} message waits for ${str(r.session)} to be established (now ${str(r.state)})`);
    case 'endpoint.send-failed':
      return d(`a ${str(r.contentType)} message that waited for ${str(r.session)} is not sent: ${str(r.reason)}`);
    case 'endpoint.forced':
      return d(`sends on ${str(r.session)} anyway: ${str(r.reason)}`);
    case 'endpoint.violation':
      return d(`${str(r.peer)} broke a rule: ${str(r.message)}`);
    case 'endpoint.stray-response':
      return d(`stray response ${String(r.status)} ${str(r.transactionId)} on ${conn}`);
    case 'node.crash':
      return d(`crashes (${str(r.role)} state lost)`);
    case 'node.restart':
      return d(`restarts`);
    default:
      return d(generic(r));
  }
}
