/**
 * SDP offer/answer for MSRP (RFC 3264 as used by RFC 4975 §8, RFC 4976, RFC 6135, RFC 6714,
 * RFC 5547): building offers and answers, and the checks an answerer runs on an offer and an
 * offerer on an answer. Pure functions over the model of `sdp.ts`; the node layer carries the
 * text in SIP and turns a rejection into a 488.
 */
import { activePartyFromAnswer, chooseOfferSetup, negotiateSetup } from './connection-setup.js';
import type { Party } from './connection-setup.js';
import { mediaTypesOverlap, repeatedWrappedTypes } from './media-types.js';
import { addressTypeOfHost, hostAsConnectionAddress, parsePathUri } from './path-uri.js';
import type { PathUri } from './path-uri.js';
import { isMsrpMedia } from './sdp.js';
import type {
  AddressType,
  Direction,
  FileSelector,
  MsrpMediaDescription,
  MsrpProto,
  SessionDescription,
  SetupValue,
} from './sdp.js';

/** Why an offer or answer is not acceptable: SIP 488 Not Acceptable Here with the rule. */
export interface Rejection {
  ok: false;
  status: 488;
  reason: string;
  rule: string;
}

/** Something a peer got wrong that does not warrant a 488 (counted, then ignored). */
export interface SignalViolation {
  rule: string;
  message: string;
}

export type OfferVerdict = { ok: true; violations: SignalViolation[] } | Rejection;
export type AnswerVerdict = { ok: true; active: Party; violations: SignalViolation[] } | Rejection;

/** What an answerer can handle, for judging an offer. */
export interface AnswererCapabilities {
  /** The types it understands (and lists in its own a=accept-types). */
  acceptTypes: readonly string[];
  acceptWrappedTypes?: readonly string[];
  /** Supports RFC 6135 a=setup (E-18). Without it a=setup in the offer is not read. */
  comedia?: boolean;
  /** Supports RFC 6714 CEMA; implies `comedia`. */
  cema?: boolean;
}

const reject = (rule: string, reason: string): Rejection => ({ ok: false, status: 488, reason, rule });

/** E-04, RFC 4975 §8.3: the first URI is the hop to connect to; the last one is the peer's URI. */
export function pathEndpoints(path: readonly string[]): { firstHop: string; endpoint: string } | undefined {
  if (path.length === 0) return undefined;
  return { firstHop: path[0] as string, endpoint: path[path.length - 1] as string };
}

/** The a=setup that applies to a media line: its own, else the session-level one. */
function effectiveSetup(desc: SessionDescription, m: MsrpMediaDescription): SetupValue | undefined {
  if (m.setup !== undefined) return m.setup;
  const a = desc.attributes?.find((x) => x.name === 'setup');
  const v = a?.value?.trim();
  return v === 'active' || v === 'passive' || v === 'actpass' || v === 'holdconn' ? v : undefined;
}

/** The direction that applies to a media line: its own, else a session-level one (RFC 4566 §6). */
function effectiveDirection(desc: SessionDescription, m: MsrpMediaDescription): Direction | undefined {
  if (m.direction !== undefined) return m.direction;
  const a = desc.attributes?.find((x) => x.value === undefined && ['sendrecv', 'sendonly', 'recvonly', 'inactive'].includes(x.name));
  return a?.name as Direction | undefined;
}

function sameHost(connectionAddress: string, uri: PathUri): boolean {
  return connectionAddress.toLowerCase() === hostAsConnectionAddress(uri.host).toLowerCase();
}

/**
 * The checks every MSRP media line passes, in an offer or an answer. Returns the first rule broken
 * as a rejection; SHOULD-level problems go to `violations`.
 */
