/**
 * Finds a relay's size thresholds by bisection on frame bytes (issue 15: "find the exact thresholds
 * by bisection, on frame bytes, and check they do not depend on path length"). Not a test: run
 *   npx vite-node test/differential/bisect-sizes.ts [kamailio|profile]
 * and pin what it prints in sizes.ts. Each probe is a fresh pair of authenticated clients; alice
 * sends one SEND of exactly N bytes along [alice's Use-Path, bob's Use-Path, bob] (long: bob's URI
 * padded by 200 bytes), and the outcome is what she and bob saw.
 */
import { startLiveRelay } from '../../src/live/live-relay.js';
import { startKamailio } from '../../scripts/kamailio.js';
import { login, runFlow, type FlowContext, type Target } from './harness.js';
import { sizedSend, USERS } from './flows.js';
import { normalize } from './normalize.js';

const which = process.argv[2] ?? 'kamailio';

async function outcome(target: Target, bytes: number, pad: number): Promise<string> {
  const to = (ctx: FlowContext): string[] => [ctx.usePath(0), ctx.usePath(1), ctx.me(1) + (pad > 0 ? `;x=${'p'.repeat(pad)}` : '')];
  const t = await runFlow({ name: 'size', quiet: 600, steps: [...login(0, 'alice', 'secret'), ...login(1, 'bob', 'hunter2'), { send: 0, frame: sizedSend(0, 10, to, bytes) }, { wait: 0, frames: 3 }, { wait: 1, frames: 3 }] }, target);
  const a = t[0]!.slice(2).map((s) => ('frame' in s ? s.frame.split('\r\n')[0]!.replace(/^MSRP \S+ /, '') : 'closed' in s ? 'closed' : 'garbage'));
  const b = t[1]!.slice(2).map((s) => ('frame' in s ? `got ${s.frame.length}` : 'closed' in s ? 'closed' : 'garbage'));
  void normalize;
  return `alice: ${a.join(',') || '-'}; bob: ${b.length > 0 ? 'got' : '-'}`;
}

async function bisect(target: Target, lo: number, hi: number, pad: number): Promise<[number, string, string]> {
  const low = await outcome(target, lo, pad);
  const high = await outcome(target, hi, pad);
  if (low === high) return [NaN, low, high];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await outcome(target, mid, pad)) === low) lo = mid;
    else hi = mid;
  }
  return [hi, low, await outcome(target, hi, pad)];
}

let target: Target;
let stop: () => Promise<void>;
if (which === 'kamailio') {
  const k = await startKamailio({ users: USERS });
  target = { host: k.host, port: k.port, uri: k.uri };
  stop = () => k.stop();
} else {
  const r = await startLiveRelay({ listen: { host: '127.0.0.1', port: 0 }, profile: 'kamailio', realm: 'example.com', users: USERS, duration: 3_600_000_000, seed: 1 });
  target = { host: r.address.host, port: r.address.port, uri: r.uri };
  stop = async () => {
    r.stop('done');
    await r.done;
  };
}
for (const pad of [0, 200]) {
  for (const s of [1000, 4000, 8000, 11000, 12000, 16000, 17000, 20000, 40000, 70000]) console.log(`pad ${pad} size ${s}: ${await outcome(target, s, pad)}`);
}
for (const pad of [0, 200]) {
  const bounds: [number, number][] = [[1000, 12000], [12000, 17000], [17000, 70000]];
  for (const [lo, hi] of bounds) console.log(`pad ${pad} [${lo}, ${hi}]:`, await bisect(target, lo, hi, pad));
}
await stop();
process.exit(0);
