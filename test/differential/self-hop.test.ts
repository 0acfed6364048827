/**
 * Two sessions on the same relay: alice's SEND to bob goes [alice's Use-Path, bob's Use-Path, bob],
 * a relay hop from the relay to itself. Kamailio makes that hop over a TCP connection to itself,
 * which no client sees: a capture of the loopback interface (tshark, started here) shows it. The
 * kamailio profile consumes its own second URI without a connection (R-19, docs/ambiguities.md),
 * which its trace shows as relay.local-hop with the same paths after the hop: the one difference
 * of this flow, documented in docs/relay-profiles.md ("The relay hop to itself").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLiveRelay } from '../../src/live/live-relay.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { kamailio, kamailioForFile } from '../helpers/kamailio.js';
import { login, respond, runFlow, send, type Flow } from './harness.js';
import { USERS } from './flows.js';

const tshark = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).stdout.trim() || null;

const FLOW: Flow = {
  name: 'two sessions on the same relay',
  steps: [
    ...login(0, 'alice', 'secret'),
    ...login(1, 'bob', 'hunter2'),
    { send: 0, frame: send(0, 10, (ctx) => [ctx.usePath(0), ctx.usePath(1), ctx.me(1)], 'over the hop to itself') },
    { wait: 1, frames: 3 },
    { send: 1, frame: respond(1, 200, 'OK') },
    { wait: 0, frames: 3 },
  ],
};

/** tshark on lo for `port`, writing `file`; resolves once it captures. */
function capture(port: number, file: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(tshark!, ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.includes('Capturing on')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`tshark exited (${code}) before capturing: ${err}`)));
  });
}

/** The TCP payloads of a capture, as latin1 text, with their ports. */
function payloads(file: string): { src: number; dst: number; text: string }[] {
  const r = spawnSync(tshark!, ['-r', file, '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.payload', '-Y', 'tcp.len > 0'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [src, dst, hex] = l.split('\t');
      return { src: Number(src), dst: Number(dst), text: Buffer.from((hex ?? '').replace(/:/g, ''), 'hex').toString('latin1') };
    });
}

/**
 * Whether a capture on lo sees loopback traffic here: some sandboxes give tshark an interface
 * that never sees any. Probed once with a connection of our own.
 */
