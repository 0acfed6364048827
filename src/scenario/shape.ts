/**
 * Checks a source tree against the TypeBox definition (definition.ts), reporting every problem
 * where it was written: unknown keys (with suggestions), duplicate keys, missing keys, wrong
 * types, bad units, values outside a list, and the "exactly one of" rules of events, faults and
 * expectations. Returns the plain value with bad parts left out, so later checks still run on
 * everything that is well formed.
 */
import { Kind } from '../vendor/typebox.js';
import type { TSchema } from '../vendor/typebox.js';
import { Discriminator, Expect, KeyExpect, KeyText, Noun, Text, Unit } from './definition-annotations.js';
import type { UnitKind } from './definition-annotations.js';
import type { Positions } from './diagnostics.js';
import { didYouMean, listOr } from './problems.js';
import type { Path } from './problems.js';
import type { Range, SrcEntry, SrcNode } from './source.js';
import { describeValue, parseBandwidth, parseDuration, parseProbability, parseSeconds, parseSize } from './units.js';
import type { UnitResult } from './units.js';

export const INVALID: unique symbol = Symbol('invalid');
export type Checked = unknown;

export interface Sink {
  error(at: Range | number, path: Path, message: string): void;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- schemas are JSON Schema objects read by keyword */
type Schema = TSchema & Record<string | symbol, any>;

const UNIT_PARSERS: Record<UnitKind, (v: unknown) => UnitResult> = {
  duration: parseDuration,
  seconds: parseSeconds,
  size: parseSize,
  bandwidth: parseBandwidth,
  probability: parseProbability,
};
const UNIT_WORDS: Record<UnitKind, string> = {
  duration: 'a time such as `250ms` or `1.5s`',
  seconds: 'whole seconds (`600`) or a time (`10m`)',
  size: 'a size such as `2048` or `40KiB`',
  bandwidth: 'a bandwidth such as `10Mbit/s`',
  probability: 'a probability such as `0.01` or `1%`',
};

export class ShapeChecker {
  constructor(
    private readonly sink: Sink,
    private readonly positions: Positions,
    /** How messages name another place in the file: `line 12`. */
    private readonly whereOf: (range: Range) => string,
  ) {}

  check(schema: TSchema, node: SrcNode, path: Path): Checked | typeof INVALID {
    const s = schema as Schema;
    const unit = s[Unit] as UnitKind | undefined;
    if (unit !== undefined) return this.unit(unit, node, path);
    switch (s[Kind]) {
      case 'Union':
        return this.union(s, node, path);
      case 'Object':
        return this.object(s, node, path);
      case 'Record':
        return this.record(s, node, path);
      case 'Array':
        return this.array(s, node, path);
      case 'Tuple':
        return this.tuple(s, node, path);
      case 'String':
        return this.string(s, node, path);
      case 'Integer':
      case 'Number':
        return this.number(s, node, path);
      case 'Boolean':
        if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
        return this.wrongType(s, node, path);
      case 'Flag':
        if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
        if (node.kind === 'scalar' && (node.value === 'yes' || node.value === 'no')) return node.value === 'yes';
        return this.wrongType(s, node, path);
      case 'Literal':
        if (node.kind === 'scalar' && node.value === s.const) return node.value;
        return this.wrongType(s, node, path);
      case 'StringEnum':
        return this.stringEnum(s, node, path);
      default:
        throw new Error(`definition uses a schema kind the checker does not know: ${String(s[Kind])}`);
    }
  }

  private wrongType(s: Schema, node: SrcNode, path: Path): typeof INVALID {
    this.sink.error(node.range, path, `expected ${expectation(s)}, got ${describeNode(node)}`);
    return INVALID;
  }

  private unit(unit: UnitKind, node: SrcNode, path: Path): Checked | typeof INVALID {
    if (node.kind !== 'scalar') {
      this.sink.error(node.range, path, `expected ${UNIT_WORDS[unit]}, got ${describeNode(node)}`);
      return INVALID;
    }
    const r = UNIT_PARSERS[unit](node.value);
    if (!r.ok) {
      this.sink.error(node.range, path, r.message);
      return INVALID;
    }
    return node.value;
  }

