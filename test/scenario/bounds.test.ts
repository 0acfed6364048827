import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';

/** A two-endpoint scenario; `nodes` and `events` are YAML lines put in place. */
function scenario(nodes: string, events: string): string {
  return [
    'name: bounds',
    'duration: 60s',
    'nodes:',
    nodes,
    'links:',
    '  - [alice, bob]',
    'events:',
    '  - at: 0s',
    '    session: { id: s1, offerer: alice, answerer: bob }',
    events,
    '',
  ].join('\n');
}

const NODES = '  alice: { role: endpoint }\n  bob: { role: endpoint }';

function errors(text: string): string[] {
  const r = loadScenario('b.yaml', text);
  if (r.ok) return [];
  return r.problems.filter((p) => p.severity === 'error').map((p) => `${p.line}:${p.column}: ${p.message}`);
}

describe('node addresses', () => {
  it('refuses a second node with the same address, where it is given, naming both nodes', () => {
    const text = scenario('  alice: { role: endpoint, address: 10.0.0.1 }\n  bob: { role: endpoint, address: 10.0.0.1 }', '');
    expect(errors(text)).toEqual(['5:35: nodes.bob.address: address 10.0.0.1 is also the address of `alice`; `bob` needs an address of its own']);
  });
});

describe('limits on what a scenario sends', () => {
  const send = (fields: string, at = '1s') => `  - at: ${at}\n    send: { session: s1, from: alice, ${fields} }`;

  it('refuses a message larger than 64 MiB, where its size is given', () => {
    expect(errors(scenario(NODES, send('size: 100GiB')))).toEqual([
      '12:45: events[1].send.size: a message of 107374182400 bytes is larger than msrp-sim sends: at most 64 MiB (67108864 bytes)',
    ]);
    expect(errors(scenario(NODES, send('size: 9007199254740991')))).toHaveLength(1);
    expect(errors(scenario(NODES, send('size: 64MiB')))).toEqual([]);
  });

  it('refuses a chunk size larger than the largest message, on a send and on a node', () => {
    expect(errors(scenario(NODES, send('size: 2MiB, chunkSize: 2GiB, chunkStrategy: interruptible')))).toEqual([
      '12:62: events[1].send.chunkSize: a chunk of 2147483648 bytes is larger than msrp-sim sends: at most 64 MiB (67108864 bytes)',
    ]);
    const nodes = '  alice: { role: endpoint, chunkSize: 1GiB, chunkStrategy: interruptible }\n  bob: { role: endpoint }';
    expect(errors(scenario(nodes, send('size: 1KiB')))).toEqual([
      '4:39: nodes.alice.chunkSize: a chunk of 1073741824 bytes is larger than msrp-sim sends: at most 64 MiB (67108864 bytes)',
    ]);
  });

  it('refuses sends that add up to more than 1,000,000 messages, at the send that goes over', () => {
    expect(errors(scenario(NODES, send('body: x, count: 100000000')))).toEqual([
      '12:55: events[1].send.count: this send makes the scenario send 100000000 messages; a scenario sends at most 1000000',
    ]);
    const two = `${send('body: x, count: 600000')}\n${send('body: y, count: 400000', '2s')}`;
    expect(errors(scenario(NODES, two))).toEqual([]);
    expect(errors(scenario(NODES, `${two}\n${send('body: z', '3s')}`))).toEqual([
      '16:5: events[3].send: this send makes the scenario send 1000001 messages; a scenario sends at most 1000000',
    ]);
  });

  it('refuses sends that add up to more than 256 MiB of content, at the send that goes over', () => {
    const sends = `${send('size: 64MiB, count: 4')}\n${send('body: hello', '2s')}`;
    expect(errors(scenario(NODES, sends))).toEqual([
      '14:5: events[2].send: this send makes the scenario send 268435461 bytes of content; a scenario sends at most 256 MiB (268435456 bytes)',
    ]);
  });
});

describe('limits on loading', () => {
  const flow = (items: number) => `name: big\ndescription: [${'1,'.repeat(items - 1)}1]\nnodes: {}\n`;

  it('refuses a YAML file of more than 1,000,000 values quickly, before it builds them, and says so', () => {
    const started = Date.now();
    const r = loadScenario('b.yaml', flow(2_000_000));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '2: the file holds more than 1000000 values (a scenario of 10,000 nodes has about 560,000); msrp-sim reads no larger scenario',
    ]);
  }, 30_000);

  it('refuses a JSON file of more than 1,000,000 values, with the same message', () => {
    const r = loadScenario('b.json', `{"name": "big", "description": [${'1,'.repeat(1_100_000)}1], "nodes": {}}`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.message)).toEqual(['the file holds more than 1000000 values (a scenario of 10,000 nodes has about 560,000); msrp-sim reads no larger scenario']);
  }, 30_000);

  it('blames aliases only where aliases expand the file', () => {
    const nested = `name: x\nnodes: {}\ndescription: ${'['.repeat(300)}${']'.repeat(300)}\n`;
    const r1 = loadScenario('b.yaml', nested);
    expect(r1.ok ? [] : r1.problems.map((p) => p.message)).toEqual(['the file nests deeper than 200 levels; no scenario needs that']);
    const lines = ['name: x', 'nodes: {}', 'a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
    for (let i = 1; i <= 6; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const r2 = loadScenario('b.yaml', `${lines.join('\n')}\n`);
    expect(r2.ok ? [] : r2.problems.map((p) => p.message)).toEqual(['through its aliases, the file expands to more than 1000000 values; no scenario needs that']);
  });
});
