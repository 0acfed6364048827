/**
 * The relay's table of forwarded transactions without a World (CHECKLIST d.4;
 * d.5; d.6 R-28; ambiguities ): each row forwards one request from `in` to `out`,
 * then feeds a response, a connection loss or the clock, and checks the events and frames.
 */
import { describe, expect, it } from 'vitest';
import { Forwarded, RelayTransactions } from '../../src/protocol/relay-transactions.js';
import { RELAY_PROFILES, type RelayProfile, type RelayProfileName } from '../../src/protocol/relay-profile.js';
import { buildRequest, buildResponse } from '../../src/wire/builder.js';
import type { FailureReport, MsrpRequest } from '../../src/wire/frame.js';
import { parseUri } from '../../src/wire/uri.js';
import { FakeRelayHost } from './fake-relay-host.js';

const S = 1_000_000;
const OWN = 'msrps://relay.example.com:2855/tok;tcp';
const base = parseUri('msrps://relay.example.com:2855;tcp');
if (!base.ok) throw new Error('bad URI');

interface Rig {
  h: FakeRelayHost;
  table: RelayTransactions<string, number>;
  f: Forwarded<string, number>;
  used: string[];
  acked: { bytes: number };
}

/** A SEND (or `method`) received on `in`, forwarded on `out` as `out-1` and written whole (10 bytes at offset 100). */
function rig(opts: { profile?: RelayProfileName | RelayProfile; method?: string; fr?: FailureReport | 'absent' } = {}): Rig {
  const h = new FakeRelayHost('in', 'out');
  const used: string[] = [];
  const acked = { bytes: 0 };
  const table = new RelayTransactions<string, number>(h, { transactionTimeout: 30 * S }, base.ok ? base.uri : (null as never), typeof opts.profile === 'object' ? opts.profile : RELAY_PROFILES[opts.profile ?? 'rfc4976'], (c) => used.push(c), () => 100, () => acked.bytes);
  const method = opts.method ?? 'SEND';
  const send = method === 'SEND';
  const inbound: MsrpRequest = buildRequest({
    transactionId: 'in-1',
    method,
    toPath: [OWN, 'msrps://bob.invalid:2855/b;tcp'],
    fromPath: ['msrps://alice.invalid:2855/a;tcp'],
    messageId: 'm1',
    byteRange: send ? { start: 1, end: 10, total: 10 } : undefined,
    failureReport: opts.fr === 'absent' ? undefined : (opts.fr ?? 'yes'),
    contentType: send ? 'text/plain' : undefined,
    body: send ? '0123456789' : null,
  });
  const fr = opts.fr === 'absent' || opts.fr === undefined ? 'yes' : opts.fr;
  const f = new Forwarded<string, number>(method, inbound, 'in', 'out', OWN, fr, send ? { start: 1, end: 10, total: 10 } : null, send ? 10 : 0, { bytes: send ? 10 : 0 });
  table.add('out-1', f);
  table.written(f, 'out-1', inbound);
  return { h, table, f, used, acked };
}

const events = (h: FakeRelayHost) => h.events().map((e) => `${e.type} ${e.rule ?? ''}`.trim());
const response = (code: number, toPath = ['msrps://relay.example.com:2855/x;tcp'], tid = 'out-1') => buildResponse({ transactionId: tid, statusCode: code, toPath, fromPath: ['msrps://bob.invalid:2855/b;tcp'] });

