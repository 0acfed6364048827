/**
 * The kernel in one object: the scheduler (which owns virtual time), the named random streams and
 * the trace. Every layer above receives a `Simulation` and never reaches for ambient time or chance.
 */
import { RandomStreams, type Rng } from './random.js';
import { Scheduler, type RunLimits, type RunOutcome } from './scheduler.js';
import { Trace, type TraceFormatVersion } from './trace.js';
import type { Micros } from './time.js';

export interface SimulationOptions {
  seed: string | number;
  /** The trace format to write (docs/trace-format.md); default 2 (`TRACE_FORMAT_VERSION`). */
  traceFormat?: TraceFormatVersion;
}

export interface SimulationRunLimits extends RunLimits {
  /** Virtual time limit of the scenario (`duration`). */
  until?: Micros;
}

export class Simulation {
  readonly scheduler = new Scheduler();
  readonly random: RandomStreams;
  readonly trace: Trace;

  constructor(options: SimulationOptions) {
    this.random = new RandomStreams(options.seed);
    this.trace = new Trace(this.scheduler, options.traceFormat);
  }

  get now(): Micros {
    return this.scheduler.now;
  }

  /** `few`: a stream drawn from a few times in a run (see RandomStreams.stream). */
  rng(nodeId: string, purpose: string, few = false): Rng {
    return this.random.stream(nodeId, purpose, few);
  }

  /** Runs to completion or to a limit; reaching a limit is a `sim.limit` record and a clean stop. */
  run(limits: SimulationRunLimits = {}): RunOutcome {
    this.trace.begin();
    this.trace.emit('', 'sim.start', { seed: String(this.random.seed), duration: limits.until ?? null });
    const outcome = this.scheduler.run(limits);
    if (outcome.reason === 'until') this.trace.emit('', 'sim.limit', { limit: 'duration', value: outcome.time });
    if (outcome.reason === 'max-events') this.trace.emit('', 'sim.limit', { limit: 'events', value: outcome.events });
    this.trace.emit('', 'sim.end', { reason: outcome.reason, events: outcome.events });
    return outcome;
  }
}