function checkMsrpMedia(
  desc: SessionDescription,
  m: MsrpMediaDescription,
  side: 'offer' | 'answer',
  cemaAnswerer: boolean,
  violations: SignalViolation[],
): Rejection | undefined {
  // E-01, RFC 4975 §8.1: "An offered or accepted media-line for MSRP over TCP MUST include a protocol
  // field value of "TCP/MSRP", or "TCP/TLS/MSRP" for TLS. The media field value MUST be "message".
  // The format list field MUST be set to "*"."
  if (m.media !== 'message') return reject('E-01', `${side} media is "${m.media}", not "message"`);
  if (!isMsrpMedia(m)) return reject('E-01', `${side} protocol "${m.proto}" is neither TCP/MSRP nor TCP/TLS/MSRP`);
  if (m.formats.length !== 1 || m.formats[0] !== '*') {
    return reject('E-01', `${side} format list is "${m.formats.join(' ')}", not "*"`);
  }
  // E-03, RFC 4975 §8.2: "Each SDP offer or answer that proposes MSRP MUST contain a "path"
  // attribute containing one or more MSRP URIs."
  if (m.path.length === 0) return reject('E-03', `${side} has no a=path`);
  const uris: PathUri[] = [];
  for (const text of m.path) {
    const parsed = parsePathUri(text);
    if (!parsed.ok) return reject('E-03', `${side} a=path: ${parsed.message}`);
    // U-04, RFC 4975 §8.2: "MSRP URIs included in an SDP offer or answer MUST include explicit port
    // numbers."
    if (parsed.uri.port === undefined) return reject('U-04', `${side} a=path URI "${text}" has no explicit port`);
    uris.push(parsed.uri);
  }
  // E-04: only the last URI speaks for the endpoint; the first one is only where to connect.
  const own = uris[uris.length - 1] as PathUri;
  // U-09, RFC 4975 §8.2: the rightmost URI "MUST be assigned for this particular session"; a URI
  // without a session-id names a host, not a session (U-06).
  if (own.sessionId === undefined) return reject('U-09', `${side} endpoint URI "${m.path[m.path.length - 1]}" has no session-id`);
  // U-07, RFC 4975 §6: "Connections using the "msrps" scheme MUST use TLS"; the m-line protocol
  // says the same thing about the same URI, so the two must agree.
  const tls = m.proto === 'TCP/TLS/MSRP';
  if (tls !== (own.scheme === 'msrps')) {
    return reject('U-07', `${side} protocol ${m.proto} does not match the ${own.scheme} scheme of its endpoint URI`);
  }
  // X-06, RFC 6714 §4.2/§4.3: with a=msrp-cema the c/m-line may name a relay or a media anchoring
  // middlebox instead of the endpoint, so E-01's port and E-02's address do not apply.
  if (m.cema !== true) {
    // E-01, RFC 4975 §8.1: "The port field value MUST match the port value used in the endpoint's
    // MSRP URI in the path attribute". RFC 6135 §4.2.2 lets an a=setup:active line carry port 9.
    const setup = effectiveSetup(desc, m);
    if (m.port !== own.port && !(setup === 'active' && m.port === 9)) {
      return reject('E-01', `${side} m-line port ${m.port} does not match port ${own.port} of its endpoint URI`);
    }
    // E-02, RFC 4975 §8.1: the c-line "MUST be set to the IP address or fully qualified domain name
    // from the MSRP URI identifying the endpoint in its path attribute."
    // X-06, RFC 6714 §4.3: a CEMA answerer "MUST either reject the offered MSRP connection ... or
    // reject the whole SIP request ... with a 488" when c/m does not match the path URI.
    const rule = side === 'offer' && cemaAnswerer ? 'X-06' : 'E-02';
    if (!sameHost(m.connectionAddress, own)) {
      return reject(rule, `${side} c= address ${m.connectionAddress} is not the host ${own.host} of its endpoint URI`);
    }
    const literalType = own.host.startsWith('[') ? 'IP6' : /^[0-9.]+$/.test(own.host) ? 'IP4' : undefined;
    if (literalType !== undefined && literalType !== m.addressType) {
      return reject(rule, `${side} c= address type ${m.addressType} does not fit the address ${own.host}`);
    }
  }
  // E-05, RFC 4975 §8.6: "An SDP media-line proposing MSRP MUST be accompanied by an accept-types
  // attribute."
  if (m.acceptTypes.length === 0) return reject('E-05', `${side} has no a=accept-types`);
  // E-06, RFC 4975 §8.6: "format entries from accept-types SHOULD NOT be repeated in this attribute."
  for (const t of repeatedWrappedTypes(m.acceptTypes, m.acceptWrappedTypes ?? [])) {
    violations.push({ rule: 'E-06', message: `${side} repeats ${t} of a=accept-types in a=accept-wrapped-types` });
  }
  // E-18, RFC 6135 §4.2.1: "An MSRP UA MUST NOT send the "holdconn" attribute value. If an MSRP UA
  // receives the "holdconn" attribute value, it MUST ignore it".
  if (effectiveSetup(desc, m) === 'holdconn') {
    violations.push({ rule: 'E-18', message: `${side} carries a=setup:holdconn; ignored as if absent` });
  }
  // E-18, RFC 6135 §4.4: "MSRP UAs MUST NOT use the SDP a=connection attribute. ... If an MSRP UA
  // receives an a=connection attribute, the UA MUST ignore it."
  if ([...(m.attributes ?? []), ...(desc.attributes ?? [])].some((a) => a.name === 'connection')) {
    violations.push({ rule: 'E-18', message: `${side} carries a=connection; ignored` });
  }
  return undefined;
}

