/**
 * Identifiers with the widths the RFCs demand, drawn from an injected random source so that runs
 * are reproducible (the simulator passes a named seeded stream, never Math.random).
 *
 * Each character is one draw of `Math.floor(rnd() * alphabet.length)`, so a draw needs only a
 * uniform value in [0, 1) and never more than ~6 bits of it: the widths below hold for any
 * generator of that kind, including 32-bit ones. Alphanumerics only: they are valid in `ident`
 * (transaction ids, Message-IDs), in a URI session-id and in a quoted-string alike.
 *
 * | id | chars | alphabet | bits | rule |
 * |---|---|---|---|---|
 * | transaction id | 12 | 62 | 71.4 | W-04 (>= 64), W-03 (4..32 ident chars) |
 * | Message-ID | 16 | 62 | 95.3 | W-23, W-38 ("highly unlikely to be repeated") |
 * | session-id | 16 | 62 | 95.3 | U-09, S-02, W-38 (>= 80) |
 * | relay token | 12 | 62 | 71.4 | R-13, S-02, W-38 (>= 64) |
 * | nonce | 32 | 16 | 128 | RFC 2617 §3.2.1 (opaque, unguessable) |
 * | cnonce | 16 | 16 | 64 | RFC 2617 §3.2.2 |
 *
 * R-13 asks for "cryptographically random material"; in the simulator the material is as random
 * as the seeded stream, which is the point of a reproducible run.
 */

/** A uniform source over [0, 1), such as a seedrandom generator. */
export type RandomSource = () => number;

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOWER_HEX = '0123456789abcdef';

/** Characters and bits of each kind of identifier (see the table above). */
export const ID_WIDTHS = {
  transactionId: { chars: 12, bits: 12 * Math.log2(62) },
  messageId: { chars: 16, bits: 16 * Math.log2(62) },
  sessionId: { chars: 16, bits: 16 * Math.log2(62) },
  token: { chars: 12, bits: 12 * Math.log2(62) },
  nonce: { chars: 32, bits: 32 * 4 },
  cnonce: { chars: 16, bits: 16 * 4 },
} as const;

/** `count` characters of `alphabet`, one draw each. */
export function randomString(rnd: RandomSource, alphabet: string, count: number): string {
  let s = '';
  for (let k = 0; k < count; k++) {
    const r = rnd();
    // A source outside [0, 1) is a bug in the caller's wiring, not a protocol condition.
    if (!(r >= 0 && r < 1)) throw new RangeError(`random source returned ${r}, expected a number in [0, 1)`);
    s += alphabet[Math.floor(r * alphabet.length)];
  }
  return s;
}

/** W-04, RFC 4975 §7.1: the transaction id "MUST contain at least 64 bits of randomness." */
export function newTransactionId(rnd: RandomSource): string {
  return randomString(rnd, ALPHANUMERIC, ID_WIDTHS.transactionId.chars);
}

/**
 * W-23, RFC 4975 §7.1.1: the Message-ID value "MUST be highly unlikely to be repeated by another
 * endpoint instance, or by the same instance in the future."
 */
export function newMessageId(rnd: RandomSource): string {
  return randomString(rnd, ALPHANUMERIC, ID_WIDTHS.messageId.chars);
}

/** U-09 / S-02, RFC 4975 §14.1: session-ids with at least 80 bits of randomness. */
export function newSessionId(rnd: RandomSource): string {
  return randomString(rnd, ALPHANUMERIC, ID_WIDTHS.sessionId.chars);
}

/**
 * R-13, RFC 4976 §6.3: a relay's Use-Path URI "MUST contain at least 64 bits of cryptographically
 * random material"; used as that URI's session-id.
 */
export function newToken(rnd: RandomSource): string {
  return randomString(rnd, ALPHANUMERIC, ID_WIDTHS.token.chars);
}

/** A Digest nonce for WWW-Authenticate / nextnonce: 128 bits as lower-case hex. */
export function newNonce(rnd: RandomSource): string {
  return randomString(rnd, LOWER_HEX, ID_WIDTHS.nonce.chars);
}

/** A Digest cnonce for Authorization (R-16f): 64 bits as lower-case hex. */
export function newCnonce(rnd: RandomSource): string {
  return randomString(rnd, LOWER_HEX, ID_WIDTHS.cnonce.chars);
}
