/**
 * Properties of the node layer (DESIGN.md, Tests), over real bytes on the simulated network:
 * (a) no unauthenticated sender gets a frame delivered through a relay to anyone but the owner of
 *     a token it holds, and cannot divert other traffic to itself;
 * (b) any chunk size, chunk strategy and relay re-chunking delivers the message intact, with
 *     success REPORTs that cover exactly the bytes received.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SECOND } from '../../src/sim/time.js';
import type { MsrpRequest } from '../../src/wire/frame.js';
import type { RelayProfileName } from '../../src/protocol/relay-profile.js';
import { AG_CLIENT, build, chain, endpoint, isRequest, relay, sent, type Built } from './helpers.js';

const A = 'msrps://relay1.a.example.com:2855;tcp';
const B = 'msrps://relay1.b.example.net:2855;tcp';
const MALLORY = 'msrp://mallory.example.org:7654/mallory1;tcp';

/** psa - a1 - b1 - pra, and mallory (no credentials) with links to both relays. */
const client = (profile: RelayProfileName) => (profile === 'msrprelay' ? AG_CLIENT : {});

function arena(profile: RelayProfileName): Built {
  const t = build(
    [
      // An msrprelay relay is reached as AG Projects' client does (once per session, no digest uri).
      { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: A, username: 'psa', password: 's3cret', ...client(profile) }] }) },
      { id: 'a1', role: 'relay', relay: relay('relay1.a.example.com', { psa: 's3cret' }, { profile }) },
      { id: 'b1', role: 'relay', relay: relay('relay1.b.example.net', { pra: 'hunter2' }, { profile }) },
      { id: 'pra', role: 'receiver', endpoint: endpoint('phone.b.example.net', { relays: [{ uri: B, username: 'pra', password: 'hunter2', ...client(profile) }] }) },
      { id: 'mallory', role: 'endpoint', endpoint: endpoint('mallory.example.org') },
    ],
    [
      ['psa', 'a1', { latency: 10_000 }],
      ['a1', 'b1', { latency: 10_000 }],
      ['b1', 'pra', { latency: 10_000 }],
      ['mallory', 'a1', { latency: 10_000 }],
      ['mallory', 'b1', { latency: 10_000 }],
    ],
  );
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
  t.world.at(0, () => t.world.rawConnect('mallory', A));
  t.world.at(0, () => t.world.rawConnect('mallory', B));
  return t;
}

/** What the attacker may put in a path: real tokens, forged ones, relays, endpoints, itself. */
type Pick = 'tokA' | 'tokB' | 'forgedA' | 'forgedB' | 'relayA' | 'relayB' | 'psa' | 'pra' | 'mallory' | 'elsewhere';
const PICKS: Pick[] = ['tokA', 'tokB', 'forgedA', 'forgedB', 'relayA', 'relayB', 'psa', 'pra', 'mallory', 'elsewhere'];

interface Attack {
  via: 'a1' | 'b1';
  method: 'SEND' | 'REPORT' | 'FROB';
  toPath: Pick[];
  fromPath: Pick[];
  fr: 'yes' | 'no' | 'partial' | null;
}

const attack = fc.record<Attack>({
  via: fc.constantFrom('a1', 'b1'),
  method: fc.constantFrom('SEND', 'REPORT', 'FROB'),
  toPath: fc.array(fc.constantFrom(...PICKS), { minLength: 1, maxLength: 4 }),
  fromPath: fc.array(fc.constantFrom(...PICKS), { minLength: 1, maxLength: 3 }),
  fr: fc.constantFrom('yes', 'no', 'partial', null),
});

function resolver(t: Built): (p: Pick) => string {
  const tokA = t.of('relay.auth-ok', 'a1')[0]!.token as string;
  const tokB = t.of('relay.auth-ok', 'b1')[0]!.token as string;
  const psa = (t.of('session.offer', 'psa')[0]!.path as string[]).at(-1)!;
  const pra = (t.of('session.answer', 'pra')[0]!.path as string[]).at(-1)!;
  const map: Record<Pick, string> = {
    tokA,
    tokB,
    forgedA: 'msrps://relay1.a.example.com:2855/Forged0token;tcp',
    forgedB: 'msrps://relay1.b.example.net:2855/Forged0token;tcp',
    relayA: A,
    relayB: B,
    psa,
    pra,
    mallory: MALLORY,
    elsewhere: 'msrps://elsewhere.example.org:2855/x9y8z7;tcp',
  };
  return (p) => map[p];
}

