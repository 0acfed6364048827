/**
 * A run whose consumers read no `state.*` record builds none (Trace.wantsState), and what it
 * makes is the same: the summary, the expectations with their evidence (seq numbers), the count.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';
import { createOutputs } from '../../src/output/index.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

describe('state records only for a consumer that reads them', () => {
  it('the summary and the expectations are the same without them; the other records keep their seq', async () => {
    const file = 'scenarios/push-via-two-relays.yaml';
    const loaded = loadScenario(file, readFileSync(file, 'utf8'));
    if (!loaded.ok) throw new Error('scenario does not load');
    const runs = [];
    for (const only of [['summary.json', 'trace.ndjson'], ['summary.json']] as const) {
      const outputs = createOutputs({ only });
      const seen: AnyTraceRecord[] = [];
      const result = runScenario(loaded.scenario, { sinks: [outputs.record, (r) => seen.push(r)], sinksReadState: outputs.readsState });
      const files = await outputs.finish({ expectations: result.expectations });
      runs.push({ readsState: outputs.readsState, result, seen, summary: files.get('summary.json') });
    }
    const [full, summaryOnly] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect([full.readsState, summaryOnly.readsState]).toEqual([true, false]);
    expect(full.seen.filter((r) => r.type.startsWith('state.')).length).toBeGreaterThan(0);
    expect(summaryOnly.seen.filter((r) => r.type.startsWith('state.'))).toEqual([]);
    expect(summaryOnly.summary).toBe(full.summary);
    expect(summaryOnly.result.records).toBe(full.result.records);
    expect(summaryOnly.result.expectations).toEqual(full.result.expectations);
    expect(summaryOnly.seen).toEqual(full.seen.filter((r) => !r.type.startsWith('state.')));
  });
});
