/**
 * The real-time driver: virtual time follows the wall clock, input enters at the current time,
 * falling behind is a `live.lag` record, and every run ends (duration, stop, wall-clock limit).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Simulation } from '../../src/sim/simulation.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { RealtimeDriver } from '../../src/live/realtime-driver.js';

function recorded(sim: Simulation): AnyTraceRecord[] {
  const records: AnyTraceRecord[] = [];
  sim.trace.addSink((r) => records.push(r));
  return records;
}

describe('RealtimeDriver', () => {
  it('runs each event when the wall clock reaches its time, and ends at the duration', async () => {
    const sim = new Simulation({ seed: 1 });
    const records = recorded(sim);
    const driver = new RealtimeDriver(sim, { duration: 120_000 });
    const fired: { at: number; wall: number }[] = [];
    for (const at of [30_000, 60_000, 90_000]) sim.scheduler.at(at, () => fired.push({ at: sim.now, wall: driver.elapsed }));
    const t0 = performance.now();
    const outcome = await driver.run();
    const wallMs = performance.now() - t0;
    expect(outcome.reason).toBe('until');
    expect(fired.map((f) => f.at)).toEqual([30_000, 60_000, 90_000]);
    // Never early: an event runs once the wall clock has reached its virtual time.
    for (const f of fired) expect(f.wall).toBeGreaterThanOrEqual(f.at);
    expect(wallMs).toBeGreaterThanOrEqual(119);
    // (A busy machine may add a live.lag record: that is the point of it.)
    expect(records.map((r) => r.type).filter((t) => t !== 'live.lag')).toEqual(['trace.format', 'sim.start', 'sim.limit', 'sim.end']);
  });

  it('runs injected input as an event at the current wall-clock time, after the events due before it', async () => {
    const sim = new Simulation({ seed: 1 });
    const driver = new RealtimeDriver(sim, { duration: 200_000 });
    const order: string[] = [];
    let injectedAt = -1;
    let wallAtInject = -1;
    sim.scheduler.at(20_000, () => order.push('timer'));
    setTimeout(() => {
      wallAtInject = driver.elapsed;
      driver.inject(() => {
        injectedAt = sim.now;
        order.push('input');
        driver.stop('done');
      });
    }, 50);
    const outcome = await driver.run();
    expect(outcome.reason).toBe('stopped');
    expect(order).toEqual(['timer', 'input']);
    expect(injectedAt).toBeGreaterThanOrEqual(wallAtInject);
    expect(injectedAt).toBeLessThan(wallAtInject + 20_000);
  });

  // The lag tests read a wall clock that moves only as the test says (fake timers and
  // performance.now()): on a machine busy with other work the real one lags by itself.
  afterEach(() => {
    vi.useRealTimers();
  });

  it('records a live.lag once when an event runs later than its time by more than the threshold', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const sim = new Simulation({ seed: 1 });
    const records = recorded(sim);
    // A wall clock the model can push forward: a slow event is simulated by moving it by 50 ms.
    let skew = 0;
    const wall = () => performance.now() * 1000 + skew;
    const driver = new RealtimeDriver(sim, { duration: 100_000, lagThreshold: 10_000, wallClock: wall });
    sim.scheduler.at(10_000, () => {
      skew += 50_000;
    });
    sim.scheduler.at(20_000, () => undefined);
    sim.scheduler.at(21_000, () => undefined);
    const done = driver.run();
    await vi.runAllTimersAsync();
    await done;
    const lags = records.filter((r) => r.type === 'live.lag');
    expect(lags).toHaveLength(1);
    expect(lags[0]!.due).toBe(20_000);
    expect(lags[0]!.behind as number).toBeGreaterThanOrEqual(40_000);
  });

  it('does not record a lag when the run keeps up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const sim = new Simulation({ seed: 1 });
    const records = recorded(sim);
    const driver = new RealtimeDriver(sim, { duration: 60_000, lagThreshold: 1_000 });
    const fired: number[] = [];
    for (let t = 5_000; t < 60_000; t += 5_000) sim.scheduler.at(t, () => fired.push(driver.elapsed - t));
    const done = driver.run();
    await vi.runAllTimersAsync();
    await done;
    // Each event ran within the millisecond its timer is rounded up to, never before its time.
    expect(fired).toHaveLength(11);
    for (const late of fired) expect(late >= 0 && late < 1_000).toBe(true);
    expect(records.filter((r) => r.type === 'live.lag')).toEqual([]);
  });

  it('ends at the wall-clock limit when there is no duration, and ignores input afterwards', async () => {
    const sim = new Simulation({ seed: 1 });
    const records = recorded(sim);
    const driver = new RealtimeDriver(sim, { duration: Infinity, wallLimitMs: 60 });
    let ended = 0;
    driver.onEnd(() => ended++);
    const outcome = await driver.run();
    expect(outcome.reason).toBe('wall-limit');
    expect(ended).toBe(1);
    let ran = false;
    driver.inject(() => (ran = true));
    expect(ran).toBe(false);
    expect(records.some((r) => r.type === 'sim.limit' && r.limit === 'wall-clock')).toBe(true);
  });
});
