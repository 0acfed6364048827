/**
 * A scenario file as a tree of values that remember where they were written. YAML (through the
 * `yaml` package) and JSON (through the small parser below, for exact syntax-error positions)
 * both become this tree, so everything after it works the same for both.
 */
import { CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, parseDocument } from '../vendor/yaml.js';
import type { Document, Node as YamlNode } from '../vendor/yaml.js';

/** [start, end) offsets into the text. */
export type Range = readonly [number, number];

export type Scalar = string | number | boolean | null;

export type SrcNode =
  | { kind: 'map'; entries: SrcEntry[]; range: Range }
  | { kind: 'seq'; items: SrcNode[]; range: Range }
  | { kind: 'scalar'; value: Scalar; range: Range };

export interface SrcEntry {
  key: string;
  keyRange: Range;
  value: SrcNode;
}

export interface SyntaxProblem {
  offset: number;
  message: string;
}

export type SourceResult = { ok: true; root: SrcNode | null } | { ok: false; problems: SyntaxProblem[] };

/** Deeper nesting than this is no scenario; the limit keeps recursion bounded. */
const MAX_DEPTH = 200;
/** Nodes after alias expansion: YAML aliases can otherwise expand exponentially. */
const MAX_NODES = 1_000_000;
/**
 * Values (scalars, aliases, flow collections) as written, counted before any are built: building
 * takes about 800 bytes each, and the 10,000-node scale scenario (4.3 MB) has about 560,000.
 */
export const MAX_VALUES = 1_000_000;
const TOO_MANY_VALUES = `the file holds more than ${MAX_VALUES} values (a scenario of 10,000 nodes has about 560,000); msrp-sim reads no larger scenario`;

/** Offsets to 1-based lines and columns. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

// --------------------------------------------------------------------------------------------
// YAML

export function parseYamlSource(text: string): SourceResult {
  // A value takes at least half a character of the text: a plain scalar's marker token comes
  // with its text, the other value tokens are text, except a block scalar's content, which may
  // be empty but follows its header. A text of at most MAX_VALUES / 2 characters cannot pass the
  // bound, so it is not lexed twice (on a tenth of the scale scenario, 431 kB, the count cost as
  // much CPU as the parse's own lexing and allocated 140 MB).
  const tooMany = text.length > MAX_VALUES / 2 ? valuesBeyondBound(text) : -1;
  if (tooMany >= 0) return { ok: false, problems: [{ offset: tooMany, message: TOO_MANY_VALUES }] };
  const doc = parseDocument(text, { uniqueKeys: false, merge: true, prettyErrors: false, keepSourceTokens: false });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ offset: e.pos[0], message: yamlMessage(e.code, e.message) })) };
  }
  if (doc.contents === null) return { ok: true, root: null };
  const budget = { nodes: 0 };
  const problems: SyntaxProblem[] = [];
  const root = fromYaml(doc, doc.contents, 0, budget, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, root };
}

/** Token types of the YAML lexer that stand for one value each. */
const VALUE_TOKENS = new Set(['scalar', 'single-quoted-scalar', 'double-quoted-scalar', 'block-scalar-header', 'alias', 'flow-map-start', 'flow-seq-start']);

/**
 * Counts the values of a YAML text with the lexer, which builds nothing: the offset of the value
 * past MAX_VALUES, or -1 if there are not that many.
 */
function valuesBeyondBound(text: string): number {
  let offset = 0;
  let values = 0;
  for (const token of new Lexer().lex(text)) {
    // A plain scalar comes as a marker token, then its text (typed null); quoted scalars,
    // aliases and flow collections as one token.
    if (VALUE_TOKENS.has(CST.tokenType(token) ?? '') && ++values > MAX_VALUES) return offset;
    // The lexer's own markers (document start, flow end, scalar) are one control character that
    // is not in the text; the text holds none (the loader refuses control characters first).
    if (token.length === 1 && token.charCodeAt(0) < 0x20 && token !== '\t' && token !== '\n' && token !== '\r') continue;
    offset += token.length;
  }
  return -1;
}

function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a scenario file holds one YAML document; this `---` starts a second one';
  return `YAML syntax: ${message.replace(/\s+at line \d+, column \d+.*$/su, '')}`;
}

