/**
 * A loaded scenario: checked, with units converted, defaults applied and references resolved.
 * Nothing here needs the file any more; every time is integer microseconds, every size bytes,
 * every bandwidth bits per second.
 */

import type { Micros } from '../sim/time.js';
import type { TlsVersion } from '../net/tls-session.js';
import type { EndpointRole } from '../nodes/world.js';
import type { RelayProfileName } from '../nodes/relay-profile.js';

/** The kernel's virtual time, the TLS versions, the endpoint roles and relay profiles of the layers below. */
export type { Micros, TlsVersion, EndpointRole, RelayProfileName };
export type Bytes = number;
export type BitsPerSecond = number;
export type NodeId = string;
export type SessionId = string;

/** Where something was written, for messages about it at run time. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** `exact`: the trace record by record, byte for byte; `msrp`: the frames at the MSRP level (`msrp-sim diff`). */
export type GoldenMode = 'exact' | 'msrp';

export interface Scenario {
  name: string;
  /** `''` when the file gives none. */
  description: string;
  seed: number | string;
  /** How `msrp-sim test` compares a run with its golden trace (docs/diff.md). */
  golden: GoldenMode;
  /** Virtual time limit of the run. */
  duration: Micros;
  /** One-way SIP signalling delay between any two nodes. */
  signallingDelay: Micros;
  /** How long an INVITE waits for its final response (RFC 3261 Timer B). */
  inviteTimeout: Micros;
  tcp: TcpSettings;
  /** In file order. */
  nodes: ScenarioNode[];
  /** In file order; `LinkRef.link` indexes this list. */
  links: ScenarioLink[];
  /** Every session the events open, in the order they open. */
  sessions: ScenarioSession[];
  /**
   * In time order (stable: events at the same time keep file order). `for` on a fault has been
   * turned into a second event that undoes it.
   */
  events: ScenarioEvent[];
  /** In file order. */
  expectations: Expectation[];
}

export interface TcpSettings {
  connectTimeout: Micros;
  /** Initial retransmission timeout; doubles with each retry. */
  rto: Micros;
  maxRetries: number;
}

// ----------------------------------------------------------------------------------------------
// Nodes

export type ScenarioNode = ScenarioEndpoint | ScenarioRelay | ScenarioFirewall;
export type ScenarioNodeRole = ScenarioNode['role'];
export type ReportValue = 'yes' | 'no';
export type FailureReportValue = 'yes' | 'no' | 'partial';

interface NodeBase {
  id: NodeId;
  host: string;
  /** Dotted IPv4; `null`: the network assigns one. */
  address: string | null;
}

export interface ScenarioEndpoint extends NodeBase {
  role: EndpointRole;
  port: number;
  scheme: 'msrp' | 'msrps';
  tls: { version: TlsVersion };
  /** Names in the node's TLS server certificate. */
  certificateNames: string[];
  /** In order: the first is the one the endpoint connects to. */
  relays: ScenarioRelayCredentials[];
  acceptTypes: string[];
  acceptWrappedTypes: string[];
  /** `null`: no a=max-size. */
  maxSize: Bytes | null;
  chunkSize: Bytes;
  chunkStrategy: 'fixed' | 'interruptible';
  successReport: ReportValue;
  failureReport: FailureReportValue;
  transactionTimeout: Micros;
  /** Expires asked for in AUTH (a whole number of seconds); `null`: none asked for. */
  authExpires: Micros | null;
  connectionModel: 'rfc4975' | 'rfc6135';
  reachable: boolean;
  onSessionFailure: 'report' | 'reestablish';
}

export interface ScenarioRelayCredentials {
  relay: NodeId;
  username: string;
  /** `null`: the endpoint has no password for this relay (its AUTH will fail; a warning says so). */
  password: string | null;
  /** `false`: the endpoint's Authorization to this relay leaves out the digest `uri` parameter. */
  digestUri?: boolean;
  /** `true`: the endpoint AUTHs to this relay once per session, on a connection of the session's own. */
  authPerSession?: boolean;
}

