/**
 * The step-through player's data (report.html): one step per arrow of the ladder drawn in the
 * report, in the order the frames were sent, with what the page needs to show at each step and
 * to follow a message, and the node state index (node-state.ts). The frames themselves are not
 * repeated: the page reads them from the arrows' tooltips.
 *
 * A step's moment: the state shown at step k is every node's state after all the records up to
 * the next step's frame (the sending of step k's frame and everything it caused before the next
 * frame left). The changes listed at step k are the state records of that span.
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import type { Arrow, FlowModel } from './flow-model.js';
import { changesBefore, NodeStateCollector, type NodeStateIndex } from './node-state.js';
import { describeRule } from './rules.js';

/** What ended an arrow that never arrived. */
export interface StepEnd {
  kind: 'drop' | 'lost' | 'refused' | 'malformed';
  at: string;
  reason: string;
  rule: string | null;
}

/**
 * What the hop changed in the paths: the paths as the node received them, and what it took off
 * and put on. URIs are indexes in `StepData.uris` (a run repeats a few URIs thousands of times).
 */
export interface StepPathChange {
  node: string;
  toBefore: number[];
  toRemoved: number[];
  fromBefore: number[];
  fromAdded: number[];
}

export interface Step {
  /** The arrow's id (`data-arrow` in the ladder). */
  arrow: number;
  /** The sending record's `seq` and time (µs); the arrival time, or null. */
  seq: number;
  t: number;
  arrival: number | null;
  from: string;
  /** The receiver, or where the frame ended when it never arrived. */
  to: string;
  kind: Arrow['kind'];
  /** The arrow's label: `SEND tid 1-2048/5000`. */
  label: string;
  method: string | null;
  status: number | null;
  transactionId: string | null;
  messageId: string | null;
  end: StepEnd | null;
  /** A rule id of `rules`, or null. */
  rule: string | null;
  pathChange: StepPathChange | null;
  /** The message this frame belongs to (a request by Message-ID, a response by its request): index in `StepData.messages`, or null. */
  message: number | null;
  /** A REPORT: the step of the SEND it reports on; a SEND: the steps of the REPORTs about its message. */
  reportOf: number | null;
  reports: number[];
  /** Node state changes applied up to the end of this step (a count of `states.changes`). */
  states: number;
}

export interface StepMessage {
  messageId: string;
  /** Whether a SEND of the message asked for a success REPORT. */
  successReport: boolean;
  /** The steps of the message, hop by hop and chunk by chunk, with the responses to them. */
  steps: number[];
}

export interface StepRule {
  ref: string;
  title: string;
}

export interface StepData {
  steps: Step[];
  messages: StepMessage[];
  /** The URIs of the path changes. */
  uris: string[];
  /** The rules steps name: id -> where it comes from and what it says. */
  rules: Record<string, StepRule>;
  /** Lanes (node ids) in ladder order, for the node-state panel. */
  nodes: string[];
  /** The trace's format version (1 when it has no `trace.format` record). */
  traceVersion: number;
  /** The node state records (empty when the trace has none). */
  states: NodeStateIndex;
}

/** Collects what the steps need beyond the flow model, as the records stream. */
export class StepCollector {
  private readonly states = new NodeStateCollector();
  /** `msrp.send` seq -> Message-ID. */
  private readonly messageIds = new Map<number, string>();
  private version = 1;

  record(r: AnyTraceRecord): void {
    if (r.type === 'msrp.send') {
      if (typeof r.messageId === 'string') this.messageIds.set(r.seq, r.messageId);
    } else if (r.type === 'trace.format') {
      if (typeof r.version === 'number') this.version = r.version;
    } else this.states.record(r);
  }

  /** The steps of the arrows `drawn` (ids), in sending order. */
  finish(model: FlowModel, drawn: Iterable<number>): StepData {
    return buildSteps(model, new Set(drawn), this.messageIds, this.version, this.states.finish());
  }
}

