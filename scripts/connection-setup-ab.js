#!/usr/bin/env node
// Connection set-up and close per CPU-second, measured long enough to compare two builds: the
// `setups` case of bench/net.ts (2,000 connections over a 4-link chain, a 100-byte write, FIN
// both ways), run 5 times to warm up and then 30 times under process.cpuUsage. The bench's own
// case (7 runs) moves by 30 % between rounds on a shared machine; this one by less.
//
//   npx tsc -p tsconfig.bench.json            # in each tree (it builds .bench/)
//   node scripts/connection-setup-ab.js TREE  # TREE: a checkout with .bench/ built
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? '.');
const load = (rel) => import(pathToFileURL(resolve(root, '.bench', rel)).href);
const { Network } = await load('src/net/network.js');
const { Simulation } = await load('src/sim/simulation.js');

const CHAIN = ['h0', 'h1', 'h2', 'h3', 'h4'];

function setups(n) {
  const sim = new Simulation({ seed: 1 });
  sim.trace.addSink(() => {});
  const net = new Network(sim);
  for (const h of CHAIN) net.addHost(h);
  for (let i = 0; i + 1 < CHAIN.length; i++) net.addLink(CHAIN[i], CHAIN[i + 1], { latency: 1_000, bandwidth: 1e9 });
  let done = 0;
  const hello = new Uint8Array(100);
  net.host('h4').listen(2855, (c) => c.setHandlers({ onData: (x) => x.close() }));
  for (let i = 0; i < n; i++) {
    net.host('h0').connect({ host: 'h4', port: 2855 }, { onOpen: (c) => c.write(hello), onClose: () => done++ });
  }
  sim.run();
  return done;
}

for (let i = 0; i < 5; i++) setups(2000);
const start = process.cpuUsage();
let total = 0;
for (let i = 0; i < 30; i++) total += setups(2000);
const used = process.cpuUsage(start);
const cpu = (used.user + used.system) / 1e6;
console.log(`${root}: ${(total / cpu / 1000).toFixed(1)} k connections per CPU-second (${total} in ${cpu.toFixed(2)} CPU s)`);
