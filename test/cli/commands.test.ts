import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCli } from '../helpers/exec.js';

const fixture = (name: string): string => join(root, 'test/cli/fixtures', name);

beforeAll(() => ensureBuilt());

describe('msrp-sim validate', () => {
  it('reports every problem at once as FILE:LINE:COL: message, exit 2', () => {
    const r = runCli(['validate', 'test/cli/fixtures/bad-scenario.yaml']);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(/^test\/cli\/fixtures\/bad-scenario\.yaml:\d+:\d+: /);
    expect(r.stderr).toContain('bad-scenario.yaml:5:24: nodes.b: unknown key `hots`; did you mean `host`?');
    expect(r.stderr).toMatch(/did you mean `host`/);
    expect(r.stderr).toContain('bad-scenario.yaml:7:9: links[0][1]: unknown node `c`');
    expect(r.stderr).toContain('bad-scenario.yaml:12:66: events[1].send.size: `10XB` is not a size');
    expect(r.stderr.includes('\u001b[')).toBe(false); // NO_COLOR
  });

  it('accepts the bundled library, exit 0', () => {
    const r = runCli(['validate', 'scenarios']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('msrp-sim run', () => {
  it('writes the outputs into --out and prints the summary, exit 0 when expectations hold', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'run');
    const r = runCli(['run', fixture('tiny.yaml'), '--out', out, '--only', 'trace,summary']);
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    expect(text).toContain('messages: 1 delivered of 1 sent');
    expect(text).toContain('✓ 1 message(s) delivered intact to b');
    expect(readdirSync(out).sort()).toEqual(['summary.json', 'trace.ndjson']);
    const first = JSON.parse(readFileSync(join(out, 'trace.ndjson'), 'utf8').split('\n')[0]!);
    expect(Object.keys(first).slice(0, 4)).toEqual(['t', 'seq', 'node', 'type']);
  });

  it('prints the number of records trace.ndjson holds, the network records of the world included', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'run');
    const r = runCli(['run', fixture('tiny.yaml'), '--out', out, '--only', 'trace,summary']);
    expect(r.status).toBe(0);
    const printed = Number(/: (\d+) trace records/.exec(r.stdout.toString())?.[1]);
    const lines = readFileSync(join(out, 'trace.ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(printed);
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(lines.map((_, i) => i));
    expect(lines.some((l) => (JSON.parse(l) as { type: string }).type === 'net.link')).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { run: { records: number } };
    expect(summary.run.records).toBe(printed);
  });

  it('exits 1 and says what happened instead when an expectation fails', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'run');
    const r = runCli(['run', fixture('tiny-fails.yaml'), '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stdout.toString()).toMatch(/✗ 2 message\(s\) delivered intact to b[\s\S]*instead: 1 delivered/);
  });

  it('exits 2 and writes nothing for an invalid scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    const r = runCli(['run', fixture('bad-scenario.yaml'), '--out', join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is deterministic: the same scenario and seed give the same bytes, another seed others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    for (const [name, seed] of [['a', '5'], ['b', '5'], ['c', '6']]) {
      expect(runCli(['run', 'scenarios/push-via-two-relays.yaml', '--out', join(dir, name!), '--seed', seed!, '--only', 'trace']).status).toBe(0);
    }
    const read = (n: string): string => readFileSync(join(dir, n, 'trace.ndjson'), 'utf8');
    expect(read('a')).toBe(read('b'));
    expect(read('a')).not.toBe(read('c'));
  });

  it('rejects usage errors with exit 2', () => {
    expect(runCli(['run']).status).toBe(2);
    expect(runCli(['run', fixture('tiny.yaml'), '--only', 'nonsense']).status).toBe(2);
    expect(runCli(['run', fixture('tiny.yaml'), '--until', 'soon']).status).toBe(2);
    expect(runCli(['frobnicate']).status).toBe(2);
  });
});

describe('msrp-sim test', () => {
  it('passes the bundled scenario library', () => {
    const r = runCli(['test', 'scenarios']);
    expect(r.stdout.toString()).toMatch(/\d+ passed, 0 failed/);
    expect(r.status).toBe(0);
  });

  it('writes goldens with --update, then reports the first divergence of a changed golden, and JUnit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    cpSync(fixture('tiny.yaml'), join(dir, 'tiny.yaml'));
    expect(runCli(['test', dir, '--update']).status).toBe(0);
    const golden = join(dir, 'tiny.golden.ndjson');
    expect(existsSync(golden)).toBe(true);
    expect(runCli(['test', dir]).status).toBe(0);
    const lines = readFileSync(golden, 'utf8').split('\n');
    lines[10] = lines[10]!.replace(/"t":\d+/, '"t":1');
    writeFileSync(golden, lines.join('\n'));
    const junit = join(dir, 'junit.xml');
    const r = runCli(['test', dir, '--junit', junit]);
    expect(r.status).toBe(1);
    const text = r.stdout.toString();
    expect(text).toContain('trace differs from the golden trace at record 11');
    expect(text).toMatch(/golden:[\s\S]*- +11 +\{"t":1,/);
    expect(text).toMatch(/this run:[\s\S]*\+ +11 +\{"t":/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="msrp-sim" tests="1" failures="1" errors="0"/);
    expect(xml).toContain('<failure message="trace differs from the golden trace at record 11">');
  });
});

describe('msrp-sim list and new', () => {
  it('lists the bundled scenarios, one line each', () => {
    const r = runCli(['list']);
    expect(r.status).toBe(0);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(16);
    expect(lines.some((l) => l.startsWith('scenarios/push-via-two-relays.yaml '))).toBe(true);
  });

  it('writes a starter scenario that validates and runs, and refuses to overwrite', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'starter.yaml');
    expect(runCli(['new', file]).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^# yaml-language-server: \$schema=.*scenario\.schema\.json/);
    expect(runCli(['validate', file]).status).toBe(0);
    expect(runCli(['new', file]).status).toBe(2);
  });

  it('prints help with examples for every command', () => {
    for (const cmd of ['run', 'validate', 'test', 'decode', 'list', 'new']) {
      const r = runCli([cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toContain('Examples:');
    }
  });
});