/** The m=message lines an offer proposes (port not 0), with their index. */
function offeredMessageLines(offer: SessionDescription): { index: number; media: MsrpMediaDescription }[] {
  return offer.media.flatMap((media, index) => (media.media === 'message' && media.port !== 0 ? [{ index, media }] : []));
}

/** Judges an offer as an answerer with these capabilities would. */
export function validateOffer(offer: SessionDescription, caps: AnswererCapabilities): OfferVerdict {
  const violations: SignalViolation[] = [];
  const lines = offeredMessageLines(offer);
  // E-01: an offer with nothing to answer for MSRP.
  if (lines.length === 0) return reject('E-01', 'offer has no m=message line with a non-zero port');
  const comedia = caps.comedia === true || caps.cema === true;
  for (const { media: m } of lines) {
    const problem = checkMsrpMedia(offer, m, 'offer', caps.cema === true, violations);
    if (problem !== undefined) return problem;
    // E-18, RFC 6135 §4.2.2: "The UA MUST NOT use the a=setup "passive" attribute value in an SDP
    // offer." Only an answerer that implements RFC 6135 reads a=setup at all.
    if (comedia && effectiveSetup(offer, m) === 'passive') {
      return reject('E-18', 'offer carries a=setup:passive, which RFC 6135 forbids in offers');
    }
    // E-05, RFC 4975 §8.6: "If the recipient of an offer does not understand any of the payload types
    // indicated in the offered SDP, it SHOULD ... return a SIP 488 response." The offered types are
    // the ones the answerer would send, so this only matters when the answerer may send (E-10).
    const direction = effectiveDirection(offer, m);
    const answererSends = direction !== 'sendonly' && direction !== 'inactive';
    if (answererSends && !mediaTypesOverlap(m.acceptTypes, caps.acceptTypes)) {
      return reject('E-05', `none of the offered types (${m.acceptTypes.join(' ')}) is understood (${caps.acceptTypes.join(' ')})`);
    }
  }
  return { ok: true, violations };
}

/** Judges an answer as the offerer of `offer` would; on success says which party is active. */
export function validateAnswer(offer: SessionDescription, answer: SessionDescription): AnswerVerdict {
  const violations: SignalViolation[] = [];
  // RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as the offer."
  if (answer.media.length !== offer.media.length) {
    return reject('RFC 3264 §6', `answer has ${answer.media.length} m-lines for the offer's ${offer.media.length}`);
  }
  const lines = offeredMessageLines(offer);
  if (lines.length === 0) return reject('E-01', 'offer has no m=message line with a non-zero port');
  let active: Party | undefined;
  for (const { index, media: o } of lines) {
    const a = answer.media[index] as MsrpMediaDescription;
    if (a.media !== o.media) return reject('RFC 3264 §6', `answer m-line ${index + 1} is "${a.media}" for an offered "${o.media}"`);
    // E-01, RFC 4975 §8.1: "a user agent that wishes to accept an offer, but not a specific media-
    // line, MUST set the port number of that media-line to zero (0) in the response."
    if (a.port === 0) continue;
    const problem = checkMsrpMedia(answer, a, 'answer', false, violations);
    if (problem !== undefined) return problem;
    const offerSetup = effectiveSetup(offer, o);
    const answerSetup = effectiveSetup(answer, a);
    // E-18 with RFC 4145 §4.1: one party active, the other passive; actpass is for offers only.
    const party = activePartyFromAnswer(offerSetup, answerSetup);
    if (party === undefined) {
      return reject('E-18', `answer a=setup:${answerSetup ?? '(none)'} does not fit offer a=setup:${offerSetup ?? '(none)'}`);
    }
    active ??= party;
  }
  if (active === undefined) return reject('E-01', 'answerer rejected every MSRP media line (port 0)');
  return { ok: true, active, violations };
}

