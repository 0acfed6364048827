import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCli } from '../helpers/exec.js';

const tiny = join(root, 'test/cli/fixtures/tiny.yaml');
const outDir = (): string => join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'run');

beforeAll(() => ensureBuilt());

describe('msrp-sim run: the capture', () => {
  it('is capture.pcapng by default (a pcapng Section Header Block)', () => {
    const out = outDir();
    const r = runCli(['run', tiny, '--out', out, '--only', 'pcap,summary']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.msrp-sim-outputs.json', 'capture.pcapng', 'summary.json']);
    expect(readFileSync(join(out, 'capture.pcapng')).readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(r.stdout.toString()).toContain(join(out, 'capture.pcapng'));
  });

  it('is capture.pcap with --pcap-format pcap (a classic pcap header)', () => {
    const out = outDir();
    const r = runCli(['run', tiny, '--out', out, '--only', 'pcap', '--pcap-format', 'pcap']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.msrp-sim-outputs.json', 'capture.pcap']);
    expect(readFileSync(join(out, 'capture.pcap')).readUInt32LE(0)).toBe(0xa1b2c3d4);
  });

  it('is among all the outputs, and left out with --no-pcap whatever the format', () => {
    const all = outDir();
    expect(runCli(['run', tiny, '--out', all]).status).toBe(0);
    expect(readdirSync(all)).toContain('capture.pcapng');
    expect(readdirSync(all)).not.toContain('capture.pcap');
    const none = outDir();
    expect(runCli(['run', tiny, '--out', none, '--no-pcap', '--pcap-format', 'pcap']).status).toBe(0);
    expect(readdirSync(none).filter((f) => f.startsWith('capture.'))).toEqual([]);
  });

  it('rejects an unknown --pcap-format as a usage error, exit 2', () => {
    const r = runCli(['run', tiny, '--out', outDir(), '--pcap-format', 'erf']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--pcap-format/);
  });
});
