import { describe, expect, it } from 'vitest';
import { FlowCollector } from '../../src/output/flow.js';
import { StepCollector, type StepData } from '../../src/output/report-step.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { SPEC_TOPOLOGY, twoRelayPush } from './helpers.js';

function stepsOf(records: AnyTraceRecord[]): StepData {
  const flow = new FlowCollector({ topology: SPEC_TOPOLOGY });
  const steps = new StepCollector();
  for (const r of records) {
    flow.record(r);
    steps.record(r);
  }
  const model = flow.finish();
  return steps.finish(model, model.arrows.map((a) => a.id));
}

describe('the step-through data', () => {
  // A version 1 trace: the run traced in format 1, which has no state records.
  const records = twoRelayPush(5000, 2048, 1);
  const data = stepsOf(records);
  const { steps } = data;

  it('has one step per arrow, in the order the frames were sent', () => {
    expect(steps.length).toBeGreaterThan(20);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.t > steps[i - 1]!.t || (steps[i]!.t === steps[i - 1]!.t && steps[i]!.seq > steps[i - 1]!.seq)).toBe(true);
    const sends = records.filter((r) => r.type === 'msrp.send').map((r) => r.seq);
    expect(steps.filter((s) => s.kind === 'msrp').map((s) => s.seq)).toEqual(sends);
  });

  it('follows a message by Message-ID across the relays\' transaction-id rewrites, with the responses to each hop', () => {
    // The pushed image (the first SEND, 1-0/0, only opens the session: no Success-Report).
    expect(data.messages[steps.find((s) => s.method === 'SEND')!.message!]!.successReport).toBe(false);
    const first = steps.find((s) => s.method === 'SEND' && s.label.includes('/5000'))!;
    const m = data.messages[first.message!]!;
    const members = m.steps.map((i) => steps[i]!);
    const sendHops = members.filter((s) => s.method === 'SEND');
    // psa -> relay-a -> relay-b -> pra: the SEND crosses three hops, each with its own transaction id.
    expect(new Set(sendHops.map((s) => `${s.from}>${s.to}`))).toEqual(new Set(['psa>relay-a', 'relay-a>relay-b', 'relay-b>pra']));
    expect(new Set(sendHops.map((s) => s.transactionId)).size).toBeGreaterThan(new Set(sendHops.filter((s) => s.from === 'psa').map((s) => s.transactionId)).size);
    for (const s of sendHops) expect(s.messageId).toBe(m.messageId);
    // Every 200 to one of these SENDs is in the message too, and no frame of another message is.
    const tids = new Set(sendHops.map((s) => `${s.from}>${s.to} ${s.transactionId}`));
    for (const s of steps.filter((x) => x.status === 200 && x.kind === 'msrp')) expect(m.steps.includes(steps.indexOf(s))).toBe(tids.has(`${s.to}>${s.from} ${s.transactionId}`));
    for (const s of members) expect(s.messageId === null ? s.status !== null : s.messageId === m.messageId).toBe(true);
    expect(m.successReport).toBe(true);
  });

  it('links a REPORT to the SEND that asked for it, and the SEND to its REPORTs', () => {
    const reports = steps.map((s, i) => [s, i] as const).filter(([s]) => s.method === 'REPORT');
    expect(reports.length).toBeGreaterThan(0);
    for (const [r, i] of reports) {
      const send = steps[r.reportOf!]!;
      expect(send.method).toBe('SEND');
      expect(send.from).toBe('psa');
      expect(send.messageId).toBe(r.messageId);
      expect(send.reports).toContain(i);
    }
  });

  it('names the rules and path changes of the steps', () => {
    const forwarded = steps.find((s) => s.method === 'SEND' && s.from === 'relay-a')!;
    expect(forwarded.pathChange).toMatchObject({ node: 'relay-a' });
    expect(forwarded.pathChange!.toRemoved).toHaveLength(1);
    expect(forwarded.pathChange!.fromAdded).toHaveLength(1);
    for (const s of steps) if (s.rule) expect(data.rules[s.rule]).toBeDefined();
  });

  it('carries the state records a run of the model writes', () => {
    const d = stepsOf(twoRelayPush());
    expect(d.states.changes.length).toBeGreaterThan(0);
    expect(d.steps.at(-1)!.states).toBeGreaterThan(0);
  });

  it('says the trace is version 1 and has no state records, when it has none', () => {
    expect(data.traceVersion).toBe(1);
    expect(data.states.changes).toEqual([]);
    expect(steps.every((s) => s.states === 0)).toBe(true);
  });

  it('gives each step the state records up to the next frame sent', () => {
    const sendSeq = steps[3]!.seq;
    let seq = records.length;
    const extra = { t: steps[3]!.t, node: 'psa', type: 'state.session', session: 's1', state: 'established', conn: 'c0', toPath: [], localUri: 'msrp://x', change: 'established' };
    // Renumber: one record right before step 3's frame, one right after it.
    const withStates = records.flatMap((r) => (r.seq === sendSeq ? [{ ...extra, seq: 0 }, r, { ...extra, seq: 0, state: 'closed', change: 'closed' }] : [r])).map((r) => ({ ...r, seq: seq++ })) as AnyTraceRecord[];
    const d = stepsOf(withStates);
    expect(d.states.changes).toHaveLength(2);
    expect(d.steps.map((s) => s.states).slice(0, 6)).toEqual([0, 0, 1, 2, 2, 2]);
  });
});