// ---------------------------------------------------------------------------------------------
// Building

/** The o= fields a node draws from its seeded streams (RFC 4566 §5.2). */
export interface OriginFields {
  username: string;
  sessionId: string;
  version: string;
}

/** What an endpoint puts into its side of the exchange. */
export interface EndpointSdpConfig {
  origin: OriginFields;
  /** s= text; `-` by default. */
  sessionName?: string;
  /**
   * Its own a=path, endpoint URI last, each with an explicit port (R-07: reverse(Use-Path) ++ own
   * session URI for a relay client).
   */
  path: readonly string[];
  acceptTypes: readonly string[];
  acceptWrappedTypes?: readonly string[];
  maxSize?: number;
  /** Supports RFC 6135 (E-18). */
  comedia?: boolean;
  /** Known to be behind a NAT (RFC 6135 §4.2.2). */
  behindNat?: boolean;
  /** Supports RFC 6714 CEMA; implies `comedia`. */
  cema?: boolean;
}

export interface OfferConfig extends EndpointSdpConfig {
  direction?: Direction;
  /** RFC 5547 file transfer: the file being offered. */
  fileSelector?: FileSelector;
  fileTransferId?: string;
}

export type AnswererConfig = EndpointSdpConfig;

export type BuiltAnswer =
  | { ok: true; answer: SessionDescription; active: Party; violations: SignalViolation[] }
  | Rejection;

/** Reads an endpoint's own path; a malformed one is a configuration bug, so it throws. */
function ownUris(path: readonly string[]): PathUri[] {
  if (path.length === 0) throw new Error('an MSRP endpoint needs a non-empty a=path');
  return path.map((text) => {
    const parsed = parsePathUri(text);
    if (!parsed.ok) throw new Error(`own a=path: ${parsed.message}`);
    if (parsed.uri.port === undefined) throw new Error(`own a=path URI "${text}" needs an explicit port (U-04)`);
    return parsed.uri;
  });
}

/**
 * Where the m/c-lines point: the endpoint URI (E-01, E-02), or with CEMA and a relay, the relay.
 * X-06, RFC 6714 §4.2: a relay-using offerer "MUST ... include the address information of the
 * relay, rather than its own address information, in the SDP c/m-line".
 */
interface LineAddress {
  port: number;
  address: string;
  addressType: AddressType;
  proto: MsrpProto;
}

/** This endpoint's MSRP media line, offered or answered: its address, its a=path, what it accepts. */
function ownMedia(config: EndpointSdpConfig, line: LineAddress): MsrpMediaDescription {
  const m: MsrpMediaDescription = {
    media: 'message',
    port: line.port,
    proto: line.proto,
    formats: ['*'],
    connectionAddress: line.address,
    addressType: line.addressType,
    path: [...config.path],
    acceptTypes: [...config.acceptTypes],
  };
  if (config.acceptWrappedTypes !== undefined) m.acceptWrappedTypes = [...config.acceptWrappedTypes];
  if (config.maxSize !== undefined) m.maxSize = config.maxSize;
  return m;
}

function lineAddress(uris: PathUri[], cemaViaRelay: boolean): LineAddress {
  const own = uris[uris.length - 1] as PathUri;
  const target = cemaViaRelay ? (uris[0] as PathUri) : own;
  return {
    port: target.port as number,
    address: hostAsConnectionAddress(target.host),
    addressType: addressTypeOfHost(target.host),
    // U-07: TLS exactly when the endpoint URI is msrps.
    proto: own.scheme === 'msrps' ? 'TCP/TLS/MSRP' : 'TCP/MSRP',
  };
}

function sessionFrom(
  config: EndpointSdpConfig,
  line: LineAddress,
  media: MsrpMediaDescription[],
  time = { start: 0, stop: 0 },
): SessionDescription {
  return {
    origin: { ...config.origin, addressType: line.addressType, address: line.address },
    sessionName: config.sessionName ?? '-',
    connection: { addressType: line.addressType, address: line.address },
    time,
    media,
  };
}

