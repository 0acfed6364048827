import { describe, expect, it } from 'vitest';
import type { CloseReason } from '../../src/net/net-types.js';
import type { TcpConnection } from '../../src/net/tcp-connection.js';
import { bytes, concat, sameBytes, text, world, type World } from './helpers.js';

interface Transfer {
  client: TcpConnection;
  server: TcpConnection | null;
  got: Uint8Array[];
  closes: string[];
  reasons: CloseReason[];
}

/** `to` listens on 80; `from` connects and, once open, writes `data` (if any). */
function transfer(w: World, from: string, to: string, data?: Uint8Array): Transfer {
  const t: Transfer = { client: null!, server: null, got: [], closes: [], reasons: [] };
  w.net.host(to).listen(80, (conn) => {
    t.server = conn;
    conn.setHandlers({
      onData: (_c, d) => t.got.push(d.slice()),
      onClose: (_c, r) => {
        t.closes.push(`server ${r.kind}`);
        t.reasons.push(r);
      },
    });
  });
  t.client = w.net.host(from).connect(
    { host: to, port: 80 },
    {
      onOpen: (c) => {
        if (data) c.write(data);
      },
      onClose: (_c, r) => {
        t.closes.push(`client ${r.kind}`);
        t.reasons.push(r);
      },
    },
  );
  return t;
}

function pair(link: Record<string, number> = {}): World {
  const w = world();
  w.net.addHost('a');
  w.net.addHost('b');
  w.net.addLink('a', 'b', { latency: 10_000, ...link });
  return w;
}