  private string(s: Schema, node: SrcNode, path: Path): Checked | typeof INVALID {
    if (node.kind !== 'scalar' || typeof node.value !== 'string') {
      const hint = node.kind === 'scalar' && (typeof node.value === 'number' || typeof node.value === 'boolean') ? ` (quote it if you meant the text \`${String(node.value)}\`)` : '';
      this.sink.error(node.range, path, `expected ${expectation(s)}, got ${describeNode(node)}${hint}`);
      return INVALID;
    }
    const v = node.value;
    if (typeof s[Text] === 'string') {
      const problem = controlCharacterProblem(s[Text] as string, v);
      if (problem !== null) {
        this.sink.error(node.range, path, problem);
        return INVALID;
      }
    }
    if (typeof s.minLength === 'number' && v.length < s.minLength) {
      this.sink.error(node.range, path, v === '' ? `expected ${expectation(s)}, got an empty string` : `\`${printable(v)}\` is too short`);
      return INVALID;
    }
    if (typeof s.maxLength === 'number' && v.length > s.maxLength) {
      this.sink.error(node.range, path, `is longer than ${s.maxLength} characters`);
      return INVALID;
    }
    if (typeof s.pattern === 'string' && !compiled(s.pattern).test(v)) {
      this.sink.error(node.range, path, `\`${printable(v)}\` is not ${expectation(s)}`);
      return INVALID;
    }
    return v;
  }

  private number(s: Schema, node: SrcNode, path: Path): Checked | typeof INVALID {
    const integer = s[Kind] === 'Integer';
    if (node.kind !== 'scalar' || typeof node.value !== 'number' || !Number.isFinite(node.value) || (integer && !Number.isSafeInteger(node.value))) {
      return this.wrongType(s, node, path);
    }
    const v = node.value;
    if ((typeof s.minimum === 'number' && v < s.minimum) || (typeof s.maximum === 'number' && v > s.maximum)) return this.wrongType(s, node, path);
    return v;
  }

  private stringEnum(s: Schema, node: SrcNode, path: Path): Checked | typeof INVALID {
    const values = s.enum as string[];
    if (node.kind === 'scalar' && typeof node.value === 'string' && values.includes(node.value)) return node.value;
    const got = node.kind === 'scalar' && typeof node.value === 'string' ? `\`${printable(node.value)}\`${didYouMean(node.value, values)}` : describeNode(node);
    this.sink.error(node.range, path, `expected ${listOr(values)}, got ${got}`);
    return INVALID;
  }

  private union(s: Schema, node: SrcNode, path: Path): Checked | typeof INVALID {
    const branches = s.anyOf as Schema[];
    const key = s[Discriminator] as string | undefined;
    if (key !== undefined) return this.discriminated(s, key, branches, node, path);
    const candidates = branches.filter((b) => accepts(b, node));
    if (candidates.length === 0) return this.wrongType(s, node, path);
    if (candidates.length > 1) {
      // Try quietly; the first branch that fits without a problem wins.
      for (const b of candidates) {
        let found = 0;
        const quiet = new ShapeChecker({ error: () => void found++ }, this.positions, this.whereOf);
        const r = quiet.check(b, node, path);
        if (found === 0 && r !== INVALID) return r;
      }
    }
    return this.check(candidates[0]!, node, path);
  }

  private discriminated(s: Schema, key: string, branches: Schema[], node: SrcNode, path: Path): Checked | typeof INVALID {
    if (node.kind !== 'map') return this.wrongType(s, node, path);
    const values = branches.map((b) => b.properties[key].const as string);
    const entry = node.entries.find((e) => e.key === key);
    if (entry === undefined) {
      this.sink.error(this.positions.key(path), path, `missing \`${key}\`: one of ${listOr(values)}`);
      return INVALID;
    }
    const v = entry.value.kind === 'scalar' ? entry.value.value : undefined;
    const branch = branches.find((b) => b.properties[key].const === v);
    if (branch === undefined) {
      const got = typeof v === 'string' ? `\`${printable(v)}\`${didYouMean(v, values)}` : describeNode(entry.value);
      this.sink.error(entry.value.range, [...path, key], `expected ${listOr(values)}, got ${got}`);
      return INVALID;
    }
    return this.check(branch, node, path);
  }

