/**
 * Lookups keyed by names from a scenario or from the wire see only what was put there: a relay
 * whose `users` is `{ psa: ... }` knows no user called `__proto__`, `constructor`, `toString` or
 * `hasOwnProperty`, whatever password is tried.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { specTopology } from './helpers.js';

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
