/**
 * SDP for MSRP media (RFC 4566 as used by RFC 4975 §8, RFC 4976 §11, RFC 6135, RFC 6714 and
 * RFC 5547): a formatter that writes real SDP text and a tolerant parser, over the typed model of
 * sdp-model.ts (re-exported here).
 *
 * The formatter writes what the model says, in the standard line order with CRLF line ends; it does
 * not judge (offer/answer validation does). The parser is strict about what it cannot represent and
 * tolerant, but counting, about the rest (DESIGN: "strict when sending, tolerant but counting when
 * receiving"): LF-only line ends, a space after `a=accept-types:` (A-08 vi), fragments that lack
 * the v/o/s/t lines (as printed in RFC 4975 §4 and RFC 4976 §11) each become a violation.
 */
import { splitFormatList, isFormatEntry } from './media-types.js';
import { parsePathUri } from './path-uri.js';
import { MSRP_PROTOS, isMsrpMedia, type AddressType, type MsrpProto, type SetupValue, type Direction, type SdpAttribute, type FileSelector, type MsrpMediaDescription, type SdpOrigin, type SdpConnection, type SessionDescription, type SdpIssue, type SdpIgnoredLine, type SdpParseResult } from './sdp-model.js';

export { MSRP_PROTOS, isMsrpMedia };
export type { AddressType, MsrpProto, SetupValue, Direction, SdpAttribute, FileSelector, MsrpMediaDescription, SdpOrigin, SdpConnection, SessionDescription, SdpIssue, SdpIgnoredLine, SdpParseResult };

const CRLF = '\r\n';
const RFC4566_LINES = 'RFC 4566 §5';

// ---------------------------------------------------------------------------------------------
// Formatting

function attributeLine(a: SdpAttribute): string {
  return a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`;
}

function formatFileSelector(fs: FileSelector): string {
  const parts: string[] = [];
  if (fs.name !== undefined) parts.push(`name:"${fs.name}"`);
  if (fs.type !== undefined) parts.push(`type:${fs.type}`);
  if (fs.size !== undefined) parts.push(`size:${fs.size}`);
  for (const h of fs.hash ?? []) parts.push(`hash:${h.algorithm}:${h.value}`);
  return parts.length === 0 ? 'a=file-selector' : `a=file-selector:${parts.join(' ')}`;
}

/**
 * Writes SDP text with CRLF line ends in the order of RFC 4566 §5: v, o, s, c, t, session a=, then
 * per media m, c (only when the session has none or a different one), and the attributes in a fixed
 * order (direction, accept-types, accept-wrapped-types, max-size, path, setup, msrp-cema,
 * file-selector, file-transfer-id, others).
 */
export function formatSdp(desc: SessionDescription): string {
  const lines: string[] = ['v=0'];
  const o = desc.origin;
  lines.push(`o=${o.username} ${o.sessionId} ${o.version} IN ${o.addressType} ${o.address}`);
  lines.push(`s=${desc.sessionName}`);
  if (desc.connection !== undefined) lines.push(`c=IN ${desc.connection.addressType} ${desc.connection.address}`);
  lines.push(`t=${desc.time.start} ${desc.time.stop}`);
  for (const a of desc.attributes ?? []) lines.push(attributeLine(a));
  for (const m of desc.media) {
    // E-01, RFC 4975 §8.1: "m=<media> <port> <protocol> <format list>"
    lines.push(`m=${m.media} ${m.port} ${m.proto} ${m.formats.join(' ')}`);
    const session = desc.connection;
    if (session === undefined || session.address !== m.connectionAddress || session.addressType !== m.addressType) {
      // E-02, RFC 4975 §8.1: c= "MUST be set to the IP address or fully qualified domain name from
      // the MSRP URI identifying the endpoint in its path attribute".
      lines.push(`c=IN ${m.addressType} ${m.connectionAddress}`);
    }
    if (m.direction !== undefined) lines.push(`a=${m.direction}`);
    if (m.acceptTypes.length > 0) lines.push(`a=accept-types:${m.acceptTypes.join(' ')}`);
    if (m.acceptWrappedTypes !== undefined) lines.push(`a=accept-wrapped-types:${m.acceptWrappedTypes.join(' ')}`);
    if (m.maxSize !== undefined) lines.push(`a=max-size:${m.maxSize}`);
    if (m.path.length > 0) lines.push(`a=path:${m.path.join(' ')}`);
    if (m.setup !== undefined) lines.push(`a=setup:${m.setup}`);
    if (m.cema === true) lines.push('a=msrp-cema');
    if (m.fileSelector !== undefined) lines.push(formatFileSelector(m.fileSelector));
    if (m.fileTransferId !== undefined) lines.push(`a=file-transfer-id:${m.fileTransferId}`);
    for (const a of m.attributes ?? []) lines.push(attributeLine(a));
  }
  return lines.join(CRLF) + CRLF;
}

// ---------------------------------------------------------------------------------------------
// Parsing

const SESSION_ORDER = 'vosiuepcbtrzka';
const MEDIA_ORDER = 'micbka';
/** Line types that may appear more than once in their section (RFC 4566 §5 `*`). */
const REPEATABLE = new Set(['e', 'p', 'b', 't', 'r', 'a']);
const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
const SETUPS = new Set<string>(['active', 'passive', 'actpass', 'holdconn']);
const DIGITS = /^[0-9]+$/;
const TOKEN = /^[!#$%&'*+\-.^_`{|}~A-Za-z0-9]+$/;

