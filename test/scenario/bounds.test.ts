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
