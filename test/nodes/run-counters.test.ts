import { describe, expect, it } from 'vitest';
import { RunCounters } from '../../src/nodes/world.js';

describe('RunCounters', () => {
  it('counts a session that fails at both ends as one failed session', () => {
    const c = new RunCounters();
    c.record('session.established', { session: 'c1', active: true });
    c.record('session.established', { session: 'c1', active: false });
    c.record('session.established', { session: 'c2', active: true });
    c.record('session.established', { session: 'c2', active: false });
    c.record('session.failed', { session: 'c1', reason: 'connection c1 closed: reset' });
    c.record('session.failed', { session: 'c2', reason: 'connection c1 closed: reset' });
    c.record('session.failed', { session: 'c2', reason: 'connection c3 closed: reset' });
    c.record('session.failed', { session: 'c1', reason: 'connection c3 closed: reset' });
    expect(c.sessionsEstablished).toBe(2);
    expect(c.sessionsFailed).toBe(2);
    expect(c.toJSON()).toMatchObject({ sessionsEstablished: 2, sessionsFailed: 2 });
  });
});
