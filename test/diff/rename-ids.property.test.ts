/**
 * Renaming the random ids of a run consistently (every occurrence of a value to the same new value,
 * different values to different ones) never makes a difference; using one id where the run had
 * two does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRuns, type DiffFrame, type RunModel } from '../../src/diff/index.js';

const ID = fc.stringMatching(/^[A-Za-z0-9]{4,16}$/);
/** Pools of distinct ids: transaction ids, Message-IDs, session ids, nonces, cnonces, responses, opaques. */
const POOLS = fc.record({
  tid: fc.uniqueArray(ID, { minLength: 8, maxLength: 8 }),
  mid: fc.uniqueArray(ID, { minLength: 4, maxLength: 4 }),
  sid: fc.uniqueArray(ID, { minLength: 4, maxLength: 4 }),
  nonce: fc.uniqueArray(ID, { minLength: 2, maxLength: 2 }),
  cnonce: fc.uniqueArray(ID, { minLength: 2, maxLength: 2 }),
  response: fc.uniqueArray(ID, { minLength: 2, maxLength: 2 }),
  opaque: fc.uniqueArray(ID, { minLength: 2, maxLength: 2 }),
});
type Pools = typeof POOLS extends fc.Arbitrary<infer P> ? P : never;

/** A frame's shape: which id of each pool it uses. */
const SHAPE = fc.record({
  tid: fc.nat(7),
  mid: fc.nat(3),
  to: fc.nat(3),
  from: fc.nat(3),
  kind: fc.constantFrom('send', 'auth', 'challenge', 'ok'),
  n: fc.nat(1),
});
type Shape = typeof SHAPE extends fc.Arbitrary<infer S> ? S : never;

function frame(s: Shape, p: Pools, order: number): DiffFrame {
  const path = (i: number): string => `msrp://relay.example.com:2855/${p.sid[i]};tcp`;
  const headers: Array<[string, string]> = [['To-Path', path(s.to)], ['From-Path', path(s.from)]];
  let startLine = `MSRP ${p.tid[s.tid]} SEND`;
  if (s.kind === 'send') headers.push(['Message-ID', p.mid[s.mid]!], ['Byte-Range', '1-5/5'], ['Content-Type', 'text/plain']);
  if (s.kind === 'auth') {
    startLine = `MSRP ${p.tid[s.tid]} AUTH`;
    headers.push(['Authorization', `Digest username="psa", realm="example.com", nonce="${p.nonce[s.n]}", uri="${path(s.to)}", response="${p.response[s.n]}", cnonce="${p.cnonce[s.n]}", nc=00000001, qop=auth, opaque="${p.opaque[s.n]}"`]);
  }
  if (s.kind === 'challenge') {
    startLine = `MSRP ${p.tid[s.tid]} 401 Unauthorized`;
    headers.push(['WWW-Authenticate', `Digest realm="example.com", nonce="${p.nonce[s.n]}", opaque="${p.opaque[s.n]}", qop="auth"`]);
  }
  if (s.kind === 'ok') {
    startLine = `MSRP ${p.tid[s.tid]} 200 OK`;
    headers.push(['Use-Path', path(s.from)]);
  }
  return { startLine, headers, body: s.kind === 'send' ? 'hello' : null, continuation: '$', time: order, order, received: true };
}

function run(shapes: [Shape[], Shape[]], p: Pools): RunModel {
  let order = 0;
  return {
    source: 'x',
    kind: 'trace',
    nodes: [{ key: 'a', name: 'a', named: true }, { key: 'r', name: 'r', named: true }],
    connections: [{ id: 'c1', initiator: 'a', responder: 'r', opened: 0, frames: [shapes[0].map((s) => frame(s, p, order++)), shapes[1].map((s) => frame(s, p, order++))] }],
    notes: [],
  };
}

const SHAPES = fc.tuple(fc.array(SHAPE, { maxLength: 12 }), fc.array(SHAPE, { maxLength: 12 }));

describe('renaming ids', () => {
  it('consistently: never a difference', () => {
    fc.assert(
      fc.property(SHAPES, POOLS, POOLS, (shapes, p, q) => {
        expect(compareRuns(run(shapes, p), run(shapes, q)).differences).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('one transaction id where there were two: a difference', () => {
    fc.assert(
      fc.property(SHAPES, POOLS, (shapes, p) => {
        const all = [...shapes[0], ...shapes[1]];
        const used = [...new Set(all.map((s) => s.tid))];
        fc.pre(used.length >= 2);
        const merged: Pools = { ...p, tid: p.tid.map((t, i) => (i === used[1] ? p.tid[used[0]!]! : t)) };
        expect(compareRuns(run(shapes, p), run(shapes, merged)).same).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
