/**
 * The real-time driver of a live run: the kernel's virtual time follows the wall clock, best
 * effort, as ns-3's RealtimeSimulatorImpl does. Events run when the wall clock reaches their time;
 * input from real sockets enters as events at the current time (`inject`); when the run falls
 * behind (an event runs later than its time by more than the lag threshold) a `live.lag` record
 * says so, once per episode. The model stays synchronous: the driver owns the timers and the
 * sockets' callbacks, and calls the scheduler between them. Deterministic runs never meet it.
 */
import type { Simulation } from '../sim/simulation.js';
import type { RunOutcome } from '../sim/scheduler.js';
import type { Micros } from '../sim/time.js';
import './trace-types.js';

export interface RealtimeDriverOptions {
  /** Virtual time limit (the scenario's duration, `--for`); Infinity: until `stop()`. */
  duration: Micros;
  /** Wall-clock limit in milliseconds, whatever the virtual time: the run ends then (default: duration + 10 s). */
  wallLimitMs?: number;
  /** An event this late (µs) or later is a `live.lag` (default 10 ms). */
  lagThreshold?: Micros;
  /** The wall clock in microseconds (default: performance.now()); tests give their own. */
  wallClock?: () => number;
}

/** How a live run ended: the kernel's outcome, or the wall-clock limit. */
export type LiveOutcome = RunOutcome | { reason: 'wall-limit'; time: Micros; events: number };

export class RealtimeDriver {
  private readonly wall: () => number;
  private origin = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wallTimer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private lagging = false;
  private events = 0;
  private finish: ((o: LiveOutcome) => void) | null = null;
  private readonly lagThreshold: Micros;
  private readonly endHandlers: (() => void)[] = [];

  constructor(
    readonly sim: Simulation,
    private readonly options: RealtimeDriverOptions,
  ) {
    this.wall = options.wallClock ?? (() => performance.now() * 1000);
    this.lagThreshold = options.lagThreshold ?? 10_000;
  }

  /** The wall clock as the run's virtual time: µs since the run started, whole. */
  get elapsed(): Micros {
    return Math.max(0, Math.floor(this.wall() - this.origin));
  }

  /** Whether the run is going (inject() is refused before and after). */
  get active(): boolean {
    return this.running;
  }

  /** Called once when the run ends, before `run()` resolves (to close sockets, servers). */
  onEnd(handler: () => void): void {
    this.endHandlers.push(handler);
  }

  /**
   * Runs until the duration, `stop()`, the model's own stop, or the wall-clock limit. The trace
   * gets `sim.start` and `sim.end` as in a simulated run (and `sim.limit` at the duration).
   */
  run(): Promise<LiveOutcome> {
    if (this.running || this.finish) throw new Error('a realtime driver runs once');
    this.origin = this.wall() - this.sim.now;
    const trace = this.sim.trace;
    trace.begin();
    const duration = this.options.duration;
    trace.emit('', 'sim.start', { seed: String(this.sim.random.seed), duration: Number.isFinite(duration) ? duration : null });
    this.running = true;
    const wallLimit = this.options.wallLimitMs ?? (Number.isFinite(duration) ? duration / 1000 + 10_000 : Infinity);
    return new Promise<LiveOutcome>((resolve) => {
      this.finish = resolve;
      if (Number.isFinite(wallLimit)) this.wallTimer = setTimeout(() => this.end({ reason: 'wall-limit', time: this.sim.now, events: this.events }), wallLimit);
      this.step();
    });
  }

  /**
   * Runs `action` as an event at the current time (socket input): the run first catches up with
   * the wall clock, so the action sees every event due before it. Ignored once the run has ended.
   */
  inject(action: () => void): void {
    if (!this.running) return;
    this.catchUp();
    if (!this.running) return;
    this.sim.scheduler.at(this.sim.now, action);
    this.step();
  }

  /** Ends the run after the current event (Ctrl-C, the last expectation settled). */
  stop(why: string): void {
    if (!this.running) return;
    this.end({ reason: 'stopped', time: this.sim.now, events: this.events, why });
  }

  /** Runs every event due by now (wall clock), then returns whether the run goes on. */
  private catchUp(): boolean {
    const scheduler = this.sim.scheduler;
    const duration = this.options.duration;
    const now = Math.min(this.elapsed, duration);
    const next = scheduler.nextTime;
    if (next !== null && next <= now) {
      const behind = now - next;
      if (behind >= this.lagThreshold) {
        if (!this.lagging) this.sim.trace.emit('', 'live.lag', { due: next, behind });
        this.lagging = true;
      } else this.lagging = false;
    } else this.lagging = false;
    const outcome = scheduler.run({ until: Math.max(now, scheduler.now) });
    this.events += outcome.events;
    if (outcome.reason === 'stopped') {
      this.end({ ...outcome, events: this.events });
      return false;
    }
    if (now >= duration) {
      this.sim.trace.emit('', 'sim.limit', { limit: 'duration', value: duration });
      this.end({ reason: 'until', time: duration, events: this.events });
      return false;
    }
    return true;
  }

  /** Catches up, then sleeps until the next event is due (or the duration ends). */
  private step(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.running || !this.catchUp()) return;
    const next = this.sim.scheduler.nextTime;
    const wakeAt = Math.min(next ?? Infinity, this.options.duration);
    if (!Number.isFinite(wakeAt)) return; // nothing to do until a socket speaks or stop()
    const delayMs = Math.max(0, (wakeAt - this.elapsed) / 1000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.step();
    }, Math.ceil(delayMs));
  }

  private end(outcome: LiveOutcome): void {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.wallTimer !== null) clearTimeout(this.wallTimer);
    this.timer = this.wallTimer = null;
    if (outcome.reason === 'wall-limit') this.sim.trace.emit('', 'sim.limit', { limit: 'wall-clock', value: this.elapsed });
    for (const h of this.endHandlers) h();
    // What the end handlers caused (connections closed) is traced before the end.
    const rest = this.sim.scheduler.run({ until: this.sim.now });
    this.events += rest.events;
    const reason = outcome.reason === 'stopped' ? 'stopped' : outcome.reason;
    this.sim.trace.emit('', 'sim.end', { reason, events: this.events });
    this.finish?.({ ...outcome, events: this.events });
  }
}
