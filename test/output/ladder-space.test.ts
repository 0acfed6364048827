/**
 * The ladder's spatial index says whose things stand in a label's way: the layout spreads rows
 * only for another arrow's, and moves a label a little off its places for its own arrow's.
 */
import { describe, expect, it } from 'vitest';
import { segmentToBox, Space } from '../../src/output/ladder-space.js';

describe('the ladder space', () => {
  const space = new Space();
  // Arrow 1: a line from (100,100) to (200,124), its cross at the end, a label above it.
  space.addSeg({ x0: 100, y0: 100, x1: 200, y1: 124, owner: 1 });
  space.addSeg({ x0: 193, y0: 117, x1: 207, y1: 131, owner: 1, cross: true });
  space.addSeg({ x0: 193, y0: 131, x1: 207, y1: 117, owner: 1, cross: true });
  space.add({ x0: 110, y0: 60, x1: 190, y1: 95 }, 1);
  // Arrow 2: a label further down.
  space.add({ x0: 110, y0: 200, x1: 190, y1: 230 }, 2);

  it('a place clear of everything is free', () => {
    expect(space.check({ x0: 110, y0: 140, x1: 190, y1: 160 }, 1, true)).toBe('free');
  });

  it("an arrow's label may touch its own line, not when it keeps clear of it", () => {
    const onLine = { x0: 140, y0: 105, x1: 160, y1: 112 };
    expect(space.check(onLine, 1, false)).toBe('free');
    expect(space.check(onLine, 1, true)).toBe('own');
    expect(space.check(onLine, 3, false)).toBe('other');
  });

  it("the cross is kept clear even by its own arrow's labels", () => {
    expect(space.check({ x0: 195, y0: 125, x1: 260, y1: 140 }, 1, false)).toBe('own');
  });

  it("another label of the same arrow is its own; another arrow's label is another's", () => {
    expect(space.check({ x0: 150, y0: 80, x1: 170, y1: 90 }, 1, true)).toBe('own');
    expect(space.check({ x0: 150, y0: 210, x1: 170, y1: 220 }, 1, true)).toBe('other');
    // Own things and another's: another's decides (spreading the rows may clear the place).
    expect(space.check({ x0: 150, y0: 80, x1: 170, y1: 220 }, 1, true)).toBe('other');
  });

  it('measures how far a box is from a line', () => {
    expect(segmentToBox({ x0: 0, y0: 0, x1: 100, y1: 0 }, { x0: 10, y0: 30, x1: 20, y1: 40 })).toBe(30);
    expect(segmentToBox({ x0: 0, y0: 0, x1: 100, y1: 0 }, { x0: 10, y0: -5, x1: 20, y1: 5 })).toBe(0);
    expect(segmentToBox({ x0: 0, y0: 0, x1: 0, y1: 0 }, { x0: 3, y0: 4, x1: 9, y1: 9 })).toBe(5);
  });
});
