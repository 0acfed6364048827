/** Kernel benchmark: scheduled events per second through the scheduler's heap. */
import { cpuRate, formatResult, measure, type BenchCase } from './harness.js';
import { Scheduler } from '../src/sim/scheduler.js';

/** Events that each schedule a successor at a pseudo-random later time, with `live` events pending. */
function churn(live: number, events: number): () => number {
  return () => {
    const s = new Scheduler();
    let x = 12345;
    let left = events;
    const step = (): void => {
      if (left-- <= 0) return;
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      s.after(1 + (x % 1000), step);
    };
    for (let i = 0; i < live; i++) s.after(i, step);
    return s.run().events;
  };
}

/** Timers armed and cancelled before they fire (retransmission and transaction timers). */
function cancelHeavy(events: number): () => number {
  return () => {
    const s = new Scheduler();
    let left = events;
    const step = (): void => {
      if (left-- <= 0) return;
      const guard = s.after(30_000_000, () => undefined);
      s.after(10, () => {
        s.cancel(guard);
        step();
      });
    };
    step();
    return s.run().events;
  };
}

export async function run(): Promise<void> {
  const n = 200_000;
  const cases: BenchCase[] = [
    ...[1, 100, 10_000].map((live) => ({ name: `kernel: events, ${live} pending`, units: n, unitName: ' events', run: churn(live, n) })),
    { name: 'kernel: events with a cancelled timer each', units: n, unitName: ' events', run: cancelHeavy(n / 2) },
  ];
  for (const c of cases) console.log(`${formatResult(measure(c), ' events')}${cpuRate(c)}`);
}
