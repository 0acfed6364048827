/**
 * The clock of the protocol machines' recording hosts (fake-endpoint-host.ts, fake-relay-host.ts):
 * timers fire only when a test moves the time, in (time, order set) order.
 */
interface PendingTimer {
  id: number;
  at: number;
  fire: () => void;
  cancelled: boolean;
}

/** A hand-driven clock with timers: the time moves only when a test calls `advance`. */
export class FakeClock {
  now = 0;
  private timers: PendingTimer[] = [];
  private next = 1;

  setTimer(at: number, fire: () => void): number {
    const id = this.next++;
    this.timers.push({ id, at, fire, cancelled: false });
    return id;
  }
  cancelTimer(timer: number | null): void {
    const t = this.timers.find((x) => x.id === timer);
    if (t) t.cancelled = true;
  }
  /** Times of the timers still pending, in the order they were set. */
  get pending(): number[] {
    return this.timers.filter((t) => !t.cancelled).map((t) => t.at);
  }
  /** Moves the clock to `to`, firing every timer due by then in (time, order set) order. */
  advance(to: number): void {
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= to).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      due.cancelled = true;
      this.now = due.at;
      due.fire();
    }
    this.now = to;
  }
}