function frameBytes(a: Attack, i: number, uri: (p: Pick) => string): Uint8Array {
  const tid = `atk${i}x${a.via}`;
  const lines = [`MSRP ${tid} ${a.method}`, `To-Path: ${a.toPath.map(uri).join(' ')}`, `From-Path: ${a.fromPath.map(uri).join(' ')}`, `Message-ID: atk${i}m`];
  if (a.method === 'REPORT') lines.push('Byte-Range: 1-5/5', 'Status: 000 200 OK');
  else {
    lines.push('Byte-Range: 1-5/5');
    if (a.fr) lines.push(`Failure-Report: ${a.fr}`);
    lines.push('Content-Type: text/plain', '', 'evil!');
  }
  lines.push(`-------${tid}$`, '');
  return new Uint8Array(Buffer.from(lines.join('\r\n')));
}

describe('(a) no open relay: an attacker without credentials reaches only the owners of real tokens it holds (R-17, S-01)', () => {
  // kamailio and opensips are open relays by their code: kamailio looks nothing up before the last
  // hop, OpenSIPS checks only that the first To-Path URI is a live token and sends the request
  // wherever the next URI says (opensips:route-by-to-path, tested in test/protocol).
  it('holds for any mix of real, forged and foreign URIs in To-Path and From-Path, and every profile but kamailio and opensips', () => {
    const seen = { reachedOwner: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(attack, { minLength: 1, maxLength: 6 }), fc.constantFrom<RelayProfileName>('rfc4976', 'msrprelay'), (attacks, profile) => {
        const t = arena(profile);
        t.world.at(SECOND, () => {
          const uri = resolver(t);
          attacks.forEach((a, i) => t.world.raw('mallory', frameBytes(a, i, uri), undefined, a.via === 'a1' ? A : B));
        });
        // Legitimate traffic after the attack, both ways: the attacker must not divert it.
        t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'legit from psa' }));
        t.world.at(2 * SECOND, () => t.world.send('pra', { session: 's1', contentType: 'text/plain', body: 'legit from pra' }));
        t.world.run(5 * SECOND);
        const uri = resolver(t);
        const owner: Record<string, string> = { [uri('tokA')]: 'psa', [uri('tokB')]: 'pra' };
        const relayOf: Record<string, 'a1' | 'b1'> = { [uri('tokA')]: 'a1', [uri('tokB')]: 'b1' };

        // Every attacker request that reached an endpoint reached the owner of the first To-Path
        // URI the attacker wrote, and that URI was a real token of the relay it was sent to.
        for (const node of ['psa', 'pra']) {
          for (const got of t.of('msrp.recv', node).filter((r) => r.kind === 'request' && String(r.messageId).startsWith('atk'))) {
            const i = Number(/^atk(\d+)m$/.exec(String(got.messageId))![1]);
            const a = attacks[i]!;
            const first = uri(a.toPath[0]!);
            expect(owner[first]).toBe(node);
            expect(relayOf[first]).toBe(a.via);
            seen.reachedOwner++;
          }
        }
        seen.refused += t.of('relay.refuse').length + t.of('relay.not-mine').length + t.of('relay.discard').length;
        // No attacker request went from one relay to the other (it would have to pass as the
        // owner of a token to leave a relay towards anything but that owner).
        const fromMallory = (relayId: string) => new Set(t.of('tcp.accept', relayId).filter((r) => String(r.remote).startsWith(t.world.network.host('mallory').address)).map((r) => r.conn));
        for (const relayId of ['a1', 'b1']) {
          const mine = fromMallory(relayId);
          for (const f of t.of('relay.forward', relayId).filter((r) => mine.has(r.inConn as string))) {
            const to = f.toPathAfter as string[];
            expect(to).toHaveLength(1);
          }
        }
        // The attacker receives nothing of the legitimate conversation.
        expect(t.of('msrp.recv', 'mallory').filter((r) => r.kind === 'request' && !String(r.messageId).startsWith('atk'))).toHaveLength(0);
        // And the conversation goes on undisturbed.
        const delivered = (node: string) => t.of('endpoint.deliver', node).filter((d) => !String(d.messageId).startsWith('atk'));
        expect(delivered('pra')).toHaveLength(1);
        expect(delivered('psa')).toHaveLength(1);
      }),
      { numRuns: 40, seed: 4976 },
    );
    // Both outcomes were exercised: attacks that reached a token's owner, and attacks refused.
    expect(seen.reachedOwner).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});

