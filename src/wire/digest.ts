/**
 * HTTP Digest for MSRP AUTH (RFC 4976 §5.1, §7, §9.1): the RFC 2617 profile with qop=auth and
 * algorithm MD5 only, H(A2) over the rightmost To-Path URI. Header values are parsed tolerantly:
 * what breaks the profile but can still be understood comes back as violations, what cannot be
 * understood is an error value. Nothing here throws.
 *
 * Rule ids are CHECKLIST d.3 (R-16a..h) and; `R-16` alone names a deviation from
 * the Digest ABNF of RFC 4976 §7 that has no item of its own (lower-case hex, quoting).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface DigestViolation {
  rule: string;
  message: string;
}

export type DigestParseResult<T> =
  | { ok: true; value: T; violations: DigestViolation[] }
  | { ok: false; rule: string; message: string };

/** A `WWW-Authenticate: Digest ...` challenge (RFC 4976 §7 `digest-param`). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** The qop-options list, e.g. `['auth']`. Empty when the challenge had none (R-16e). */
  qop: string[];
  opaque?: string;
  stale?: boolean;
  algorithm?: string;
  /** Relays SHOULD NOT send it and clients MUST ignore it (R-16d); kept only to report it. */
  domain?: string;
}

/** An `Authorization: Digest ...` value (RFC 4976 §7 `digest-response`). */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  /** 32 lower-case hex digits (`request-digest`). */
  response: string;
  /** Optional in MSRP (the RFC 4976 examples omit it, A-08 (iv)); quoted when present (R-16g). */
  uri?: string;
  cnonce?: string;
  /** nonce-count as sent: 8 lower-case hex digits. */
  nc?: string;
  qop?: string;
  opaque?: string;
  algorithm?: string;
}

/** An `Authentication-Info:` value (RFC 4976 §7 `ainfo`). */
export interface AuthenticationInfo {
  nextnonce?: string;
  rspauth?: string;
  cnonce?: string;
  nc?: string;
  qop?: string;
}

// ---------------------------------------------------------------------------------------------
// The auth-param list shared by the three headers

interface Param {
  name: string;
  value: string;
  quoted: boolean;
}

function isTokenChar(c: number): boolean {
  // RFC 4975 §9 token
  return (
    c === 0x21 ||
    (c >= 0x23 && c <= 0x27) ||
    c === 0x2a ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e ||
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x5e && c <= 0x7e)
  );
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * `name=value` pairs separated by commas. The ABNF wants `"," SP` (and no SP at all in
 * Authentication-Info, W-22 (iii)); examples differ, so any run of SP/HTAB around a comma is
 * accepted. Names are case-insensitive (RFC 2617 auth-param) and returned lower case.
 */
function parseParams(text: string, from: number): { ok: true; params: Param[] } | { ok: false; message: string } {
  const params: Param[] = [];
  const n = text.length;
  let i = from;
  const skipWs = (): void => {
    while (i < n && isWs(text.charCodeAt(i))) i++;
  };
  skipWs();
  if (i >= n) return { ok: false, message: 'no parameters' };
  while (i < n) {
    const nameStart = i;
    while (i < n && isTokenChar(text.charCodeAt(i)) && text.charCodeAt(i) !== 0x3d) i++;
    if (i === nameStart) return { ok: false, message: `expected a parameter name at index ${i}` };
    const name = text.slice(nameStart, i).toLowerCase();
    skipWs();
    if (text.charCodeAt(i) !== 0x3d) return { ok: false, message: `expected "=" after "${name}"` };
    i++;
    skipWs();
    let value: string;
    let quoted = false;
    if (text.charCodeAt(i) === 0x22) {
      quoted = true;
      i++;
      let v = '';
      let closed = false;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x5c && i + 1 < n) {
          v += text[i + 1];
          i += 2;
          continue;
        }
        if (c === 0x22) {
          closed = true;
          i++;
          break;
        }
        v += text[i];
        i++;
      }
      if (!closed) return { ok: false, message: `unterminated quoted string for "${name}"` };
      value = v;
    } else {
      const vs = i;
      while (i < n && isTokenChar(text.charCodeAt(i))) i++;
      if (i === vs) return { ok: false, message: `empty value for "${name}"` };
      value = text.slice(vs, i);
    }
    if (params.some((p) => p.name === name)) return { ok: false, message: `parameter "${name}" appears twice` };
    params.push({ name, value, quoted });
    skipWs();
    if (i >= n) break;
    if (text.charCodeAt(i) !== 0x2c) return { ok: false, message: `expected "," at index ${i}` };
    i++;
    skipWs();
    if (i >= n) return { ok: false, message: 'trailing ","' };
  }
  return { ok: true, params };
}

