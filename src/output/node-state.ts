/**
 * Every node's state at any moment of a run, from the trace's `state.*` records (trace format 2,
 * docs/trace-format.md "Node state for the teaching panel"; declared in
 * src/protocol/state-events.ts). Each record says what one piece of a node's state is after it
 * changed, so the state at a record is the last record of each piece up to it.
 *
 * The report does not carry a snapshot per step (a run of 10,000 steps and 50 pieces of state
 * would repeat them 10,000 times): it carries the records once, as a compact index
 * (`NodeStateIndex`), and the page replays them. The replay is `replayNodeState`, one
 * self-contained function that the report's script embeds as it is (by its source text), so the
 * page and the tests run the same code.
 */
import type { AnyTraceRecord } from '../sim/trace.js';

/** The kinds of state, in the order the panel lists them (`state.auth` -> 'auth'). */
export const STATE_KINDS = ['auth', 'token', 'peer', 'session', 'transaction', 'message'] as const;

export type StateKind = (typeof STATE_KINDS)[number];

/**
 * One state record: `[seq, node index, kind index, key, fields]`. `fields` are the record's own
 * fields (its `state`, `change` and the rest), without `t`, `seq`, `node` and `type`, plus `t`
 * under the name `at`.
 */
export type StateChange = [seq: number, node: number, kind: number, key: string, fields: Record<string, unknown>];

export interface NodeStateIndex {
  /** Node ids that have state records, referenced by index. */
  nodes: string[];
  /** `STATE_KINDS`, so that the page needs no copy of it. */
  kinds: readonly string[];
  /** Every state record, in trace order. */
  changes: StateChange[];
}

/** A piece of state as last recorded: its fields and the `seq` of the record that set them. */
export interface StateEntry {
  fields: Record<string, unknown>;
  seq: number;
}

/** node id -> kind -> key -> entry. */
export type NodeSnapshot = Record<string, Record<string, Record<string, StateEntry>>>;

/** What identifies a piece of state of each kind on its node. */
function keyOf(kind: StateKind, r: AnyTraceRecord): string {
  switch (kind) {
    case 'auth':
      // A session's own AUTH (`authPerSession`) is a piece of state of its own beside the others.
      return r.session === undefined ? String(r.relay) : `${String(r.relay)} ${String(r.session)}`;
    case 'token':
      return String(r.token);
    case 'peer':
      return String(r.conn);
    case 'session':
      return String(r.session);
    case 'transaction':
      // A relay's transaction ids are its own, but two connections may carry the same id.
      return `${String(r.transactionId)} ${String(r.conn)}`;
    case 'message':
      return `${String(r.messageId)} ${String(r.direction)}`;
  }
}

const KIND_OF = new Map<string, number>(STATE_KINDS.map((k, i) => [`state.${k}`, i]));

/** Collects the `state.*` records of a trace as they stream. */
export class NodeStateCollector {
  private readonly nodeIndex = new Map<string, number>();
  private readonly index: NodeStateIndex = { nodes: [], kinds: STATE_KINDS, changes: [] };

  /** Feeds one record; records that are not `state.*` are ignored. */
  record(r: AnyTraceRecord): void {
    const kind = KIND_OF.get(r.type);
    if (kind === undefined) return;
    let node = this.nodeIndex.get(r.node);
    if (node === undefined) {
      node = this.index.nodes.length;
      this.nodeIndex.set(r.node, node);
      this.index.nodes.push(r.node);
    }
    const fields: Record<string, unknown> = { at: r.t };
    for (const [k, v] of Object.entries(r)) if (k !== 't' && k !== 'seq' && k !== 'node' && k !== 'type') fields[k] = v;
    this.index.changes.push([r.seq, node, kind, keyOf(STATE_KINDS[kind]!, r), fields]);
  }

  finish(): NodeStateIndex {
    return this.index;
  }
}

/** The index of a whole trace's records. */
export function nodeStateIndex(records: Iterable<AnyTraceRecord>): NodeStateIndex {
  const c = new NodeStateCollector();
  for (const r of records) c.record(r);
  return c.finish();
}

/**
 * Applies `index.changes[from .. to-1]` to `snapshot` (in place) and returns it. A piece of state
 * that has ended leaves its node's state: a transaction done or timed out, a token forgotten, a
 * client connection closed (the records that ended them remain in the index, for the panel's list
 * of changes).
 *
 * Self-contained on purpose (no reference outside its body, plain ES2020): the report embeds its
 * source text and runs it in the page.
 */
export function replayNodeState(snapshot: NodeSnapshot, index: NodeStateIndex, from: number, to: number): NodeSnapshot {
  const gone: Record<string, string[]> = { transaction: ['done', 'timed-out'], token: ['forgotten'], peer: ['closed'] };
  const end = Math.min(to, index.changes.length);
  for (let i = Math.max(0, from); i < end; i++) {
    const c = index.changes[i]!;
    const node = index.nodes[c[1]]!;
    const kind = index.kinds[c[2]]!;
    const byKind = snapshot[node] ?? (snapshot[node] = {});
    const byKey = byKind[kind] ?? (byKind[kind] = {});
    const ended = gone[kind];
    if (ended !== undefined && ended.indexOf(String(c[4].state)) >= 0) delete byKey[c[3]];
    else byKey[c[3]] = { fields: c[4], seq: c[0] };
  }
  return snapshot;
}

/** The number of changes with `seq` below `seq` (binary search: changes are in trace order). */
export function changesBefore(index: NodeStateIndex, seq: number): number {
  let lo = 0;
  let hi = index.changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.changes[mid]![0] < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every node's state after the records with `seq` below `seq`: a new snapshot. */
export function nodeStateBefore(index: NodeStateIndex, seq: number): NodeSnapshot {
  return replayNodeState({}, index, 0, changesBefore(index, seq));
}
