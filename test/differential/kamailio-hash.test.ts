import { describe, expect, it } from 'vitest';
import { UNKNOWN_SESSION_ID, kamailioSessionHash } from './kamailio-hash.js';

describe("Kamailio's msrp hash id of a session id", () => {
  it('matches values computed by hand from core_case_hash', () => {
    // '' : h = 0 + (0 ^ 0) = 0, mixed 0.
    expect(kamailioSessionHash('')).toBe(0);
    // 'a': tail v = 0x61, h = 0x61 ^ 0x0c = 0x6d, mixed 0x6d + 0 + 0 + 0.
    expect(kamailioSessionHash('a')).toBe(0x6d);
    // upper case hashes as lower case
    expect(kamailioSessionHash('ABCD')).toBe(kamailioSessionHash('abcd'));
    // 'abcd': v = 0x61626364, v ^ v>>3 = 0x61626364 ^ 0x0c2c4c6c = 0x6d4e2f08; tail 0;
    // mixed: 0x6d4e2f08 + 0xda9c5 + 0x36a71 + 0xda = 0x6d5f4418
    expect(kamailioSessionHash('abcd')).toBe(0x6d5f4418);
  });

  it('gives the unknown session id of the flows the largest hash id, so the lookup cannot stop early', () => {
    expect(kamailioSessionHash(UNKNOWN_SESSION_ID)).toBe(0xffffffff);
    expect(kamailioSessionHash('nosuchsession')).not.toBe(0xffffffff);
  });
});