describe('forwarded transactions (d.4, d.5, d.6)', () => {
  const rows: { id: string; setup?: Parameters<typeof rig>[0]; act: (r: Rig) => void; events: string[]; sent?: { conn: string; start: string }[]; remembered?: number }[] = [
    {
      id: 'R-21: a SEND with Failure-Report yes and no response within 30 s from its last byte gets a 408 REPORT to its sender',
      act: (r) => r.h.advance(30 * S),
      events: ['relay.timeout R-21', 'relay.report R-21'],
      sent: [{ conn: 'in', start: 'REPORT' }],
    },
    {
      id: 'R-21: not before the 30 s are up',
      act: (r) => r.h.advance(30 * S - 1),
      events: [],
      remembered: 1,
    },
    {
      id: 'R-28, A-03: a SEND with Failure-Report partial is forgotten after the window, without a REPORT',
      setup: { fr: 'partial' },
      act: (r) => r.h.advance(30 * S),
      events: ['relay.forget R-28'],
    },
    {
      id: 'd.5, A-04: the 200 to a forwarded SEND is consumed at the relay (hop by hop)',
      act: (r) => r.table.response('out', response(200)),
      events: ['relay.next-hop-ok A-04'],
    },
    {
      id: 'd.5, R-22: an error response to a forwarded SEND becomes a REPORT with that status',
      act: (r) => r.table.response('out', response(481)),
      events: ['relay.report R-22'],
      sent: [{ conn: 'in', start: 'REPORT' }],
    },
    {
      id: 'R-22: Failure-Report no: an error response changes nothing',
      setup: { fr: 'no' },
      act: (r) => r.table.response('out', response(481)),
      events: [],
    },
    {
      id: 'W-05: a response on another connection than the request went out on is stray',
      act: (r) => r.table.response('in', response(200)),
      events: ['relay.stray-response W-05'],
      remembered: 1,
    },
    {
      id: 'd.5, R-18: a response to a non-SEND goes back on the inbound connection with the original transaction id',
      setup: { method: 'AUTH' },
      act: (r) => r.table.response('out', response(401, ['msrps://relay.example.com:2855/x;tcp', 'msrps://alice.invalid:2855/a;tcp'])),
      events: ['relay.response-forward A-04'],
      sent: [{ conn: 'in', start: 'MSRP in-1 401' }],
    },
    {
      id: 'A-01: a response to a non-SEND not addressed to this relay is discarded',
      setup: { method: 'AUTH' },
      act: (r) => r.table.response('out', response(200, ['msrps://elsewhere.example.com:2855/x;tcp', 'msrps://alice.invalid:2855/a;tcp'])),
      events: ['relay.discard A-01'],
    },
    {
      id: 'A-02: the next hop connection closes while a SEND waits for its response: a 408 REPORT now',
      act: (r) => r.table.closed('out'),
      events: ['relay.report A-02'],
      sent: [{ conn: 'in', start: 'REPORT' }],
    },
    {
      id: 'A-03: a partial SEND the next hop never acknowledged is reported 408 when its connection closes',
      setup: { fr: 'partial' },
      act: (r) => r.table.closed('out'),
      events: ['relay.report A-03'],
      sent: [{ conn: 'in', start: 'REPORT' }],
    },
    {
      id: 'A-03: a partial SEND the next hop acknowledged is forgotten when its connection closes',
      setup: { fr: 'partial' },
      act: (r) => ((r.acked.bytes = 100), r.table.closed('out')),
      events: ['relay.forget A-03'],
    },
    {
      id: 'E-31: no REPORT when the connection back to the sender has closed',
      act: (r) => (r.h.open.delete('in'), r.h.advance(30 * S)),
      events: ['relay.timeout R-21', 'relay.discard E-31'],
    },
    {
      id: 'kamailio:never-reports: no 408 timer, and the window ends in a forget',
      setup: { profile: 'kamailio' },
      act: (r) => r.h.advance(30 * S),
      events: ['relay.no-timer kamailio:never-reports', 'relay.forget R-28'],
    },
    {
      id: 'kamailio:drop-send-responses: an error response to a SEND is dropped',
      setup: { profile: 'kamailio' },
      act: (r) => r.table.response('out', response(481)),
      events: ['relay.no-timer kamailio:never-reports', 'relay.response-dropped kamailio:drop-send-responses'],
    },
    {
      id: 'opensips:408-only-for-explicit-yes: no 408 timer when Failure-Report is absent',
      setup: { profile: 'opensips', fr: 'absent' },
      act: (r) => r.h.advance(30 * S),
      events: ['relay.no-timer opensips:408-only-for-explicit-yes', 'relay.forget R-28'],
    },
    {
      id: 'msrprelay:session-ends-with-leg, report-received-range: the next hop goes away: 408 REPORT naming the chunk received (strict: A-02)',
      setup: { profile: 'msrprelay' },
      act: (r) => r.table.closed('out'),
      events: ['relay.report msrprelay:session-ends-with-leg', 'relay.report-range msrprelay:report-received-range'],
      sent: [{ conn: 'in', start: 'REPORT' }],
    },
    {
      id: 'msrprelay:session-ends-with-leg: the other leg goes away: every waiting SEND gets 408 "Session got disconnected"',
      setup: { profile: { ...RELAY_PROFILES.msrprelay, sessionPerAuth: true }, fr: 'partial' },
      act: (r) => (r.h.advance(60 * S), r.table.closed('out')),
      events: ['relay.report msrprelay:session-ends-with-leg', 'relay.report-range msrprelay:report-received-range'],
      sent: [{ conn: 'in', start: 'REPORT' }],
    },
    {
      id: 'opensips:wait-on-next-hop-loss: the next hop goes away: nothing until the 30 s are up (strict: 408 at once, A-02)',
      setup: { profile: RELAY_PROFILES.opensips, fr: 'yes' },
      act: (r) => (r.table.closed('out'), r.h.advance(30 * S - 1)),
      events: [],
      remembered: 1,
    },
    {
      id: 'opensips:swallow-forwarded-ok: the 200 to a forwarded AUTH is dropped (the client never gets it)',
      setup: { profile: RELAY_PROFILES.opensips, method: 'AUTH' },
      act: (r) => r.table.response('out', response(200, ['msrps://relay.example.com:2855/x;tcp', 'msrps://alice.invalid:2855/a;tcp'])),
      events: ['relay.response-dropped opensips:swallow-forwarded-ok'],
    },
    {
      id: 'opensips:auth-timeout-408: a forwarded AUTH with no response in 30 s gets a 408',
      setup: { profile: RELAY_PROFILES.opensips, method: 'AUTH' },
      act: (r) => r.h.advance(30 * S),
      events: ['relay.timeout opensips:auth-timeout-408', 'relay.respond opensips:auth-timeout-408'],
      sent: [{ conn: 'in', start: 'MSRP in-1 408' }],
    },
  ];
  it.each(rows)('$id', ({ setup, act, events: expected, sent, remembered }) => {
    const r = rig(setup);
    act(r);
    expect(events(r.h)).toEqual(expected);
    if (sent) expect(r.h.sent().map((x) => ({ conn: x.conn, start: x.frame.kind === 'request' ? x.frame.method : `MSRP ${x.frame.transactionId} ${x.frame.statusCode}` }))).toEqual(sent);
    if (!sent) expect(r.h.sent()).toEqual([]);
    expect(r.table.size).toBe(remembered ?? 0);
  });

  it('W-27, d.5: the REPORT goes to the From-Path the SEND came with, from the token, for the range sent, Status 000 408', () => {
    const r = rig();
    r.h.advance(30 * S);
    const report = r.h.sent()[0]!.frame as MsrpRequest;
    expect(report).toMatchObject({ method: 'REPORT', toPath: ['msrps://alice.invalid:2855/a;tcp'], fromPath: [OWN], messageId: 'm1', byteRange: { start: 1, end: 10, total: 10 }, status: { namespace: 0, code: 408 } });
    expect(r.used).toEqual(['out', 'in']);
  });

  it('R-27, R-28: a transaction in its window keeps both its connections in use; forgetOn ends it without a REPORT', () => {
    const r = rig();
    expect([r.table.inUse('in'), r.table.inUse('out'), r.table.inUse('other')]).toEqual([true, true, false]);
    expect(r.table.forgetOn('out')).toBe(1);
    expect(r.table.inUse('out')).toBe(false);
    r.h.advance(60 * S);
    expect(r.h.out).toEqual([]);
  });

  it('a transaction moves only forward: one that is done cannot wait again', () => {
    const r = rig();
    r.table.response('out', response(200));
    expect(r.f.state).toBe('done');
    expect(() => r.f.transition('waiting')).toThrow(/illegal move done -> waiting/);
  });
});

