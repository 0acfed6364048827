/**
 * The connection seam over real sockets, against scripted misbehaving peers on loopback: each
 * misbehaviour ends the connection with its reason (a `live.close` record and `closed`), never a
 * crash or a hang, and every socket is closed when the run ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Simulation } from '../../src/sim/simulation.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { RealtimeDriver } from '../../src/live/realtime-driver.js';
import { SocketNetwork } from '../../src/live/socket-network.js';
import type { SocketConnection } from '../../src/live/socket-connection.js';
import { freePort } from '../helpers/kamailio.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A scripted peer: `onSocket` does what the peer does with each connection. */
function peer(onSocket: (s: Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer(onSocket);
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

function live(options: ConstructorParameters<typeof SocketNetwork>[2] = {}, duration = 5_000_000) {
  const sim = new Simulation({ seed: 1 });
  const records: AnyTraceRecord[] = [];
  sim.trace.addSink((r) => records.push(r));
  const driver = new RealtimeDriver(sim, { duration, wallLimitMs: 8_000 });
  const net = new SocketNetwork(sim, driver, options);
  return { sim, driver, net, records };
}

/** Opens a connection at the start of the run and stops the run when it closes. */
function connectAndWatch(env: ReturnType<typeof live>, port: number, onOpen?: (c: SocketConnection) => void) {
  const got: { data: Uint8Array[]; closed: string | null } = { data: [], closed: null };
  env.sim.scheduler.at(0, () => {
    const c = env.net.connect('n', { host: '127.0.0.1', port });
    c.listen({
      opened: () => undefined,
      drained: () => undefined,
      data: (b) => got.data.push(b.slice()),
      closed: (reason) => {
        got.closed = `${reason.kind}: ${reason.detail}`;
        env.driver.stop('closed');
      },
    });
    if (onOpen) c.onOpen = () => onOpen(c);
  });
  return got;
}

describe('SocketConnection against misbehaving peers', () => {
  it('a refused connect is a close of kind refused with its reason', async () => {
    const env = live();
    const got = connectAndWatch(env, await freePort());
    const outcome = await env.driver.run();
    expect(outcome.reason).toBe('stopped');
    expect(got.closed).toMatch(/^refused: ECONNREFUSED/);
    expect(env.records.find((r) => r.type === 'live.close')).toMatchObject({ kind: 'refused', bytesIn: 0, bytesOut: 0 });
  });

  it('a reset by the peer is a close of kind reset', async () => {
    const port = await peer((s) => s.once('data', () => s.resetAndDestroy()));
    const env = live();
    const got = connectAndWatch(env, port, (c) => c.write(new TextEncoder().encode('MSRP a AUTH\r\n')));
    await env.driver.run();
    expect(got.closed).toMatch(/^reset: ECONNRESET/);
  });

  it('a peer that closes mid-transaction is a close of kind fin, after the bytes it sent', async () => {
    const port = await peer((s) => s.end('MSRP x 200 OK\r\nTo-Path: msrp://a:1/x;tcp\r\n'));
    const env = live();
    const got = connectAndWatch(env, port);
    await env.driver.run();
    expect(Buffer.concat(got.data).toString()).toBe('MSRP x 200 OK\r\nTo-Path: msrp://a:1/x;tcp\r\n');
    expect(got.closed).toMatch(/^fin: /);
  });

  it('a peer that stops reading ends the connection as stalled once the unread bytes pass the limit', async () => {
    const port = await peer((s) => s.pause());
    const env = live({ maxUnread: 1 << 20, stallLimitMs: 60_000 });
    const block = new Uint8Array(1 << 20);
    const got = connectAndWatch(env, port, (c) => {
      const pump = () => {
        if (!c.isOpen) return;
        c.write(block);
        setTimeout(() => env.driver.inject(pump), 1);
      };
      pump();
    });
    await env.driver.run();
    expect(got.closed).toMatch(/^stalled: the peer stopped reading/);
  });

  it('a peer that stops reading ends the connection as stalled when nothing moves for the stall limit', async () => {
    const port = await peer((s) => s.pause());
    const env = live({ maxUnread: 1 << 30, stallLimitMs: 300 });
    const got = connectAndWatch(env, port, (c) => {
      // More than loopback's socket buffers take, so bytes wait in the writer.
      for (let i = 0; i < 64; i++) c.write(new Uint8Array(1 << 20));
    });
    await env.driver.run();
    expect(got.closed).toMatch(/^stalled: the peer read nothing for 300 ms/);
  });

  it('closes every socket and listener when the run ends', async () => {
    const peerClosed: Promise<void>[] = [];
    const port = await peer((s) => {
      peerClosed.push(new Promise((r) => s.once('close', () => r())));
    });
    const env = live({}, 200_000);
    const accepted: SocketConnection[] = [];
    const listening = env.net.listen('relay', { host: '127.0.0.1', port: 0 }, (c) => accepted.push(c));
    env.sim.scheduler.at(0, () => {
      env.net.connect('n', { host: '127.0.0.1', port });
    });
    const run = env.driver.run();
    const listenPort = (await listening).port;
    const client = await new Promise<Socket>((resolve) => {
      const s = createConnection({ port: listenPort, host: '127.0.0.1' }, () => resolve(s));
    });
    const clientClosed = new Promise<void>((r) => client.once('close', () => r()));
    client.on('error', () => undefined);
    const outcome = await run;
    expect(outcome.reason).toBe('until');
    await Promise.all([...peerClosed, clientClosed]);
    expect(env.net.openConnections).toBe(0);
    expect(accepted).toHaveLength(1);
    expect(env.records.filter((r) => r.type === 'live.close').map((r) => r.kind)).toEqual(['local', 'local']);
  });
});