function buildSteps(model: FlowModel, drawn: Set<number>, messageIds: Map<number, string>, traceVersion: number, states: NodeStateIndex): StepData {
  const arrows = model.arrows.filter((a) => drawn.has(a.id)).sort((a, b) => a.t0 - b.t0 || a.seq0 - b.seq0);
  const rules: Record<string, StepRule> = {};
  const messages: StepMessage[] = [];
  const messageOf = new Map<string, number>();
  // The request a response answers: `from>to tid` of the request.
  const requestStep = new Map<string, number>();
  const messageOfStep: (number | null)[] = [];
  const uris: string[] = [];
  const uriIndex = new Map<string, number>();
  const ids = (list: string[]): number[] =>
    list.map((u) => {
      let i = uriIndex.get(u);
      if (i === undefined) {
        i = uris.length;
        uriIndex.set(u, i);
        uris.push(u);
      }
      return i;
    });
  const steps: Step[] = arrows.map((a, i) => {
    const messageId = a.kind === 'msrp' && a.status === null ? (messageIds.get(a.seq0) ?? null) : null;
    let message: number | null = null;
    if (messageId !== null) {
      message = messageOf.get(messageId) ?? null;
      if (message === null) {
        message = messages.length;
        messageOf.set(messageId, message);
        messages.push({ messageId, successReport: false, steps: [] });
      }
      if (a.method === 'SEND' && /\r?\nSuccess-Report: *yes\r?\n/i.test(a.text)) messages[message]!.successReport = true;
    }
    if (a.kind === 'msrp' && a.transactionId !== null) {
      if (a.status === null) requestStep.set(`${a.from}>${a.to} ${a.transactionId}`, i);
      else {
        const req = requestStep.get(`${a.to}>${a.from} ${a.transactionId}`);
        if (req !== undefined) message = messageOfStep[req]!;
      }
    }
    messageOfStep.push(message);
    if (message !== null) messages[message]!.steps.push(i);
    if (a.rule && !(a.rule in rules)) {
      const info = describeRule(a.rule);
      rules[a.rule] = { ref: info.ref, title: info.title };
    }
    const pc = a.pathChange;
    return {
      arrow: a.id,
      seq: a.seq0,
      t: a.t0,
      arrival: a.t1,
      from: a.from,
      to: a.t1 === null && a.end ? a.end.at : a.to,
      kind: a.kind,
      label: `${a.label}${a.sub ? ` ${a.sub}` : ''}`,
      method: a.method,
      status: a.status,
      transactionId: a.transactionId,
      messageId,
      end: a.t1 === null && a.end ? { kind: a.end.kind, at: a.end.at, reason: a.end.reason, rule: a.end.rule ?? null } : null,
      rule: a.rule,
      pathChange: pc ? { node: pc.node, toBefore: ids(pc.toBefore), toRemoved: ids(pc.toRemoved), fromBefore: ids(pc.fromBefore), fromAdded: ids(pc.fromAdded) } : null,
      message,
      reportOf: null,
      reports: [],
      states: 0,
    };
  });
  // A REPORT and the SEND it reports on: the message's first SEND (its sender asked for it).
  for (const m of messages) {
    const send = m.steps.find((i) => steps[i]!.method === 'SEND');
    if (send === undefined) continue;
    for (const i of m.steps) {
      if (steps[i]!.method !== 'REPORT') continue;
      steps[i]!.reportOf = send;
      steps[send]!.reports.push(i);
    }
  }
  // The last step's span ends where the first frame left out of the report was sent: the state
  // records after it are not carried.
  const last = arrows[arrows.length - 1];
  const after = last === undefined ? undefined : model.arrows.reduce<number | undefined>((m, a) => (!drawn.has(a.id) && (a.t0 > last.t0 || (a.t0 === last.t0 && a.seq0 > last.seq0)) && (m === undefined || a.seq0 < m) ? a.seq0 : m), undefined);
  const kept: NodeStateIndex = after === undefined ? states : { ...states, changes: states.changes.slice(0, changesBefore(states, after)) };
  steps.forEach((s, i) => {
    const next = steps[i + 1];
    s.states = next === undefined ? kept.changes.length : changesBefore(kept, next.seq);
  });
  return { steps, messages, uris, rules, nodes: model.lanes.filter((id) => id !== ''), traceVersion, states: kept };
}
