/**
 * Names in a scenario that a plain object answers to (`__proto__`, `constructor`, `toString`,
 * ...): a node id `__proto__` is refused where it is written; the others are ordinary ids; a
 * relay with `users: { psa: ... }` knows no user `constructor` whatever password is given.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';

function load(lines: string[]) {
  return loadScenario('p.yaml', lines.join('\n') + '\n');
}

describe('proto-like names in a scenario', () => {
  it('a node called __proto__ is refused at its key, FILE:LINE:COL', () => {
    const r = load(['name: p', 'duration: 5s', 'nodes:', '  __proto__: { role: sender }', '  b: { role: receiver }', 'links:', '  - [b, b]']);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map(formatProblem)[0]).toMatch(/^p\.yaml:4:3: nodes: `__proto__` is not a node id/);
  });

  it('nodes and a session called constructor, toString, hasOwnProperty and valueOf run like any other', () => {
    const r = load([
      'name: p',
      'duration: 10s',
      'defaults: { link: { latency: 10ms } }',
      'nodes:',
      '  hasOwnProperty: { role: sender, relays: [constructor], password: pw }',
      '  constructor: { role: relay, users: { hasOwnProperty: pw } }',
      '  toString: { role: receiver }',
      'links:',
      '  - [hasOwnProperty, constructor]',
      '  - [constructor, toString]',
      'events:',
      '  - at: 0s',
      '    session: { id: valueOf, offerer: hasOwnProperty, answerer: toString }',
      '  - at: 2s',
      '    send: { session: valueOf, from: hasOwnProperty, body: hello }',
      'expect:',
      '  - delivered: { session: valueOf, to: toString, messages: 1 }',
    ]);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.warnings).toEqual([]);
    const run = runScenario(r.scenario);
    expect(run.passed).toBe(true);
  });

  it('logging in as constructor to a relay with users { psa } gets nothing through', () => {
    const r = load([
      'name: p',
      'duration: 10s',
      'defaults: { link: { latency: 10ms } }',
      'nodes:',
      `  psa: { role: sender, relays: [{ relay: relay-a, username: constructor, password: "${String(Object)}" }] }`,
      '  relay-a: { role: relay, users: { psa: pa } }',
      '  pra: { role: receiver }',
      'links:',
      '  - [psa, relay-a]',
      '  - [relay-a, pra]',
      'events:',
      '  - at: 0s',
      '    session: { id: s1, offerer: psa, answerer: pra }',
      '  - at: 2s',
      '    send: { session: s1, from: psa, body: hello }',
      'expect:',
      '  - response: { to: psa, method: AUTH, status: 200, count: 0 }',
      '  - delivered: { session: s1, to: pra, messages: 0 }',
    ]);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(r.warnings.map(formatProblem)).toEqual(['p.yaml:5:33: warning: nodes.psa.relays[0]: relay `relay-a` has no user `constructor`; the AUTH of `psa` will fail']);
    const types: string[] = [];
    const run = runScenario(r.scenario, { sinks: [(rec) => types.push(rec.type)] });
    expect(run.expectations.map((e) => e.passed)).toEqual([true, true]);
    expect(types).toContain('relay.auth-fail');
    expect(types).not.toContain('relay.auth-ok');
    expect(types).not.toContain('endpoint.deliver');
  });
});
