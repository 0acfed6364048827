/**
 * Node groups (SPEC §5, docs/scenario-format.md): one template for many nodes, users, links and
 * events; crossed and nested groups; placeholders with zeros in front and arithmetic; problems
 * inside a group at the template's line and column, naming the member.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/index.js';
import fc from 'fast-check';
import { evaluate, substitute } from '../../src/scenario/groups.js';
import type { Path } from '../../src/scenario/problems.js';
import { scenarioProblems } from '../helpers/scenario-text.js';

function load(lines: string[]): Scenario {
  const r = loadScenario('g.yaml', lines.join('\n') + '\n');
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  return r.scenario;
}

const problems = (lines: string[]): string[] => scenarioProblems('g.yaml', lines);

/** Two relays, each with three receivers behind it, written with groups (lines in comments). */
const grouped = [
  'name: groups', //                                                                        1
  'duration: 1m', //                                                                        2
  'nodes:', //                                                                              3
  '  psa: { role: sender, relays: [relay-s], password: pw }', //                            4
  '  relay-s: { role: relay, users: { psa: pw } }', //                                      5
  '  relay-{r:02}:', //                                                                     6
  '    group: { r: 2 }', //                                                                 7
  '    each:', //                                                                           8
  '      role: relay', //                                                                   9
  '      users:', //                                                                        10
  '        rcv-{r}-{k:03}: { group: { k: 3 }, each: "pw-{r}-{k}" }', //                     11
  '  rcv-{r}-{k:03}:', //                                                                   12
  '    group: { r: 2, k: 3 }', //                                                           13
  '    each: { role: receiver, relays: ["relay-{r:02}"], password: "pw-{r}-{k}" }', //      14
  'links:', //                                                                              15
  '  - [psa, relay-s]', //                                                                  16
  '  - { group: { r: 2 }, each: [relay-s, "relay-{r:02}", { latency: "{r*10+5}ms" }] }', // 17
  '  - { group: { r: 2, k: 3 }, each: ["relay-{r:02}", "rcv-{r}-{k:03}"] }', //             18
  'events:', //                                                                             19
  '  - group: { i: 6 }', //                                                                 20
  '    each: { at: "{i*5}ms", session: { id: "s{i}", offerer: psa, answerer: "rcv-{i%2}-{i/2:03}" } }', // 21
  '  - group: { i: 6 }', //                                                                 22
  '    each: { at: "{i*5+500}ms", send: { session: "s{i}", from: psa, body: "to {{{i}}}", count: "{i+1}" } }', // 23
];

/** The same scenario written out member by member. */
const written = [
  'name: groups',
  'duration: 1m',
  'nodes:',
  '  psa: { role: sender, relays: [relay-s], password: pw }',
  '  relay-s: { role: relay, users: { psa: pw } }',
  '  relay-00: { role: relay, users: { rcv-0-000: pw-0-0, rcv-0-001: pw-0-1, rcv-0-002: pw-0-2 } }',
  '  relay-01: { role: relay, users: { rcv-1-000: pw-1-0, rcv-1-001: pw-1-1, rcv-1-002: pw-1-2 } }',
  ...[0, 1].flatMap((r) => [0, 1, 2].map((k) => `  rcv-${r}-00${k}: { role: receiver, relays: [relay-0${r}], password: pw-${r}-${k} }`)),
  'links:',
  '  - [psa, relay-s]',
  '  - [relay-s, relay-00, { latency: 5ms }]',
  '  - [relay-s, relay-01, { latency: 15ms }]',
  ...[0, 1].flatMap((r) => [0, 1, 2].map((k) => `  - [relay-0${r}, rcv-${r}-00${k}]`)),
  'events:',
  ...[0, 1, 2, 3, 4, 5].map((i) => `  - { at: ${i * 5}ms, session: { id: s${i}, offerer: psa, answerer: rcv-${i % 2}-00${Math.floor(i / 2)} } }`),
  ...[0, 1, 2, 3, 4, 5].map((i) => `  - { at: ${i * 5 + 500}ms, send: { session: s${i}, from: psa, body: "to {${i}}", count: ${i + 1} } }`),
];

/** A scenario without the places in the file, which differ between the two ways of writing it. */
function meaning(s: Scenario): unknown {
  const strip = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'source' && k !== 'index'));
  return { ...s, events: s.events.map(strip), expectations: s.expectations.map(strip) };
}

