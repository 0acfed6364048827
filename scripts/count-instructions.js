#!/usr/bin/env node
// "No slower than commit X" on a machine whose speed drifts by tens of per cent between runs:
// counts the instructions the scale benchmark's child executes (valgrind's cachegrind; no cache
// simulation unless --cache), for this tree and other trees, both at once (the counts do not
// depend on what else the machine runs), and sorts them by what V8 spent them on: the model's
// compiled code, TurboFan compiling it, the garbage collector, the interpreter's and baseline
// code's inline caches, and the rest.
//
//   node scripts/count-instructions.js /tmp/base . --scenario /tmp/scale200.yaml
//   node scripts/count-instructions.js . --flags=--max-inlined-bytecode-size-cumulative=500
//   node scripts/count-instructions.js /tmp/base . --scenario s.yaml --cli trace,summary
//   node scripts/count-instructions.js /tmp/base . --bench codec --iterations 200 [--case NAME]
//
// Each tree must be built with its bench (npm run build && npx tsc -p tsconfig.bench.json). The
// child runs single-threaded (`--single-threaded`: TurboFan and the GC on the main thread, so
// their work is counted) with fixed hash and random seeds; two runs of one build agree to about
// 1 %, but for the garbage collector's group, which V8 schedules partly by time (up to 30 % apart
// on one build: compare the other groups on their own when it moves). A count is of the whole process: start-up and the scenario's load included (load the same
// scenario with `--load-only` to subtract them). Instructions are not time (a cache miss costs
// tens of them); `--cache` adds cachegrind's simulated first-level and last-level data misses.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';

const program = new Command()
  .argument('<trees...>', 'trees to measure (worktrees of the commits to compare, built with their bench)')
  .option('--scenario <file>', 'the scenario the child runs (scripts/gen-scale-scenario.js)', 'scenarios/push-via-two-relays.yaml')
  .option('--flags <flags>', 'extra node flags for every tree', '')
  .option('--cache', 'simulate the caches too (slower)', false)
  .option('--load-only', 'count start-up and loading the scenario only', false)
  .option('--cli <outputs>', "run each tree's own binary as a user does (`msrp-sim run --only OUTPUTS`, with the V8 flags that binary sets itself) instead of the bench child")
  .option('--bench <suite>', "a benchmark suite (`npm run bench -- SUITE`) with fixed work instead of timing: every case run --iterations times (bench/harness.ts); each tree needs that harness")
  .option('--iterations <n>', 'runs of each case with --bench', (v) => Number(v), 100)
  .option('--case <name>', 'with --bench: only the case of this name')
  .option('--jobs <n>', 'trees measured at once', (v) => Number(v), 2)
  .parse();

const opts = program.opts();
const scenario = resolve(opts.scenario);
const work = mkdtempSync(join(tmpdir(), 'msrp-sim-instructions-'));

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('count-instructions: valgrind is not installed (Debian package valgrind)');
  process.exit(2);
}

/** Instructions of one tree's child, by group. */
function count(tree, index) {
  const out = join(work, `cg.${index}`);
  const child = opts.loadOnly
    ? ['--input-type=module', '-e', loadOnly(tree)]
    : opts.bench
      ? ['--expose-gc', join(tree, '.bench/bench/run.js'), opts.bench]
      : opts.cli
      ? [join(tree, 'bin/msrp-sim.js'), 'run', scenario, '--only', opts.cli, '--out', join(work, `out.${index}`)]
      : [join(tree, '.bench/bench/scale.js'), '--child', scenario, 'no-trace'];
  const args = [
    '--tool=cachegrind',
    `--cache-sim=${opts.cache ? 'yes' : 'no'}`,
    `--cachegrind-out-file=${out}`,
    '--smc-check=all-non-file',
    process.execPath,
    // As a user runs it: a tree's binary sets the flags it needs; the bench child and the load get
    // the flag the binary sets since the trace started holding its set-up records.
    ...(opts.cli || opts.bench ? [] : ['--no-allocation-site-pretenuring']),
    '--single-threaded',
    '--hash-seed=1',
    '--random-seed=1',
    ...opts.flags.split(/\s+/).filter(Boolean),
    ...child,
  ];
  return new Promise((done, fail) => {
    const env = { ...process.env, ...(opts.bench ? { BENCH_ITERATIONS: String(opts.iterations), ...(opts.case ? { BENCH_CASE: opts.case } : {}) } : {}) };
    const p = spawn('valgrind', args, { cwd: tree, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      if (code !== 0) return fail(new Error(`${tree}: exit ${code}\n${err.slice(-2000)}`));
      const g = groups(out);
      if (g.total === 0) return fail(new Error(`${tree}: cachegrind counted nothing\n${err.slice(-2000)}`));
      done(g);
    });
  });
}