interface Line {
  n: number;
  type: string;
  value: string;
  text: string;
}

class Issues {
  readonly errors: SdpIssue[] = [];
  readonly violations: SdpIssue[] = [];
  readonly ignored: SdpIgnoredLine[] = [];
  error(rule: string, line: number, message: string): void {
    this.errors.push({ rule, message, line });
  }
  violation(rule: string, line: number, message: string): void {
    this.violations.push({ rule, message, line });
  }
}

/** Splits at single spaces; a value with irregular spacing still splits, with a violation. */
function fields(line: Line, issues: Issues): string[] {
  const parts = line.value.trim().split(/[ \t]+/).filter((p) => p !== '');
  if (parts.join(' ') !== line.value) {
    issues.violation(RFC4566_LINES, line.n, `fields of the ${line.type}= line are not separated by single spaces`);
  }
  return parts;
}

function addressType(value: string, line: Line, issues: Issues): AddressType | undefined {
  if (value === 'IP4' || value === 'IP6') return value;
  issues.error('RFC 4566 §5.7', line.n, `address type "${value}" is neither IP4 nor IP6`);
  return undefined;
}

function parseConnection(line: Line, issues: Issues): SdpConnection | undefined {
  const f = fields(line, issues);
  if (f.length !== 3) {
    issues.error('RFC 4566 §5.7', line.n, 'c= needs <nettype> <addrtype> <connection-address>');
    return undefined;
  }
  if (f[0] !== 'IN') {
    issues.error('RFC 4566 §5.7', line.n, `network type "${f[0]}" is not IN`);
    return undefined;
  }
  const type = addressType(f[1] as string, line, issues);
  return type === undefined ? undefined : { addressType: type, address: f[2] as string };
}

function parseOrigin(line: Line, issues: Issues): SdpOrigin | undefined {
  const f = fields(line, issues);
  if (f.length !== 6) {
    issues.error('RFC 4566 §5.2', line.n, 'o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>');
    return undefined;
  }
  const [username, sessionId, version, net, addr, address] = f as [string, string, string, string, string, string];
  if (net !== 'IN') {
    issues.error('RFC 4566 §5.2', line.n, `network type "${net}" is not IN`);
    return undefined;
  }
  if (!DIGITS.test(sessionId) || !DIGITS.test(version)) {
    issues.violation('RFC 4566 §5.2', line.n, 'sess-id and sess-version should be numeric');
  }
  const type = addressType(addr, line, issues);
  return type === undefined ? undefined : { username, sessionId, version, addressType: type, address };
}

