/**
 * The flows of the differential suite (issue 15 §2), each a list of client actions. Client 0 is
 * alice, client 1 bob, client 2 never authenticates. `AB` is the path from alice to bob through
 * the one relay: alice's Use-Path, bob's Use-Path, bob (a relay hop from the relay to itself).
 */
import { UNKNOWN_SESSION_ID } from './kamailio-hash.js';
import { KAMAILIO_501_FROM, KAMAILIO_CLOSE_FROM } from './sizes.js';
import { auth, digest, login, report, request, respond, send, type Flow, type FlowContext, type Step } from './harness.js';

export const USERS = { alice: 'secret', bob: 'hunter2' };

const AB = (ctx: FlowContext): string[] => [ctx.usePath(0), ctx.usePath(1), ctx.me(1)];
const BA = (ctx: FlowContext): string[] => [ctx.usePath(1), ctx.usePath(0), ctx.me(0)];
/**
 * A session id the relay never granted, at the relay's address. Its Kamailio hash id is the
 * largest there is, so Kamailio's lookup cannot take it for a granted one (kamailio-hash.ts).
 */
const unknown = (ctx: FlowContext, id = UNKNOWN_SESSION_ID): string => ctx.relay.uri.replace(/;tcp$/, `/${id};tcp`);
const both: Step[] = [...login(0, 'alice', 'secret'), ...login(1, 'bob', 'hunter2')];

const FAILURE_REPORTS = ['yes', 'no', 'partial', 'absent'] as const;
const fr = (v: (typeof FAILURE_REPORTS)[number]): [string, string][] => (v === 'absent' ? [] : [['Failure-Report', v]]);

/** A size of body that makes a SEND frame exactly `frameBytes` long (see sizedSend). */
export function sizedSend(c: number, k: number, to: (ctx: FlowContext) => string[], frameBytes: number): (ctx: FlowContext) => string {
  return (ctx) => {
    const probe = send(c, k, to, '', { headers: [['Failure-Report', 'yes']] })(ctx);
    // The body's length also changes the Byte-Range header's digits: settle by iteration.
    let n = Math.max(0, frameBytes - probe.length);
    for (let i = 0; i < 4; i++) {
      const f = send(c, k, to, 'x'.repeat(n), { headers: [['Failure-Report', 'yes']] })(ctx);
      n += frameBytes - f.length;
    }
    return send(c, k, to, 'x'.repeat(n), { headers: [['Failure-Report', 'yes']] })(ctx);
  };
}

