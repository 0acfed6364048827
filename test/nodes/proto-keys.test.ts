/**
 * Lookups keyed by names from a scenario or from the wire see only what was put there: a relay
 * whose `users` is `{ psa: ... }` knows no user called `__proto__`, `constructor`, `toString` or
 * `hasOwnProperty`, whatever password is tried.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { addHost, chain, specTopology } from './helpers.js';
import { ScriptedPeer } from './peers.js';

/** The names every plain object answers to, with the "password" their value prints as. */
const INHERITED: [string, string][] = [
  ['__proto__', String(Object.prototype)],
  ['constructor', String(Object)],
  ['toString', String(Object.prototype.toString)],
  ['hasOwnProperty', String(Object.prototype.hasOwnProperty)],
];

describe('a relay with users { psa } refuses the names every object inherits (R-04, R-11)', () => {
  for (const [username, password] of INHERITED) {
    it(`username ${JSON.stringify(username)} gets 401, no token, and nothing is delivered`, () => {
      const t = specTopology({ psa: { relays: [{ uri: 'msrps://relay.a.example.com:2855;tcp', username, password }] } });
      t.world.start();
      t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
      t.world.at(100_000, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 10 }));
      t.world.run(10 * SECOND);
      const authTids = new Set(t.of('msrp.recv', 'relay-a').filter((r) => r.method === 'AUTH').map((r) => r.transactionId));
      const statuses = t.of('msrp.send', 'relay-a').filter((r) => r.kind === 'response' && authTids.has(r.transactionId)).map((r) => r.status);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 401)).toBe(true);
      expect(t.of('relay.auth-ok', 'relay-a')).toHaveLength(0);
      expect(t.of('relay.auth-fail', 'relay-a')[0]).toMatchObject({ rule: 'R-11' });
      expect(t.of('auth.ok', 'psa')).toHaveLength(0);
      expect(t.of('endpoint.deliver', 'pra')).toHaveLength(0);
    });
  }

  it('psa itself still gets in (the check does not lock out real users)', () => {
    const t = specTopology();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(100_000, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 10 }));
    t.world.run(10 * SECOND);
    expect(t.of('relay.auth-ok', 'relay-a')).toHaveLength(1);
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(1);
  });
});

describe('session ids from the wire that are Object.prototype names', () => {
  // mallory, unauthenticated, writes SENDs whose To-Path names sessions `__proto__`, `constructor`,
  // ...: at the relay as a token, at psa as its own session. Each is treated as the unknown
  // session id `nosuchsession1` is, and nothing is delivered.
  const send = (tid: string, to: string[]) =>
    [`MSRP ${tid} SEND`, `To-Path: ${to.join(' ')}`, 'From-Path: msrp://mallory.example.org:9000/x1;tcp', `Message-ID: ${tid}m`, 'Byte-Range: 1-2/2', 'Content-Type: text/plain', '', 'hi', `-------${tid}$`, ''].join('\r\n');
  const ids = ['nosuchsession1', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];

  function answers(target: 'relay' | 'psa') {
    const t = chain(1, 1);
    addHost(t, 'mallory', 'mallory.example.org', [[target === 'relay' ? 'a1' : 'psa', { latency: 10_000 }]]);
    const mallory = new ScriptedPeer(t.world, 'mallory', { host: 'mallory.example.org', port: 9000, script: () => null });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    const psaUri = () => (t.of('session.offer', 'psa')[0]!.path as string[]).at(-1)!;
    t.world.at(SECOND, () => (target === 'relay' ? mallory.connect('relay1.a.example.com', 2855, true) : mallory.connect('push.example.com', Number(/:(\d+)\//.exec(psaUri())![1]), false)));
    t.world.at(2 * SECOND, () => {
      ids.forEach((id, i) => {
        const tid = `tid${i}abcd`;
        const to = target === 'relay' ? [`msrps://relay1.a.example.com:2855/${id};tcp`, psaUri()] : [psaUri().replace(/\/[^/;]+;tcp$/, `/${id};tcp`)];
        mallory.write(send(tid, to));
      });
    });
    t.world.run(5 * SECOND);
    const statuses = mallory.received.filter((r) => r.frame.kind === 'response').map((r) => (r.frame.kind === 'response' ? r.frame.statusCode : 0));
    return { t, statuses };
  }

  it('at the relay: answered like an unknown token, nothing forwarded', () => {
    const { t, statuses } = answers('relay');
    expect(statuses).toHaveLength(ids.length);
    expect(new Set(statuses).size).toBe(1);
    expect(statuses[0]).not.toBe(200);
    expect(t.of('endpoint.deliver', 'psa')).toHaveLength(0);
  });

  it('at the endpoint: answered like an unknown session (481), nothing delivered', () => {
    const { t, statuses } = answers('psa');
    expect(statuses).toEqual(ids.map(() => 481));
    expect(t.of('endpoint.deliver', 'psa')).toHaveLength(0);
  });
});
