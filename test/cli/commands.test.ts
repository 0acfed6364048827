import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';

const fixture = (name: string): string => join(root, 'test/cli/fixtures', name);

beforeAll(() => ensureBuilt());

describe('msrp-sim validate', () => {
  it('reports every problem at once as FILE:LINE:COL: message, exit 2', async () => {
    const r = (await runCliAsync(['validate', 'test/cli/fixtures/bad-scenario.yaml']));
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

  it('accepts the bundled library, exit 0', async () => {
    const r = (await runCliAsync(['validate', 'scenarios']));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('msrp-sim run', () => {
  it('writes the outputs into --out and prints the summary, exit 0 when expectations hold', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'run');
    const r = (await runCliAsync(['run', fixture('tiny.yaml'), '--out', out, '--only', 'trace,summary']));
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    expect(text).toContain('messages: 1 delivered of 1 sent');
    expect(text).toContain('✓ 1 message(s) delivered intact to b');
    expect(readdirSync(out).sort()).toEqual(['.msrp-sim-outputs.json', 'summary.json', 'trace.ndjson']); // the manifest marks the folder as msrp-sim's
    const first = JSON.parse(readFileSync(join(out, 'trace.ndjson'), 'utf8').split('\n')[0]!);
    expect(Object.keys(first).slice(0, 4)).toEqual(['t', 'seq', 'node', 'type']);
  });

  it('prints the number of records trace.ndjson holds, the network records of the world included', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'run');
    const r = await runCliAsync(['run', fixture('tiny.yaml'), '--out', out, '--only', 'trace,summary']);
    expect(r.status).toBe(0);
    const printed = Number(/: (\d+) trace records/.exec(r.stdout.toString())?.[1]);
    const lines = readFileSync(join(out, 'trace.ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(printed);
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(lines.map((_, i) => i));
    expect(lines.some((l) => (JSON.parse(l) as { type: string }).type === 'net.link')).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { run: { records: number } };
    expect(summary.run.records).toBe(printed);
  });

  it('exits 1 and says what happened instead when an expectation fails', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'run');
    const r = (await runCliAsync(['run', fixture('tiny-fails.yaml'), '--out', out]));
    expect(r.status).toBe(1);
    expect(r.stdout.toString()).toMatch(/✗ 2 message\(s\) delivered intact to b[\s\S]*instead: 1 delivered/);
  });

  it('exits 2 and writes nothing for an invalid scenario', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    const r = (await runCliAsync(['run', fixture('bad-scenario.yaml'), '--out', join(dir, 'x')]));
    expect(r.status).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is deterministic: the same scenario and seed give the same bytes, another seed others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    for (const [name, seed] of [['a', '5'], ['b', '5'], ['c', '6']]) {
      expect((await runCliAsync(['run', 'scenarios/push-via-two-relays.yaml', '--out', join(dir, name!), '--seed', seed!, '--only', 'trace'])).status).toBe(0);
    }
    const read = (n: string): string => readFileSync(join(dir, n, 'trace.ndjson'), 'utf8');
    expect(read('a')).toBe(read('b'));
    expect(read('a')).not.toBe(read('c'));
  });

  it('rejects usage errors with exit 2', async () => {
    expect((await runCliAsync(['run'])).status).toBe(2);
    expect((await runCliAsync(['run', fixture('tiny.yaml'), '--only', 'nonsense'])).status).toBe(2);
    expect((await runCliAsync(['run', fixture('tiny.yaml'), '--until', 'soon'])).status).toBe(2);
    expect((await runCliAsync(['frobnicate'])).status).toBe(2);
  });
});

describe('msrp-sim test', () => {
  it('passes the bundled scenario library', async () => {
    const r = (await runCliAsync(['test', 'scenarios']));
    expect(r.stdout.toString()).toMatch(/\d+ passed, 0 failed/);
    expect(r.status).toBe(0);
  });

  it('writes goldens with --update, then reports the first divergence of a changed golden, and JUnit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    cpSync(fixture('tiny.yaml'), join(dir, 'tiny.yaml'));
    expect((await runCliAsync(['test', dir, '--update'])).status).toBe(0);
    const golden = join(dir, 'tiny.golden.ndjson');
    expect(existsSync(golden)).toBe(true);
    expect((await runCliAsync(['test', dir])).status).toBe(0);
    const lines = readFileSync(golden, 'utf8').split('\n');
    lines[10] = lines[10]!.replace(/"t":\d+/, '"t":1');
    writeFileSync(golden, lines.join('\n'));
    const junit = join(dir, 'junit.xml');
    const r = (await runCliAsync(['test', dir, '--junit', junit]));
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

describe('msrp-sim test: golden differences that look alike', () => {
  /** A copy of the tiny scenario with its golden, and the golden's lines. */
  async function withGolden(): Promise<{ dir: string; golden: string; lines: string[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    cpSync(fixture('tiny.yaml'), join(dir, 'tiny.yaml'));
    expect((await runCliAsync(['test', dir, '--update'])).status).toBe(0);
    const golden = join(dir, 'tiny.golden.ndjson');
    const lines = readFileSync(golden, 'utf8').split('\n');
    lines.pop();
    return { dir, golden, lines };
  }

  it('CRLF line ends: the column past the end of the line and the CR, escaped', async () => {
    const { dir, golden, lines } = await withGolden();
    writeFileSync(golden, lines.map((l) => l + '\r\n').join(''));
    const r = (await runCliAsync(['test', dir]));
    expect(r.status).toBe(1);
    const text = r.stdout.toString();
    expect(text).toContain(`trace differs from the golden trace at record 1\n      at column ${lines[0]!.length + 1} `);
    // The golden line as shown (shortened to the bytes around the column when long) ends in the
    // escaped CR, right after the line's last bytes.
    const shown = text.split('\n').find((l) => l.trimStart().startsWith('golden:   '))!;
    expect(shown.endsWith(`${lines[0]!.slice(-60).replace(/\\/g, '\\\\')}\\r`)).toBe(true);
    expect(text).toContain('(the golden trace has CRLF line ends)');
  });

  it('a byte-order mark: column 1 and the bytes EF BB BF', async () => {
    const { dir, golden, lines } = await withGolden();
    writeFileSync(golden, '\uFEFF' + lines.join('\n') + '\n');
    const text = (await runCliAsync(['test', dir])).stdout.toString();
    expect(text).toContain('at column 1 (byte 1 of the line)');
    expect(text).toContain('golden:   \\xEF\\xBB\\xBF{"t":0,');
    expect(text).toContain('(the golden trace starts with a UTF-8 byte-order mark)');
  });

  it('a 1 MiB line is shortened around the difference, on the terminal and in the JUnit file', async () => {
    const { dir, golden, lines } = await withGolden();
    const i = 10;
    lines[i] = lines[i]!.replace(/\}$/, `,"pad":"${'x'.repeat(1024 * 1024)}"}`);
    // A context line as long after it: shortened too.
    lines[i + 1] = lines[i + 1]!.replace(/\}$/, `,"pad":"${'y'.repeat(1024 * 1024)}"}`);
    writeFileSync(golden, lines.join('\n') + '\n');
    const junit = join(dir, 'junit.xml');
    const r = (await runCliAsync(['test', dir, '--junit', junit]));
    expect(r.status).toBe(1);
    const text = r.stdout.toString();
    expect(text).toContain(`trace differs from the golden trace at record ${i + 1}`);
    expect(text).toMatch(/golden: {3}…\(\d+ bytes\) [^\n]*,"pad":"x+ …\(1048\d{3} more bytes\)\n/);
    expect(text).toMatch(new RegExp(` {2}${i + 2} {2}\\{"t":[^\\n]{150,} …\\(1048\\d{3} more bytes\\)\\n`));
    expect(text.length).toBeLessThan(10_000);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`<failure message="trace differs from the golden trace at record ${i + 1}">`);
    expect(xml.length).toBeLessThan(10_000);
  });
});

describe('msrp-sim list and new', () => {
  it('lists the bundled scenarios, one line each', async () => {
    const r = (await runCliAsync(['list']));
    expect(r.status).toBe(0);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(16);
    expect(lines.some((l) => l.startsWith('push-via-two-relays '))).toBe(true);
  });

  it('prints names that run accepts from any folder, as the example in list --help does', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    const first = (await runCliAsync(['list'], { cwd: elsewhere })).stdout.toString().split('\n')[0]!.split(' ')[0]!;
    expect(first).toMatch(/^[a-z0-9-]+$/);
    const r = (await runCliAsync(['run', first, '--only', 'summary'], { cwd: elsewhere }));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(elsewhere, 'out', first, 'summary.json'))).toBe(true);
    const v = (await runCliAsync(['validate', 'push-via-two-relays'], { cwd: elsewhere }));
    expect(v.status).toBe(0);
    const missing = (await runCliAsync(['run', 'no-such-scenario'], { cwd: elsewhere }));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nor a bundled scenario of that name');
  });

  it('lists the scenarios of a folder given to it, by the paths run accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-'));
    cpSync(join(root, 'scenarios/direct-session.yaml'), join(dir, 'mine.yaml'));
    const r = (await runCliAsync(['list', dir]));
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(new RegExp(`^${join(dir, 'mine.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +\\S`));
    expect((await runCliAsync(['list', join(dir, 'nothing-here')])).status).toBe(2);
  });

  it('writes a starter scenario that validates and runs, and refuses to overwrite', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'starter.yaml');
    expect((await runCliAsync(['new', file])).status).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^# yaml-language-server: \$schema=.*scenario\.schema\.json/);
    expect((await runCliAsync(['validate', file])).status).toBe(0);
    expect((await runCliAsync(['new', file])).status).toBe(2);
  });

  it('prints help with examples for every command', async () => {
    for (const cmd of ['run', 'validate', 'test', 'decode', 'list', 'new']) {
      const r = (await runCliAsync([cmd, '--help']));
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toContain('Examples:');
    }
  });
});

