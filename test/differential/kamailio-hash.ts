/**
 * The hash id Kamailio 5.6's msrp module gives a session id (`msrp_get_hashid`, which is
 * `core_case_hash(sessionid, 0, 0)` in core/hashes.h): 4-byte big-endian blocks of the
 * lower-cased id, each added as `v ^ (v >> 3)`, the tail likewise, then mixed with
 * `h + (h >> 11) + (h >> 13) + (h >> 23)`, all in 32-bit unsigned arithmetic.
 *
 * The suite needs it because of how the module looks a session up (msrp_cmap.c,
 * `msrp_cmap_lookup`): a slot's entries are kept sorted by hash id and the walk stops at the
 * first entry whose id is larger than the one sought, but then returns "found" (without a
 * destination) because it left the loop by `break` rather than by running off the end. A session
 * id the relay never granted is therefore found, and answered 200, whenever its slot holds a
 * granted session with a larger hash id: random across runs, since the granted ids are. A session
 * id whose hash id is 0xffffffff can never be passed that way, so a flow that means "an unknown
 * session" uses one (see docs/relay-profiles.md, "Differences from Kamailio that remain").
 */
export function kamailioSessionHash(id: string): number {
  const lower = (k: number): number => {
    const c = id.charCodeAt(k);
    return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  };
  const add = (h: number, v: number): number => (h + ((v ^ (v >>> 3)) >>> 0)) >>> 0;
  let h = 0;
  let i = 0;
  for (; i + 4 <= id.length; i += 4) h = add(h, ((lower(i) << 24) | (lower(i + 1) << 16) | (lower(i + 2) << 8) | lower(i + 3)) >>> 0);
  let v = 0;
  for (; i < id.length; i++) v = ((v << 8) + lower(i)) >>> 0;
  h = add(h, v);
  return (h + (h >>> 11) + (h >>> 13) + (h >>> 23)) >>> 0;
}

/** A session id no relay granted, whose Kamailio hash id is 0xffffffff (found by search). */
export const UNKNOWN_SESSION_ID = 'nosuchsessiouaaa5qibk2q';
