import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/sim/simulation.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

describe('Trace', () => {
  it('numbers records, stamps virtual time and keeps a stable field order', () => {
    const sim = new Simulation({ seed: 1 });
    const seen: AnyTraceRecord[] = [];
    sim.trace.addSink((r) => seen.push(r));
    sim.scheduler.at(1500, () => sim.trace.emit('n1', 'sim.limit', { limit: 'x', value: 3 }, 'W-39'));
    sim.run();
    expect(seen.map((r) => JSON.stringify(r))).toEqual([
      '{"t":0,"seq":0,"node":"","type":"trace.format","version":2}',
      '{"t":0,"seq":1,"node":"","type":"sim.start","seed":"1","duration":null}',
      '{"t":1500,"seq":2,"node":"n1","type":"sim.limit","rule":"W-39","limit":"x","value":3}',
      '{"t":1500,"seq":3,"node":"","type":"sim.end","reason":"idle","events":1}',
    ]);
  });

  it('publishes records on trace$ to subscribers', () => {
    const sim = new Simulation({ seed: 1 });
    const types: string[] = [];
    const sub = sim.trace.trace$.subscribe((r) => types.push(r.type));
    sim.run({ until: 10 });
    sub.unsubscribe();
    expect(types).toEqual(['trace.format', 'sim.start', 'sim.end']);
  });

  it('records reaching the duration limit', () => {
    const sim = new Simulation({ seed: 1 });
    const tick = (): void => void sim.scheduler.after(1000, tick);
    tick();
    const types: string[] = [];
    sim.trace.addSink((r) => types.push(r.type));
    expect(sim.run({ until: 10_000 }).reason).toBe('until');
    expect(types).toEqual(['trace.format', 'sim.start', 'sim.limit', 'sim.end']);
  });

  it('hands the records of the world being built to sinks and subscribers attached before the run', () => {
    const sim = new Simulation({ seed: 1 });
    const early: string[] = [];
    sim.trace.addSink((r) => early.push(`${r.seq}:${r.type}`));
    sim.trace.emit('', 'sim.limit', { limit: 'building', value: 1 });
    const late: string[] = [];
    sim.trace.addSink((r) => late.push(`${r.seq}:${r.type}`));
    const observed: string[] = [];
    const sub = sim.trace.trace$.subscribe((r) => observed.push(`${r.seq}:${r.type}`));
    sim.run();
    sub.unsubscribe();
    const all = ['0:trace.format', '1:sim.limit', '2:sim.start', '3:sim.end'];
    expect(early).toEqual(all);
    expect(late).toEqual(all);
    expect(observed).toEqual(all);
    // Once the run has begun, a sink sees only what comes next.
    const after: string[] = [];
    sim.trace.addSink((r) => after.push(`${r.seq}:${r.type}`));
    sim.run();
    expect(after).toEqual(['4:sim.start', '5:sim.end']);
  });

  describe('state records only for a consumer that reads them (wantsState)', () => {
    /** The run's answers to wantsState at virtual time 10 and 20, and the seq of what the sinks got. */
    function run(sim: Simulation, attach: () => void): { wants: boolean[]; seqs: string[] } {
      const wants: boolean[] = [];
      const seqs: string[] = [];
      sim.trace.addSink((r) => seqs.push(`${r.seq}:${r.type}`), { states: false });
      attach();
      for (const at of [10, 20]) {
        sim.scheduler.at(at, () => {
          const w = sim.trace.wantsState();
          wants.push(w);
          if (w) sim.trace.emit('n', 'sim.limit', { limit: 'state', value: at });
          sim.trace.emit('n', 'sim.limit', { limit: 'other', value: at });
        });
      }
      sim.run();
      return { wants, seqs };
    }

    it('no reader: not built, and its seq is taken, so the other records keep theirs', () => {
      const sim = new Simulation({ seed: 1 });
      const { wants, seqs } = run(sim, () => undefined);
      expect(wants).toEqual([false, false]);
      expect(seqs).toEqual(['0:trace.format', '1:sim.start', '3:sim.limit', '5:sim.limit', '6:sim.end']);
      expect(sim.trace.count).toBe(7);
    });

    it('a sink that does not say what it reads, or a trace$ subscriber, reads them', () => {
      for (const attach of [(sim: Simulation) => void sim.trace.addSink(() => undefined), (sim: Simulation) => void sim.trace.trace$.subscribe(() => undefined)]) {
        const sim = new Simulation({ seed: 1 });
        const { wants, seqs } = run(sim, () => attach(sim));
        expect(wants).toEqual([true, true]);
        expect(seqs).toEqual(['0:trace.format', '1:sim.start', '2:sim.limit', '3:sim.limit', '4:sim.limit', '5:sim.limit', '6:sim.end']);
      }
    });

    it('follows readers going: a removed sink, an ended subscription', () => {
      const sim = new Simulation({ seed: 1 });
      let remove = (): void => undefined;
      const sub = sim.trace.trace$.subscribe(() => undefined);
      const { wants } = run(sim, () => {
        remove = sim.trace.addSink(() => undefined);
        sim.scheduler.at(15, () => {
          remove();
          sub.unsubscribe();
        });
      });
      expect(wants).toEqual([true, false]);
    });

    it('always before the run (records held for sinks still to come); never in format 1, which takes no seq', () => {
      const sim = new Simulation({ seed: 1 });
      sim.trace.addSink(() => undefined, { states: false });
      expect(sim.trace.wantsState()).toBe(true);
      const v1 = new Simulation({ seed: 1, traceFormat: 1 });
      v1.trace.begin();
      const before = v1.trace.count;
      expect(v1.trace.wantsState()).toBe(false);
      expect(v1.trace.count).toBe(before);
    });
  });

  describe('segment records only for a consumer that reads them (wantsSegment)', () => {
    /** What wantsSegment answers during the run, and the seq of what a non-reading sink got. */
    function run(sim: Simulation, attach: () => void): { wants: boolean[]; seqs: string[] } {
      const wants: boolean[] = [];
      const seqs: string[] = [];
      sim.trace.addSink((r) => seqs.push(`${r.seq}:${r.type}`), { states: false, segments: false });
      attach();
      sim.scheduler.at(10, () => {
        const w = sim.trace.wantsSegment();
        wants.push(w);
        if (w) sim.trace.emit('n', 'sim.limit', { limit: 'segment', value: 10 });
        sim.trace.emit('n', 'sim.limit', { limit: 'other', value: 10 });
      });
      sim.run();
      return { wants, seqs };
    }

    it('no reader: not built, its seq taken; in format 1 as in format 2', () => {
      for (const traceFormat of [1, 2] as const) {
        const sim = new Simulation({ seed: 1, traceFormat });
        const { wants, seqs } = run(sim, () => undefined);
        expect(wants).toEqual([false]);
        const first = traceFormat === 2 ? ['0:trace.format', '1:sim.start'] : ['0:sim.start'];
        const n = first.length;
        expect(seqs).toEqual([...first, `${n + 1}:sim.limit`, `${n + 2}:sim.end`]);
      }
    });

    it('read by a sink that does not say (or says segments: true), by a trace$ subscriber, not by one that reads states only', () => {
      const readers = [
        (sim: Simulation) => void sim.trace.addSink(() => undefined),
        (sim: Simulation) => void sim.trace.addSink(() => undefined, { states: false }),
        (sim: Simulation) => void sim.trace.trace$.subscribe(() => undefined),
      ];
      for (const attach of readers) {
        const sim = new Simulation({ seed: 1 });
        expect(run(sim, () => attach(sim)).wants).toEqual([true]);
      }
      const sim = new Simulation({ seed: 1 });
      expect(run(sim, () => void sim.trace.addSink(() => undefined, { segments: false })).wants).toEqual([false]);
    });

    it('follows readers going, and always answers yes before the run', () => {
      const sim = new Simulation({ seed: 1 });
      expect(sim.trace.wantsSegment()).toBe(true);
      const remove = sim.trace.addSink(() => undefined);
      const sub = sim.trace.trace$.subscribe(() => undefined);
      remove();
      sub.unsubscribe();
      expect(run(sim, () => undefined).wants).toEqual([false]);
    });
  });
});
