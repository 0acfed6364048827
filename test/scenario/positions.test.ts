import { describe, expect, it } from 'vitest';
import { Positions } from '../../src/scenario/diagnostics.js';
import { parseYamlSource } from '../../src/scenario/source.js';

function positionsOf(text: string): { pos: Positions; at: (s: string) => number } {
  const parsed = parseYamlSource(text);
  if (!parsed.ok) throw new Error('bad YAML');
  return { pos: new Positions(parsed.root), at: (s) => text.indexOf(s) };
}

describe('Positions: where a path was written, found in the source tree', () => {
  const text = ['name: p', 'nodes:', '  relay-a:', '    role: relay', '    users: { alice: pw }', 'events:', '  - { at: 1s, send: { session: s1 } }', ''].join('\n');

  it('gives the key and the value of a mapping entry, and the value of a list item', () => {
    const { pos, at } = positionsOf(text);
    expect(pos.key(['nodes', 'relay-a', 'role'])[0]).toBe(at('role'));
    expect(pos.value(['nodes', 'relay-a', 'role'])[0]).toBe(at('relay\n'));
    expect(pos.key(['events', 0])[0]).toBe(at('{ at: 1s'));
    expect(pos.value(['events', 0, 'send', 'session'])[0]).toBe(at('s1'));
    expect(pos.get(['nodes', 'relay-a', 'users', 'alice'])?.key?.[0]).toBe(at('alice'));
  });

  it('falls back to the nearest enclosing value written, and says undefined for get', () => {
    const { pos, at } = positionsOf(text);
    expect(pos.get(['nodes', 'relay-a', 'profile'])).toBeUndefined();
    expect(pos.key(['nodes', 'relay-a', 'profile'])[0]).toBe(at('relay-a'));
    expect(pos.value(['events', 5, 'at'])[0]).toBe(at('  - {') + 2);
    expect(pos.get(['name', 'deeper'])).toBeUndefined();
    expect(new Positions(null).key(['nodes'])).toEqual([0, 0]);
  });

  it("takes a key or an index as written or as a number ('3' and 3 are one step)", () => {
    const { pos, at } = positionsOf('list: [a, b, c, d]\nmap: { 3: x }\n');
    expect(pos.value(['list', '3'])[0]).toBe(at('d]'));
    expect(pos.value(['map', 3])[0]).toBe(at('x }'));
    expect(pos.get(['list', '03'])).toBeUndefined();
  });

  it('finds the first of two entries with one key, in small and in large mappings', () => {
    const small = positionsOf('m: { a: 1, a: 2 }\n');
    expect(small.pos.value(['m', 'a'])[0]).toBe(small.at('1'));
    const many = Array.from({ length: 40 }, (_, i) => `  k${i}: v${i}`).join('\n');
    const large = positionsOf(`m:\n${many}\n  k7: again\n`);
    expect(large.pos.value(['m', 'k7'])[0]).toBe(large.at('v7'));
    expect(large.pos.value(['m', 'k39'])[0]).toBe(large.at('v39'));
  });
});
