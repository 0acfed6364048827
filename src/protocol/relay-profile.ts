/**
 * Relay profiles: the strict RFC 4976 relay, and presets that reproduce how deployed relays
 * behave. Each profile is the strict behaviour plus a list of deviations; a node that acts on a
 * deviation names the deviation's id as the rule in its trace record (docs/relay-profiles.md has
 * the table of every deviation, what the strict relay does instead and the rule it departs from).
 */
export type RelayProfileName = 'rfc4976' | 'kamailio' | 'msrprelay' | 'opensips';

const SECOND = 1_000_000;

/**
 * The relay settings a profile may give its own default for (RelayOptions). Durations are in
 * microseconds; the Expires values are in seconds, as they go on the wire (Expires, Min-Expires,
 * Max-Expires headers).
 */
export interface RelayTunables {
  /** smallest Expires granted (s). */
  expiresMin: number;
  /** Expires granted to an AUTH without one (s). */
  expiresDefault: number;
  /** largest Expires granted (s). */
  expiresMax: number;
  /** time a new connection has to make a successful request (µs). */
  probation: number;
  /** failed AUTHs after which a client connection is closed. */
  maxFailedAuths: number;
  /** Time a nonce is accepted after it was issued (µs). */
  nonceLifetime: number;
}

/** The strict relay's defaults, used for whatever neither the scenario nor the profile sets. */
export const STRICT_DEFAULTS: RelayTunables = {
  expiresMin: 60,
  expiresDefault: 900,
  expiresMax: 3600,
  probation: 30 * SECOND,
  maxFailedAuths: 3,
  nonceLifetime: 300 * SECOND,
};

