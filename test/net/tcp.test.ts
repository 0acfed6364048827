import { describe, expect, it } from 'vitest';
import type { Listener } from '../../src/net/listener.js';
import type { CloseReason } from '../../src/net/net-types.js';
import type { TcpConnection } from '../../src/net/tcp-connection.js';
import { LOOPBACK_DELAY } from '../../src/net/net-contracts.js';
import { bytes, concat, sameBytes, world, type World } from './helpers.js';

function pair(latency = 10_000, link: Record<string, number> = {}, seed: string | number = 1): World {
  const w = world(seed);
  w.net.addHost('a');
  w.net.addHost('b');
  w.net.addLink('a', 'b', { latency, ...link });
  return w;
}

interface Sink {
  listener: Listener | null;
  received: Uint8Array[];
  closes: Array<{ side: string; t: number; reason: CloseReason }>;
  server: TcpConnection[];
}

/** b listens on 80 and keeps what it receives; records closes of both sides. */
function serve(w: World, onAccept?: (c: TcpConnection) => void): Sink {
  const sink: Sink = { listener: null, received: [], closes: [], server: [] };
  sink.listener = w.net.host('b').listen(80, (conn) => {
    sink.server.push(conn);
    conn.setHandlers({
      onData: (_c, d) => sink.received.push(d.slice()),
      onClose: (_c, reason) => sink.closes.push({ side: 'server', t: w.sim.now, reason }),
    });
    onAccept?.(conn);
  });
  return sink;
}

function client(w: World, sink: Sink, onOpen?: (c: TcpConnection) => void, host = 'b', port = 80): TcpConnection {
  return w.net.host('a').connect(
    { host, port },
    { onOpen, onClose: (_c, reason) => sink.closes.push({ side: 'client', t: w.sim.now, reason }) },
  );
}

