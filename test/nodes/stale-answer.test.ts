/**
 * An answer to an offer the offerer no longer has (the session was offered anew, re-created after
 * a failure or a crash, or ended while the offer was on its way) is not applied to the session of
 * the same id, for a first INVITE as for a re-INVITE; it is traced (docs/signalling.md).
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { build, endpoint } from './helpers.js';

function direct() {
  return build(
    [
      { id: 'alice', role: 'endpoint', endpoint: endpoint('atlanta.example.com') },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('biloxi.example.com', { port: 12763 }) },
    ],
    [['alice', 'bob', { latency: 10_000 }]],
  );
}

describe('the answer to a first INVITE of a session offered again since', () => {
  it('is ignored: the session is set up from the answer to the new offer', () => {
    const t = direct();
    t.world.start();
    // SIP takes 50 ms each way: the first answer reaches alice after she offered s1 again.
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(60_000, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'hello' }));
    t.world.run(3 * SECOND);
    const answers = t.of('session.answer', 'bob');
    expect(answers).toHaveLength(2);
    // The first 200 is ACKed but goes no further.
    const stale = t.of('sip.stale', 'alice');
    expect(stale.map((r) => [r.session, r.status, r.initial, r.rule])).toEqual([['s1', 200, true, 'RFC 3261 §13.2.2.4']]);
    expect(stale[0]!.t).toBe(100_000);
    expect(t.of('sip.send', 'alice').filter((r) => r.method === 'ACK')).toHaveLength(2);
    // alice sets the session up once, toward the URI of bob's second answer.
    const established = t.of('session.established', 'alice');
    expect(established).toHaveLength(1);
    expect(established[0]!.toPath).toEqual([(answers[1]!.path as string[]).at(-1)]);
    expect(t.of('session.failed')).toHaveLength(0);
    expect(t.of('endpoint.reject')).toHaveLength(0);
    expect(t.of('endpoint.deliver', 'bob').map((r) => r.size)).toEqual([5]);
  });

  it('ended while its offer was on its way: the 200 is not applied and the BYE the end could not send goes out', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(60_000, () => t.world.endSession('s1', 'alice'));
    t.world.run(3 * SECOND);
    expect(t.of('session.answer-ignored', 'alice').map((r) => [r.state, r.status, r.bye])).toEqual([['closed', 200, true]]);
    expect(t.of('session.established', 'alice')).toHaveLength(0);
    expect(t.of('sip.send', 'alice').map((r) => r.method ?? r.status)).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(t.of('session.closed', 'bob').map((r) => r.why)).toEqual(['bye']);
  });
});
