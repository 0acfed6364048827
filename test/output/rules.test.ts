import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { catalogueIds, describeRule, ruleLabel } from '../../src/output/rules.js';

describe('rule catalogue', () => {
  it('knows no rule called like a property of Object.prototype (a rule id comes from the trace)', () => {
    for (const rule of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(describeRule(rule)).toEqual({ id: rule, kind: 'other', ref: '', title: '' });
      expect(ruleLabel(rule)).toBe(rule);
    }
  });

  it('gives the RFC sections of CHECKLIST ids', () => {
    expect(describeRule('R-19')).toMatchObject({ kind: 'checklist', ref: 'RFC 4976 §3, §6.4.1, §6.4.2' });
    expect(describeRule('E-13').ref).toBe('RFC 4975 §5.4');
    expect(describeRule('W-35').ref).toBe('RFC 4975 §7.1.1');
    expect(describeRule('A-01')).toMatchObject({ kind: 'ambiguity' });
    expect(ruleLabel('R-20')).toBe('R-20 (RFC 4976 §6.4.1)');
  });

  it('recognises profile deviations, firewall rules and SIP sections by their form', () => {
    expect(describeRule('kamailio:keep-tid')).toMatchObject({ kind: 'profile', ref: 'relay profile kamailio' });
    expect(describeRule('fw-b#2')).toMatchObject({ kind: 'firewall' });
    expect(describeRule('default-deny')).toMatchObject({ kind: 'firewall' });
    expect(describeRule('RFC 3261 §8.1.1.5')).toMatchObject({ kind: 'rfc', ref: 'RFC 3261 §8.1.1.5' });
    expect(describeRule('nonsense')).toMatchObject({ kind: 'other', ref: '' });
    expect(ruleLabel('nonsense')).toBe('nonsense');
  });

  it('knows every rule id the model names', () => {
    const ids = new Set(catalogueIds());
    const src = ['src/nodes', 'src/net', 'src/protocol', 'src/signal', 'src/wire']
      .flatMap((d) => listTs(d))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const used = new Set([...src.matchAll(/'([WUERSXA]-\d+[a-z]?)'/g)].map((m) => m[1]!));
    for (const id of used) expect(ids.has(id), `${id} is in the catalogue`).toBe(true);
  });
});

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listTs(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []));
}