export interface RelayProfile {
  name: RelayProfileName;
  /** Keep the transaction id of a forwarded request instead of a new one per hop. */
  keepTransactionId: boolean;
  /** Which Failure-Report values get an immediate 200 to a SEND. */
  okFor: ReadonlySet<'yes' | 'partial' | 'no'>;
  /** The relay never generates REPORTs (no 408, no failure REPORTs). */
  neverReports: boolean;
  /** Responses to forwarded SENDs are dropped without acting on them. */
  ignoreSendResponses: boolean;
  /** Unknown token: 481 only as the last relay hop, otherwise 200 and a silent drop. */
  unknownSession481OnlyLastHop: boolean;
  /** A SEND through a known token is relayed whatever connection it came from (open relay). */
  relayUnauthenticated: boolean;
  /** Unknown methods are answered 501 instead of being forwarded (R-24 allows blocking). */
  rejectUnknownMethods: boolean;
  /** Frames larger than this are answered 501 and not forwarded (bytes), or null. */
  rejectFramesAbove: number | null;
  /** Frames of this size or more make the relay drop the connection (bytes), or null. */
  dropConnectionAt: number | null;
  /** An AUTH that carries Expires gets a malformed 423 (no Min-/Max-Expires). */
  malformed423OnExpires: boolean;
  /** The 200 to AUTH carries no Authentication-Info. */
  noAuthenticationInfo: boolean;
  /**
   * Cut-through forwarding: a SEND's body is forwarded as it arrives, in a chunk that any other
   * frame for the same connection interrupts (`+`), resumed in a new transaction.
   */
  cutThrough: boolean;
  /** A new outbound connection per session (one session per TCP connection). */
  connectionPerSession: boolean;
  /** Failure REPORT Byte-Range: the received chunk's start and the bytes actually received of it. */
  reportReceivedRange: boolean;
  /** A non-SEND body above this closes the connection (bytes), or null. */
  closeOnNonSendBodyAbove: number | null;
  /** Failed AUTH answered 403 instead of 401; the last allowed failure gets no answer, only the disconnect. */
  failedAuth403: boolean;
  /** A nonce past its lifetime is a failed login, not a 401 with stale=true. */
  noStaleNonce: boolean;
  /** Expires bounds are checked at AUTH but the token is never invalidated when it runs out. */
  expiresNotEnforced: boolean;
  /** Realm taken from the AUTH To-Path host instead of the configured realm. */
  realmFromToPath: boolean;
  /** Store-and-forward buffer limit: a frame larger than `bufferBytes`, or that needs more than `maxReads` reads, closes the connection. */
  readsLimit: { bufferBytes: number; maxReads: number } | null;
  /** The relay's own errors with these codes go to a SEND's sender as 200 and a REPORT, not as a transaction response. */
  errorsAsReports: ReadonlySet<number> | null;
  /** A 408 REPORT only when Failure-Report is literally `yes` (not when absent). */
  timeoutOnlyForExplicitYes: boolean;
  /**
   * msrprelay: an AUTH whose Authorization carries a `uri` parameter is never answered (the
   * relay's digest check raises on it and nothing catches the error).
   */
  authUriUnanswered: boolean;
  /**
   * msrprelay: one AUTH is one session between two connections (its legs): the AUTH's, bound to
   * the AUTH's From-Path, and the first other one a SEND for it arrives on (or the one the relay
   * opens for the owner's first SEND), bound to that SEND's path. Anything else gets 481; a second
   * AUTH on a connection that has a session gets 481; AUTH is never forwarded (501); losing one
   * leg ends the session (408 REPORTs, the other leg closed). See relay-sessions.ts.
   */
  sessionPerAuth: boolean;
  /**
   * msrprelay: a request or response whose To-Path or From-Path has a URI its reader refuses (an
   * upper-case scheme, a transport other than `tcp`, a parameter without `=`; msrprelay-uri.ts) is
   * dropped unanswered: it has nowhere to send a response.
   */
  unreadablePathDropped: boolean;
  /** The challenge's optional parameters: `opaque` sent, `algorithm` sent. */
  challenge: { opaque: boolean; algorithm: boolean };
  /**
   * opensips: failed AUTHs are answered with a code and reason per failure (400 for what the
   * relay cannot read, 403 for what it refuses), never a new challenge; nobody is disconnected.
   */
  failedAuthCodes: boolean;
  /** opensips: the only URI scheme the relay serves; a request whose first To-Path URI has another is dropped unanswered. */
  servedScheme: 'msrp' | 'msrps' | null;
  /** opensips: a request not addressed to the relay (or, but for AUTH, without a port in its first To-Path URI) is dropped unanswered. */
  dropNotMine: boolean;
  /**
   * opensips: a valid token is all a request needs: no check of the connection it comes on or of
   * where it goes; tokens outlive the AUTH's connection; requests go where the next To-Path URI
   * says (the peer's own connection only for the owner's requests, once the peer connected first).
   */
  routeByToPath: boolean;
  /**
   * opensips: a request goes to the next To-Path URI's address over a connection this relay opened
   * to it, or a new one; never over a client's own connection (RelayNode.connectionFor).
   */
  deliverByConnecting: boolean;
  /** opensips: a SEND that cannot be forwarded (next hop unreachable) gets its 200 and then a REPORT with this code. */
  forwardFailureReport: number | null;
  /** opensips: the 200 to a forwarded AUTH (the only other request it forwards) is dropped, not sent back. */
  swallowForwardedOk: boolean;
  /** opensips: a lost next-hop connection changes nothing; its transactions wait for their timeout. */
  waitOnNextHopLoss: boolean;
  /** opensips: a forwarded AUTH with no response in its window gets a 408 response. */
  authTimeout408: boolean;
  /** Defaults that differ from the strict relay's, applied unless the scenario sets them. */
  defaults: Partial<RelayTunables>;
  /**
   * Kamailio's msrp module routes by its connection map: the first To-Path URI is looked up only
   * when it is the last relay hop (nexthops <= 1); before that a SEND or REPORT is forwarded to the
   * next URI unchecked. A token alone in To-Path is found and the request goes nowhere.
   */
  cmapRouting: boolean;
  /** Tokens stay valid when their client's connection closes (until they expire). */
  keepTokensOnClose: boolean;
  /** The relay's own error responses go back whatever Failure-Report says, to REPORTs too. */
  answerEveryError: boolean;
  /** The digest uri is taken from the credentials, not checked against the AUTH's To-Path. */
  digestUriUnchecked: boolean;
  /** The relay's responses to a request with a Message-ID carry it too. */
  responseMessageId: boolean;
  /**
   * Forwarded SEND chunks go out as received: headers in the order received, the Byte-Range end
   * received (never `*`), never interrupted; not in the canonical order as an interruptible chunk.
   */
  forwardAsReceived: boolean;
  /** The 200 to AUTH has Use-Path before Expires. */
  usePathBeforeExpires: boolean;
  /** How nonces, challenges and Use-Path session ids look: the strict relay's, or Kamailio's. */
  idStyle: 'strict' | 'kamailio';
  /** Reason phrases for the relay's own responses, by status code (otherwise the usual phrase). */
  reasons: Readonly<Record<number, string>>;
}

/** The reason phrase `profile` gives its own response `code`, when it has one of its own. */
export function reasonFor(profile: RelayProfile, code: number): string | undefined {
  return profile.reasons[code];
}

