/**
 * The SIP messages that carry MSRP offer/answer (RFC 3261, as used by RFC 4975 §4 and §11.1):
 * INVITE with an SDP offer, 200 OK with the answer or 488 with the reason, ACK, BYE and its 200.
 * Builders take every identifier (Call-ID, tags, branch, CSeq) from the caller, which draws them
 * from its seeded random stream, so the text is deterministic. The parser is minimal: it reads
 * back what these builders write and what a peer plausibly sends (compact header names, folded
 * lines, LF line ends), counting what breaks RFC 3261.
 */

export type SipHeader = [name: string, value: string];

export interface SipRequest {
  kind: 'request';
  method: string;
  requestUri: string;
  /** In order, names as written. */
  headers: SipHeader[];
  /** The body as text ('' when none). */
  body: string;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeader[];
  body: string;
}

export type SipMessage = SipRequest | SipResponse;

/** A problem in SIP text: the RFC 3261 section, what, and the 1-based line when there is one. */
export interface SipIssue {
  rule: string;
  message: string;
  line?: number;
}

export type SipParseResult =
  | { ok: true; message: SipMessage; violations: SipIssue[] }
  | { ok: false; errors: SipIssue[] };

/** A SIP user agent, addressed as `sip:user@host` (the node id at the node's host name). */
export interface SipParty {
  user: string;
  host: string;
}

export type SipTransport = 'UDP' | 'TCP' | 'TLS';

const CRLF = '\r\n';
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** RFC 3261 §8.1.1.7: every branch starts with the magic cookie. */
const MAGIC_COOKIE = 'z9hG4bK';

/** RFC 3261 §7.3.3 compact forms. A Map: header names come off the wire (`constructor: x`). */
const COMPACT: ReadonlyMap<string, string> = new Map([
  ['i', 'call-id'],
  ['m', 'contact'],
  ['e', 'content-encoding'],
  ['l', 'content-length'],
  ['c', 'content-type'],
  ['f', 'from'],
  ['s', 'subject'],
  ['k', 'supported'],
  ['t', 'to'],
  ['v', 'via'],
]);

/** The number of UTF-8 bytes of a text (Content-Length counts bytes, RFC 3261 §20.14). */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

export function sipUri(party: SipParty): string {
  return `sip:${party.user}@${party.host}`;
}

function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT.get(lower) ?? lower;
}

/** Every value of a header (case-insensitive, compact forms included), in order. */
export function sipHeaders(msg: SipMessage, name: string): string[] {
  const wanted = canonicalName(name);
  return msg.headers.filter(([n]) => canonicalName(n) === wanted).map(([, v]) => v);
}

/** The first value of a header, or undefined. */
export function sipHeader(msg: SipMessage, name: string): string | undefined {
  return sipHeaders(msg, name)[0];
}

/** Writes a message; the caller's Content-Length is written as given (builders compute it). */
export function formatSipMessage(msg: SipMessage): string {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.requestUri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  return [start, ...msg.headers.map(([n, v]) => `${n}: ${v}`)].join(CRLF) + CRLF + CRLF + msg.body;
}

// ---------------------------------------------------------------------------------------------
// Header values

interface NameAddr {
  /** The URI without angle brackets. */
  uri: string;
  /** Header parameters after the URI (`tag`, ...), lower-cased names. */
  params: Map<string, string>;
}

