/**
 * Scenario strings that end up in MSRP headers, URIs, SIP or SDP text (realm, usernames,
 * passwords, host names, certificate names, media types) may not hold control characters: a CR
 * or LF there would end a header line. Validation refuses them at FILE:LINE:COL, naming the field,
 * instead of the run failing in the serializer.
 */
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { ScenarioFileSchema, formatProblem, loadScenario } from '../../src/scenario/index.js';
import { parseYamlSource, toPlain } from '../../src/scenario/source.js';

/** A valid scenario (line numbers in comments). */
const good = [
  'name: text', //                                                                     1
  'duration: 10s', //                                                                  2
  'nodes:', //                                                                         3
  '  psa: { role: sender, relays: [relay-a], password: s3cret }', //                   4
  '  relay-a: { role: relay, realm: example.com, users: { psa: s3cret } }', //         5
  '  pra: { role: receiver, acceptTypes: [text/plain] }', //                           6
  'links:', //                                                                         7
  '  - [psa, relay-a]', //                                                             8
  '  - [relay-a, pra]', //                                                             9
  'events:', //                                                                        10
  '  - at: 0s', //                                                                     11
  '    session: { id: s1, offerer: psa, answerer: pra }', //                           12
];

function problems(changes: Record<number, string>): string[] {
  const lines = good.map((line, i) => changes[i + 1] ?? line);
  for (let n = good.length + 1; changes[n] !== undefined; n++) lines.push(changes[n]!);
  const r = loadScenario('t.yaml', lines.join('\n') + '\n');
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('control characters in strings that reach protocol text', () => {
  it('the valid file has none', () => {
    expect(problems({})).toEqual([]);
  });

  it.each([
    ['realm, CR LF', { 5: '  relay-a: { role: relay, realm: "exam\\r\\nple.com", users: { psa: s3cret } }' }, 't.yaml:5:34: nodes.relay-a.realm: the realm contains a carriage return (CR) at character 5; control characters cannot be written in MSRP, SIP or SDP text'],
    ['realm, LF', { 5: '  relay-a: { role: relay, realm: "example.com\\n", users: { psa: s3cret } }' }, 't.yaml:5:34: nodes.relay-a.realm: the realm contains a line feed (LF) at character 12; control characters cannot be written in MSRP, SIP or SDP text'],
    ['username of a relay', { 4: '  psa: { role: sender, relays: [{ relay: relay-a, username: "p\\nsa" }], password: s3cret }' }, 't.yaml:4:61: nodes.psa.relays[0].username: the username contains a line feed (LF) at character 2; control characters cannot be written in MSRP, SIP or SDP text'],
    ['password of a relay', { 4: '  psa: { role: sender, relays: [{ relay: relay-a, password: "s3\\rcret" }], password: s3cret }' }, 't.yaml:4:61: nodes.psa.relays[0].password: the password contains a carriage return (CR) at character 3; control characters cannot be written in MSRP, SIP or SDP text'],
    ['password of an endpoint', { 4: '  psa: { role: sender, relays: [relay-a], password: "s3cret\\u0000" }' }, 't.yaml:4:53: nodes.psa.password: the password contains a NUL (U+0000) at character 7; control characters cannot be written in MSRP, SIP or SDP text'],
    ['username in users', { 5: '  relay-a: { role: relay, realm: example.com, users: { "ps\\ra": s3cret } }' }, 't.yaml:5:56: nodes.relay-a.users: the username `ps\\ra` contains a carriage return (CR) at character 3; control characters cannot be written in MSRP, SIP or SDP text'],
    ['password in users', { 5: '  relay-a: { role: relay, realm: example.com, users: { psa: "s3\\ncret" } }' }, 't.yaml:5:61: nodes.relay-a.users.psa: the password contains a line feed (LF) at character 3; control characters cannot be written in MSRP, SIP or SDP text'],
    ['certificate name', { 5: '  relay-a: { role: relay, certificateNames: ["a\\x1bb"], users: { psa: s3cret } }' }, 't.yaml:5:46: nodes.relay-a.certificateNames[0]: the certificate name contains a control character (U+001B) at character 2; control characters cannot be written in MSRP, SIP or SDP text'],
    ['host', { 6: '  pra: { role: receiver, host: "pra.example\\n.com" }' }, 't.yaml:6:32: nodes.pra.host: the host name contains a line feed (LF) at character 12; control characters cannot be written in MSRP, SIP or SDP text'],
    ['media type parameter', { 6: '  pra: { role: receiver, acceptTypes: ["text/plain; a=\\"x\\r\\ny\\""] }' }, 't.yaml:6:40: nodes.pra.acceptTypes[0]: the media type contains a carriage return (CR) at character 17; control characters cannot be written in MSRP, SIP or SDP text'],
    ['Content-Type of a send', { 13: '  - at: 1s', 14: '    send: { session: s1, from: psa, contentType: "text/plain; a=\\"\\n\\"", body: hi }' }, 't.yaml:14:50: events[1].send.contentType: the media type contains a line feed (LF) at character 16; control characters cannot be written in MSRP, SIP or SDP text'],
  ])('%s', (_name, change, expected) => {
    const got = problems(change);
    // A refused password also leaves its relay without one: that warning may come along.
    expect(got.filter((line) => !line.includes(': warning: '))).toEqual([expected]);
    for (const line of got) expect(line).not.toMatch(/[\r\n]/);
  });

  it('a tab is text (utf8text allows HTAB)', () => {
    expect(problems({ 5: '  relay-a: { role: relay, realm: "exam\\tple", users: { psa: "s3\\tcret" } }' })).toEqual([]);
  });

  it('a set action is checked the same way', () => {
    const got = problems({ 12: '    set: { node: relay-a, realm: "x\\ny", users: { psa: "a\\rb" } }' });
    expect(got).toEqual([
      't.yaml:12:34: events[0].set.realm: the realm contains a line feed (LF) at character 2; control characters cannot be written in MSRP, SIP or SDP text',
      't.yaml:12:56: events[0].set.users.psa: the password contains a carriage return (CR) at character 2; control characters cannot be written in MSRP, SIP or SDP text',
    ]);
  });

  it('message bodies and raw bytes keep their line breaks', () => {
    expect(problems({ 13: '  - at: 1s', 14: '    send: { session: s1, from: psa, body: "two\\r\\nlines" }' })).toEqual([]);
    expect(problems({ 13: '  - at: 1s', 14: '    raw: { node: psa, session: s1, bytes: "MSRP x SEND\\r\\n" }' })).toEqual([]);
  });

  it('the JSON Schema (TypeBox) refuses the same values: editors flag them too', () => {
    const plain = (lines: string[]) => {
      const r = parseYamlSource(lines.join('\n') + '\n');
      if (!r.ok || r.root === null) throw new Error('not YAML');
      return toPlain(r.root);
    };
    expect(Value.Check(ScenarioFileSchema, plain(good))).toBe(true);
    for (const [n, line] of [
      [5, '  relay-a: { role: relay, realm: "a\\nb", users: { psa: s3cret } }'],
      [5, '  relay-a: { role: relay, users: { "p\\rsa": s3cret } }'],
      [5, '  relay-a: { role: relay, users: { psa: "s3\\ncret" } }'],
      [4, '  psa: { role: sender, relays: [{ relay: relay-a, username: "a\\rb" }] }'],
      [6, '  pra: { role: receiver, acceptTypes: ["text/plain; a=\\"\\n\\""] }'],
    ] as const) {
      expect(Value.Check(ScenarioFileSchema, plain(good.map((l, i) => (i + 1 === n ? line : l))))).toBe(false);
    }
  });

  it('other messages show a control character as an escape, so that each problem is one line', () => {
    const got = [
      ...problems({ 6: '  "pr\\na": { role: receiver }' }),
      ...problems({ 6: '  pra: { role: "recei\\rver" }' }),
      ...problems({ 6: '  pra: { role: receiver, "ho\\nst": x }' }),
    ].filter((line) => line.startsWith('t.yaml:6:'));
    expect(got).toEqual([
      expect.stringMatching(/^t\.yaml:6:3: nodes: `pr\\na` is not a node id/),
      expect.stringMatching(/^t\.yaml:6:16: nodes\.pra\.role: expected .*, got `recei\\rver`; did you mean `receiver`\?$/),
      expect.stringMatching(/^t\.yaml:6:26: nodes\.pra: unknown key `ho\\nst`/),
    ]);
    for (const line of got) expect(line).not.toMatch(/[\r\n]/);
  });
});
