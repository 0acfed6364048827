import { describe, expect, it } from 'vitest';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { bytes, world, type World } from './helpers.js';

/** A small lossy, jittery network with two connections that exchange data. */
function run(seed: string | number, reversed = false): World {
  const w = world(seed);
  const hosts = ['alice', 'relay-a', 'relay-b', 'bob', 'carol'];
  const links: Array<[string, string, Record<string, number>]> = [
    ['alice', 'relay-a', { latency: 5_000, jitter: 3_000, loss: 0.05 }],
    ['relay-a', 'relay-b', { latency: 20_000, jitter: 5_000, bandwidth: 20_000_000, loss: 0.05 }],
    ['relay-b', 'bob', { latency: 3_000, jitter: 1_000, bandwidth: 5_000_000 }],
    ['carol', 'relay-b', { latency: 7_000, jitter: 2_000, loss: 0.1 }],
  ];
  for (const h of reversed ? [...hosts].reverse() : hosts) w.net.addHost(h);
  for (const [a, b, o] of reversed ? [...links].reverse() : links) {
    if (reversed) w.net.addLink(b, a, o);
    else w.net.addLink(a, b, o);
  }
  for (const server of ['bob', 'carol']) {
    w.net.host(server).listen(2855, (conn) => conn.setHandlers({ onData: (c, d) => c.write(d.subarray(0, Math.min(d.length, 100))) }));
  }
  const talk = (from: string, to: string, size: number): void => {
    w.net.host(from).connect({ host: to, port: 2855 }, {
      onOpen: (c) => {
        c.write(bytes(size, 1));
        w.sim.scheduler.after(400_000, () => c.close());
      },
    });
  };
  talk('alice', 'bob', 40_000);
  w.sim.scheduler.after(3_000, () => talk('carol', 'alice', 20_000));
  w.sim.run({ until: 60_000_000 });
  return w;
}

const json = (records: AnyTraceRecord[]): string => records.map((r) => JSON.stringify(r)).join('\n');

describe('determinism', () => {
  it('the same seed gives the identical trace; another seed a different one', () => {
    const a = run(7);
    const b = run(7);
    const c = run(8);
    expect(a.records.length).toBeGreaterThan(200);
    expect(a.of('net.drop').length).toBeGreaterThan(0); // loss did happen
    expect(json(b.records)).toBe(json(a.records));
    expect(json(c.records)).not.toBe(json(a.records));
  });

  it('declaring hosts and links in another order changes no draw and no event', () => {
    const a = run('order');
    const b = run('order', true);
    // Only the declaration records differ (their order, and a link's a/b as declared).
    const events = (w: World): string =>
      json(w.records.filter((r) => r.type !== 'net.link').map(({ seq: _seq, ...r }) => r as AnyTraceRecord));
    expect(events(b)).toBe(events(a));
    const isns = (w: World): unknown[] => w.of('tcp.connect', 'tcp.accept').map((r) => [r.node, r.conn, r.isn]);
    expect(isns(b)).toEqual(isns(a));
  });
});
