/** `msrp-sim test` with golden traces compared at the MSRP level (`golden: msrp`, `--golden msrp`). */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';

let dir: string;
const SCENARIO = readFileSync(join(root, 'scenarios/chunked-message.yaml'), 'utf8');

/** A folder holding chunked-message.yaml as changed by `edit`, and its golden trace as `goldenEdit` leaves it. */
function folder(name: string, edit: (s: string) => string, goldenEdit: (s: string) => string = (s) => s): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'chunked-message.yaml'), edit(SCENARIO));
  writeFileSync(join(d, 'chunked-message.golden.ndjson'), goldenEdit(readFileSync(join(root, 'scenarios/chunked-message.golden.ndjson'), 'utf8')));
  return d;
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'msrp-sim-golden-'));
});

describe('golden traces at the MSRP level', () => {
  it('survive a latency change and a new trace field; the exact mode does not; the flag overrides the file', async () => {
    const slower = folder('slower', (s) => s.replace('latency: 20ms', 'latency: 35ms'));
    const keyed = folder('keyed', (s) => s.replace('duration: 30s', 'duration: 30s\ngolden: msrp').replace('latency: 20ms', 'latency: 35ms'));
    // A field this msrp-sim does not write, in every record of the golden.
    const field = folder('field', (s) => s, (g) => g.replace(/\{"t":/g, '{"later":true,"t":'));
    const [exact, flag, key, keyOverridden, fieldExact, fieldMsrp] = await Promise.all([
      runCliAsync(['test', slower]),
      runCliAsync(['test', slower, '--golden', 'msrp']),
      runCliAsync(['test', keyed]),
      runCliAsync(['test', keyed, '--golden', 'exact']),
      runCliAsync(['test', field]),
      runCliAsync(['test', field, '--golden', 'msrp']),
    ]);
    expect(exact.status).toBe(1);
    expect(exact.stdout.toString()).toContain('trace differs from the golden trace at record');
    expect(flag.stdout.toString()).toContain('✓ chunked-message');
    expect(flag.stdout.toString()).toContain('(golden: msrp)');
    expect(flag.status).toBe(0);
    expect(key.status, key.stdout.toString()).toBe(0);
    expect(keyOverridden.status).toBe(1);
    expect(fieldExact.status).toBe(1);
    expect(fieldMsrp.status, fieldMsrp.stdout.toString()).toBe(0);
  });

  it('a changed header fails, with the frames side by side, in the JUnit report too', async () => {
    const changed = folder('changed', (s) => s.replace('duration: 30s', 'duration: 30s\ngolden: msrp').replace('chunkSize: 2048, successReport: yes', 'chunkSize: 2048, successReport: yes, failureReport: partial'));
    const junit = join(dir, 'junit.xml');
    const r = await runCliAsync(['test', changed, '--junit', junit]);
    expect(r.status).toBe(1);
    const out = r.stdout.toString();
    expect(out).toContain('frames differ from the golden trace at the MSRP level (golden: msrp; A is the golden, B this run)');
    expect(out).toContain('first difference: alice -> bob frame 2 (MSRP T2 SEND): header Failure-Report');
    expect(out).toMatch(/! {11}Failure-Report: yes {40}Failure-Report: partial/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<failure message="frames differ from the golden trace at the MSRP level');
    expect(xml).toContain('header Failure-Report: A &quot;yes&quot;, B &quot;partial&quot;');
  });

  it('an unknown mode is refused where it is written', async () => {
    const d = join(dir, 'bad');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'x.yaml'), SCENARIO.replace('duration: 30s', 'duration: 30s\ngolden: fuzzy'));
    copyFileSync(join(root, 'scenarios/chunked-message.golden.ndjson'), join(d, 'x.golden.ndjson'));
    const [file, flag] = await Promise.all([runCliAsync(['test', d]), runCliAsync(['test', d, '--golden', 'fuzzy'])]);
    expect(file.status).toBe(2);
    expect(file.stderr).toContain("x.yaml:9:9: golden: expected `exact` or `msrp`, got `fuzzy`");
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("option '--golden <mode>' argument 'fuzzy' is invalid");
  });
});