function loadOnly(tree) {
  const src = join(tree, '.bench/src');
  // One line: cachegrind writes the command into its file, and cg_annotate reads that file by lines.
  return [
    `import { readFileSync } from 'node:fs'`,
    `const { loadScenario } = await import(${JSON.stringify(join(src, 'scenario/load.js'))})`,
    `await import(${JSON.stringify(join(src, 'scenario/run.js'))})`,
    `const loaded = loadScenario(${JSON.stringify(scenario)}, readFileSync(${JSON.stringify(scenario)}, 'utf8'))`,
    `if (!loaded.ok) process.exit(1)`,
  ].join('; ');
}

/** cg_annotate's per-function counts summed by what the instructions were spent on. */
function groups(file) {
  const r = spawnSync('cg_annotate', ['--threshold=0', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const sums = new Map();
  let total = 0;
  const misses = {};
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^\s*([\d,]+) \(\s*[\d.]+%\)\s+(?:[\d,]+ \(\s*[\d.]+%\)\s+)*(.*)$/);
    if (!m) continue;
    const ir = Number(m[1].replaceAll(',', ''));
    const fn = m[2];
    if (fn.startsWith('PROGRAM TOTALS')) {
      total = ir;
      continue;
    }
    const g = groupOf(fn);
    sums.set(g, (sums.get(g) ?? 0) + ir);
  }
  if (opts.cache) {
    const summary = r.stdout.match(/^\s*Ir\s+.*$/m);
    const totals = r.stdout.split('\n').find((l) => l.includes('PROGRAM TOTALS'));
    if (summary && totals) {
      const names = summary[0].trim().split(/\s+/);
      const values = totals.trim().split(/\s+/).filter((v) => /^[\d,]+$/.test(v));
      names.forEach((n, i) => (misses[n] = Number((values[i] ?? '0').replaceAll(',', ''))));
    }
  }
  return { total, sums, misses };
}

function groupOf(fn) {
  if (fn === '???:???') return 'compiled code (the model, JIT)';
  if (/compiler::|turboshaft|maglev/i.test(fn)) return 'TurboFan compiling';
  if (/Scaveng|Marking|MarkCompact|Evacuat|Sweeper|IteratePointers|RecordWrite|heap::|Heap::/.test(fn)) return 'garbage collection';
  if (/^\?\?\?:Builtins_\w*IC/.test(fn) || /Baseline/.test(fn)) return 'inline caches, baseline code';
  if (/Parser|Scanner|interpreter::|Bytecode|Preparse/.test(fn)) return 'parsing, bytecode';
  if (fn.startsWith('???:Builtins_')) return 'other builtins';
  return 'the rest (runtime, libc, Node)';
}

const trees = program.args.map((t) => resolve(t));
const results = new Array(trees.length);
let next = 0;
async function worker() {
  while (next < trees.length) {
    const i = next++;
    results[i] = await count(trees[i], i);
  }
}
try {
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
} finally {
  rmSync(work, { recursive: true, force: true });
}

const names = [...new Set(results.flatMap((r) => [...r.sums.keys()]))].sort((a, b) => (results[0].sums.get(b) ?? 0) - (results[0].sums.get(a) ?? 0));
const fmt = (n) => (n / 1e9).toFixed(3).padStart(9);
const what = opts.loadOnly
  ? `start-up and load of ${scenario}`
  : opts.cli
    ? `msrp-sim run --only ${opts.cli} ${scenario}`
    : opts.bench
      ? `bench ${opts.bench}${opts.case ? ` case "${opts.case}"` : ''}, ${opts.iterations} runs of each case`
      : `the scale child on ${scenario}`;
console.log(`instructions (×10⁹) of ${what}${opts.flags ? ` with ${opts.flags}` : ''}`);
console.log(`${'group'.padEnd(34)}${trees.map((_, i) => `   tree ${i + 1}`).join('')}${trees.length > 1 ? '  last/first' : ''}`);
for (const n of [...names, 'total']) {
  const vals = results.map((r) => (n === 'total' ? r.total : r.sums.get(n) ?? 0));
  const ratio = trees.length > 1 && vals[0] > 0 ? (vals[vals.length - 1] / vals[0]).toFixed(3).padStart(12) : '';
  console.log(`${n.padEnd(34)}${vals.map(fmt).join('')}${ratio}`);
}
if (opts.cache) for (const k of ['D1mr', 'D1mw', 'DLmr', 'DLmw']) console.log(`${k.padEnd(34)}${results.map((r) => fmt(r.misses[k] ?? 0)).join('')}`);
trees.forEach((t, i) => console.log(`tree ${i + 1}: ${t}`));
