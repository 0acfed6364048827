/**
 * Named, seeded random streams. Each stream is derived from (scenario seed, node id, purpose), so a
 * node's draws do not depend on which other nodes exist or in which order they were declared.
 */
import seedrandom from 'seedrandom';

/** A stream of uniform numbers in [0, 1), with a few helpers. */
export interface Rng {
  (): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A uniform number in [lo, hi). */
  between(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A separate stream that draws what this one would draw from here on; neither moves the other. */
  fork(): Rng;
}

function makeRng(key: string): Rng {
  return wrap(seedrandom(key, { state: true }));
}

function wrap(prng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>): Rng {
  const rng = (() => prng()) as Rng;
  rng.int = (n: number) => Math.floor(prng() * n);
  rng.between = (lo: number, hi: number) => lo + prng() * (hi - lo);
  rng.chance = (p: number) => p > 0 && prng() < p;
  rng.fork = () => wrap(seedrandom('', { state: prng.state() }));
  return rng;
}

export class RandomStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: string | number) {}

  /** The stream for `purpose` of node `nodeId`; the same (seed, node, purpose) always gives the same draws. */
  stream(nodeId: string, purpose: string): Rng {
    const key = `${this.seed}\0${nodeId}\0${purpose}`;
    let rng = this.streams.get(key);
    if (!rng) {
      rng = makeRng(key);
      this.streams.set(key, rng);
    }
    return rng;
  }
}