  private entries(node: SrcNode & { kind: 'map' }, path: Path): SrcEntry[] {
    const all = node.entries;
    // Most mappings are a few keys, each once: those are checked pairwise and returned as they are.
    if (all.length <= 8 && !hasDuplicateKey(all)) return all;
    const first = new Map<string, SrcEntry>();
    const out: SrcEntry[] = [];
    for (const e of all) {
      const earlier = first.get(e.key);
      if (earlier !== undefined) {
        this.sink.error(e.keyRange, path, `duplicate key \`${printable(e.key)}\`; the first is at ${this.whereOf(earlier.keyRange)}`);
        continue;
      }
      first.set(e.key, e);
      out.push(e);
    }
    return out;
  }

  private object(s: Schema, node: SrcNode, path: Path): Checked | typeof INVALID {
    if (node.kind !== 'map') return this.wrongType(s, node, path);
    const props = s.properties as Record<string, Schema>;
    const { required, combined, rules } = objectKeys(s);
    const out: Record<string, unknown> = {};
    let invalid = false;
    const written = this.entries(node, path);
    for (const e of written) {
      const prop = Object.hasOwn(props, e.key) ? props[e.key] : undefined;
      if (prop === undefined) {
        const known = Object.keys(props).filter((k) => k !== '$schema');
        const suggestion = didYouMean(e.key, known);
        this.sink.error(e.keyRange, path, suggestion !== '' ? `unknown key \`${printable(e.key)}\`${suggestion}` : `unknown key \`${printable(e.key)}\`; expected ${listOr(known)}`);
        continue;
      }
      const v = this.check(prop, e.value, [...path, e.key]);
      if (v === INVALID) {
        // Without it the mapping would pass for one that lacks the key, which says otherwise.
        if (required.includes(e.key) || combined.has(e.key)) invalid = true;
        continue;
      }
      out[e.key] = v;
    }
    for (const r of required) {
      if (!written.some((e) => e.key === r)) {
        this.sink.error(this.positions.key(path), path, `missing \`${r}\``);
        invalid = true;
      }
    }
    if (rules && !this.combinations(s, written, path)) invalid = true;
    return invalid ? INVALID : out;
  }

  /** The `oneOf` / `anyOf` / `not` rules over which keys are present (JSON Schema keywords). */
  private combinations(s: Schema, written: SrcEntry[], path: Path): boolean {
    const noun = (s[Noun] as string | undefined) ?? 'this mapping';
    const keysOf = (alternatives: { required: string[] }[]) => alternatives.map((a) => a.required[0]!);
    let ok = true;
    if (Array.isArray(s.oneOf)) {
      const keys = keysOf(s.oneOf);
      const present = written.filter((e) => keys.includes(e.key));
      if (present.length === 0) {
        this.sink.error(this.positions.key(path), path, `${noun} needs one of ${listOr(keys)}`);
        ok = false;
      } else if (present.length > 1) {
        this.sink.error(present[1]!.keyRange, path, `${noun} takes only one of ${listOr(keys)}, but has both \`${present[0]!.key}\` and \`${present[1]!.key}\``);
        ok = false;
      }
    }
    if (Array.isArray(s.anyOf)) {
      const keys = keysOf(s.anyOf);
      if (!written.some((e) => keys.includes(e.key))) {
        this.sink.error(this.positions.key(path), path, `${noun} needs ${keys.length === 2 ? 'one' : 'at least one'} of ${listOr(keys)}`);
        ok = false;
      }
    }
    if (s.not !== undefined && Array.isArray(s.not.required)) {
      const keys = s.not.required as string[];
      const present = written.filter((e) => keys.includes(e.key));
      if (present.length === keys.length) {
        this.sink.error(present[present.length - 1]!.keyRange, path, `${listAnd(keys)} cannot be used together`);
        ok = false;
      }
    }
    return ok;
  }