/** Splits off the auth-scheme; only Digest is acceptable. */
function parseScheme(text: string): { ok: true; rest: number } | { ok: false; rule: string; message: string } {
  const sp = text.indexOf(' ');
  const scheme = (sp < 0 ? text : text.slice(0, sp)).toLowerCase();
  // R-16b, RFC 4976 §9.1: "Clients MUST NOT attempt to use Basic authentication, and relays MUST
  // NOT request or accept Basic authentication."
  if (scheme === 'basic') return { ok: false, rule: 'R-16b', message: 'Basic authentication is not allowed in MSRP' };
  if (scheme !== 'digest') return { ok: false, rule: 'R-16', message: `unsupported authentication scheme "${text.slice(0, sp < 0 ? text.length : sp)}"` };
  if (sp < 0) return { ok: false, rule: 'R-16', message: 'Digest without parameters' };
  return { ok: true, rest: sp + 1 };
}

function isLhex(s: string, length?: number): boolean {
  if (length !== undefined && s.length !== length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // LHEX = DIGIT / %x61-66 ;lowercase a-f
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

function checkQuoted(p: Param | undefined, wantQuoted: boolean, rule: string, out: DigestViolation[]): void {
  if (p && p.quoted !== wantQuoted) {
    out.push({ rule, message: `${p.name} must ${wantQuoted ? '' : 'not '}be a quoted string` });
  }
}

function checkAlgorithm(p: Param | undefined, out: DigestViolation[]): void {
  if (!p) return;
  const alg = p.value.toLowerCase();
  // R-16c, RFC 4976 §9.1: "MSRP relays MUST NOT send challenges indicating the MD5-sess algorithm."
  if (alg === 'md5-sess') out.push({ rule: 'R-16c', message: 'algorithm MD5-sess is not allowed in MSRP' });
  else if (alg !== 'md5') out.push({ rule: 'R-16', message: `unsupported algorithm "${p.value}" (only MD5)` });
}

function checkNc(p: Param | undefined, out: DigestViolation[]): void {
  // nc-value = 8LHEX
  if (p && !isLhex(p.value, 8)) out.push({ rule: 'R-16', message: `nc "${p.value}" is not 8 lower-case hex digits` });
}

// ---------------------------------------------------------------------------------------------
// WWW-Authenticate

/** Parses the value of a `WWW-Authenticate` header (without the header name). */
export function parseWwwAuthenticate(value: string): DigestParseResult<DigestChallenge> {
  const s = parseScheme(value);
  if (!s.ok) return s;
  const r = parseParams(value, s.rest);
  if (!r.ok) return { ok: false, rule: 'R-16', message: `WWW-Authenticate: ${r.message}` };
  const get = (name: string): Param | undefined => r.params.find((p) => p.name === name);
  const realm = get('realm');
  const nonce = get('nonce');
  if (!realm) return { ok: false, rule: 'R-16', message: 'WWW-Authenticate without realm' };
  if (!nonce) return { ok: false, rule: 'R-16', message: 'WWW-Authenticate without nonce' };
  const violations: DigestViolation[] = [];
  checkQuoted(realm, true, 'R-16', violations);
  checkQuoted(nonce, true, 'R-16', violations);
  const challenge: DigestChallenge = { realm: realm.value, nonce: nonce.value, qop: [] };

  // R-16e, RFC 4976 §9.1: "Clients and relays MUST include a qop parameter in all
  // "WWW-Authenticate" and "Authorization" headers. Note that the value of the qop parameter in a
  // "WWW-Authenticate" header is quoted"
  const qop = get('qop');
  if (!qop) violations.push({ rule: 'R-16e', message: 'WWW-Authenticate without qop' });
  else {
    checkQuoted(qop, true, 'R-16e', violations);
    challenge.qop = qop.value.split(',').map((q) => q.trim()).filter((q) => q !== '');
    // R-16c, RFC 4976 §9.1: "MSRP relays MUST NOT indicate a qop of auth-int in a challenge."
    if (challenge.qop.some((q) => q.toLowerCase() === 'auth-int')) {
      violations.push({ rule: 'R-16c', message: 'qop auth-int is not allowed in MSRP' });
    }
    if (!challenge.qop.some((q) => q.toLowerCase() === 'auth')) {
      violations.push({ rule: 'R-16e', message: 'qop does not offer "auth"' });
    }
  }
  const opaque = get('opaque');
  if (opaque) {
    checkQuoted(opaque, true, 'R-16', violations);
    challenge.opaque = opaque.value;
  }
  const stale = get('stale');
  if (stale) {
    // stale = "stale=" ( "true" / "false" ); RFC 2617 treats the value case-insensitively.
    checkQuoted(stale, false, 'R-16', violations);
    const v = stale.value.toLowerCase();
    if (v !== 'true' && v !== 'false') violations.push({ rule: 'R-16', message: `stale must be true or false, not "${stale.value}"` });
    challenge.stale = v === 'true';
  }
  const algorithm = get('algorithm');
  if (algorithm) {
    checkAlgorithm(algorithm, violations);
    challenge.algorithm = algorithm.value;
  }
  const domain = get('domain');
  if (domain) {
    // R-16d, RFC 4976 §9.1: "relays SHOULD NOT send the "domain" parameter on the
    // "WWW-Authenticate" header, and clients MUST ignore it if present."
    violations.push({ rule: 'R-16d', message: 'WWW-Authenticate carries a domain parameter (ignored)' });
    challenge.domain = domain.value;
  }
  return { ok: true, value: challenge, violations };
}

/**
 * Formats a challenge in the order of the RFC 4976 §5.1 example: realm, qop (quoted, R-16e),
 * nonce, then opaque, stale, algorithm. `domain` is never sent (R-16d).
 */
export function formatWwwAuthenticate(c: DigestChallenge): string {
  let s = `Digest realm=${quote(c.realm)}, qop=${quote(c.qop.length > 0 ? c.qop.join(',') : 'auth')}, nonce=${quote(c.nonce)}`;
  if (c.opaque !== undefined) s += `, opaque=${quote(c.opaque)}`;
  if (c.stale !== undefined) s += `, stale=${c.stale ? 'true' : 'false'}`;
  if (c.algorithm !== undefined) s += `, algorithm=${c.algorithm}`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Authorization

/** Parses the value of an `Authorization` header (without the header name). */
export function parseAuthorization(value: string): DigestParseResult<DigestCredentials> {
  const s = parseScheme(value);
  if (!s.ok) return s;
  const r = parseParams(value, s.rest);
  if (!r.ok) return { ok: false, rule: 'R-16', message: `Authorization: ${r.message}` };
  const get = (name: string): Param | undefined => r.params.find((p) => p.name === name);
  const required = ['username', 'realm', 'nonce', 'response'] as const;
  for (const name of required) {
    if (!get(name)) return { ok: false, rule: 'R-16', message: `Authorization without ${name}` };
  }
  const username = get('username') as Param;
  const realm = get('realm') as Param;
  const nonce = get('nonce') as Param;
  const response = get('response') as Param;
  const violations: DigestViolation[] = [];
  for (const p of [username, realm, nonce, response]) checkQuoted(p, true, 'R-16', violations);
  // request-digest = DQUOTE 32LHEX DQUOTE
  if (!isLhex(response.value, 32)) {
    violations.push({ rule: 'R-16', message: 'response is not 32 lower-case hex digits' });
  }
  const creds: DigestCredentials = {
    username: username.value,
    realm: realm.value,
    nonce: nonce.value,
    response: response.value,
  };
  const uri = get('uri');
  if (uri) {
    // R-16g, RFC 4976 §9.1: "the value of the uri parameter MUST be in quotes"
    checkQuoted(uri, true, 'R-16g', violations);
    creds.uri = uri.value;
  }
  const qop = get('qop');
  // R-16e: qop MUST be present, and "the value of the qop parameter in an "Authorization" header
  // ... is not quoted."
  if (!qop) violations.push({ rule: 'R-16e', message: 'Authorization without qop' });
  else {
    checkQuoted(qop, false, 'R-16e', violations);
    if (qop.value.toLowerCase() === 'auth-int') violations.push({ rule: 'R-16c', message: 'qop auth-int is not allowed in MSRP' });
    else if (qop.value.toLowerCase() !== 'auth') violations.push({ rule: 'R-16e', message: `qop must be auth, not "${qop.value}"` });
    creds.qop = qop.value;
  }
  // R-16f, RFC 4976 §9.1: "Clients MUST send cnonce and nonce-count parameters in all
  // "Authorization" headers."
  const cnonce = get('cnonce');
  const nc = get('nc');
  if (!cnonce) violations.push({ rule: 'R-16f', message: 'Authorization without cnonce' });
  else {
    checkQuoted(cnonce, true, 'R-16', violations);
    creds.cnonce = cnonce.value;
  }
  if (!nc) violations.push({ rule: 'R-16f', message: 'Authorization without nc' });
  else {
    checkQuoted(nc, false, 'R-16', violations);
    checkNc(nc, violations);
    creds.nc = nc.value;
  }
  const opaque = get('opaque');
  if (opaque) {
    checkQuoted(opaque, true, 'R-16', violations);
    creds.opaque = opaque.value;
  }
  const algorithm = get('algorithm');
  if (algorithm) {
    checkAlgorithm(algorithm, violations);
    creds.algorithm = algorithm.value;
  }
  return { ok: true, value: creds, violations };
}

/**
 * Formats credentials in the order of the RFC 4976 §5.1 example (username, realm, nonce, [uri],
 * qop, nc, cnonce, response, then opaque and algorithm); qop and nc unquoted (R-16e), uri quoted
 * (R-16g).
 */
export function formatAuthorization(c: DigestCredentials): string {
  let s = `Digest username=${quote(c.username)}, realm=${quote(c.realm)}, nonce=${quote(c.nonce)}`;
  if (c.uri !== undefined) s += `, uri=${quote(c.uri)}`;
  if (c.qop !== undefined) s += `, qop=${c.qop}`;
  if (c.nc !== undefined) s += `, nc=${c.nc}`;
  if (c.cnonce !== undefined) s += `, cnonce=${quote(c.cnonce)}`;
  s += `, response=${quote(c.response)}`;
  if (c.opaque !== undefined) s += `, opaque=${quote(c.opaque)}`;
  if (c.algorithm !== undefined) s += `, algorithm=${c.algorithm}`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Authentication-Info

/**
 * Parses the value of an `Authentication-Info` header. Both "," and ", " separate parameters
 * (W-22 (iii): the ABNF has no SP, its examples do).
 */
export function parseAuthenticationInfo(value: string): DigestParseResult<AuthenticationInfo> {
  const r = parseParams(value, 0);
  if (!r.ok) return { ok: false, rule: 'R-16', message: `Authentication-Info: ${r.message}` };
  const get = (name: string): Param | undefined => r.params.find((p) => p.name === name);
  const violations: DigestViolation[] = [];
  const info: AuthenticationInfo = {};
  const nextnonce = get('nextnonce');
  if (nextnonce) {
    checkQuoted(nextnonce, true, 'R-16', violations);
    info.nextnonce = nextnonce.value;
  }
  const rspauth = get('rspauth');
  if (rspauth) {
    checkQuoted(rspauth, true, 'R-16', violations);
    // response-digest = DQUOTE *LHEX DQUOTE
    if (!isLhex(rspauth.value)) violations.push({ rule: 'R-16', message: 'rspauth is not lower-case hex' });
    info.rspauth = rspauth.value;
  }
  const cnonce = get('cnonce');
  if (cnonce) {
    checkQuoted(cnonce, true, 'R-16', violations);
    info.cnonce = cnonce.value;
  }
  const nc = get('nc');
  if (nc) {
    checkQuoted(nc, false, 'R-16', violations);
    checkNc(nc, violations);
    info.nc = nc.value;
  }
  const qop = get('qop');
  if (qop) {
    // R-16e: in "Authentication-Info" the qop value "is not quoted".
    checkQuoted(qop, false, 'R-16e', violations);
    info.qop = qop.value;
  }
  // R-06, RFC 4976 §9.1: "Relays MUST include rspauth, cnonce, nc, and qop parameters in a
  // "Authentication-Info" header for all "200 OK" responses to an AUTH request."
  for (const name of ['rspauth', 'cnonce', 'nc', 'qop'] as const) {
    if (info[name] === undefined) violations.push({ rule: 'R-06', message: `Authentication-Info without ${name}` });
  }
  return { ok: true, value: info, violations };
}

/** Formats in the order of the RFC 4976 §5.1 example, separated by ", " (W-22 (iii)). */
export function formatAuthenticationInfo(info: AuthenticationInfo): string {
  const parts: string[] = [];
  if (info.nextnonce !== undefined) parts.push(`nextnonce=${quote(info.nextnonce)}`);
  if (info.rspauth !== undefined) parts.push(`rspauth=${quote(info.rspauth)}`);
  if (info.cnonce !== undefined) parts.push(`cnonce=${quote(info.cnonce)}`);
  if (info.nc !== undefined) parts.push(`nc=${info.nc}`);
  if (info.qop !== undefined) parts.push(`qop=${info.qop}`);
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Arithmetic (RFC 2617 §3.2.2.1, §3.2.2.2, §3.2.3)

export interface DigestInput {
  username: string;
  realm: string;
  password: string;
  /** `AUTH` in MSRP; any method for plain RFC 2617 (the §3.5 example uses GET). */
  method?: string;
  /**
   * R-16g, RFC 4976 §9.1: "The request-URI to be used in calculating H(A2) is the rightmost URI in
   * the To-Path header." Exactly as written there.
   */
  uri: string;
  nonce: string;
  /** nonce-count: a number, or the 8-hex-digit string as sent. */
  nc: number | string;
  cnonce: string;
  /** MSRP always uses auth (R-16e); auth-int is not allowed (R-16c). */
  qop?: 'auth';
}

/** nc-value = 8LHEX. */
export function formatNc(nc: number): string {
  return (nc >>> 0).toString(16).padStart(8, '0');
}

const utf8 = new TextEncoder();

function md5(s: string): string {
  // Strings are hashed as UTF-8; RFC 2617 text is ASCII in every MSRP case we produce.
  return createHash('md5').update(s, 'utf8').digest('hex');
}

function ncString(nc: number | string): string {
  return typeof nc === 'number' ? formatNc(nc) : nc;
}

function digestWith(input: Omit<DigestInput, 'method'>, a2: string): string {
  // A1 = unq(username-value) ":" unq(realm-value) ":" passwd   (algorithm MD5)
  const ha1 = md5(`${input.username}:${input.realm}:${input.password}`);
  const ha2 = md5(a2);
  const qop = input.qop ?? 'auth';
  // request-digest = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2))
  return md5(`${ha1}:${input.nonce}:${ncString(input.nc)}:${input.cnonce}:${qop}:${ha2}`);
}

/**
 * The `response` value: MD5(HA1 ":" nonce ":" nc ":" cnonce ":" "auth" ":" HA2) with
 * HA1 = MD5(username ":" realm ":" password) and HA2 = MD5(method ":" uri), method `AUTH` unless
 * given (R-16g).
 */
export function computeDigestResponse(input: DigestInput): string {
  return digestWith(input, `${input.method ?? 'AUTH'}:${input.uri}`);
}

/**
 * The `rspauth` value of Authentication-Info. RFC 2617 §3.2.3: A2 = ":" digest-uri-value
 * (the method is left out), otherwise as the request digest.
 */
export function computeRspauth(input: Omit<DigestInput, 'method'>): string {
  return digestWith(input, `:${input.uri}`);
}

export interface VerifyOptions {
  /** The password the relay holds for `credentials.username`. */
  password: string;
  /** The relay's realm (R-04: credentials are "for the realm"). */
  realm: string;
  /** The nonce the relay issued and still honours; a mismatch means a stale or foreign nonce. */
  nonce: string;
  /** The rightmost To-Path URI of the AUTH request, as written (R-16g). */
  uri: string;
  method?: string;
}

export type VerifyResult = { ok: true } | { ok: false; rule: string; message: string };

/**
 * Checks credentials from an AUTH request the way a relay must (R-11, RFC 4976 §6.3: "check Digest
 * credentials"), within the MSRP profile: qop=auth (R-16e, R-16c), MD5 (R-16c), cnonce and nc
 * present (R-16f), realm and nonce the relay's own, the `uri` parameter, if sent, equal to
 * the rightmost To-Path URI (R-16g, derived), and the response digest.
 */
export function verifyAuthorization(credentials: DigestCredentials, options: VerifyOptions): VerifyResult {
  if (credentials.realm !== options.realm) {
    return { ok: false, rule: 'R-04', message: `credentials for realm "${credentials.realm}", expected "${options.realm}"` };
  }
  if (credentials.nonce !== options.nonce) {
    return { ok: false, rule: 'R-04', message: 'nonce is not the one issued (stale or unknown)' };
  }
  if (credentials.qop === undefined) return { ok: false, rule: 'R-16e', message: 'Authorization without qop' };
  if (credentials.qop.toLowerCase() !== 'auth') {
    return { ok: false, rule: credentials.qop.toLowerCase() === 'auth-int' ? 'R-16c' : 'R-16e', message: `qop must be auth, not "${credentials.qop}"` };
  }
  if (credentials.algorithm !== undefined && credentials.algorithm.toLowerCase() !== 'md5') {
    return { ok: false, rule: 'R-16c', message: `algorithm must be MD5, not "${credentials.algorithm}"` };
  }
  if (credentials.cnonce === undefined) return { ok: false, rule: 'R-16f', message: 'Authorization without cnonce' };
  if (credentials.nc === undefined) return { ok: false, rule: 'R-16f', message: 'Authorization without nc' };
  if (credentials.uri !== undefined && credentials.uri !== options.uri) {
    return { ok: false, rule: 'R-16g', message: `uri "${credentials.uri}" is not the rightmost To-Path URI "${options.uri}"` };
  }
  const expected = computeDigestResponse({
    username: credentials.username,
    realm: credentials.realm,
    password: options.password,
    method: options.method ?? 'AUTH',
    uri: options.uri,
    nonce: credentials.nonce,
    nc: credentials.nc,
    cnonce: credentials.cnonce,
    qop: 'auth',
  });
  // Tolerant of upper-case hex (reported as a violation by parseAuthorization).
  const given = utf8.encode(credentials.response.toLowerCase());
  const want = utf8.encode(expected);
  const match = given.length === want.length && timingSafeEqual(given, want);
  if (!match) return { ok: false, rule: 'R-11', message: 'response digest does not match (wrong password or tampered credentials)' };
  return { ok: true };
}
