/**
 * An endpoint that AUTHs once per session (a relays entry with `authPerSession`), as AG Projects'
 * client does (msrplib `RelayConnection`): no AUTH at start; each session opens a connection of its
 * own to the relay, AUTHs on it with the session's URI as From-Path, and sends and receives on it
 * with that AUTH's Use-Path. An msrprelay relay needs it (docs/relay-profiles.md,
 * `msrprelay:session-per-auth`); the strict relay serves it as any client.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';
import { SECOND } from '../../src/sim/time.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import type { MsrpRequest, MsrpResponse } from '../../src/wire/frame.js';
import { AG_CLIENT, chain, isRequest, isResponse, sent, type Built } from './helpers.js';

/** psa - a1 - b1 - pra, two sessions opened at 1 s, a message on each at 3 s. */
function twoSessions(t: Built): void {
  t.world.start();
  t.world.at(SECOND, () => t.world.openSession('s1', 'psa', 'pra'));
  t.world.at(SECOND, () => t.world.openSession('s2', 'psa', 'pra'));
  t.world.at(3 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'one' }));
  t.world.at(3 * SECOND, () => t.world.send('psa', { session: 's2', contentType: 'text/plain', body: 'two' }));
}

/** Each session of psa: its URI (the last of its offered path) and the Use-Path it offered. */
function sessionsOf(t: Built): { uri: string; usePath: string[] }[] {
  return t.of('session.offer', 'psa').map((o) => {
    const path = o.path as string[];
    return { uri: path.at(-1)!, usePath: path.slice(0, -1) };
  });
}

describe('authPerSession: one connection and one AUTH per session', () => {
  for (const profile of ['msrprelay', 'rfc4976'] as const) {
    it(`${profile}: no AUTH at start; each session AUTHs on a connection of its own with its URI as From-Path, and sends on it`, () => {
      const t = chain(1, 1, { relay: { profile }, credentials: profile === 'msrprelay' ? AG_CLIENT : { authPerSession: true } });
      twoSessions(t);
      t.world.run(6 * SECOND);
      const auths = sent(t, 'psa', isRequest('AUTH'));
      expect(auths.every((a) => a.record.t >= SECOND)).toBe(true);
      const sessions = sessionsOf(t);
      expect(sessions).toHaveLength(2);
      const conns = sessions.map(({ uri, usePath }) => {
        // A challenge and the credentials, both from the session's own URI, on one connection.
        const mine = auths.filter((a) => (a.frame as MsrpRequest).fromPath.join(' ') === uri);
        expect(mine).toHaveLength(2);
        const conn = mine[0]!.record.conn;
        expect(mine.every((a) => a.record.conn === conn)).toBe(true);
        // The session's Use-Path is the one its own AUTH got, and its SENDs go on that connection.
        const ok = sent(t, 'a1', isResponse(200)).map((r) => r.frame as MsrpResponse).find((r) => r.transactionId === mine[1]!.frame.transactionId)!;
        expect(usePath).toEqual(ok.usePath);
        const sends = sent(t, 'psa', isRequest('SEND')).filter((s) => (s.frame as MsrpRequest).fromPath.join(' ') === uri);
        expect(sends.length).toBeGreaterThan(0);
        expect(sends.every((s) => s.record.conn === conn)).toBe(true);
        return conn;
      });
      expect(new Set(conns).size).toBe(2);
      expect(sessions[0]!.usePath).not.toEqual(sessions[1]!.usePath);
      expect(t.of('endpoint.deliver', 'pra').map((d) => d.session).sort()).toEqual(['s1', 's2']);
    });
  }

  it('ending a session closes its own connection to the relay, once the BYE is answered; the other session keeps its own', () => {
    const t = chain(1, 1, { relay: { profile: 'msrprelay' }, credentials: AG_CLIENT });
    twoSessions(t);
    t.world.at(4 * SECOND, () => t.world.endSession('s1', 'psa'));
    t.world.at(6 * SECOND, () => t.world.send('psa', { session: 's2', contentType: 'text/plain', body: 'still here' }));
    t.world.run(8 * SECOND);
    const [s1, s2] = sessionsOf(t).map(({ uri }) => sent(t, 'psa', isRequest('AUTH')).find((a) => (a.frame as MsrpRequest).fromPath[0] === uri)!.record.conn);
    const closed = t.of('tcp.close').map((c) => c.conn);
    expect(closed).toContain(s1);
    expect(closed).not.toContain(s2);
    expect(t.of('endpoint.deliver', 'pra').filter((d) => d.session === 's2')).toHaveLength(2);
  });
});