  private record(s: Schema, node: SrcNode, path: Path): Checked | typeof INVALID {
    if (node.kind !== 'map') return this.wrongType(s, node, path);
    const [pattern, valueSchema] = Object.entries(s.patternProperties as Record<string, Schema>)[0]!;
    const keyRe = compiled(pattern);
    const out: Record<string, unknown> = {};
    for (const e of this.entries(node, path)) {
      const keyProblem = typeof s[KeyText] === 'string' ? controlCharacterProblem(`${s[KeyText] as string} \`${printable(e.key)}\``, e.key) : null;
      if (keyProblem !== null) {
        this.sink.error(e.keyRange, path, keyProblem);
        continue;
      }
      if (!keyRe.test(e.key)) {
        this.sink.error(e.keyRange, path, `\`${printable(e.key)}\` is not ${(s[KeyExpect] as string | undefined) ?? 'a valid key here'}`);
        continue;
      }
      const v = this.check(valueSchema, e.value, [...path, e.key]);
      if (v === INVALID) continue;
      Object.defineProperty(out, e.key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private array(s: Schema, node: SrcNode, path: Path): Checked | typeof INVALID {
    if (node.kind === 'scalar' && typeof node.value === 'string' && node.value !== '') {
      this.sink.error(node.range, path, `expected a list, got ${describeNode(node)} (write \`[${printable(node.value)}]\` for a list of one)`);
      return INVALID;
    }
    if (node.kind !== 'seq') return this.wrongType(s, node, path);
    if (typeof s.minItems === 'number' && node.items.length < s.minItems) {
      this.sink.error(node.range, path, node.items.length === 0 ? `needs at least ${s.minItems === 1 ? 'one item' : `${s.minItems} items`}` : `needs at least ${s.minItems} items, has ${node.items.length}`);
      return INVALID;
    }
    return node.items.map((item, i) => {
      const v = this.check(s.items as Schema, item, [...path, i]);
      return v === INVALID ? undefined : v;
    });
  }

  private tuple(s: Schema, node: SrcNode, path: Path): Checked | typeof INVALID {
    const items = s.items as Schema[];
    if (node.kind !== 'seq' || node.items.length !== items.length) return this.wrongType(s, node, path);
    const out: unknown[] = [];
    let invalid = false;
    node.items.forEach((item, i) => {
      const v = this.check(items[i]!, item, [...path, i]);
      if (v === INVALID) invalid = true;
      out.push(v);
    });
    return invalid ? INVALID : out;
  }
}

function hasDuplicateKey(entries: readonly SrcEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    const key = entries[i]!.key;
    for (let j = 0; j < i; j++) if (entries[j]!.key === key) return true;
  }
  return false;
}

interface ObjectKeys {
  required: readonly string[];
  /** Keys named by the `oneOf` / `anyOf` / `not` rules. */
  combined: ReadonlySet<string>;
  /** The schema has `oneOf`, `anyOf` or `not` rules to check. */
  rules: boolean;
}

/** An object schema's required and combined keys, worked out once per schema, not per mapping. */
const objectKeysCache = new WeakMap<Schema, ObjectKeys>();

function objectKeys(s: Schema): ObjectKeys {
  let keys = objectKeysCache.get(s);
  if (keys === undefined) {
    const alternatives: { required?: string[] }[] = [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.not ? [s.not] : [])];
    keys = {
      required: (s.required as string[] | undefined) ?? [],
      combined: new Set(alternatives.flatMap((c) => c.required ?? [])),
      rules: s.oneOf !== undefined || s.anyOf !== undefined || s.not !== undefined,
    };
    objectKeysCache.set(s, keys);
  }
  return keys;
}

/** Names of the control characters people meet in files; the others by code point. */
const CONTROL_NAMES = new Map<number, string>([
  [0x00, 'a NUL (U+0000)'],
  [0x0a, 'a line feed (LF)'],
  [0x0d, 'a carriage return (CR)'],
  [0x7f, 'a DEL (U+007F)'],
]);

function isControl(c: number): boolean {
  return (c < 0x20 && c !== 0x09) || c === 0x7f;
}

/**
 * W-13, RFC 4975 §9 (`utf8text`), RFC 3261 §25.1, RFC 4566 §9: MSRP, SIP and SDP text holds no
 * control character but HTAB; a CR or LF would end the line it is written in. `what` names the
 * field ("the realm"). Null when `v` is clean.
 */
export function controlCharacterProblem(what: string, v: string): string | null {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!isControl(c)) continue;
    const name = CONTROL_NAMES.get(c) ?? `a control character (U+${c.toString(16).toUpperCase().padStart(4, '0')})`;
    return `${what} contains ${name} at character ${i + 1}; control characters cannot be written in MSRP, SIP or SDP text`;
  }
  return null;
}

