/**
 * What the ladder's labels may not cover (ladder-layout.ts places them): the boxes of labels
 * placed before and the lines of the arrows, each with the arrow (or marker) it belongs to, so
 * that a place can say not only whether it is free but whose things stand in its way.
 */

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Seg {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  owner: number;
  /** A drop's cross: no label covers it, not even its own arrow's (the reason beside it). */
  cross?: boolean;
}

/**
 * A place's verdict: free, or taken only by the label's own arrow (its line, its cross, its other
 * labels), which spreading the rows cannot clear since they move with it, or taken by another's.
 */
export type Verdict = 'free' | 'own' | 'other';

const NONE: never[] = [];

/** Spatial index of boxes and segments in 64-px bands of y. */
export class Space {
  private boxes = new Map<number, (Box & { owner: number })[]>();
  private segs = new Map<number, Seg[]>();
  add(b: Box, owner: number): void {
    const o = { ...b, owner };
    for (let k = Math.floor(b.y0 / 64); k <= Math.floor(b.y1 / 64); k++) (this.boxes.get(k) ?? this.boxes.set(k, []).get(k)!).push(o);
  }
  addSeg(s: Seg): void {
    const lo = Math.min(s.y0, s.y1);
    const hi = Math.max(s.y0, s.y1);
    for (let k = Math.floor(lo / 64); k <= Math.floor(hi / 64); k++) (this.segs.get(k) ?? this.segs.set(k, []).get(k)!).push(s);
  }
  /** Whether `b` is free for a label of `owner`; `clearOfOwn`: its own arrow's lines count too. */
  check(b: Box, owner: number, clearOfOwn: boolean): Verdict {
    let own = false;
    for (let k = Math.floor(b.y0 / 64); k <= Math.floor(b.y1 / 64); k++) {
      for (const o of this.boxes.get(k) ?? NONE) {
        if (!(o.x0 < b.x1 && b.x0 < o.x1 && o.y0 < b.y1 && b.y0 < o.y1)) continue;
        if (o.owner !== owner) return 'other';
        own = true;
      }
      for (const s of this.segs.get(k) ?? NONE) {
        if (s.owner === owner && !clearOfOwn && !s.cross) continue;
        if (!segmentMeetsBox(s, b)) continue;
        if (s.owner !== owner) return 'other';
        own = true;
      }
    }
    return own ? 'own' : 'free';
  }
}

function segmentMeetsBox(s: Omit<Seg, 'owner'>, b: Box): boolean {
  // Liang-Barsky clipping of the segment against the box: edge by edge (left, right, top,
  // bottom), p·t <= q cuts the segment's parameter range [t0, t1].
  let t0 = 0;
  let t1 = 1;
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  for (let edge = 0; edge < 4; edge++) {
    const p = edge === 0 ? -dx : edge === 1 ? dx : edge === 2 ? -dy : dy;
    const q = edge === 0 ? s.x0 - b.x0 : edge === 1 ? b.x1 - s.x0 : edge === 2 ? s.y0 - b.y0 : b.y1 - s.y0;
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const r = q / p;
      if (p < 0) {
        if (r > t1) return false;
        if (r > t0) t0 = r;
      } else {
        if (r < t0) return false;
        if (r < t1) t1 = r;
      }
    }
  }
  return true;
}

/** How far box `b` is from segment `s` (0 when they meet). */
export function segmentToBox(s: Omit<Seg, 'owner'>, b: Box): number {
  if (segmentMeetsBox(s, b)) return 0;
  const toBox = (x: number, y: number): number => Math.hypot(Math.max(b.x0 - x, 0, x - b.x1), Math.max(b.y0 - y, 0, y - b.y1));
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  const len = dx * dx + dy * dy;
  const toSeg = (x: number, y: number): number => {
    const k = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - s.x0) * dx + (y - s.y0) * dy) / len));
    return Math.hypot(x - (s.x0 + k * dx), y - (s.y0 + k * dy));
  };
  return Math.min(toBox(s.x0, s.y0), toBox(s.x1, s.y1), toSeg(b.x0, b.y0), toSeg(b.x1, b.y0), toSeg(b.x0, b.y1), toSeg(b.x1, b.y1));
}
