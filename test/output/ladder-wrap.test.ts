/**
 * A ladder label too wide for its place is wrapped, never shortened: between words first, and a
 * word longer than a line (a rule id, a message id) after one of its own separators, so that a
 * reader sees `[msrprelay:` over `session-ends-with-leg]`, not a name cut at an arbitrary letter.
 */
import { describe, expect, it } from 'vitest';
import { wrap } from '../../src/output/ladder-layout.js';

const ch = 6.3;
const line = (n: number): number => n * ch;

describe('wrap', () => {
  it('keeps a text that fits on one line', () => {
    expect(wrap('segment lost on link', ch, line(31))).toEqual(['segment lost on link']);
  });

  it('breaks between words, at a double space first', () => {
    expect(wrap('To: relay-b pra  From: relay-a psa', ch, line(20))).toEqual(['To: relay-b pra', 'From: relay-a psa']);
  });

  it('breaks a word longer than a line after its last separator far enough along', () => {
    expect(wrap('REPORT 408 to the sender [msrprelay:session-ends-with-leg]', ch, line(31))).toEqual(['REPORT 408 to the sender', '[msrprelay:session-ends-with-', 'leg]']);
    expect(wrap('[fw#rule-2] dropped', ch, line(9))).toEqual(['[fw#rule-', '2]', 'dropped']);
  });

  it('breaks between characters only where a word has no separator in the line\'s second half', () => {
    expect(wrap('failure REPORT 408 for hDXimZZHRbK6Qhui [E-32]', ch, line(14))).toEqual(['failure REPORT', '408 for', 'hDXimZZHRbK6Qh', 'ui [E-32]']);
  });

  it('loses no character', () => {
    const text = 'REPORT 403 to the sender [opensips:forward-failure-report] and more-and-more/paths.here';
    for (const n of [4, 7, 12, 19, 31]) expect(wrap(text, ch, line(n)).join(' ').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
  });
});
