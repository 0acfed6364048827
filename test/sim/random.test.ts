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

  it('draws the same from a stream kept as its state between draws (`few`) as from one kept whole', () => {
    const whole = new RandomStreams(42).stream('host-1', 'isn');
    const few = new RandomStreams(42).stream('host-1', 'isn', true);
    const a: number[] = [];
    const b: number[] = [];
    // Past 256 draws, so that the state's indexes wrap; each helper moves the stream as a draw does.
    for (let i = 0; i < 300; i++) {
      a.push(whole(), whole.int(1000), whole.between(5, 9), whole.chance(0.5) ? 1 : 0);
      b.push(few(), few.int(1000), few.between(5, 9), few.chance(0.5) ? 1 : 0);
    }
    expect(b).toEqual(a);
    // A fork draws what the stream would draw from here on, and moves neither.
    const wf = whole.fork();
    const ff = few.fork();
    expect([ff(), ff(), ff()]).toEqual([wf(), wf(), wf()]);
    expect(few()).toBe(whole());
    // A fork of a stream not yet drawn from.
    const fresh = new RandomStreams(42).stream('host-2', 'isn', true).fork();
    expect(fresh()).toBe(new RandomStreams(42).stream('host-2', 'isn')());
  });
});