function fromYaml(doc: Document, node: YamlNode | null | undefined, depth: number, budget: { nodes: number }, problems: SyntaxProblem[], at = 0): SrcNode {
  if (++budget.nodes > MAX_NODES || depth > MAX_DEPTH) {
    // The values as written are within MAX_VALUES (counted before): more here come from aliases.
    const message = depth > MAX_DEPTH ? `the file nests deeper than ${MAX_DEPTH} levels; no scenario needs that` : `through its aliases, the file expands to more than ${MAX_NODES} values; no scenario needs that`;
    if (problems.length === 0) problems.push({ offset: node?.range?.[0] ?? at, message });
    return { kind: 'scalar', value: null, range: [at, at] };
  }
  if (node === null || node === undefined) return { kind: 'scalar', value: null, range: [at, at] };
  if (isAlias(node)) {
    const target = node.resolve(doc);
    const range: Range = [node.range![0], node.range![1]];
    if (target === undefined) return { kind: 'scalar', value: null, range };
    // The alias stands where it is written; its value comes from the anchor.
    return { ...fromYaml(doc, target, depth + 1, budget, problems, range[0]), range };
  }
  const range: Range = node.range ? [node.range[0], node.range[1]] : [at, at];
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { kind: 'scalar', value: v, range };
    if (typeof v === 'bigint') return { kind: 'scalar', value: Number(v), range };
    return { kind: 'scalar', value: String(node.source ?? v), range };
  }
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((item) => fromYaml(doc, item as YamlNode, depth + 1, budget, problems, range[0])), range };
  }
  if (isMap(node)) {
    const entries: SrcEntry[] = [];
    const merged: SrcEntry[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key as YamlNode | null;
      const keyRange: Range = key?.range ? [key.range[0], key.range[1]] : range;
      if (isScalar(key) && typeof key.value === 'symbol') {
        // `<<: *anchor` (a YAML merge key): the anchor's keys, under the ones written here.
        const source = fromYaml(doc, pair.value as YamlNode, depth + 1, budget, problems, keyRange[0]);
        const maps = source.kind === 'seq' ? source.items : [source];
        for (const m of maps) {
          if (m.kind === 'map') for (const e of m.entries) merged.push(e);
          else problems.push({ offset: m.range[0], message: 'YAML syntax: a merge key (`<<`) takes a mapping or a list of mappings' });
        }
        continue;
      }
      if (key !== null && !isScalar(key) && !isAlias(key)) {
        problems.push({ offset: keyRange[0], message: 'YAML syntax: keys must be plain names, not lists or mappings' });
        continue;
      }
      const keyNode = key === null ? null : fromYaml(doc, key, depth + 1, budget, problems, range[0]);
      const keyText = keyNode === null || keyNode.kind !== 'scalar' || keyNode.value === null ? '' : String(keyNode.value);
      entries.push({ key: keyText, keyRange, value: fromYaml(doc, pair.value as YamlNode, depth + 1, budget, problems, keyRange[1]) });
    }
    const written = new Set(entries.map((e) => e.key));
    const seen = new Set<string>();
    for (const e of merged) {
      if (written.has(e.key) || seen.has(e.key)) continue;
      seen.add(e.key);
      entries.push(e);
    }
    return { kind: 'map', entries, range };
  }
  problems.push({ offset: range[0], message: 'YAML syntax: unsupported node' });
  return { kind: 'scalar', value: null, range };
}

// --------------------------------------------------------------------------------------------
// JSON (RFC 8259), with messages that say what was expected where

export function parseJsonSource(text: string): SourceResult {
  const p = new JsonParser(text);
  try {
    p.ws();
    if (p.i >= text.length) return { ok: true, root: null };
    const root = p.value(0);
    p.ws();
    if (p.i < text.length) p.fail(`unexpected ${p.what()} after the end of the JSON value`);
    return { ok: true, root };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, problems: [{ offset: e.offset, message: e.syntax ? `JSON syntax: ${e.message}` : e.message }] };
    throw e;
  }
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
    /** False for a bound, which is no syntax error. */
    readonly syntax = true,
  ) {
    super(message);
  }
}

class JsonParser {
  i = 0;
  private values = 0;
  constructor(private readonly s: string) {}

