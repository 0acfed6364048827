import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { scenarioProblems } from '../helpers/scenario-text.js';

/** Every problem of a file, formatted as `FILE:LINE:COL: message`. */
const problems = (file: string, lines: string[]): string[] => scenarioProblems(file, lines);

/** A valid scenario to break one line at a time (line numbers in comments). */
const good = [
  'name: bad', //                                                        1
  'duration: 1m', //                                                     2
  'nodes:', //                                                           3
  '  psa: { role: sender, relays: [relay-a], password: s3cret }', //     4
  '  relay-a: { role: relay, users: { psa: s3cret } }', //               5
  '  pra: { role: receiver }', //                                        6
  'links:', //                                                           7
  '  - [psa, relay-a]', //                                               8
  '  - [relay-a, pra]', //                                               9
  'events:', //                                                          10
  '  - at: 0s', //                                                       11
  '    session: { id: s1, offerer: psa, answerer: pra }', //             12
  '  - at: 1s', //                                                       13
  '    send: { session: s1, from: psa, body: hello }', //                14
  'expect:', //                                                          15
  '  - delivered: { session: s1, to: pra }', //                          16
];

function edit(changes: Record<number, string | string[]>): string[] {
  return good.flatMap((line, i) => {
    const c = changes[i + 1];
    return c === undefined ? [line] : c;
  });
}

describe('a valid file', () => {
  it('has no problems', () => {
    expect(problems('bad.yaml', good)).toEqual([]);
  });
});

