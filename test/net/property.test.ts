/**
 * Whatever the links do (latency, jitter, bandwidth, loss up to 0.3, small MSS) and however the
 * application writes, each side receives exactly the bytes the other wrote, in order; or the
 * connection ends with a recorded reason and what arrived is a prefix of what was written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LinkOptions } from '../../src/net/net-types.js';
import { bytes, concat, sameBytes, world } from './helpers.js';

const linkArb: fc.Arbitrary<Partial<LinkOptions>> = fc.record({
  latency: fc.integer({ min: 0, max: 50_000 }),
  jitter: fc.integer({ min: 0, max: 20_000 }),
  bandwidth: fc.oneof(fc.constant(Infinity), fc.integer({ min: 64_000, max: 100_000_000 })),
  loss: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.3, noNaN: true })),
  mss: fc.integer({ min: 1, max: 1460 }),
});

const writesArb = fc.array(
  fc.record({ at: fc.integer({ min: 0, max: 300_000 }), size: fc.integer({ min: 1, max: 6000 }) }),
  { minLength: 1, maxLength: 12 },
);

function isPrefix(part: Uint8Array, whole: Uint8Array): boolean {
  return part.length <= whole.length && sameBytes(part, whole.subarray(0, part.length));
}

describe('TCP over random links', () => {
  it('delivers exactly what was written, in order, or ends with a recorded reason', () => {
    fc.assert(
      fc.property(
        fc.array(linkArb, { minLength: 1, maxLength: 3 }),
        writesArb,
        writesArb,
        fc.boolean(),
        fc.integer(),
        (links, clientWrites, serverWrites, closeAtEnd, seed) => {
          const w = world(seed);
          const ids = links.map((_, i) => `h${i}`).concat(`h${links.length}`);
          for (const id of ids) w.net.addHost(id);
          links.forEach((l, i) => w.net.addLink(ids[i]!, ids[i + 1]!, l));
          const from = ids[0]!;
          const to = ids[ids.length - 1]!;

          const sent = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
          const got = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
          const ends: string[] = [];
          const schedule = (side: 'client' | 'server', conn: { write(b: Uint8Array): void; close(): void; state: string }, plan: typeof clientWrites): void => {
            plan.forEach(({ at, size }, i) => {
              w.sim.scheduler.after(at, () => {
                if (conn.state !== 'open') return;
                const b = bytes(size, i + (side === 'client' ? 0 : 100));
                sent[side].push(b);
                conn.write(b);
              });
            });
            if (closeAtEnd && side === 'client') w.sim.scheduler.after(301_000, () => conn.close());
          };
          w.net.host(to).listen(7, (conn) => {
            conn.setHandlers({
              onOpen: (c) => schedule('server', c, serverWrites),
              onData: (_c, d) => got.server.push(d.slice()),
              onClose: (_c, r) => ends.push(`server ${r.kind}`),
            });
          });
          w.net.host(from).connect(
            { host: to, port: 7 },
            {
              onOpen: (c) => schedule('client', c, clientWrites),
              onData: (_c, d) => got.client.push(d.slice()),
              onClose: (_c, r) => ends.push(`client ${r.kind}`),
            },
          );
          // every connection ends or goes quiet: the run comes to rest by itself
          expect(w.sim.run({ maxEvents: 5_000_000 }).reason).toBe('idle');

          // an end that is not a clean FIN exchange (a timeout may follow a 'fin' close: the peer
          // closed, then this side's last data could not be delivered)
          const abnormal = [...w.of('tcp.close').filter((r) => r.kind !== 'fin'), ...w.of('tcp.timeout')];
          const toServer = concat(sent.client);
          const toClient = concat(sent.server);
          const atServer = concat(got.server);
          const atClient = concat(got.client);
          expect(isPrefix(atServer, toServer)).toBe(true);
          expect(isPrefix(atClient, toClient)).toBe(true);
          if (abnormal.length === 0) {
            expect(atServer.length).toBe(toServer.length);
            expect(atClient.length).toBe(toClient.length);
          } else {
            // a connection that ended early says why
            for (const r of abnormal) expect(typeof r.detail).toBe('string');
          }
        },
      ),
      // each run is a whole simulation: report the first failure as found rather than shrink it
      { numRuns: 150, endOnFailure: true },
    );
  });

  it('without loss, every byte arrives and both sides close cleanly', () => {
    fc.assert(
      fc.property(
        fc.array(linkArb.map((l) => ({ ...l, loss: 0 })), { minLength: 1, maxLength: 4 }),
        writesArb,
        fc.integer(),
        (links, writes, seed) => {
          const w = world(seed);
          const ids = links.map((_, i) => `n${i}`).concat(`n${links.length}`);
          for (const id of ids) w.net.addHost(id);
          links.forEach((l, i) => w.net.addLink(ids[i]!, ids[i + 1]!, l));
          const sent: Uint8Array[] = [];
          const got: Uint8Array[] = [];
          w.net.host(ids[ids.length - 1]!).listen(7, (conn) => conn.setHandlers({ onData: (_c, d) => got.push(d.slice()) }));
          w.net.host(ids[0]!).connect(
            { host: ids[ids.length - 1]!, port: 7 },
            {
              onOpen: (c) => {
                writes.forEach(({ at, size }, i) =>
                  w.sim.scheduler.after(at, () => {
                    const b = bytes(size, i);
                    sent.push(b);
                    c.write(b);
                  }),
                );
                w.sim.scheduler.after(300_001, () => c.close());
              },
            },
          );
          expect(w.sim.run({ maxEvents: 5_000_000 }).reason).toBe('idle');
          expect(sameBytes(concat(got), concat(sent))).toBe(true);
          expect(w.of('tcp.close').map((r) => r.kind)).toEqual(['fin', 'fin']);
          expect(w.of('tcp.timeout', 'net.drop')).toEqual([]);
        },
      ),
      { numRuns: 100, endOnFailure: true },
    );
  });
});
