/**
 * The endpoint's transaction table without a World (CHECKLIST c.4, c.5 W-05; ambiguity A-13):
 * each row opens transactions, then feeds responses, clock moves and drops, and checks what the
 * table hands back to the node and the events it emits.
 */
import { describe, expect, it } from 'vitest';
import { EndpointTransactions, type EndpointTransaction } from '../../src/protocol/endpoint-transactions.js';
import { buildResponse } from '../../src/wire/builder.js';
import type { MsrpResponse } from '../../src/wire/frame.js';
import { FakeClock } from './fake-clock.js';
import type { EndpointEvents, EndpointEventType } from '../../src/protocol/endpoint-events.js';

const S = 1_000_000;
type Txn = EndpointTransaction<string, string, number>;

function rig(timeout = 30 * S) {
  const clock = new FakeClock();
  const events: { type: EndpointEventType; fields: EndpointEvents[EndpointEventType]; rule?: string }[] = [];
  const timedOut: Txn[] = [];
  const expired: Txn[] = [];
  const table = new EndpointTransactions<string, string, number>(
    {
      get now() {
        return clock.now;
      },
      emit: (type, fields, rule) => events.push({ type, fields, rule }),
      setTimer: (at, fire) => clock.setTimer(at, fire),
      cancelTimer: (t) => clock.cancelTimer(t),
      timedOut: (t) => timedOut.push(t),
      expired: (t) => expired.push(t),
    },
    { transactionTimeout: timeout },
  );
  return { clock, events, timedOut, expired, table };
}

function response(tid: string, code = 200): MsrpResponse {
  return buildResponse({ transactionId: tid, statusCode: code, toPath: ['msrp://a.example.com:2855/a;tcp'], fromPath: ['msrp://b.example.com:2855/b;tcp'] });
}

const SEND = { kind: 'send' as const, session: 's', sessionId: 's1', message: 'm', messageId: 'M1' };

describe('endpoint transactions: the timer (A-13, c.4)', () => {
  const rows: { name: string; rule: string; open: (r: ReturnType<typeof rig>) => void; at: number; timedOut: string[]; expired: string[] }[] = [
    {
      name: 'Failure-Report yes: no response within the timeout from the last byte is a timeout',
      rule: 'A-13',
      open: (r) => r.table.add('t1', SEND, true),
      at: 30 * S,
      timedOut: ['t1'],
      expired: [],
    },
    {
      name: 'one microsecond before the timeout nothing happens',
      rule: 'A-13',
      open: (r) => r.table.add('t1', SEND, true),
      at: 30 * S - 1,
      timedOut: [],
      expired: [],
    },
    {
      name: 'the binding SEND: its timer starts when it is written, not when it is queued',
      rule: 'A-13',
      open: (r) => {
        r.table.add('t1', { kind: 'send', session: 's', sessionId: 's1' }, false);
        r.clock.advance(10 * S);
        r.table.start('t1');
      },
      at: 39 * S,
      timedOut: [],
      expired: [],
    },
    {
      name: 'the binding SEND times out from when it was written',
      rule: 'A-13',
      open: (r) => {
        r.table.add('t1', { kind: 'send', session: 's', sessionId: 's1' }, false);
        r.clock.advance(10 * S);
        r.table.start('t1');
      },
      at: 40 * S,
      timedOut: ['t1'],
      expired: [],
    },
    {
      name: 'Failure-Report partial: no timeout; the transaction is forgotten after the window',
      rule: 'c.4',
      open: (r) => r.table.add('t1', SEND, true, 'forget'),
      at: 30 * S,
      timedOut: [],
      expired: ['t1'],
    },
  ];
  it.each(rows)('$rule: $name', ({ open, at, timedOut, expired }) => {
    const r = rig();
    open(r);
    r.clock.advance(at);
    expect(r.timedOut.map((t) => t.transactionId)).toEqual(timedOut);
    expect(r.expired.map((t) => t.transactionId)).toEqual(expired);
    expect(r.table.size).toBe(1 - timedOut.length - expired.length);
    expect(r.events.filter((e) => e.type === 'endpoint.timeout')).toHaveLength(timedOut.length);
  });

  it('A-13: the timeout event names the transaction, its kind, session and message', () => {
    const r = rig();
    r.table.add('t1', SEND, true);
    r.table.add('a1', { kind: 'auth', relayIndex: 1 }, true);
    r.clock.advance(30 * S);
    expect(r.events).toEqual([
      { type: 'endpoint.timeout', fields: { transactionId: 't1', kind: 'send', session: 's1', messageId: 'M1' }, rule: 'A-13' },
      { type: 'endpoint.timeout', fields: { transactionId: 'a1', kind: 'auth', session: null, messageId: null }, rule: 'A-13' },
    ]);
    expect(r.timedOut[1]!.relayIndex).toBe(1);
    expect(r.timedOut.map((t) => t.state)).toEqual(['timed-out', 'timed-out']);
  });
});

