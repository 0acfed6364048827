/**
 * Records of the scenario's actions (emitted by the World and the runner as they apply them, with
 * `node` '' or the node acted on) and of a node's crash and restart.
 */
import type { Micros } from '../../sim/time.js';
import type { FirewallDirection } from '../../net/net-types.js';
import type { MsrpPolicy } from '../firewall-policy.js';

/** Scenario action `session`: `offerer` offers session `session` to `answerer`. */
export interface ActionSessionRecord { session: string; offerer: string; answerer: string }
/** Scenario action `send` (`size` null: the body is given, not its size). */
export interface ActionSendRecord { session: string; from: string; contentType: string; size: number | null }
/** Scenario action `end`. */
export interface ActionEndRecord { session: string; by: string }
/** Scenario action `auth`: `node` (the record's node) authenticates again. */
export interface ActionAuthRecord { node: string }
/** Scenario action `raw`: `length` bytes written by `node`, for `session` or to node `to`. */
export interface ActionRawRecord { node: string; length: number; session: string | null; to: string | null }
/** Scenario action `raw` with a URI: `node` opens a connection of its own to `target`. */
export interface ActionRawConnectRecord { node: string; target: string }
/** Scenario action `set`: the keys of `node`'s settings it changed. */
export interface ActionSetRecord { node: string; changed: string[] }
/**
 * Scenario action `fault`: the fault's kind; a `resetConnection` that found nothing to reset says
 * so with `reset` 0; a `dropFrame` names the segment it dropped.
 */
export type ActionFaultRecord =
  | { fault: string }
  | { fault: 'resetConnection'; peer: string | null; reset: number }
  | { fault: 'dropFrame'; nth: number; conn: string; link: string };

/** A firewall's MSRP policy was set (`policy` null: removed); `inspecting`: it reads MSRP from now on. */
export interface FirewallPolicyRecord { policy: MsrpPolicy | null; inspecting: boolean }
/** A connection direction the firewall's MSRP policy does not inspect, and why. */
export interface FirewallPolicySkipRecord { flow: string; direction: FirewallDirection | null; reason: string }

/** A node crashed: an endpoint says how many sessions and waiting actions it lost. */
export type NodeCrashRecord = { role: 'relay' } | { role: 'endpoint'; sessions: number; waiting: number };
/** A node restarted after a crash. */
export interface NodeRestartRecord { role: 'endpoint' | 'relay' }

/** SIP as msrp-sim models it (src/signal/sip.ts): a message's summary. */
export interface SipSummaryFields {
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
/** A SIP message sent (its whole text) from the record's node to `to`. */
export type SipSendRecord = { session: string; to: string } & SipSummaryFields & { text: string };
/** A SIP message received by the record's node from `from`. */
export type SipRecvRecord = { session: string; from: string } & SipSummaryFields;
/** A final response to an (re-)INVITE that the session has moved past (RFC 3261 §13.2.2.4). */
export interface SipStaleRecord { session: string; from: string; status: number; initial: boolean; reason: string }
/** RFC 3261 §17.1.1.2: an INVITE got no final response before Timer B (`after`). */
export interface SipTimeoutRecord { session: string; to: string; method: 'INVITE'; initial: boolean; after: Micros }
