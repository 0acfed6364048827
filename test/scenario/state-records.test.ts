/**
 * A run whose consumers read no `state.*` record builds none (Trace.wantsState), nor any
 * `tcp.segment` record when none reads those (Trace.wantsSegment), and what it makes is the same:
 * the summary, the expectations with their evidence (seq numbers), the count.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';
import { createOutputs } from '../../src/output/index.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

const SCENARIOS = ['scenarios/push-via-two-relays.yaml', 'scenarios/inter-relay-link-failure.yaml', 'scenarios/firewall-idle-timeout.yaml', 'scenarios/profile-kamailio.yaml'];

describe('state and segment records only for a consumer that reads them', () => {
  it.each(SCENARIOS)('%s: the summary and the expectations are the same without them; the other records keep their seq', async (file) => {
    const loaded = loadScenario(file, readFileSync(file, 'utf8'));
    if (!loaded.ok) throw new Error('scenario does not load');
    const runs = [];
    for (const only of [['summary.json', 'trace.ndjson'], ['summary.json']] as const) {
      const outputs = createOutputs({ only });
      const seen: AnyTraceRecord[] = [];
      const result = runScenario(loaded.scenario, { sinks: [outputs.record, (r) => seen.push(r)], sinksReadState: outputs.readsState, sinksReadSegments: outputs.readsSegments });
      const files = await outputs.finish({ expectations: result.expectations });
      runs.push({ reads: [outputs.readsState, outputs.readsSegments], result, seen, summary: files.get('summary.json') });
    }
    const [full, summaryOnly] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect([full.reads, summaryOnly.reads]).toEqual([
      [true, true],
      [false, false],
    ]);
    const skipped = (r: AnyTraceRecord): boolean => r.type.startsWith('state.') || r.type === 'tcp.segment';
    expect(full.seen.filter((r) => r.type.startsWith('state.')).length).toBeGreaterThan(0);
    expect(full.seen.filter((r) => r.type === 'tcp.segment').length).toBeGreaterThan(0);
    // The set-up's records (before the run) are held for every sink, so all of them are built.
    const begun = full.seen.findIndex((r) => r.type === 'sim.start');
    expect(summaryOnly.seen.slice(begun).filter(skipped)).toEqual([]);
    expect(summaryOnly.summary).toBe(full.summary);
    expect(summaryOnly.result.records).toBe(full.result.records);
    expect(summaryOnly.result.expectations).toEqual(full.result.expectations);
    expect(summaryOnly.seen).toEqual(full.seen.filter((r, i) => i < begun || !skipped(r)));
  });

  it('the capture reads segments but no state records', () => {
    const outputs = createOutputs({ only: ['summary.json', 'capture.pcapng'] });
    expect([outputs.readsState, outputs.readsSegments]).toEqual([false, true]);
  });
});