describe('TCP', () => {
  it('delivers exactly the bytes written, in order, across many segments', () => {
    const w = pair(5_000, { bandwidth: 10_000_000 });
    const sink = serve(w);
    const data = bytes(300_000, 3);
    client(w, sink, (c) => {
      c.write(data.subarray(0, 100_000));
      c.write(data.subarray(100_000));
      expect(c.bytesWritten).toBe(300_000);
      c.close();
    });
    w.sim.run();
    expect(sameBytes(concat(sink.received), data)).toBe(true);
    expect(sink.closes.map((c) => [c.side, c.reason.kind, c.reason.detail])).toEqual([
      ['server', 'fin', 'closed by peer'],
      ['client', 'fin', 'closed by this side'],
    ]);
    // never more than a window in flight
    const segs = w.of('tcp.segment').filter((r) => r.node === 'a' && (r.len as number) > 0);
    expect(Math.max(...segs.map((r) => r.len as number))).toBe(1460);
  });

  it('connecting to a port nobody listens on is refused (RST)', () => {
    const w = pair();
    const sink = serve(w);
    client(w, sink, undefined, 'b', 81);
    w.sim.run();
    expect(sink.closes).toEqual([
      { side: 'client', t: 20_000, reason: { kind: 'refused', detail: 'connection refused by 10.0.1.2:81: nothing listens on port 81' } },
    ]);
    expect(w.of('tcp.refused').map((r) => [r.node, r.conn, r.dst])).toEqual([['b', 'c1', '10.0.1.2:81']]);
    expect(w.of('tcp.segment').map((r) => r.flags)).toEqual(['S', 'RA']);
  });

  it('an unknown name fails the connect with a clear record', () => {
    const w = pair();
    const sink = serve(w);
    client(w, sink, undefined, 'nowhere.example');
    w.sim.run();
    expect(sink.closes).toEqual([{ side: 'client', t: 0, reason: { kind: 'unresolved', detail: "cannot resolve 'nowhere.example'" } }]);
    expect(w.of('tcp.connect')[0]).toMatchObject({ remote: '0.0.0.0:80', target: 'nowhere.example' });
    expect(w.of('tcp.segment')).toEqual([]);
  });

  it('no route at connect time: unreachable at once (as a host without a route reports it)', () => {
    const w = pair();
    w.net.addHost('island');
    const sink = serve(w);
    client(w, sink, undefined, 'island');
    w.sim.run();
    expect(sink.closes.map((c) => c.reason)).toEqual([{ kind: 'unreachable', detail: 'no route from a to 10.0.2.1' }]);
  });

  it('a connect whose SYNs are all lost times out after connectTimeout, with RTO doubling', () => {
    const w = pair();
    const sink = serve(w);
    w.net.addTap('a', 'b', (s) => (s.flags === 'S' ? 'drop' : 'pass'));
    client(w, sink);
    w.sim.run();
    expect(sink.closes).toEqual([{ side: 'client', t: 10_000_000, reason: { kind: 'timeout', detail: 'no answer to SYN within 10 s' } }]);
    expect(w.of('tcp.retransmit').map((r) => [r.t, r.attempt])).toEqual([
      [200_000, 1],
      [600_000, 2],
      [1_400_000, 3],
      [3_000_000, 4],
      [6_200_000, 5],
    ]);
    expect(w.of('tcp.timeout')).toHaveLength(1);
  });

  it('a lost data segment is retransmitted after the RTO and the stream stays intact', () => {
    const w = pair();
    const sink = serve(w);
    w.net.dropSegment('a', 'b', 1, (s) => s.len > 0 && s.from === 'a');
    const data = bytes(1000);
    client(w, sink, (c) => c.write(data));
    w.sim.run({ until: 2_000_000 });
    expect(concat(sink.received)).toEqual(data);
    // Lost at 20 ms; the RTO (the handshake's 20 ms round trip gives the 200 ms minimum) resends it
    // at 220 ms. The lost segment also carried the handshake's ACK, so b resends its SYN-ACK first.
    expect(w.of('tcp.retransmit').map((r) => [r.node, r.t, r.flags, r.len, r.attempt])).toEqual([
      ['b', 210_000, 'SA', 0, 1],
      ['a', 220_000, 'PA', 1000, 1],
    ]);
    expect(w.of('net.drop').map((r) => [r.reason, r.len])).toEqual([['fault', 1000]]);
  });

  it('three duplicate ACKs resend a lost segment at once; later segments are kept and delivered in order', () => {
    const w = pair(10_000, { bandwidth: 10_000_000 });
    const sink = serve(w);
    w.net.dropSegment('a', 'b', 2, (s) => s.len > 0 && s.from === 'a');
    const data = bytes(20 * 1460, 5);
    client(w, sink, (c) => c.write(data));
    w.sim.run({ until: 2_000_000 });
    expect(concat(sink.received)).toEqual(data);
    const rtx = w.of('tcp.retransmit');
    expect(rtx).toHaveLength(1);
    expect(rtx[0]!.attempt).toBe(0); // fast retransmit, no timeout
    expect(rtx[0]!.t as number).toBeLessThan(100_000);
  });

  it('close sends FIN after the queued data; a write after close is ignored', () => {
    const w = pair();
    const sink = serve(w);
    client(w, sink, (c) => {
      c.write(bytes(10));
      c.close();
      c.write(bytes(10));
      expect(c.state).toBe('closing');
    });
    w.sim.run();
    expect(concat(sink.received)).toEqual(bytes(10));
    expect(w.of('tcp.segment').map((r) => `${r.node}:${r.flags}`)).toEqual(['a:S', 'b:SA', 'a:FPA', 'b:FA', 'a:A']);
  });

  it('reset() aborts with RST: this side sees aborted, the peer reset', () => {
    const w = pair();
    const sink = serve(w);
    client(w, sink, (c) => {
      c.write(bytes(10));
      w.sim.scheduler.after(50_000, () => c.reset());
    });
    w.sim.run();
    expect(sink.closes.map((c) => [c.side, c.t, c.reason.kind, c.reason.detail])).toEqual([
      ['client', 70_000, 'aborted', 'reset by this side'],
      ['server', 80_000, 'reset', 'reset by 10.0.1.1:49152'],
    ]);
  });

  it('assigns ephemeral ports from 49152 upward and ids in creation order', () => {
    const w = pair();
    const sink = serve(w);
    const c1 = client(w, sink);
    const c2 = client(w, sink);
    expect([c1.id, c1.local.port, c2.id, c2.local.port]).toEqual(['c1', 49152, 'c2', 49153]);
    w.sim.run({ until: 100_000 });
    expect(sink.server.map((c) => [c.id, c.remote.port])).toEqual([
      ['c3', 49152],
      ['c4', 49153],
    ]);
    expect(w.net.host('b').connections.map((c) => c.id)).toEqual(['c3', 'c4']);
  });

  it('records real sequence numbers: the first data byte is ISN + 1 and ACKs count bytes', () => {
    const w = pair();
    const sink = serve(w, (s) => s.setHandlers({ onData: (c, d) => c.write(d) }));
    client(w, sink, (c) => c.write(bytes(100)));
    w.sim.run({ until: 100_000 });
    const connect = w.of('tcp.connect')[0]!;
    const accept = w.of('tcp.accept')[0]!;
    const segs = w.of('tcp.segment');
    const isnA = connect.isn as number;
    const isnB = accept.isn as number;
    expect(segs.map((r) => [r.flags, r.seqNo, r.ackNo, r.len])).toEqual([
      ['S', isnA, 0, 0],
      ['SA', isnB, (isnA + 1) >>> 0, 0],
      ['PA', (isnA + 1) >>> 0, (isnB + 1) >>> 0, 100],
      ['PA', (isnB + 1) >>> 0, (isnA + 101) >>> 0, 100],
      ['A', (isnA + 101) >>> 0, (isnB + 101) >>> 0, 0],
    ]);
  });

  it('retransmissions exhausted on an established connection: timeout', () => {
    const w = pair();
    const sink = serve(w);
    client(w, sink, (c) => {
      w.net.addTap('a', 'b', (s) => (s.len > 0 ? 'drop' : 'pass'));
      c.write(bytes(10));
    });
    w.sim.run();
    expect(sink.closes.map((c) => [c.side, c.reason.kind, c.reason.detail])).toEqual([
      ['client', 'timeout', 'no acknowledgement after 6 retransmissions'],
    ]);
    const rtx = w.of('tcp.retransmit').filter((r) => r.node === 'a').map((r) => r.t as number);
    expect(rtx).toHaveLength(6);
    expect(rtx[0]).toBe(220_000);
    // each wait doubles
    const gaps = rtx.slice(1).map((t, i) => t - rtx[i]!);
    expect(gaps).toEqual([400_000, 800_000, 1_600_000, 3_200_000, 6_400_000]);
  });

  it('writes made before the connection opens are sent once it is open', () => {
    const w = pair();
    const sink = serve(w);
    const c = client(w, sink);
    c.write(bytes(10));
    expect(c.bytesWritten).toBe(0); // not in the stream yet
    w.sim.run({ until: 100_000 });
    expect(concat(sink.received)).toEqual(bytes(10));
    expect(c.bytesWritten).toBe(10);
    expect(w.of('tcp.segment').find((r) => (r.len as number) > 0)).toMatchObject({ t: 20_000, node: 'a' });
  });

  it('segments carry at most the smallest MSS on the path', () => {
    const w = world();
    for (const h of ['a', 'm', 'b']) w.net.addHost(h);
    w.net.addLink('a', 'm', { mss: 1000 });
    w.net.addLink('m', 'b', { mss: 536 });
    const sink = serve(w);
    client(w, sink, (c) => c.write(bytes(2000)));
    w.sim.run({ until: 100_000 });
    expect(w.of('tcp.open')[0]).toMatchObject({ mss: 536 });
    const lens = w.of('tcp.segment').filter((r) => r.node === 'a' && (r.len as number) > 0).map((r) => r.len);
    expect(lens).toEqual([536, 536, 536, 392]);
  });

  it('a closed listener refuses new connections and leaves accepted ones alone', () => {
    const w = pair();
    const sink = serve(w);
    const first = client(w, sink);
    w.sim.scheduler.at(100_000, () => sink.listener!.close());
    w.sim.scheduler.at(200_000, () => client(w, sink));
    w.sim.scheduler.at(300_000, () => first.write(bytes(5)));
    w.sim.run({ until: 1_000_000 });
    expect(sink.closes.map((c) => c.reason.kind)).toEqual(['refused']);
    expect(concat(sink.received)).toEqual(bytes(5));
  });

  it('a full queue drops (drop-tail) and TCP recovers', () => {
    const w = pair(10_000, { bandwidth: 1_000_000, queueLimit: 8_000 });
    const sink = serve(w);
    const data = bytes(60_000, 8);
    client(w, sink, (c) => c.write(data));
    w.sim.run({ until: 60_000_000 });
    expect(w.of('net.drop').some((r) => r.reason === 'queue-full')).toBe(true);
    expect(sameBytes(concat(sink.received), data)).toBe(true);
  });

  it('a host connects to itself over its loopback: bytes delivered after the loopback delay, on no link', () => {
    const w = pair();
    const received: Uint8Array[] = [];
    w.net.host('b').listen(80, (conn) => conn.setHandlers({ onData: (_c, d) => received.push(d.slice()) }));
    const data = bytes(50_000, 4);
    let opened = -1;
    w.net.host('b').connect({ host: 'b', port: 80 }, {
      onOpen: (c) => {
        opened = w.sim.now;
        c.write(data);
        c.close();
      },
    });
    w.sim.run();
    expect(sameBytes(concat(received), data)).toBe(true);
    // SYN and SYN-ACK, each over the loopback.
    expect(opened).toBe(2 * LOOPBACK_DELAY);
    expect(w.of('tcp.segment')).toHaveLength(0);
    expect(w.of('net.drop')).toHaveLength(0);
  });
});

