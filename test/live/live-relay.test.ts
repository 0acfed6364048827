/**
 * The simulated relay serving real clients over loopback (startLiveRelay, what `msrp-sim relay`
 * runs), driven by a minimal raw-socket client: AUTH 401/200, a SEND through it to a second
 * client, a forged To-Path refused, and peers that misbehave (garbage, a 100 MB line, a close in
 * the middle of a transaction, a next hop that stops reading), each a trace record with its reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLiveRelay, type LiveRelay } from '../../src/live/live-relay.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { headerOf, RawMsrpClient, sendFrame } from '../helpers/raw-msrp-client.js';

let running: LiveRelay | null = null;
afterEach(async () => {
  running?.stop('test over');
  await running?.done;
  running = null;
});

async function relay(extra: Partial<Parameters<typeof startLiveRelay>[0]> = {}) {
  const records: AnyTraceRecord[] = [];
  const r = await startLiveRelay({
    listen: { host: '127.0.0.1', port: 0 },
    profile: 'rfc4976',
    realm: 'example.com',
    users: { alice: 'secret', bob: 'hunter2' },
    duration: 20_000_000,
    seed: 7,
    onRecord: (rec) => records.push(rec),
    ...extra,
  });
  running = r;
  return { r, records };
}

describe('a live relay for real clients', () => {
  it('challenges AUTH with 401, grants a Use-Path on the right Digest, names its listen address', async () => {
    const { r, records } = await relay();
    const c = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    const { challenge, result } = await c.auth(r.uri, 'msrp://127.0.0.1:9/a;tcp', 'alice', 'secret');
    expect(challenge.statusCode).toBe(401);
    expect(headerOf(challenge, 'WWW-Authenticate')).toMatch(/^Digest .*realm="example.com"/);
    expect(result.statusCode).toBe(200);
    expect(headerOf(result, 'Use-Path')).toMatch(new RegExp(`^msrp://127\\.0\\.0\\.1:${r.address.port}/[^ ]+;tcp$`));
    expect(r.uri).toBe(`msrp://127.0.0.1:${r.address.port};tcp`);
    await c.close();
    expect(records.some((x) => x.type === 'auth.challenge')).toBe(true);
    expect(records.some((x) => x.type === 'live.accept')).toBe(true);
  });

  it('relays a SEND to a second client, and refuses a To-Path forged with another client\'s token', async () => {
    const { r, records } = await relay();
    const a = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    const b = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    const mallory = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    const aUri = 'msrp://127.0.0.1:9/a;tcp';
    const bUri = 'msrp://127.0.0.1:9/b;tcp';
    const aPath = headerOf((await a.auth(r.uri, aUri, 'alice', 'secret')).result, 'Use-Path')!;
    const bPath = headerOf((await b.auth(r.uri, bUri, 'bob', 'hunter2')).result, 'Use-Path')!;
    const tid = a.nextTid();
    a.write(sendFrame(tid, [aPath, bPath, bUri], [aUri], 'hello', [['Success-Report', 'no']]));
    expect((await a.response(tid)).statusCode).toBe(200);
    const got = await b.waitFor((f) => f.kind === 'request' && f.method === 'SEND');
    expect(got.kind === 'request' && Buffer.from(got.body!).toString()).toBe('hello');
    expect(got.toPath).toEqual([bUri]);
    expect(got.fromPath).toEqual([bPath, aPath, aUri]);
    // Mallory never authenticated: a path through Alice's token is not hers to use.
    const forged = mallory.nextTid();
    mallory.write(sendFrame(forged, [aPath, bPath, bUri], [aUri], 'forged'));
    const refusal = await mallory.response(forged);
    expect(refusal.statusCode).toBeGreaterThanOrEqual(400);
    await new Promise((res) => setTimeout(res, 100));
    expect(b.frames.filter((f) => f.kind === 'request' && f.method === 'SEND')).toHaveLength(1);
    const refuse = records.find((x) => x.type === 'relay.refuse' && x.transactionId === forged);
    expect(refuse).toMatchObject({ status: refusal.statusCode });
    expect(refuse!.rule).toMatch(/^R-/);
    await Promise.all([a.close(), b.close(), mallory.close()]);
  });

  it('a peer that sends garbage gets its connection closed with the parser\'s reason; the relay serves the next client', async () => {
    const { r, records } = await relay();
    const g = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    g.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + '\x00\xff'.repeat(1000));
    await g.waitClosed();
    expect(records.some((x) => x.type === 'live.close' && x.kind === 'local')).toBe(true);
    const c = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    expect((await c.auth(r.uri, 'msrp://127.0.0.1:9/a;tcp', 'alice', 'secret')).result.statusCode).toBe(200);
    await c.close();
  });

  it('a 100 MB line is refused at the parser\'s line limit: the connection closes long before the line ends', async () => {
    const { r, records } = await relay();
    const g = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    g.socket.on('error', () => undefined);
    const block = Buffer.alloc(1 << 20, 0x61);
    g.write('MSRP abc SEND\r\nTo-Path: ');
    let sent = 0;
    while (!g.closed && sent < 100) {
      g.write(block);
      sent++;
      await new Promise((res) => setImmediate(res));
    }
    await g.waitClosed(10_000);
    const closed = records.find((x) => x.type === 'live.close');
    expect(closed).toBeDefined();
    expect(closed!.bytesIn as number).toBeLessThan(100 << 20);
    // W-39: the line is over the parser's limit (16384 bytes), traced with its rule.
    expect(records.some((x) => x.type === 'msrp.malformed' && x.rule === 'W-39')).toBe(true);
  });

  it('a client that closes in the middle of a transaction ends its session only; the run goes on', async () => {
    const { r, records } = await relay();
    const a = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    const aUri = 'msrp://127.0.0.1:9/a;tcp';
    await a.auth(r.uri, aUri, 'alice', 'secret');
    a.write('MSRP half SEND\r\nTo-Path: ' + r.uri + '\r\nFrom-Path: ' + aUri + '\r\nContent-Type: text/plain\r\n\r\npart of a bo');
    a.socket.destroy();
    await new Promise((res) => setTimeout(res, 100));
    expect(records.some((x) => x.type === 'live.close' && (x.kind === 'fin' || x.kind === 'reset'))).toBe(true);
    expect(records.some((x) => x.type === 'relay.connection-closed')).toBe(true);
    const c = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    expect((await c.auth(r.uri, aUri, 'alice', 'secret')).result.statusCode).toBe(200);
    await c.close();
  });

  it('ends at --for with every socket closed, and Ctrl-C (stop) ends it at once', async () => {
    const { r } = await relay({ duration: 300_000 });
    const c = await RawMsrpClient.connect('127.0.0.1', r.address.port);
    const outcome = await r.done;
    expect(outcome.reason).toBe('until');
    await c.waitClosed();
    const { r: r2 } = await relay();
    r2.stop('interrupted');
    expect((await r2.done).reason).toBe('stopped');
  });
});