describe('one bad file per class of problem', () => {
  it('YAML syntax', () => {
    expect(problems('bad.yaml', edit({ 4: '  psa: { role: sender, relays: [relay-a, password: s3cret }' }))).toEqual([
      'bad.yaml:4:59: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'bad.yaml:5:3: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
    ]);
    expect(problems('bad.yaml', edit({ 2: 'duration: 1m: 2m' }))).toEqual(['bad.yaml:2:11: YAML syntax: Nested mappings are not allowed in compact mappings']);
  });

  it('unknown key, with a suggestion', () => {
    expect(problems('bad.yaml', edit({ 6: '  pra: { role: receiver, acceptType: [text/plain] }' }))).toEqual(['bad.yaml:6:26: nodes.pra: unknown key `acceptType`; did you mean `acceptTypes`?']);
    expect(problems('bad.yaml', edit({ 1: 'nmae: bad' }))).toEqual(['bad.yaml:1:1: unknown key `nmae`; did you mean `name`?', 'bad.yaml:1:1: missing `name`']);
    expect(problems('bad.yaml', edit({ 5: '  relay-a: { role: relay, usres: { psa: s3cret } }' }))).toEqual([
      'bad.yaml:4:33: warning: nodes.psa.relays[0]: relay `relay-a` has no user `psa`; the AUTH of `psa` will fail',
      'bad.yaml:5:27: nodes.relay-a: unknown key `usres`; did you mean `users`?',
    ]);
  });

  it('unknown key, without one close enough: the keys that are allowed', () => {
    expect(problems('bad.yaml', edit({ 16: '  - delivered: { session: s1, to: pra, color: red }' }))).toEqual([
      'bad.yaml:16:40: expect[0].delivered: unknown key `color`; expected `session`, `to`, `messages` or `within`',
    ]);
  });

  it('wrong type', () => {
    expect(problems('bad.yaml', edit({ 6: '  pra: { role: receiver, port: "2855", acceptTypes: text/plain }' }))).toEqual([
      'bad.yaml:6:32: nodes.pra.port: expected a whole number from 1 to 65535, got the string "2855"',
      'bad.yaml:6:53: nodes.pra.acceptTypes: expected a list, got the string "text/plain" (write `[text/plain]` for a list of one)',
    ]);
    expect(problems('bad.yaml', edit({ 5: '  relay-a: { role: relay, users: { psa: 1234 } }' }))).toEqual([
      'bad.yaml:5:41: nodes.relay-a.users.psa: expected a string, got the number 1234 (quote it if you meant the text `1234`)',
    ]);
  });

  it('digestUri of a relay entry: a boolean', () => {
    expect(problems('bad.yaml', edit({ 4: '  psa: { role: sender, relays: [{ relay: relay-a, digestUri: no-uri }], password: s3cret }' }))).toEqual([
      'bad.yaml:4:62: nodes.psa.relays[0].digestUri: expected `true` or `false`, got the string "no-uri"',
    ]);
    expect(problems('bad.yaml', edit({ 4: '  psa: { role: sender, relays: [{ relay: relay-a, digestUri: false }], password: s3cret }' }))).toEqual([]);
  });

  it('authPerSession of a relay entry: a boolean, and only with a single relay', () => {
    expect(problems('bad.yaml', edit({ 4: '  psa: { role: sender, relays: [{ relay: relay-a, authPerSession: yes }], password: s3cret }' }))).toEqual([
      'bad.yaml:4:67: nodes.psa.relays[0].authPerSession: expected `true` or `false`, got the string "yes"',
    ]);
    expect(problems('bad.yaml', edit({ 4: '  psa: { role: sender, relays: [{ relay: relay-a, authPerSession: true, digestUri: false }], password: s3cret }' }))).toEqual([]);
    const two = edit({
      4: '  psa: { role: sender, relays: [{ relay: relay-a, authPerSession: true }, relay-b], password: s3cret }',
      5: ['  relay-a: { role: relay, users: { psa: s3cret } }', '  relay-b: { role: relay, users: { psa: s3cret } }'],
      9: ['  - [relay-a, pra]', '  - [relay-a, relay-b]'],
    });
    expect(problems('bad.yaml', two)).toEqual(['bad.yaml:4:67: nodes.psa.relays[0].authPerSession: `authPerSession` needs a single relay: each session AUTHs to its one relay on a connection of its own']);
  });

  it('value outside a list, with a suggestion', () => {
    expect(problems('bad.yaml', edit({ 6: '  pra: { role: reciever }' }))).toEqual([
      'bad.yaml:6:16: nodes.pra.role: expected `sender`, `receiver`, `endpoint`, `relay` or `firewall`, got `reciever`; did you mean `receiver`?',
    ]);
    expect(problems('bad.yaml', edit({ 14: '    send: { session: s1, from: psa, body: hello, chunkStrategy: interupt }' }))).toEqual([
      'bad.yaml:14:65: events[1].send.chunkStrategy: expected `fixed` or `interruptible`, got `interupt`; did you mean `interruptible`?',
    ]);
  });

  it('bad unit', () => {
    expect(problems('bad.yaml', edit({ 2: 'duration: 60', 9: '  - [relay-a, pra, { latency: 10 mss, bandwidth: 10MB/s }]' }))).toEqual([
      'bad.yaml:2:11: duration: a bare number is not a time; add a unit: us, ms, s, m or h (for example `60s` or `60ms`)',
      'bad.yaml:9:31: links[1][2].latency: `10 mss` is not a time; write a number and a unit: us, ms, s, m or h (for example `250ms`, `1.5s`, `2m`)',
      'bad.yaml:9:50: links[1][2].bandwidth: `10MB/s` counts bytes; bandwidth is written in bits (`10MB/s` is `80Mbit/s`)',
    ]);
    expect(problems('bad.yaml', edit({ 14: '    send: { session: s1, from: psa, size: 40KB }' }))).toEqual([
      'bad.yaml:14:43: events[1].send.size: `40KB` is ambiguous; write `40kB` (1000 bytes each) or `40KiB` (1024 bytes each)',
    ]);
  });

  it('unknown node in a link', () => {
    expect(problems('bad.yaml', edit({ 9: '  - [relay-a, prb]' }))).toEqual([
      'bad.yaml:6:3: warning: nodes.pra: `pra` has no links',
      'bad.yaml:9:15: links[1][1]: unknown node `prb`; did you mean `pra`?',
      'bad.yaml:12:48: events[0].session.answerer: no route between `psa` and `pra` over the links',
    ]);
  });

  it('unknown node in an event', () => {
    expect(problems('bad.yaml', edit({ 12: '    session: { id: s1, offerer: psa, answerer: pxa }' }))).toEqual([
      'bad.yaml:12:48: events[0].session.answerer: unknown node `pxa`; did you mean `psa`?',
    ]);
  });

  it('a node of the wrong role', () => {
    expect(problems('bad.yaml', edit({ 14: '    send: { session: s1, from: relay-a, body: hello }' }))).toEqual([
      'bad.yaml:14:32: events[1].send.from: `relay-a` is a relay, not an endpoint (a sender, receiver or endpoint)',
    ]);
  });

  it('unknown session', () => {
    expect(problems('bad.yaml', edit({ 14: '    send: { session: s2, from: psa, body: hello }' }))).toEqual([
      'bad.yaml:14:22: events[1].send.session: unknown session `s2`; did you mean `s1`?',
      'bad.yaml:16:5: warning: expect[0].delivered: no `send` event sends to `pra` on session `s1`; expecting one message',
    ]);
  });

  it('a session between nodes that are not endpoints is reported once, not at each use', () => {
    expect(problems('bad.yaml', edit({ 6: '  pra: { role: relay }' }))).toEqual([
      'bad.yaml:12:48: events[0].session.answerer: `pra` is a relay, not an endpoint (a sender, receiver or endpoint)',
      'bad.yaml:16:35: expect[0].delivered.to: `pra` is a relay, not an endpoint (a sender, receiver or endpoint)',
    ]);
  });

  it('a relay reference to a node that is no relay', () => {
    expect(problems('bad.yaml', edit({ 4: '  psa: { role: sender, relays: [pra], password: s3cret }' }))).toEqual([
      'bad.yaml:4:33: nodes.psa.relays[0]: `pra` is a receiver, not a relay',
    ]);
  });

  it('an endpoint with no route to its relay', () => {
    expect(problems('bad.yaml', edit({ 6: ['  pra: { role: receiver }', '  relay-b: { role: relay, users: { island: x } }', '  island: { role: receiver, relays: [relay-b], password: x }'] }))).toEqual([
      'bad.yaml:7:3: warning: nodes.relay-b: `relay-b` has no links',
      'bad.yaml:8:3: warning: nodes.island: `island` has no links',
      'bad.yaml:8:38: nodes.island.relays[0]: no route from `island` to its relay `relay-b` over the links',
    ]);
  });

  it('duplicate key', () => {
    expect(problems('bad.yaml', edit({ 6: ['  pra: { role: receiver }', '  psa: { role: receiver }'] }))).toEqual(['bad.yaml:7:3: nodes: duplicate key `psa`; the first is at line 4']);
    expect(problems('bad.yaml', edit({ 6: '  pra: { role: receiver, port: 1, port: 2 }' }))).toEqual(['bad.yaml:6:35: nodes.pra: duplicate key `port`; the first is at line 6']);
  });

  it('duplicate session id', () => {
    expect(problems('bad.yaml', edit({ 14: ['    send: { session: s1, from: psa, body: hello }', '  - at: 2s', '    session: { id: s1, offerer: pra, answerer: psa }'] }))).toEqual([
      'bad.yaml:16:20: events[2].session.id: session `s1` is already opened at line 11',
    ]);
  });

  it('time beyond the duration', () => {
    expect(problems('bad.yaml', edit({ 13: '  - at: 90s' }))).toEqual(['bad.yaml:13:9: events[1].at: `90s` is after the end of the run (`duration` is `1m`)']);
  });

  it('an event with two actions, and one with none', () => {
    expect(problems('bad.yaml', edit({ 14: ['    send: { session: s1, from: psa, body: hello }', '    end: { session: s1 }'] }))).toEqual([
      'bad.yaml:15:5: events[1]: an event takes only one of `session`, `send`, `end`, `auth`, `fault`, `set` or `raw`, but has both `send` and `end`',
    ]);
    expect(problems('bad.yaml', edit({ 14: '    sned: { session: s1, from: psa, body: hello }' }))).toEqual([
      'bad.yaml:13:5: events[1]: an event needs one of `session`, `send`, `end`, `auth`, `fault`, `set` or `raw`',
      'bad.yaml:14:5: events[1]: unknown key `sned`; did you mean `send`?',
      'bad.yaml:16:5: warning: expect[0].delivered: no `send` event sends to `pra` on session `s1`; expecting one message',
    ]);
  });

  it('a session used before it is opened, or after it ended', () => {
    expect(problems('bad.yaml', edit({ 13: '  - at: 0s', 11: '  - at: 1s' }))).toEqual([
      'bad.yaml:14:22: events[1].send.session: session `s1` is used before it is opened (at 1s, line 11)',
    ]);
    expect(problems('bad.yaml', edit({ 12: ['    session: { id: s1, offerer: psa, answerer: pra }', '  - at: 500ms', '    end: { session: s1 }'] }))).toEqual([
      'bad.yaml:16:22: events[2].send.session: session `s1` has already ended (at 500ms, line 13)',
    ]);
  });

  it('an expectation about a session that does not exist', () => {
    expect(problems('bad.yaml', edit({ 16: '  - delivered: { session: s9, to: pra }' }))).toEqual(['bad.yaml:16:27: expect[0].delivered.session: unknown session `s9`; did you mean `s1`?']);
  });

  it('an expectation about a link that does not exist', () => {
    expect(problems('bad.yaml', edit({ 16: '  - count: { link: [psa, pra], frames: 3 }' }))).toEqual(['bad.yaml:16:20: expect[0].count.link: there is no link between `psa` and `pra`']);
  });

  it('faults: `for` where it does not apply, a link that does not exist, a node of the wrong role', () => {
    expect(
      problems(
        'bad.yaml',
        edit({
          14: [
            '    send: { session: s1, from: psa, body: hello }',
            '  - at: 2s',
            '    fault: { linkUp: [psa, relay-a], for: 1s }',
            '  - at: 3s',
            '    fault: { linkDown: [psa, pra] }',
            '  - at: 4s',
            '    fault: { flushFirewall: relay-a }',
            '  - at: 5s',
            '    fault: { crash: psa, restart: psa }',
          ],
        }),
      ),
    ).toEqual([
      'bad.yaml:16:38: events[2].fault.for: `for` undoes a `linkDown`, `crash` or `partition`; this fault has none',
      'bad.yaml:18:24: events[3].fault.linkDown: there is no link between `psa` and `pra`',
      'bad.yaml:20:29: events[4].fault.flushFirewall: `relay-a` is a relay, not a firewall',
      'bad.yaml:22:26: events[5].fault: a fault takes only one of `linkDown`, `linkUp`, `crash`, `restart`, `resetConnection`, `flushFirewall`, `partition`, `heal`, `setLink`, `expireTokens`, `dropSegment` or `dropFrame`, but has both `crash` and `restart`',
    ]);
  });

  it('`set` with a setting the node\'s role does not have', () => {
    expect(problems('bad.yaml', edit({ 14: ['    send: { session: s1, from: psa, body: hello }', '  - at: 2s', '    set: { node: relay-a, rules: [] }'] }))).toEqual([
      'bad.yaml:16:27: events[2].set.rules: `rules` is not a setting of a relay; a relay can change `users`, `realm`, `certificateNames`, `expires`, `maxChunk`, `probation`, `maxFailedAuths`, `nonceLifetime`, `idleLimit`, `transactionTimeout`, `profile`',
    ]);
  });

  it('a firewall with an unknown node, or itself, inside', () => {
    expect(problems('bad.yaml', edit({ 6: ['  pra: { role: receiver }', '  fw: { role: firewall, inside: [pra, prb, fw] }'], 9: ['  - [relay-a, fw]', '  - [fw, pra]'] }))).toEqual([
      'bad.yaml:7:39: nodes.fw.inside[1]: unknown node `prb`; did you mean `pra`?',
      'bad.yaml:7:44: nodes.fw.inside[2]: a firewall is not inside itself',
    ]);
  });

  it('firewall rules: allow and deny together, `mode` on an allow rule', () => {
    expect(problems('bad.yaml', edit({ 6: ['  pra: { role: receiver }', '  fw: { role: firewall, inside: [pra], rules: [{ allow: inbound, deny: outbound }, { allow: inbound, mode: reject }] }'], 9: ['  - [relay-a, fw]', '  - [fw, pra]'] }))).toEqual([
      'bad.yaml:7:66: nodes.fw.rules[0]: a firewall rule takes only one of `allow` or `deny`, but has both `allow` and `deny`',
      'bad.yaml:7:102: nodes.fw.rules[1].mode: `mode` says how a `deny` rule denies; an `allow` rule has none',
    ]);
  });

  it('a default that is wrong is reported once, where it is written, and only for nodes that keep it', () => {
    const file = [
      'name: d',
      'defaults:',
      '  endpoint: { chunkSize: 16KiB }',
      '  relay: { expires: { max: 30 } }',
      'nodes:',
      '  a: { role: endpoint }',
      '  b: { role: endpoint }',
      '  c: { role: endpoint, chunkStrategy: interruptible }',
      '  r: { role: relay }',
      '  q: { role: relay, expires: { min: 10, default: 20 } }',
      '  s: { role: relay, expires: { default: 20 } }',
      'links: [[a, b], [b, c], [c, r], [r, q], [q, s]]',
    ];
    expect(problems('d.yaml', file)).toEqual([
      'd.yaml:3:26: warning: defaults.endpoint.chunkSize: chunks of more than 2048 bytes must be interruptible (W-31, RFC 4975 §7.1.1); set `chunkStrategy: interruptible`',
      'd.yaml:4:21: defaults.relay.expires: Expires bounds must be in order min <= default <= max; they are 1m, 30m and 30s',
      'd.yaml:11:30: nodes.s.expires: Expires bounds must be in order min <= default <= max; they are 1m, 20s and 30s',
    ]);
  });

  it('warnings alone do not make a file invalid', () => {
    const r = loadScenario('warn.yaml', edit({ 4: '  psa: { role: sender, relays: [relay-a] }' }).join('\n'));
    expect(r.ok).toBe(true);
    expect(r.ok && r.warnings.map(formatProblem)).toEqual(['warn.yaml:4:33: warning: nodes.psa.relays[0]: `psa` has no password for relay `relay-a`; its AUTH will fail (give `password`)']);
  });

  it('an empty file, a list, two documents, an oversized file', () => {
    expect(problems('e.yaml', ['# nothing'])).toEqual(['e.yaml:1:1: the file is empty; a scenario needs at least `name` and `nodes`']);
    expect(problems('e.yaml', ['- a'])).toEqual(['e.yaml:1:1: expected a scenario: a mapping with `name`, `nodes`, `links`, `events` and `expect`, got a list of 1 item']);
    expect(problems('e.yaml', ['name: a', '---', 'name: b'])).toEqual(['e.yaml:2:1: a scenario file holds one YAML document; this `---` starts a second one']);
    expect(problems('e.yaml', ['name: x', `description: "${'x'.repeat(17 * 1024 * 1024)}"`])).toEqual(['e.yaml:1:1: the file is larger than 16 MiB; no scenario needs that much']);
  });
});

