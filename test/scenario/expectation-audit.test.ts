/**
 * Every expectation kind, and every key it has, against real runs of small scenarios: for each,
 * an expectation that must fail and one that must hold. An expectation that cannot fail (a key
 * silently ignored, records filtered out before matching, a default that makes it vacuous) shows
 * up here as a `fail` row that passes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';

type Row = [expectation: string, holds: boolean, why: string];

/** The scenario's text with its `expect` list replaced by the rows' expectations. */
function withExpectations(text: string, rows: Row[]): string {
  const head = text.slice(0, text.search(/^expect:/m) >>> 0 || text.length);
  return `${head.replace(/\s*$/, '\n')}expect:\n${rows.map(([e]) => `  - ${e}\n`).join('')}`;
}

function audit(name: string, text: string, rows: Row[]): void {
  describe(name, () => {
    const source = withExpectations(text, rows);
    const loaded = loadScenario(`${name}.yaml`, source);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const results = runScenario(loaded.scenario).expectations;
    it.each(rows.map((row, i) => [row[0], row[1], row[2], i] as const))('%s %s (%s)', (_e, holds, _why, i) => {
      const r = results[i]!;
      expect({ passed: r.passed, expected: r.expected, actual: r.actual }).toMatchObject({ passed: holds });
    });
  });
}

const bundled = (name: string): string => readFileSync(new URL(`../../scenarios/${name}.yaml`, import.meta.url), 'utf8');

// alice gets two AUTH 401s, two AUTH 200s and two SEND 200s; intra one AUTH 401 and one AUTH 200.
audit('auth-two-relays', bundled('auth-two-relays'), [
  ['response: { to: alice, method: AUTH, status: 401, count: 2 }', true, 'two AUTH 401s'],
  ['response: { to: alice, method: AUTH, status: 401, count: 3 }', false, 'count is exact'],
  ['response: { to: alice, method: SEND, status: 401 }', false, 'no SEND got a 401'],
  ['response: { to: alice, method: NICKNAME, status: 200 }', false, 'no NICKNAME was sent'],
  ['response: { to: alice, status: 200, count: 4 }', true, 'two AUTH and two SEND 200s'],
  ['response: { to: alice, status: 200, before: 1ms }', false, 'none came that early'],
  ['response: { to: bob, status: 200 }', false, 'bob sends no request'],
  ['none: { kind: response, method: AUTH }', false, 'alice and intra got AUTH responses'],
  ['none: { kind: response, method: AUTH, status: 401 }', false, 'two AUTH 401s'],
  ['none: { kind: response, status: 200 }', false, 'many 200s'],
  ['none: { kind: response }', false, 'any response'],
  ['none: { kind: response, method: NICKNAME }', true, 'no NICKNAME'],
  ['none: { kind: response, status: 403 }', true, 'no 403'],
  ['none: { kind: response, method: SEND, status: 401 }', true, 'SENDs got 200s only'],
  ['none: { kind: response, at: bob }', true, 'bob gets no response'],
  ['none: { kind: response, method: AUTH, at: extra }', true, 'extra sends no AUTH'],
  ['delivered: { session: s1, to: bob, messages: 1 }', true, 'one message'],
  ['delivered: { session: s1, to: bob, messages: 2 }', false, 'only one was sent'],
  ['delivered: { session: s1, to: bob, within: 1ms }', false, 'three relays take longer'],
  ['delivered: { session: s1, to: bob, within: 1s }', true, 'well within'],
  ['delivered: { session: s1, to: alice }', false, 'nothing is sent to alice'],
  ['path: { at: bob, method: SEND, toPath: [bob], fromPath: [extra, intra, alice] }', true, 'the relays in order'],
  ['path: { at: bob, method: SEND, fromPath: [intra, extra, alice] }', false, 'order matters'],
  ['path: { at: bob, method: SEND, toPath: [extra, bob] }', false, 'exact To-Path'],
  ['path: { at: bob, method: REPORT, toPath: [bob] }', false, 'no REPORT reaches bob'],
  ['path: { at: bob, method: SEND, session: s1, toPath: [bob] }', true, 'the session named'],
  ['connection: { from: alice, to: intra, state: opened }', true, 'alice connects to intra'],
  ['connection: { from: alice, to: intra, state: opened, before: 1ms }', false, 'it takes two round trips'],
  ['connection: { from: alice, to: extra, state: opened }', false, 'alice never connects to extra'],
  ['connection: { from: alice, to: intra, state: refused }', false, 'it opened'],
]);

