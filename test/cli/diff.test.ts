/** `msrp-sim diff` as a user runs it: the built binary, its output and exit status. */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';

let dir: string;

/** A run of a bundled scenario (its seed replaced when given) into `dir/out`. */
async function run(scenario: string, out: string, extra: string[] = [], seed?: number): Promise<void> {
  let file = join(root, 'scenarios', scenario);
  if (seed !== undefined) {
    file = join(dir, `${out}.yaml`);
    writeFileSync(file, readFileSync(join(root, 'scenarios', scenario), 'utf8').replace(/^seed: .*$/m, `seed: ${seed}`));
  }
  const r = await runCliAsync(['run', file, '--out', join(dir, out), '--force', ...extra]);
  expect(r.status, r.stderr).toBe(0);
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'msrp-sim-diff-'));
  await Promise.all([
    run('chunked-message.yaml', 'chunked'),
    run('chunked-message.yaml', 'chunked-99', [], 99),
    run('auth-two-relays.yaml', 'tls'),
    run('auth-two-relays.yaml', 'tls-pcap', ['--pcap-format', 'pcap']),
  ]);
}, 60_000);

describe('msrp-sim diff', () => {
  it('two seeds of one scenario do not differ', async () => {
    const r = await runCliAsync(['diff', 'chunked', 'chunked-99'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout.toString()).toBe(
      [
        'A: chunked/trace.ndjson (trace: 2 nodes, 1 connection, 13 frames)',
        'B: chunked-99/trace.ndjson (trace: 2 nodes, 1 connection, 13 frames)',
        'nodes: alice, bob',
        'same: 13 frames on 1 connection agree at the MSRP level',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    // Byte for byte, the bodies drawn from the two seeds differ.
    const exact = await runCliAsync(['diff', 'chunked', 'chunked-99', '--bodies', 'exact'], { cwd: dir });
    expect(exact.status).toBe(1);
    expect(exact.stdout.toString()).toContain('5 differences:');
  });

  it('a capture written by msrp-sim does not differ from its own trace (pcapng and pcap, over TLS and two relays)', async () => {
    const ng = await runCliAsync(['diff', 'tls/trace.ndjson', 'tls/capture.pcapng'], { cwd: dir });
    expect(ng.stdout.toString()).toContain('same: 24 frames on 3 connections agree at the MSRP level');
    expect(ng.status).toBe(0);
    const classic = await runCliAsync(['diff', 'tls-pcap', 'tls-pcap/capture.pcap', '--times'], { cwd: dir });
    expect(classic.stdout.toString()).toContain('nodes: alice = alice.example.com:2855, intra = intra.example.com:2855, extra = extra.example.com:2855, bob = bob.example.net:2855');
    expect(classic.status).toBe(0);
  });

  it('a changed header differs, and is shown', async () => {
    const lines = readFileSync(join(dir, 'chunked/trace.ndjson'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"type":"msrp.send"') && l.includes('Failure-Report: yes'));
    lines[at] = lines[at]!.replace('Failure-Report: yes', 'Failure-Report: partial');
    writeFileSync(join(dir, 'changed.ndjson'), lines.join('\n'));
    const r = await runCliAsync(['diff', 'chunked/trace.ndjson', 'changed.ndjson', '--context', '1'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout.toString()).toBe(PINNED);
    const json = await runCliAsync(['diff', 'chunked/trace.ndjson', 'changed.ndjson', '--json'], { cwd: dir });
    expect(json.status).toBe(1);
    const parsed = JSON.parse(json.stdout.toString()) as { same: boolean; differences: Array<{ connection: number; direction: number; frame: number; fields: unknown[] }> };
    expect(parsed.same).toBe(false);
    expect(parsed.differences).toHaveLength(1);
    expect(parsed.differences[0]).toMatchObject({ connection: 1, direction: 0, frame: 1, fields: [{ field: 'header Failure-Report', a: 'yes', b: 'partial' }] });
  });

  it('bad inputs: exit 2, the file named', async () => {
    mkdirSync(join(dir, 'empty-folder'), { recursive: true });
    writeFileSync(join(dir, 'empty.ndjson'), '');
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    writeFileSync(join(dir, 'cut.pcap'), readFileSync(join(dir, 'tls-pcap/capture.pcap')).subarray(0, 10));
    const cases: Array<[string[], string]> = [
      [['diff', 'chunked', 'missing.ndjson'], 'diff: cannot read missing.ndjson: no such file or folder'],
      [['diff', 'empty.ndjson', 'chunked'], 'diff: empty.ndjson is empty: neither a trace nor a capture'],
      [['diff', 'chunked', 'notes.txt'], 'diff: notes.txt:1: Unexpected token \'h\', "hello" is not valid JSON (neither a trace nor a pcap/pcapng capture)'],
      [['diff', 'empty-folder', 'chunked'], 'diff: empty-folder is a folder without trace.ndjson (nor capture.pcap): not a run\'s output folder'],
      [['diff', 'chunked', 'cut.pcap'], 'diff: cut.pcap: '],
      [['diff', 'chunked', 'chunked', '--map', 'relay-a'], 'diff: --map takes ADDRESS=NAME'],
      [['diff', 'chunked', 'chunked', '--tolerance', '5'], 'diff: --tolerance: `5` has no unit'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCliAsync(args, { cwd: dir })));
    cases.forEach(([args, message], i) => {
      const r = runs[i]!;
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout.toString()).toBe('');
    });
  });
});

/** The first difference side by side with a frame of context, then the summary. */
const PINNED = [
  "A: chunked/trace.ndjson (trace: 2 nodes, 1 connection, 13 frames)",
  "B: changed.ndjson (trace: 2 nodes, 1 connection, 13 frames)",
  "nodes: alice, bob",
  "",
  "first difference: alice -> bob frame 1 (MSRP T1 SEND): header Failure-Report",
  "  on connection 1, alice -> bob (A: c1, B: c1)",
  "            A                                                          B",
  "  frame 1   MSRP T1 SEND                                               MSRP T1 SEND",
  "            To-Path: msrp://H1/S1;tcp                                  To-Path: msrp://H1/S1;tcp",
  "            From-Path: msrp://H2/S2;tcp                                From-Path: msrp://H2/S2;tcp",
  "            Message-ID: M1                                             Message-ID: M1",
  "            Byte-Range: 1-0/0                                          Byte-Range: 1-0/0",
  "!           Failure-Report: yes                                        Failure-Report: partial",
  "            -------T1$                                                 -------T1$",
  "  frame 2   MSRP T2 SEND                                               MSRP T2 SEND",
  "",
  "1 difference:",
  "  1. connection 1: alice -> bob frame 1 (MSRP T1 SEND): header Failure-Report",
  "       header Failure-Report: A \"yes\", B \"partial\"",
  "",
].join('\n');