describe('every problem at once', () => {
  it('reports all problems of a file in file order', () => {
    expect(
      problems(
        'many.yaml',
        edit({
          2: 'duration: 1 minute',
          5: '  relay-a: { role: relay, users: { psa: s3cret }, prfile: kamailio }',
          8: '  - [psa, relay-a, { latency: 10 }]',
          12: '    session: { id: s1, offerer: psa, answerer: pra, extra: 1 }',
          13: '  - at: 2h',
          16: ['  - delivered: { session: s2, to: pra }', '  - report: { to: ghost, status: 99 }'],
        }),
      ),
    ).toEqual([
      'many.yaml:2:11: duration: `1 minute` is not a time; write a number and a unit: us, ms, s, m or h (for example `250ms`, `1.5s`, `2m`)',
      'many.yaml:5:51: nodes.relay-a: unknown key `prfile`; did you mean `profile`?',
      'many.yaml:8:31: links[0][2].latency: a bare number is not a time; add a unit: us, ms, s, m or h (for example `10s` or `10ms`)',
      'many.yaml:12:53: events[0].session: unknown key `extra`; expected `id`, `offerer` or `answerer`',
      'many.yaml:13:9: events[1].at: `2h` is after the end of the run (`duration` is 10m (the default))',
      'many.yaml:16:27: expect[0].delivered.session: unknown session `s2`; did you mean `s1`?',
      'many.yaml:17:34: expect[1].report.status: expected a status code from 100 to 999, got the number 99',
    ]);
  });
});

