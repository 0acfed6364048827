import { describe, expect, it } from 'vitest';
import { changesBefore, nodeStateBefore, nodeStateIndex, replayNodeState, type NodeSnapshot } from '../../src/output/node-state.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

let seq = 0;
function rec(t: number, node: string, type: string, fields: Record<string, unknown>): AnyTraceRecord {
  return { t, seq: seq++, node, type, ...fields } as AnyTraceRecord;
}

function trace(): AnyTraceRecord[] {
  seq = 0;
  return [
    rec(0, '', 'sim.start', { seed: '1', duration: null }),
    rec(10, 'psa', 'state.auth', { relay: 'msrps://relay-a:2855;tcp', state: 'connecting', usePath: null, expires: null, refreshAt: null, change: 'connect' }),
    rec(20, 'relay-a', 'state.peer', { conn: 'c1', state: 'probation', failures: 0, user: null, change: 'accepted' }),
    rec(30, 'psa', 'msrp.send', { conn: 'c0', kind: 'request', method: 'AUTH' }),
    rec(40, 'psa', 'state.auth', { relay: 'msrps://relay-a:2855;tcp', state: 'challenged', usePath: null, expires: null, refreshAt: null, change: 'challenged' }),
    rec(50, 'psa', 'state.transaction', { transactionId: 'T1', method: 'SEND', conn: 'c0', state: 'waiting', timerAt: 30_000_050, messageId: 'M1', change: 'timer-set' }),
    rec(60, 'relay-a', 'state.token', { token: 'tok', user: 'alice', conn: 'c1', expiresAt: 600_000_000, state: 'granted', change: 'granted' }),
    rec(70, 'psa', 'state.transaction', { transactionId: 'T1', method: 'SEND', conn: 'c0', state: 'done', timerAt: null, messageId: 'M1', change: 'answered' }),
    rec(80, 'psa', 'state.auth', { relay: 'msrps://relay-a:2855;tcp', state: 'authenticated', usePath: 'msrps://relay-a:2855/x;tcp', expires: 600, refreshAt: 480_000_000, change: 'authorized' }),
    rec(90, 'relay-a', 'state.peer', { conn: 'c1', state: 'closed', failures: 0, user: 'alice', change: 'closed' }),
  ];
}

describe('nodeStateIndex', () => {
  it('keeps the state records only, in trace order, with their node, kind, key and fields', () => {
    const index = nodeStateIndex(trace());
    expect(index.nodes).toEqual(['psa', 'relay-a']);
    expect(index.changes.map((c) => c[0])).toEqual([1, 2, 4, 5, 6, 7, 8, 9]);
    const [seq0, node, kind, key, fields] = index.changes[0]!;
    expect([seq0, index.nodes[node], index.kinds[kind], key]).toEqual([1, 'psa', 'auth', 'msrps://relay-a:2855;tcp']);
    expect(fields).toEqual({ at: 10, relay: 'msrps://relay-a:2855;tcp', state: 'connecting', usePath: null, expires: null, refreshAt: null, change: 'connect' });
    expect(index.changes[3]![3]).toBe('T1 c0');
  });

  it('is empty for a trace without state records (trace format 1)', () => {
    expect(nodeStateIndex([rec(0, '', 'sim.start', {})]).changes).toEqual([]);
  });
});

describe('replayNodeState', () => {
  const index = nodeStateIndex(trace());

  it('gives each piece of state its last record before a seq', () => {
    const at5 = nodeStateBefore(index, 5);
    expect(at5.psa!.auth!['msrps://relay-a:2855;tcp']!.fields.state).toBe('challenged');
    expect(at5['relay-a']!.peer!.c1!.fields.state).toBe('probation');
    expect(at5.psa!.transaction).toBeUndefined();
    const at7 = nodeStateBefore(index, 7);
    expect(at7.psa!.transaction!['T1 c0']!.fields).toMatchObject({ state: 'waiting', timerAt: 30_000_050 });
    expect(at7['relay-a']!.token!.tok!.fields).toMatchObject({ state: 'granted', user: 'alice', conn: 'c1' });
  });

  it('removes a transaction that ended and a connection that closed, and keeps the rest', () => {
    const end = nodeStateBefore(index, 1000);
    expect(end.psa!.transaction).toEqual({});
    expect(end['relay-a']!.peer).toEqual({});
    expect(end['relay-a']!.token!.tok!.fields.state).toBe('granted');
    expect(end.psa!.auth!['msrps://relay-a:2855;tcp']!.fields).toMatchObject({ state: 'authenticated', usePath: 'msrps://relay-a:2855/x;tcp', expires: 600 });
    expect(end.psa!.auth!['msrps://relay-a:2855;tcp']!.seq).toBe(8);
  });

  it('replayed step by step equals replayed at once', () => {
    for (let cut = 0; cut <= index.changes.length; cut++) {
      const stepwise: NodeSnapshot = {};
      for (let i = 0; i < cut; i++) replayNodeState(stepwise, index, i, i + 1);
      expect(stepwise).toEqual(replayNodeState({}, index, 0, cut));
    }
  });

  it('counts the changes before a seq', () => {
    expect([0, 1, 2, 3, 5, 9, 10, 99].map((s) => changesBefore(index, s))).toEqual([0, 0, 1, 2, 3, 7, 8, 8]);
  });

  it('runs from its own source text alone, as the report embeds it', () => {
    const copy = new Function(`return ${replayNodeState.toString()}`)() as typeof replayNodeState;
    for (const cut of [0, 3, 6, index.changes.length]) expect(copy({}, index, 0, cut)).toEqual(replayNodeState({}, index, 0, cut));
  });
});
