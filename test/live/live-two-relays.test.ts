/**
 * Issue 14 §2: "a real relay with a real peer relay behind it works the same way". Two real relays
 * (`msrp-sim relay`'s relay, each on its own loopback port, each knowing only its own user); the
 * scenario's PSA uses relay-a, its PRA relay-b, both live. relay-a forwards to relay-b over a real
 * connection of its own, which the scenario never sees: the message and its REPORT cross both
 * relays, and the paths name each live relay by its scenario id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLiveRelay, type LiveRelay } from '../../src/live/live-relay.js';
import { runLiveScenario } from '../../src/live/live-scenario.js';
import { loadScenario } from '../../src/scenario/index.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { LIVE_PUSH } from '../helpers/scenario-text.js';

const relays: LiveRelay[] = [];
afterEach(async () => {
  for (const r of relays) r.stop('test over');
  for (const r of relays) await r.done;
  relays.length = 0;
});

async function relay(users: Record<string, string>, seed: number): Promise<LiveRelay> {
  const r = await startLiveRelay({ listen: { host: '127.0.0.1', port: 0 }, profile: 'rfc4976', realm: 'example.com', users, duration: 20_000_000, seed });
  relays.push(r);
  return r;
}

describe('simulated endpoints behind two real relays in a chain', () => {
  it('a chunked message and its REPORT cross both; path expectations name each live relay by its id', async () => {
    const a = await relay({ psa: 's3cret' }, 1);
    const b = await relay({ pra: 'hunter2' }, 2);
    const text = [
      'name: live-two-relays',
      'seed: 5',
      'duration: 2500ms',
      'nodes:',
      '  psa: { role: sender, relays: [relay-a], password: s3cret }',
      '  pra: { role: receiver, relays: [relay-b], password: hunter2 }',
      `  relay-a: { role: relay, scheme: msrp, live: { connect: 127.0.0.1:${a.address.port} } }`,
      `  relay-b: { role: relay, scheme: msrp, live: { connect: 127.0.0.1:${b.address.port} } }`,
      ...LIVE_PUSH,
      '  - path: { at: pra, method: SEND, fromPath: [relay-b, relay-a, psa] }',
    ].join('\n');
    const loaded = loadScenario('live.yaml', text);
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
    const records: AnyTraceRecord[] = [];
    const result = await runLiveScenario(loaded.scenario, { sinks: [(x) => records.push(x)] });
    expect(result.expectations.map((e) => [e.expected, e.passed, e.actual])).toEqual(result.expectations.map((e) => [e.expected, true, e.actual]));
    // The scenario opened one connection to each relay; the hop between them is the relays' own.
    const connects = records.filter((x) => x.type === 'live.connect');
    expect(connects.map((x) => [x.node, x.peer])).toEqual([
      ['psa', 'relay-a'],
      ['pra', 'relay-b'],
    ]);
  }, 30_000);
});