describe('control characters in strings written into protocol text', () => {
  const file = 'test/cli/fixtures/control-chars.yaml';
  const expected = [
    `${file}:5:61: nodes.psa.relays[0].username: the username contains a carriage return (CR) at character 4; control characters cannot be written in MSRP, SIP or SDP text`,
    `${file}:5:95: nodes.psa.relays[0].password: the password contains a line feed (LF) at character 3; control characters cannot be written in MSRP, SIP or SDP text`,
    `${file}:6:33: nodes.relay-a.host: the host name contains a carriage return (CR) at character 14; control characters cannot be written in MSRP, SIP or SDP text`,
    `${file}:6:63: nodes.relay-a.realm: the realm contains a carriage return (CR) at character 12; control characters cannot be written in MSRP, SIP or SDP text`,
  ];

  for (const command of ['validate', 'run']) {
    it(`${command}: each at FILE:LINE:COL naming the field, one line each, exit 2`, async () => {
      const r = await runCliAsync(command === 'run' ? ['run', file, '--out', join(mkdtempSync(join(tmpdir(), 'msrp-sim-')), 'run')] : ['validate', file]);
      expect(r.status).toBe(2);
      const errors = r.stderr.split('\n').filter((l) => l !== '' && !l.includes(': warning: '));
      expect(errors).toEqual(expected);
      expect(r.stdout.toString()).not.toContain('WireError');
    });
  }
});
