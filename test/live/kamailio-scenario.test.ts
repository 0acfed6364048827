/**
 * The bundled live scenario scenarios/live/kamailio-push.yaml against a real Kamailio 5.6 relay
 * (config/kamailio/msrp-relay.cfg), started on a free loopback port with the scenario's
 * credentials as its users: the simulated PSA and PRA AUTH through it, a chunked message with
 * Success-Report crosses it, the REPORT comes back; the expectations hold and the capture made of
 * the bytes that crossed the sockets passes tshark. Skips (saying why) only where kamailio is
 * absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runCliAsync } from '../helpers/exec.js';
import { kamailio, kamailioForFile, SKIP_KAMAILIO } from '../helpers/kamailio.js';

const FILE = 'scenarios/live/kamailio-push.yaml';
const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;

/** The users the scenario's endpoints AUTH with at relay-a, as the relay must know them. */
function credentials(): Record<string, string> {
  const loaded = loadScenario(FILE, readFileSync(FILE, 'utf8'));
  if (!loaded.ok) throw new Error(`${FILE} does not load`);
  const users: Record<string, string> = {};
  for (const n of loaded.scenario.nodes) {
    if (n.role === 'relay' || n.role === 'firewall') continue;
    for (const r of n.relays) if (r.relay === 'relay-a') users[r.username] = r.password ?? '';
  }
  return users;
}

describe.skipIf(!kamailio)('scenarios/live/kamailio-push.yaml against a real Kamailio 5.6', () => {
  const relay = kamailioForFile({ users: credentials() });
  const out = mkdtempSync(join(tmpdir(), 'msrp-sim-live-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('holds its expectations: AUTH through the relay, a chunked message delivered, its REPORT back', async () => {
    const k = await relay();
    const run = await runCliAsync(['run', FILE, '--live', `relay-a=${k.host}:${k.port}`, '--out', join(out, 'run')]);
    const stdout = run.stdout.toString('utf8');
    expect(run.stderr).toContain(`live run, against relay-a at ${k.host}:${k.port}`);
    expect(stdout).toContain('sessions: 1 established, 0 failed');
    expect(stdout).toContain('messages: 1 delivered of 1 sent');
    expect(stdout).toContain('REPORTs at senders: 1×200');
    expect(stdout).not.toContain('✗');
    expect(run.status).toBe(0);
    for (const name of ['trace.ndjson', 'timeline.txt', 'summary.json', 'sequence.svg', 'report.html', 'capture.pcap']) expect(existsSync(join(out, 'run', name))).toBe(true);
    const trace = readFileSync(join(out, 'run', 'trace.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // Both endpoints opened a real connection to the relay, and every one of them was closed at the end.
    const opened = trace.filter((r) => r.type === 'live.open').map((r) => r.conn);
    expect(opened).toHaveLength(2);
    expect(trace.filter((r) => r.type === 'live.close').map((r) => r.conn).sort()).toEqual([...opened].sort());
    // The message went in chunks, each a SEND of its own.
    const chunks = trace.filter((r) => r.type === 'msrp.send' && r.node === 'psa' && r.method === 'SEND' && Number(r.bodyLength) > 0);
    expect(chunks.map((r) => r.byteRange)).toEqual([
      { start: 1, end: 1024, total: 3000 },
      { start: 1025, end: 2048, total: 3000 },
      { start: 2049, end: 3000, total: 3000 },
    ]);
  }, 60_000);

  it.skipIf(!tshark)('writes a capture that tshark decodes: every MSRP frame, nothing malformed', () => {
    const file = join(out, 'run', 'capture.pcap');
    expect(existsSync(file)).toBe(true);
    const ports = readFileSync(join(out, 'run', 'trace.ndjson'), 'utf8').match(/"target":"127\.0\.0\.1:(\d+)"/);
    const port = ports?.[1] ?? '2855';
    const fields = spawnSync('tshark', ['-r', file, '-d', `tcp.port==${port},msrp`, '-Y', 'msrp', '-T', 'fields', '-e', 'msrp.method', '-e', 'msrp.status.code'], { encoding: 'utf8' });
    expect(fields.status).toBe(0);
    const lines = fields.stdout.trim().split('\n');
    // A segment may carry several frames: tshark lists their methods with commas.
    const methods = lines.flatMap((l) => (l.split('\t')[0] ?? '').split(',')).filter(Boolean);
    expect(methods.filter((m) => m === 'AUTH').length).toBe(4);
    expect(methods.filter((m) => m === 'SEND').length).toBeGreaterThanOrEqual(6);
    expect(methods).toContain('REPORT');
    const malformed = spawnSync('tshark', ['-r', file, '-d', `tcp.port==${port},msrp`, '-Y', '_ws.malformed || _ws.expert.severity == error'], { encoding: 'utf8' });
    expect(malformed.status).toBe(0);
    expect(malformed.stdout.trim()).toBe('');
  });
});

describe.skipIf(kamailio)('kamailio absent', () => {
  it.skip(SKIP_KAMAILIO, () => undefined);
});
