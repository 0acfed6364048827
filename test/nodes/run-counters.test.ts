import { describe, expect, it } from 'vitest';
import { RunCounters } from '../../src/nodes/world.js';
import type { TraceRecord } from '../../src/sim/trace.js';
import '../../src/nodes/trace-types.js';

let seq = 0;
const established = (session: string, active: boolean): TraceRecord => ({ t: 0, seq: seq++, node: active ? 'a' : 'b', type: 'session.established', session, conn: null, toPath: [], active });
const failed = (session: string, reason: string): TraceRecord => ({ t: 0, seq: seq++, node: 'a', type: 'session.failed', session, reason });

describe('RunCounters', () => {
  it('counts a session that fails at both ends as one failed session', () => {
    const c = new RunCounters();
    c.record(established('c1', true));
    c.record(established('c1', false));
    c.record(established('c2', true));
    c.record(established('c2', false));
    c.record(failed('c1', 'connection c1 closed: reset'));
    c.record(failed('c2', 'connection c1 closed: reset'));
    c.record(failed('c2', 'connection c3 closed: reset'));
    c.record(failed('c1', 'connection c3 closed: reset'));
    expect(c.sessionsEstablished).toBe(2);
    expect(c.sessionsFailed).toBe(2);
    expect(c.toJSON()).toMatchObject({ sessionsEstablished: 2, sessionsFailed: 2 });
  });

  it('counts a resent message once, and a queued send leaves the waiting count when it is sent or refused', () => {
    const c = new RunCounters();
    const base = { t: 0, node: 'a', session: 's', contentType: 'text/plain' };
    c.record({ ...base, seq: seq++, type: 'endpoint.send-queued', state: 'connecting', size: 3 });
    c.record({ ...base, seq: seq++, type: 'endpoint.send-queued', state: 'connecting', size: 3 });
    expect(c.messagesWaiting).toBe(2);
    c.record({ ...base, seq: seq++, type: 'endpoint.message', messageId: 'm1', size: 3, digest: 'd', successReport: 'no', failureReport: 'yes', chunking: 'interruptible', queued: true });
    c.record({ ...base, seq: seq++, type: 'endpoint.send-failed', size: 3, reason: 'gone', queued: true });
    c.record({ ...base, seq: seq++, type: 'endpoint.message', messageId: 'm1', size: 3, digest: 'd', successReport: 'no', failureReport: 'yes', chunking: 'interruptible', resend: true });
    expect(c.toJSON()).toMatchObject({ messagesSent: 1, messagesNotSent: 1 });
    expect(c.messagesWaiting).toBe(0);
  });
});