describe('faults', () => {
  it('link down mid-transfer: segments are lost, the sender retransmits and recovers when it is back', () => {
    const w = pair({ bandwidth: 1_000_000 });
    const data = bytes(100_000, 2);
    const t = transfer(w, 'a', 'b', data);
    w.sim.scheduler.at(200_000, () => w.net.linkDown('a', 'b'));
    w.sim.scheduler.at(1_200_000, () => w.net.linkUp('a', 'b'));
    w.sim.run({ until: 30_000_000 });
    expect(sameBytes(concat(t.got), data)).toBe(true);
    expect(w.of('fault.link-down', 'fault.link-up').map((r) => [r.type, r.t, r.link])).toEqual([
      ['fault.link-down', 200_000, 'a<>b'],
      ['fault.link-up', 1_200_000, 'a<>b'],
    ]);
    // lost on the wire when it went down, then not even sent while there is no route
    const reasons = new Set(w.of('net.drop').map((r) => r.reason));
    expect(reasons).toEqual(new Set(['link-down', 'no-route']));
    expect(w.of('tcp.retransmit').length).toBeGreaterThan(0);
    expect(t.closes).toEqual([]);
  });

  it('link down with another path: routing finds it and the transfer goes on', () => {
    const w = world();
    for (const h of ['a', 'b', 'c', 'd']) w.net.addHost(h);
    w.net.addLink('a', 'b', { latency: 5_000, bandwidth: 2_000_000 });
    w.net.addLink('b', 'd', { latency: 5_000, bandwidth: 2_000_000 });
    w.net.addLink('a', 'c', { latency: 20_000, bandwidth: 2_000_000 });
    w.net.addLink('c', 'd', { latency: 20_000, bandwidth: 2_000_000 });
    const data = bytes(200_000, 4);
    const t = transfer(w, 'a', 'd', data);
    w.sim.scheduler.at(300_000, () => w.net.linkDown('b', 'd'));
    w.sim.run({ until: 30_000_000 });
    expect(sameBytes(concat(t.got), data)).toBe(true);
    const aToD = w.of('net.route').filter((r) => r.node === 'a' && r.dst === 'd');
    expect(aToD.map((r) => (r.path as string[]).join(' '))).toEqual(['a b d', 'a c d']);
    // segments queued at b for the dead link are re-routed back through a
    expect(w.of('tcp.segment').some((r) => r.node === 'c' && r.to === 'd' && (r.len as number) > 0)).toBe(true);
  });

  it('crash: the host loses its connections silently; after restart the peer gets RST', () => {
    const w = pair();
    const hooks: string[] = [];
    w.net.host('b').onCrash = () => hooks.push(`crash ${w.sim.now}`);
    w.net.host('b').onRestart = () => hooks.push(`restart ${w.sim.now}`);
    const t = transfer(w, 'a', 'b');
    w.sim.scheduler.at(100_000, () => w.net.crash('b'));
    w.sim.scheduler.at(200_000, () => t.client.write(text.encode('anyone?')));
    w.sim.scheduler.at(500_000, () => w.net.restart('b'));
    w.sim.run({ until: 10_000_000 });
    expect(hooks).toEqual(['crash 100000', 'restart 500000']);
    expect(w.of('fault.crash')[0]).toMatchObject({ node: 'b', connections: 1 });
    expect(w.of('tcp.close').map((r) => [r.node, r.kind, r.t])).toEqual([
      ['b', 'crash', 100_000],
      ['a', 'reset', 820_000], // retransmissions at 400 ms (lost: b is down) and 800 ms (b is back: RST)
    ]);
    expect(t.reasons).toEqual([{ kind: 'reset', detail: 'reset by 10.0.1.2:80: it has no such connection' }]);
    expect(w.of('net.drop').map((r) => [r.reason, r.t])).toEqual([
      ['host-down', 210_000],
      ['host-down', 410_000],
    ]);
    // the server's handlers were not called: a crashed node runs no code
    expect(t.closes).toEqual(['client reset']);
    expect(w.net.host('b').connections).toEqual([]);
  });

  it('after a crash the listeners are gone until the node layer listens again', () => {
    const w = pair();
    transfer(w, 'a', 'b');
    w.sim.scheduler.at(100_000, () => w.net.crash('b'));
    w.sim.scheduler.at(200_000, () => w.net.restart('b'));
    let refused: CloseReason | null = null;
    w.sim.scheduler.at(300_000, () => w.net.host('a').connect({ host: 'b', port: 80 }, { onClose: (_c, r) => (refused = r) }));
    w.sim.run({ until: 1_000_000 });
    expect(refused).toMatchObject({ kind: 'refused' });
  });

  it('resetConnection: RST both ways, both sides see reset', () => {
    const w = pair();
    const t = transfer(w, 'a', 'b');
    w.sim.scheduler.at(100_000, () => w.net.resetConnection('c1'));
    w.sim.run({ until: 1_000_000 });
    expect(w.of('fault.reset')[0]).toMatchObject({ conn: 'c1', peer: 'c2', node: 'a' });
    expect(t.closes.sort()).toEqual(['client reset', 'server reset']);
    expect(t.reasons[0]!.detail).toBe('reset by fault injection');
    expect(w.of('tcp.segment').filter((r) => (r.flags as string).includes('R')).map((r) => r.node)).toEqual(['a', 'b']);
  });

  it('partition: no route across groups (connect unreachable, segments lost); healing restores it', () => {
    const w = world();
    for (const h of ['a', 'm', 'b']) w.net.addHost(h);
    w.net.addLink('a', 'm', { latency: 10_000 });
    w.net.addLink('m', 'b', { latency: 10_000 });
    const t = transfer(w, 'a', 'b');
    w.sim.scheduler.at(100_000, () => {
      t.client.write(text.encode('in flight'));
      w.net.partition([['a', 'm'], ['b']]);
    });
    let during: CloseReason | null = null;
    w.sim.scheduler.at(200_000, () => w.net.host('a').connect({ host: 'b', port: 80 }, { onClose: (_c, r) => (during = r) }));
    w.sim.scheduler.at(1_000_000, () => w.net.healPartition());
    w.sim.run({ until: 10_000_000 });
    expect(during).toEqual({ kind: 'unreachable', detail: 'no route from a to 10.0.1.2' });
    expect(w.of('net.drop').map((r) => r.reason)).toContain('no-route');
    expect(concat(t.got)).toEqual(text.encode('in flight'));
    expect(w.of('fault.partition')[0]).toMatchObject({ groups: [['a', 'm'], ['b']] });
  });

  it('a segment on a link that is cut by a partition is lost', () => {
    const w = pair();
    const t = transfer(w, 'a', 'b');
    w.sim.scheduler.at(100_000, () => t.client.write(text.encode('x')));
    w.sim.scheduler.at(105_000, () => w.net.partition([['a'], ['b']]));
    w.sim.scheduler.at(150_000, () => w.net.healPartition());
    w.sim.run({ until: 2_000_000 });
    expect(w.of('net.drop').map((r) => [r.reason, r.t])).toEqual([['partition', 110_000]]);
    expect(concat(t.got)).toEqual(text.encode('x'));
  });

  it('setLink changes latency for what enters the link from then on', () => {
    const w = pair();
    const t = transfer(w, 'a', 'b');
    const arrivals: number[] = [];
    w.net.host('b').listen(81, (c) => c.setHandlers({ onData: () => arrivals.push(w.sim.now) }));
    const c = w.net.host('a').connect({ host: 'b', port: 81 }, {});
    w.sim.scheduler.at(100_000, () => c.write(text.encode('1')));
    w.sim.scheduler.at(200_000, () => w.net.setLink('a', 'b', { latency: 50_000, bandwidth: Infinity }));
    w.sim.scheduler.at(300_000, () => c.write(text.encode('2')));
    w.sim.run({ until: 2_000_000 });
    expect(arrivals).toEqual([110_000, 350_000]);
    expect(w.of('fault.set-link')[0]).toMatchObject({ link: 'a<>b', changes: { latency: 50_000, bandwidth: null } });
    void t;
  });

  it('dropSegment drops the n-th matching segment crossing the link, once', () => {
    const w = pair();
    const t = transfer(w, 'a', 'b');
    w.net.dropSegment('a', 'b', 2, (s) => s.from === 'a' && s.len > 0);
    for (const [i, at] of [100_000, 200_000, 300_000].entries()) w.sim.scheduler.at(at, () => t.client.write(text.encode(`m${i}`)));
    w.sim.run({ until: 2_000_000 });
    expect(w.of('fault.drop-segment')[0]).toMatchObject({ link: 'a<>b', n: 2 });
    const dropped = w.of('net.drop');
    expect(dropped.map((r) => [r.reason, r.t, r.len])).toEqual([['fault', 200_000, 2]]);
    expect(new TextDecoder().decode(concat(t.got))).toBe('m0m1m2');
  });

  it('taps see every segment and can drop; removing one stops it', () => {
    const w = pair();
    const seen: string[] = [];
    const remove = w.net.addTap('a', 'b', (s) => {
      seen.push(`${s.from}>${s.to} ${s.flags} ${s.len}`);
      return s.len > 0 && new TextDecoder().decode(s.payload).startsWith('drop') ? 'drop' : 'pass';
    });
    const t = transfer(w, 'a', 'b');
    w.sim.scheduler.at(100_000, () => t.client.write(text.encode('drop me')));
    w.sim.scheduler.at(150_000, () => remove());
    w.sim.run({ until: 2_000_000 });
    expect(seen).toEqual(['a>b S 0', 'b>a SA 0', 'a>b A 0', 'a>b PA 7']);
    expect(w.of('net.drop').map((r) => r.reason)).toEqual(['tap']);
    expect(concat(t.got)).toEqual(text.encode('drop me')); // the retransmission passed
  });
});
