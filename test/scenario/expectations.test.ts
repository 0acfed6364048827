import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { ExpectationChecker } from '../../src/scenario/expectations.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

const SCENARIO = `
name: checker
duration: 1m
nodes:
  a: { role: sender }
  b: { role: receiver }
  c: { role: receiver }
links:
  - [a, b]
  - [a, c]
events:
  - { at: 0s, session: { id: s1, offerer: a, answerer: b } }
  - { at: 0s, session: { id: s2, offerer: a, answerer: c } }
expect:
  - report: { to: a, status: 200, count: 1000 }
  - report: { to: a, status: 481, session: s1 }
  - none: { kind: report, status: 481 }
  - none: { kind: timeout }
  - delivered: { session: s1, to: b, messages: 2 }
`;

function checker(): ExpectationChecker {
  const r = loadScenario('checker.yaml', SCENARIO);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  return new ExpectationChecker(r.scenario);
}

let seq = 0;
const rec = (node: string, type: string, fields: Record<string, unknown>, t = 1000): AnyTraceRecord => ({ t, seq: seq++, node, type, ...fields });

describe('ExpectationChecker', () => {
  it('counts what it only needs to count, keeping the first records as evidence', () => {
    seq = 0;
    const c = checker();
    for (let i = 0; i < 1000; i++) c.record(rec('a', 'endpoint.report', { session: i % 2 ? 's1' : 's2', status: 200 }));
    // A REPORT reaching an endpoint is its msrp.recv and then the endpoint's endpoint.report.
    c.record(rec('a', 'msrp.recv', { conn: 'c1', kind: 'request', method: 'REPORT', transactionId: 't1', toPath: [], fromPath: [], reportStatus: 481 }));
    c.record(rec('a', 'endpoint.report', { session: 's2', status: 481 }));
    c.record(rec('a', 'msrp.recv', { conn: 'c1', kind: 'request', method: 'REPORT', transactionId: 't2', toPath: [], fromPath: [], reportStatus: 481 }));
    c.record(rec('a', 'endpoint.report', { session: 's1', status: 481 }));
    const [all200, s1481, none481, noTimeout] = c.finish();
    expect(all200).toMatchObject({ passed: true, actual: 'REPORTs: 1000×200, 2×481', evidence: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    expect(s1481).toMatchObject({ passed: true, expected: 'at least 1 REPORT(s) with status 481 at a in session s1', actual: 'REPORTs: 500×200, 1×481', evidence: [1003] });
    expect(none481).toMatchObject({ passed: false, actual: '2 happened, the first at record 1000', evidence: [1000, 1002] });
    expect(noTimeout).toMatchObject({ passed: true, actual: 'none happened', evidence: [] });
  });

  it('keeps messages and deliveries of the sessions that delivered expectations name only', () => {
    seq = 0;
    const c = checker();
    for (const [session, to, id] of [['s1', 'b', 'm1'], ['s2', 'c', 'm2'], ['s1', 'b', 'm3']] as const) {
      c.record(rec('a', 'endpoint.message', { session, messageId: id, digest: `d-${id}` }));
      c.record(rec(to, 'endpoint.deliver', { session, messageId: id, digest: id === 'm3' ? 'broken' : `d-${id}` }));
    }
    const delivered = c.finish()[4]!;
    expect(delivered).toMatchObject({ passed: false, actual: '2 delivered (1 intact) of 2 sent', evidence: [1, 5] });
    const kept = c as unknown as { messages: Map<string, unknown>; delivered: unknown[] };
    expect([...kept.messages.keys()]).toEqual(['m1', 'm3']);
    expect(kept.delivered).toHaveLength(2);
  });

  it('counts a message delivered twice once', () => {
    seq = 0;
    const c = checker();
    c.record(rec('a', 'endpoint.message', { session: 's1', messageId: 'm1', digest: 'd1' }));
    c.record(rec('b', 'endpoint.deliver', { session: 's1', messageId: 'm1', digest: 'd1' }));
    c.record(rec('b', 'endpoint.deliver', { session: 's1', messageId: 'm1', digest: 'd1' }));
    expect(c.finish()[4]).toMatchObject({ passed: false, actual: '2 delivered (2 intact, 1 distinct) of 1 sent', evidence: [1, 2] });
  });
});
