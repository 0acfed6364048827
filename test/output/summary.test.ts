import { describe, expect, it } from 'vitest';
import { formatSummary, SummaryCollector, summaryJson } from '../../src/output/summary.js';
import { SPEC_TOPOLOGY, twoRelayPush } from './helpers.js';

describe('summary.json', () => {
  const records = twoRelayPush();
  const c = new SummaryCollector({ topology: SPEC_TOPOLOGY, name: 'push-via-two-relays' });
  for (const r of records) c.record(r);
  const s = c.finish([{ expectation: 'delivered: { session: s1, to: pra, messages: 1 }', ok: true, evidence: [229] }]);

  it('counts frames, bytes and REPORTs per node', () => {
    const sends = records.filter((r) => r.type === 'msrp.send' && r.node === 'psa');
    expect(s.nodes.psa!.framesSent).toBe(sends.length);
    expect(s.nodes.psa!.bytesSent).toBe(sends.reduce((n, r) => n + (r.length as number), 0));
    expect(s.nodes.psa!.bodyBytesSent).toBe(5000);
    expect(s.nodes.pra!.bodyBytesReceived).toBe(5000);
    expect(s.nodes.psa!.reportsReceived).toEqual({ '200': 1 });
    expect(s.nodes.pra!.reportsSent).toEqual({ '200': 1 });
    expect(s.nodes['relay-a']!.responsesReceived).toEqual({ '200': 4 });
    expect(Object.keys(s.nodes)).toEqual(['psa', 'relay-a', 'relay-b', 'fw-b', 'pra']);
  });

  it('measures delivery latency from endpoint.message to endpoint.deliver', () => {
    const sent = records.find((r) => r.type === 'endpoint.message')!;
    const got = records.find((r) => r.type === 'endpoint.deliver')!;
    const session = s.sessions.s1!;
    expect(session).toMatchObject({ offerer: 'psa', answerer: 'pra', established: true, messagesSent: 1, messagesDelivered: 1, bytesDelivered: 5000 });
    expect(session.latency).toEqual({ count: 1, min: got.t - sent.t, mean: got.t - sent.t, median: got.t - sent.t, max: got.t - sent.t });
    expect(session.messages[0]).toMatchObject({ from: 'psa', to: 'pra', size: 5000, report: 200 });
  });

  it('keeps the expectations slot and prints a short text', () => {
    expect(s.expectations).toHaveLength(1);
    expect(JSON.parse(summaryJson(s))).toEqual(s);
    const text = formatSummary(s);
    expect(text).toContain('session s1 psa -> pra: established, 1/1 messages delivered (5000 B), delivery ');
    expect(text).toContain('expectations: 1 held, 0 failed');
    expect(text).toContain('problems: none');
    expect(new SummaryCollector().finish().expectations).toBeNull();
  });
});

describe('summary.json from a trace whose names are those of Object.prototype', () => {
  // A trace file is outside data (msrp-sim render reads any trace.ndjson): its node ids, session
  // ids, methods and close reasons are table keys, and must stay entries, not inherited values.
  let seq = 0;
  const rec = (node: string, type: string, fields: Record<string, unknown> = {}) => ({ t: seq * 1000, seq: seq++, node, type, ...fields });
  const c = new SummaryCollector();
  for (const r of [
    rec('__proto__', 'msrp.send', { kind: 'request', method: 'constructor', length: 10 }),
    rec('__proto__', 'msrp.send', { kind: 'request', method: 'toString', length: 10 }),
    rec('constructor', 'msrp.recv', { kind: 'request', method: '__proto__', length: 10 }),
    rec('constructor', 'tcp.close', { kind: 'hasOwnProperty' }),
    rec('', 'action.session', { session: '__proto__', offerer: '__proto__', answerer: 'constructor' }),
    rec('', 'action.session', { session: 'valueOf', offerer: 'constructor', answerer: '__proto__' }),
  ]) {
    c.record(rec(r.node, r.type, r));
  }
  const s = c.finish();

  it('keeps every name as an own entry with a number, and survives a JSON round trip', () => {
    expect(Object.keys(s.nodes)).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(s.nodes, '__proto__')).toBe(true);
    expect(s.nodes['__proto__']!.framesSent).toBe(2);
    expect({ ...s.nodes['__proto__']!.requestsSent }).toEqual({ constructor: 1, toString: 1 });
    expect(Object.hasOwn(s.nodes['constructor']!.requestsReceived, '__proto__')).toBe(true);
    expect(s.nodes['constructor']!.requestsReceived['__proto__']).toBe(1);
    expect(s.nodes['constructor']!.connectionFailures['hasOwnProperty']).toBe(1);
    expect(Object.keys(s.sessions)).toEqual(['__proto__', 'valueOf']);
    expect(s.sessions['__proto__']!.offerer).toBe('__proto__');
    const back = JSON.parse(summaryJson(s)) as typeof s;
    expect(Object.keys(back.nodes)).toEqual(['__proto__', 'constructor']);
    expect(Object.keys(back.sessions)).toEqual(['__proto__', 'valueOf']);
    expect(formatSummary(s)).toContain('session __proto__ __proto__ -> constructor');
  });
});
