/**
 * Media type matching for a=accept-types and a=accept-wrapped-types (E-05, E-07, E-34).
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

/**
 * Whether a top-level message of `type` may be sent to (or is accepted by) a peer that signalled
 * these lists. Types listed only in accept-wrapped-types may appear inside a container, never at
 * the top level (E-07).
 */
export function mediaTypeAccepted(type: string, acceptTypes: readonly string[], _acceptWrappedTypes: readonly string[] = []): boolean {
  return acceptTypes.some((p) => typeMatches(type, p));
}