describe('JSON files', () => {
  it('are read with positions', () => {
    const json = [
      '{',
      '  "name": "j",',
      '  "nodes": {',
      '    "a": { "role": "sender", "relays": ["r"], "password": "x" },',
      '    "r": { "role": "relay", "users": { "a": "x" }, "prot": 1 }',
      '  },',
      '  "links": [["a", "r", { "latency": 5 }]]',
      '}',
    ];
    expect(problems('s.json', json)).toEqual([
      's.json:5:52: nodes.r: unknown key `prot`; did you mean `port`?',
      's.json:7:37: links[0][2].latency: a bare number is not a time; add a unit: us, ms, s, m or h (for example `5s` or `5ms`)',
    ]);
  });

  it('report syntax errors where they are', () => {
    expect(problems('s.json', ['{', '  "name": "j",', '  "nodes": {},', '}'])).toEqual(['s.json:3:14: JSON syntax: trailing comma before `}`']);
    expect(problems('s.json', ['{', '  "name": "j"', '  "nodes": {}', '}'])).toEqual(['s.json:3:3: JSON syntax: expected `,` or `}` after a property value, found `"`']);
    expect(problems('s.json', ['{ name: "j" }'])).toEqual(['s.json:1:3: JSON syntax: expected a property name in double quotes, found `name`']);
    expect(problems('s.json', ['{ "name": \'j\' }'])).toEqual(['s.json:1:11: JSON syntax: expected a value, found single quote (JSON strings take double quotes)']);
    expect(problems('s.json', ['{ "name": "j", // no', '}'])).toEqual(['s.json:1:16: JSON syntax: comments are not allowed in JSON (a YAML file may have them)']);
    expect(problems('s.json', ['{ "name": "j', '}'])).toEqual(['s.json:1:13: JSON syntax: unterminated string (a line ends inside it)']);
    expect(problems('s.json', ['{ "name": "j" } x'])).toEqual(['s.json:1:17: JSON syntax: unexpected `x` after the end of the JSON value']);
    expect(problems('s.json', ['['.repeat(300)])).toEqual(['s.json:1:202: the file nests deeper than 200 levels; no scenario needs that']);
  });

  it('may start with a byte order mark, as may YAML files', () => {
    expect(problems('s.json', ['\ufeff{ "name": "j", "nodes": {}, "x": 1 }'])).toEqual(['s.json:1:29: unknown key `x`; expected `name`, `description`, `seed`, `duration`, `golden`, `defaults`, `nodes`, `links`, `events` or `expect`']);
    expect(problems('s.yaml', ['\ufeffname: j', 'nodes: {}', 'x: 1'])).toEqual(['s.yaml:3:1: unknown key `x`; expected `name`, `description`, `seed`, `duration`, `golden`, `defaults`, `nodes`, `links`, `events` or `expect`']);
  });

  it('treat keys such as __proto__ as plain keys', () => {
    expect(problems('s.json', ['{ "name": "j", "nodes": { "r": { "role": "relay", "users": { "__proto__": "x" } } } }'])).toEqual([]);
    const r = loadScenario('s.json', '{ "name": "j", "nodes": { "r": { "role": "relay", "users": { "__proto__": "x" } } } }');
    expect(r.ok && Object.keys((r.scenario.nodes[0] as { users: object }).users)).toEqual(['__proto__']);
  });
});