/** A value for a one-line message: control characters as escapes (`\r`, `\n`, `\u001b`). */
export function printable(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!isControl(c)) out += v[i];
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

const patterns = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (re === undefined) patterns.set(pattern, (re = new RegExp(pattern, 'u')));
  return re;
}

/** Whether a branch of a union is meant for this kind of value (so its messages are the right ones). */
function accepts(s: Schema, node: SrcNode): boolean {
  if (s[Unit] !== undefined) return node.kind === 'scalar';
  const v = node.kind === 'scalar' ? node.value : undefined;
  switch (s[Kind]) {
    case 'String':
    case 'StringEnum':
      return typeof v === 'string';
    case 'Integer':
    case 'Number':
      return typeof v === 'number';
    case 'Boolean':
      return typeof v === 'boolean';
    case 'Flag':
      return typeof v === 'boolean' || v === 'yes' || v === 'no';
    case 'Literal':
      return v === s.const;
    case 'Object':
    case 'Record':
      return node.kind === 'map';
    case 'Array':
      return node.kind === 'seq';
    case 'Tuple':
      return node.kind === 'seq' && node.items.length === (s.items as unknown[]).length;
    case 'Union':
      return (s.anyOf as Schema[]).some((b) => accepts(b, node));
    default:
      return false;
  }
}

/** What a schema wants, in words. */
export function expectation(s: Schema): string {
  if (typeof s[Expect] === 'string') return s[Expect] as string;
  const unit = s[Unit] as UnitKind | undefined;
  if (unit !== undefined) return UNIT_WORDS[unit];
  switch (s[Kind]) {
    case 'String':
      return 'a string';
    case 'StringEnum':
      return `one of ${listOr(s.enum as string[])}`;
    case 'Integer':
    case 'Number': {
      const what = s[Kind] === 'Integer' ? 'a whole number' : 'a number';
      if (typeof s.minimum === 'number' && typeof s.maximum === 'number') return `${what} from ${s.minimum} to ${s.maximum}`;
      if (s.minimum === 0) return `${what} (0 or more)`;
      if (typeof s.minimum === 'number') return `${what} of at least ${s.minimum}`;
      return what;
    }
    case 'Boolean':
      return '`true` or `false`';
    case 'Literal':
      return `\`${String(s.const)}\``;
    case 'Object':
    case 'Record':
      return 'a mapping';
    case 'Array':
      return 'a list';
    case 'Tuple':
      return `a list of ${(s.items as unknown[]).length} items`;
    case 'Union':
      return (s.anyOf as Schema[]).map(expectation).join(' or ');
    default:
      return 'something else';
  }
}

function describeNode(node: SrcNode): string {
  if (node.kind === 'scalar') return describeValue(node.value);
  if (node.kind === 'seq') return node.items.length === 1 ? 'a list of 1 item' : `a list of ${node.items.length} items`;
  return 'a mapping';
}

function listAnd(words: readonly string[]): string {
  const q = words.map((w) => `\`${w}\``);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}