// Two sessions between alice and bob, each bound by alice's bodiless SEND; only s1 then carries a
// message, with a success REPORT; a garbage frame reaches bob, and alice finds fault with bob's 400.
const TWO_SESSIONS = `
name: two-sessions
seed: 4
duration: 20s
defaults:
  link: { latency: 10ms }
nodes:
  alice: { role: sender, host: alice.example.com }
  bob:   { role: receiver, host: bob.example.com }
links:
  - [alice, bob]
events:
  - { at: 0s, session: { id: s1, offerer: alice, answerer: bob } }
  - { at: 0s, session: { id: s2, offerer: alice, answerer: bob } }
  - { at: 1s, send: { session: s1, from: alice, body: hello, successReport: yes } }
  - at: 2s
    raw: { node: alice, session: s1, lines: ["MSRP x1 SEND", "To-Path: nonsense", "", "-------x1$"] }
expect: []
`;
audit('two-sessions', TWO_SESSIONS, [
  ['response: { to: alice, method: SEND, status: 200, session: s1, count: 2 }', true, 'binding SEND and message'],
  ['response: { to: alice, method: SEND, status: 200, session: s2, count: 2 }', false, 'only the binding SEND on s2'],
  ['response: { to: alice, method: SEND, status: 200, session: s2, count: 1 }', true, 'the binding SEND'],
  ['report: { to: alice, status: 200, session: s1, count: 1 }', true, 'one success REPORT'],
  ['report: { to: alice, status: 200, session: s2 }', false, 'none on s2'],
  ['report: { to: alice, status: 200, count: 2 }', false, 'exactly one'],
  ['report: { to: alice, status: 200, before: 500ms }', false, 'sent at 1s'],
  ['report: { to: alice, status: 408 }', false, 'it succeeded'],
  ['none: { kind: report }', false, 'a success REPORT arrived'],
  ['none: { kind: report, status: 200 }', false, 'a success REPORT arrived'],
  ['none: { kind: report, status: 408 }', true, 'no failure REPORT'],
  ['none: { kind: report, at: bob }', true, 'REPORTs go to alice'],
  ['none: { kind: violation }', false, 'the garbage frame'],
  ['none: { kind: violation, rule: W-23, at: bob }', false, 'a SEND without Message-ID'],
  ['none: { kind: violation, rule: W-23, at: alice }', true, 'the 400 alice gets needs none'],
  ['none: { kind: violation, rule: R-17 }', true, 'no such violation'],
  ['none: { kind: timeout }', true, 'nothing times out'],
  ['path: { at: bob, method: SEND, session: s2, fromPath: [alice] }', true, 'the binding SEND'],
  ['path: { at: bob, method: REPORT, session: s1, toPath: [bob] }', false, 'REPORTs go to alice'],
  ['count: { link: [alice, bob], direction: forward, method: SEND, min: 1 }', true, 'the message and the garbage'],
  ['count: { link: [alice, bob], direction: backward, method: SEND, frames: 0 }', true, 'bob sends nothing'],
  ['count: { link: [alice, bob], direction: backward, method: SEND, min: 1 }', false, 'bob sends nothing'],
  ['count: { link: [alice, bob], direction: forward, method: REPORT, max: 0 }', true, 'REPORTs go back'],
  ['count: { link: [alice, bob], direction: backward, method: REPORT, frames: 1 }', true, 'one REPORT'],
  ['count: { link: [alice, bob], direction: backward, status: 200, frames: 0 }', false, 'bob answers the SEND'],
  ['count: { link: [alice, bob], frames: 0 }', false, 'frames cross'],
]);

