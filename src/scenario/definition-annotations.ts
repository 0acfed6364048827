/**
 * What the scenario file format (definition.ts) is built from: the symbol-keyed annotations that
 * steer the loader's messages (shape.ts reads them), the custom kinds `StringEnum` and `Flag`,
 * and the patterns of ids, hosts, addresses, media types, methods and protocol text.
 */
import { Kind, Type, TypeRegistry } from '../vendor/typebox.js';
import type { TUnsafe } from '../vendor/typebox.js';

/** Which unit parser checks a value (units.ts); its message is better than "does not match". */
export const Unit = Symbol.for('msrp-sim.scenario.unit');
export type UnitKind = 'duration' | 'size' | 'bandwidth' | 'probability' | 'seconds';
/** What a value should be, in words, for messages: "a node id", "a link `[a, b]`". */
export const Expect = Symbol.for('msrp-sim.scenario.expect');
/** The key whose value picks the branch of a union of mappings (`role` for nodes). */
export const Discriminator = Symbol.for('msrp-sim.scenario.discriminator');
/** What a mapping is called in messages about its keys: "an event", "a fault". */
export const Noun = Symbol.for('msrp-sim.scenario.noun');
/** What the keys of a free mapping (`nodes`) must be, in words. */
export const KeyExpect = Symbol.for('msrp-sim.scenario.key-expect');
/**
 * What a string written into MSRP, SIP or SDP text is called in messages ("the realm"). The
 * loader refuses a control character in it, by name and position, before the pattern's message.
 */
export const Text = Symbol.for('msrp-sim.scenario.text');
/** The same for the keys of a free mapping that are protocol text (`users`: "the username"). */
export const KeyText = Symbol.for('msrp-sim.scenario.key-text');

if (!TypeRegistry.Has('StringEnum')) {
  TypeRegistry.Set('StringEnum', (schema: { enum: string[] }, value) => typeof value === 'string' && schema.enum.includes(value));
}
if (!TypeRegistry.Has('Flag')) {
  TypeRegistry.Set('Flag', (_schema, value) => typeof value === 'boolean' || value === 'yes' || value === 'no');
}

/** A string from a fixed list; `{ type: string, enum: [...] }` in the JSON Schema. */
export function StringEnum<const T extends readonly string[]>(values: T, description: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ [Kind]: 'StringEnum', type: 'string', enum: [...values], description });
}

/**
 * W-13, RFC 4975 §9: header values are `utf8text = *(HTAB / %x20-7E / UTF8-NONASCII)`; SIP and
 * SDP text (RFC 3261 §25.1, RFC 4566 §9) forbid CR, LF and NUL too. A character class of what
 * such text may hold: anything but the C0 controls (HTAB excepted) and DEL.
 */
const TEXT_CHAR = '[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]';
export const TEXT_PATTERN = `^${TEXT_CHAR}*$`;
const ID = '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$';
export const NODE_ID_PATTERN = ID;
export const SESSION_ID_PATTERN = ID;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
export const HOST_PATTERN = `^${LABEL}(?:\\.${LABEL})*$`;
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
export const IPV4_PATTERN = `^${OCTET}(?:\\.${OCTET}){3}$`;
const TOKEN = "[A-Za-z0-9!#$&^_.+'*`|~-]+";
const QDTEXT = '[^"\\u0000-\\u0008\\u000A-\\u001F\\u007F]';
const PARAMS = `(?: *; *${TOKEN}=(?:${TOKEN}|"${QDTEXT}*"))*`;
export const MEDIA_TYPE_PATTERN = `^${TOKEN}/${TOKEN}${PARAMS}$`;
export const MEDIA_RANGE_PATTERN = `^(?:\\*|${TOKEN}/\\*|${TOKEN}/${TOKEN}${PARAMS})$`;
export const METHOD_PATTERN = '^[A-Z]+$';
