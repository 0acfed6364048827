import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import type { ScenarioEndpoint, ScenarioFirewall, ScenarioRelay, Scenario } from '../../src/scenario/index.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

function load(file: string, text: string, options = {}): Scenario {
  const r = loadScenario(file, text, options);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  expect(r.warnings.map(formatProblem)).toEqual([]);
  return r.scenario;
}

function node<T>(s: Scenario, id: string): T {
  const n = s.nodes.find((x) => x.id === id);
  if (n === undefined) throw new Error(`no node ${id}`);
  return n as T;
}

describe('the SPEC §5 example, as written', () => {
  const s = load('spec-example.yaml', fixture('spec-example.yaml'));

  it('keeps the top-level settings, with units converted', () => {
    expect(s.name).toBe('push-via-two-relays');
    expect(s.description).toBe('A Push Sender Agent sends a 40 KiB image to a Push Receiver Agent behind a firewall. Each side uses its own relay (RFC 4976 section 3).\n');
    expect(s.seed).toBe(7);
    expect(s.duration).toBe(120_000_000);
    expect(s.signallingDelay).toBe(20_000);
    expect(s.tcp).toEqual({ connectTimeout: 20_000_000, rto: 1_000_000, maxRetries: 8 });
  });

  it('has the nodes in file order with defaults applied', () => {
    expect(s.nodes.map((n) => [n.id, n.role, n.host])).toEqual([
      ['psa', 'sender', 'push.example.com'],
      ['relay-a', 'relay', 'relay.a.example.com'],
      ['relay-b', 'relay', 'relay.b.example.net'],
      ['fw-b', 'firewall', 'fw-b.test'],
      ['pra', 'receiver', 'phone.b.example.net'],
    ]);
    expect(node<ScenarioEndpoint>(s, 'psa')).toEqual({
      id: 'psa',
      role: 'sender',
      host: 'push.example.com',
      address: null,
      port: 2855,
      scheme: 'msrp',
      tls: { version: '1.3' },
      certificateNames: ['push.example.com'],
      relays: [{ relay: 'relay-a', username: 'psa', password: 's3cret' }],
      acceptTypes: ['*'],
      acceptWrappedTypes: [],
      maxSize: null,
      chunkSize: 2048,
      chunkStrategy: 'fixed',
      successReport: 'no',
      failureReport: 'yes',
      transactionTimeout: 30_000_000,
      authExpires: null,
      connectionModel: 'rfc4975',
      reachable: true,
      onSessionFailure: 'report',
    });
    const pra = node<ScenarioEndpoint>(s, 'pra');
    expect(pra.relays).toEqual([{ relay: 'relay-b', username: 'pra', password: 'hunter2' }]);
    expect(pra.acceptTypes).toEqual(['image/jpeg', 'text/plain']);
    // Inside a firewall: not reachable from outside unless the file says so.
    expect(pra.reachable).toBe(false);
    expect(node<ScenarioRelay>(s, 'relay-a')).toEqual({
      id: 'relay-a',
      role: 'relay',
      host: 'relay.a.example.com',
      address: null,
      port: 2855,
      scheme: 'msrps',
      tls: { version: '1.3' },
      certificateNames: ['relay.a.example.com'],
      realm: 'relay.a.example.com',
      users: { psa: 's3cret' },
      expires: { min: 60_000_000, default: 1_800_000_000, max: 3_600_000_000 },
      maxChunk: null,
      probation: 30_000_000,
      maxFailedAuths: 3,
      nonceLifetime: 300_000_000,
      idleLimit: null,
      transactionTimeout: 30_000_000,
      profile: 'rfc4976',
      live: null,
      listen: null,
    });
    expect(node<ScenarioFirewall>(s, 'fw-b')).toEqual({
      id: 'fw-b',
      role: 'firewall',
      host: 'fw-b.test',
      address: null,
      inside: ['pra'],
      rules: [
        { id: 'rule-1', action: 'allow', direction: 'outbound', port: null, host: null, tlsOnly: false, mode: null },
        { id: 'rule-2', action: 'deny', direction: 'inbound', port: null, host: null, tlsOnly: false, mode: 'drop' },
      ],
      default: { inbound: 'deny', outbound: 'allow', mode: 'drop' },
      idleTimeout: 7_440_000_000,
      idleMode: 'drop',
      nat: null,
      policy: null,
    });
  });

  it('applies defaults.link under each link', () => {
    const base = { jitter: 2000, loss: 0, mss: 1460 };
    expect(s.links).toEqual([
      { a: 'psa', b: 'relay-a', latency: 10_000, bandwidth: 100_000_000, ...base },
      { a: 'relay-a', b: 'relay-b', latency: 40_000, bandwidth: 100_000_000, ...base },
      { a: 'relay-b', b: 'fw-b', latency: 10_000, bandwidth: 100_000_000, ...base },
      { a: 'fw-b', b: 'pra', latency: 10_000, bandwidth: 2_000_000, ...base },
    ]);
  });

  it('has the events in time order, with `for` turned into the event that undoes the fault', () => {
    expect(s.sessions).toEqual([{ id: 's1', offerer: 'psa', answerer: 'pra', openedAt: 0, endedAt: null, endedBy: null }]);
    expect(s.events).toEqual([
      { at: 0, index: 0, source: { line: 22, column: 5 }, action: 'session', session: 's1', offerer: 'psa', answerer: 'pra' },
      {
        at: 100_000,
        index: 1,
        source: { line: 24, column: 5 },
        action: 'send',
        session: 's1',
        from: 'psa',
        to: 'pra',
        contentType: 'image/jpeg',
        content: { kind: 'generated', size: 40_960 },
        size: 40_960,
        chunkSize: 2048,
        chunkStrategy: 'fixed',
        successReport: 'yes',
        failureReport: 'yes',
        force: false,
        abortAfter: null,
        count: 1,
        interval: 0,
      },
      { at: 5_000_000, index: 2, source: { line: 26, column: 5 }, action: 'fault', fault: { kind: 'linkDown', link: { link: 1, a: 'relay-a', b: 'relay-b' } }, recovery: false },
      { at: 10_000_000, index: 2, source: { line: 26, column: 5 }, action: 'fault', fault: { kind: 'linkUp', link: { link: 1, a: 'relay-a', b: 'relay-b' } }, recovery: true },
    ]);
  });

  it('resolves the expectations', () => {
    expect(s.expectations).toEqual([
      { index: 0, source: { line: 29, column: 5 }, expect: 'delivered', session: 's1', to: 'pra', from: 'psa', messages: 1, within: null },
      { index: 1, source: { line: 30, column: 5 }, expect: 'report', to: 'psa', status: 200, session: null, count: { min: 1, max: null }, before: null },
      { index: 2, source: { line: 31, column: 5 }, expect: 'path', at: 'pra', method: 'SEND', session: null, toPath: null, fromPath: [{ node: 'relay-b' }, { node: 'relay-a' }, { node: 'psa' }] },
    ]);
  });

  it('reads the same from JSON', () => {
    const json = JSON.stringify({
      name: 'push-via-two-relays',
      seed: 7,
      duration: '2m',
      defaults: { link: { latency: '10ms', jitter: '2ms', bandwidth: '100Mbit/s' } },
      nodes: {
        psa: { role: 'sender', host: 'push.example.com', relays: ['relay-a'], password: 's3cret' },
        'relay-a': { role: 'relay', host: 'relay.a.example.com', users: { psa: 's3cret' } },
        'relay-b': { role: 'relay', host: 'relay.b.example.net', users: { pra: 'hunter2' } },
        'fw-b': { role: 'firewall', inside: ['pra'], rules: [{ allow: 'outbound' }, { deny: 'inbound' }] },
        pra: { role: 'receiver', host: 'phone.b.example.net', relays: ['relay-b'], password: 'hunter2', acceptTypes: ['image/jpeg', 'text/plain'] },
      },
      links: [['psa', 'relay-a'], ['relay-a', 'relay-b', { latency: '40ms' }], ['relay-b', 'fw-b'], ['fw-b', 'pra', { bandwidth: '2Mbit/s' }]],
      events: [
        { at: '0s', session: { id: 's1', offerer: 'psa', answerer: 'pra' } },
        { at: '100ms', send: { session: 's1', from: 'psa', contentType: 'image/jpeg', size: '40KiB', chunkSize: 2048, successReport: 'yes' } },
        { at: '5s', fault: { linkDown: ['relay-a', 'relay-b'], for: '5s' } },
      ],
      expect: [{ delivered: { session: 's1', to: 'pra', messages: 1 } }, { report: { to: 'psa', status: 200 } }, { path: { at: 'pra', method: 'SEND', fromPath: ['relay-b', 'relay-a', 'psa'] } }],
    }, null, 2);
    const j = load('spec-example.json', json);
    expect({ ...j, description: s.description, events: j.events.map(({ source: _, ...e }) => e), expectations: j.expectations.map(({ source: _, ...e }) => e) }).toEqual({
      ...s,
      events: s.events.map(({ source: _, ...e }) => e),
      expectations: s.expectations.map(({ source: _, ...e }) => e),
    });
  });
});