export const FLOWS: Flow[] = [
  { name: 'AUTH without credentials', steps: [{ connect: 0 }, { send: 0, frame: auth(0, 1) }, { wait: 0, frames: 1 }] },
  { name: 'AUTH with good credentials', steps: login(0, 'alice', 'secret') },
  {
    name: 'AUTH with a wrong password, repeated past any failure limit, then the right one',
    steps: [
      { connect: 0 },
      { send: 0, frame: auth(0, 1) },
      { wait: 0, frames: 1 },
      ...[2, 3, 4, 5, 6].flatMap((k): Step[] => [
        { send: 0, frame: auth(0, k, (ctx) => [digest(0, { user: 'alice', password: 'wrong' })(ctx)]) },
        { wait: 0, frames: k },
      ]),
      { send: 0, frame: auth(0, 7, (ctx) => [digest(0, { user: 'alice', password: 'secret' })(ctx)]) },
      { wait: 0, frames: 7 },
    ],
  },
  ...[
    ['low', '1'],
    ['in range', '600'],
    ['high', '1000000'],
  ].map(([what, value]): Flow => ({
    name: `AUTH with Expires ${what} (${value})`,
    steps: [
      { connect: 0 },
      { send: 0, frame: auth(0, 1) },
      { wait: 0, frames: 1 },
      { send: 0, frame: auth(0, 2, (ctx) => [digest(0, { user: 'alice', password: 'secret' })(ctx), ['Expires', value!]]) },
      { wait: 0, frames: 2 },
    ],
  })),
  {
    name: 'AUTH with a digest uri that differs from the AUTH To-Path',
    steps: [
      { connect: 0 },
      { send: 0, frame: auth(0, 1) },
      { wait: 0, frames: 1 },
      { send: 0, frame: auth(0, 2, (ctx) => [digest(0, { user: 'alice', password: 'secret', uri: () => 'msrp://relay.example.com:2855;tcp' })(ctx)]) },
      { wait: 0, frames: 2 },
    ],
  },
  {
    name: 'AUTH over a nonce the relay never issued',
    steps: [{ connect: 0 }, { send: 0, frame: auth(0, 1, (ctx) => [digest(0, { user: 'alice', password: 'secret', nonce: 'bm90LWlzc3VlZC1ieS1hbnlvbmU' })(ctx)]) }, { wait: 0, frames: 1 }],
  },
  ...FAILURE_REPORTS.map(
    (v): Flow => ({
      name: `SEND between two authenticated clients, Failure-Report ${v}, the receiver answers 200 where asked`,
      steps: [
        ...both,
        { send: 0, frame: send(0, 10, AB, 'hello bob', { headers: fr(v) }) },
        { wait: 1, frames: 3 },
        ...(v === 'no' || v === 'partial' ? [] : [{ send: 1, frame: respond(1, 200, 'OK') }]),
        { wait: 0, frames: 3 },
      ],
    }),
  ),
  {
    name: 'a chunked message (three chunks, + + $)',
    steps: [
      ...both,
      { send: 0, frame: send(0, 10, AB, 'aaaaaaaaaa', { range: '1-10/30', flag: '+', headers: [['Failure-Report', 'no']] }) },
      { send: 0, frame: send(0, 11, AB, 'bbbbbbbbbb', { range: '11-20/30', flag: '+', headers: [['Failure-Report', 'no']] }) },
      { send: 0, frame: send(0, 12, AB, 'cccccccccc', { range: '21-30/30', headers: [['Failure-Report', 'no']] }) },
      { wait: 1, frames: 5 },
      { wait: 0, frames: 5 },
    ],
  },
  {
    name: 'REPORTs in both directions (Success-Report yes each way)',
    steps: [
      ...both,
      { send: 0, frame: send(0, 10, AB, 'to bob', { headers: [['Failure-Report', 'no'], ['Success-Report', 'yes']] }) },
      { wait: 1, frames: 3 },
      { send: 1, frame: report(1, 10, '000 200 OK') },
      { wait: 0, frames: 4 },
      { send: 1, frame: send(1, 11, BA, 'to alice', { headers: [['Failure-Report', 'no'], ['Success-Report', 'yes']] }) },
      { wait: 0, frames: 5 },
      { send: 0, frame: report(0, 11, '000 200 OK') },
      { wait: 1, frames: 5 },
    ],
  },
  {
    name: "the receiver's non-200 responses (400, 403, 413, 415, 481, 501, 506)",
    steps: [
      ...both,
      ...[400, 403, 413, 415, 481, 501, 506].flatMap((code, i): Step[] => [
        { send: 0, frame: send(0, 10 + i, AB, `message ${i}`) },
        { wait: 1, frames: 3 + i },
        { send: 1, frame: respond(1, code, 'Refused') },
        { wait: 0, frames: 3 + i },
      ]),
      { settle: 200 },
    ],
  },
  ...FAILURE_REPORTS.flatMap((v): Flow[] => [
    {
      name: `an unknown session at the last hop, Failure-Report ${v}`,
      steps: [...both, { send: 0, frame: send(0, 10, (ctx) => [unknown(ctx), ctx.me(1)], 'to nobody', { headers: fr(v) }) }, { wait: 0, frames: 3 }, { wait: 1, frames: 3 }],
    },
    {
      name: `an unknown session at an earlier hop, Failure-Report ${v}`,
      steps: [
        ...both,
        { send: 0, frame: send(0, 10, (ctx) => [unknown(ctx), ctx.usePath(1), ctx.me(1)], 'to bob past nobody', { headers: fr(v) }) },
        { wait: 0, frames: 3 },
        { wait: 1, frames: 3 },
      ],
    },
  ]),
  {
    name: 'a REPORT to an unknown session',
    steps: [...both, { send: 0, frame: report(0, 10, '000 200 OK', (ctx) => [unknown(ctx), ctx.me(1)]) }, { wait: 0, frames: 3 }, { wait: 1, frames: 3 }],
  },
  {
    name: 'a session whose client disconnected, one hop (To-Path: its Use-Path, it)',
    steps: [...both, { close: 1 }, { settle: 100 }, { send: 0, frame: send(0, 10, (ctx) => [ctx.usePath(1), ctx.me(1)], 'to gone bob') }, { wait: 0, frames: 3 }],
  },
  {
    name: 'a session whose client disconnected, two hops (To-Path: own Use-Path, its Use-Path, it)',
    steps: [...both, { close: 1 }, { settle: 100 }, { send: 0, frame: send(0, 10, AB, 'to gone bob') }, { wait: 0, frames: 3 }],
  },
  {
    name: 'a To-Path naming only the relay',
    steps: [...login(0, 'alice', 'secret'), { send: 0, frame: send(0, 10, (ctx) => [ctx.relay.uri], 'to the relay') }, { wait: 0, frames: 3 }],
  },
  {
    name: "a To-Path naming only the client's own Use-Path",
    steps: [...login(0, 'alice', 'secret'), { send: 0, frame: send(0, 10, (ctx) => [ctx.usePath(0)], 'to myself') }, { wait: 0, frames: 3 }],
  },
  {
    name: "a client that never authenticated sends SEND and REPORT along others' paths",
    steps: [
      ...both,
      { connect: 2 },
      { send: 2, frame: send(2, 10, AB, 'from mallory', { from: (ctx) => [ctx.me(0)] }) },
      { wait: 2, frames: 1 },
      { wait: 1, frames: 3 },
      { send: 2, frame: report(2, 11, '000 200 OK', AB) },
      { wait: 2, frames: 2 },
      { wait: 1, frames: 4 },
    ],
  },
  {
    name: 'an unknown method with a To-Path of one URI',
    steps: [...login(0, 'alice', 'secret'), { send: 0, frame: (ctx) => request(ctx.tid(0, 10), 'FROB', [['To-Path', ctx.relay.uri], ['From-Path', ctx.me(0)]]) }, { wait: 0, frames: 3 }],
  },
  {
    name: 'an unknown method with a To-Path of several URIs',
    steps: [
      ...both,
      { send: 0, frame: (ctx) => request(ctx.tid(0, 10), 'FROB', [['To-Path', AB(ctx).join(' ')], ['From-Path', ctx.me(0)], ['Message-ID', 'm0k10']]) },
      { wait: 0, frames: 3 },
      { wait: 1, frames: 3 },
    ],
  },
  ...[KAMAILIO_501_FROM - 1, KAMAILIO_501_FROM, KAMAILIO_CLOSE_FROM - 1, KAMAILIO_CLOSE_FROM].flatMap((bytes) =>
    [0, 200].map(
      (pad): Flow => ({
        name: `a SEND frame of ${bytes} bytes${pad > 0 ? `, To-Path ${pad} bytes longer` : ''}`,
        steps: [
          ...both,
          { send: 0, frame: sizedSend(0, 10, (ctx) => [ctx.usePath(0), ctx.usePath(1), ctx.me(1) + (pad > 0 ? `;x=${'p'.repeat(pad - 3)}` : '')], bytes) },
          { wait: 0, frames: 3 },
          { wait: 1, frames: 3 },
        ],
      }),
    ),
  ),
];
