/**
 * The simulated side of the clock seam (seams.ts): the kernel's scheduler as a node's Clock.
 */
import type { Scheduler, Timer } from '../sim/scheduler.js';
import type { Clock, Micros } from './seams.js';

/** The scheduler's virtual time and events, as a node's clock. */
export class SimClock implements Clock<Timer> {
  constructor(private readonly scheduler: Scheduler) {}

  get now(): Micros {
    return this.scheduler.now;
  }

  setTimer(at: Micros, fire: () => void): Timer {
    return this.scheduler.at(at, fire);
  }

  cancel(handle: Timer | null): void {
    this.scheduler.cancel(handle);
  }
}
