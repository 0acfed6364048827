/** memoByText: each distinct text computed once, within a bound; values shared, undefined included. */
import { describe, expect, it } from 'vitest';
import { memoByText } from '../../src/wire/text-memo.js';

describe('memoByText', () => {
  it('computes a text once, an undefined value included', () => {
    const calls: string[] = [];
    const f = memoByText((t) => {
      calls.push(t);
      return t === 'bad' ? undefined : { t };
    }, 10);
    const first = f('a');
    expect(f('a')).toBe(first);
    expect(f('bad')).toBeUndefined();
    expect(f('bad')).toBeUndefined();
    expect(calls).toEqual(['a', 'bad']);
  });

  it('lets every text go when the bound is reached, and computes them again', () => {
    const calls: string[] = [];
    const f = memoByText((t) => (calls.push(t), t.length), 2);
    f('a');
    f('bb');
    f('ccc'); // the bound: 'a' and 'bb' are let go
    f('a');
    expect(calls).toEqual(['a', 'bb', 'ccc', 'a']);
    expect(f('ccc')).toBe(3);
  });
});
