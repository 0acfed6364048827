/**
 * Media type matching against one pattern (E-05), for the firewall policy's content types and the
 * scenario checks. Whether a peer accepts a body (E-07, the 415 of E-34) is decided against its
 * signalled lists by `mediaTypeAccepted` in src/signal/media-types.ts.
 */

function bare(type: string): string {
  const semi = type.indexOf(';');
  return (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase();
}

/**
 * E-05, RFC 4975 §8.6: `*` matches every type and `type/*` every subtype; "a format-entry with
 * parameters matches the same entry without parameters" (parameters are ignored here).
 */
export function typeMatches(type: string, pattern: string): boolean {
  const t = bare(type);
  const p = bare(pattern);
  if (p === '*') return true;
  if (p.endsWith('/*')) return t.startsWith(p.slice(0, -1));
  return t === p;
}
