/**
 * An endpoint whose host crashes loses everything it knew: sessions, messages and transactions,
 * what waited for its AUTH to finish, what it had scheduled. After the restart it authenticates
 * again and knows only what it is asked to do from then on.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { EndpointNode } from '../../src/nodes/endpoint/endpoint-node.js';
import { specTopology } from './helpers.js';

describe('an endpoint that crashes and restarts', () => {
  it('crashed during its AUTH: the session offer that waited for the AUTH is gone with it', () => {
    const t = specTopology();
    let afterCrash: EndpointNode['stateSizes'] | null = null;
    t.world.start();
    // psa is asked for a session before its AUTH is through: the offer waits for the AUTH.
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(30_000, () => {
      expect(t.of('endpoint.ready', 'psa')).toHaveLength(0);
      t.world.network.crash('psa');
      afterCrash = t.world.endpoint('psa').stateSizes;
    });
    t.world.at(SECOND, () => t.world.network.restart('psa'));
    t.world.run(1900_000);
    expect(afterCrash).toEqual({ transactions: 0, sessions: 0, messagesOut: 0, messagesIn: 0, waiting: 0 });
    // The restarted psa authenticated again and offered nothing: it no longer knows of s1.
    expect(t.of('endpoint.ready', 'psa').map((r) => r.t > SECOND)).toEqual([true]);
    expect(t.of('session.offer', 'psa')).toHaveLength(0);
    expect(t.of('sip.send', 'psa')).toHaveLength(0);
    expect(t.world.endpoint('psa').stateSizes.sessions).toBe(0);

    // Asked again, it offers the session once, with the paths of its new AUTH, and it works.
    t.world.at(2 * SECOND, () => t.world.openSession('s1', 'psa', 'pra'));
    t.world.at(3 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'after the restart' }));
    t.world.run(6 * SECOND);
    const offers = t.of('session.offer', 'psa');
    expect(offers).toHaveLength(1);
    expect((offers[0]!.path as string[])[0]).toBe(t.world.endpoint('psa').currentUsePath[0]);
    expect(t.of('endpoint.deliver', 'pra').map((r) => r.size)).toEqual([17]);
    expect(t.of('session.failed')).toHaveLength(0);
  });

  it('crashed while a failed session waited to be offered again: nothing is offered after the restart', () => {
    const t = specTopology({ psa: { onSessionFailure: 'reestablish' } });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    // psa's relay connection is reset: its session fails (E-19) and is to be offered again 1 s later.
    t.world.at(2 * SECOND, () => {
      const conn = String(t.of('endpoint.relay-connected', 'psa')[0]!.conn);
      t.world.network.resetConnection(conn);
    });
    t.world.at(2500_000, () => t.world.network.crash('psa'));
    t.world.at(2800_000, () => t.world.network.restart('psa'));
    t.world.run(8 * SECOND);
    expect(t.of('session.reestablish', 'psa')).toHaveLength(1);
    expect(t.of('endpoint.ready', 'psa').filter((r) => r.t > 2800_000)).toHaveLength(1);
    expect(t.of('session.offer', 'psa').filter((r) => r.t > 2500_000)).toHaveLength(0);
    expect(t.of('sip.send', 'psa').filter((r) => r.t > 2500_000)).toHaveLength(0);
  });
});
