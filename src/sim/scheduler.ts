/**
 * The discrete-event scheduler: a binary heap keyed by (time, sequence number), so that events due
 * at the same virtual time run in the order they were scheduled (as ns-3's scheduler does).
 * Cancelling marks an event; the heap skips it when it comes up, and compacts itself when
 * cancelled entries pile up so that a run that re-arms timers often keeps a bounded heap.
 */
import type { Micros } from './time.js';

export type Action = () => void;

/** A scheduled event; keep it to cancel it. */
export interface Timer {
  readonly time: Micros;
  readonly cancelled: boolean;
}

class Event implements Timer {
  cancelled = false;
  constructor(
    readonly time: Micros,
    readonly seq: number,
    public action: Action | null,
  ) {}
}

export interface RunLimits {
  /** Stop before running any event later than this virtual time. */
  until?: Micros;
  /** Stop after this many events. */
  maxEvents?: number;
}

/** Why a run returned: nothing left to do, a limit reached, or `stop()` called by the model. */
export type RunOutcome =
  | { reason: 'idle'; time: Micros; events: number }
  | { reason: 'until'; time: Micros; events: number }
  | { reason: 'max-events'; time: Micros; events: number }
  | { reason: 'stopped'; time: Micros; events: number; why: string };

function before(a: Event, b: Event): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class Scheduler {
  private readonly heap: Event[] = [];
  private seq = 0;
  private cancelledInHeap = 0;
  private stopRequest: string | null = null;
  private _now: Micros = 0;
  private _eventsRun = 0;

  /** The current virtual time in microseconds. */
  get now(): Micros {
    return this._now;
  }

  /** Events run so far, over all calls to `run`. */
  get eventsRun(): number {
    return this._eventsRun;
  }

  /** Events waiting (cancelled ones not counted). */
  get pending(): number {
    return this.heap.length - this.cancelledInHeap;
  }

  /**
   * When the next event that will run is due, or null when none is waiting: a real-time driver
   * (src/live/) sleeps until then. Cancelled events at the top are dropped on the way.
   */
  get nextTime(): Micros | null {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.cancelled) {
      this.pop();
      this.cancelledInHeap--;
    }
    return heap.length > 0 ? heap[0]!.time : null;
  }

  /** Schedules `action` at absolute virtual time `time` (not before now). */
  at(time: Micros, action: Action): Timer {
    if (!Number.isInteger(time) || time < this._now) {
      throw new RangeError(`cannot schedule at ${time} µs: now is ${this._now} µs and times are whole microseconds`);
    }
    const event = new Event(time, this.seq++, action);
    this.push(event);
    return event;
  }

  /** Schedules `action` after `delay` microseconds (0 = after everything already due now). */
  after(delay: Micros, action: Action): Timer {
    return this.at(this._now + delay, action);
  }

  cancel(timer: Timer | null | undefined): void {
    if (!timer || timer.cancelled) return;
    const event = timer as Event;
    event.cancelled = true;
    event.action = null;
    this.cancelledInHeap++;
    if (this.cancelledInHeap > 1024 && this.cancelledInHeap > this.heap.length / 2) this.compact();
  }

  /** Asks the run loop to return after the current event. */
  stop(why: string): void {
    this.stopRequest = why;
  }

  /** Runs events in (time, sequence) order until none is left or a limit is reached. */
  run(limits: RunLimits = {}): RunOutcome {
    const until = limits.until ?? Number.POSITIVE_INFINITY;
    const maxEvents = limits.maxEvents ?? Number.POSITIVE_INFINITY;
    const heap = this.heap;
    let ran = 0;
    this.stopRequest = null;
    while (heap.length > 0) {
      const top = heap[0]!;
      if (top.cancelled) {
        this.pop();
        this.cancelledInHeap--;
        continue;
      }
      if (top.time > until) {
        this._now = until;
        return { reason: 'until', time: until, events: ran };
      }
      if (ran >= maxEvents) return { reason: 'max-events', time: this._now, events: ran };
      this.pop();
      this._now = top.time;
      const action = top.action!;
      top.action = null;
      ran++;
      this._eventsRun++;
      action();
      if (this.stopRequest !== null) {
        return { reason: 'stopped', time: this._now, events: ran, why: this.stopRequest };
      }
    }
    if (until !== Number.POSITIVE_INFINITY && this._now < until) this._now = until;
    return { reason: 'idle', time: this._now, events: ran };
  }

  private push(event: Event): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    while (true) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(heap[right]!, heap[left]!)) child = right;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }

  /** Drops cancelled entries in place (the run loop holds this array), keeping the heap order. */
  private compact(): void {
    const heap = this.heap;
    let n = 0;
    for (let i = 0; i < heap.length; i++) if (!heap[i]!.cancelled) heap[n++] = heap[i]!;
    heap.length = n;
    heap.sort((a, b) => a.time - b.time || a.seq - b.seq); // a sorted array is a valid heap
    this.cancelledInHeap = 0;
  }
}
