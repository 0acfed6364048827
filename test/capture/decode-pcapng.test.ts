/** `msrp-sim decode` of pcapng captures, through the built CLI. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCliAsync } from '../helpers/exec.js';
import { tcpCapture } from '../helpers/pcap-writer.js';
import { OK, SEND } from '../cli/fixtures.js';

let dir: string;
const jsonLines = (out: Buffer): Record<string, unknown>[] =>
  out
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'msrp-sim-pcapng-'));
  for (const [sub, extra] of [['ng', []], ['classic', ['--pcap-format', 'pcap']]] as const) {
    const r = await runCliAsync(['run', 'scenarios/push-via-two-relays.yaml', '--out', join(dir, sub), '--only', 'pcap', ...extra]);
    if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`);
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('msrp-sim decode: pcapng', () => {
  it('the pcapng msrp-sim run writes decodes to the same frames, with the same times, as the classic pcap of the same run', async () => {
    const ng = await runCliAsync(['decode', '-f', 'json', join(dir, 'ng', 'capture.pcapng')]);
    const classic = await runCliAsync(['decode', '-f', 'json', join(dir, 'classic', 'capture.pcap')]);
    expect(classic.status).toBe(0);
    expect(ng.status).toBe(0);
    const frames = jsonLines(ng.stdout);
    expect(frames.length).toBeGreaterThan(4);
    expect(frames.map((f) => f.method ?? f.status)).toContain('SEND');
    expect(frames).toEqual(jsonLines(classic.stdout));
    // The SIP over TCP that only the pcapng holds is no MSRP: skipped quietly, with a note.
    expect(ng.stderr).toMatch(/^decode: note: \d+ TCP streams? skipped: (they do|it does) not start with an MSRP start line \(.*:5060.*\)$/m);
    expect(ng.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('decode: note:'))).toEqual([]);
  });

  it('json gives each captured frame the time of the packet that completed it; frames from raw bytes have none', async () => {
    const ng = jsonLines((await runCliAsync(['decode', '-f', 'json', join(dir, 'ng', 'capture.pcapng')])).stdout);
    for (const f of ng) expect(f.time).toMatch(/^\d+\.\d{6}$/);
    const times = ng.map((f) => Number(f.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const file = join(dir, 'two.msrp');
    writeFileSync(file, SEND + OK);
    for (const f of jsonLines((await runCliAsync(['decode', '-f', 'json', file])).stdout)) expect(f).not.toHaveProperty('time');
    // The test pcap writer stamps packet k at 1_700_000_000 s + k ms.
    const pcap = join(dir, 't.pcap');
    writeFileSync(pcap, tcpCapture([{ src: '10.0.0.1', srcPort: 50000, dst: '10.0.0.2', dstPort: 2855, seq: 1, payload: SEND }, { src: '10.0.0.2', srcPort: 2855, dst: '10.0.0.1', dstPort: 50000, seq: 1, payload: OK }], { nanoseconds: true }));
    const fromPcap = jsonLines((await runCliAsync(['decode', '-f', 'json', pcap])).stdout);
    expect(fromPcap.map((f) => f.time)).toEqual(['1700000000.000000', '1700000000.001000']);
    expect(Object.keys(fromPcap[0]!).slice(0, 3)).toEqual(['stream', 'time', 'kind']);
  });

  const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  const haveTshark = tshark.status === 0;
  if (!haveTshark) console.warn('tshark is not installed: the test of a pcapng written by tshark is skipped');
  it.skipIf(!haveTshark)('a pcapng written by tshark from the classic pcap decodes to the same frames', async () => {
    const out = join(dir, 'tshark.pcapng');
    const t = spawnSync('tshark', ['-r', join(dir, 'classic', 'capture.pcap'), '-w', out, '-F', 'pcapng'], { encoding: 'utf8' });
    expect(t.status, t.stderr).toBe(0);
    const viaTshark = await runCliAsync(['decode', '-f', 'json', out]);
    expect(viaTshark.stderr).toBe('');
    expect(viaTshark.status).toBe(0);
    const classic = await runCliAsync(['decode', '-f', 'json', join(dir, 'classic', 'capture.pcap')]);
    expect(jsonLines(viaTshark.stdout)).toEqual(jsonLines(classic.stdout));
  }, 30_000);
});