describe('endpoint transactions: responses and drops (c.5, W-05)', () => {
  it('a response ends its transaction and cancels its timer', () => {
    const r = rig();
    r.table.add('t1', SEND, true);
    const t = r.table.response('c1', response('t1'));
    expect(t?.message).toBe('m');
    expect(t?.state).toBe('answered');
    expect(r.table.size).toBe(0);
    expect(r.clock.pending).toEqual([]);
    r.clock.advance(60 * S);
    expect(r.timedOut).toEqual([]);
  });

  it('W-05: a response to no open transaction is stray: traced, and nothing handed back', () => {
    const r = rig();
    r.table.add('t1', SEND, true);
    expect(r.table.response('c9', response('zz', 481))).toBeNull();
    expect(r.events).toEqual([{ type: 'endpoint.stray-response', fields: { conn: 'c9', transactionId: 'zz', status: 481 }, rule: 'W-05' }]);
    // The same id answered twice: the second is stray.
    r.table.response('c1', response('t1'));
    expect(r.table.response('c1', response('t1'))).toBeNull();
  });

  it('a response after the timeout is stray (the transaction is over)', () => {
    const r = rig();
    r.table.add('t1', SEND, true);
    r.clock.advance(30 * S);
    expect(r.table.response('c1', response('t1'))).toBeNull();
  });

  it('drop: the selected transactions end without a timeout; the others run on', () => {
    const r = rig();
    r.table.add('t1', SEND, true);
    r.table.add('a1', { kind: 'auth' }, true);
    r.table.drop((t) => t.kind === 'auth');
    r.clock.advance(30 * S);
    expect(r.timedOut.map((t) => t.transactionId)).toEqual(['t1']);
  });

  it('reset (a crash): everything is forgotten, no timer fires', () => {
    const r = rig();
    r.table.add('t1', SEND, true);
    r.table.add('t2', SEND, false);
    r.table.reset();
    expect(r.table.size).toBe(0);
    r.clock.advance(60 * S);
    expect(r.timedOut).toEqual([]);
  });

  it('the timeout is read when a timer starts (a scenario `set` applies to later transactions)', () => {
    const settings = { transactionTimeout: 30 * S };
    const clock = new FakeClock();
    const fired: string[] = [];
    const table = new EndpointTransactions<string, string, number>(
      { now: 0, emit: () => {}, setTimer: (at, f) => clock.setTimer(at, f), cancelTimer: (t) => clock.cancelTimer(t), timedOut: (t) => fired.push(t.transactionId), expired: () => {} },
      settings,
    );
    table.add('t1', SEND, true);
    settings.transactionTimeout = 5 * S;
    table.add('t2', SEND, true);
    expect(clock.pending).toEqual([30 * S, 5 * S]);
  });

  it('transition() rejects an illegal move', () => {
    const r = rig();
    const t = r.table.add('t1', SEND, true);
    r.table.response('c1', response('t1'));
    expect(() => t.transition('waiting')).toThrow(/illegal move answered -> waiting/);
  });
});
