/**
 * Scenario files written from the product description alone (SPEC §5), by someone who had not seen
 * the bundled ones: every node kind, 0 to 3 relays a side, every relay profile, firewalls with
 * rules, NAT and an MSRP policy, every fault, chunking and abort options, TLS 1.2, raw bytes,
 * setting changes, every kind of expectation, units in every form, YAML and JSON. Each loads and
 * runs with all its expectations holding.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';

const DIR = new URL('fixtures/spec-written/', import.meta.url);
const files = readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/u.test(f)).sort();

function run(file: string) {
  const r = loadScenario(file, readFileSync(new URL(file, DIR), 'utf8'));
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  return { warnings: r.warnings.map(formatProblem), result: runScenario(r.scenario) };
}

describe('scenarios written from SPEC §5', () => {
  it('cover YAML and JSON', () => {
    expect(files.some((f) => f.endsWith('.json'))).toBe(true);
    expect(files.length).toBeGreaterThanOrEqual(9);
  });

  for (const file of files) {
    it(`${file}: loads and holds every expectation`, () => {
      const { result } = run(file);
      expect(result.outcome.reason).not.toBe('limit');
      expect(result.expectations.filter((e) => !e.passed).map((e) => `${e.expected}: ${e.actual}`)).toEqual([]);
      expect(result.expectations.length).toBeGreaterThan(0);
    });
  }

  it('direct-no-relays.json: a session ended with BYE is not counted as failed', () => {
    const { result } = run('direct-no-relays.json');
    expect(result.world.counters.sessionsFailed).toBe(0);
  });

  it('opensips-long-session.yaml: the session outlives the tokens it began with toward peer; toward good, OpenSIPS connects to good and is refused', () => {
    const { warnings, result } = run('opensips-long-session.yaml');
    // The wrong password of `bad` is on purpose: the file says so with a warning, not an error.
    expect(warnings).toEqual(["opensips-long-session.yaml:6:36: warning: nodes.bad.relays[0]: the password of `bad` for relay `os` is not the one in its `users`; the AUTH will fail"]);
    // good's message reaches peer after 90 s; peer's, after 25 min, is refused 506 by good (it came
    // on a connection OpenSIPS opened to good's URI, not on good's session connection), and that
    // fails peer's session.
    expect(result.world.counters.messagesDelivered).toBe(1);
    expect(result.world.counters.sessionsFailed).toBe(1);
  });
});