async function loopbackVisible(dir: string): Promise<boolean> {
  const { createServer, connect } = await import('node:net');
  const server = createServer((c) => c.end('probe'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const file = join(dir, 'probe.pcapng');
  const cap = await capture(port, file);
  await new Promise<void>((r) => connect(port, '127.0.0.1').on('data', () => r()));
  await new Promise((r) => setTimeout(r, 500));
  cap.kill('SIGINT');
  await new Promise((r) => cap.once('exit', r));
  server.close();
  return payloads(file).some((p) => p.text === 'probe');
}

const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-selfhop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const visible = tshark === null ? false : await loopbackVisible(dir);

describe('a relay hop from the relay to itself (two sessions on one relay)', () => {
  it('the kamailio profile makes the hop inside: relay.local-hop with the paths after it, no connection to itself', async () => {
    const records: AnyTraceRecord[] = [];
    const sim = await startLiveRelay({ listen: { host: '127.0.0.1', port: 0 }, profile: 'kamailio', realm: 'example.com', users: USERS, duration: 60_000_000, seed: 3, onRecord: (r) => records.push(r) });
    try {
      const s = await runFlow(FLOW, { host: sim.address.host, port: sim.address.port, uri: sim.uri });
      const path = (c: number): string => /Use-Path: (\S+)/.exec(s[c]!.flatMap((x) => ('frame' in x ? [x.frame] : [])).join(''))![1]!;
      const local = records.filter((r) => r.type === 'relay.local-hop');
      expect(local).toHaveLength(1);
      expect(local[0]).toMatchObject({ transactionId: 'c0t10x', toPathAfter: [path(1), 'msrp://127.0.0.1:9/c1;tcp'], fromPathAfter: [path(0), 'msrp://127.0.0.1:9/c0;tcp'] });
      expect(records.filter((r) => r.type === 'live.accept')).toHaveLength(2);
      expect(s[1]!.filter((x) => 'frame' in x && x.frame.startsWith('MSRP c0t10x SEND'))).toHaveLength(1);
    } finally {
      sim.stop('test over');
      await sim.done;
    }
  });
});

const ss = spawnSync('sh', ['-c', 'command -v ss'], { encoding: 'utf8' }).stdout.trim() || null;

describe.skipIf(kamailio === null || ss === null)('Kamailio on the relay hop to itself: a TCP connection to itself', () => {
  const relay = kamailioForFile({ users: USERS, realm: 'example.com' });

  it('after the flow, a connection to its own port is open with Kamailio at both ends (ss -tnp)', async () => {
    const k = await relay();
    await runFlow(FLOW, { host: k.host, port: k.port, uri: k.uri });
    const lines = spawnSync(ss!, ['-tnp'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => /\bESTAB\b/.test(l));
    // Our clients are gone (runFlow closed them): what remains on its port is its own connection.
    const toSelf = lines.filter((l) => l.includes(`127.0.0.1:${k.port} `) && l.includes('"kamailio"'));
    expect(toSelf.length, lines.join('\n')).toBeGreaterThanOrEqual(1);
    const peer = toSelf.map((l) => /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:(\d+)/.exec(l)).find((m) => m !== null && (m[1] === String(k.port) || m[2] === String(k.port)));
    const other = peer![1] === String(k.port) ? peer![2] : peer![1];
    expect(lines.some((l) => l.includes(`127.0.0.1:${other} `) && l.includes(`127.0.0.1:${k.port}`) && l.includes('"kamailio"'))).toBe(true);
  });
});

describe.skipIf(kamailio === null || !visible)('what Kamailio sends itself on the relay hop to itself, seen by a loopback capture', () => {
  const relay = kamailioForFile({ users: USERS, realm: 'example.com' });

  it('the SEND with the paths after its first hop, the same transaction id, and its own 200 back on that connection', async () => {
    const k = await relay();
    const file = join(dir, 'lo.pcapng');
    const cap = await capture(k.port, file);
    let seen;
    try {
      seen = await runFlow(FLOW, { host: k.host, port: k.port, uri: k.uri });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      cap.kill('SIGINT');
      await new Promise((r) => cap.once('exit', r));
    }
    const alicePath = /Use-Path: (\S+)/.exec(seen[0]!.flatMap((s) => ('frame' in s ? [s.frame] : [])).join(''))![1]!;
    const bobPath = /Use-Path: (\S+)/.exec(seen[1]!.flatMap((s) => ('frame' in s ? [s.frame] : [])).join(''))![1]!;
    const all = payloads(file);
    // What Kamailio wrote to itself: the SEND after its first hop (To-Path: bob's Use-Path, bob).
    const hop = all.filter((p) => p.text.startsWith('MSRP c0t10x SEND') && p.text.includes(`To-Path: ${bobPath} msrp://127.0.0.1:9/c1;tcp\r\n`));
    expect(hop).toHaveLength(1);
    expect(hop[0]!.text).toContain(`From-Path: ${alicePath} msrp://127.0.0.1:9/c0;tcp\r\n`);
    expect(hop[0]!.dst).toBe(k.port);
    // Its own 200 for that SEND goes back over the same connection, and no further: alice has one 200.
    expect(all.some((p) => p.src === k.port && p.dst === hop[0]!.src && p.text.startsWith('MSRP c0t10x 200 OK'))).toBe(true);
    expect(seen[0]!.filter((s) => 'frame' in s && s.frame.startsWith('MSRP c0t10x 200'))).toHaveLength(1);
  });
});

describe.skipIf(kamailio !== null && visible)('what Kamailio sends itself, by loopback capture', () => {
  it.skip(
    kamailio === null || tshark === null
      ? 'kamailio or tshark is not installed: the loopback capture of Kamailio\'s hop to itself was skipped (apt-get install kamailio tshark)'
      : 'a capture on lo sees no loopback traffic on this machine (probed with a connection of the test\'s own): the capture of Kamailio\'s hop to itself was skipped',
    () => {},
  );
});