describe('forwarded transactions as node state (state.transaction, trace format 2)', () => {
  const states = (h: FakeRelayHost) => h.states.map((s) => s.fields as { state: string; change: string; timerAt: number | null; transactionId: string; conn: string; messageId: string | null; method: string });
  const rows: { id: string; setup?: Parameters<typeof rig>[0]; act: (r: Rig) => void; last: string }[] = [
    { id: 'a response ends it, the timer cancelled', act: (r) => r.table.response('out', response(200)), last: 'done answered' },
    { id: 'R-21: the 30 s timer fires (408 REPORT)', act: (r) => r.h.advance(30 * S), last: 'done timed-out' },
    { id: 'R-28: Failure-Report partial: the window ends without a response', setup: { fr: 'partial' }, act: (r) => r.h.advance(30 * S), last: 'done window-over' },
    { id: 'A-02: the next hop connection is lost', act: (r) => r.table.closed('out'), last: 'done connection-lost' },
    { id: 'R-27: forgotten with the idle connection', act: (r) => r.table.forgetOn('out'), last: 'done forgotten' },
    { id: 'a crash loses it', act: (r) => r.table.reset(), last: 'done crash' },
  ];
  it.each(rows)('$id', ({ setup, act, last }) => {
    const r = rig(setup);
    expect(states(r.h).map((s) => `${s.state} ${s.change} ${String(s.timerAt)}`)).toEqual(['sending forwarded null', `waiting timer-set ${30 * S}`]);
    expect(states(r.h)[0]).toMatchObject({ transactionId: 'out-1', method: 'SEND', conn: 'out', messageId: 'm1' });
    act(r);
    const after = states(r.h).slice(2);
    expect(after.map((s) => `${s.state} ${s.change}`)).toEqual([last]);
    expect(after[0]!.timerAt).toBeNull();
    // Every record is one state the machine was in: the table agrees.
    expect(r.f.state).toBe('done');
    expect(r.table.size).toBe(0);
  });

  it('a SEND with Failure-Report no is done at once', () => {
    const r = rig({ fr: 'no' });
    r.table.drop('out-1', r.f);
    expect(states(r.h).map((s) => `${s.state} ${s.change}`).slice(-1)).toEqual(['done no-response-expected']);
  });
});