function parseTime(line: Line, issues: Issues): { start: number; stop: number } | undefined {
  const f = fields(line, issues);
  if (f.length !== 2 || !f.every((x) => DIGITS.test(x) && Number.isSafeInteger(Number(x)))) {
    issues.error('RFC 4566 §5.9', line.n, 't= needs <start-time> <stop-time> as integers');
    return undefined;
  }
  return { start: Number(f[0]), stop: Number(f[1]) };
}

interface MediaBuild {
  line: Line;
  media: string;
  port: number;
  proto: string;
  formats: string[];
  connection?: SdpConnection;
  seenConnection: boolean;
  path?: string[];
  acceptTypes?: string[];
  acceptWrappedTypes?: string[];
  maxSize?: number;
  setup?: SetupValue;
  direction?: Direction;
  cema?: boolean;
  fileSelector?: FileSelector;
  fileTransferId?: string;
  attributes: SdpAttribute[];
}

function parseMediaLine(line: Line, issues: Issues): MediaBuild | undefined {
  const f = fields(line, issues);
  if (f.length < 4) {
    issues.error('RFC 4566 §5.14', line.n, 'm= needs <media> <port> <proto> <fmt> ...');
    return undefined;
  }
  const [media, portField, proto, ...formats] = f as [string, string, string, ...string[]];
  let portText = portField;
  const slash = portText.indexOf('/');
  if (slash >= 0) {
    issues.violation('RFC 4566 §5.14', line.n, 'a port count (<port>/<number of ports>) has no meaning for MSRP; ignored');
    portText = portText.slice(0, slash);
  }
  const port = Number(portText);
  if (!DIGITS.test(portText) || port > 65535) {
    issues.error('RFC 4566 §5.14', line.n, `port "${portField}" is not a number from 0 to 65535`);
    return undefined;
  }
  return { line, media, port, proto, formats, seenConnection: false, attributes: [] };
}

/** Splits file-selector selectors at spaces outside double quotes (filenames may hold spaces). */
function splitSelectors(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of value) {
    if (c === '"') quoted = !quoted;
    if (c === ' ' && !quoted) {
      if (current !== '') out.push(current);
      current = '';
    } else current += c;
  }
  if (current !== '') out.push(current);
  return out;
}

function parseFileSelector(value: string | undefined): FileSelector | string {
  const fs: FileSelector = {};
  if (value === undefined) return fs; // capability query form, RFC 5547 §8.5
  for (const selector of splitSelectors(value)) {
    const colon = selector.indexOf(':');
    if (colon < 0) return `selector "${selector}" has no ":"`;
    const kind = selector.slice(0, colon);
    const rest = selector.slice(colon + 1);
    if (kind === 'name' && fs.name === undefined && /^"[^"]+"$/.test(rest)) fs.name = rest.slice(1, -1);
    else if (kind === 'type' && fs.type === undefined && rest !== '') fs.type = rest;
    else if (kind === 'size' && fs.size === undefined && DIGITS.test(rest) && Number.isSafeInteger(Number(rest))) fs.size = Number(rest);
    else if (kind === 'hash' && /^[^:]+:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*$/.test(rest)) {
      const c2 = rest.indexOf(':');
      (fs.hash ??= []).push({ algorithm: rest.slice(0, c2), value: rest.slice(c2 + 1) });
    } else return `selector "${selector}" is malformed or repeated`;
  }
  return fs;
}

