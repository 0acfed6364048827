/**
 * Sweeps through BullMQ on a real redis-server, started here on a free loopback port without
 * persistence (its own folder) and stopped by its PID: two workers give the local results, a
 * sweep submitted again runs nothing twice, and a worker killed mid-chunk loses no run and
 * counts none twice.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';

const REDIS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? (spawnSync('which', ['redis-server'], { encoding: 'utf8' }).stdout.trim() || null);
const SWEEP = 'test/sweep/fixtures/latency-loss.yaml';
const FILES = ['runs.ndjson', 'summary.csv', 'sweep.html'];

function files(dir: string): Record<string, string> {
  return Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One command to the test's redis-server (redis-cli may be absent): its reply's text. */
function redis(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (c) => {
      data += c.toString();
      if (complete(data)) {
        socket.end();
        resolve(data);
      }
    });
    socket.on('error', reject);
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** Whether a RESP reply is whole (enough for the replies used here: integers, errors and flat arrays of bulk strings). */
function complete(r: string): boolean {
  if (r.startsWith(':') || r.startsWith('+') || r.startsWith('-')) return r.endsWith('\r\n');
  if (!r.startsWith('*')) return false;
  const lines = r.split('\r\n');
  const n = Number(lines[0]!.slice(1));
  return n <= 0 ? r.endsWith('\r\n') : lines.length >= 1 + 2 * n + 1;
}

/** A hash as a map, from HGETALL's reply. */
async function hgetall(port: number, key: string): Promise<Map<string, string>> {
  const lines = (await redis(port, 'HGETALL', key)).split('\r\n');
  const values = lines.filter((_, i) => i > 0 && i % 2 === 0);
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < values.length; i += 2) out.set(values[i]!, values[i + 1]!);
  return out;
}