export interface ScenarioRelay extends NodeBase {
  role: 'relay';
  port: number;
  scheme: 'msrp' | 'msrps';
  tls: { version: TlsVersion };
  certificateNames: string[];
  realm: string;
  /** Username to password. */
  users: Record<string, string>;
  /** Each a whole number of seconds, min <= default <= max. */
  expires: { min: Micros; default: Micros; max: Micros };
  /** `null`: chunks are forwarded as they come. */
  maxChunk: Bytes | null;
  probation: Micros;
  maxFailedAuths: number;
  nonceLifetime: Micros;
  /** `null`: no limit. */
  idleLimit: Micros | null;
  transactionTimeout: Micros;
  profile: RelayProfileName;
  /** A real relay (live mode, docs/live.md); `null`: simulated. */
  live: ScenarioRelayLive | null;
  /** A simulated relay that also listens on a real socket for real clients (live mode); `null`: none. */
  listen: ScenarioRelayListen | null;
}

/** A simulated relay's real listener (live mode, `live: { listen }`). */
export interface ScenarioRelayListen {
  address: { host: string; port: number };
  /** msrps: the certificate and key files as written (relative to the scenario file); `null`: not given. */
  cert: string | null;
  key: string | null;
}

/** A real relay that the endpoints using it reach over real sockets (live mode). */
export interface ScenarioRelayLive {
  /** Where it listens. */
  connect: { host: string; port: number };
  /** msrps: file names as written (relative to the scenario file); `null`: not given. */
  ca: string | null;
  /** msrps: SNI and the name checked in its certificate; `null`: the host of `connect`. */
  serverName: string | null;
  clientCert: string | null;
  clientKey: string | null;
}

export interface ScenarioFirewall extends NodeBase {
  role: 'firewall';
  inside: NodeId[];
  rules: ScenarioFirewallRule[];
  default: { inbound: 'allow' | 'deny'; outbound: 'allow' | 'deny'; mode: 'drop' | 'reject' };
  idleTimeout: Micros;
  idleMode: 'drop' | 'reset';
  /** `null`: no NAT. `address` `null`: the firewall's own address. */
  nat: { address: string | null } | null;
  /** `null`: the firewall does not look at MSRP. */
  policy: FirewallPolicy | null;
}

export interface ScenarioFirewallRule {
  /** As written, or `rule-N` with N counting from 1. */
  id: string;
  action: 'allow' | 'deny';
  direction: 'inbound' | 'outbound' | 'any';
  port: number | null;
  /** Destination host name or IPv4 address; a node id in the file is resolved to its host. */
  host: string | null;
  tlsOnly: boolean;
  /** For deny rules; `null` for allow rules. */
  mode: 'drop' | 'reject' | null;
}

export interface FirewallPolicy {
  maxFrame: Bytes | null;
  /** `null`: every method. */
  methods: string[] | null;
  /** `null`: every content type. */
  contentTypes: string[] | null;
  action: 'drop' | 'reset';
}

// ----------------------------------------------------------------------------------------------
// Links

export interface LinkSettings {
  /** One way. */
  latency: Micros;
  jitter: Micros;
  bandwidth: BitsPerSecond;
  /** Probability from 0 to 1 that a segment is lost. */
  loss: number;
  mss: Bytes;
}

export interface ScenarioLink extends LinkSettings {
  /** The two ends as written. */
  a: NodeId;
  b: NodeId;
}

/** A link named by an event or expectation, with its ends in the order written there. */
export interface LinkRef {
  /** Index into `Scenario.links`. */
  link: number;
  a: NodeId;
  b: NodeId;
}

// ----------------------------------------------------------------------------------------------
// Sessions and events

export interface ScenarioSession {
  id: SessionId;
  offerer: NodeId;
  answerer: NodeId;
  openedAt: Micros;
  /** `null`: never ended by an event. */
  endedAt: Micros | null;
  endedBy: NodeId | null;
}

export type ScenarioEvent = EventBase & ScenarioAction;

export interface EventBase {
  at: Micros;
  /** Index of the event in the file's `events` list. */
  index: number;
  source: SourcePosition;
}

