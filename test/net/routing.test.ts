import { describe, expect, it } from 'vitest';
import { world } from './helpers.js';

function diamond(bd = 10_000): ReturnType<typeof world> {
  // a - b - d and a - c - d
  const w = world();
  for (const h of ['a', 'b', 'c', 'd']) w.net.addHost(h);
  w.net.addLink('a', 'c', { latency: 10_000 });
  w.net.addLink('c', 'd', { latency: 10_000 });
  w.net.addLink('a', 'b', { latency: 10_000 });
  w.net.addLink('b', 'd', { latency: bd });
  return w;
}

function pathOf(w: ReturnType<typeof world>, from: string, to: string): string[] | null {
  const routes = w.of('net.route').filter((r) => r.node === from && r.dst === to);
  return (routes[routes.length - 1]?.path as string[] | null | undefined) ?? null;
}

function ping(w: ReturnType<typeof world>, from: string, to: string): void {
  if (!w.net.host(to).connections.length) w.net.host(to).listen(9, () => undefined);
  w.net.host(from).connect({ host: to, port: 9 }, {});
}

describe('routing', () => {
  it('takes the shortest path by latency', () => {
    const w = diamond(15_000);
    ping(w, 'a', 'd');
    w.sim.run({ until: 100_000 });
    expect(pathOf(w, 'a', 'd')).toEqual(['a', 'c', 'd']);
  });

  it('breaks ties by the lexicographically smallest sequence of node ids', () => {
    const w = diamond(10_000);
    ping(w, 'a', 'd');
    w.sim.run({ until: 100_000 });
    expect(pathOf(w, 'a', 'd')).toEqual(['a', 'b', 'd']);
    expect(pathOf(w, 'd', 'a')).toEqual(['d', 'b', 'a']);
  });

  it('recomputes when a link goes down and comes back', () => {
    const w = diamond(10_000);
    w.net.host('d').listen(9, (c) => c.setHandlers({}));
    w.net.host('a').connect({ host: 'd', port: 9 }, { onOpen: (c) => c.write(new Uint8Array(10)) });
    w.sim.scheduler.at(100_000, () => {
      w.net.linkDown('b', 'd');
      w.net.host('a').connect({ host: 'd', port: 9 }, {});
    });
    w.sim.scheduler.at(200_000, () => {
      w.net.linkUp('b', 'd');
      w.net.host('a').connect({ host: 'd', port: 9 }, {});
    });
    w.sim.run({ until: 300_000 });
    expect(w.of('net.route').filter((r) => r.node === 'a' && r.dst === 'd').map((r) => [r.t, (r.path as string[]).join(' ')])).toEqual([
      [0, 'a b d'],
      [100_000, 'a c d'],
      [200_000, 'a b d'],
    ]);
  });

  it('hosts forward: a segment crosses every host on its path', () => {
    const w = world();
    for (const h of ['a', 'm1', 'm2', 'z']) w.net.addHost(h);
    w.net.addLink('a', 'm1');
    w.net.addLink('m1', 'm2');
    w.net.addLink('m2', 'z');
    ping(w, 'a', 'z');
    w.sim.run({ until: 100_000 });
    expect(w.of('tcp.segment').filter((r) => r.flags === 'S').map((r) => `${r.node}>${r.to}`)).toEqual(['a>m1', 'm1>m2', 'm2>z']);
  });
});

describe('addresses and names', () => {
  it('plans addresses per segment (cut at firewalls), in id order, whatever the declaration order', () => {
    const w = world();
    w.net.addHost('psa', { name: 'push.example.com' });
    w.net.addHost('relay-b', { name: 'relay.b.example.net' });
    w.net.addHost('relay-a', { name: 'relay.a.example.com', names: ['relay-a.alias'] });
    w.net.addFirewall('fw-b', { inside: ['pra'] });
    w.net.addHost('pra', { name: 'phone.b.example.net' });
    w.net.addHost('fixed', { address: '192.0.2.7' });
    w.net.addLink('psa', 'relay-a');
    w.net.addLink('relay-a', 'relay-b');
    w.net.addLink('relay-b', 'fw-b');
    w.net.addLink('fw-b', 'pra');
    w.net.addLink('fixed', 'relay-a');
    // segments, numbered by their smallest host id: {fixed, psa, relay-a, relay-b} with fw-b (its
    // outside neighbour is there; fixed keeps its given address), then {pra}
    expect(w.net.firewall('fw-b').address).toBe('10.0.1.1');
    expect(w.net.resolve('push.example.com')).toBe('10.0.1.2');
    expect(w.net.resolve('relay.a.example.com')).toBe('10.0.1.3');
    expect(w.net.resolve('relay-a.alias')).toBe('10.0.1.3');
    expect(w.net.resolve('relay.b.example.net')).toBe('10.0.1.4');
    expect(w.net.resolve('phone.b.example.net')).toBe('10.0.2.1');
    expect(w.net.resolve('fixed')).toBe('192.0.2.7');
    expect(w.net.resolve('10.9.9.9')).toBe('10.9.9.9');
    expect(w.net.resolve('nowhere')).toBeNull();
    expect(w.of('net.host').map((r) => `${r.node}=${r.address}`)).toEqual([
      'fixed=192.0.2.7',
      'fw-b=10.0.1.1',
      'pra=10.0.2.1',
      'psa=10.0.1.2',
      'relay-a=10.0.1.3',
      'relay-b=10.0.1.4',
    ]);
    // added after the plan: a segment of its own
    expect(w.net.addHost('late').address).toBe('10.0.3.1');
  });

  it('rejects duplicate ids, names, addresses and links', () => {
    const w = world();
    w.net.addHost('a', { address: '10.1.1.1' });
    w.net.addHost('b');
    expect(() => w.net.addHost('a')).toThrow(/already a node 'a'/);
    expect(() => w.net.addHost('c', { name: 'a' })).toThrow(/already belongs/);
    expect(() => w.net.addHost('d', { address: '10.1.1.1' })).toThrow(/already belongs/);
    expect(() => w.net.addHost('e', { address: '10.1.1' })).toThrow(/not an IPv4/);
    w.net.addLink('a', 'b');
    expect(() => w.net.addLink('b', 'a')).toThrow(/already a link/);
    expect(() => w.net.addLink('a', 'zz')).toThrow(/no host or firewall 'zz'/);
    w.net.addHost('f');
    expect(() => w.net.addLink('a', 'f', { loss: 2 })).toThrow(RangeError);
    expect(() => w.net.addLink('a', 'f', { latency: 1.5 })).toThrow(/whole microseconds/);
  });
});
