/**
 * Named, seeded random streams. Each stream is derived from (scenario seed, node id, purpose), so a
 * node's draws do not depend on which other nodes exist or in which order they were declared.
 *
 * A stream is seedrandom's ARC4 generator (`seedrandom(key)`), written out here with its state in
 * a `Uint8Array`: the same key gives exactly the same numbers as seedrandom, in an eighth of the
 * memory (seedrandom keeps the 256-entry state in a plain array, some 2 KB a stream; a run with
 * 10,000 receivers has some 50,000 streams).
 */

/** A stream of uniform numbers in [0, 1), with a few helpers. */
export interface Rng {
  (): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A uniform number in [lo, hi). */
  between(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

const WIDTH = 256;
const MASK = WIDTH - 1;
/** Six ARC4 bytes start each double (2^48), which is then filled to 52 significant bits. */
const START_DENOM = 2 ** 48;
const SIGNIFICANCE = 2 ** 52;
const OVERFLOW = 2 ** 53;

/** RC4 with the first 256 bytes dropped, keyed the way seedrandom keys it from a string. */
class Arc4 {
  private readonly s = new Uint8Array(WIDTH);
  private i = 0;
  private j = 0;

  constructor(seed: string) {
    // seedrandom's mixkey: the key is the seed's char codes smeared into at most 256 bytes.
    const key: number[] = [];
    let smear = 0;
    for (let k = 0; k < seed.length; k++) {
      const at = k & MASK;
      smear ^= (key[at] ?? 0) * 19;
      key[at] = MASK & (smear + seed.charCodeAt(k));
    }
    if (key.length === 0) key.push(0);
    const s = this.s;
    for (let k = 0; k < WIDTH; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < WIDTH; k++) {
      const t = s[k]!;
      j = MASK & (j + key[k % key.length]! + t);
      s[k] = s[j]!;
      s[j] = t;
    }
    this.bytes(WIDTH);
  }

  /** The next `count` bytes as one big-endian number (count at most 6). */
  bytes(count: number): number {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    let r = 0;
    while (count-- > 0) {
      i = MASK & (i + 1);
      const t = s[i]!;
      j = MASK & (j + t);
      const u = s[j]!;
      s[i] = u;
      s[j] = t;
      r = r * WIDTH + s[MASK & (u + t)]!;
    }
    this.i = i;
    this.j = j;
    return r;
  }

  /** A double in [0, 1) with 52 random bits, as seedrandom's `prng()` makes it. */
  next(): number {
    let n = this.bytes(6);
    let d = START_DENOM;
    let x = 0;
    while (n < SIGNIFICANCE) {
      n = (n + x) * WIDTH;
      d *= WIDTH;
      x = this.bytes(1);
    }
    while (n >= OVERFLOW) {
      n /= 2;
      d /= 2;
      x >>>= 1;
    }
    return (n + x) / d;
  }
}

function makeRng(key: string): Rng {
  const arc4 = new Arc4(key);
  const rng = (() => arc4.next()) as Rng;
  rng.int = (n: number) => Math.floor(arc4.next() * n);
  rng.between = (lo: number, hi: number) => lo + arc4.next() * (hi - lo);
  rng.chance = (p: number) => p > 0 && arc4.next() < p;
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
