import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario, starterScenario } from '../../src/scenario/index.js';

describe('starterScenario', () => {
  it('loads without a problem or a warning', () => {
    const r = loadScenario('new.yaml', starterScenario());
    expect(r.ok ? r.warnings.map(formatProblem) : r.problems.map(formatProblem)).toEqual([]);
    expect(r.ok && r.scenario.name).toBe('my-scenario');
  });

  it('shows every role, link options, a fault with `for` and each common expectation', () => {
    const r = loadScenario('new.yaml', starterScenario());
    if (!r.ok) throw new Error('starter does not load');
    const s = r.scenario;
    expect(new Set(s.nodes.map((n) => n.role))).toEqual(new Set(['sender', 'relay', 'firewall', 'receiver']));
    expect(s.events.map((e) => e.action)).toEqual(['session', 'send', 'send', 'fault', 'fault', 'end']);
    expect(s.expectations.map((x) => x.expect)).toEqual(['delivered', 'report', 'path', 'none']);
    expect(starterScenario()).toMatch(/^# An msrp-sim scenario/u);
  });

  it('takes a name and the schema modeline for editors', () => {
    const text = starterScenario({ name: 'push-test', schema: '../schema/scenario.schema.json' });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/scenario.schema.json');
    const r = loadScenario('new.yaml', text);
    expect(r.ok && r.scenario.name).toBe('push-test');
    expect(loadScenario('new.yaml', starterScenario({ name: 'not a name' })).ok).toBe(true);
  });
});