/** An attribute value after the colon; leading spaces are tolerated with a violation (A-08 vi). */
function attributeValue(name: string, value: string | undefined, line: Line, issues: Issues): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.replace(/^[ \t]+/, '');
  if (trimmed !== value) {
    // A-08 vi: RFC 4976 §11 prints "a=accept-types: message/cpim ..."; the ABNF has no space there.
    issues.violation('A-08', line.n, `space after "a=${name}:" (not in the ABNF; tolerated)`);
  }
  return trimmed;
}

function listValue(name: string, value: string | undefined, rule: string, line: Line, issues: Issues): string[] {
  const v = attributeValue(name, value, line, issues);
  if (v === undefined || v === '') {
    issues.violation(rule, line.n, `a=${name} has no entries`);
    return [];
  }
  const entries = name === 'path' ? v.split(/[ \t]+/).filter((e) => e !== '') : splitFormatList(v);
  if (entries.join(' ') !== v) issues.violation(rule, line.n, `entries of a=${name} are not separated by single spaces`);
  return entries;
}

function mediaAttribute(m: MediaBuild, line: Line, issues: Issues): void {
  const colon = line.value.indexOf(':');
  const name = colon < 0 ? line.value : line.value.slice(0, colon);
  const raw = colon < 0 ? undefined : line.value.slice(colon + 1);
  const keep = (): void => {
    m.attributes.push(raw === undefined ? { name } : { name, value: raw });
  };
  const once = (present: boolean): boolean => {
    if (present) issues.violation(RFC4566_LINES, line.n, `a=${name} appears more than once; the first one counts`);
    return !present;
  };
  switch (name) {
    case 'accept-types':
      if (once(m.acceptTypes !== undefined)) {
        m.acceptTypes = listValue(name, raw, 'E-05', line, issues);
        for (const e of m.acceptTypes) if (!isFormatEntry(e)) issues.violation('E-05', line.n, `"${e}" is not a format-entry`);
      }
      return;
    case 'accept-wrapped-types':
      if (once(m.acceptWrappedTypes !== undefined)) {
        m.acceptWrappedTypes = listValue(name, raw, 'E-06', line, issues);
        for (const e of m.acceptWrappedTypes) if (!isFormatEntry(e)) issues.violation('E-06', line.n, `"${e}" is not a format-entry`);
      }
      return;
    case 'path':
      if (once(m.path !== undefined)) {
        m.path = listValue(name, raw, 'E-03', line, issues);
        for (const uri of m.path) {
          const parsed = parsePathUri(uri);
          if (!parsed.ok) issues.violation('E-03', line.n, parsed.message);
        }
      }
      return;
    case 'max-size': {
      const v = attributeValue(name, raw, line, issues);
      if (v !== undefined && DIGITS.test(v) && Number.isSafeInteger(Number(v))) {
        if (once(m.maxSize !== undefined)) m.maxSize = Number(v);
      } else {
        issues.violation('E-08', line.n, 'a=max-size is not a number of octets');
        keep();
      }
      return;
    }
    case 'setup': {
      const v = attributeValue(name, raw, line, issues);
      if (v !== undefined && SETUPS.has(v)) {
        if (once(m.setup !== undefined)) m.setup = v as SetupValue;
      } else {
        issues.violation('E-18', line.n, `a=setup value "${v ?? ''}" is not active, passive, actpass or holdconn`);
        keep();
      }
      return;
    }
    case 'msrp-cema':
      if (raw !== undefined) issues.violation('X-06', line.n, 'a=msrp-cema takes no value; ignored');
      m.cema = true;
      return;
    case 'file-selector': {
      const fs = parseFileSelector(attributeValue(name, raw, line, issues));
      if (typeof fs === 'string') {
        issues.violation('X-07', line.n, `a=file-selector: ${fs}`);
        keep();
      } else if (once(m.fileSelector !== undefined)) m.fileSelector = fs;
      return;
    }
    case 'file-transfer-id': {
      const v = attributeValue(name, raw, line, issues);
      if (v !== undefined && TOKEN.test(v)) {
        if (once(m.fileTransferId !== undefined)) m.fileTransferId = v;
      } else {
        issues.violation('X-07', line.n, 'a=file-transfer-id is not a token');
        keep();
      }
      return;
    }
    default:
      if (DIRECTIONS.has(name) && raw === undefined) {
        if (once(m.direction !== undefined)) m.direction = name as Direction;
        return;
      }
      keep();
  }
}

