/**
 * Timing worked out by hand. Serialization counts the segment plus 40 header bytes (IPv4 + TCP):
 * a 1460-byte segment is 1500 bytes = 12,000 bits = 12 ms at 1 Mbit/s; a SYN or pure ACK is 40
 * bytes = 320 µs.
 */
import { describe, expect, it } from 'vitest';
import type { TcpConnection } from '../../src/net/tcp-connection.js';
import { bytes, world, type World } from './helpers.js';

/** Times (µs) at which things happened, by label. */
function timeline(w: World): { at: Record<string, number[]>; mark: (label: string) => void } {
  const at: Record<string, number[]> = {};
  return { at, mark: (label) => (at[label] ??= []).push(w.sim.now) };
}

/** A server on `b` port 80 and a client on `a` that writes `payload` as soon as it is open. */
function exchange(w: World, payload: Uint8Array[], tls?: { version: '1.2' | '1.3' }): Record<string, number[]> {
  const { at, mark } = timeline(w);
  w.net.host('b').listen(
    80,
    (conn) => {
      mark('accept');
      conn.setHandlers({ onOpen: () => mark('server open'), onData: () => mark('server data') });
    },
    tls ? { certificateNames: ['b'], version: tls.version } : undefined,
  );
  w.net.host('a').connect(
    { host: 'b', port: 80, ...(tls ? { tls: { serverName: 'b', version: tls.version } } : {}) },
    {
      onOpen: (conn: TcpConnection) => {
        mark('client open');
        for (const p of payload) conn.write(p);
      },
    },
  );
  w.sim.run({ until: 1_000_000 });
  return at;
}

describe('timing', () => {
  it('handshake over one 10 ms link: open at 20 ms, data written then arrives at 30 ms', () => {
    const w = world();
    w.net.addHost('a');
    w.net.addHost('b');
    w.net.addLink('a', 'b', { latency: 10_000 });
    const at = exchange(w, [bytes(100)]);
    expect(at).toEqual({ 'client open': [20_000], accept: [30_000], 'server open': [30_000], 'server data': [30_000] });
  });

  it('serialization: a 1460-byte segment over 1 Mbit/s takes 12 ms, a SYN 320 µs', () => {
    const w = world();
    w.net.addHost('a');
    w.net.addHost('b');
    w.net.addLink('a', 'b', { latency: 10_000, bandwidth: 1_000_000 });
    const at = exchange(w, [bytes(1460)]);
    // SYN at b 10.32 ms, SYN-ACK at a 20.64 ms; data 20.64 + 12 + 10.
    expect(at['client open']).toEqual([20_640]);
    expect(at['server data']).toEqual([42_640]);
    // the lone segment's ACK waits 40 ms (delayed ACK) for data to ride on, then goes alone
    const segs = w.of('tcp.segment').map((r) => [r.t, r.flags, r.len, r.arrival]);
    expect(segs).toEqual([
      [0, 'S', 0, 10_320],
      [10_320, 'SA', 0, 20_640],
      [20_640, 'PA', 1460, 42_640],
      [82_640, 'A', 0, 92_960],
    ]);
  });

  it('queueing: back-to-back segments wait for the ones ahead (FIFO per direction); every second one is acknowledged at once', () => {
    const w = world();
    w.net.addHost('a');
    w.net.addHost('b');
    w.net.addLink('a', 'b', { latency: 10_000, bandwidth: 1_000_000 });
    const at = exchange(w, [bytes(4380)]); // three full segments
    expect(at['server data']).toEqual([42_640, 54_640, 66_640]);
    const acks = w.of('tcp.segment').filter((r) => r.node === 'b' && r.flags === 'A');
    expect(acks.map((r) => r.t)).toEqual([54_640, 106_640]);
  });

  it('several writes made together share segments, cut at the MSS', () => {
    const w = world();
    w.net.addHost('a');
    w.net.addHost('b');
    w.net.addLink('a', 'b', { latency: 10_000 });
    exchange(w, [bytes(1000), bytes(1000), bytes(1000)]);
    const data = w.of('tcp.segment').filter((r) => r.node === 'a' && (r.len as number) > 0);
    expect(data.map((r) => r.len)).toEqual([1460, 1460, 80]);
  });

  it('a 2-link path adds up: store and forward at the middle host', () => {
    const w = world();
    w.net.addHost('a');
    w.net.addHost('r');
    w.net.addHost('b');
    w.net.addLink('a', 'r', { latency: 10_000, bandwidth: 1_000_000 });
    w.net.addLink('r', 'b', { latency: 5_000, bandwidth: 1_000_000 });
    const at = exchange(w, [bytes(1460)]);
    // SYN: 0.32 + 10 + 0.32 + 5 = 15.64 ms; SYN-ACK back: 31.28 ms; data: 31.28 + 12 + 10 + 12 + 5.
    expect(at['client open']).toEqual([31_280]);
    expect(at['server data']).toEqual([70_280]);
    const hops = w.of('tcp.segment').filter((r) => r.flags === 'S');
    expect(hops.map((r) => [r.node, r.to, r.hop, r.t, r.arrival])).toEqual([
      ['a', 'r', 0, 0, 10_320],
      ['r', 'b', 1, 10_320, 15_640],
    ]);
  });

  it('TLS 1.3 adds one round trip, TLS 1.2 two (client side); the server opens half a round trip later', () => {
    const t13 = world();
    t13.net.addHost('a');
    t13.net.addHost('b');
    t13.net.addLink('a', 'b', { latency: 10_000 });
    expect(exchange(t13, [bytes(10)], { version: '1.3' })).toEqual({
      accept: [30_000],
      'client open': [40_000],
      'server open': [50_000],
      'server data': [50_000],
    });
    const t12 = world();
    t12.net.addHost('a');
    t12.net.addHost('b');
    t12.net.addLink('a', 'b', { latency: 10_000 });
    expect(exchange(t12, [bytes(10)], { version: '1.2' })).toEqual({
      accept: [30_000],
      'server open': [50_000],
      'client open': [60_000],
      'server data': [70_000],
    });
  });

  it('jitter never reorders a direction: arrivals are non-decreasing', () => {
    const w = world(3);
    w.net.addHost('a');
    w.net.addHost('b');
    w.net.addLink('a', 'b', { latency: 10_000, jitter: 8_000, bandwidth: 10_000_000 });
    exchange(w, [bytes(60_000)]);
    const arrivals = w.of('tcp.segment').filter((r) => r.node === 'a').map((r) => r.arrival as number);
    expect(arrivals.length).toBeGreaterThan(40);
    expect([...arrivals].sort((x, y) => x - y)).toEqual(arrivals);
    // and jitter did move them: not all are serialization + latency
    const extra = w.of('tcp.segment').filter((r) => r.node === 'a').map((r) => (r.arrival as number) - (r.t as number));
    expect(new Set(extra).size).toBeGreaterThan(5);
  });
});
