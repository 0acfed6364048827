/**
 * MSRP URIs (RFC 4975 §6, §6.1, §9; RFC 4976 §4.2, §8; RFC 7977 §5.2.1): parsing, formatting,
 * comparison and a canonical key for maps.
 *
 * ```
 * MSRP-URI = msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter)
 * msrp-scheme = "msrp" / "msrps"
 * session-id = 1*( unreserved / "+" / "=" / "/" )
 * transport = "tcp" / "ws" / 1*ALPHANUM
 * URI-parameter = token ["=" token]
 * authority = [ userinfo "@" ] host [ ":" port ]          ; RFC 3986
 * ```
 *
 * URIs sit in every To-Path and From-Path, so parsing works on character codes with lookup
 * tables rather than regular expressions.
 */

export interface MsrpUri {
  /** Always lower case after parsing (the ABNF literal is case-insensitive, U-11 (1)). */
  scheme: 'msrp' | 'msrps';
  /** userinfo as written, without the `@`; ignored in comparison (U-08, U-11 (2)). */
  user: string | null;
  /** Host as written: a reg-name, a dotted IPv4 address, or an IPv6 literal with its brackets. */
  host: string;
  port: number | null;
  /** Case-sensitive (U-11 (4)); `null` when the URI names a host device, not a session (U-06). */
  sessionId: string | null;
  /** As written (`tcp`, `ws`, ...); compared case-insensitively (U-11 (5)). */
  transport: string;
  /** Further `;name[=value]` parameters in order, as written. */
  params: [string, string | null][];
}

export type UriParseResult =
  | { ok: true; uri: MsrpUri }
  | { ok: false; rule: string; message: string };

export interface UriParseOptions {
  /**
   * U-04, RFC 4976 §8: "MSRP URIs exchanged in SDP and in To-Path and From-Path headers in
   * non-AUTH requests MUST have an explicit port number."
   */
  requirePort?: boolean;
  /**
   * U-10, RFC 4976 §4.2: Use-Path URIs "MUST include a fully qualified domain name (as opposed to
   * a numeric IP address) and an explicit port number."
   */
  requireDomainName?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Character classes (RFC 3986 §2, RFC 4975 §9)

function table(chars: string, ranges: [number, number][] = []): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  for (const [lo, hi] of ranges) for (let c = lo; c <= hi; c++) t[c] = 1;
  return t;
}

const ALNUM_RANGES: [number, number][] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
];
const ALPHANUM = table('', ALNUM_RANGES);
const UNRESERVED = table('-._~', ALNUM_RANGES);
const HEX = table('', [
  [0x30, 0x39],
  [0x41, 0x46],
  [0x61, 0x66],
]);
// RFC 3986 userinfo = *( unreserved / pct-encoded / sub-delims / ":" ); ":" is checked apart (U-08).
const USERINFO = table("-._~!$&'()*+,;=:", ALNUM_RANGES);
// reg-name = *( unreserved / pct-encoded / sub-delims ), less ";", which ends the authority here:
// with the session-id optional, `msrp://host;tcp` has nothing else to end it.
const REG_NAME = table("-._~!$&'()*+,=", ALNUM_RANGES);
const SESSION_ID = table('-._~+=/', ALNUM_RANGES);
// token = 1*(%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E)
const TOKEN = table('', [
  [0x21, 0x21],
  [0x23, 0x27],
  [0x2a, 0x2b],
  [0x2d, 0x2e],
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5e, 0x7e],
]);

const COLON = 0x3a;
const SLASH = 0x2f;
const SEMI = 0x3b;
const PERCENT = 0x25;
const EQUALS = 0x3d;

function fail(rule: string, message: string): UriParseResult {
  return { ok: false, rule, message };
}

function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/** Checks `%XX` escapes and the character class of text[from, to). Returns the bad index or -1. */
function badCharIn(text: string, from: number, to: number, cls: Uint8Array, pct: boolean): number {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === PERCENT && pct) {
      if (i + 2 >= to) return i;
      if (HEX[text.charCodeAt(i + 1)] !== 1 || HEX[text.charCodeAt(i + 2)] !== 1) return i;
      i += 2;
      continue;
    }
    if (c >= 128 || cls[c] !== 1) return i;
  }
  return -1;
}

