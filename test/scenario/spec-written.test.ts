/**
 * Scenario files as someone who has read only the product description (SPEC §5) writes them:
 * spellings and forms that description uses, or that YAML users write without thinking, load.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import type { ScenarioEndpoint, ScenarioFirewall, Scenario } from '../../src/scenario/index.js';

function load(text: string, file = 't.yaml'): Scenario {
  const r = loadScenario(file, text);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  return r.scenario;
}

function problems(text: string, file = 't.yaml'): string[] {
  const r = loadScenario(file, text);
  return r.ok ? r.warnings.map(formatProblem) : r.problems.map(formatProblem);
}

const topology = (nodeExtra: string, events = '') => `name: t
nodes:
  a: { role: sender${nodeExtra} }
  fw: { role: firewall, inside: [a], nat: yes, rules: [ { allow: outbound, tls-only: yes }, { deny: inbound, tlsOnly: no } ] }
  b: { role: receiver, reachable: no }
links:
  - [a, fw]
  - [fw, b]
events:
  - at: 0s
    session: { id: s1, offerer: a, answerer: b }
${events}`;

describe('on/off settings', () => {
  it('take yes and no as well as true and false', () => {
    const s = load(topology(', reachable: yes', '  - at: 1s\n    send: { session: s1, from: a, body: hi, contentType: text/html, force: yes }\n'));
    const fw = s.nodes.find((n) => n.id === 'fw') as ScenarioFirewall;
    expect(fw.nat).toEqual({ address: null });
    expect(fw.rules.map((r) => r.tlsOnly)).toEqual([true, false]);
    expect((s.nodes.find((n) => n.id === 'a') as ScenarioEndpoint).reachable).toBe(true);
    expect((s.nodes.find((n) => n.id === 'b') as ScenarioEndpoint).reachable).toBe(false);
    const send = s.events.find((e) => e.action === 'send');
    expect(send?.action === 'send' && send.force).toBe(true);
  });

  it('still refuse other words, saying what they take', () => {
    expect(problems(topology(', reachable: maybe'))).toEqual(['t.yaml:3:33: nodes.a.reachable: expected `true` or `false` (or `yes` / `no`), got the string "maybe"']);
  });
});

describe('firewall rules', () => {
  it('take `tls-only`, the spelling of the product description, for `tlsOnly`', () => {
    const s = load(topology(''));
    const fw = s.nodes.find((n) => n.id === 'fw') as ScenarioFirewall;
    expect(fw.rules[0]).toMatchObject({ action: 'allow', direction: 'outbound', tlsOnly: true });
  });

  it('refuse both spellings in one rule', () => {
    const text = topology('').replace('tls-only: yes }', 'tls-only: yes, tlsOnly: true }');
    expect(problems(text)).toEqual(['t.yaml:4:76: nodes.fw.rules[0].tls-only: `tls-only` is another spelling of `tlsOnly`; give only one of them']);
  });
});

describe('files that are not scenarios', () => {
  it('a control character: the file is not text, said once, where it is', () => {
    expect(problems('name: x\nnodes: {}\n\u0000\u0001junk')).toEqual(['t.yaml:3:1: the file is not text: it holds the control character U+0000 here; a scenario is a YAML or JSON text file']);
  });

  it('a long value is shown by its start, not whole', () => {
    const [p] = problems('x'.repeat(5000));
    expect(p).toBe(`t.yaml:1:1: expected a scenario: a mapping with \`name\`, \`nodes\`, \`links\`, \`events\` and \`expect\`, got a string of 5000 characters starting "${'x'.repeat(40)}"`);
  });
});