/** Splits into lines; LF-only and a missing final line end are tolerated with one violation each. */
function splitLines(text: string, issues: Issues): string[] {
  const lines = text.split('\n');
  let bareLf = 0;
  for (let i = 0; i < lines.length - 1; i++) {
    const l = lines[i] as string;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
    else if (bareLf === 0) bareLf = i + 1;
  }
  if (bareLf > 0) issues.violation(RFC4566_LINES, bareLf, 'line ends with LF, not CRLF (tolerated)');
  const last = lines.pop() as string;
  if (last !== '') {
    issues.violation(RFC4566_LINES, lines.length + 1, 'the last line has no CRLF');
    lines.push(last.endsWith('\r') ? last.slice(0, -1) : last);
  }
  return lines;
}

/** Reads SDP text into the model; see the module comment for what is tolerated. Never throws. */
export function parseSdp(text: string): SdpParseResult {
  const issues = new Issues();
  const raw = splitLines(text, issues);

  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  let connection: SdpConnection | undefined;
  let time: { start: number; stop: number } | undefined;
  let sawVersion = false;
  const sessionAttributes: SdpAttribute[] = [];
  const media: MediaBuild[] = [];
  let lastOrder = -1;
  const seen = new Set<string>();

  for (let i = 0; i < raw.length; i++) {
    const text = raw[i] as string;
    const n = i + 1;
    if (text === '') {
      issues.violation(RFC4566_LINES, n, 'empty line');
      continue;
    }
    const match = /^([a-z])=(.*)$/s.exec(text);
    if (match === null) {
      issues.violation(RFC4566_LINES, n, `"${text}" is not a <type>=<value> line; ignored`);
      continue;
    }
    const line: Line = { n, type: match[1] as string, value: match[2] as string, text };
    const current = media[media.length - 1];

    if (line.type === 'm') {
      const m = parseMediaLine(line, issues);
      if (m === undefined) return { ok: false, errors: issues.errors };
      media.push(m);
      lastOrder = 0;
      seen.clear();
      continue;
    }

    const order = (current === undefined ? SESSION_ORDER : MEDIA_ORDER).indexOf(line.type);
    if (order < 0) {
      const where = current === undefined ? 'at session level' : 'in a media section';
      issues.violation(RFC4566_LINES, n, `${line.type}= is not allowed ${where}; ignored`);
      issues.ignored.push({ line: n, text });
      continue;
    }
    if (order < lastOrder) issues.violation(RFC4566_LINES, n, `${line.type}= is out of the RFC 4566 order`);
    lastOrder = Math.max(lastOrder, order);
    if (seen.has(line.type) && !REPEATABLE.has(line.type) && line.type !== 'c') {
      issues.violation(RFC4566_LINES, n, `${line.type}= appears more than once; ignored`);
      issues.ignored.push({ line: n, text });
      continue;
    }
    seen.add(line.type);

    if (current !== undefined) {
      if (line.type === 'a') mediaAttribute(current, line, issues);
      else if (line.type === 'c' && !current.seenConnection) {
        current.seenConnection = true;
        const c = parseConnection(line, issues);
        if (c === undefined) return { ok: false, errors: issues.errors };
        current.connection = c;
      } else issues.ignored.push({ line: n, text });
      continue;
    }

    switch (line.type) {
      case 'v':
        sawVersion = true;
        if (line.value !== '0') {
          issues.error('RFC 4566 §5.1', n, `SDP version "${line.value}" is not 0`);
          return { ok: false, errors: issues.errors };
        }
        break;
      case 'o':
        origin = parseOrigin(line, issues);
        if (origin === undefined) return { ok: false, errors: issues.errors };
        break;
      case 's':
        // RFC 4566 §5.3: text is 1*byte; "s= " is the way to say "no name".
        if (line.value === '') issues.violation('RFC 4566 §5.3', n, 's= is empty (use "s= " or "s=-")');
        sessionName = line.value;
        break;
      case 'c':
        if (connection !== undefined) {
          issues.ignored.push({ line: n, text });
          break;
        }
        connection = parseConnection(line, issues);
        if (connection === undefined) return { ok: false, errors: issues.errors };
        break;
      case 't':
        if (time !== undefined) {
          issues.ignored.push({ line: n, text });
          break;
        }
        time = parseTime(line, issues);
        if (time === undefined) return { ok: false, errors: issues.errors };
        break;
      case 'a': {
        const colon = line.value.indexOf(':');
        sessionAttributes.push(colon < 0 ? { name: line.value } : { name: line.value.slice(0, colon), value: line.value.slice(colon + 1) });
        break;
      }
      default:
        issues.ignored.push({ line: n, text });
    }
  }

  if (!sawVersion && media.length === 0) {
    issues.error(RFC4566_LINES, 1, 'neither a v= line nor an m= line: not a session description');
    return { ok: false, errors: issues.errors };
  }
  // Fragments (RFC 4975 §4, RFC 4976 §11 print only c=, m= and a=) are read with placeholders,
  // each missing line counted; a real peer's SDP always has them (RFC 4566 §5).
  const firstMedia = media[0]?.line.n ?? 1;
  if (!sawVersion) issues.violation('RFC 4566 §5.1', 1, 'v= line missing (read as v=0)');
  if (origin === undefined) issues.violation('RFC 4566 §5.2', firstMedia, 'o= line missing (read as "- 0 0" with the c= address)');
  if (sessionName === undefined) issues.violation('RFC 4566 §5.3', firstMedia, 's= line missing (read as "-")');
  if (time === undefined) issues.violation('RFC 4566 §5.9', firstMedia, 't= line missing (read as "0 0")');

  const out: MsrpMediaDescription[] = [];
  for (const m of media) {
    const c = m.connection ?? connection;
    if (c === undefined) {
      issues.error('RFC 4566 §5.7', m.line.n, 'no c= line for this media, neither in it nor at session level');
      return { ok: false, errors: issues.errors };
    }
    const d: MsrpMediaDescription = {
      media: m.media,
      port: m.port,
      proto: m.proto,
      formats: m.formats,
      connectionAddress: c.address,
      addressType: c.addressType,
      path: m.path ?? [],
      acceptTypes: m.acceptTypes ?? [],
    };
    if (m.acceptWrappedTypes !== undefined) d.acceptWrappedTypes = m.acceptWrappedTypes;
    if (m.maxSize !== undefined) d.maxSize = m.maxSize;
    if (m.setup !== undefined) d.setup = m.setup;
    if (m.direction !== undefined) d.direction = m.direction;
    if (m.cema !== undefined) d.cema = m.cema;
    if (m.fileSelector !== undefined) d.fileSelector = m.fileSelector;
    if (m.fileTransferId !== undefined) d.fileTransferId = m.fileTransferId;
    if (m.attributes.length > 0) d.attributes = m.attributes;
    out.push(d);
  }

  const desc: SessionDescription = {
    origin: origin ?? {
      username: '-',
      sessionId: '0',
      version: '0',
      addressType: connection?.addressType ?? 'IP4',
      address: connection?.address ?? '-',
    },
    sessionName: sessionName ?? '-',
    time: time ?? { start: 0, stop: 0 },
    media: out,
  };
  if (connection !== undefined) desc.connection = connection;
  if (sessionAttributes.length > 0) desc.attributes = sessionAttributes;
  return { ok: true, desc, violations: issues.violations, ignored: issues.ignored };
}