const strict: RelayProfile = {
  name: 'rfc4976',
  keepTransactionId: false,
  okFor: new Set(['yes']),
  neverReports: false,
  ignoreSendResponses: false,
  unknownSession481OnlyLastHop: false,
  relayUnauthenticated: false,
  rejectUnknownMethods: false,
  rejectFramesAbove: null,
  dropConnectionAt: null,
  malformed423OnExpires: false,
  noAuthenticationInfo: false,
  cutThrough: false,
  connectionPerSession: false,
  reportReceivedRange: false,
  closeOnNonSendBodyAbove: null,
  failedAuth403: false,
  noStaleNonce: false,
  expiresNotEnforced: false,
  realmFromToPath: false,
  readsLimit: null,
  errorsAsReports: null,
  timeoutOnlyForExplicitYes: false,
  authUriUnanswered: false,
  sessionPerAuth: false,
  unreadablePathDropped: false,
  challenge: { opaque: false, algorithm: true },
  failedAuthCodes: false,
  servedScheme: null,
  dropNotMine: false,
  routeByToPath: false,
  deliverByConnecting: false,
  forwardFailureReport: null,
  swallowForwardedOk: false,
  waitOnNextHopLoss: false,
  authTimeout408: false,
  defaults: {},
  cmapRouting: false,
  keepTokensOnClose: false,
  answerEveryError: false,
  digestUriUnchecked: false,
  responseMessageId: false,
  forwardAsReceived: false,
  usePathBeforeExpires: false,
  idStyle: 'strict',
  reasons: {},
};

export const RELAY_PROFILES: Record<RelayProfileName, RelayProfile> = {
  rfc4976: strict,
  kamailio: {
    ...strict,
    name: 'kamailio',
    keepTransactionId: true,
    okFor: new Set(['yes', 'partial', 'no']),
    neverReports: true,
    ignoreSendResponses: true,
    unknownSession481OnlyLastHop: true,
    relayUnauthenticated: true,
    rejectUnknownMethods: true,
    // Measured against Kamailio 5.6.3 by bisection on frame bytes (test/differential/sizes.ts):
    // 11238 bytes are relayed, 11239 answered 501; 16383 answered 501, 16384 reset.
    rejectFramesAbove: 11_238,
    dropConnectionAt: 16_384,
    malformed423OnExpires: true,
    noAuthenticationInfo: true,
    cmapRouting: true,
    keepTokensOnClose: true,
    answerEveryError: true,
    digestUriUnchecked: true,
    responseMessageId: true,
    forwardAsReceived: true,
    usePathBeforeExpires: true,
    idStyle: 'kamailio',
    // msrp_reply() of the module's example configuration, and the module's own 423.
    reasons: { 423: 'Interval Out Of Bounds', 481: 'Session-does-not-exist', 501: 'Request-method-not-understood' },
    defaults: { expiresDefault: 3600, maxFailedAuths: Number.POSITIVE_INFINITY },
  },
  msrprelay: {
    ...strict,
    name: 'msrprelay',
    cutThrough: true,
    connectionPerSession: true,
    reportReceivedRange: true,
    failedAuth403: true,
    noStaleNonce: true,
    expiresNotEnforced: true,
    realmFromToPath: true,
    // An msrp-sim endpoint reaches it as AG Projects' client does with `authPerSession: true` and
    // `digestUri: false` on its relays entry (docs/relay-profiles.md); with the defaults its AUTH
    // is never answered, as a real msrprelay would treat it.
    authUriUnanswered: true,
    sessionPerAuth: true,
    unreadablePathDropped: true,
    // Its errors are raised and answered whatever Failure-Report says, to REPORTs too (relay.py
    // 349-356 and 554-559 enqueue every ResponseException's response to a request).
    answerEveryError: true,
    challenge: { opaque: true, algorithm: false },
    reasons: {
      200: 'OK',
      400: 'Request was unintelligible, please try again',
      401: 'Unauthenticated',
      403: 'Unauthorized to use this relay',
      408: 'Downstream transaction timed out',
      423: 'Parameter out of bounds',
      481: 'Indicated session does not exist, please terminate',
      501: 'Unknown method',
    },
    defaults: { expiresMin: 60, expiresDefault: 600, expiresMax: 3600, probation: 30 * SECOND, maxFailedAuths: 3, nonceLifetime: 15 * SECOND },
  },
  opensips: {
    ...strict,
    name: 'opensips',
    okFor: new Set(['yes', 'partial']),
    readsLimit: { bufferBytes: 64 * 1024, maxReads: 4 },
    errorsAsReports: new Set([481, 400, 403]),
    timeoutOnlyForExplicitYes: true,
    rejectUnknownMethods: true,
    challenge: { opaque: true, algorithm: true },
    reasons: { 200: 'OK', 401: 'Unauthorized', 423: 'Interval Out-of-Bounds', 501: 'Unknown method' },
    failedAuthCodes: true,
    servedScheme: 'msrp',
    dropNotMine: true,
    routeByToPath: true,
    deliverByConnecting: true,
    forwardFailureReport: 403,
    swallowForwardedOk: true,
    waitOnNextHopLoss: true,
    authTimeout408: true,
    defaults: { expiresMin: 0, expiresDefault: 1800, expiresMax: Number.MAX_SAFE_INTEGER, probation: Number.POSITIVE_INFINITY, maxFailedAuths: Number.POSITIVE_INFINITY, nonceLifetime: 30 * SECOND },
  },
};

/** The rule id a deviation is traced with, e.g. `kamailio:keep-tid`. */
export function deviation(profile: RelayProfile, name: string): string {
  return `${profile.name}:${name}`;
}
