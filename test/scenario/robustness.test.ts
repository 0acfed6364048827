import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario, starterScenario } from '../../src/scenario/index.js';
import { parseJsonSource, parseYamlSource, toPlain } from '../../src/scenario/source.js';

const spec = readFileSync(new URL('fixtures/spec-example.yaml', import.meta.url), 'utf8');
const seeds = [spec, starterScenario()];

/** Tokens that make files interesting: keys, values of the wrong kind, YAML punctuation. */
const token = fc.constantFrom(
  'at: 1s', 'session:', 'send:', 'fault:', 'for: 5s', 'relays: [psa]', 'role: relay', 'role: firewall', 'inside: [psa]', 'size: 40KB', 'body: x',
  '{', '}', '[', ']', ',', ':', '- ', '&a ', '*a', '<<: *a', '"', "'", '\n', '  ', '#', '0', '-1', 'null', 'true', '1e999', '~', '!!binary x', '%YAML 1.1\n---\n',
  'linkDown: [psa, pra]', 'partition: [[psa], [pra]]', 'set: { node: fw-b, rules: [] }', 'raw: { node: psa, to: relay-a, hex: "0" }', 'count: { link: [psa, relay-a], min: 3, max: 1 }',
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(token, fc.string({ maxLength: 6 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
);

function mutate(text: string, ms: { kind: string; at?: number; text?: string; length?: number; a?: number; b?: number }[]): string {
  let t = text;
  for (const m of ms) {
    if (m.kind === 'insert') {
      const at = m.at! % (t.length + 1);
      t = t.slice(0, at) + m.text! + t.slice(at);
    } else if (m.kind === 'delete') {
      const at = m.at! % (t.length + 1);
      t = t.slice(0, at) + t.slice(at + m.length!);
    } else {
      const lines = t.split('\n');
      const a = m.a! % lines.length;
      const b = m.b! % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      t = lines.join('\n');
    }
  }
  return t;
}

function checkResult(file: string, text: string): void {
  const r = loadScenario(file, text);
  const lines = text.split(/\r\n|\r|\n/u).length;
  const problems = r.ok ? r.warnings : r.problems;
  if (!r.ok) expect(problems.some((p) => p.severity === 'error')).toBe(true);
  if (r.ok) {
    // Nothing is left out quietly: a file that loads has all its events, expectations and nodes.
    const parsed = file.endsWith('.json') ? parseJsonSource(text.replace(/^\ufeff/u, '')) : parseYamlSource(text.replace(/^\ufeff/u, ''));
    const plain = (parsed.ok && parsed.root !== null ? toPlain(parsed.root) : {}) as { events?: unknown[]; expect?: unknown[]; nodes?: object; links?: unknown[] };
    expect(r.scenario.events.filter((e) => !(e.action === 'fault' && e.recovery)).length).toBe(plain.events?.length ?? 0);
    expect(r.scenario.expectations.length).toBe(plain.expect?.length ?? 0);
    expect(r.scenario.nodes.length).toBe(Object.keys(plain.nodes ?? {}).length);
    expect(r.scenario.links.length).toBe(plain.links?.length ?? 0);
  }
  for (const p of problems) {
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lines);
    expect(p.column).toBeGreaterThanOrEqual(1);
    expect(p.message.length).toBeGreaterThan(0);
  }
}

describe('loadScenario on damaged files', () => {
  it('never throws, and every problem points into the file', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => {
        checkResult('fuzz.yaml', mutate(seed, ms));
      }),
      { numRuns: 700 },
    );
  });

  it('never throws on arbitrary text, as YAML or as JSON', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (text, json) => {
        checkResult(json ? 'fuzz.json' : 'fuzz.yaml', text);
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws on damaged JSON', () => {
    const r = loadScenario('x.yaml', spec);
    if (!r.ok) throw new Error('spec example does not load');
    const json = JSON.stringify({ name: 'j', nodes: { a: { role: 'sender', relays: ['r'] }, r: { role: 'relay' } }, links: [['a', 'r']], events: [{ at: '1s', auth: { node: 'a' } }] }, null, 1);
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        checkResult('fuzz.json', mutate(json, ms));
      }),
      { numRuns: 1000 },
    );
  });
});