describe('what an msrprelay relay does to a client that AUTHs otherwise', () => {
  it('one AUTH for the device (From-Path its device URI): every SEND of a session gets 481, From-Path does not match session source', () => {
    const t = chain(1, 1, { relay: { profile: 'msrprelay' }, credentials: { digestUri: false } });
    t.world.start();
    t.world.at(SECOND, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.run(4 * SECOND);
    const refused = sent(t, 'a1', isResponse(481)).map((r) => (r.frame as MsrpResponse).comment);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((c) => c === 'Indicated session does not exist, please terminate: From-Path does not match session source')).toBe(true);
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(0);
  });

  it('credentials with the digest uri (the default): the AUTH is never answered, and times out at the client', () => {
    const t = chain(1, 1, { relay: { profile: 'msrprelay' }, credentials: { authPerSession: true }, psa: { transactionTimeout: 10 * SECOND } });
    t.world.start();
    t.world.at(SECOND, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.run(20 * SECOND);
    const auths = sent(t, 'psa', isRequest('AUTH'));
    expect(auths).toHaveLength(2);
    const answered = sent(t, 'a1', isResponse()).map((r) => r.frame.transactionId);
    expect(answered).toEqual([auths[0]!.frame.transactionId]);
    expect(t.of('relay.discard', 'a1')[0]).toMatchObject({ rule: 'msrprelay:auth-uri-unanswered' });
    expect(t.of('endpoint.timeout', 'psa').map((x) => x.transactionId)).toEqual([auths[1]!.frame.transactionId]);
    expect(t.of('session.failed', 'psa')).toHaveLength(1);
  });
});

describe('what an msrprelay relay does to a path it cannot match (relay.py _bound_peer_data, 501-502)', () => {
  /** psa's first session up at 1 s, a message on it at 3 s, then `bytes` on its connection at 4 s. */
  function rawOnSession(profile: 'msrprelay' | 'rfc4976', fromPath: (uri: string) => string): Built {
    const t = chain(1, 1, { relay: { profile }, credentials: profile === 'msrprelay' ? AG_CLIENT : { authPerSession: true } });
    t.world.start();
    t.world.at(SECOND, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(3 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'one' }));
    t.world.at(4 * SECOND, () => {
      const { uri, usePath } = sessionsOf(t)[0]!;
      const peer = t.of('session.answer', 'pra')[0]!.path as string[];
      const frame = `MSRP longer1 SEND\r\nTo-Path: ${[...usePath, ...peer.slice(-2)].join(' ')}\r\nFrom-Path: ${fromPath(uri)}\r\nMessage-ID: longer\r\nByte-Range: 1-5/5\r\nContent-Type: text/plain\r\n\r\nhello\r\n-------longer1$\r\n`;
      t.world.raw('psa', new TextEncoder().encode(frame), 's1');
    });
    t.world.run(8 * SECOND);
    return t;
  }

  it('a From-Path longer than the one the session was bound to: IndexError, no answer, the leg dropped and the session with it (the other leg closed)', () => {
    const t = rawOnSession('msrprelay', (uri) => `${uri} msrp://extra.example.com:2855/e;tcp`);
    expect(t.of('relay.drop-connection', 'a1').map((d) => [d.rule, d.error ?? d.session ?? null])).toEqual([
      ['msrprelay:session-per-auth', 'IndexError: deque index out of range'],
      ['msrprelay:session-ends-with-leg', expect.any(String)],
    ]);
    expect(sent(t, 'a1', isResponse()).filter((r) => r.frame.transactionId === 'longer1')).toHaveLength(0);
    expect(t.of('session.failed', 'psa')).toHaveLength(1);
    // The message before it was delivered; the raw one never was.
    expect(t.of('endpoint.deliver', 'pra').map((d) => d.session)).toEqual(['s1']);
  });

  it('the strict relay forwards the same frame (R-12, R-17 bind a token to its connection, not to a From-Path) and keeps the session', () => {
    const t = rawOnSession('rfc4976', (uri) => `${uri} msrp://extra.example.com:2855/e;tcp`);
    expect(sent(t, 'a1', isResponse()).filter((r) => r.frame.transactionId === 'longer1').map((r) => (r.frame as MsrpResponse).statusCode)).toEqual([200]);
    expect(t.of('relay.drop-connection', 'a1')).toHaveLength(0);
    expect(t.of('session.failed', 'psa')).toHaveLength(0);
  });

  it('the same URI written otherwise (host in upper case, a user part) is the session\'s: the frame is forwarded and delivered', () => {
    const t = rawOnSession('msrprelay', (uri) => uri.replace('//', '//someone@').replace('push.example.com', 'PUSH.Example.COM'));
    expect(t.of('relay.drop-connection', 'a1')).toHaveLength(0);
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(2);
  });
});

describe('both parties on one msrprelay relay', () => {
  it('the owner\'s first SEND makes the relay connect to itself (relay.py 507-514), over its loopback; messages go both ways', () => {
    const yaml = `name: msrprelay-one-relay
seed: 3
duration: 10s
defaults:
  link: { latency: 5ms, bandwidth: 10Mbit/s }
  relay: { profile: msrprelay }
nodes:
  alice: { role: sender, host: alice.example.com, password: pa, relays: [ { relay: r, authPerSession: true, digestUri: false } ] }
  r:     { role: relay, host: relay.example.com, users: { alice: pa, bob: pb } }
  bob:   { role: receiver, host: bob.example.com, password: pb, relays: [ { relay: r, authPerSession: true, digestUri: false } ] }
links:
  - [alice, r]
  - [r, bob]
events:
  - { at: 0s, session: { id: s1, offerer: alice, answerer: bob } }
  - { at: 1s, send: { session: s1, from: alice, contentType: text/plain, body: "hello through one relay" } }
  - { at: 2s, send: { session: s1, from: bob, contentType: text/plain, body: "and back" } }
expect:
  - delivered: { session: s1, to: bob }
  - delivered: { session: s1, to: alice }
`;
    const loaded = loadScenario('one-relay.yaml', yaml);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const records: AnyTraceRecord[] = [];
    const result = runScenario(loaded.scenario, { sinks: [(r) => records.push(r)] });
    expect(result.expectations.filter((e) => !e.passed).map((e) => `${e.expected}: ${e.actual}`)).toEqual([]);
    // The relay's connection to its own address, once (one session), accepted by itself.
    const self = records.filter((r) => r.type === 'tcp.connect' && r.node === 'r');
    expect(self).toHaveLength(1);
    expect(records.some((r) => r.type === 'relay.connect' && r.node === 'r' && r.rule === 'msrprelay:connection-per-session')).toBe(true);
  });
});
