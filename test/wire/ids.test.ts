import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { ID_WIDTHS, newCnonce, newMessageId, newNonce, newSessionId, newToken, newTransactionId, type RandomSource } from '../../src/wire/ids.js';
import { parseUri } from '../../src/wire/uri.js';

// RFC 4975 §9: ident = ALPHANUM 3*31ident-char; ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="
const IDENT = /^[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}$/;
// session-id = 1*( unreserved / "+" / "=" / "/" )
const SESSION_ID = /^[A-Za-z0-9\-._~+=/]+$/;
const LHEX = /^[0-9a-f]+$/;

const gens = { newTransactionId, newMessageId, newSessionId, newToken, newNonce, newCnonce };

describe('identifiers', () => {
  it('meet the widths the RFCs ask for', () => {
    expect(ID_WIDTHS.transactionId.bits).toBeGreaterThanOrEqual(64); // W-04
    expect(ID_WIDTHS.messageId.bits).toBeGreaterThanOrEqual(64); // W-23, W-38
    expect(ID_WIDTHS.sessionId.bits).toBeGreaterThanOrEqual(80); // U-09, S-02
    expect(ID_WIDTHS.token.bits).toBeGreaterThanOrEqual(64);
    expect(ID_WIDTHS.nonce.bits).toBeGreaterThanOrEqual(64);
    expect(ID_WIDTHS.cnonce.bits).toBeGreaterThanOrEqual(64);
  });

  it('have the documented length and charset', () => {
    const rnd = seedrandom('ids');
    for (let k = 0; k < 200; k++) {
      const tid = newTransactionId(rnd);
      expect(tid).toMatch(IDENT);
      expect(tid).toHaveLength(ID_WIDTHS.transactionId.chars);
      const mid = newMessageId(rnd);
      expect(mid).toMatch(IDENT);
      expect(mid).toHaveLength(ID_WIDTHS.messageId.chars);
      const sid = newSessionId(rnd);
      expect(sid).toMatch(SESSION_ID);
      expect(sid).toHaveLength(ID_WIDTHS.sessionId.chars);
      const tok = newToken(rnd);
      expect(tok).toMatch(SESSION_ID);
      expect(tok).toHaveLength(ID_WIDTHS.token.chars);
      expect(parseUri(`msrps://relay.example.com:2855/${tok};tcp`).ok).toBe(true);
      const nonce = newNonce(rnd);
      expect(nonce).toMatch(LHEX);
      expect(nonce).toHaveLength(ID_WIDTHS.nonce.chars);
      const cnonce = newCnonce(rnd);
      expect(cnonce).toMatch(LHEX);
      expect(cnonce).toHaveLength(ID_WIDTHS.cnonce.chars);
    }
  });

  it('use the whole alphabet, even with the extreme draws', () => {
    const lows: RandomSource = () => 0;
    const highs: RandomSource = () => 1 - Number.EPSILON;
    expect(newTransactionId(lows)).toBe('000000000000');
    expect(newTransactionId(highs)).toBe('zzzzzzzzzzzz');
    expect(newNonce(highs)).toBe('f'.repeat(32));
    expect(() => newTransactionId(() => 1)).toThrow(RangeError);
    expect(() => newTransactionId(() => Number.NaN)).toThrow(RangeError);
  });

  it.each(Object.entries(gens))('%s is deterministic for the same source and differs across seeds', (_name, gen) => {
    const a = seedrandom('seed-1');
    const b = seedrandom('seed-1');
    const c = seedrandom('seed-2');
    const fromA = [gen(a), gen(a), gen(a)];
    expect([gen(b), gen(b), gen(b)]).toEqual(fromA);
    expect(gen(c)).not.toBe(fromA[0]);
    expect(new Set(fromA).size).toBe(3);
  });
});
