/**
 * Sets of byte positions as sorted, disjoint, 1-based inclusive intervals: what a receiver has of a
 * message (E-34), what a success REPORT covers (E-27) and what a failure REPORT names (W-27).
 */
export interface Interval {
  start: number;
  end: number;
}

export class IntervalSet {
  private items: Interval[] = [];

  get intervals(): readonly Interval[] {
    return this.items;
  }

  /** Bytes covered. */
  get size(): number {
    let n = 0;
    for (const i of this.items) n += i.end - i.start + 1;
    return n;
  }

  /** Adds [start, end] (1-based, inclusive); empty when end < start. */
  add(start: number, end: number): void {
    if (end < start) return;
    const out: Interval[] = [];
    let s = start;
    let e = end;
    let placed = false;
    for (const it of this.items) {
      if (it.end + 1 < s) out.push(it);
      else if (e + 1 < it.start) {
        if (!placed) {
          out.push({ start: s, end: e });
          placed = true;
        }
        out.push(it);
      } else {
        s = Math.min(s, it.start);
        e = Math.max(e, it.end);
      }
    }
    if (!placed) out.push({ start: s, end: e });
    this.items = out;
  }

  /** True when every position 1..total is covered. */
  coversAll(total: number): boolean {
    if (total === 0) return true;
    return this.items.length === 1 && this.items[0]!.start === 1 && this.items[0]!.end >= total;
  }

  /** The first position >= 1 not covered. */
  firstGap(): number {
    const first = this.items[0];
    if (!first || first.start > 1) return 1;
    return first.end + 1;
  }
}
