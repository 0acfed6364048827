import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { build, endpoint } from './helpers.js';

function direct(overrides: { a?: Parameters<typeof endpoint>[1]; b?: Parameters<typeof endpoint>[1] } = {}) {
  return build(
    [
      { id: 'alice', role: 'endpoint', endpoint: endpoint('atlanta.example.com', overrides.a) },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('biloxi.example.com', { port: 12763, ...overrides.b }) },
    ],
    [['alice', 'bob', { latency: 10_000 }]],
  );
}

describe('a direct session (RFC 4975 §4, §11.1)', () => {
  it('offers, connects, binds with a bodiless SEND and delivers a message', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'Hey Bob, are you there?' }));
    t.world.run(10 * SECOND);
    const sends = t.of('msrp.send', 'alice');
    // E-13: the first frame on the connection is a bodiless SEND.
    expect(sends[0]).toMatchObject({ method: 'SEND', bodyLength: null });
    expect(sends[1]).toMatchObject({ method: 'SEND', bodyLength: 23, byteRange: { start: 1, end: 23, total: 23 } });
    const delivered = t.of('endpoint.deliver', 'bob');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ session: 's1', size: 23 });
    // 200s to both SENDs, To-Path = the previous hop only (E-33).
    const oks = t.of('msrp.send', 'bob').filter((r) => r.status === 200);
    expect(oks).toHaveLength(2);
    expect(oks[0]!.toPath).toEqual(sends[0]!.fromPath);
    // Real SIP on the signalling core.
    expect(t.of('sip.send').map((r) => r.method ?? r.status)).toEqual(['INVITE', 200, 'ACK']);
  });

  it('ends cleanly on both sides: the offerer closes the connection once the BYE is answered (E-11, E-20)', () => {
    for (const by of ['alice', 'bob']) {
      const t = direct();
      t.world.start();
      t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
      t.world.at(SECOND, () => t.world.endSession('s1', by));
      t.world.run(10 * SECOND);
      // Neither side takes the connection's close for a failure of the session (E-19).
      expect(t.of('session.failed')).toEqual([]);
      expect(t.of('session.closed').map((r) => [r.node, r.why])).toEqual(by === 'alice' ? [['alice', 'end'], ['bob', 'bye']] : [['bob', 'end'], ['alice', 'bye']]);
      expect(t.of('sip.send').map((r) => r.method ?? r.status)).toEqual(['INVITE', 200, 'ACK', 'BYE', 200]);
      // The connection alice opened closes after the 200 to the BYE reached whoever sent it.
      const byeOk = t.of('sip.recv').find((r) => r.status === 200 && (r.cseq as { method: string }).method === 'BYE')!;
      const closes = t.of('tcp.close');
      expect(closes).toHaveLength(2);
      for (const c of closes) expect(c.t).toBeGreaterThanOrEqual(by === 'alice' ? byeOk.t : 0);
    }
  });

  it('answers 415 to a type the receiver does not accept (E-34) and the sender aborts', () => {
    const t = direct({ b: { acceptTypes: ['text/plain'] } });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'image/jpeg', size: 100, force: true }));
    t.world.run(10 * SECOND);
    expect(t.of('msrp.send', 'bob').filter((r) => r.status === 415)).toHaveLength(1);
    expect(t.of('endpoint.deliver')).toHaveLength(0);
  });

  it('refuses to send a type the peer did not signal (E-07)', () => {
    const t = direct({ b: { acceptTypes: ['text/plain'] } });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'image/jpeg', size: 100 }));
    t.world.run(10 * SECOND);
    expect(t.of('endpoint.send-refused', 'alice')[0]).toMatchObject({ rule: 'E-07' });
  });

  it('chunks a large message and reassembles it intact', () => {
    const t = direct();
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
    t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'image/jpeg', size: 10_000, chunkSize: 2048, successReport: 'yes' }));
    t.world.run(10 * SECOND);
    const chunks = t.of('msrp.send', 'alice').filter((r) => r.method === 'SEND' && r.bodyLength);
    expect(chunks.map((c) => c.byteRange)).toEqual([
      { start: 1, end: 2048, total: 10000 },
      { start: 2049, end: 4096, total: 10000 },
      { start: 4097, end: 6144, total: 10000 },
      { start: 6145, end: 8192, total: 10000 },
      { start: 8193, end: 10000, total: 10000 },
    ]);
    const sent = t.of('endpoint.message', 'alice')[0]!;
    const got = t.of('endpoint.deliver', 'bob')[0]!;
    expect(got.digest).toBe(sent.digest);
    // E-27: a success REPORT covering every byte.
    const reports = t.of('endpoint.report', 'alice');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ status: 200, byteRange: { start: 1, end: 10000, total: 10000 }, complete: true });
  });
});
