/**
 * `--queue` with a Redis that is not there: the sweep and the worker end promptly with exit 3 and
 * a message naming the address (no endless reconnecting), for a port nothing listens on and for a
 * listener that accepts the connection but never answers; a URL that is not a Redis URL is a usage
 * error (exit 2). No redis-server is needed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCliAsync } from '../helpers/exec.js';

const SWEEP = 'test/sweep/fixtures/latency-loss.yaml';

/** A TCP listener on loopback that takes connections and never answers. */
function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, sockets }));
  });
}

/** A port nothing listens on: port 1 on loopback (privileged, never a Redis). */
const REFUSED = 'redis://127.0.0.1:1/0';

describe('--queue with a Redis that cannot be reached', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;

  beforeAll(async () => {
    ensureBuilt();
    silent = await silentServer();
  });

  afterAll(async () => {
    for (const s of silent.sockets) s.destroy();
    await new Promise<void>((resolve) => silent.server.close(() => resolve()));
  });

  it('sweep: a refused connection is exit 3 naming the address, within a few seconds', async () => {
    const started = Date.now();
    const r = await runCliAsync(['sweep', SWEEP, '--queue', REFUSED, '--chunk-runs', '3']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('cannot reach Redis at 127.0.0.1:1');
  }, 20_000);

  it('worker: a refused connection is exit 3 naming the address, within a few seconds', async () => {
    const started = Date.now();
    const r = await runCliAsync(['worker', '--queue', REFUSED, '--threads', '1']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('cannot reach Redis at 127.0.0.1:1');
  }, 20_000);

  it('sweep: a listener that never answers is exit 3 naming the address, within a few seconds', async () => {
    const started = Date.now();
    const r = await runCliAsync(['sweep', SWEEP, '--queue', `redis://127.0.0.1:${silent.port}/0`, '--chunk-runs', '3', '--detach']);
    expect(Date.now() - started).toBeLessThan(16_000);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`cannot reach Redis at 127.0.0.1:${silent.port}`);
  }, 30_000);

  it('a URL that is not redis:// or rediss:// is a usage error (exit 2)', async () => {
    for (const url of ['http://127.0.0.1:6379/0', 'redis://127.0.0.1:6379/x', 'not a url']) {
      const r = await runCliAsync(['worker', '--queue', url]);
      expect(r.status, url).toBe(2);
      expect(r.stderr).toContain('--queue takes redis://');
    }
  }, 30_000);
});
