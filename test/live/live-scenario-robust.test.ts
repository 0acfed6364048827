/**
 * Issue 14 §5 at the level of a scenario: simulated endpoints against a real relay that misbehaves,
 * each a scripted server on loopback. Whatever the relay does (resets, never answers, answers
 * garbage, sends an endless line), the run ends on time with every socket closed, the AUTH and
 * the session fail with their reason in the trace, and the expectations fail: never a crash or a
 * hang.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLiveScenario } from '../../src/live/live-scenario.js';
import { loadScenario } from '../../src/scenario/index.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

let server: Server | null = null;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A relay on a free loopback port that does `behave` with each connection. */
async function misbehavingRelay(behave: (socket: Socket) => void): Promise<number> {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    behave(socket);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function scenario(port: number) {
  const text = [
    'name: live-misbehaving-relay',
    'seed: 5',
    'duration: 1500ms',
    'nodes:',
    '  psa: { role: sender, relays: [relay-a], password: s3cret }',
    '  pra: { role: receiver, relays: [relay-a], password: hunter2 }',
    `  relay-a: { role: relay, scheme: msrp, live: { connect: 127.0.0.1:${port} } }`,
    'events:',
    '  - at: 0s',
    '    session: { id: s1, offerer: psa, answerer: pra }',
    '  - at: 300ms',
    '    send: { session: s1, from: psa, contentType: text/plain, body: hello }',
    'expect:',
    '  - delivered: { session: s1, to: pra, messages: 1 }',
  ].join('\n');
  const loaded = loadScenario('live.yaml', text);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return loaded.scenario;
}

async function run(port: number): Promise<{ records: AnyTraceRecord[]; passed: boolean; wall: number }> {
  const records: AnyTraceRecord[] = [];
  const started = performance.now();
  const result = await runLiveScenario(scenario(port), { sinks: [(x) => records.push(x)] });
  return { records, passed: result.passed, wall: performance.now() - started };
}

/** Every live connection opened was closed by the end of the run. */
function allClosed(records: AnyTraceRecord[]): void {
  const opened = records.flatMap((r) => (r.type === 'live.connect' ? [r.conn as string] : []));
  const closed = new Set(records.flatMap((r) => (r.type === 'live.close' ? [r.conn as string] : [])));
  expect(opened.length).toBeGreaterThan(0);
  for (const c of opened) expect(closed.has(c)).toBe(true);
}

const closes = (records: AnyTraceRecord[]) => records.filter((r) => r.type === 'live.close') as (AnyTraceRecord & { kind: string; detail: string })[];
const authGranted = (records: AnyTraceRecord[]) => records.some((r) => r.type === 'auth.ok');

describe('simulated endpoints against a misbehaving real relay', () => {
  it('a relay that resets each connection on its first bytes: closes of kind reset, no AUTH granted, the run ends on time', async () => {
    const port = await misbehavingRelay((s) => s.once('data', () => s.resetAndDestroy()));
    const r = await run(port);
    expect(r.wall).toBeLessThan(15_000);
    expect(r.passed).toBe(false);
    expect(closes(r.records).some((c) => c.kind === 'reset')).toBe(true);
    expect(authGranted(r.records)).toBe(false);
    expect(r.records.some((x) => x.type === 'endpoint.relay-lost')).toBe(true);
    allClosed(r.records);
  }, 30_000);

  it('a relay that never answers: the AUTHs wait, the run ends at its duration, every socket closed by this side', async () => {
    let read = 0;
    const port = await misbehavingRelay((s) => s.on('data', (d: Buffer) => (read += d.length)));
    const r = await run(port);
    expect(r.wall).toBeLessThan(15_000);
    expect(r.passed).toBe(false);
    expect(read).toBeGreaterThan(0);
    expect(authGranted(r.records)).toBe(false);
    // The AUTHs went out and their transactions were still waiting at the end.
    expect(r.records.filter((x) => x.type === 'msrp.send' && (x as { method?: string }).method === 'AUTH').length).toBe(2);
    expect(closes(r.records).every((c) => c.kind === 'local')).toBe(true);
    allClosed(r.records);
  }, 30_000);

  it('a relay that answers garbage: the parser refuses it, the connection closes with the reason, no AUTH granted', async () => {
    const port = await misbehavingRelay((s) => s.once('data', () => s.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    const r = await run(port);
    expect(r.wall).toBeLessThan(15_000);
    expect(r.passed).toBe(false);
    expect(r.records.some((x) => x.type === 'msrp.malformed')).toBe(true);
    expect(authGranted(r.records)).toBe(false);
    allClosed(r.records);
  }, 30_000);

  it('a relay that sends an endless line: the line limit ends the connection long before 100 MB', async () => {
    let written = 0;
    const port = await misbehavingRelay((s) => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!s.destroyed && written < 100 * 1024 * 1024) {
          written += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
      };
      s.once('data', () => {
        s.write('MSRP a786hjs2 200 ');
        pump();
      });
    });
    const r = await run(port);
    expect(r.wall).toBeLessThan(15_000);
    expect(r.passed).toBe(false);
    expect(written).toBeLessThan(100 * 1024 * 1024);
    expect(r.records.some((x) => x.type === 'msrp.malformed')).toBe(true);
    allClosed(r.records);
  }, 30_000);
});
