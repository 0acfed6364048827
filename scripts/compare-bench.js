#!/usr/bin/env node
// "No slower than commit X", measured side by side on a shared machine: runs this tree's and
// another tree's benchmarks in alternating turns (A B B A A B ...), so that a machine whose speed
// drifts over minutes disturbs both alike, and prints each case's median over the turns, wall and
// per CPU-second, with the ratio of this tree to the other.
//
//   git worktree add /tmp/base <commit> && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   (cd /tmp/base && npm run build && npx tsc -p tsconfig.bench.json)
//   npm run build && npx tsc -p tsconfig.bench.json
//   node scripts/compare-bench.js /tmp/base --rounds 3 codec kernel net
//   node scripts/compare-bench.js /tmp/base --rounds 4 --scale /tmp/scale1k.yaml --only summary
//
// With --scale, each turn is one `msrp-sim run FILE --only ONLY` process of each tree, timed with
// its CPU time (user + system, every thread) from the kernel. The other tree is run as its own
// binary starts it; --base-node-flags adds flags to its `node` (e.g. a V8 flag this tree's binary
// sets for itself, to compare like with like).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';

const program = new Command()
  .argument('<base>', 'the other tree (a worktree of the commit to compare with, built)')
  .argument('[suites...]', 'bench suites (npm run bench -- SUITE)', [])
  .option('--rounds <n>', 'turns per tree', (v) => Number(v), 3)
  .option('--scale <file>', 'compare `msrp-sim run FILE` instead of bench suites')
  .option('--only <outputs>', 'the --only of the scale runs', 'summary')
  .option('--base-node-flags <flags>', 'node flags for the other tree', '')
  .parse();

const [baseArg, suites] = program.processedArgs;
const opts = program.opts();
const trees = { base: resolve(baseArg), head: resolve('.') };
const order = (round) => (round % 2 === 0 ? ['base', 'head'] : ['head', 'base']);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(tree, args, cwd) {
  const flags = tree === 'base' && opts.baseNodeFlags ? opts.baseNodeFlags.split(/\s+/) : [];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'node', ...flags, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${tree}: node ${args.join(' ')} failed:\n${r.stderr}`);
  const [wall, user, sys, rssKb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { stdout: r.stdout, wall, cpu: user + sys, rssMb: rssKb / 1024 };
}

if (opts.scale !== undefined) {
  const scenario = resolve(opts.scale);
  const got = { base: [], head: [] };
  for (let round = 0; round < opts.rounds; round++) {
    for (const tree of order(round)) {
      const out = mkdtempSync(join(tmpdir(), 'msrp-sim-compare-'));
      try {
        const m = timed(tree, [join(trees[tree], 'bin/msrp-sim.js'), 'run', scenario, '--only', opts.only, '--out', out, '--force'], trees[tree]);
        got[tree].push(m);
        console.log(`round ${round + 1} ${tree}: wall ${m.wall.toFixed(2)} s, CPU ${m.cpu.toFixed(2)} s, peak ${m.rssMb.toFixed(0)} MiB`);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
  }
  const cpu = { base: median(got.base.map((m) => m.cpu)), head: median(got.head.map((m) => m.cpu)) };
  const wall = { base: median(got.base.map((m) => m.wall)), head: median(got.head.map((m) => m.wall)) };
  console.log(`median CPU: base ${cpu.base.toFixed(2)} s, head ${cpu.head.toFixed(2)} s: head takes ${(cpu.head / cpu.base).toFixed(3)}× the CPU time`);
  console.log(`median wall: base ${wall.base.toFixed(2)} s, head ${wall.head.toFixed(2)} s: ${(wall.head / wall.base).toFixed(3)}×`);
} else {
  // Bench lines: "NAME   RATE UNIT/s ... [RATE UNIT per CPU-second]".
  const line = /^(.*?)\s+([\d.]+) ([kM] )?[\w-]+\/s.*\[([\d.]+) ([kM] )?[\w-]+ per CPU-second\]/;
  const scale = (unit) => (unit === undefined ? 1 : unit.trim() === 'k' ? 1e3 : 1e6);
  const got = { base: new Map(), head: new Map() };
  for (let round = 0; round < opts.rounds; round++) {
    for (const tree of order(round)) {
      const m = timed(tree, ['--expose-gc', '.bench/bench/run.js', ...suites], trees[tree]);
      for (const l of m.stdout.split('\n')) {
        const x = line.exec(l);
        if (!x) continue;
        const name = x[1].trim();
        if (!got[tree].has(name)) got[tree].set(name, { wall: [], cpu: [] });
        got[tree].get(name).wall.push(Number(x[2]) * scale(x[3]));
        got[tree].get(name).cpu.push(Number(x[4]) * scale(x[5]));
      }
      console.error(`round ${round + 1} ${tree}: ${m.wall.toFixed(0)} s`);
    }
  }
  console.log(`${'case'.padEnd(48)} ${'base/CPU-s'.padStart(11)} ${'head/CPU-s'.padStart(11)}  head/base (per CPU-s, wall)`);
  for (const [name, h] of got.head) {
    const b = got.base.get(name);
    if (!b) continue;
    const fmt = (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${(v / 1e3).toFixed(1)} k`).padStart(11);
    console.log(`${name.slice(0, 48).padEnd(48)} ${fmt(median(b.cpu))} ${fmt(median(h.cpu))}  ${(median(h.cpu) / median(b.cpu)).toFixed(3)}  ${(median(h.wall) / median(b.wall)).toFixed(3)}`);
  }
}