/** Reads `"Name" <uri>;p=v` or `uri;p=v` (RFC 3261 §20.10, §20.20, §20.39). */
function parseNameAddr(value: string): NameAddr {
  let uri: string;
  let rest: string;
  const lt = value.indexOf('<');
  const gt = value.indexOf('>', lt + 1);
  if (lt >= 0 && gt > lt) {
    uri = value.slice(lt + 1, gt);
    rest = value.slice(gt + 1);
  } else {
    const semi = value.indexOf(';');
    uri = (semi < 0 ? value : value.slice(0, semi)).trim();
    rest = semi < 0 ? '' : value.slice(semi);
  }
  const params = new Map<string, string>();
  for (const p of rest.split(';').slice(1)) {
    const eq = p.indexOf('=');
    params.set((eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase(), eq < 0 ? '' : p.slice(eq + 1).trim());
  }
  return { uri, params };
}

/** The tag parameter of a From or To value. */
export function headerTag(value: string | undefined): string | undefined {
  return value === undefined ? undefined : parseNameAddr(value).params.get('tag');
}

function parseCSeq(value: string | undefined): { seq: number; method: string } | undefined {
  const m = value === undefined ? null : /^([0-9]{1,10})[ \t]+([A-Za-z]+)$/.exec(value.trim());
  return m === null ? undefined : { seq: Number(m[1]), method: m[2] as string };
}

/** `SIP/2.0/TCP host;branch=...` -> transport and host. */
function parseVia(value: string): { transport: SipTransport; host: string } {
  const m = /^SIP\/2\.0\/([A-Za-z]+)[ \t]+([^;, \t]+)/i.exec(value.trim());
  const transport = (m?.[1] ?? 'TCP').toUpperCase();
  return { transport: transport === 'UDP' || transport === 'TLS' ? transport : 'TCP', host: m?.[2] ?? '' };
}

/** A quoted-string (RFC 3261 §25.1); line breaks become spaces so a header stays one line. */
function quoted(text: string): string {
  return `"${text.replace(/[\r\n]+/g, ' ').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function unquoted(text: string): string {
  return text.startsWith('"') && text.endsWith('"') && text.length >= 2 ? text.slice(1, -1).replace(/\\(.)/g, '$1') : text;
}

// ---------------------------------------------------------------------------------------------
// Builders

function branchParam(branch: string): string {
  return branch.startsWith(MAGIC_COOKIE) ? branch : MAGIC_COOKIE + branch;
}

function via(transport: SipTransport, host: string, branch: string): string {
  return `SIP/2.0/${transport} ${host};branch=${branchParam(branch)}`;
}

/** Appends Content-Type (when there is a body) and Content-Length in bytes. */
function withBody(headers: SipHeader[], body: string, contentType = 'application/sdp'): SipHeader[] {
  if (body !== '') headers.push(['Content-Type', contentType]);
  headers.push(['Content-Length', String(byteLength(body))]);
  return headers;
}

export interface InviteOptions {
  from: SipParty;
  to: SipParty;
  callId: string;
  fromTag: string;
  /** The Via branch; the RFC 3261 magic cookie is prepended when missing. */
  branch: string;
  cseq: number;
  /** The SDP offer text (formatSdp). */
  sdp: string;
  transport?: SipTransport;
}

/** INVITE with an SDP offer (RFC 3261 §8.1.1, header order as in its §24 examples). */
export function buildInvite(o: InviteOptions): SipRequest {
  const headers: SipHeader[] = [
    ['Via', via(o.transport ?? 'TCP', o.from.host, o.branch)],
    // RFC 3261 §8.1.1.6: "The Max-Forwards header field value SHOULD be 70."
    ['Max-Forwards', '70'],
    ['To', `<${sipUri(o.to)}>`],
    ['From', `<${sipUri(o.from)}>;tag=${o.fromTag}`],
    ['Call-ID', o.callId],
    ['CSeq', `${o.cseq} INVITE`],
    ['Contact', `<${sipUri(o.from)}>`],
  ];
  return { kind: 'request', method: 'INVITE', requestUri: sipUri(o.to), headers: withBody(headers, o.sdp), body: o.sdp };
}

/**
 * A response to `request` (RFC 3261 §8.2.6.2): Via, From, Call-ID and CSeq copied; To copied with
 * `toTag` added when it has none.
 */
export function buildSipResponse(
  request: SipRequest,
  status: number,
  reason: string,
  options: { toTag?: string; extraHeaders?: SipHeader[]; body?: string; contentType?: string } = {},
): SipResponse {
  const headers: SipHeader[] = sipHeaders(request, 'via').map((v): SipHeader => ['Via', v]);
  let to = sipHeader(request, 'to') ?? '';
  if (options.toTag !== undefined && headerTag(to) === undefined) to = `${to};tag=${options.toTag}`;
  headers.push(
    ['To', to],
    ['From', sipHeader(request, 'from') ?? ''],
    ['Call-ID', sipHeader(request, 'call-id') ?? ''],
    ['CSeq', sipHeader(request, 'cseq') ?? ''],
  );
  for (const h of options.extraHeaders ?? []) headers.push(h);
  const body = options.body ?? '';
  return { kind: 'response', status, reason, headers: withBody(headers, body, options.contentType), body };
}

/** 200 OK to an INVITE, with the SDP answer and the answerer's Contact. */
export function buildInviteOk(invite: SipRequest, o: { toTag: string; contact: SipParty; sdp: string }): SipResponse {
  return buildSipResponse(invite, 200, 'OK', { toTag: o.toTag, extraHeaders: [['Contact', `<${sipUri(o.contact)}>`]], body: o.sdp });
}

/**
 * 488 Not Acceptable Here for an offer that failed validation, with the rule and the reason in a
 * Warning header (RFC 3261 §20.43; code 399, "miscellaneous warning", names the agent).
 */
export function buildNotAcceptable(invite: SipRequest, o: { toTag: string; agent: string; rule: string; reason: string }): SipResponse {
  return buildSipResponse(invite, 488, 'Not Acceptable Here', {
    toTag: o.toTag,
    extraHeaders: [['Warning', `399 ${o.agent} ${quoted(`${o.rule}: ${o.reason}`)}`]],
  });
}

/**
 * ACK for the final response to an INVITE. RFC 3261 §13.2.2.4: for a 2xx it is a new transaction
 * (new branch) to the remote target of the Contact; §17.1.1.3: for any other final response it
 * reuses the INVITE's Request-URI and top Via (same branch).
 */
export function buildAck(invite: SipRequest, response: SipResponse, o: { branch: string }): SipRequest {
  const topVia = sipHeader(invite, 'via') ?? '';
  const success = response.status >= 200 && response.status < 300;
  const contact = sipHeader(response, 'contact');
  const { transport, host } = parseVia(topVia);
  const cseq = parseCSeq(sipHeader(invite, 'cseq'));
  const headers: SipHeader[] = [
    ['Via', success ? via(transport, host, o.branch) : topVia],
    ['Max-Forwards', '70'],
    ['To', sipHeader(response, 'to') ?? ''],
    ['From', sipHeader(invite, 'from') ?? ''],
    ['Call-ID', sipHeader(invite, 'call-id') ?? ''],
    ['CSeq', `${cseq?.seq ?? 1} ACK`],
    ['Content-Length', '0'],
  ];
  const requestUri = success && contact !== undefined ? parseNameAddr(contact).uri : invite.requestUri;
  return { kind: 'request', method: 'ACK', requestUri, headers, body: '' };
}

/** The state a user agent keeps to send in-dialog requests (RFC 3261 §12). */
export interface SipDialog {
  callId: string;
  localUri: string;
  localTag: string;
  remoteUri: string;
  remoteTag: string;
  /** Where in-dialog requests go: the peer's Contact. */
  remoteTarget: string;
  /** The host for our own Via. */
  localHost: string;
  transport: SipTransport;
}

/** The dialog as the caller (UAC) sees it after a 2xx (RFC 3261 §12.1.2). */
export function uacDialog(invite: SipRequest, ok: SipResponse): SipDialog {
  const from = parseNameAddr(sipHeader(invite, 'from') ?? '');
  const to = parseNameAddr(sipHeader(ok, 'to') ?? '');
  const contact = sipHeader(ok, 'contact');
  const { transport, host } = parseVia(sipHeader(invite, 'via') ?? '');
  return {
    callId: sipHeader(invite, 'call-id') ?? '',
    localUri: from.uri,
    localTag: from.params.get('tag') ?? '',
    remoteUri: to.uri,
    remoteTag: to.params.get('tag') ?? '',
    remoteTarget: contact === undefined ? to.uri : parseNameAddr(contact).uri,
    localHost: host,
    transport,
  };
}

/** The dialog as the callee (UAS) sees it after sending a 2xx with `toTag` (RFC 3261 §12.1.1). */
export function uasDialog(invite: SipRequest, toTag: string, self: SipParty): SipDialog {
  const from = parseNameAddr(sipHeader(invite, 'from') ?? '');
  const to = parseNameAddr(sipHeader(invite, 'to') ?? '');
  const contact = sipHeader(invite, 'contact');
  return {
    callId: sipHeader(invite, 'call-id') ?? '',
    localUri: to.uri,
    localTag: toTag,
    remoteUri: from.uri,
    remoteTag: from.params.get('tag') ?? '',
    remoteTarget: contact === undefined ? from.uri : parseNameAddr(contact).uri,
    localHost: self.host,
    transport: parseVia(sipHeader(invite, 'via') ?? '').transport,
  };
}

/** The header fields every request within a dialog starts with (RFC 3261 §12.2.1.1). */
function inDialogHeaders(dialog: SipDialog, branch: string, cseq: number, method: string): SipHeader[] {
  return [
    ['Via', via(dialog.transport, dialog.localHost, branch)],
    ['Max-Forwards', '70'],
    ['To', `<${dialog.remoteUri}>;tag=${dialog.remoteTag}`],
    ['From', `<${dialog.localUri}>;tag=${dialog.localTag}`],
    ['Call-ID', dialog.callId],
    ['CSeq', `${cseq} ${method}`],
  ];
}

/** BYE within a dialog (RFC 3261 §15.1.1); `cseq` is the next number of the sender's own sequence. */
export function buildBye(dialog: SipDialog, o: { branch: string; cseq: number }): SipRequest {
  const headers: SipHeader[] = [...inDialogHeaders(dialog, o.branch, o.cseq, 'BYE'), ['Content-Length', '0']];
  return { kind: 'request', method: 'BYE', requestUri: dialog.remoteTarget, headers, body: '' };
}

/**
 * A re-INVITE: an INVITE within the dialog carrying a new SDP offer (RFC 3261 §14.1, RFC 3264 §8;
 * RFC 4976 §9.4: how a relay client hands its peer the path of new tokens). `cseq` is the next
 * number of the sender's own sequence; `contact` is the sender, as in the first INVITE.
 */
export function buildReInvite(dialog: SipDialog, o: { branch: string; cseq: number; sdp: string; contact: SipParty }): SipRequest {
  const headers: SipHeader[] = [...inDialogHeaders(dialog, o.branch, o.cseq, 'INVITE'), ['Contact', `<${sipUri(o.contact)}>`]];
  return { kind: 'request', method: 'INVITE', requestUri: dialog.remoteTarget, headers: withBody(headers, o.sdp), body: o.sdp };
}

/**
 * 491 Request Pending (RFC 3261 §14.2): "A UAS that receives an INVITE on a dialog while an
 * INVITE it had sent on that dialog is in progress MUST return a 491 (Request Pending) response
 * to the received INVITE." The re-INVITE's To already carries the tag.
 */
export function buildRequestPending(invite: SipRequest): SipResponse {
  return buildSipResponse(invite, 491, 'Request Pending');
}

/** 200 OK to a BYE (RFC 3261 §15.1.2). */
export function buildByeOk(bye: SipRequest): SipResponse {
  return buildSipResponse(bye, 200, 'OK');
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Reads SIP text; never throws. */
export function parseSipMessage(text: string): SipParseResult {
  const errors: SipIssue[] = [];
  const violations: SipIssue[] = [];
  const fail = (rule: string, message: string, line?: number): SipParseResult => {
    errors.push(line === undefined ? { rule, message } : { rule, message, line });
    return { ok: false, errors };
  };

  // RFC 3261 §7: start line and headers end with CRLF, then an empty line, then the body.
  let end = text.indexOf('\r\n\r\n');
  let bodyStart = end + 4;
  const lfEnd = text.indexOf('\n\n');
  if (lfEnd >= 0 && (end < 0 || lfEnd < end)) {
    end = lfEnd;
    bodyStart = lfEnd + 2;
  }
  if (end < 0) return fail('RFC 3261 §7', 'no empty line after the header fields');
  const head = text.slice(0, end);
  if (/(^|[^\r])\n/.test(head) || text[end] === '\n') {
    violations.push({ rule: 'RFC 3261 §7', message: 'line ends with LF, not CRLF (tolerated)' });
  }
  const lines = head.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));

  const start = lines[0] as string;
  let message: SipMessage;
  const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
  const response = /^SIP\/2\.0 ([1-6][0-9]{2}) (.*)$/.exec(start);
  if (request !== null) {
    // RFC 3261 §7.1: method names are case-sensitive, so they are kept as written.
    message = { kind: 'request', method: request[1] as string, requestUri: request[2] as string, headers: [], body: '' };
  } else if (response !== null) {
    message = { kind: 'response', status: Number(response[1]), reason: response[2] as string, headers: [], body: '' };
  } else {
    return fail('RFC 3261 §7.1', `"${start}" is neither a Request-Line nor a Status-Line`, 1);
  }

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const last = message.headers[message.headers.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      // RFC 3261 §7.3.1: a line starting with whitespace continues the previous header value.
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const m = /^([!%'*+\-.^_`~A-Za-z0-9]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (m === null) {
      violations.push({ rule: 'RFC 3261 §7.3', message: `"${line}" is not a header field; ignored`, line: i + 1 });
      continue;
    }
    message.headers.push([m[1] as string, (m[2] as string).trimEnd()]);
  }

  // RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are the minimum of a request.
  for (const name of ['call-id', 'cseq', 'from', 'to']) {
    if (sipHeader(message, name) === undefined) return fail('RFC 3261 §8.1.1', `no ${name} header field`);
  }
  const cseq = parseCSeq(sipHeader(message, 'cseq'));
  if (cseq === undefined) return fail('RFC 3261 §20.16', `CSeq "${sipHeader(message, 'cseq')}" is not <number> <method>`);
  if (message.kind === 'request' && cseq.method !== message.method) {
    violations.push({ rule: 'RFC 3261 §8.1.1.5', message: `CSeq method ${cseq.method} is not the request method ${message.method}` });
  }
  if (sipHeader(message, 'via') === undefined) violations.push({ rule: 'RFC 3261 §8.1.1.7', message: 'no Via header field' });
  if (message.kind === 'request' && sipHeader(message, 'max-forwards') === undefined) {
    violations.push({ rule: 'RFC 3261 §8.1.1.6', message: 'no Max-Forwards header field' });
  }

  const rest = encoder.encode(text.slice(bodyStart));
  const lengthText = sipHeader(message, 'content-length');
  if (lengthText === undefined) {
    // RFC 3261 §20.14: required over stream transports; read the rest as the body.
    violations.push({ rule: 'RFC 3261 §20.14', message: 'no Content-Length; the rest of the text is the body' });
    message.body = decoder.decode(rest);
  } else {
    if (!/^[0-9]+$/.test(lengthText)) return fail('RFC 3261 §20.14', `Content-Length "${lengthText}" is not a number`);
    const length = Number(lengthText);
    if (rest.length < length) return fail('RFC 3261 §18.3', `Content-Length ${length} but only ${rest.length} bytes of body`);
    if (rest.length > length) {
      violations.push({ rule: 'RFC 3261 §18.3', message: `${rest.length - length} bytes after the Content-Length ${length}; ignored` });
    }
    message.body = decoder.decode(rest.subarray(0, length));
  }
  return { ok: true, message, violations };
}

