/**
 * The report's step-through player on a big trace: the 10,000-arrow push of the ladder benchmark,
 * with node state records as trace format 2 will have them (a transaction waiting and done for
 * every request, a message's progress per chunk). Measures the step data made for the report
 * (time, bytes per step) and the node state replay the page runs at each step (forward one step,
 * and back, which replays from the start).
 */
import { cpuRate, formatResult, measure } from './harness.js';
import { syntheticRecords } from './ladder.js';
import { FlowCollector } from '../src/output/flow.js';
import { changesBefore, replayNodeState, type NodeSnapshot } from '../src/output/node-state.js';
import { StepCollector } from '../src/output/report-step.js';
import { renderStepPlayer } from '../src/output/report-step-view.js';
import type { AnyTraceRecord } from '../src/sim/trace.js';

function withStates(records: AnyTraceRecord[]): AnyTraceRecord[] {
  const out: AnyTraceRecord[] = [];
  for (const r of records) {
    out.push(r);
    if (r.type === 'msrp.send' && r.kind === 'request') {
      out.push({ t: r.t, seq: 0, node: r.node, type: 'state.transaction', transactionId: r.transactionId, method: 'SEND', conn: r.conn, state: 'waiting', timerAt: r.t + 30_000_000, messageId: r.messageId, change: 'timer-set' });
      if (r.node === 'psa') out.push({ t: r.t, seq: 0, node: r.node, type: 'state.message', messageId: r.messageId, session: 's1', direction: 'out', state: 'sent', bytes: 12, total: 12, change: 'written' });
    } else if (r.type === 'msrp.recv' && r.kind === 'response') {
      out.push({ t: r.t, seq: 0, node: r.node, type: 'state.transaction', transactionId: r.transactionId, method: 'SEND', conn: r.conn, state: 'done', timerAt: null, messageId: null, change: 'answered' });
    }
  }
  return out.map((r, seq) => ({ ...r, seq }));
}

export function run(): void {
  const records = withStates(syntheticRecords(10_000));
  const flow = new FlowCollector();
  for (const r of records) flow.record(r);
  const model = flow.finish();
  for (const drawn of [4_000, 10_000]) {
    const ids = model.arrows.slice(0, drawn).map((a) => a.id);
    const make = (): number => {
      const c = new StepCollector();
      for (const r of records) c.record(r);
      return renderStepPlayer(c.finish(model, ids)).html.length;
    };
    const bytes = make();
    const c = { name: `report-step: player data, ${drawn} steps`, units: drawn, unitName: ' steps', run: make };
    console.log(formatResult(measure(c, { warmupMs: 300, runMs: 300, runs: 5 }), ' steps') + cpuRate(c));
    console.log(`report-step: ${drawn} steps -> ${(bytes / 1e6).toFixed(2)} MB of player markup, data and script (${(bytes / drawn).toFixed(0)} bytes per step)`);
  }
  const c = new StepCollector();
  for (const r of records) c.record(r);
  const data = c.finish(model, model.arrows.map((a) => a.id));
  const changes = data.states.changes.length;
  const all = { name: `report-step: replay all ${changes} state changes`, units: changes, unitName: ' changes', run: () => replayNodeState({}, data.states, 0, changes) };
  console.log(formatResult(measure(all, { warmupMs: 300, runMs: 300, runs: 5 }), ' changes') + cpuRate(all));
  // One step back from the middle: the page replays from the start.
  const mid = changesBefore(data.states, data.steps[data.steps.length >> 1]!.seq);
  const back = { name: 'report-step: one step back at mid-trace', units: 1, unitName: ' steps', run: () => replayNodeState({}, data.states, 0, mid) };
  console.log(formatResult(measure(back, { warmupMs: 300, runMs: 300, runs: 5 }), ' steps') + cpuRate(back));
  let snap: NodeSnapshot = {};
  let at = 0;
  const forward = {
    name: 'report-step: one step forward',
    units: data.steps.length,
    unitName: ' steps',
    run: () => {
      snap = {};
      at = 0;
      for (const s of data.steps) {
        replayNodeState(snap, data.states, at, s.states);
        at = s.states;
      }
      return snap;
    },
  };
  console.log(formatResult(measure(forward, { warmupMs: 300, runMs: 300, runs: 5 }), ' steps') + cpuRate(forward));
}
