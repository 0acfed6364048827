import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/scenario/problems.js';
import { checkCells, parseSweepFile, planSweep, type SweepPlan } from '../../src/sweep/index.js';

const scenarioFile = 'scenarios/push-via-two-relays.yaml';
const scenarioText = readFileSync(scenarioFile, 'utf8');

function plan(text: string, version = '1.0.0'): SweepPlan {
  const parsed = parseSweepFile('s.yaml', text);
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  const planned = planSweep(parsed.spec, { sweepFile: 's.yaml', sweepText: text, scenarioFile, scenarioText, version });
  if (!planned.ok) throw new Error(planned.problems.map(formatProblem).join('\n'));
  return planned.plan;
}

/** Every problem of a sweep file, from reading it to loading each cell's scenario. */
function problems(text: string): string[] {
  const parsed = parseSweepFile('s.yaml', text);
  if (!parsed.ok) return parsed.problems.map(formatProblem);
  const planned = planSweep(parsed.spec, { sweepFile: 's.yaml', sweepText: text, scenarioFile, scenarioText, version: '1' });
  if (!planned.ok) return planned.problems.map(formatProblem);
  return checkCells(planned.plan).map(formatProblem);
}

const head = 'sweep: t\nscenario: x.yaml\n';

describe('sweep files', () => {
  it('crosses axes in the order written (first slowest), zips the paths of one axis, and runs each cell with each seed', () => {
    const p = plan(`${head}axes:\n  profile:\n    nodes.relay-a.profile: [rfc4976, kamailio]\n    nodes.relay-b.profile: [opensips, msrprelay]\n  loss:\n    links[relay-b,relay-a].loss: [0, 1%, 5%]\nseed: 3..4\n`);
    expect(p.cells.map((c) => c.labels)).toEqual([
      ['rfc4976 / opensips', '0'],
      ['rfc4976 / opensips', '1%'],
      ['rfc4976 / opensips', '5%'],
      ['kamailio / msrprelay', '0'],
      ['kamailio / msrprelay', '1%'],
      ['kamailio / msrprelay', '5%'],
    ]);
    expect(p.runs.map((r) => [r.cell, r.seed])).toEqual([0, 1, 2, 3, 4, 5].flatMap((c) => [[c, 3], [c, 4]]));
    expect(p.cells[4]!.parameters).toEqual({ 'nodes.relay-a.profile': 'kamailio', 'nodes.relay-b.profile': 'msrprelay', 'links[relay-b,relay-a].loss': '1%' });
  });

  it('sets each cell\'s values in the scenario: a node setting, a link\'s options (created where the link has none) and an event\'s field', async () => {
    const { cellScenario } = await import('../../src/sweep/index.js');
    const p = plan(`${head}axes:\n  a:\n    nodes.relay-b.profile: [kamailio]\n    links[psa,relay-a].loss: [3%]\n    events[1].send.size: [1KiB]\n`);
    const s = cellScenario(p, 0);
    if (!s.ok) throw new Error(s.problems.map(formatProblem).join('\n'));
    const relayB = s.scenario.nodes.find((n) => n.id === 'relay-b')!;
    expect(relayB.role === 'relay' && relayB.profile).toBe('kamailio');
    const link = s.scenario.links.find((l) => l.a === 'psa' && l.b === 'relay-a')!;
    expect(link.loss).toBe(0.03);
    const send = s.scenario.events.find((e) => e.action === 'send')!;
    expect(send.action === 'send' && send.content.kind === 'generated' && send.content.size).toBe(1024);
    // The link the sweep did not name keeps its settings.
    expect(s.scenario.links.find((l) => l.a === 'relay-a' && l.b === 'relay-b')!.latency).toBe(40_000);
  });

  it('gives each run a stable id from the scenario, the parameters, the seed and the version', () => {
    const text = `${head}axes:\n  loss:\n    links[relay-a,relay-b].loss: [0, 1%]\nseed: 1..2\n`;
    const a = plan(text).runs.map((r) => r.id);
    expect(plan(text).runs.map((r) => r.id)).toEqual(a);
    expect(new Set(a).size).toBe(4);
    expect(plan(text, '1.0.1').runs.map((r) => r.id).some((id) => a.includes(id))).toBe(false);
    // The same run in another sweep (another axis order, more seeds) has the same id.
    const wider = plan(`${head}axes:\n  loss:\n    links[relay-a,relay-b].loss: [1%, 0, 2%]\nseed: 0..2\n`);
    expect(wider.runs.filter((r) => a.includes(r.id))).toHaveLength(4);
  });

  it('reports every problem at once, FILE:LINE:COL, with "did you mean"', () => {
    const text = readFileSync('test/sweep/fixtures/bad.yaml', 'utf8');
    expect(problems(text)).toEqual(['s.yaml:13:1: unknown key `seeds`; did you mean `seed`?']);
    const fixed = text.replace('seeds:', 'seed:');
    expect(problems(fixed)).toEqual([
      's.yaml:5:5: axes.profile: the scenario has no node `relay-c`; did you mean `relay-a`?',
      's.yaml:8:5: axes.loss: `links` has no link between `relay-a` and `relay-x`; did you mean `relay-a,relay-b`?',
      's.yaml:11:5: axes.size: `events` has 3 items; `[7]` names none (the first is `[0]`)',
    ]);
    // Once the paths name something, the values are the scenario format's to judge, at the
    // sweep file's lines and columns.
    const named = fixed.replace('relay-c', 'relay-a').replace('relay-x', 'relay-b').replace('events[7]', 'events[1]').replace('    events[1].send.size: [lots]\n', '');
    expect(problems(named)).toEqual([
      's.yaml:6:38: nodes.relay-b.profile: expected `rfc4976`, `kamailio`, `msrprelay` or `opensips`, got `kamailo`; did you mean `kamailio`?',
      's.yaml:9:5: links[1][2]: unknown key `los`; did you mean `loss`?',
    ]);
  });

  it('refuses zipped lists of different lengths and a seed swept by an axis', () => {
    expect(problems(`${head}axes:\n  a:\n    nodes.relay-a.profile: [rfc4976, kamailio]\n    nodes.relay-b.profile: [rfc4976]\n`)).toEqual(['s.yaml:6:5: axes.a: zipped with `nodes.relay-a.profile`, `nodes.relay-b.profile` needs 2 values (one for each of its values), not 1']);
    expect(problems(`${head}axes:\n  a:\n    seed: [1, 2]\n`)).toEqual(["s.yaml:5:5: axes.a: the seed is swept by the sweep's own `seed` (`seed: 1..100`), not by an axis"]);
    expect(problems(`${head}axes:\n  a:\n    nodes.relay-a.profile: [rfc4976]\nseed: 9..2\n`)).toEqual(['s.yaml:6:7: seed: the range `9..2` is empty: write the smaller seed first']);
  });
});