// ---------------------------------------------------------------------------------------------
// Summaries

/** What a trace record says about a SIP message (formatting is output/'s business). */
export interface SipSummary {
  kind: 'request' | 'response';
  method?: string;
  status?: number;
  reason?: string;
  callId: string;
  cseq: { seq: number; method: string };
  hasSdp: boolean;
  /** The Warning text of a response (the 488's rule and reason), unquoted. */
  warning?: string;
}

/** The SDP body of a message, when its Content-Type is application/sdp and it has one. */
export function sipSdpBody(msg: SipMessage): string | undefined {
  const type = sipHeader(msg, 'content-type');
  const isSdp = type !== undefined && (type.split(';')[0] as string).trim().toLowerCase() === 'application/sdp';
  return isSdp && msg.body !== '' ? msg.body : undefined;
}

export function summarizeSip(msg: SipMessage): SipSummary {
  const cseq = parseCSeq(sipHeader(msg, 'cseq')) ?? { seq: 0, method: '' };
  const summary: SipSummary = {
    kind: msg.kind,
    callId: sipHeader(msg, 'call-id') ?? '',
    cseq,
    hasSdp: sipSdpBody(msg) !== undefined,
  };
  if (msg.kind === 'request') summary.method = msg.method;
  else {
    summary.status = msg.status;
    summary.reason = msg.reason;
    const warning = sipHeader(msg, 'warning');
    // warning-value = warn-code SP warn-agent SP warn-text (RFC 3261 §20.43)
    const m = warning === undefined ? null : /^[0-9]{3} \S+ (".*")$/.exec(warning);
    if (m !== null) summary.warning = unquoted(m[1] as string);
  }
  return summary;
}
