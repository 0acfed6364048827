/** Runs the BUILT binary the way a user does, with NO_COLOR=1, and captures what it writes. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * `npm test` builds first; running vitest alone builds here if the CLI's bundle is missing: the
 * steps of `npm run build` (tsc, the vendor bundles, then the CLI's bundle that bin/ runs).
 */
export function ensureBuilt(): void {
  if (existsSync(join(root, 'dist/cli-bundle/main.js'))) return;
  const steps = [
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    [join(root, 'scripts/build-vendor.js')],
    [join(root, 'scripts/build-cli.js')],
  ];
  for (const step of steps) {
    const r = spawnSync(process.execPath, step, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed (${step.join(' ')}):\n${r.stdout}${r.stderr}`);
  }
}

export function runCli(args: string[], options: { input?: Uint8Array | string; env?: Record<string, string>; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [join(root, 'bin/msrp-sim.js'), ...args], {
    cwd: options.cwd ?? root,
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/**
 * runCli without blocking the test worker: a file of many synchronous runs can hold its event
 * loop for longer than vitest's worker RPC waits for an answer.
 */
export function runCliAsync(args: string[], options: { input?: Uint8Array | string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/msrp-sim.js'), ...args], {
      cwd: options.cwd ?? root,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.input !== undefined) {
      // A child that exits before reading all of its input is the child's business, not an error here.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
