import { describe, expect, it } from 'vitest';
import { activePartyFromAnswer, chooseOfferSetup, negotiateSetup } from '../../src/signal/connection-setup.js';
import type { Party, SetupPreferences } from '../../src/signal/connection-setup.js';
import type { SetupValue } from '../../src/signal/sdp.js';

describe('negotiateSetup (E-12, E-18 / RFC 6135 §4)', () => {
  type Row = [string, SetupValue | undefined, SetupPreferences, Party, 'active' | 'passive' | undefined, string, string[]];
  const table: Row[] = [
    ['RFC 4975 answerer, no a=setup: offerer active', undefined, { comedia: false }, 'offerer', undefined, 'E-12', []],
    ['RFC 4975 answerer does not read actpass', 'actpass', { comedia: false, behindNat: true }, 'offerer', undefined, 'E-12', []],
    ['RFC 4975 answerer does not read passive', 'passive', { comedia: false }, 'offerer', undefined, 'E-12', []],
    ['COMEDIA answerer, RFC 4975 offerer: passive answer', undefined, { comedia: true }, 'offerer', 'passive', 'E-12', []],
    ['holdconn is ignored as if absent', 'holdconn', { comedia: true }, 'offerer', 'passive', 'E-12', ['E-18']],
    ['offer active: answer passive', 'active', { comedia: true }, 'offerer', 'passive', 'E-18', []],
    ['offer active, answerer behind NAT: still passive', 'active', { comedia: true, behindNat: true }, 'offerer', 'passive', 'E-18', []],
    ['offer actpass, reachable answerer SHOULD be passive', 'actpass', { comedia: true, behindNat: false }, 'offerer', 'passive', 'E-18', []],
    ['offer actpass, answerer behind NAT answers active', 'actpass', { comedia: true, behindNat: true }, 'answerer', 'active', 'E-18', []],
    ['offer actpass, answerer behind NAT with a relay counts as reachable', 'actpass', { comedia: true, behindNat: true, usesRelay: true }, 'offerer', 'passive', 'E-18', []],
    ['offer passive (forbidden): read as RFC 4145, counted', 'passive', { comedia: true }, 'answerer', 'active', 'E-18', ['E-18']],
  ];
  it.each(table)('%s', (_name, offer, prefs, active, answerSetup, rule, violations) => {
    const out = negotiateSetup(offer, prefs);
    expect(out.active).toBe(active);
    expect(out.answerSetup).toBe(answerSetup);
    expect(out.rule).toBe(rule);
    expect(out.violations.map((v) => v.rule)).toEqual(violations);
  });
});

describe('chooseOfferSetup (E-18, RFC 6135 §4.2.2)', () => {
  it.each([
    [{ comedia: false }, undefined],
    [{ comedia: true }, 'actpass'],
    [{ comedia: true, behindNat: true }, 'active'],
    [{ comedia: true, behindNat: true, usesRelay: true }, 'actpass'],
  ] as [SetupPreferences, string | undefined][])('%j -> %s', (prefs, expected) => {
    expect(chooseOfferSetup(prefs)).toBe(expected);
  });
});

describe('activePartyFromAnswer (RFC 4145 §4.1 table)', () => {
  it.each([
    [undefined, undefined, 'offerer'],
    [undefined, 'passive', 'offerer'],
    [undefined, 'active', undefined],
    ['active', undefined, 'offerer'],
    ['active', 'passive', 'offerer'],
    ['active', 'active', undefined],
    ['actpass', undefined, 'offerer'],
    ['actpass', 'passive', 'offerer'],
    ['actpass', 'active', 'answerer'],
    ['actpass', 'actpass', undefined],
    ['passive', 'active', 'answerer'],
    ['passive', 'passive', undefined],
    ['passive', undefined, undefined],
    ['holdconn', 'passive', 'offerer'],
    ['actpass', 'holdconn', 'offerer'],
  ] as [SetupValue | undefined, SetupValue | undefined, Party | undefined][])('offer %s, answer %s -> %s', (offer, answer, expected) => {
    expect(activePartyFromAnswer(offer, answer)).toBe(expected);
  });
});
