/**
 * The JSON Schema as an editor uses it (ajv, the validator behind many editors' JSON support, as
 * draft-07 with every error): node kinds told apart by `role`, and node groups accepted.
 */
import { readFileSync, readdirSync } from 'node:fs';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/index.js';

const validate = new Ajv({ allErrors: true }).compile(scenarioJsonSchema());

function errors(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => `${e.dataPath} ${e.message} ${JSON.stringify(e.params)}`);
}

const base = {
  name: 'x',
  nodes: {
    psa: { role: 'sender', relays: ['relay-a'], password: 'pw' },
    'relay-a': { role: 'relay', users: { psa: 'pw' } },
    pra: { role: 'receiver' },
  },
  links: [['psa', 'relay-a'], ['relay-a', 'pra']],
};

describe('the JSON Schema in an editor', () => {
  it('accepts every bundled scenario, the scale scenario with its node groups among them', () => {
    const dir = new URL('../../scenarios/', import.meta.url);
    const files = [...readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => new URL(f, dir)), new URL('large/scale-10k.yaml', dir)];
    const bad = files.map((f) => [f.pathname, errors(parse(readFileSync(f, 'utf8')))] as const).filter(([, e]) => e.length > 0);
    expect(bad).toEqual([]);
    expect(errors(base)).toEqual([]);
  });

  it('gives one error for one bad key on a relay: the relay\'s, not one from every other kind of node', () => {
    const doc = structuredClone(base) as unknown as { nodes: Record<string, Record<string, unknown>> };
    doc.nodes['relay-a']!.password = 'x';
    expect(errors(doc)).toEqual([".nodes['relay-a'] should NOT have additional properties {\"additionalProperty\":\"password\"}"]);
  });

  it('gives one error for an unknown role', () => {
    const doc = structuredClone(base) as unknown as { nodes: Record<string, Record<string, unknown>> };
    doc.nodes.pra!.role = 'router';
    expect(errors(doc)).toEqual([".nodes['pra'].role should be equal to one of the allowed values {\"allowedValues\":[\"sender\",\"receiver\",\"endpoint\",\"relay\",\"firewall\"]}"]);
  });

  it('checks a group\'s form: counts are whole numbers, `group` and `each` its only keys', () => {
    const doc = structuredClone(base) as unknown as { nodes: Record<string, unknown> };
    doc.nodes['rcv-{k}'] = { group: { k: 1.5 }, each: { role: 'receiver' }, extra: 1 };
    expect(errors(doc)).toEqual(expect.arrayContaining([".nodes['rcv-{k}'] should NOT have additional properties {\"additionalProperty\":\"extra\"}", ".nodes['rcv-{k}'].group['k'] should be integer {\"type\":\"integer\"}"]));
  });
});
