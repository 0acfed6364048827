/**
 * The rule catalogue: what a trace record's `rule` names, for people. CHECKLIST ids (`R-19`) map
 * to their RFC sections and a short title taken from the project's CHECKLIST (spec/CHECKLIST.md,
 * whose ids are stable); the other rule names a record can carry (a relay profile's deviation
 * `kamailio:keep-tid`, a firewall rule `fw-b#2`, `default-deny`, an RFC 3261 section for SIP) are
 * recognised by their form.
 */
import { ownValue } from '../wire/own.js';

export type RuleKind = 'checklist' | 'ambiguity' | 'rfc' | 'profile' | 'firewall' | 'other';

export interface RuleInfo {
  id: string;
  kind: RuleKind;
  /** Where the rule comes from: `RFC 4976 §6.4.1`, `relay profile kamailio`, `firewall rule`. */
  ref: string;
  /** A few words on what the rule says ('' when nothing is known about it). */
  title: string;
}

/** CHECKLIST id -> [RFC sections, short title]. */
const CATALOGUE: Record<string, readonly [string, string]> = {
  // (a) Wire format
  'W-01': ['RFC 4975 §9, RFC 4976 §7', 'MSRP tag and method names are upper case'],
  'W-02': ['RFC 4975 §9', 'one SP between the start-line fields'],
  'W-03': ['RFC 4975 §9', 'transaction id: 4 to 32 ident characters'],
  'W-04': ['RFC 4975 §7.1', 'transaction ids do not collide: at least 64 bits of randomness'],
  'W-05': ['RFC 4975 §7.2', 'a response carries the transaction id of its request'],
  'W-06': ['RFC 4975 §7.1', 'end-line: seven dashes, transaction id, flag $ + or #'],
  'W-07': ['RFC 4975 §7.2', 'responses are never chunked: flag $'],
  'W-08': ['RFC 4975 §7.1', 'a CRLF that is not body precedes the end-line'],
  'W-09': ['RFC 4975 §7.1', 'the end-line must not occur in the body'],
  'W-10': ['RFC 4975 §7.3.1', 'framing: a body ends only at its end-line'],
  'W-11': ['RFC 4975 §9', 'To-Path first, From-Path second'],
  'W-12': ['RFC 4975 §9', 'one SP after each header colon and between path URIs'],
  'W-13': ['RFC 4976 §3, §5.1; RFC 7977 §8', 'no header line folding'],
  'W-14': ['RFC 4975 §9', 'header names: emit canonical case, accept any case'],
  'W-15': ['RFC 4975 §7.1, §9', 'a body needs Content-Type as the last header'],
  'W-16': ['RFC 4975 §7.1', 'a bodiless request has no Content-Type and no blank line'],
  'W-17': ['RFC 4975 §7.1', 'a bodiless request is not an empty body'],
  'W-18': ['RFC 4975 §9', 'responses have no body'],
  'W-19': ['RFC 4975 §12', 'unknown headers are ignored'],
  'W-20': ['RFC 4975 §7.1.1, §14.3', 'transfer encoding is always binary'],
  'W-21': ['RFC 4975 §9', 'headers are UTF-8 text; bodies are any octets'],
  'W-22': ['RFC 4975 §9, RFC 4976 §7', 'ABNF defects to tolerate'],
  'W-23': ['RFC 4975 §7.1.1', 'every SEND chunk carries the message\'s Message-ID'],
  'W-24': ['RFC 4975 §7.1.2', 'a REPORT carries Message-ID and Status, no report headers'],
  'W-25': ['RFC 4975 §7.1.1', 'Byte-Range: 1-based start-end/total; * when interruptible'],
  'W-26': ['RFC 4975 §7.1.1', 'an empty SEND has Byte-Range 1-0/0'],
  'W-27': ['RFC 4975 §7.1.4', 'a failure REPORT names the actual byte range'],
  'W-28': ['RFC 4975 §7.1.3, §7.3.2', 'Status: 000 code, read like a transaction response'],
  'W-29': ['RFC 4975 §7.1.1', 'defaults: Success-Report no, Failure-Report yes'],
  'W-30': ['RFC 4975 §7.1.1', 'Content-Disposition may be added'],
  'W-31': ['RFC 4975 §5.1, §7.1.1', 'chunks above 2048 octets must be interruptible'],
  'W-32': ['RFC 4975 §7.1.1', 'chunking strategy: few large interruptible chunks'],
  'W-33': ['RFC 4975 §7.1.1', 'receive chunks of any size'],
  'W-34': ['RFC 4975 §7.1', 'non-SEND bodies at most 10240 octets'],
  'W-35': ['RFC 4975 §7.1.1', 'a long SEND is interrupted for pending responses and REPORTs'],
  'W-36': ['RFC 4975 §7.1.1', 'interrupting: end-line with +, resume in a new transaction'],
  'W-37': ['RFC 4975 §14.5', 'sanity-check Byte-Range before allocating'],
  'W-38': ['RFC 4975 §7.1, §14.1; RFC 4976 §6.3', 'identifier widths and randomness'],
  'W-39': ['derived (no limit in RFC 4975/4976)', 'no hop or path-length limit in MSRP: the simulator sets one'],
  // (b) URIs
  'U-01': ['RFC 4975 §6', 'URIs are US-ASCII'],
  'U-02': ['RFC 4975 §6, §9; RFC 7977 §5.2.1', 'the transport parameter is mandatory'],
  'U-03': ['RFC 4975 §6', 'a numeric host needs a port'],
  'U-04': ['RFC 4975 §8.2; RFC 4976 §8', 'URIs in SDP and paths carry explicit ports'],
  'U-05': ['RFC 4975 §6, §15.4; RFC 4976 §8', 'port 2855 is registered, not a default'],
  'U-06': ['RFC 4975 §6', 'no session-id: the URI names a device'],
  'U-07': ['RFC 4975 §5.4, §6, §4', 'msrps: the connection must use TLS'],
  'U-08': ['RFC 4975 §6, §6.1', 'userinfo allowed, never a password'],
  'U-09': ['RFC 4975 §6, §8.2, §8.3', 'session URIs are ephemeral, one per session'],
  'U-10': ['RFC 4976 §4.2', 'Use-Path URIs carry a domain name and a port'],
  'U-11': ['RFC 4975 §6.1', 'URI comparison rules'],
  'U-12': ['RFC 4975 §6.2', 'resolving a URI to an address and port'],
  // (c) Endpoints
  'E-01': ['RFC 4975 §8.1, §15.6', 'm=message line with TCP/MSRP or TCP/TLS/MSRP'],
  'E-02': ['RFC 4975 §8.1', 'c= line matches the MSRP URI host'],
  'E-03': ['RFC 4975 §8.2, §8.3', 'a=path in every offer and answer'],
  'E-04': ['RFC 4975 §8.3', 'a=path may hold several URIs'],
  'E-05': ['RFC 4975 §8.6', 'a=accept-types with every MSRP m-line'],
  'E-06': ['RFC 4975 §8.6', 'a=accept-wrapped-types: types allowed only inside containers'],
  'E-07': ['RFC 4975 §8.6, §7.3.1', 'send only media types the peer accepts'],
  'E-08': ['RFC 4975 §8.6; RFC 5547 §8.7', 'a=max-size: the largest message the peer takes'],
  'E-09': ['RFC 4975 §7.3.1, §8.6, §13, §14.3', 'mandatory-to-receive media types'],
  'E-10': ['RFC 4975 §8.9', 'sendonly / recvonly apply to SENDs with payload only'],
  'E-11': ['RFC 4975 §8.4, §5.4', 're-offers and ending a session'],
  'E-12': ['RFC 4975 §5.4, §8.5', 'the offerer is the active endpoint: it opens the connection'],
  'E-13': ['RFC 4975 §5.4', 'the active endpoint sends a SEND at once to bind the session'],
  'E-14': ['RFC 4975 §5.4; RFC 4976 §5.2', 'reuse a connection to the same host, port and scheme'],
  'E-15': ['RFC 4975 §5.4', 'the passive side waits for the first request to bind'],
  'E-16': ['RFC 4975 §5.4', 'session match on the first request\'s To-Path; 481 or 506 otherwise'],
  'E-17': ['RFC 4975 §7.3', 'checks on every received request'],
  'E-18': ['RFC 6135 §4.2-§4.5', 'a=setup decides who connects (COMEDIA)'],
  'E-19': ['RFC 4975 §5.4', 'a failed connection fails every session on it'],
  'E-20': ['RFC 4975 §5.4; RFC 4976 §5.4', 'do not close a connection that carries sessions'],
  'E-21': ['RFC 4975 §7.1.1', 'a new Message-ID per message'],
  'E-22': ['RFC 4975 §7.1', 'building a request: new transaction id, paths from the session'],
  'E-23': ['RFC 4975 §7.1.1; RFC 5547 §8.7', 'requests may be pipelined'],
  'E-24': ['RFC 4975 §7.1, §7.3.2, §10.5', 'abort: flag # and no further chunks'],
  'E-25': ['RFC 4975 §7.1.1', 'the peer may see other chunk boundaries'],
  'E-26': ['RFC 4975 §13, §14.5', 'wrapping and signing come before chunking'],
  'E-27': ['RFC 4975 §7.1.3', 'Success-Report yes: report every byte received'],
  'E-28': ['RFC 4975 §7.1.1', 'no success report by the session end: the user is told'],
  'E-29': ['RFC 4975 §7.1.2, §7.1.3', 'building a success REPORT'],
  'E-30': ['RFC 4975 §7.1.4', 'building a failure REPORT'],
  'E-31': ['RFC 4975 §7.1.1, §7.1.2, §7.3.2', 'REPORTs are never answered'],
  'E-32': ['RFC 4975 §7.3.2', 'a received REPORT is matched by Message-ID and Byte-Range'],
  'E-33': ['RFC 4975 §7.2', 'a SEND response goes to the previous hop only'],
  'E-34': ['RFC 4975 §7.3.1', 'receiving SEND chunks and reassembling the message'],
  'E-35': ['RFC 4975 §12', 'unknown method: 501'],
  // (d) Relays
  'R-01': ['RFC 4976 §3', 'each client enlists its own relays'],
  'R-02': ['RFC 4976 §3', 'a 200 means the next hop took the chunk, not delivery'],
  'R-03': ['RFC 4976 §5.1', 'a client authenticates to its relays with AUTH'],
  'R-04': ['RFC 4976 §5.1', 'AUTH without credentials gets 401 with a Digest challenge'],
  'R-05': ['RFC 4976 §4.6, §5.1, §6.3', 'AUTH Expires; 423 when out of bounds'],
  'R-06': ['RFC 4976 §4.1, §4.2, §6.3, §9.1', 'a successful AUTH returns 200 with Use-Path and Expires'],
  'R-07': ['RFC 4976 §5.1', 'path construction: Use-Path before the peer\'s path'],
  'R-08': ['RFC 4976 §3.1, §5.1, §9.4', 'one Use-Path URI per session; re-AUTH before expiry'],
  'R-09': ['RFC 4976 §6.1', 'probation for a new connection'],
  'R-10': ['RFC 4976 §6.2', 'every request: validate and check the first To-Path URI'],
  'R-11': ['RFC 4976 §6.3', 'AUTH: authenticate and authorize'],
  'R-12': ['RFC 4976 §6.3', 'a client\'s token works only on its AUTH connection'],
  'R-13': ['RFC 4976 §6.3', 'token expiry follows Expires'],
  'R-14': ['RFC 4976 §6.3', 'unknown or expired token: discard'],
  'R-15': ['RFC 4976 §6.3', 'repeated failed AUTHs: disconnect'],
  'R-16': ['RFC 4976 §9.1', 'the Digest profile of AUTH'],
  'R-16a': ['RFC 4976 §9.1', 'AUTH is authenticated and sent over TLS only'],
  'R-16b': ['RFC 4976 §9.1', 'no Basic authentication'],
  'R-16c': ['RFC 4976 §9.1', 'no qop=auth-int, no MD5-sess'],
  'R-16d': ['RFC 4976 §9.1', 'relays do not send domain'],
  'R-16e': ['RFC 4976 §9.1', 'qop in every challenge and answer'],
  'R-16f': ['RFC 4976 §9.1', 'cnonce and nc in every Authorization'],
  'R-16g': ['RFC 4976 §9.1', 'H(A2) uses the rightmost To-Path URI'],
  'R-16h': ['RFC 4976 §9.1', 'nextnonce and nc; AUTH is not pipelined'],
  'R-17': ['RFC 4976 §6.4, §3.1, §9.3', 'forward only to or from the token\'s owner'],
  'R-18': ['RFC 4976 §6.4', 'a new transaction id per forwarded request'],
  'R-19': ['RFC 4976 §3, §6.4.1, §6.4.2', 'forwarding: own URI off To-Path, onto From-Path'],
  'R-20': ['RFC 4976 §6.4.1', 'SEND with Failure-Report yes: answer the previous hop at once'],
  'R-21': ['RFC 4976 §6.4.1, §3', 'no response from the next hop in 30 s: REPORT 408'],
  'R-22': ['RFC 4976 §3, §6.4.1', 'a downstream failure becomes a REPORT to the sender'],
  'R-23': ['RFC 4976 §6.4.1, §3', 'a relay may re-chunk; Byte-Range follows'],
  'R-24': ['RFC 4976 §6.4.2', 'non-SEND requests (AUTH, REPORT) are forwarded, not answered'],
  'R-25': ['RFC 4976 §3', 'reuse connections first, open new ones to the next hop'],
  'R-26': ['RFC 4976 §6.3; RFC 7977 App. A', 'the last hop to a client is its AUTH connection'],
  'R-27': ['RFC 4976 §6.5', 'keep connections open; close idle ones after an hour'],
  'R-28': ['RFC 4976 §3', 'per-hop transaction state is short-lived'],
  'R-29': ['RFC 4976 §9.2, §9.4', 'relay-to-relay connections use mutual TLS'],
  'R-30': ['RFC 4976 §8', 'relay discovery: explicit port, SRV, port 2855'],
  // Security
  'S-01': ['RFC 4976 §3.1, §9.3, §9.4', 'no open relays'],
  'S-02': ['RFC 4976 §3.1, §6.3; RFC 4975 §14.1', 'tokens and session ids are secret and random'],
  'S-03': ['RFC 4975 §5.4', 'connection hijack protection: binding, 506, 481'],
  'S-04': ['RFC 4975 §5.4, §14.2, §14.4; RFC 4976 §9.2', 'TLS and certificate checks'],
  'S-05': ['RFC 4975 §14.5; RFC 4976 §6.1, §6.3', 'denial of service protections'],
  'S-06': ['RFC 4976 §9.3, §9.4', 'relays are trusted'],
  'S-07': ['RFC 4975 §4', 'msrps vouches for the next hop only'],
  // Extensions
  'X-01': ['RFC 7977 §4.1, §4.2', 'WebSocket subprotocol msrp'],
  'X-02': ['RFC 7977 §5.1', 'MSRP over WebSocket goes through a relay'],
  'X-03': ['RFC 7977 §5.2, §5.3', 'transport parameter ws'],
  'X-04': ['RFC 7977 §6', 'WebSocket keepalive'],
  'X-05': ['RFC 6135', 'COMEDIA a=setup'],
  'X-06': ['RFC 6714 §4', 'CEMA: connect to the SDP c= address'],
  'X-07': ['RFC 5547 §8', 'SDP file transfer'],
  // (y) Ambiguities: the project's choices are written down in docs/ambiguities.md.
  'A-01': ['RFC 4976 §6.2, §6.4.1, §6.4.3', 'a message not addressed to the relay'],
  'A-02': ['RFC 4976 §3, §6.4.1', 'a SEND the relay cannot handle: response or REPORT'],
  'A-03': ['RFC 4975 §7.1.4; RFC 4976 §6.4.1', 'Failure-Report partial at relays'],
  'A-04': ['RFC 4976 §6.4.3; RFC 4975 §7.2', 'SEND responses are hop by hop'],
  'A-05': ['RFC 4976 §3; RFC 4975 §5.4', 'which connection leads to a peer without relay'],
  'A-06': ['RFC 4976 §3, §6.4', 'transaction ids of forwarded requests'],
  'A-07': ['RFC 4976 §3.1, §5.1', 'reuse of a Use-Path URI'],
  'A-08': ['RFC 4975 §9; RFC 4976 §7', 'the ABNF and the examples disagree'],
  'A-09': ['RFC 4975 §7.3.1', 'Byte-Range arithmetic'],
  'A-10': ['RFC 4975 §7.1', 'bodiless and empty-body SEND'],
  'A-11': ['RFC 4975 §7.1.4', 'Failure-Report no suppresses every response'],
  'A-12': ['RFC 4975 §7.1.1', 'default report header values'],
  'A-13': ['RFC 4975 §7.1.1; RFC 4976 §6.4.1', 'the 30 s transaction timer starts at the last byte'],
  'A-14': ['RFC 4975 §6.1', 'URI comparison pitfalls'],
  'A-15': ['RFC 4976 §5.1', 'path construction order'],
  'A-16': ['RFC 4975 §7.3.1; RFC 4976 §6.4.1', 'chunks may arrive out of order'],
  'A-17': ['RFC 4976 §3', 'no loop or hop limit'],
  'A-18': ['RFC 4975 §6.1; RFC 6714 §1', 'session matching through middleboxes'],
  'A-19': ['RFC 4975 §10', 'response status classes'],
  'A-20': ['RFC 4976 §6.3; RFC 4975 §10.7', 'the Expires error code is 423'],
  'A-21': ['RFC 4975 §9', 'headers that may appear once'],
};

