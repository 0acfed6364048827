/**
 * Scenario action `set` (SPEC §5) on a relay's `profile`: the new value makes the decisions from
 * then on (docs/scenario-format.md says what becomes of what is in flight).
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { runScenario, type RunOptions } from '../../src/scenario/run.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { oneRelay } from './helpers.js';

function run(text: string, options: RunOptions = {}): AnyTraceRecord[] {
  const loaded = loadScenario('set.yaml', text);
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  const records: AnyTraceRecord[] = [];
  runScenario(loaded.scenario, { ...options, sinks: [(r) => records.push(r)] });
  return records;
}

const of = (records: AnyTraceRecord[], type: string, node?: string) => records.filter((r) => r.type === type && (node === undefined || r.node === node));

describe('set: a relay profile', () => {
  const yaml = `
name: set-profile
seed: 4
duration: 20s
nodes:
  psa:     { role: sender, host: push.example.com, relays: [relay-a], password: pa }
  relay-a: { role: relay, host: relay.a.example.com, users: { psa: pa, pra: pb } }
  pra:     { role: receiver, host: phone.example.net, relays: [relay-a], password: pb, acceptTypes: [text/plain] }
links:
  - [psa, relay-a]
  - [relay-a, pra]
events:
  - at: 0s
    session: { id: s1, offerer: psa, answerer: pra }
  - at: 1s
    send: { session: s1, from: psa, contentType: text/plain, body: "before", failureReport: partial }
  - at: 3s
    set: { node: relay-a, profile: kamailio }
  - at: 5s
    send: { session: s1, from: psa, contentType: text/plain, body: "after", failureReport: partial }
`;

  it('decides by the new profile from the change on', () => {
    const records = run(yaml);
    const change = of(records, 'relay.profile', 'relay-a');
    expect(change.map((r) => [r.t, r.from, r.to])).toEqual([[3 * SECOND, 'rfc4976', 'kamailio']]);
    const partialSends = of(records, 'msrp.recv', 'relay-a').filter((r) => r.method === 'SEND' && r.bodyLength !== null);
    expect(partialSends).toHaveLength(2);
    const answered = (tid: unknown) => of(records, 'relay.respond', 'relay-a').filter((r) => r.transactionId === tid);
    // Before: the strict relay never answers a partial SEND. After: kamailio answers 200.
    expect(answered(partialSends[0]!.transactionId)).toHaveLength(0);
    expect(answered(partialSends[1]!.transactionId).map((r) => [r.status, r.rule])).toEqual([[200, 'kamailio:200-for-partial']]);
    // ... and forwards with the transaction id it came with.
    const forwards = of(records, 'relay.forward', 'relay-a').filter((r) => r.method === 'SEND' && r.t > 3 * SECOND);
    expect(forwards.map((r) => [r.inTransactionId === r.outTransactionId, r.rule])).toEqual([[true, 'kamailio:keep-tid']]);
    expect(of(records, 'endpoint.deliver', 'pra')).toHaveLength(2);
  });

  it('a profile forced on every relay for the run holds over the set', () => {
    const records = run(yaml, { profile: 'opensips' });
    expect(of(records, 'relay.profile')).toHaveLength(0);
    const partialSends = of(records, 'msrp.recv', 'relay-a').filter((r) => r.method === 'SEND' && r.bodyLength !== null);
    const rules = partialSends.map((s) => of(records, 'relay.respond', 'relay-a').find((r) => r.transactionId === s.transactionId)?.rule);
    expect(rules).toEqual(['opensips:200-for-partial', 'opensips:200-for-partial']);
  });

  it('a transaction forwarded before the change ends under the profile in force when it ends', () => {
    // bob never answers the message: the strict relay's 408 timer runs; the relay then
    // becomes a kamailio relay, which generates no REPORT.
    const r = oneRelay((q) => (q.method === 'REPORT' ? null : q.body === null ? 200 : null));
    const { t } = r;
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'x' }));
    t.world.at(5 * SECOND, () => t.world.relays.get('relay-a')!.reconfigure({ profile: 'kamailio' }));
    t.world.run(40 * SECOND);
    // The 200 it sent under the strict profile stays sent; the timer runs out at 31 s.
    expect(t.of('relay.respond', 'relay-a').filter((x) => x.method === 'SEND' && x.status === 200).map((x) => x.t < 5 * SECOND)).toEqual([true, true]);
    expect(t.of('relay.timeout', 'relay-a')).toHaveLength(1);
    expect(t.of('relay.report-suppressed', 'relay-a').map((x) => x.rule)).toEqual(['kamailio:never-reports']);
    expect(t.of('relay.report', 'relay-a')).toHaveLength(0);
  });
});