describe('the sweep file format', () => {
  it('keeps schema/sweep.schema.json in step with the definition', async () => {
    const { SWEEP_SCHEMA_FILE, sweepJsonSchemaText } = await import('../../src/sweep/index.js');
    expect(readFileSync(SWEEP_SCHEMA_FILE, 'utf8')).toBe(sweepJsonSchemaText());
  });

  it('names an event by the `id` it is given', async () => {
    const { cellScenario } = await import('../../src/sweep/index.js');
    const withId = scenarioText.replace('  - at: 100ms\n    send:', '  - at: 100ms\n    id: big-push\n    send:');
    expect(withId).not.toBe(scenarioText);
    const text = `${head}axes:\n  size:\n    events[big-push].send.size: [2MiB]\n`;
    const parsed = parseSweepFile('s.yaml', text);
    if (!parsed.ok) throw new Error('does not parse');
    const planned = planSweep(parsed.spec, { sweepFile: 's.yaml', sweepText: text, scenarioFile, scenarioText: withId, version: '1' });
    if (!planned.ok) throw new Error(planned.problems.map(formatProblem).join('\n'));
    const s = cellScenario(planned.plan, 0);
    if (!s.ok) throw new Error(s.problems.map(formatProblem).join('\n'));
    const send = s.scenario.events.find((e) => e.action === 'send')!;
    expect(send.action === 'send' && send.content.kind === 'generated' && send.content.size).toBe(2 * 1024 * 1024);
    const typo = `${head}axes:\n  size:\n    events[big-psh].send.size: [2MiB]\n`;
    const p2 = parseSweepFile('s.yaml', typo);
    if (!p2.ok) throw new Error('does not parse');
    const r = planSweep(p2.spec, { sweepFile: 's.yaml', sweepText: typo, scenarioFile, scenarioText: withId, version: '1' });
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual(['s.yaml:5:5: axes.size: `events` has no item with `id: big-psh`; did you mean `big-push`?']);
  });

  it('plans the bundled example sweep without a problem: 4 profiles × 4 loss rates × 20 seeds', () => {
    const text = readFileSync('sweeps/relay-profiles-under-loss.yaml', 'utf8');
    const p = plan(text);
    expect(checkCells(p)).toEqual([]);
    expect([p.cells.length, p.runs.length]).toEqual([16, 320]);
  });
});