const PROFILES = new Set(['rfc4976', 'kamailio', 'msrprelay', 'opensips']);
const FIREWALL_WORDS = new Set(['default-deny', 'default-allow', 'idle-timeout', 'tls-only']);

/** What `rule` (a record's `rule` field) refers to. Unknown ids come back with kind `other`. */
export function describeRule(rule: string): RuleInfo {
  const known = ownValue(CATALOGUE, rule);
  if (known) return { id: rule, kind: rule.startsWith('A-') ? 'ambiguity' : 'checklist', ref: known[0], title: known[1] };
  if (/^RFC \d+/.test(rule)) return { id: rule, kind: 'rfc', ref: rule, title: '' };
  const colon = rule.indexOf(':');
  if (colon > 0 && PROFILES.has(rule.slice(0, colon))) {
    return { id: rule, kind: 'profile', ref: `relay profile ${rule.slice(0, colon)}`, title: `deviation ${rule.slice(colon + 1).replace(/-/g, ' ')}` };
  }
  if (FIREWALL_WORDS.has(rule) || /#\d+$/.test(rule)) return { id: rule, kind: 'firewall', ref: 'firewall rule', title: rule.replace(/-/g, ' ') };
  return { id: rule, kind: 'other', ref: '', title: '' };
}

/** `R-19 (RFC 4976 §3, §6.4.1, §6.4.2)`; `fw-b#2 (firewall rule)`; the bare id when nothing is known. */
export function ruleLabel(rule: string): string {
  const info = describeRule(rule);
  return info.ref === '' ? rule : `${rule} (${info.ref})`;
}

/** Every CHECKLIST id in the catalogue, in CHECKLIST order. */
export function catalogueIds(): string[] {
  return Object.keys(CATALOGUE);
}

/** The anchor of a rule in docs/rules.md: `r-19`, `a-03`, `kamailio-keep-tid`. */
export function ruleAnchor(rule: string): string {
  return rule.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
