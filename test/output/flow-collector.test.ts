import { describe, expect, it } from 'vitest';
import { FLOW_HANDLERS, FlowCollector } from '../../src/output/flow-collector.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

/** Every record type the diagrams draw from (what the collector's switch named, one case each). */
const DRAWN = [
  'net.host', 'net.link', 'net.route', 'relay.start', 'endpoint.message',
  'session.offer', 'session.answer', 'auth.ok', 'endpoint.ready', 'action.session', 'session.established',
  'session.reoffer', 'session.updated', 'session.failed', 'session.rejected', 'session.reject',
  'tcp.connect', 'tcp.accept', 'live.connect', 'live.accept', 'tcp.refused', 'tcp.timeout', 'tcp.close', 'fw.drop', 'fw.reject', 'net.drop',
  'fw.pass', 'nat.map', 'fw.expire', 'msrp.send', 'msrp.raw', 'msrp.recv', 'msrp.malformed', 'sip.send', 'sip.recv',
  'relay.forward', 'relay.respond', 'auth.request', 'session.bind', 'endpoint.reject', 'relay.response-forward',
  'relay.refuse', 'relay.report', 'endpoint.report-sent', 'relay.discard', 'relay.not-mine', 'msrp.violation',
  'endpoint.deliver', 'endpoint.report', 'endpoint.timeout', 'relay.timeout', 'auth.fail',
  'relay.drop-connection', 'relay.probation-close', 'relay.auth-disconnect', 'relay.idle-close', 'endpoint.abort',
  'fault.crash', 'fault.restart', 'fault.link-down', 'fault.link-up', 'fault.reset', 'fault.flush',
  'fault.partition', 'fault.heal', 'fault.set-link', 'fault.drop-segment',
];

const rec = (seq: number, node: string, type: string, fields: Record<string, unknown> = {}): AnyTraceRecord => ({ t: seq * 1000, seq, node, type, ...fields });

describe('FlowCollector dispatch', () => {
  it('has one handler per record type it draws from, and none for the others', () => {
    expect([...FLOW_HANDLERS.keys()].sort()).toEqual([...DRAWN].sort());
  });

  it('records of other types only name their node and move the clock', () => {
    const f = new FlowCollector();
    f.record(rec(1, 'a', 'tcp.segment', { conn: 'c1' }));
    f.record(rec(2, 'b', 'endpoint.report-ignored'));
    const m = f.finish();
    expect(m.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(m.arrows).toEqual([]);
    expect(m.markers).toEqual([]);
    expect(m.end).toBe(2000);
  });

  it('a fault on a link is marked at the link\'s first end', () => {
    const f = new FlowCollector();
    f.record(rec(1, '', 'fault.partition', { link: 'x<>y' }));
    f.record(rec(2, '', 'fault.link-down', { link: 'x<>y' }));
    const m = f.finish();
    expect(m.markers.map((k) => [k.node, k.text, k.kind])).toEqual([
      ['x', 'partition', 'info'],
      ['x', 'link x - y down', 'error'],
    ]);
    expect(m.links).toEqual([{ a: 'x', b: 'y', latency: null, bandwidth: null, jitter: null, loss: null, up: false }]);
  });
});