export type ScenarioAction = SessionAction | ScenarioSendAction | EndAction | AuthAction | FaultAction | SetAction | RawAction;

export interface SessionAction {
  action: 'session';
  session: SessionId;
  offerer: NodeId;
  answerer: NodeId;
}

export interface ScenarioSendAction {
  action: 'send';
  session: SessionId;
  from: NodeId;
  /** The other party of the session. */
  to: NodeId;
  contentType: string;
  content: { kind: 'text'; text: string; bytes: Uint8Array } | { kind: 'generated'; size: Bytes };
  /** Body length in bytes. */
  size: Bytes;
  chunkSize: Bytes;
  chunkStrategy: 'fixed' | 'interruptible';
  successReport: ReportValue;
  failureReport: FailureReportValue;
  force: boolean;
  /** Abort the message once this many body bytes are sent; `null`: never. */
  abortAfter: Bytes | null;
  count: number;
  /** Between messages when `count` > 1. */
  interval: Micros;
}

export interface EndAction {
  action: 'end';
  session: SessionId;
  by: NodeId;
}

export interface AuthAction {
  action: 'auth';
  node: NodeId;
}

export interface FaultAction {
  action: 'fault';
  fault: Fault;
  /** True for the event made from a fault's `for` (the linkUp, restart or heal). */
  recovery: boolean;
}

export type Fault =
  | { kind: 'linkDown'; link: LinkRef }
  | { kind: 'linkUp'; link: LinkRef }
  | { kind: 'crash'; node: NodeId }
  | { kind: 'restart'; node: NodeId }
  | { kind: 'resetConnection'; node: NodeId; peer: NodeId | null }
  | { kind: 'flushFirewall'; firewall: NodeId }
  | { kind: 'partition'; groups: NodeId[][] }
  | { kind: 'heal' }
  | { kind: 'setLink'; link: LinkRef; changed: (keyof LinkSettings)[]; settings: LinkSettings }
  | { kind: 'expireTokens'; relay: NodeId }
  | { kind: 'dropSegment'; link: LinkRef; nth: number; from: NodeId | null }
  | { kind: 'dropFrame'; link: LinkRef; nth: number; from: NodeId | null; method: string | null; status: number | null };

export interface SetAction {
  action: 'set';
  node: NodeId;
  /** The keys the event changes. */
  changed: string[];
  /** The node's whole settings from this event on. */
  settings: ScenarioNode;
}

export interface RawAction {
  action: 'raw';
  node: NodeId;
  session: SessionId | null;
  to: NodeId | null;
  bytes: Uint8Array;
}

// ----------------------------------------------------------------------------------------------
// Expectations

export type Expectation = ExpectationBase & ExpectationKind;

export interface ExpectationBase {
  /** Index in the file's `expect` list. */
  index: number;
  source: SourcePosition;
}

/** At least `min`, at most `max` (`null`: no upper bound). */
export interface CountBound {
  min: number;
  max: number | null;
}

/** A To-Path or From-Path element: a node (its URI, session part ignored) or a URI as written. */
export type PathElement = { node: NodeId } | { uri: string };

export type ExpectationKind =
  | { expect: 'delivered'; session: SessionId; to: NodeId; from: NodeId; messages: number; within: Micros | null }
  | { expect: 'report'; to: NodeId; status: number; session: SessionId | null; count: CountBound; before: Micros | null }
  | { expect: 'response'; to: NodeId; status: number; method: string | null; session: SessionId | null; count: CountBound; before: Micros | null }
  | { expect: 'path'; at: NodeId; method: string; session: SessionId | null; toPath: PathElement[] | null; fromPath: PathElement[] | null }
  | { expect: 'connection'; from: NodeId; to: NodeId; state: 'opened' | 'refused' | 'blocked' | 'timeout'; before: Micros | null }
  | {
      expect: 'none';
      kind: 'response' | 'report' | 'violation' | 'drop' | 'reset' | 'timeout';
      status: number | null;
      rule: string | null;
      at: NodeId | null;
      method: string | null;
    }
  | { expect: 'count'; link: LinkRef; from: NodeId | null; method: string | null; status: number | null; frames: CountBound };
