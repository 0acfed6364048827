import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { executeRun, formatProblem, parseSweepFile, planSweep, stats, summaryCsv, type RunRecord } from '../../src/index.js';

// The sweep API as a library user reaches it: from the package's entry point, a sweep file and its
// scenario as text, runs executed one by one in this thread, the aggregate written as the CLI does.
describe('the sweep API from the package entry point', () => {
  it('plans a sweep, runs every run and aggregates them as `msrp-sim sweep` does', () => {
    const sweepFile = 'test/sweep/fixtures/latency-loss.yaml';
    const sweepText = readFileSync(sweepFile, 'utf8');
    const parsed = parseSweepFile(sweepFile, sweepText);
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
    const scenarioFile = 'scenarios/direct-session.yaml';
    const planned = planSweep(parsed.spec, { sweepFile, sweepText, scenarioFile, scenarioText: readFileSync(scenarioFile, 'utf8'), version: 'test' });
    if (!planned.ok) throw new Error(planned.problems.map(formatProblem).join('\n'));
    const { plan } = planned;
    expect(plan.runs).toHaveLength(3 * 2 * 3);
    const records = new Map<number, RunRecord>();
    plan.runs.forEach((_, i) => records.set(i, executeRun(plan, i)));
    // 120 ms of latency breaks the scenario's `within: 100ms`: the 6 runs of those cells fail, the 12 others pass.
    const all = stats([...records.values()]);
    expect([all.passed, all.failed, all.errors]).toEqual([12, 6, 0]);
    const csv = summaryCsv(plan, records).trim().split('\n');
    expect(csv).toHaveLength(1 + 6);
    expect(csv[0]).toMatch(/latency/u);
  });
});
