/**
 * `msrp-sim sweep` as users run it: the same files whatever --jobs, shards merged equal the
 * whole, a run again runs only what is missing (after a Ctrl-C too), bad files get their
 * FILE:LINE:COL problems.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';

const SWEEP = 'test/sweep/fixtures/latency-loss.yaml';
const FILES = ['runs.ndjson', 'summary.csv', 'sweep.html'];
let tmp: string;

function files(dir: string): Record<string, string> {
  return Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'msrp-sim-sweep-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('msrp-sim sweep', () => {
  let whole: Record<string, string>;

  it('gives byte-identical runs.ndjson, summary.csv and sweep.html with --jobs 1 and --jobs 2, and exits 1 when some runs fail', async () => {
    const [one, two] = await Promise.all([
      runCliAsync(['sweep', SWEEP, '--jobs', '1', '--out', join(tmp, 'j1'), '--junit', join(tmp, 'j1.xml')]),
      runCliAsync(['sweep', SWEEP, '--jobs', '2', '--out', join(tmp, 'j2')]),
    ]);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(1);
    expect(two.status).toBe(1);
    expect(one.stdout.toString()).toContain('latency-loss: 18 runs, 12 passed, 6 failed');
    whole = files(join(tmp, 'j1'));
    expect(files(join(tmp, 'j2'))).toEqual(whole);
    // In the order of the axes (latency slowest, then loss, then the seed), not of completion.
    const runs = whole['runs.ndjson']!.trim().split('\n').map((l) => JSON.parse(l) as { run: number; seed: number; outcome: string; parameters: Record<string, unknown> });
    expect(runs.map((r) => r.run)).toEqual([...Array(18).keys()]);
    expect(runs.map((r) => r.seed)).toEqual(Array.from({ length: 6 }, () => [1, 2, 3]).flat());
    expect(runs.filter((r) => r.outcome === 'fail').every((r) => r.parameters['links[alice,bob].latency'] === '120ms')).toBe(true);
    expect(whole['summary.csv']!.split('\n')[1]).toMatch(/^5ms,0,3,3,0,0,1,/u);
    const junit = readFileSync(join(tmp, 'j1.xml'), 'utf8');
    expect(junit.match(/<testcase /gu)).toHaveLength(18);
    expect(junit).toContain('failures="6"');
  });

  it('runs one shard without a broker, and shards merged give the same files as the whole sweep', async () => {
    const shards = await Promise.all([0, 1, 2].map((i) => runCliAsync(['sweep', SWEEP, '--jobs', '1', '--shard', `${i}/3`, '--out', join(tmp, `shard-${i}`)])));
    expect(shards.map((s) => s.stdout.toString().match(/(\d+) runs/u)?.[1])).toEqual(['6', '6', '6']);
    const merged = await runCliAsync(['sweep', '--merge', join(tmp, 'shard-2'), join(tmp, 'shard-0'), join(tmp, 'shard-1'), '--out', join(tmp, 'merged')]);
    expect(merged.stderr).toBe('');
    expect(merged.status).toBe(1);
    expect(files(join(tmp, 'merged'))).toEqual(whole);
    // Two shards of three are not the whole: said, and the status is not success.
    const part = await runCliAsync(['sweep', '--merge', join(tmp, 'shard-0'), join(tmp, 'shard-1'), '--out', join(tmp, 'part')]);
    expect(part.status).toBe(1);
    expect(part.stderr).toContain('6 of 18 runs are in none of the folders');
  });

  it('runs again only what is missing from the progress file (a line cut short by a kill is ignored)', async () => {
    const dir = join(tmp, 'resume');
    cpSync(join(tmp, 'j1'), dir, { recursive: true });
    const lines = readFileSync(join(dir, 'progress.ndjson'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'progress.ndjson'), lines.slice(0, 13).join('\n') + '\n' + lines[13]!.slice(0, 40));
    rmSync(join(dir, 'runs.ndjson'));
    const again = await runCliAsync(['sweep', SWEEP, '--jobs', '2', '--out', dir]);
    expect(again.stderr).toContain('13 of 18 runs already done');
    expect(again.stderr).toContain('running the other 5');
    expect(files(dir)).toEqual(whole);
    const complete = await runCliAsync(['sweep', SWEEP, '--out', dir]);
    expect(complete.stderr).toBe('');
    expect(files(dir)).toEqual(whole);
  });

  it('stops cleanly on Ctrl-C, keeps what is done, and a run again finishes the sweep', async () => {
    const sweep = join(tmp, 'long.yaml');
    writeFileSync(sweep, readFileSync(join(root, SWEEP), 'utf8').replace('seed: 1..3', 'seed: 1..12').replace('../../../scenarios/', join(root, 'scenarios') + '/'));
    const dir = join(tmp, 'interrupted');
    const child = spawn(process.execPath, [join(root, 'bin/msrp-sim.js'), 'sweep', sweep, '--jobs', '1', '--out', dir], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const progress = join(dir, 'progress.ndjson');
    while (!existsSync(progress) || readFileSync(progress, 'utf8').split('\n').length < 4) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const status = await new Promise<number | null>((r) => child.on('close', r));
    expect(status).toBe(130);
    const kept = readFileSync(progress, 'utf8').trim().split('\n');
    expect(kept.length).toBeLessThan(72);
    expect(stderr).toContain(`interrupted: ${kept.length} of 72 runs done`);
    expect(existsSync(join(dir, 'runs.ndjson'))).toBe(false);
    const again = await runCliAsync(['sweep', sweep, '--jobs', '2', '--out', dir]);
    expect(again.stderr).toContain(`${kept.length} of 72 runs already done`);
    expect(again.status).toBe(1);
    const fresh = await runCliAsync(['sweep', sweep, '--jobs', '2', '--out', join(tmp, 'uninterrupted')]);
    expect(files(dir)).toEqual(files(join(tmp, 'uninterrupted')));
    expect(fresh.status).toBe(1);
  }, 120_000);

  it('reports a bad sweep file\'s problems as FILE:LINE:COL, every one at once, with exit 2', async () => {
    const r = await runCliAsync(['sweep', 'test/sweep/fixtures/bad.yaml', '--out', join(tmp, 'bad')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('test/sweep/fixtures/bad.yaml:13:1: unknown key `seeds`; did you mean `seed`?\nsweep: test/sweep/fixtures/bad.yaml: 1 problem(s)\n');
    const fixed = join(tmp, 'bad.yaml');
    writeFileSync(fixed, readFileSync(join(root, 'test/sweep/fixtures/bad.yaml'), 'utf8').replace('seeds:', 'seed:').replace('../../../scenarios/', join(root, 'scenarios') + '/'));
    const r2 = await runCliAsync(['sweep', fixed, '--out', join(tmp, 'bad')]);
    expect(r2.status).toBe(2);
    expect(r2.stderr.split('\n').filter((l) => l.startsWith(fixed))).toEqual([
      `${fixed}:5:5: axes.profile: the scenario has no node \`relay-c\`; did you mean \`relay-a\`?`,
      `${fixed}:8:5: axes.loss: \`links\` has no link between \`relay-a\` and \`relay-x\`; did you mean \`relay-a,relay-b\`?`,
      `${fixed}:11:5: axes.size: \`events\` has 3 items; \`[7]\` names none (the first is \`[0]\`)`,
    ]);
  });
});
