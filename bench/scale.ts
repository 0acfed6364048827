/**
 * Scale benchmark (SPEC §9, "Scale" and "Small runs").
 *
 * Scale: loads and runs scenarios/large/scale-10k.yaml (10,000 receivers behind 100 relays) with
 * the canonical trace streamed to a temporary file the way `msrp-sim run` writes trace.ndjson,
 * and reports wall time (load and run), frame-hops (`msrp.send` records: one MSRP frame written
 * onto one TCP connection), events, records, trace bytes and peak RSS. The run happens in a
 * child process of its own, so that its peak RSS is that of the run alone.
 *
 * Small runs: `node bin/msrp-sim.js run scenarios/push-via-two-relays.yaml` end to end (spawned,
 * start-up included), every output the build writes, median of several runs. Uses dist/ (the
 * bench script builds it first).
 *
 * `SCALE_SCENARIO=FILE` runs another scenario instead (a smaller one made with
 * scripts/gen-scale-scenario.js, for profiling); `SCALE_TRACE=0` runs without the trace writer,
 * to tell the model's cost from the trace's. The child gets the V8 flag the binary sets
 * (`--no-allocation-site-pretenuring`); `SCALE_NODE_FLAGS=` (empty) runs it with V8's defaults.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository: this file runs from .bench/bench/ after `tsc -p tsconfig.bench.json`. */
const root = resolve(here, '../..');
const SCENARIO = resolve(root, 'scenarios/large/scale-10k.yaml');
const TEACHING = resolve(root, 'scenarios/push-via-two-relays.yaml');

interface ScaleFigures {
  scenario: string;
  loadSeconds: number;
  runSeconds: number;
  /** CPU time of the run (user and system): the figure to trust on a loaded machine. */
  runCpuSeconds: number;
  frameHops: number;
  events: number;
  records: number;
  traceBytes: number;
  maxRssBytes: number;
  heapUsedAfterBytes: number;
  virtualSeconds: number;
  passed: boolean;
  trace: boolean;
}

/** The measured run, in the child process. */
async function child(file: string, withTrace: boolean): Promise<ScaleFigures> {
  const { loadScenario } = await import('../src/scenario/load.js');
  const { runScenario } = await import('../src/scenario/run.js');
  const { canonicalLine } = await import('../src/scenario/golden.js');
  const { StreamFile } = await import('../src/cli/output-dir.js');
  const t0 = performance.now();
  const loaded = loadScenario(file, readFileSync(file, 'utf8'));
  if (!loaded.ok) throw new Error(`${file} does not load: ${loaded.problems[0]?.message ?? ''}`);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-scale-'));
  const tracePath = join(dir, 'trace.ndjson');
  const out = withTrace ? new StreamFile(tracePath) : null;
  let frameHops = 0;
  try {
    const result = runScenario(loaded.scenario, {
      sinks: [
        (r) => {
          if (r.type === 'msrp.send') frameHops++;
          out?.write(canonicalLine(r) + '\n');
        },
      ],
    });
    out?.close();
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    return {
      scenario: loaded.scenario.name,
      loadSeconds: (t1 - t0) / 1000,
      runSeconds: (t2 - t1) / 1000,
      runCpuSeconds: (cpu.user + cpu.system) / 1e6,
      frameHops,
      events: result.outcome.events,
      records: result.records,
      traceBytes: withTrace ? statSync(tracePath).size : 0,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedAfterBytes: process.memoryUsage().heapUsed,
      virtualSeconds: result.outcome.time / 1e6,
      passed: result.passed,
      trace: withTrace,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;

function scale(): void {
  const file = process.env.SCALE_SCENARIO ? resolve(process.env.SCALE_SCENARIO) : SCENARIO;
  const withTrace = process.env.SCALE_TRACE !== '0';
  const started = performance.now();
  // The child runs with the V8 flag bin/msrp-sim.js sets for itself, so that it measures the model
  // as `msrp-sim run` runs it (docs/performance.md, "Pretenuring"); SCALE_NODE_FLAGS replaces it
  // (empty: V8's defaults, as a library user's process has them).
  const flags = (process.env.SCALE_NODE_FLAGS ?? '--no-allocation-site-pretenuring').split(/\s+/).filter((f) => f !== '');
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', file, withTrace ? 'trace' : 'no-trace'], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`scale run failed (${r.status}): ${r.stderr}`);
  const f = JSON.parse(r.stdout.trim().split('\n').pop()!) as ScaleFigures;
  const total = f.loadSeconds + f.runSeconds;
  console.log(`scale: ${f.scenario}${f.trace ? '' : ' (no trace writer)'}: ${f.passed ? 'expectations held' : 'EXPECTATIONS FAILED'}, ${f.virtualSeconds.toFixed(0)} s virtual`);
  console.log(`scale: load ${f.loadSeconds.toFixed(2)} s + run ${f.runSeconds.toFixed(2)} s = ${total.toFixed(2)} s (process ${wall.toFixed(2)} s; bar: 20 s); run CPU time ${f.runCpuSeconds.toFixed(2)} s`);
  console.log(
    `scale: ${(f.frameHops / 1e6).toFixed(3)} M frame-hops (bar: 1 M), ${(f.frameHops / f.runSeconds / 1e3).toFixed(1)} k frame-hops/s, ` +
      `${(f.events / 1e6).toFixed(2)} M events, ${(f.records / 1e6).toFixed(2)} M records (${(f.records / f.runSeconds / 1e3).toFixed(0)} k/s)`,
  );
  console.log(`scale: trace ${mib(f.traceBytes)} (${(f.traceBytes / Math.max(1, f.frameHops)).toFixed(0)} bytes per frame-hop), peak RSS ${mib(f.maxRssBytes)} (bar: 1536 MiB), heap after the run ${mib(f.heapUsedAfterBytes)}`);
}

function smallRuns(): void {
  const bin = resolve(root, 'bin/msrp-sim.js');
  const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-small-'));
  const times: number[] = [];
  let outputs = '';
  try {
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      const r = spawnSync(process.execPath, [bin, 'run', TEACHING, '--out', join(dir, 'out')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      times.push((performance.now() - started) / 1000);
      if (r.status !== 0) throw new Error(`msrp-sim run failed (${r.status}): ${r.stderr}`);
      outputs = r.stdout
        .split('\n')
        .filter((l) => l.startsWith(`    ${join(dir, 'out')}`))
        .map((l) => l.trim().slice(join(dir, 'out').length + 1))
        .join(', ');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`small runs: msrp-sim run push-via-two-relays.yaml, start-up included: median ${median.toFixed(2)} s of ${times.length} (min ${sorted[0]!.toFixed(2)}, max ${sorted[sorted.length - 1]!.toFixed(2)}; bar: 1.5 s); outputs: ${outputs}`);
}

export async function run(): Promise<void> {
  smallRuns();
  scale();
}

if (process.argv[2] === '--child') {
  const figures = await child(process.argv[3]!, process.argv[4] !== 'no-trace');
  console.log(JSON.stringify(figures));
}