describe('(b) any chunking, re-chunking and cut-through delivers the message intact (E-25, R-23, E-27)', () => {
  // Chunks as small as one byte, but at most ~200 of them per hop so that a run stays short.
  const chunking = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30_000 })).chain((size) => {
    const least = Math.max(1, Math.ceil(size / 200));
    const limit = fc.integer({ min: least, max: Math.max(least, 5000) });
    return fc.record({
      size: fc.constant(size),
      chunkSize: fc.integer({ min: least, max: Math.max(least, 6000) }),
      strategy: fc.constantFrom('fixed' as const, 'interruptible' as const),
      maxA: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), limit),
      maxB: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), limit),
      binary: fc.boolean(),
      // The strict relay stores and forwards; msrprelay cuts through (the body goes on as it arrives).
      profile: fc.constantFrom('rfc4976' as const, 'msrprelay' as const),
    });
  });

  it('digest equal at the receiver; success REPORTs cover exactly the bytes received, each once', () => {
    fc.assert(
      fc.property(chunking, (c) => {
        const t = chain(1, 1, { relay: { profile: c.profile }, credentials: client(c.profile) });
        // Per-relay re-chunking: a1 and b1 may cut what they forward differently.
        (t.world.relays.get('a1')!.options as { maxChunk: number }).maxChunk = c.maxA;
        (t.world.relays.get('b1')!.options as { maxChunk: number }).maxChunk = c.maxB;
        t.world.start();
        t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
        t.world.at(SECOND, () =>
          t.world.send('psa', { session: 's1', contentType: c.binary ? 'image/jpeg' : 'text/plain', size: c.size, chunkSize: c.chunkSize, chunkStrategy: c.strategy, successReport: 'yes' }),
        );
        t.world.run(20 * SECOND);
        const message = t.of('endpoint.message', 'psa')[0]!;
        const got = t.of('endpoint.deliver', 'pra');
        expect(got).toHaveLength(1);
        expect(got[0]).toMatchObject({ messageId: message.messageId, size: c.size, digest: message.digest });
        // What pra received, chunk by chunk, as Byte-Range from the payload actually carried.
        const received = t.of('msrp.recv', 'pra').filter((r) => r.method === 'SEND' && r.messageId === message.messageId);
        const positions = received.reduce((n, r) => n + (r.bodyLength as number), 0);
        expect(positions).toBe(c.size);
        // The success REPORTs: sorted, disjoint, their union exactly 1..size.
        const reports = sent(t, 'pra', isRequest('REPORT')).map((x) => (x.frame as MsrpRequest).byteRange!);
        expect(reports.length).toBeGreaterThanOrEqual(1);
        let next = 1;
        for (const r of [...reports].sort((x, y) => x.start - y.start)) {
          expect(r.start).toBe(next);
          expect(r.total).toBe(c.size);
          next = r.end! + 1;
        }
        expect(next - 1).toBe(c.size);
        expect(t.of('endpoint.report', 'psa').at(-1)).toMatchObject({ status: 200, complete: true });
        // Re-chunking shows where it happened, and no hop saw anything it had to complain about.
        const inboundAtA = t.of('msrp.recv', 'a1').filter((r) => r.method === 'SEND' && r.messageId === message.messageId);
        if (c.profile === 'rfc4976' && inboundAtA.some((r) => (r.bodyLength as number) > c.maxA)) expect(t.of('relay.forward', 'a1').some((f) => f.rule === 'R-23')).toBe(true);
        expect(t.of('msrp.violation')).toHaveLength(0);
        expect(t.of('relay.report')).toHaveLength(0);
      }),
      { numRuns: 40, seed: 4975 },
    );
  });
});
