/**
 * A session ended while its offer or its answer waits for the endpoint's AUTH (E-11): the waiting
 * step is not taken when the AUTH completes. The offerer sends no INVITE; the answerer declines the
 * INVITE it still owes a final response (603, RFC 3261 §13.3.1.3); neither side's session comes
 * back to life.
 */
import { describe, expect, it } from 'vitest';
import { chain } from './helpers.js';

describe('a session ended while a step of it waits for the AUTH', () => {
  it('offerer: the offer is dropped, no INVITE goes out', () => {
    // psa reaches its relay over 100 ms links: its AUTH takes several round trips.
    const t = chain(1, 0, { latency: 100_000 });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(1_000, () => t.world.endSession('s1', 'psa'));
    t.world.run(10_000_000);
    expect(t.of('auth.ok', 'psa')).toHaveLength(1);
    expect(t.of('session.abandoned', 'psa')).toMatchObject([{ session: 's1', step: 'offer' }]);
    expect(t.of('session.offer', 'psa')).toEqual([]);
    expect(t.of('sip.send', 'psa').filter((r) => r.method === 'INVITE')).toEqual([]);
    expect(t.of('session.established')).toEqual([]);
  });

  it('answerer: the INVITE it owes an answer gets a 603, and the offerer gives up the session', () => {
    // pra's relay is behind 300 ms links; psa uses no relay and offers at once.
    const t = chain(0, 1, { latency: 300_000 });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    // The INVITE has reached pra, whose AUTH is still under way; pra ends the session.
    const invited = () => t.of('sip.recv', 'pra').some((r) => r.method === 'INVITE');
    t.world.at(150_000, () => {
      expect(invited()).toBe(true);
      expect(t.of('auth.ok', 'pra')).toEqual([]);
      t.world.endSession('s1', 'pra');
    });
    t.world.run(20_000_000);
    expect(t.of('auth.ok', 'pra')).toHaveLength(1);
    expect(t.of('session.abandoned', 'pra')).toMatchObject([{ session: 's1', step: 'answer', status: 603 }]);
    expect(t.of('session.answer', 'pra')).toEqual([]);
    expect(t.of('session.established')).toEqual([]);
    expect(t.of('session.rejected', 'psa')).toMatchObject([{ session: 's1', status: 603 }]);
  });
});
