import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../src/sim/random.js';

const draws = (streams: RandomStreams, node: string, purpose: string, n = 5): number[] => {
  const rng = streams.stream(node, purpose);
  return Array.from({ length: n }, () => rng());
};

describe('RandomStreams', () => {
  it('gives the same draws for the same seed, node and purpose', () => {
    expect(draws(new RandomStreams(7), 'psa', 'tid')).toEqual(draws(new RandomStreams(7), 'psa', 'tid'));
  });

  it('gives different draws for another seed, node or purpose', () => {
    const base = draws(new RandomStreams(7), 'psa', 'tid');
    expect(draws(new RandomStreams(8), 'psa', 'tid')).not.toEqual(base);
    expect(draws(new RandomStreams(7), 'pra', 'tid')).not.toEqual(base);
    expect(draws(new RandomStreams(7), 'psa', 'jitter')).not.toEqual(base);
  });

  it('does not let one stream disturb another (creation order does not matter)', () => {
    const a = new RandomStreams('s');
    const first = draws(a, 'relay-a', 'token');
    const b = new RandomStreams('s');
    draws(b, 'zzz', 'token', 100);
    draws(b, 'relay-a', 'other', 100);
    expect(draws(b, 'relay-a', 'token')).toEqual(first);
  });

  it('separates seed, node and purpose so that concatenations cannot collide', () => {
    expect(draws(new RandomStreams(1), 'ab', 'c')).not.toEqual(draws(new RandomStreams(1), 'a', 'bc'));
  });

  it('draws integers in range', () => {
    const rng = new RandomStreams(1).stream('n', 'p');
    for (let i = 0; i < 1000; i++) {
      const v = rng.int(7);
      expect(Number.isInteger(v) && v >= 0 && v < 7).toBe(true);
    }
    expect(rng.chance(0)).toBe(false);
  });
});

describe('the ARC4 stream', () => {
  it('draws exactly what seedrandom draws for the same key', () => {
    const cases: [string | number, string, string][] = [
      [7, 'psa', 'tid'],
      ['', '', ''],
      [10000, 'rcv-42-17', 'isn'],
      ['seed', 'ü€\u{1F600}', 'jitter'],
      [1, 'x'.repeat(300), 'ids'],
      ['long', Array.from({ length: 700 }, (_, i) => String.fromCharCode(i % 500)).join(''), 'p'],
    ];
    for (const [seed, node, purpose] of cases) {
      const rng = new RandomStreams(seed).stream(node, purpose);
      const ref = seedrandom(`${seed}\0${node}\0${purpose}`);
      for (let i = 0; i < 3000; i++) expect(rng()).toBe(ref());
    }
  });
});
