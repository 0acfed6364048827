import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { topologyOf } from '../../src/cli/outputs.js';
import { outputsFromNdjson } from '../../src/output/index.js';
import { loadScenario } from '../../src/scenario/load.js';
import { colorEnabled, createStyle, stripStyle } from '../../src/cli/style.js';
import { failingFs, fakeIo } from '../helpers/fake-io.js';
import { MALFORMED, OK, SEND } from './fixtures.js';

const ESC = '\u001b[';

function loadTiny(file: string) {
  const loaded = loadScenario(file, fs.readFileSync(file, 'utf8'));
  if (!loaded.ok) throw new Error(loaded.problems[0]?.message ?? '');
  return loaded.scenario;
}

describe('colours', () => {
  it('only on a TTY, never with NO_COLOR', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    const s = createStyle(true);
    expect(s.red('x')).toBe(`${ESC}31mx${ESC}39m`);
    expect(stripStyle(s.bold(s.red('x')))).toBe('x');
    expect(createStyle(false).red('x')).toBe('x');
  });

  it('FORCE_COLOR forces colours on off a terminal (or off on one); NO_COLOR wins over it', () => {
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({}, { FORCE_COLOR: '3' })).toBe(true);
    expect(colorEnabled({}, { FORCE_COLOR: 'true' })).toBe(true);
    expect(colorEnabled({}, { FORCE_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: 'false' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });

  it('FORCE_COLOR colours the output of a command off a terminal', async () => {
    const forced = fakeIo({ stdin: SEND + MALFORMED + OK, env: { FORCE_COLOR: '1' } });
    expect(await main(['node', 'msrp-sim', 'decode', '-'], forced)).toBe(1);
    expect(forced.out()).toContain(ESC);
    const both = fakeIo({ stdin: SEND + MALFORMED + OK, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(await main(['node', 'msrp-sim', 'decode', '-'], both)).toBe(1);
    expect(both.out()).not.toContain(ESC);
  });

  it('decode writes colour to a terminal and plain text elsewhere', async () => {
    const tty = fakeIo({ stdin: SEND + MALFORMED + OK, tty: true });
    expect(await main(['node', 'msrp-sim', 'decode', '-'], tty)).toBe(1);
    expect(tty.out()).toContain(ESC);
    expect(tty.err()).toContain(ESC);
    expect(stripStyle(tty.out())).toContain('MSRP a786hjs2 SEND\n');

    const noColor = fakeIo({ stdin: SEND + MALFORMED + OK, tty: true, env: { NO_COLOR: '1' } });
    expect(await main(['node', 'msrp-sim', 'decode', '-'], noColor)).toBe(1);
    expect(noColor.out()).not.toContain(ESC);
    expect(noColor.err()).not.toContain(ESC);
    expect(noColor.out()).toBe(stripStyle(tty.out()));
  });
});

describe('error boundary', () => {
  it('maps usage errors to 2 and user errors to their status', async () => {
    const io = fakeIo();
    expect(await main(['node', 'msrp-sim', 'decode', '--format', 'yaml', '-'], io)).toBe(2);
    expect(io.err()).toMatch(/Allowed choices are text, json, wire/);
    const missing = fakeIo();
    expect(await main(['node', 'msrp-sim', 'decode', '/nonexistent/x.msrp'], missing)).toBe(2);
    expect(missing.err()).toBe('decode: cannot read /nonexistent/x.msrp: no such file\n');
  });

  it('an unknown command is a usage error whatever its options, --help included', async () => {
    for (const args of [['bogus'], ['bogus', '--help'], ['bogus', '-h'], ['--help', 'bogus'], ['bogus', '--version']]) {
      const io = fakeIo();
      expect(await main(['node', 'msrp-sim', ...args], io), args.join(' ')).toBe(2);
      expect(io.err()).toContain("unknown command 'bogus'");
      expect(io.out()).toBe('');
    }
    const help = fakeIo();
    expect(await main(['node', 'msrp-sim', '--help'], help)).toBe(0);
    expect(help.out()).toContain('Usage: msrp-sim');
    const sub = fakeIo();
    expect(await main(['node', 'msrp-sim', 'run', '--help'], sub)).toBe(0);
  });

  it('reports a disk that fills as an I/O error naming the file, exit 3, no stack, previous output kept', async () => {
    const tiny = fileURLToPath(new URL('fixtures/tiny.yaml', import.meta.url));
    const parent = mkdtempSync(join(tmpdir(), 'msrp-sim-full-'));
    const out = join(parent, 'run');
    expect(await main(['node', 'msrp-sim', 'run', tiny, '--out', out, '--only', 'trace,summary'], fakeIo())).toBe(0);
    const before = readFileSync(join(out, 'trace.ndjson'), 'utf8');
    const io = { ...fakeIo(), fs: failingFs('ENOSPC', 2000) };
    expect(await main(['node', 'msrp-sim', 'run', tiny, '--out', out], io)).toBe(3);
    expect(io.err()).toMatch(new RegExp(`^msrp-sim: cannot write ${out}/trace\\.ndjson: no space left on device \\(ENOSPC\\)`));
    expect(io.err()).toContain(`${out} is as it was before this run`);
    expect(io.err()).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(out, 'trace.ndjson'), 'utf8')).toBe(before);
    expect(readdirSync(parent)).toEqual(['run']);
  });

  it('writes the capture as the run goes: the file whole, nothing else left beside it', async () => {
    const tiny = fileURLToPath(new URL('fixtures/tiny.yaml', import.meta.url));
    const out = join(mkdtempSync(join(tmpdir(), 'msrp-sim-capture-')), 'run');
    expect(await main(['node', 'msrp-sim', 'run', tiny, '--out', out, '--only', 'pcap,trace'], fakeIo())).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.msrp-sim-outputs.json', 'capture.pcapng', 'trace.ndjson']);
    const files = await outputsFromNdjson(readFileSync(join(out, 'trace.ndjson'), 'utf8'), { only: ['capture.pcapng'], topology: topologyOf(loadTiny(tiny)) });
    expect(Buffer.from(readFileSync(join(out, 'capture.pcapng'))).equals(Buffer.from(files.get('capture.pcapng') as Uint8Array))).toBe(true);
  });

  for (const [when, limit] of [['its pieces', 100], ['its head and pieces put together', 6_000]] as const) {
    it(`reports a disk that fills while the capture is written (${when}), naming it, previous output kept`, async () => {
      const tiny = fileURLToPath(new URL('fixtures/tiny.yaml', import.meta.url));
      const parent = mkdtempSync(join(tmpdir(), 'msrp-sim-full-'));
      const out = join(parent, 'run');
      expect(await main(['node', 'msrp-sim', 'run', tiny, '--out', out, '--only', 'summary'], fakeIo())).toBe(0);
      const before = readFileSync(join(out, 'summary.json'), 'utf8');
      const io = { ...fakeIo(), fs: failingFs('ENOSPC', limit) };
      expect(await main(['node', 'msrp-sim', 'run', tiny, '--out', out, '--only', 'pcap'], io)).toBe(3);
      expect(io.err()).toMatch(new RegExp(`^msrp-sim: cannot write ${out}/capture\\.pcapng: no space left on device \\(ENOSPC\\)`));
      expect(io.err()).toContain(`${out} is as it was before this run`);
      expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);
      expect(readdirSync(parent)).toEqual(['run']);
    });
  }

  it('a swap that cannot rename the new set in puts the old one back and leaves no temporary', async () => {
    const tiny = fileURLToPath(new URL('fixtures/tiny.yaml', import.meta.url));
    const parent = mkdtempSync(join(tmpdir(), 'msrp-sim-rename-'));
    const out = join(parent, 'run');
    expect(await main(['node', 'msrp-sim', 'run', tiny, '--out', out, '--only', 'trace'], fakeIo())).toBe(0);
    const before = readFileSync(join(out, 'trace.ndjson'), 'utf8');
    const refusing: typeof fs = {
      ...fs,
      renameSync: (from: fs.PathLike, to: fs.PathLike) => {
        if (String(from).includes('.run.tmp-')) throw Object.assign(new Error('EROFS: simulated, rename'), { code: 'EROFS', syscall: 'rename' });
        fs.renameSync(from, to);
      },
    };
    const io = { ...fakeIo(), fs: refusing };
    expect(await main(['node', 'msrp-sim', 'run', tiny, '--out', out, '--only', 'trace,summary'], io)).toBe(3);
    expect(io.err()).toBe(`msrp-sim: cannot rename ${out}: read-only file system (EROFS)\n`);
    expect(readdirSync(out).sort()).toEqual(['.msrp-sim-outputs.json', 'trace.ndjson']);
    expect(readFileSync(join(out, 'trace.ndjson'), 'utf8')).toBe(before);
    expect(readdirSync(parent)).toEqual(['run']);
  });

  it('asks for input instead of waiting on a terminal', async () => {
    const io = fakeIo();
    io.stdin.isTTY = true;
    expect(await main(['node', 'msrp-sim', 'decode'], io)).toBe(2);
    expect(io.err()).toMatch(/no input/);
  });

  it('--version prints the package version', async () => {
    const io = fakeIo();
    expect(await main(['node', 'msrp-sim', '--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('text view', () => {
  it('escapes control characters from the wire', async () => {
    const evil = SEND.replace('Hey Bob, are you there?', 'Hey \u001b[31mBob\u0007 are you?');
    const io = fakeIo({ stdin: evil });
    await main(['node', 'msrp-sim', 'decode', '-'], io);
    expect(io.out()).not.toContain('\u001b');
    expect(io.out()).toContain('[binary body');
  });

  it('shortens long text bodies', async () => {
    const body = 'x'.repeat(5000);
    const frame = SEND.replace('Byte-Range: 1-23/23', `Byte-Range: 1-5000/5000`).replace('Hey Bob, are you there?', body);
    const io = fakeIo({ stdin: frame });
    expect(await main(['node', 'msrp-sim', 'decode', '-'], io)).toBe(0);
    expect(io.out()).toContain('[... 2952 more bytes not shown; 5000 bytes in all]');
  });
});
