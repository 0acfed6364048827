/**
 * The SVG diagrams drawn on the thread the binary starts (src/cli/diagram-drawer.ts) are the bytes
 * drawn in-process: the thread is handed the flow model as plain data and draws it with the same
 * code. Checked on a scenario of several ladder pages: the built thread against the library
 * drawing in the test's own thread, and the binary against the same program run without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowCollector } from '../../src/output/flow.js';
import { drawDiagrams } from '../../src/output/diagrams.js';
import { svgEngine } from '../../src/output/svg-engine.js';
import { topologyOf } from '../../src/cli/outputs.js';
import { wantsDiagrams } from '../../src/cli/diagram-drawer.js';
import type * as DrawerModule from '../../src/cli/diagram-drawer.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import type { Scenario } from '../../src/scenario/types.js';
import { ensureBuilt, root, runCliAsync } from '../helpers/exec.js';

const file = 'scenarios/inter-relay-link-failure.yaml';

function scenario(): Scenario {
  const loaded = loadScenario(file, readFileSync(join(root, file), 'utf8'));
  if (!loaded.ok) throw new Error(`${file} does not load`);
  return loaded.scenario;
}

describe('the diagram thread', () => {
  const dirs: string[] = [];
  beforeAll(() => ensureBuilt());
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is started for the runs that draw an SVG, from the arguments', () => {
    const argv = (...args: string[]): string[] => ['node', 'msrp-sim', ...args];
    expect(wantsDiagrams(argv('run', 'a.yaml'))).toBe(true);
    expect(wantsDiagrams(argv('run', 'a.yaml', '--only', 'trace,sequence'))).toBe(true);
    expect(wantsDiagrams(argv('run', 'a.yaml', '--only=html'))).toBe(true);
    expect(wantsDiagrams(argv('run', 'a.yaml', '--no-svg'))).toBe(true);
    expect(wantsDiagrams(argv('run', 'a.yaml', '--only', 'trace,summary'))).toBe(false);
    expect(wantsDiagrams(argv('run', 'a.yaml', '--no-svg', '--no-html'))).toBe(false);
    expect(wantsDiagrams(argv('test', 'scenarios/'))).toBe(false);
    expect(wantsDiagrams(argv('--version'))).toBe(false);
  });

  it('draws the bytes drawn in-process', async () => {
    const s = scenario();
    const flow = new FlowCollector({ topology: topologyOf(s) });
    runScenario(s, { sinks: [(r) => flow.record(r)] });
    const model = flow.finish();
    const request = { ladder: { title: 'ladder', idPrefix: 'p' }, topology: { title: 'topology' } };
    const here = drawDiagrams(await svgEngine(), model, request);
    expect(here.pages.length).toBeGreaterThan(1);
    // The built thread, as the binary starts it.
    const drawer = (await import(join(root, 'dist/cli-bundle/diagram-drawer.js'))) as typeof DrawerModule;
    drawer.startDiagramThread();
    try {
      const draw = drawer.threadDrawer()!;
      expect(draw).not.toBeNull();
      const there = await draw(model, request);
      expect(there.topologySvg).toBe(here.topologySvg);
      expect(there.pages.map((p) => p.name)).toEqual(here.pages.map((p) => p.name));
      for (let i = 0; i < here.pages.length; i++) expect(there.pages[i], here.pages[i]!.name).toEqual(here.pages[i]);
    } finally {
      drawer.stopDiagramThread();
    }
  }, 60_000);

  it('gives `msrp-sim run` the files it writes without the thread', async () => {
    const threaded = mkdtempSync(join(tmpdir(), 'msrp-sim-diagrams-'));
    const single = mkdtempSync(join(tmpdir(), 'msrp-sim-diagrams-'));
    dirs.push(threaded, single);
    const run = await runCliAsync(['run', file, '--out', threaded, '--force']);
    expect(run.stderr).toBe('');
    // The same program without bin/msrp-sim.js, which is what starts the thread.
    const script = `import { main } from ${JSON.stringify(join(root, 'dist/cli-bundle/main.js'))}; process.exitCode = await main(process.argv);`;
    const plain = spawnSync(process.execPath, ['--input-type=module', '-e', script, 'msrp-sim', 'run', file, '--out', single, '--force'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(plain.stderr).toBe('');
    const names = readdirSync(single).sort();
    expect(readdirSync(threaded).sort()).toEqual(names);
    expect(names.filter((n) => n.endsWith('.svg')).length).toBeGreaterThan(3);
    for (const name of names) expect(readFileSync(join(threaded, name)).equals(readFileSync(join(single, name))), name).toBe(true);
  }, 60_000);
});
