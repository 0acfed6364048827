/**
 * `msrp-sim relay`: the built binary serving a raw-socket client on loopback, ending at --for and
 * writing its outputs, the capture made of the bytes that crossed the sockets (read by tshark).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';
import { headerOf, RawMsrpClient } from '../helpers/raw-msrp-client.js';

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;

describe('msrp-sim relay', () => {
  it('serves a raw client (AUTH 401/200), prints a line per frame, ends at --for and writes trace, summary and capture', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-relay-'));
    try {
      const users = join(dir, 'users.txt');
      writeFileSync(users, '# test users\nalice:secret\n');
      const child = spawn(process.execPath, [join(root, 'bin/msrp-sim.js'), 'relay', '--listen', '127.0.0.1:0', '--users', users, '--profile', 'kamailio', '--for', '3s', '--seed', '5', '--out', join(dir, 'out')], { env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
      const exited = new Promise<number | null>((r) => child.once('close', r));
      const uri = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start line: ${stdout}`)), 10_000);
        const check = () => {
          const m = /relay (msrp:\/\/127\.0\.0\.1:(\d+);tcp)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          } else setTimeout(check, 20);
        };
        check();
      });
      const port = Number(/:(\d+);/.exec(uri)![1]);
      const c = await RawMsrpClient.connect('127.0.0.1', port);
      const { challenge, result } = await c.auth(uri, 'msrp://127.0.0.1:9/a;tcp', 'alice', 'secret');
      expect(challenge.statusCode).toBe(401);
      expect(result.statusCode).toBe(200);
      expect(headerOf(result, 'Use-Path')).toMatch(new RegExp(`^msrp://127\\.0\\.0\\.1:${port}/`));
      await c.close();
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/<- relay\/live1 +\S+ AUTH/);
      expect(stdout).toMatch(/-> relay\/live1 +\S+ 401/);
      expect(stdout).toMatch(/ended \(until\)/);
      const out = join(dir, 'out');
      for (const f of ['trace.ndjson', 'timeline.txt', 'summary.json', 'sequence.svg', 'report.html', 'capture.pcap']) expect(existsSync(join(out, f)), f).toBe(true);
      // Written as run writes: all at once, the folder's manifest naming them, nothing left aside.
      expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
      expect(stdout).toContain(join(out, 'report.html'));
      const trace = readFileSync(join(out, 'trace.ndjson'), 'utf8');
      expect(trace).toContain('"type":"relay.auth-ok"');
      if (tshark) {
        const r = spawnSync('tshark', ['-r', join(out, 'capture.pcap'), '-d', `tcp.port==${port},msrp`, '-Y', 'msrp', '-T', 'fields', '-e', 'msrp.request.line', '-e', 'msrp.response.line'], { encoding: 'utf8' });
        expect(r.status).toBe(0);
        const lines = r.stdout.trim().split('\n');
        expect(lines.filter((l) => /AUTH/.test(l))).toHaveLength(2);
        expect(lines.some((l) => /401/.test(l))).toBe(true);
        expect(lines.some((l) => /200/.test(l))).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no output folder behind when it cannot listen (its outputs stream from the start)', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-relay-busy-'));
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = (taken.address() as AddressInfo).port;
      const r = await runCliAsync(['relay', '--listen', `127.0.0.1:${port}`, '--user', 'a:b', '--for', '1s', '--out', join(dir, 'out')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad usage with exit 2 and a message', async () => {
    ensureBuilt();
    const r = await runCliAsync(['relay', '--listen', 'nowhere', '--user', 'a:b']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--listen: expected HOST:PORT/);
    const r2 = await runCliAsync(['relay', '--listen', '127.0.0.1:0']);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/no users/);
  });

  it('refuses an output folder that holds other files before it starts, as run does', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-relay-out-'));
    try {
      writeFileSync(join(dir, 'notes.txt'), 'mine');
      const r = await runCliAsync(['relay', '--listen', '127.0.0.1:0', '--user', 'a:b', '--for', '1s', '--out', dir]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^relay: --out \S+ holds files msrp-sim did not write \(notes\.txt\)/m);
      expect(r.stdout.toString('utf8')).not.toMatch(/relay msrp:/);
      expect(readdirSync(dir)).toEqual(['notes.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