// psa's SYNs to phone-1 are dropped by fw under fw#rule-2 and the attempt times out.
audit('firewall-blocks-direct', bundled('firewall-blocks-direct'), [
  ['connection: { from: psa, to: phone-1, state: blocked }', true, 'dropped SYNs'],
  ['connection: { from: psa, to: phone-1, state: timeout }', false, 'blocked first'],
  ['connection: { from: psa, to: phone-1, state: opened }', false, 'never opened'],
  ['none: { kind: drop }', false, 'three drops'],
  ['none: { kind: drop, rule: "fw#rule-2" }', false, 'under that rule'],
  ['none: { kind: drop, rule: "fw#rule-1" }', true, 'not that rule'],
  ['none: { kind: drop, at: psa }', true, 'the firewall drops'],
  ['none: { kind: timeout }', false, 'the connect times out'],
  ['none: { kind: reset }', true, 'nothing is reset'],
]);

// A firewall on alice's side resets her direct connection to bob at the first SEND, after it opened.
const POLICY_RESET = `
name: policy-reset
seed: 5
duration: 30s
defaults:
  link: { latency: 5ms }
nodes:
  alice: { role: sender, host: alice.example.com }
  fw:    { role: firewall, inside: [alice], rules: [{ allow: outbound }], policy: { methods: [REPORT], action: reset } }
  bob:   { role: receiver, host: bob.example.com }
links:
  - [alice, fw]
  - [fw, bob]
events:
  - { at: 0s, session: { id: s1, offerer: alice, answerer: bob } }
  - { at: 2s, send: { session: s1, from: alice, body: hello } }
expect: []
`;
audit('policy-reset', POLICY_RESET, [
  ['connection: { from: alice, to: bob, state: opened }', true, 'it opened before the reset'],
  ['connection: { from: alice, to: bob, state: blocked }', false, 'a reset after opening is no block'],
  ['none: { kind: reset }', false, 'the policy reset'],
  ['none: { kind: reset, rule: "fw#policy.methods" }', false, 'under the policy rule'],
  ['none: { kind: reset, rule: "fw#rule-1" }', true, 'not that rule'],
  ['delivered: { session: s1, to: bob, messages: 0 }', true, 'nothing is required'],
  ['delivered: { session: s1, to: bob }', false, 'the SEND never got through'],
]);

// The success REPORT from bob crosses relays b and a on its way to alice.
audit('rfc4976-relayed-session', bundled('rfc4976-relayed-session'), [
  ['report: { to: a, status: 200 }', true, 'relay a forwards it'],
  ['report: { to: a, status: 200, session: s1, count: 1 }', true, 'of session s1'],
  ['report: { to: a, status: 200, count: 2 }', false, 'only one'],
  ['report: { to: a, status: 408 }', false, 'a success REPORT'],
  ['none: { kind: report, at: a }', false, 'it reaches a'],
  ['none: { kind: report, status: 200, at: bob }', true, 'bob sends it'],
]);

// A frame that says REPORT but carries no Status (nor paths) reaches bob as raw bytes: it is no
// REPORT a node can take (RFC 4975 §7.1.2), only violations (W-11, W-24).
const STATUSLESS_REPORT = `
name: statusless-report
seed: 5
duration: 5s
nodes:
  alice: { role: sender, host: alice.example.com }
  bob:   { role: receiver, host: bob.example.com }
links:
  - [alice, bob]
events:
  - { at: 0s, session: { id: s1, offerer: alice, answerer: bob } }
  - at: 1s
    raw: { node: alice, session: s1, lines: ["MSRP q1 REPORT", "", "-------q1$"] }
expect: []
`;
audit('statusless-report', STATUSLESS_REPORT, [
  ['none: { kind: report }', true, 'no REPORT with a Status reached a node'],
  ['none: { kind: violation, at: bob, rule: W-24 }', false, 'bob finds the REPORT without Status'],
  ['none: { kind: violation, at: bob, rule: W-11 }', false, 'and without its paths'],
]);
