import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/sim/scheduler.js';

describe('Scheduler', () => {
  it('runs events in time order and same-time events in scheduling order', () => {
    const s = new Scheduler();
    const order: string[] = [];
    s.at(20, () => order.push('c'));
    s.at(10, () => order.push('a'));
    s.at(10, () => order.push('b'));
    s.at(0, () => order.push('first'));
    s.run();
    expect(order).toEqual(['first', 'a', 'b', 'c']);
    expect(s.now).toBe(20);
  });

  it('runs an event scheduled for now after those already due now', () => {
    const s = new Scheduler();
    const order: string[] = [];
    s.at(5, () => {
      order.push('x');
      s.after(0, () => order.push('z'));
    });
    s.at(5, () => order.push('y'));
    s.run();
    expect(order).toEqual(['x', 'y', 'z']);
  });

  it('skips cancelled timers', () => {
    const s = new Scheduler();
    const order: number[] = [];
    const t = s.at(10, () => order.push(10));
    s.at(20, () => order.push(20));
    s.cancel(t);
    s.cancel(t);
    expect(t.cancelled).toBe(true);
    expect(s.pending).toBe(1);
    s.run();
    expect(order).toEqual([20]);
  });

  it('refuses times in the past and fractional microseconds', () => {
    const s = new Scheduler();
    s.at(10, () => undefined);
    s.run();
    expect(() => s.at(5, () => undefined)).toThrow(RangeError);
    expect(() => s.after(0.5, () => undefined)).toThrow(RangeError);
  });

  it('stops at the virtual time limit without running later events', () => {
    const s = new Scheduler();
    const ran: number[] = [];
    for (const t of [10, 20, 30]) s.at(t, () => ran.push(t));
    expect(s.run({ until: 20 })).toEqual({ reason: 'until', time: 20, events: 2 });
    expect(ran).toEqual([10, 20]);
    expect(s.run()).toEqual({ reason: 'idle', time: 30, events: 1 });
  });

  it('stops after the event limit', () => {
    const s = new Scheduler();
    const tick = (): void => void s.after(1, tick);
    tick();
    const out = s.run({ maxEvents: 1000 });
    expect(out.reason).toBe('max-events');
    expect(out.events).toBe(1000);
    expect(s.now).toBe(1000);
  });

  it('returns when the model asks to stop', () => {
    const s = new Scheduler();
    s.at(1, () => s.stop('enough'));
    s.at(2, () => undefined);
    expect(s.run()).toEqual({ reason: 'stopped', time: 1, events: 1, why: 'enough' });
  });

  it('keeps the heap bounded when timers are re-armed many times', () => {
    const s = new Scheduler();
    let timer = s.at(1_000_000, () => undefined);
    for (let i = 0; i < 100_000; i++) {
      s.cancel(timer);
      timer = s.at(1_000_000 + i, () => undefined);
    }
    expect(s.pending).toBe(1);
    // compaction happened: internal size stays near the live count
    expect((s as unknown as { heap: unknown[] }).heap.length).toBeLessThan(3000);
  });

  it('orders any set of events by (time, insertion), cancellations aside (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1000), fc.boolean()), { maxLength: 300 }), (specs) => {
        const s = new Scheduler();
        const ran: number[] = [];
        const timers = specs.map(([t], i) => s.at(t, () => ran.push(i)));
        specs.forEach(([, cancel], i) => cancel && s.cancel(timers[i]));
        s.run();
        const expected = specs
          .map(([t, cancel], i) => ({ t, i, cancel }))
          .filter((e) => !e.cancel)
          .sort((a, b) => a.t - b.t || a.i - b.i)
          .map((e) => e.i);
        expect(ran).toEqual(expected);
      }),
    );
  });
});

describe('Scheduler order across compaction', () => {
  it('orders thousands of events by (time, insertion) when most are cancelled and half are scheduled while running (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(50), fc.nat(3)), { minLength: 3000, maxLength: 5000 }), (specs) => {
        const s = new Scheduler();
        const ran: number[] = [];
        const expected: { t: number; order: number; id: number }[] = [];
        let order = 0;
        const timers = new Map<number, ReturnType<Scheduler['at']>>();
        const schedule = (id: number, t: number): void => {
          timers.set(id, s.at(t, () => ran.push(id)));
          expected.push({ t, order: order++, id });
        };
        // Half of the events are scheduled up front, the rest by the first event at time 0; kinds
        // 0 to 2 then cancel the event before them, enough cancellations to compact the heap.
        const half = specs.length >> 1;
        specs.slice(0, half).forEach(([t], id) => schedule(id, t + 1));
        s.at(0, () => {
          specs.slice(half).forEach(([t], k) => schedule(half + k, s.now + t + 1));
          specs.forEach(([, kind], id) => {
            if (kind !== 3 && id > 0) s.cancel(timers.get(id - 1));
          });
        });
        s.run();
        const cancelled = new Set(specs.flatMap(([, kind], id) => (kind !== 3 && id > 0 ? [id - 1] : [])));
        const want = expected.filter((e) => !cancelled.has(e.id)).sort((a, b) => a.t - b.t || a.order - b.order).map((e) => e.id);
        expect(ran).toEqual(want);
        expect(s.pending).toBe(0);
      }),
      { numRuns: 30 },
    );
  });
});

describe('Scheduler compaction during a run', () => {
  it('keeps running correctly when timers cancelled inside events trigger compaction', () => {
    const s = new Scheduler();
    let left = 5000;
    let fired = 0;
    const step = (): void => {
      if (left-- <= 0) return;
      const guard = s.after(30_000_000, () => fired++);
      s.after(10, () => {
        s.cancel(guard);
        step();
      });
    };
    step();
    const out = s.run({ maxEvents: 100_000 });
    expect(out.reason).toBe('idle');
    expect(fired).toBe(0);
    expect(s.now).toBe(50_000);
  });
});