function describeChar(text: string, i: number): string {
  const c = text.charCodeAt(i);
  return c > 0x20 && c < 0x7f ? `'${text[i]}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Parses one MSRP URI. Never throws: a malformed URI is a value naming the rule it breaks.
 * Scheme is lower-cased; everything else keeps the case it was written in.
 */
export function parseUri(text: string, options?: UriParseOptions): UriParseResult {
  const n = text.length;
  // U-01, RFC 4975 §6: "they are encoded entirely in US-ASCII."
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e) return fail('U-01', `non-ASCII character ${describeChar(text, i)} at index ${i}: MSRP URIs are US-ASCII only`);
    if (c <= 0x20) return fail('U-01', `whitespace or control character ${describeChar(text, i)} at index ${i}`);
  }

  // msrp-scheme = "msrp" / "msrps" (ABNF literals are case-insensitive)
  const sep = text.indexOf('://');
  if (sep < 0) return fail('U-01', 'missing "://" after the scheme');
  const schemeText = text.slice(0, sep).toLowerCase();
  if (schemeText !== 'msrp' && schemeText !== 'msrps') {
    return fail('U-01', `scheme must be "msrp" or "msrps", not "${text.slice(0, sep)}"`);
  }
  const scheme: 'msrp' | 'msrps' = schemeText;
  let i = sep + 3;

  // userinfo: '@' occurs nowhere else in an MSRP URI, so the first one ends the userinfo, as
  // long as everything before it is userinfo material.
  let user: string | null = null;
  const at = text.indexOf('@', i);
  if (at >= 0 && badCharIn(text, i, at, USERINFO, true) < 0) {
    user = text.slice(i, at);
    // U-08, RFC 4975 §6: "A userinfo part MUST NOT contain password information."
    if (user.indexOf(':') >= 0) return fail('U-08', 'userinfo must not carry a password ("user:password@")');
    i = at + 1;
  }

  // host = IP-literal / IPv4address / reg-name
  let host: string;
  let hostKind: 'ipv4' | 'ipv6' | 'name';
  if (text.charCodeAt(i) === 0x5b /* [ */) {
    const close = text.indexOf(']', i);
    if (close < 0) return fail('U-01', 'IPv6 literal without closing "]"');
    if (parseIpv6(text.slice(i + 1, close)) === null) {
      return fail('U-01', `"${text.slice(i, close + 1)}" is not an IPv6 address`);
    }
    host = text.slice(i, close + 1);
    hostKind = 'ipv6';
    i = close + 1;
    const c = text.charCodeAt(i);
    if (i < n && c !== COLON && c !== SLASH && c !== SEMI) {
      return fail('U-01', `unexpected ${describeChar(text, i)} after the IPv6 literal`);
    }
  } else {
    let end = i;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === COLON || c === SLASH || c === SEMI) break;
      end++;
    }
    if (end === i) return fail('U-01', 'empty host');
    const bad = badCharIn(text, i, end, REG_NAME, true);
    if (bad >= 0) return fail('U-01', `invalid character ${describeChar(text, bad)} in host at index ${bad}`);
    host = text.slice(i, end);
    hostKind = isIpv4(decodeUnreserved(host)) ? 'ipv4' : 'name';
    i = end;
  }

  // port = *DIGIT (RFC 3986), here 1..65535: a URI names something to connect to.
  let port: number | null = null;
  if (text.charCodeAt(i) === COLON) {
    i++;
    const start = i;
    let value = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
      if (value > 65535) return fail('U-01', `port ${text.slice(start, i + 1)}... is out of range 1-65535`);
      i++;
    }
    if (i === start) return fail('U-01', 'empty or non-numeric port');
    const c = text.charCodeAt(i);
    if (i < n && c !== SLASH && c !== SEMI) return fail('U-01', `invalid character ${describeChar(text, i)} in port`);
    if (value === 0) return fail('U-01', 'port 0 is out of range 1-65535');
    port = value;
  }

  // ["/" session-id], session-id = 1*( unreserved / "+" / "=" / "/" ) -- no percent-encoding
  let sessionId: string | null = null;
  if (text.charCodeAt(i) === SLASH) {
    i++;
    let end = i;
    while (end < n && text.charCodeAt(end) !== SEMI) end++;
    if (end === i) return fail('U-01', 'empty session-id after "/"');
    const bad = badCharIn(text, i, end, SESSION_ID, false);
    if (bad >= 0) return fail('U-01', `invalid character ${describeChar(text, bad)} in session-id at index ${bad}`);
    sessionId = text.slice(i, end);
    i = end;
  }

  // U-02, RFC 4975 §6: "URIs designating MSRP over TCP MUST include the "tcp" transport
  // parameter"; the ABNF makes ";" transport mandatory for every MSRP URI.
  if (i >= n) return fail('U-02', 'missing transport parameter (";tcp")');
  if (text.charCodeAt(i) !== SEMI) return fail('U-01', `unexpected ${describeChar(text, i)} at index ${i}`);
  i++;
  let end = i;
  while (end < n && text.charCodeAt(end) !== SEMI) end++;
  if (end === i) return fail('U-02', 'empty transport parameter');
  // transport = "tcp" / "ws" / 1*ALPHANUM (RFC 7977 §5.2.1)
  const badT = badCharIn(text, i, end, ALPHANUM, false);
  if (badT >= 0) return fail('U-02', `invalid character ${describeChar(text, badT)} in transport "${text.slice(i, end)}"`);
  const transport = text.slice(i, end);
  i = end;

  // *( ";" URI-parameter ), URI-parameter = token ["=" token]
  const params: [string, string | null][] = [];
  while (i < n) {
    i++; // the ';'
    let e = i;
    while (e < n && text.charCodeAt(e) !== SEMI) e++;
    let eq = -1;
    for (let k = i; k < e; k++) {
      if (text.charCodeAt(k) === EQUALS) {
        eq = k;
        break;
      }
    }
    const nameEnd = eq >= 0 ? eq : e;
    if (nameEnd === i) return fail('U-01', `empty URI parameter at index ${i}`);
    const badN = badCharIn(text, i, nameEnd, TOKEN, false);
    if (badN >= 0) return fail('U-01', `invalid character ${describeChar(text, badN)} in URI parameter name`);
    let value: string | null = null;
    if (eq >= 0) {
      if (eq + 1 === e) return fail('U-01', `empty value for URI parameter "${text.slice(i, eq)}"`);
      const badV = badCharIn(text, eq + 1, e, TOKEN, false);
      if (badV >= 0) return fail('U-01', `invalid character ${describeChar(text, badV)} in URI parameter value`);
      value = text.slice(eq + 1, e);
    }
    params.push([text.slice(i, nameEnd), value]);
    i = e;
  }

  // U-03, RFC 4975 §6: "If the authority field contains a numeric IP address, it MUST also
  // contain a port."
  if (hostKind !== 'name' && port === null) {
    return fail('U-03', `numeric IP address ${host} without a port`);
  }
  if (options?.requireDomainName) {
    // U-10, RFC 4976 §4.2: Use-Path URIs "MUST include a fully qualified domain name (as opposed
    // to a numeric IP address) and an explicit port number."
    if (hostKind !== 'name') return fail('U-10', `Use-Path URI must name a host by domain name, not ${host}`);
    if (!isDomainName(host)) return fail('U-10', `"${host}" is not a domain name`);
    if (port === null) return fail('U-10', 'Use-Path URI without an explicit port');
  }
  // U-04, RFC 4976 §8: To-Path/From-Path URIs in non-AUTH requests and SDP URIs "MUST have an
  // explicit port number."
  if (options?.requirePort && port === null) return fail('U-04', 'URI without an explicit port');

  return { ok: true, uri: { scheme, user, host, port, sessionId, transport, params } };
}

/** A space-separated list of URIs, as in To-Path, From-Path, Use-Path and `a=path` (W-12). */
export type PathParseResult =
  | { ok: true; uris: MsrpUri[] }
  | { ok: false; rule: string; message: string; index: number };

/**
 * Parses a path value. Exactly one SP separates URIs (W-12); anything else is an error naming
 * the index of the offending URI.
 */
export function parsePath(text: string, options?: UriParseOptions): PathParseResult {
  const parts = text.split(' ');
  const uris: MsrpUri[] = [];
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k] as string;
    if (part === '') {
      return { ok: false, rule: 'W-12', message: 'URIs in a path are separated by exactly one SP', index: k };
    }
    const r = parseUri(part, options);
    if (!r.ok) return { ok: false, rule: r.rule, message: r.message, index: k };
    uris.push(r.uri);
  }
  return { ok: true, uris };
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** The URI in its written form: scheme lower case, the other parts as stored. */
export function formatUri(uri: MsrpUri): string {
  let s = uri.scheme + '://';
  if (uri.user !== null) s += uri.user + '@';
  // A bare IPv6 address (stored without brackets by code that built the URI itself) gets them.
  s += uri.host.indexOf(':') >= 0 && uri.host.charCodeAt(0) !== 0x5b ? `[${uri.host}]` : uri.host;
  if (uri.port !== null) s += ':' + uri.port;
  if (uri.sessionId !== null) s += '/' + uri.sessionId;
  s += ';' + uri.transport;
  for (const [name, value] of uri.params) s += value === null ? `;${name}` : `;${name}=${value}`;
  return s;
}

/** A path as a header or `a=path` value: URIs joined by one SP (W-12). */
export function pathToString(uris: readonly (MsrpUri | string)[]): string {
  let s = '';
  for (let k = 0; k < uris.length; k++) {
    const u = uris[k] as MsrpUri | string;
    if (k > 0) s += ' ';
    s += typeof u === 'string' ? u : formatUri(u);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Comparison

/**
 * U-11, RFC 4975 §6.1: "MSRP URI comparisons MUST be performed according to the following rules"
 * (1) scheme, (2) authority, (3) port, (4) session-id, (5) transport; see each clause below.
 *
 * Derived: URI parameters other than the transport are not mentioned by §6.1 and are ignored.
 */
export function uriEquals(a: MsrpUri, b: MsrpUri): boolean {
  // (1) "The scheme MUST match. Scheme comparison is case insensitive." msrp != msrps.
  if (a.scheme.toLowerCase() !== b.scheme.toLowerCase()) return false;
  // (2) "If the authority component contains an explicit IP address and/or port, these are
  // compared for address and port equivalence. Percent-encoding normalization applies ...
  // Userinfo parts are not considered for URI comparison. Otherwise, the authority component is
  // compared as a case-insensitive character string."
  if (hostKey(a.host) !== hostKey(b.host)) return false;
  // (3) "If the port exists explicitly in either URI, then it MUST match exactly. A URI with an
  // explicit port is never equivalent to another with no port specified."
  if (a.port !== b.port) return false;
  // (4) "The session-id part is compared as case sensitive. A URI without a session-id part is
  // never equivalent to one that includes one."
  if (a.sessionId !== b.sessionId) return false;
  // (5) "URIs with different "transport" parameters never match. ... The transport parameter is
  // case insensitive."
  return a.transport.toLowerCase() === b.transport.toLowerCase();
}

/**
 * A canonical string for `uri` such that `uriEquals(a, b)` exactly when `uriKey(a) ===
 * uriKey(b)`; for Map keys (session lookup by To-Path URI, E-16). Holds scheme, host key, port,
 * session-id and transport, nothing else.
 */
export function uriKey(uri: MsrpUri): string {
  // Fields cannot bleed into each other: the host key has no ':' outside brackets, the port is
  // digits or empty, a session-id is never empty and has no ';'.
  return `${uri.scheme.toLowerCase()}://${hostKey(uri.host)}:${uri.port === null ? '' : uri.port}/${
    uri.sessionId === null ? '' : uri.sessionId
  };${uri.transport.toLowerCase()}`;
}

/**
 * The comparable form of a host (U-11 (2)): IPv6 literals as their full 128-bit value (so `[::1]`
 * equals `[0:0:0:0:0:0:0:1]`), names and IPv4 addresses with percent-encoded unreserved
 * characters decoded and case folded. IPv4 needs nothing more: RFC 3986 `dec-octet` has no
 * leading zeros, so each address has one spelling. An IPv4-mapped IPv6 literal is a different
 * address family from the IPv4 address and does not equal it (derived).
 */
function hostKey(host: string): string {
  const c0 = host.charCodeAt(0);
  if (c0 === 0x5b || host.indexOf(':') >= 0) {
    const inner = c0 === 0x5b ? host.slice(1, host.length - 1) : host;
    const groups = parseIpv6(inner);
    if (groups !== null) {
      let s = '[';
      for (let k = 0; k < 8; k++) s += (k > 0 ? ':' : '') + (groups[k] as number).toString(16);
      return s + ']';
    }
    return host.toLowerCase();
  }
  return (host.indexOf('%') >= 0 ? decodeUnreserved(host) : host).toLowerCase();
}

/**
 * RFC 3986 §6.2.2.2: percent-encoded unreserved characters decode to themselves; other escapes
 * stay (their hex case is folded by the case-insensitive comparison).
 */
function decodeUnreserved(s: string): string {
  if (s.indexOf('%') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === PERCENT && i + 2 < s.length && HEX[s.charCodeAt(i + 1)] === 1 && HEX[s.charCodeAt(i + 2)] === 1) {
      const v = hexValue(s.charCodeAt(i + 1)) * 16 + hexValue(s.charCodeAt(i + 2));
      if (v < 128 && UNRESERVED[v] === 1) {
        out += String.fromCharCode(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

/** RFC 3986 IPv4address: four dec-octets 0-255 without leading zeros. */
function isIpv4(s: string): boolean {
  let octets = 0;
  let i = 0;
  const n = s.length;
  while (i <= n) {
    const start = i;
    let v = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && s.charCodeAt(start) === 0x30)) return false;
    octets++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 0x2e || octets === 4) return false;
    i++;
  }
  return octets === 4;
}

/** RFC 3986 IPv6address (no zone id, no IPvFuture) as eight 16-bit groups, or null. */
function parseIpv6(s: string): number[] | null {
  if (s.length < 2 || s.length > 45) return null;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const parseGroups = (part: string, allowV4: boolean): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let k = 0; k < pieces.length; k++) {
      const p = pieces[k] as string;
      if (allowV4 && k === pieces.length - 1 && p.indexOf('.') >= 0) {
        if (!isIpv4(p)) return null;
        const o = p.split('.').map(Number) as [number, number, number, number];
        out.push(o[0] * 256 + o[1], o[2] * 256 + o[3]);
        continue;
      }
      if (p.length === 0 || p.length > 4) return null;
      let v = 0;
      for (let j = 0; j < p.length; j++) {
        const c = p.charCodeAt(j);
        if (c >= 128 || HEX[c] !== 1) return null;
        v = v * 16 + hexValue(c);
      }
      out.push(v);
    }
    return out;
  };
  const h = parseGroups(head, dbl < 0);
  const t = parseGroups(tail, true);
  if (h === null || t === null) return null;
  if (dbl < 0) return h.length === 8 ? h : null;
  if (h.length + t.length > 7) return null;
  const zeros = new Array<number>(8 - h.length - t.length).fill(0);
  return [...h, ...zeros, ...t];
}

/**
 * A fully qualified domain name for U-10: at least two dot-separated labels of letters, digits and
 * inner hyphens (a single label such as `localhost` is not fully qualified).
 */
function isDomainName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.charCodeAt(0) === 0x2d || label.charCodeAt(label.length - 1) === 0x2d) return false;
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      if (c !== 0x2d && (c >= 128 || ALPHANUM[c] !== 1)) return false;
    }
  }
  return true;
}