  fail(message: string, at = this.i): never {
    throw new JsonSyntaxError(at, message);
  }

  what(): string {
    if (this.i >= this.s.length) return 'end of file';
    const c = this.s[this.i]!;
    if (c === "'") return 'single quote (JSON strings take double quotes)';
    if (/[A-Za-z_]/u.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/u.exec(this.s.slice(this.i, this.i + 40))![0];
      return `\`${word}\``;
    }
    return `\`${c}\``;
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else if (c === 0x2f && (s[this.i + 1] === '/' || s[this.i + 1] === '*')) this.fail('comments are not allowed in JSON (a YAML file may have them)');
      else break;
    }
  }

  value(depth: number): SrcNode {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(this.i, `the file nests deeper than ${MAX_DEPTH} levels; no scenario needs that`, false);
    if (++this.values > MAX_VALUES) throw new JsonSyntaxError(this.i, TOO_MANY_VALUES, false);
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') {
      const start = this.i;
      const value = this.string();
      return { kind: 'scalar', value, range: [start, this.i] };
    }
    const start = this.i;
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return { kind: 'scalar', value, range: [start, this.i] };
      }
    }
    const num = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/u.exec(this.s.slice(this.i, this.i + 400));
    if (num !== null && num[0] !== '-') {
      this.i += num[0].length;
      return { kind: 'scalar', value: Number(num[0]), range: [start, this.i] };
    }
    if (c !== undefined && /[A-Za-z0-9.]/u.test(c)) this.fail(`expected a value; ${this.what()} needs double quotes if it is a string`);
    return this.fail(`expected a value, found ${this.what()}`);
  }

  object(depth: number): SrcNode {
    const start = this.i++;
    const entries: SrcEntry[] = [];
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return { kind: 'map', entries, range: [start, this.i] };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') {
        if (this.s[this.i] === '}' && entries.length > 0) this.fail('trailing comma before `}`', this.lastComma);
        this.fail(`expected a property name in double quotes, found ${this.what()}`);
      }
      const keyStart = this.i;
      const key = this.string();
      const keyRange: Range = [keyStart, this.i];
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`expected \`:\` after the property name, found ${this.what()}`);
      this.i++;
      this.ws();
      const value = this.value(depth + 1);
      entries.push({ key, keyRange, value });
      this.ws();
      if (this.s[this.i] === ',') {
        this.lastComma = this.i++;
        continue;
      }
      if (this.s[this.i] === '}') {
        this.i++;
        return { kind: 'map', entries, range: [start, this.i] };
      }
      this.fail(`expected \`,\` or \`}\` after a property value, found ${this.what()}`);
    }
  }

  private lastComma = 0;

  array(depth: number): SrcNode {
    const start = this.i++;
    const items: SrcNode[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return { kind: 'seq', items, range: [start, this.i] };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']' && items.length > 0) this.fail('trailing comma before `]`', this.lastComma);
      items.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') {
        this.lastComma = this.i++;
        continue;
      }
      if (this.s[this.i] === ']') {
        this.i++;
        return { kind: 'seq', items, range: [start, this.i] };
      }
      this.fail(`expected \`,\` or \`]\` after a list item, found ${this.what()}`);
    }
  }

  string(): string {
    const start = this.i++;
    let out = '';
    const s = this.s;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string', start);
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail(c === 0x0a ? 'unterminated string (a line ends inside it)' : 'control character in a string; escape it');
      if (c === 0x5c) {
        const e = s[this.i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && Object.hasOwn(simple, e)) {
          out += simple[e];
          this.i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/u.test(s.slice(this.i + 2, this.i + 6))) {
          out += String.fromCharCode(parseInt(s.slice(this.i + 2, this.i + 6), 16));
          this.i += 6;
        } else {
          this.fail(`invalid escape \`\\${e ?? ''}\` in a string`);
        }
        continue;
      }
      out += s[this.i];
      this.i++;
    }
  }
}

/** The plain value of a source tree (for checks against the TypeBox definition). */
export function toPlain(node: SrcNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) {
    // defineProperty, so that a key such as `__proto__` is a key like any other.
    if (!Object.hasOwn(out, e.key)) Object.defineProperty(out, e.key, { value: toPlain(e.value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
