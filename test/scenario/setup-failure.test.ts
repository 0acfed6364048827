/**
 * Scenario side of sessions whose set-up never completes: `defaults.inviteTimeout` sets Timer B
 * (RFC 3261 §17.1.1.2, 32 s by default), and a send that waited for the session ends in a record.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

function scenario(defaults: string): string {
  return `name: answerer-down
duration: 60s
${defaults}
nodes:
  a: { role: sender, host: a.example.com }
  b: { role: receiver, host: b.example.com }
links:
  - [a, b]
events:
  - at: 0s
    fault: { crash: b }
  - at: 100ms
    session: { id: s1, offerer: a, answerer: b }
  - at: 200ms
    send: { session: s1, from: a, body: "hello?" }
`;
}

function run(text: string): { records: AnyTraceRecord[]; scenario: ReturnType<typeof runScenario> } {
  const loaded = loadScenario('t.yaml', text);
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  const records: AnyTraceRecord[] = [];
  const result = runScenario(loaded.scenario, { sinks: [(r) => records.push(r)] });
  return { records, scenario: result };
}

describe('defaults.inviteTimeout (Timer B)', () => {
  it('is 32 s when not set', () => {
    const loaded = loadScenario('t.yaml', scenario(''));
    expect(loaded.ok && loaded.scenario.inviteTimeout).toBe(32_000_000);
    const { records } = run(scenario(''));
    const failed = records.filter((r) => r.type === 'session.failed');
    expect(failed.map((r) => [r.node, r.t])).toEqual([['a', 32_100_000]]);
  });

  it('sets how long an INVITE waits: the session fails, the waiting send fails with it, the counters say so', () => {
    const { records, scenario: result } = run(scenario('defaults: { inviteTimeout: 3s }'));
    expect(result.scenario.inviteTimeout).toBe(3_000_000);
    const failed = records.filter((r) => r.type === 'session.failed');
    expect(failed.map((r) => [r.node, r.t, r.rule])).toEqual([['a', 3_100_000, 'RFC 3261 §17.1.1.2']]);
    expect(records.filter((r) => r.type === 'endpoint.send-failed')).toMatchObject([{ node: 'a', session: 's1', reason: failed[0]!.reason, t: 3_100_000 }]);
    expect(result.world.counters.toJSON()).toMatchObject({ sessionsEstablished: 0, sessionsFailed: 1, messagesSent: 0, messagesNotSent: 1 });
  });

  it('is a duration', () => {
    const loaded = loadScenario('t.yaml', scenario('defaults: { inviteTimeout: soon }'));
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.problems.map(formatProblem).join('\n')).toMatch(/^t\.yaml:3:\d+: defaults\.inviteTimeout/m);
  });
});
