/**
 * The package as another project gets it: `npm pack` (what `npm publish` would upload), installed
 * into a fresh project from the tarball (dependencies from npm's cache where it has them), the
 * example under examples/consumer/ compiled against the package's own type declarations and run,
 * and the installed binary run on a bundled scenario by name.
 */
import { execFile, type ExecFileOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root } from '../helpers/exec.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-consumer-'));

/** Runs a program without blocking the test worker (npm takes tens of seconds). */
function sh(cmd: string, args: string[], options: ExecFileOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { cwd: dir, encoding: 'utf8', timeout: 240_000, maxBuffer: 16 * 1024 * 1024, ...options, env: { ...process.env, NO_COLOR: '1', npm_config_loglevel: 'error', ...options.env } },
      (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${String(stdout)}${String(stderr)}`)) : resolve(String(stdout))),
    );
  });
}

beforeAll(async () => {
  ensureBuilt();
  // npm test has just built dist/; packing must not rebuild it under the other tests' feet.
  await sh(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  for (const f of ['package.json', 'tsconfig.json', 'main.ts']) copyFileSync(join(root, 'examples/consumer', f), join(dir, f));
  await sh(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`, '@types/node@20']);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }), 60_000);

describe('msrp-sim installed as a package', () => {
  it('ships what it needs and nothing that builds on install', () => {
    const pkg = join(dir, 'node_modules/msrp-sim');
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'schema/scenario.schema.json', 'scenarios/push-via-two-relays.yaml']) {
      expect(existsSync(join(pkg, f)), f).toBe(true);
    }
    // Every source map names a source that shipped.
    const map = JSON.parse(readFileSync(join(pkg, 'dist/index.js.map'), 'utf8')) as { sources: string[] };
    for (const s of map.sources) expect(existsSync(join(pkg, 'dist', s)), s).toBe(true);
  });

  it('compiles the example against the package types and runs it', async () => {
    await sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
    const out = await sh(process.execPath, ['dist/main.js']);
    expect(out).toContain('ok: both expectations hold');
    expect(out).toContain('ok: trace$ shows the delivery at bob');
    expect(out).toContain('ok: parse and serialize round trip');
    expect(out.match(/^ok: /gm)?.length).toBe(7);
  });

  it('runs a bundled scenario by the name list prints', async () => {
    const first = (await sh('npx', ['--no-install', 'msrp-sim', 'list'])).split('\n')[0]!.split(' ')[0]!;
    await sh('npx', ['--no-install', 'msrp-sim', 'run', first, '--only', 'summary']);
    expect(existsSync(join(dir, 'out', first, 'summary.json'))).toBe(true);
  });
});