function startWorker(url: string, lockMs: number): ChildProcess {
  return spawn(process.execPath, [join(root, 'bin/msrp-sim.js'), 'worker', '--queue', url, '--threads', '1', '--lock-duration', String(lockMs)], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A redis-server of the test's own, on a free loopback port, without persistence, answering PING. */
async function startRedis(dir: string): Promise<{ server: ChildProcess; port: number }> {
  const port = await freePort();
  const server = spawn(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      if ((await redis(port, 'PING')) === '+PONG\r\n') return { server, port };
    } catch {
      if (i > 100) {
        server.kill('SIGKILL');
        throw new Error('redis-server did not start');
      }
    }
    await sleep(50);
  }
}

describe.skipIf(REDIS === null)('sweeps through BullMQ on redis-server', () => {
  let tmp: string;
  let server: ChildProcess;
  let port: number;
  let local: Record<string, string>;
  let sweepId: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'msrp-sim-queue-'));
    ({ server, port } = await startRedis(tmp));
    const r = await runCliAsync(['sweep', SWEEP, '--jobs', '1', '--out', join(tmp, 'local')]);
    expect(r.status).toBe(1);
    local = files(join(tmp, 'local'));
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) await stop(w, 'SIGKILL');
    if (server !== undefined) await stop(server);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('two workers give the same files as a local sweep, and a sweep submitted again runs nothing twice', async () => {
    const url = `redis://127.0.0.1:${port}/0`;
    workers.push(startWorker(url, 30_000), startWorker(url, 30_000));
    const r = await runCliAsync(['sweep', SWEEP, '--queue', url, '--chunk-runs', '3', '--out', join(tmp, 'queued')]);
    expect(r.status).toBe(1);
    sweepId = /sweep ([0-9a-f]{20}): 18 of 18 runs to do, in 6 chunk\(s\) of up to 3/u.exec(r.stderr)![1]!;
    expect(files(join(tmp, 'queued'))).toEqual(local);
    const executions = await hgetall(port, `msrp-sim:sweep:${sweepId}:executions`);
    expect(executions.size).toBe(18);
    expect([...executions.values()].every((n) => n === '1')).toBe(true);

    const again = await runCliAsync(['sweep', SWEEP, '--queue', url, '--chunk-runs', '3', '--out', join(tmp, 'again')]);
    expect(again.stderr).toContain(`sweep ${sweepId}: 0 of 18 runs to do, in 0 chunk(s)`);
    expect(files(join(tmp, 'again'))).toEqual(local);
    expect([...(await hgetall(port, `msrp-sim:sweep:${sweepId}:executions`)).values()].every((n) => n === '1')).toBe(true);
    for (const w of workers.splice(0)) await stop(w);
  }, 180_000);

  it('a worker killed in the middle of a chunk loses no run and counts none twice: the chunk goes to another worker', async () => {
    // Database 1: a queue of its own, where the sweep's results are not there yet.
    const url = `redis://127.0.0.1:${port}/1`;
    const detached = await runCliAsync(['sweep', SWEEP, '--queue', url, '--chunk-runs', '9', '--detach']);
    expect(detached.status).toBe(0);
    expect(detached.stderr).toContain('18 of 18 runs to do, in 2 chunk(s) of up to 9');
    const doomed = startWorker(url, 1500);
    workers.push(doomed);
    const executionsKey = `msrp-sim:sweep:${sweepId}:executions`;
    for (let i = 0; ; i++) {
      const n = Number((await redisIn(port, 1, 'HLEN', executionsKey)).slice(1));
      if (n >= 1) break;
      if (i > 2000) throw new Error('the worker ran nothing');
      await sleep(10);
    }
    await stop(doomed, 'SIGKILL');
    const doneAtKill = Number((await redisIn(port, 1, 'HLEN', `msrp-sim:sweep:${sweepId}:results`)).slice(1));
    expect(doneAtKill).toBeLessThan(9);
    workers.push(startWorker(url, 1500));
    const collected = await runCliAsync(['sweep', SWEEP, '--queue', url, '--collect', '--out', join(tmp, 'after-kill')]);
    expect(collected.status).toBe(1);
    expect(files(join(tmp, 'after-kill'))).toEqual(local);
    const lines = readFileSync(join(tmp, 'after-kill', 'runs.ndjson'), 'utf8').trim().split('\n');
    expect(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(18);
    for (const w of workers.splice(0)) await stop(w);
  }, 180_000);
});

describe.skipIf(REDIS === null)('a worker whose Redis goes away', () => {
  it('reconnects for about a minute, then stops with exit 3 naming the address, and ioredis prints no "Unhandled error event"', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'msrp-sim-lost-'));
    const { server, port } = await startRedis(tmp);
    let worker: ChildProcess | undefined;
    try {
      worker = startWorker(`redis://127.0.0.1:${port}/0`, 30_000);
      let stderr = '';
      worker.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
      for (let i = 0; !stderr.includes('Ctrl-C to stop'); i++) {
        if (i > 400) throw new Error(`the worker did not start: ${stderr}`);
        await sleep(50);
      }
      await stop(server);
      expect(await exited).toBe(3);
      expect(stderr).toContain(`worker: lost Redis at 127.0.0.1:${port} and could not reconnect; stopping`);
      expect(stderr).not.toContain('Unhandled error event');
    } finally {
      if (worker !== undefined) await stop(worker, 'SIGKILL');
      await stop(server, 'SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 150_000);
});

/** A command in database `db` (each connection starts in 0). */
function redisIn(port: number, db: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const select = `*2\r\n$6\r\nSELECT\r\n$${String(db).length}\r\n${db}\r\n`;
    socket.on('data', (c) => {
      data += c.toString();
      if (data.startsWith('+OK\r\n') && complete(data.slice(5))) {
        socket.end();
        resolve(data.slice(5));
      }
    });
    socket.on('error', reject);
    socket.write(select + `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

describe.skipIf(REDIS !== null)('sweeps through BullMQ on redis-server', () => {
  it.skip('redis-server is not installed: the queue tests were skipped (apt-get install redis-server)', () => {});
});