/** Builds an offer with one MSRP media line from an endpoint's configuration. */
export function buildOffer(config: OfferConfig): SessionDescription {
  const uris = ownUris(config.path);
  const comedia = config.comedia === true || config.cema === true;
  const usesRelay = uris.length > 1;
  const line = lineAddress(uris, config.cema === true && usesRelay);
  const m = ownMedia(config, line);
  // E-18: actpass when reachable (a relay counts), active otherwise; X-06 §4.2 item 3: a relay-using
  // CEMA offerer "MUST include an SDP 'setup:actpass' attribute", which the relay already implies.
  const setup = chooseOfferSetup({ comedia, behindNat: config.behindNat === true, usesRelay });
  if (setup !== undefined) m.setup = setup;
  if (config.direction !== undefined) m.direction = config.direction;
  // X-06, RFC 6714 §4.2: "The offerer MUST include an SDP 'msrp-cema' attribute".
  if (config.cema === true) m.cema = true;
  if (config.fileSelector !== undefined) m.fileSelector = config.fileSelector;
  if (config.fileTransferId !== undefined) m.fileTransferId = config.fileTransferId;
  return sessionFrom(config, line, [m]);
}

/** RFC 3264 §6.1: the answer's direction mirrors the offer's. */
function mirror(direction: Direction | undefined): Direction | undefined {
  if (direction === 'sendonly') return 'recvonly';
  if (direction === 'recvonly') return 'sendonly';
  return direction;
}

/**
 * Answers an offer: validates it (a {@link Rejection} means SIP 488), then answers the first MSRP
 * media line with this endpoint's path and types and every other m-line with port 0 (RFC 3264 §6).
 */
export function buildAnswer(offer: SessionDescription, config: AnswererConfig): BuiltAnswer {
  const verdict = validateOffer(offer, config);
  if (!verdict.ok) return verdict;
  const uris = ownUris(config.path);
  const comedia = config.comedia === true || config.cema === true;
  const answererRelay = uris.length > 1;
  const chosen = offeredMessageLines(offer)[0] as { index: number; media: MsrpMediaDescription };
  const o = chosen.media;

  // validateOffer has already counted holdconn and refused passive, so setup.violations add nothing.
  const setup = negotiateSetup(effectiveSetup(offer, o), { comedia, behindNat: config.behindNat === true, usesRelay: answererRelay });
  let active = setup.active;
  let answerSetup = setup.answerSetup;

  // X-06, RFC 6714 §4.3: fall back to RFC 4975 (no a=msrp-cema) when both use relays or when the
  // relay-using offerer becomes active; otherwise answer with a=msrp-cema.
  const offererRelay = o.path.length > 1;
  const cema = config.cema === true && o.cema === true && !(offererRelay && answererRelay) && !(offererRelay && active === 'offerer');
  if (cema && answererRelay) {
    // X-06, RFC 6714 §4.3 item 3: "the answerer MUST include an SDP 'setup:passive' attribute".
    answerSetup = 'passive';
    active = 'offerer';
  }
  const line = lineAddress(uris, cema && answererRelay);

  const media = offer.media.map((m, index): MsrpMediaDescription => {
    if (index !== chosen.index) {
      // RFC 3264 §6: a stream the answerer does not take is answered with port 0. Only one MSRP
      // session per answer: its URI must not serve another session (U-09).
      return {
        media: m.media,
        port: 0,
        proto: m.proto,
        formats: [...m.formats],
        connectionAddress: line.address,
        addressType: line.addressType,
        path: [],
        acceptTypes: [],
      };
    }
    const a = ownMedia(config, line);
    if (answerSetup !== undefined) a.setup = answerSetup;
    let direction = mirror(effectiveDirection(offer, o));
    if (o.fileSelector !== undefined) {
      // X-07, RFC 5547 §8.3: "If the offer contains 'name', 'type', or 'size' selectors in the
      // 'file-selector' attribute, the answerer MUST copy them into the answer. The file receiver
      // copies the value of the 'file-transfer-id' attribute ... MUST add a ... 'recvonly' attribute".
      const fs: FileSelector = {};
      if (o.fileSelector.name !== undefined) fs.name = o.fileSelector.name;
      if (o.fileSelector.type !== undefined) fs.type = o.fileSelector.type;
      if (o.fileSelector.size !== undefined) fs.size = o.fileSelector.size;
      a.fileSelector = fs;
      if (o.fileTransferId !== undefined) a.fileTransferId = o.fileTransferId;
      direction = 'recvonly';
    }
    if (direction !== undefined) a.direction = direction;
    if (cema) a.cema = true;
    return a;
  });
  // RFC 3264 §6: the answer's t= equals the offer's.
  return { ok: true, answer: sessionFrom(config, line, media, { ...offer.time }), active, violations: verdict.violations };
}
