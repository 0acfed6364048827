/**
 * Media type negotiation for MSRP (RFC 4975 §8.6): reading `a=accept-types` and
 * `a=accept-wrapped-types` format lists and deciding whether a content type is acceptable.
 *
 *   format-list = format-entry *( SP format-entry)
 *   format-entry = ( ( (type "/" subtype) / (type "/" "*") ) *( ";" type-param ) ) / ("*")
 */
import { memoByText } from '../wire/text-memo.js';

const TOKEN = "[!#$%&'*+\\-.^_`{|}~A-Za-z0-9]+";
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const FORMAT_ENTRY = new RegExp(`^(?:\\*|${TOKEN}/${TOKEN}(?:;${TOKEN}=(?:${TOKEN}|${QUOTED}))*)$`);

/**
 * Splits a format list at runs of spaces, keeping spaces inside quoted parameter values. The
 * caller decides whether irregular spacing is a violation.
 */
export function splitFormatList(value: string): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (quoted) {
      current += c;
      if (c === '\\' && i + 1 < value.length) current += value[++i] as string;
      else if (c === '"') quoted = false;
    } else if (c === ' ' || c === '\t') {
      if (current !== '') entries.push(current);
      current = '';
    } else {
      if (c === '"') quoted = true;
      current += c;
    }
  }
  if (current !== '') entries.push(current);
  return entries;
}

/** Whether `entry` follows the format-entry ABNF of RFC 4975 §8.6. */
export function isFormatEntry(entry: string): boolean {
  // A wildcard type with a concrete subtype ("*/plain") is not in the grammar.
  return FORMAT_ENTRY.test(entry) && !/^\*\/./.test(entry);
}

interface BaseType {
  readonly type: string;
  readonly subtype: string;
}

/**
 * type/subtype without parameters, lower-cased (media type names are case-insensitive). A sender
 * and a receiver check every message's type against the same few lists (E-07), so each text is
 * read once.
 */
const baseType = memoByText(readBaseType, 256);

function readBaseType(entry: string): BaseType | '*' | undefined {
  const bare = (entry.split(';')[0] as string).trim().toLowerCase();
  if (bare === '*') return '*';
  const slash = bare.indexOf('/');
  if (slash <= 0 || slash === bare.length - 1) return undefined;
  return { type: bare.slice(0, slash), subtype: bare.slice(slash + 1) };
}

/**
 * Whether a format-entry admits a concrete media type.
 * E-05, RFC 4975 §8.6: "An entry of "*" ... may attempt to send content with media-types that have
 * not been explicitly listed. Likewise, an entry with an explicit type and a "*" character as the
 * subtype ... any subtype of that type." and "a format-entry with one or more parameters is assumed
 * to match the same format-entry with no parameters."
 */
function entryAdmits(entry: string, type: BaseType): boolean {
  const e = baseType(entry);
  if (e === undefined) return false;
  if (e === '*') return true;
  if (e.type !== type.type) return false;
  return e.subtype === '*' || e.subtype === type.subtype;
}

/** Where a body of the given type is to be carried. */
export type MediaTypePosition = 'top-level' | 'wrapped';

/**
 * Whether content of `type` (a Content-Type value; parameters are ignored) may be sent to a peer
 * that signalled these lists. Senders use it before sending (E-07) and receivers to answer 415.
 *
 * E-07, RFC 4975 §8.6: "An MSRP endpoint MUST NOT send content of a type not signaled by the peer in
 * either an accept-types or an accept-wrapped-types attribute. Furthermore, it MUST NOT send a
 * top-level (i.e., not wrapped) MIME document of a type not signaled in the accept-types attribute."
 * So a top-level body must match accept-types; a wrapped one may match either list ("any type
 * listed in accept-types may be both used as a root body and wrapped in other bodies").
 */
export function mediaTypeAccepted(
  type: string,
  acceptTypes: readonly string[],
  acceptWrappedTypes: readonly string[] = [],
  position: MediaTypePosition = 'top-level',
): boolean {
  const t = baseType(type);
  // A content type is never a wildcard; malformed ones match nothing, not even "*".
  if (t === undefined || t === '*' || t.type === '*' || t.subtype === '*') return false;
  if (acceptTypes.some((entry) => entryAdmits(entry, t))) return true;
  return position === 'wrapped' && acceptWrappedTypes.some((entry) => entryAdmits(entry, t));
}

/**
 * Whether two format lists have a type in common, wildcards counted on both sides: the test behind
 * the SHOULD-488 of RFC 4975 §8.6 ("If the recipient of an offer does not understand any of the
 * payload types indicated in the offered SDP, it SHOULD ... return a SIP 488 response").
 */
export function mediaTypesOverlap(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a) {
    const bx = baseType(x);
    if (bx === undefined) continue;
    for (const y of b) {
      const by = baseType(y);
      if (by === undefined) continue;
      if (bx === '*' || by === '*') return true;
      if (bx.type !== by.type) continue;
      if (bx.subtype === '*' || by.subtype === '*' || bx.subtype === by.subtype) return true;
    }
  }
  return false;
}

/**
 * Entries of accept-wrapped-types that repeat an entry of accept-types (compared without
 * parameters). E-06, RFC 4975 §8.6: "format entries from accept-types SHOULD NOT be repeated in this
 * attribute."
 */
export function repeatedWrappedTypes(acceptTypes: readonly string[], acceptWrappedTypes: readonly string[]): string[] {
  const key = (entry: string): string => {
    const b = baseType(entry);
    return b === undefined ? entry : b === '*' ? '*' : `${b.type}/${b.subtype}`;
  };
  const top = new Set(acceptTypes.map(key));
  return acceptWrappedTypes.filter((entry) => top.has(key(entry)));
}