describe('normalization', () => {
  const base = (extra: string) => `name: t
nodes:
  a: { role: endpoint, relays: [r], password: pw }
  r: { role: relay, users: { a: pw } }
  b: { role: endpoint }
links:
  - [a, r]
  - [r, b]
${extra}`;

  it('takes role defaults over built-in ones, and node settings over both', () => {
    const s = load(
      't.yaml',
      `name: t
defaults:
  endpoint: { chunkSize: 4KiB, chunkStrategy: interruptible, successReport: yes }
  sender: { failureReport: partial }
  relay: { profile: opensips, maxChunk: 8KiB }
  firewall: { idleTimeout: 5m, default: deny }
  link: { mss: 536, loss: 1% }
  signallingDelay: 80ms
  tcp: { connectTimeout: 5s, rto: 200ms, maxRetries: 3 }
nodes:
  s: { role: sender, chunkSize: 8KiB, tls: { version: 1.2 }, authExpires: 600, relays: [r], password: pw }
  e: { role: endpoint, successReport: no }
  r: { role: relay, users: { s: pw }, expires: { default: 20m } }
  f: { role: firewall, inside: [e], nat: { address: 203.0.113.9 } }
links:
  - [s, r]
  - [r, f]
  - [f, e, { mss: 1400 }]
`,
    );
    expect(node<ScenarioEndpoint>(s, 's')).toMatchObject({ chunkSize: 8192, chunkStrategy: 'interruptible', successReport: 'yes', failureReport: 'partial', tls: { version: '1.2' }, authExpires: 600_000_000 });
    expect(node<ScenarioEndpoint>(s, 'e')).toMatchObject({ chunkSize: 4096, successReport: 'no', failureReport: 'yes', reachable: false });
    expect(node<ScenarioRelay>(s, 'r')).toMatchObject({ profile: 'opensips', maxChunk: 8192, expires: { min: 60_000_000, default: 1_200_000_000, max: 3_600_000_000 } });
    expect(node<ScenarioFirewall>(s, 'f')).toMatchObject({ idleTimeout: 300_000_000, default: { inbound: 'deny', outbound: 'deny', mode: 'drop' }, nat: { address: '203.0.113.9' } });
    expect(s.links.map((l) => [l.mss, l.loss])).toEqual([
      [536, 0.01],
      [536, 0.01],
      [1400, 0.01],
    ]);
    expect(s.signallingDelay).toBe(80_000);
    expect(s.tcp).toEqual({ connectTimeout: 5_000_000, rto: 200_000, maxRetries: 3 });
  });

  it('gives relays the defaults of their profile, and lets the caller override every profile', () => {
    const text = base('').replace('r: { role: relay,', 'r: { role: relay, profile: msrprelay,');
    expect(node<ScenarioRelay>(load('t.yaml', text), 'r')).toMatchObject({ profile: 'msrprelay', nonceLifetime: 15_000_000, expires: { default: 600_000_000 } });
    expect(node<ScenarioRelay>(load('t.yaml', text, { profile: 'kamailio' }), 'r')).toMatchObject({ profile: 'kamailio', nonceLifetime: 300_000_000, expires: { default: 3_600_000_000 } });
  });

  it('turns `set` into the node\'s whole settings from then on', () => {
    const s = load(
      't.yaml',
      base(`  - [r, f]
  - [f, c]
events:
  - at: 1s
    set: { node: a, password: new, acceptTypes: [text/plain] }
  - at: 2s
    set: { node: r, users: { a: new }, expires: { max: 2h } }
  - at: 3s
    set: { node: f, rules: [{ deny: outbound, port: 2855, host: r, mode: reject, id: block }, { allow: any, tlsOnly: true }] }
`).replace('  b: { role: endpoint }', '  b: { role: endpoint }\n  f: { role: firewall, inside: [c] }\n  c: { role: receiver }'),
    );
    const sets = s.events.filter((e) => e.action === 'set');
    expect(sets.map((e) => [e.node, e.changed])).toEqual([
      ['a', ['password', 'acceptTypes']],
      ['r', ['users', 'expires']],
      ['f', ['rules']],
    ]);
    expect(sets[0]!.settings).toMatchObject({ relays: [{ relay: 'r', username: 'a', password: 'new' }], acceptTypes: ['text/plain'], chunkSize: 2048 });
    expect(sets[1]!.settings).toMatchObject({ users: { a: 'new' }, expires: { min: 60_000_000, default: 1_800_000_000, max: 7_200_000_000 } });
    expect((sets[2]!.settings as ScenarioFirewall).rules).toEqual([
      { id: 'block', action: 'deny', direction: 'outbound', port: 2855, host: 'r.test', tlsOnly: false, mode: 'reject' },
      { id: 'rule-2', action: 'allow', direction: 'any', port: null, host: null, tlsOnly: true, mode: null },
    ]);
    // The node list keeps the settings the run starts with.
    expect(node<ScenarioEndpoint>(s, 'a').relays[0]!.password).toBe('pw');
  });

  it('normalizes every fault', () => {
    const s = load(
      't.yaml',
      base(`events:
  - at: 0s
    session: { id: s1, offerer: a, answerer: b }
  - at: 1s
    fault: { linkUp: [r, a] }
  - at: 2s
    fault: { crash: r, for: 3s }
  - at: 3s
    fault: { restart: r }
  - at: 4s
    fault: { resetConnection: { node: a, peer: r } }
  - at: 5s
    fault: { partition: [[a], [r, b]], for: 1s }
  - at: 7s
    fault: { heal: true }
  - at: 8s
    fault: { setLink: { link: [b, r], latency: 50ms, bandwidth: 1Mbit/s, loss: 0.5, jitter: 1ms, mss: 100 } }
  - at: 9s
    fault: { expireTokens: r }
  - at: 10s
    fault: { dropSegment: { link: [a, r], nth: 3, direction: backward } }
  - at: 11s
    fault: { dropFrame: { link: [r, b], nth: 1, status: 200 } }
`),
    );
    expect(s.events.filter((e) => e.action === 'fault').map((e) => (e.action === 'fault' ? [e.at / 1e6, e.fault, e.recovery] : null))).toEqual([
      [1, { kind: 'linkUp', link: { link: 0, a: 'r', b: 'a' } }, false],
      [2, { kind: 'crash', node: 'r' }, false],
      [3, { kind: 'restart', node: 'r' }, false],
      [4, { kind: 'resetConnection', node: 'a', peer: 'r' }, false],
      [5, { kind: 'restart', node: 'r' }, true],
      [5, { kind: 'partition', groups: [['a'], ['r', 'b']] }, false],
      [6, { kind: 'heal' }, true],
      [7, { kind: 'heal' }, false],
      [8, { kind: 'setLink', link: { link: 1, a: 'b', b: 'r' }, changed: ['latency', 'jitter', 'bandwidth', 'loss', 'mss'], settings: { latency: 50_000, jitter: 1000, bandwidth: 1_000_000, loss: 0.5, mss: 100 } }, false],
      [9, { kind: 'expireTokens', relay: 'r' }, false],
      [10, { kind: 'dropSegment', link: { link: 0, a: 'a', b: 'r' }, nth: 3, from: 'r' }, false],
      [11, { kind: 'dropFrame', link: { link: 1, a: 'r', b: 'b' }, nth: 1, from: null, method: null, status: 200 }, false],
    ]);
  });

  it('normalizes sends, ends, auth and raw bytes', () => {
    const s = load(
      't.yaml',
      base(`events:
  - at: 0s
    session: { id: s1, offerer: a, answerer: b }
  - at: 1s
    send: { session: s1, from: b, body: "héllo", count: 3, interval: 250ms, failureReport: partial, abortAfter: 2 }
  - at: 2s
    auth: { node: a }
  - at: 3s
    raw: { node: a, session: s1, bytes: 'MSRP x SEND\\r\\n\\x00\\\\' }
  - at: 3s
    raw: { node: a, to: r, lines: [MSRP x SEND, "-------x$"] }
  - at: 3s
    raw: { node: b, to: r, hex: "4d 53\\n5250" }
  - at: 3s
    raw: { node: b, to: r, base64: TVNSUA== }
  - at: 4s
    end: { session: s1, by: b }
`),
    );
    const [send, auth, ...rest] = s.events.slice(1);
    expect(send).toMatchObject({ action: 'send', from: 'b', to: 'a', contentType: 'text/plain', size: 6, count: 3, interval: 250_000, failureReport: 'partial', successReport: 'no', abortAfter: 2 });
    expect(send!.action === 'send' && send!.content).toEqual({ kind: 'text', text: 'héllo', bytes: new TextEncoder().encode('héllo') });
    expect(auth).toMatchObject({ action: 'auth', node: 'a' });
    const raws = rest.filter((e) => e.action === 'raw');
    const text = (b: Uint8Array) => String.fromCharCode(...b);
    expect(raws.map((e) => (e.action === 'raw' ? [e.node, e.session, e.to, text(e.bytes)] : null))).toEqual([
      ['a', 's1', null, 'MSRP x SEND\r\n\0\\'],
      ['a', null, 'r', 'MSRP x SEND\r\n-------x$\r\n'],
      ['b', null, 'r', 'MSRP'],
      ['b', null, 'r', 'MSRP'],
    ]);
    expect(s.sessions).toEqual([{ id: 's1', offerer: 'a', answerer: 'b', openedAt: 0, endedAt: 4_000_000, endedBy: 'b' }]);
    expect(s.events.at(-1)).toMatchObject({ action: 'end', session: 's1', by: 'b' });
  });

  it('normalizes every expectation', () => {
    const s = load(
      't.yaml',
      base(`events:
  - at: 0s
    session: { id: s1, offerer: a, answerer: b }
  - at: 1s
    send: { session: s1, from: a, size: 1KiB, count: 2 }
expect:
  - delivered: { session: s1, to: b, within: 2s }
  - report: { to: a, status: 413, session: s1, count: 2, before: 30s }
  - response: { to: a, status: 401, method: AUTH }
  - path: { at: b, method: SEND, toPath: [b], fromPath: ["msrps://r.test:2855/abc;tcp", a] }
  - connection: { from: a, to: r, state: opened, before: 1s }
  - none: { kind: response, status: 403, at: r, method: SEND }
  - none: { kind: drop, rule: rule-2 }
  - count: { link: [r, b], method: SEND, frames: 2 }
  - count: { link: [r, b], status: 200, min: 1, max: 4, direction: forward }
`),
    );
    expect(s.expectations.map(({ index: _i, source: _s, ...x }) => x)).toEqual([
      { expect: 'delivered', session: 's1', to: 'b', from: 'a', messages: 2, within: 2_000_000 },
      { expect: 'report', to: 'a', status: 413, session: 's1', count: { min: 2, max: 2 }, before: 30_000_000 },
      { expect: 'response', to: 'a', status: 401, method: 'AUTH', session: null, count: { min: 1, max: null }, before: null },
      { expect: 'path', at: 'b', method: 'SEND', session: null, toPath: [{ node: 'b' }], fromPath: [{ uri: 'msrps://r.test:2855/abc;tcp' }, { node: 'a' }] },
      { expect: 'connection', from: 'a', to: 'r', state: 'opened', before: 1_000_000 },
      { expect: 'none', kind: 'response', status: 403, rule: null, at: 'r', method: 'SEND' },
      { expect: 'none', kind: 'drop', status: null, rule: 'rule-2', at: null, method: null },
      { expect: 'count', link: { link: 1, a: 'r', b: 'b' }, from: null, method: 'SEND', status: null, frames: { min: 2, max: 2 } },
      { expect: 'count', link: { link: 1, a: 'r', b: 'b' }, from: 'r', method: null, status: 200, frames: { min: 1, max: 4 } },
    ]);
  });

  it('accepts YAML anchors and merge keys', () => {
    const s = load(
      't.yaml',
      `name: t
nodes:
  a: &ep { role: endpoint, chunkSize: 1KiB }
  b: { <<: *ep, chunkSize: 4KiB, chunkStrategy: interruptible }
  c: *ep
links: [[a, b], [b, c]]
`,
    );
    expect(s.nodes.map((n) => [n.id, n.role, (n as ScenarioEndpoint).chunkSize])).toEqual([
      ['a', 'endpoint', 1024],
      ['b', 'endpoint', 4096],
      ['c', 'endpoint', 1024],
    ]);
  });

  it('defaults name-derived hosts, seed and duration', () => {
    const s = load('t.yaml', 'name: t\nnodes:\n  Relay_A: { role: relay }\n');
    expect(s.nodes[0]!.host).toBe('relay-a.test');
    expect(s.seed).toBe(1);
    expect(s.duration).toBe(600_000_000);
    expect(s.links).toEqual([]);
    expect(s.events).toEqual([]);
  });
});
