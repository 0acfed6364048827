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

/**
 * A stream drawn from a few times in a run (a host's initial sequence numbers, an endpoint's SDP
 * session id). seedrandom's generator for a stream holds about 3.8 KB (its 256-entry state as a
 * JavaScript array, and its closures): scale-10k's 50,000 streams held 188 MB. Between draws this
 * one keeps only the state, as 258 bytes, and has seedrandom make the generator again from it for
 * the next draw (seedrandom's own `state` option): the draws are exactly those of a generator kept
 * whole, at about 8 µs more each.
 */
function makeParkedRng(key: string): Rng {
  let i = 0;
  let j = 0;
  let s: Uint8Array | null = null;
  // The generator where the stream stands: made from the key before the first draw, else from the state.
  const generator = () => (s === null ? seedrandom(key, { state: true }) : seedrandom('', { state: { i, j, S: Array.from(s) } }));
  const draw = (): number => {
    const prng = generator();
    const v = prng();
    const st = prng.state();
    i = st.i;
    j = st.j;
    (s ??= new Uint8Array(256)).set(st.S);
    return v;
  };
  return withHelpers(draw, () => wrap(generator()));
}

function wrap(prng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>): Rng {
  return withHelpers(prng, () => wrap(seedrandom('', { state: prng.state() })));
}

/** The stream that draws from `draw`, with the helpers; `fork` makes one that goes on from here. */
function withHelpers(draw: () => number, fork: () => Rng): Rng {
  const rng = (() => draw()) as Rng;
  rng.int = (n: number) => Math.floor(draw() * n);
  rng.between = (lo: number, hi: number) => lo + draw() * (hi - lo);
  rng.chance = (p: number) => p > 0 && draw() < p;
  rng.fork = fork;
  return rng;
}

export class RandomStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: string | number) {}

  /**
   * The stream for `purpose` of node `nodeId`; the same (seed, node, purpose) always gives the same
   * draws. `few`: the stream is drawn from a few times in a run, so it keeps only its state between
   * draws (less memory, slower draws; the same draws). Fixed by the first call for a stream.
   */
  stream(nodeId: string, purpose: string, few = false): Rng {
    const key = `${this.seed}\0${nodeId}\0${purpose}`;
    let rng = this.streams.get(key);
    if (!rng) {
      rng = few ? makeParkedRng(key) : makeRng(key);
      this.streams.set(key, rng);
    }
    return rng;
  }
}
