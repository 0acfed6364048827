/**
 * The CLI's bundle (scripts/build-cli.js): what `msrp-sim run` loads before it simulates is the
 * start-up of every small run, so the commands, the outputs nobody asked for, live mode, the sweep
 * engine and the diagram libraries stay out of the bundle's static imports (each is a chunk loaded
 * by `import()` when it is used). Read from the metafile esbuild writes next to the bundle.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root, runCli } from '../helpers/exec.js';

interface Meta {
  outputs: Record<string, { inputs: Record<string, unknown>; imports: { path: string; kind: string; external?: boolean }[] }>;
}

const BUNDLE = 'dist/cli-bundle';

let meta: Meta;
beforeAll(() => {
  ensureBuilt();
  meta = JSON.parse(readFileSync(join(root, BUNDLE, 'meta.json'), 'utf8')) as Meta;
});

/** The inputs (dist/ modules, packages) and external imports that `from` loads before it runs. */
function staticClosure(...from: string[]): { inputs: Set<string>; external: Set<string> } {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of meta.outputs[file]!.imports) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) external.add(i.path);
      else visit(i.path);
    }
  };
  from.forEach(visit);
  return { inputs: new Set([...seen].flatMap((file) => Object.keys(meta.outputs[file]!.inputs))), external };
}

function outputHolding(input: string): string {
  const file = Object.keys(meta.outputs).find((k) => meta.outputs[k]!.inputs[input] !== undefined);
  if (file === undefined) throw new Error(`no output of the bundle holds ${input}`);
  return file;
}

describe('the CLI bundle', () => {
  it('starts with no command loaded, and `run` without live mode, sweeps, other outputs or d3', () => {
    const main = `${BUNDLE}/main.js`;
    const atStart = staticClosure(main);
    expect([...atStart.inputs].filter((i) => i.startsWith('dist/cli/commands/'))).toEqual([]);

    const run = staticClosure(main, outputHolding('dist/cli/commands/run.js'));
    const unwanted = [...run.inputs].filter(
      (i) =>
        /^dist\/(live|sweep|cli\/sweep)\//.test(i) ||
        /^dist\/cli\/commands\/(?!run\.js$)/.test(i) ||
        /^dist\/output\/(pcap|html|timeline|flow|mermaid|diagrams|ladder|topology|report-step)/.test(i) ||
        /^node_modules\/(d3|d3-node|jsdom|piscina|bullmq|ioredis)\//.test(i),
    );
    expect(unwanted).toEqual([]);
    expect([...run.external].filter((e) => !e.startsWith('node:'))).toEqual([]);
    // What run does load: the model and the trace's packages, bundled.
    expect(run.inputs.has('dist/sim/simulation.js')).toBe(true);
    expect([...run.inputs].some((i) => i.startsWith('node_modules/rxjs/'))).toBe(true);
  });

  it('has the worker threads as entries beside the chunks that start them', () => {
    // new URL('./diagram-thread.js', import.meta.url), './sweep-thread.js' and './stream-file-thread.js'
    // resolve in one flat folder.
    for (const entry of ['main.js', 'diagram-drawer.js', 'diagram-thread.js', 'sweep-thread.js', 'stream-file-thread.js']) {
      expect(meta.outputs[`${BUNDLE}/${entry}`], entry).toBeDefined();
    }
    for (const file of Object.keys(meta.outputs)) expect(file.slice(BUNDLE.length + 1)).not.toContain('/');
  });

  it('finds the package files from the bundle: its version, the bundled scenarios', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const version = runCli(['--version']);
    expect(version.stdout.toString().trim()).toBe(pkg.version);
    const list = runCli(['list']);
    expect(list.status).toBe(0);
    expect(list.stdout.toString()).toMatch(/^push-via-two-relays +/m);
  });

  it('says in one line that a checkout without the bundle needs `npm run build`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-unbuilt-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(root, 'bin/msrp-sim.js'), join(dir, 'bin/msrp-sim.js'));
      const r = spawnSync(process.execPath, [join(dir, 'bin/msrp-sim.js'), '--version'], { encoding: 'utf8' });
      expect(r.status).toBe(3);
      expect(r.stderr).toBe(`msrp-sim: ${join(dir, 'dist/cli-bundle/diagram-drawer.js')} is missing: run \`npm run build\` in ${dir}/\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

