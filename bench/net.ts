/**
 * Network benchmark: segments through a chain of 4 links (every hop a scheduler event and a
 * `tcp.segment` record, counted by a sink as a trace writer would see them), and connection
 * set-up (handshake, a small exchange, FIN both ways).
 */
import { cpuPerSecond, cpuRate, formatCpuRate, formatResult, measure, type BenchCase } from './harness.js';
import { Network } from '../src/net/network.js';
import { Simulation } from '../src/sim/simulation.js';

const CHAIN = ['h0', 'h1', 'h2', 'h3', 'h4'];

function chain(): { sim: Simulation; net: Network; counts: { segments: number; records: number } } {
  const sim = new Simulation({ seed: 1 });
  const counts = { segments: 0, records: 0 };
  sim.trace.addSink((r) => {
    counts.records++;
    if (r.type === 'tcp.segment') counts.segments++;
  });
  const net = new Network(sim);
  for (const h of CHAIN) net.addHost(h);
  for (let i = 0; i + 1 < CHAIN.length; i++) net.addLink(CHAIN[i]!, CHAIN[i + 1]!, { latency: 1_000, bandwidth: 1e9 });
  return { sim, net, counts };
}

/** `connections` bulk transfers of `bytes` each from h0 to h4; returns the data segments delivered. */
function bulk(connections: number, bytes: number): { delivered: number; hops: number } {
  const { sim, net, counts } = chain();
  let delivered = 0;
  net.host('h4').listen(2855, (c) => c.setHandlers({ onData: () => delivered++ }));
  const payload = new Uint8Array(bytes);
  for (let i = 0; i < connections; i++) {
    net.host('h0').connect({ host: 'h4', port: 2855 }, {
      onOpen: (c) => {
        // MSRP-like writes: 2 KiB chunks with a header in front
        for (let o = 0; o < bytes; o += 2048) c.write(payload.subarray(o, Math.min(bytes, o + 2048)));
        c.close();
      },
    });
  }
  sim.run();
  return { delivered, hops: counts.segments };
}

function setups(n: number): number {
  const { sim, net } = chain();
  let done = 0;
  const hello = new Uint8Array(100);
  net.host('h4').listen(2855, (c) => c.setHandlers({ onData: (x) => x.close() }));
  for (let i = 0; i < n; i++) {
    net.host('h0').connect({ host: 'h4', port: 2855 }, { onOpen: (c) => c.write(hello), onClose: () => done++ });
  }
  sim.run();
  return done;
}

export async function run(): Promise<void> {
  const probe = bulk(4, 1_000_000);
  console.log(
    `net: 4 x 1 MB over a 4-link chain = ${probe.delivered} data segments delivered, ${probe.hops} segment hops (data and ACKs)`,
  );
  const perRun = probe.delivered;
  const hopsPerRun = probe.hops;
  const deliveredCase: BenchCase = { name: 'net: data segments delivered, 4-link chain', units: perRun, unitName: ' segments', run: () => bulk(4, 1_000_000) };
  const delivered = measure(deliveredCase);
  const deliveredCpu = cpuPerSecond(deliveredCase);
  console.log(`${formatResult(delivered, ' segments')}${formatCpuRate(deliveredCpu, ' segments')}`);
  const hopsPerSegment = hopsPerRun / perRun;
  console.log(
    formatResult(
      { ...delivered, name: 'net: segment hops (tcp.segment records)', unitsPerSecond: delivered.unitsPerSecond * hopsPerSegment, bestPerSecond: delivered.bestPerSecond * hopsPerSegment },
      ' hops',
    ) + formatCpuRate(deliveredCpu * hopsPerSegment, ' hops'),
  );
  const n = 2000;
  if (setups(n) !== n) throw new Error('not every connection closed');
  const setupCase: BenchCase = { name: 'net: connections set up and closed, 4 links', units: n, unitName: ' connections', run: () => setups(n) };
  console.log(`${formatResult(measure(setupCase), ' connections')}${cpuRate(setupCase)}`);
}