describe('node groups', () => {
  it('expand to the scenario written member by member: crossed (r × k) and nested (users in relays), links and events over groups', () => {
    expect(meaning(load(grouped))).toEqual(meaning(load(written)));
  });

  it('number members from 0 in order, the last index fastest, with zeros in front for {NAME:0W}', () => {
    const s = load(grouped);
    expect(s.nodes.map((n) => n.id)).toEqual(['psa', 'relay-s', 'relay-00', 'relay-01', 'rcv-0-000', 'rcv-0-001', 'rcv-0-002', 'rcv-1-000', 'rcv-1-001', 'rcv-1-002']);
  });

  it('evaluate placeholders as integer arithmetic, / rounding down and % never negative', () => {
    const env = new Map([
      ['i', 7],
      ['k', 3],
    ]);
    expect(evaluate('i*5+1000', env)).toBe(1035);
    expect(evaluate('i/2', env)).toBe(3);
    expect(evaluate('(i-k)*-2', env)).toBe(-8);
    expect(evaluate('(0-i)%3', env)).toBe(2);
    expect(evaluate('i/0', env)).toBe('division by zero');
    expect(evaluate('j', env)).toBe('`j` is no index name here; the groups around this value name `i`, `k`');
    expect(evaluate('i +', env)).toBe('the expression ends too early');
  });

  it('give a placeholder the value evaluate gives its expression, and its problem word for word', () => {
    // substitute reads each distinct text once and compiles its expressions; evaluate is the
    // reference. Expressions come from the grammar (well formed, though a name may be unbound or
    // a divisor zero) and from loose tokens (mostly broken).
    const token = fc.constantFrom('i', 'k', 'j', '0', '3', '12', '+', '-', '*', '/', '%', '(', ')', ' ', '#');
    const { expr: grammar } = fc.letrec<{ expr: string; leaf: string }>((tie) => ({
      leaf: fc.constantFrom('i', 'k', 'j', '0', '2', '3', '17'),
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        tie('leaf'),
        fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '%', ' % ', ' - '), tie('expr')).map(([a, op, b]) => `${a}${op}${b}`),
        tie('expr').map((e) => `(${e})`),
        tie('expr').map((e) => `-${e}`),
      ),
    }));
    const expression = fc.oneof(grammar, fc.array(token, { maxLength: 9 }).map((t) => t.join('')));
    const env = fc.record({ i: fc.integer({ min: -50, max: 50 }), k: fc.integer({ min: -5, max: 5 }) });
    fc.assert(
      fc.property(expression, env, fc.constantFrom('', ':03'), fc.constantFrom('', 'x-'), (expr, values, width, prefix) => {
        if (expr.includes('{') || expr.includes('}') || expr.includes(':')) return;
        const bindings = new Map(Object.entries(values));
        const reported: string[] = [];
        const sink = { error: (_at: unknown, _path: Path, message: string) => void reported.push(message) };
        const got = substitute(sink, `${prefix}{${expr}${width}}`, bindings, [0, 0], []);
        const want = evaluate(expr, bindings);
        if (typeof want === 'string') {
          expect(got).toBeNull();
          expect(reported).toEqual([`\`{${expr}${width}}\`: ${want}`]);
        } else {
          expect(reported).toEqual([]);
          const digits = String(Math.abs(want)).padStart(width === '' ? 0 : 3, '0');
          const text = `${prefix}${want < 0 ? '-' : ''}${digits}`;
          expect(got).toBe(prefix === '' && width === '' ? want : text);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('report the first problem of a text in the order it is written', () => {
    const reported: string[] = [];
    const sink = { error: (_at: unknown, _path: Path, message: string) => void reported.push(message) };
    const env = new Map([['i', 1]]);
    expect(substitute(sink, 'a-{j}-}', env, [0, 0], [])).toBeNull();
    expect(substitute(sink, 'a-{i}-}', env, [0, 0], [])).toBeNull();
    expect(substitute(sink, '{i:3}-{j}', env, [0, 0], [])).toBeNull();
    expect(substitute(sink, '{{{i}}}', env, [0, 0], [])).toBe('{1}');
    expect(reported).toEqual([
      '`{j}`: `j` is no index name here; the groups around this value name `i`',
      '`a-{i}-}`: a `}` without its `{`; write `}}` for a brace',
      '`{i:3}`: after `:` comes the width with a zero in front, such as `{i:03}` for 007',
    ]);
  });

  it('point a problem in a member at the template, name the member, and say it once for all members', () => {
    const bad = [...grouped];
    bad[13] = '    each: { role: receiver, relays: ["relay-{r:02}"], password: "pw-{r}-{k}", colour: red }';
    bad[22] = '    each: { at: "{i*5+500}ms", send: { session: "s{i}", from: psa, body: hi, count: "{i-2}" } }';
    expect(problems(bad)).toEqual([
      'g.yaml:14:79: nodes.rcv-0-000 (member r=0, k=0 of the group at line 13): unknown key `colour`; expected `role`, `host`, `address`, `port`, `scheme`, `tls`, `certificateNames`, `relays`, `password`, `acceptTypes`, `acceptWrappedTypes`, `maxSize`, `chunkSize`, `chunkStrategy`, `successReport`, `failureReport`, `transactionTimeout`, `authExpires`, `connectionModel`, `reachable` or `onSessionFailure` (and 5 other members of the group)',
      'g.yaml:23:85: events[6].send.count (member i=0 of the group at line 22): expected a whole number of at least 1, got the number -2',
      'g.yaml:23:85: events[7].send.count (member i=1 of the group at line 22): expected a whole number of at least 1, got the number -1',
      'g.yaml:23:85: events[8].send.count (member i=2 of the group at line 22): expected a whole number of at least 1, got the number 0',
    ]);
  });

  it('list at most 20 members with different problems at one place of a template, and count the rest', () => {
    // Each member names a relay of its own that does not exist: 30 different errors at one place.
    const got = problems([
      'name: many',
      'nodes:',
      '  psa: { role: sender }',
      '  rcv-{i}: { group: { i: 30 }, each: { role: receiver, relays: ["relay-{i}"] } }',
      'links:',
      '  - { group: { i: 30 }, each: [psa, "rcv-{i}"] }',
    ]);
    expect(got).toHaveLength(21);
    expect(got[0]).toBe('g.yaml:4:65: nodes.rcv-0.relays[0] (member i=0 of the group at line 4): unknown node `relay-0`');
    expect(got[19]).toMatch(/^g\.yaml:4:65: nodes\.rcv-19\.relays\[0\] \(member i=19 of the group at line 4\): unknown node `relay-19`/u);
    expect(got[20]).toBe('g.yaml:4:65: 10 more members of the group at line 4 have an error here, not listed');
  });

  it('name the member whose reference is wrong', () => {
    const bad = [...grouped];
    bad[20] = '    each: { at: "{i*5}ms", session: { id: "s{i}", offerer: psa, answerer: "rcv-{i%3}-{i/2:03}" } }';
    expect(problems(bad)).toEqual([
      'g.yaml:21:75: events[2].session.answerer (member i=2 of the group at line 20): unknown node `rcv-2-001`; did you mean `rcv-0-001`?',
      'g.yaml:21:75: events[5].session.answerer (member i=5 of the group at line 20): unknown node `rcv-2-002`; did you mean `rcv-0-002`?',
    ]);
  });

  it('report groups written wrong, each at its place, once per group', () => {
    const bad = [...grouped];
    bad[6] = '    group: { r: -1 }';
    bad[16] = '  - { group: { r: 2 }, each: [relay-s, "relay-{r:02}", { latency: "{q}ms" }] }';
    bad[17] = '  - { group: { r: 2, k: 3 }, each: ["relay-{r:2}", "rcv-{r}-{k:03"] }';
    expect(problems(bad)).toEqual([
      'g.yaml:7:17: nodes["relay-{r:02}"].group.r: expected a count: a whole number of members, 0 or more',
      'g.yaml:17:67: links[1][2].latency: `{q}`: `q` is no index name here; the groups around this value name `r`',
      'g.yaml:18:37: links[2][0]: `{r:2}`: after `:` comes the width with a zero in front, such as `{i:03}` for 007',
      'g.yaml:18:52: links[2][1]: `rcv-{r}-{k:03`: a `{` without its `}`; write `{{` for a brace',
    ]);
    const keyless = [...grouped];
    keyless[10] = '        rcv: { group: { k: 3 }, each: "pw-{r}-{k}" }';
    keyless[12] = '    group: { r: 2, r: 3 }';
    expect(problems(keyless)).toEqual([
      'g.yaml:11:9: nodes.relay-00.users.rcv: a group\'s key names one entry per member: write a placeholder in it, such as `rcv-{i}`',
      'g.yaml:13:20: nodes["rcv-{r}-{k:03}"].group.r: the index `r` is already a name of this group; give it another name',
    ]);
  });

  it('leave braces outside groups alone, and read {{ and }} as braces inside them', () => {
    const s = load(grouped);
    const sends = s.events.filter((e) => e.action === 'send');
    expect(sends.map((e) => (e as { content?: { text?: string } }).content?.text)).toEqual(['to {0}', 'to {1}', 'to {2}', 'to {3}', 'to {4}', 'to {5}']);
  });
});

describe('the scale scenario', () => {
  it('is a page of YAML written with groups, and loads to 10,000 receivers behind 100 relays', () => {
    const text = readFileSync(new URL('../../scenarios/large/scale-10k.yaml', import.meta.url), 'utf8');
    expect(text.split('\n').length).toBeLessThan(80);
    const r = loadScenario('scale-10k.yaml', text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const roles = new Map<string, number>();
    for (const n of r.scenario.nodes) roles.set(n.role, (roles.get(n.role) ?? 0) + 1);
    expect(Object.fromEntries(roles)).toEqual({ sender: 4, relay: 104, firewall: 100, receiver: 10_000 });
    expect(r.scenario.links.length).toBe(4 + 400 + 100 + 10_000);
    expect(r.scenario.events.length).toBe(30_000);
  }, 300_000);
});
