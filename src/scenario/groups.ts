/**
 * Node groups (SPEC §5, "Node groups"; docs/scenario-format.md): many alike nodes, users, links,
 * events or expectations written once. A group is a mapping of exactly two keys,
 *
 *     { group: { NAME: COUNT, ... }, each: TEMPLATE }
 *
 * standing, in a list, for one item per member, and, as the value of a mapping's key, for one
 * entry per member (the key then holds placeholders, so that each member has a key of its own).
 * Several names cross (the last one varies fastest); a group inside a template nests and sees the
 * names of the groups around it. In every string of a template (keys included) `{EXPR}` is
 * replaced by the value of EXPR, integer arithmetic on the names (`+ - * / %`, `/` rounding down,
 * parentheses), and `{EXPR:0W}` by that value with zeros in front up to W digits; `{{` and `}}`
 * stand for braces. A string that is one `{EXPR}` and nothing else becomes a number.
 *
 * Expansion works on the source tree, before the file's shape is checked: every value a member
 * gets keeps the place where its template was written, so a problem in a member points at the
 * template's line and column, and the path in the message (`nodes.rcv-03-17.relays[0]`) names the
 * member (`events[20000] (member i=3 of the group at line 12)`). What is wrong in a template is
 * wrong in every member: it is reported once, for the first member, with the count of the others.
 */
import { Positions, type Diagnostics } from './diagnostics.js';
import { memoByText } from '../wire/text-memo.js';
import type { Path } from './problems.js';
import type { Range, Scalar, SrcEntry, SrcNode } from './source.js';

/** Values after expansion, as the source parsers bound them (building takes about 800 bytes each). */
export const MAX_EXPANDED_VALUES = 4_000_000;
/** Members of one group, all names crossed. */
export const MAX_GROUP_MEMBERS = 1_000_000;

const NAME = /^[a-z][A-Za-z0-9_]*$/u;

type Bindings = ReadonlyMap<string, number>;

/**
 * Where a value is, as a chain from it back to the root: a step costs one small object, and the
 * path is spelled out only for a message.
 */
type PathLink = { up: PathLink; step: string | number } | null;

function pathOf(link: PathLink): Path {
  const steps: (string | number)[] = [];
  for (let l = link; l !== null; l = l.up) steps.push(l.step);
  return steps.reverse();
}

const at = (up: PathLink, step: string | number): PathLink => ({ up, step });

/** The group member a path lies in: said in the message, and the key that folds repeats. */
export interface MemberOf {
  /** `member r=3, k=17 of the group at line 12` */
  text: string;
  /** The group's offset: one problem of a template is reported once, for its first member. */
  group: number;
}

/** Which member of which group a path of the expanded tree lies in. */
export interface GroupMembers {
  describe(path: Path): MemberOf | undefined;
}

/** Items or entries `from` .. `from + count - 1` of a list or mapping are the members of a group. */
interface MemberSpan {
  from: number;
  count: number;
  names: readonly string[];
  counts: readonly number[];
  /** The group's offset in the file. */
  group: number;
}

class Expansion {
  values = 0;
  failed = false;
  root: SrcNode | null = null;
  /** Steps of a path through the expanded tree, as the checker's positions take them. */
  positions: Positions | null = null;
  /**
   * The lists and mappings of the expanded tree that hold members, with where the members are:
   * one record per group written, not per member. A member's names are worked out from its
   * place, and put into words, only when a problem is reported in it.
   */
  readonly spans = new WeakMap<SrcNode, MemberSpan[]>();

  constructor(readonly diag: Diagnostics) {}

  addSpan(container: SrcNode, span: MemberSpan): void {
    if (span.count === 0) return;
    const list = this.spans.get(container);
    if (list === undefined) this.spans.set(container, [span]);
    else list.push(span);
  }

  /** The innermost member `path` lies in, following the path through the expanded tree. */
  describe(path: Path): MemberOf | undefined {
    if (this.root === null) return undefined;
    let node: SrcNode = this.root;
    let found: MemberOf | undefined;
    for (const step of path) {
      const at = this.positions!.position(node, step);
      if (at < 0) break;
      const span = this.spans.get(node)?.find((sp) => at >= sp.from && at < sp.from + sp.count);
      if (span !== undefined) found = { text: `member ${describeMember(span, at - span.from)} of the group at ${this.diag.where(span.group)}`, group: span.group };
      if (node.kind === 'seq') node = node.items[at]!;
      else if (node.kind === 'map') node = node.entries[at]!.value;
    }
    return found;
  }

  error(at: Range | number, path: Path, message: string): void {
    this.failed = true;
    this.diag.error(at, path, message);
  }
}

type MapNode = Extract<SrcNode, { kind: 'map' }>;

function isGroup(node: SrcNode): boolean {
  if (node.kind !== 'map' || node.entries.length !== 2) return false;
  const a = node.entries[0]!.key;
  const b = node.entries[1]!.key;
  return (a === 'group' && b === 'each') || (a === 'each' && b === 'group');
}

/** Does the tree hold a group anywhere? (Most files do not: they are left as they are.) */
function hasGroup(node: SrcNode): boolean {
  if (node.kind === 'scalar') return false;
  if (node.kind === 'seq') return node.items.some(hasGroup);
  return isGroup(node) || node.entries.some((e) => hasGroup(e.value));
}

/**
 * The tree with every group replaced by its members, or null when a group is written wrong (each
 * problem reported on `diag`). Trees without groups come back as they are.
 */
export function expandGroups(root: SrcNode, diag: Diagnostics): { root: SrcNode; members: GroupMembers } | null {
  const none: GroupMembers = { describe: () => undefined };
  if (!hasGroup(root)) return { root, members: none };
  const x = new Expansion(diag);
  const out = expand(x, root, new Map(), null);
  if (x.failed) return null;
  x.root = out;
  x.positions = new Positions(out);
  const members: GroupMembers = { describe: (path) => x.describe(path) };
  return { root: out, members };
}

function expand(x: Expansion, node: SrcNode, env: Bindings, path: PathLink): SrcNode {
  if (++x.values > MAX_EXPANDED_VALUES) {
    if (x.values === MAX_EXPANDED_VALUES + 1) x.error(node.range, pathOf(path), `the groups make more than ${MAX_EXPANDED_VALUES} values; msrp-sim reads no larger scenario`);
    return node;
  }
  if (node.kind === 'scalar') return env.size === 0 ? node : substituteScalar(x, node, env, path);
  if (node.kind === 'seq') {
    const items: SrcNode[] = [];
    const out: SrcNode = { kind: 'seq', items, range: node.range };
    for (const item of node.items) {
      if (isGroup(item)) {
        const spec = groupSpec(x, item as MapNode, env, at(path, items.length));
        if (spec === null) continue;
        const from = items.length;
        const inner = new Map(env);
        for (let m = 0; m < spec.total; m++) {
          items.push(expand(x, spec.each, memberEnv(spec, inner, m), at(path, items.length)));
          if (x.failed) break;
        }
        x.addSpan(out, { from, count: items.length - from, names: spec.names, counts: spec.counts, group: item.range[0] });
      } else items.push(expand(x, item, env, at(path, items.length)));
    }
    return out;
  }
  if (isGroup(node)) {
    x.error(node.range, pathOf(path), 'a group (`group` and `each`) stands for list items or for entries of a mapping; here it is neither: put it in a list, or under a key with placeholders such as `rcv-{i}`');
    return node;
  }
  const entries: SrcEntry[] = [];
  const out: SrcNode = { kind: 'map', entries, range: node.range };
  for (const e of node.entries) {
    if (isGroup(e.value)) {
      const here = at(path, e.key);
      if (!/\{[^{]/u.test(e.key.replace(/\{\{/gu, ''))) {
        x.error(e.keyRange, pathOf(here), `a group's key names one entry per member: write a placeholder in it, such as \`${e.key}-{i}\``);
        continue;
      }
      const spec = groupSpec(x, e.value as MapNode, env, here);
      if (spec === null) continue;
      const from = entries.length;
      const inner = new Map(env);
      for (let m = 0; m < spec.total; m++) {
        const memberEnvironment = memberEnv(spec, inner, m);
        const k = substitute(x, e.key, memberEnvironment, e.keyRange, here);
        if (k === null) break;
        entries.push({ key: String(k), keyRange: e.keyRange, value: expand(x, spec.each, memberEnvironment, at(path, String(k))) });
        if (x.failed) break;
      }
      x.addSpan(out, { from, count: entries.length - from, names: spec.names, counts: spec.counts, group: e.value.range[0] });
      continue;
    }
    const k = env.size === 0 || !hasBrace(e.key) ? e.key : substitute(x, e.key, env, e.keyRange, at(path, e.key));
    if (k === null) continue;
    entries.push({ key: String(k), keyRange: e.keyRange, value: expand(x, e.value, env, at(path, String(k))) });
  }
  return out;
}

/** A group as written: its names and counts (the last name varies fastest) and its template. */
interface GroupSpec {
  names: string[];
  counts: number[];
  total: number;
  each: SrcNode;
}

/** The names of member `m` of a span, as a message says them: `r=3, k=17`. */
function describeMember(span: MemberSpan, m: number): string {
  return memberValues(span.counts, m)
    .map((v, i) => `${span.names[i]}=${v}`)
    .join(', ');
}

/** The names' values of member `m`: its digits in the counts' mixed radix, the last fastest. */
function memberValues(counts: readonly number[], m: number): number[] {
  const values = new Array<number>(counts.length);
  for (let i = counts.length - 1; i >= 0; i--) {
    values[i] = m % counts[i]!;
    m = Math.floor(m / counts[i]!);
  }
  return values;
}

/**
 * The names bound inside member `m`: those of the groups around, then this group's own. `inner`
 * is one copy of the bindings around per group, given each member's values in turn (members are
 * expanded one after the other and no binding outlives its member's expansion).
 */
function memberEnv(spec: GroupSpec, inner: Map<string, number>, m: number): Bindings {
  const values = memberValues(spec.counts, m);
  for (let i = 0; i < spec.names.length; i++) inner.set(spec.names[i]!, values[i]!);
  return inner;
}

function hasBrace(text: string): boolean {
  return text.includes('{') || text.includes('}');
}

/** A group's names and counts, checked; null when it is written wrong (reported). */
function groupSpec(x: Expansion, group: MapNode, env: Bindings, path: PathLink): GroupSpec | null {
  const spec = group.entries.find((e) => e.key === 'group')!;
  const each = group.entries.find((e) => e.key === 'each')!.value;
  const groupAt = pathOf(path).concat('group');
  if (spec.value.kind !== 'map' || spec.value.entries.length === 0) {
    x.error(spec.value.range, groupAt, 'expected a mapping of index names to counts, such as `{ i: 100 }` (or `{ r: 100, k: 100 }` for every pair)');
    return null;
  }
  const names: string[] = [];
  const counts: number[] = [];
  for (const e of spec.value.entries) {
    const where = [...groupAt, e.key];
    if (!NAME.test(e.key)) {
      x.error(e.keyRange, where, `\`${e.key}\` is no index name: a name starts with a small letter and holds letters, digits and _`);
      return null;
    }
    if (env.has(e.key) || names.includes(e.key)) {
      x.error(e.keyRange, where, `the index \`${e.key}\` is already a name of ${env.has(e.key) ? 'a group around this one' : 'this group'}; give it another name`);
      return null;
    }
    const v = e.value;
    if (v.kind !== 'scalar' || typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value < 0) {
      x.error(v.range, where, 'expected a count: a whole number of members, 0 or more');
      return null;
    }
    names.push(e.key);
    counts.push(v.value);
  }
  const total = counts.reduce((a, b) => a * b, 1);
  if (total > MAX_GROUP_MEMBERS) {
    x.error(spec.value.range, groupAt, `the group has ${total} members; msrp-sim takes at most ${MAX_GROUP_MEMBERS} in one group`);
    return null;
  }
  return { names, counts, total, each };
}

function substituteScalar(x: Expansion, node: Extract<SrcNode, { kind: 'scalar' }>, env: Bindings, path: PathLink): SrcNode {
  if (typeof node.value !== 'string' || !hasBrace(node.value)) return node;
  const value = substitute(x, node.value, env, node.range, path);
  return value === null ? node : { kind: 'scalar', value, range: node.range };
}

/**
 * `text` with its placeholders replaced; a number when the text is a single `{EXPR}`; null (with
 * the problem reported) when a placeholder is wrong.
 */
export function substitute(x: { error(at: Range | number, path: Path, message: string): void }, text: string, env: Bindings, at: Range, path: Path | PathLink): Scalar {
  const where = (): Path => (path === null || !Array.isArray(path) ? pathOf(path as PathLink) : path);
  const parsed = parseText(text);
  let out = '';
  let lastValue = 0;
  for (const piece of parsed.pieces) {
    if (typeof piece === 'string') {
      out += piece;
      continue;
    }
    if (piece.problem !== null) {
      x.error(at, where(), piece.problem);
      return null;
    }
    let v = piece.value === null ? NaN : piece.value(env);
    if (!Number.isSafeInteger(v)) {
      // An unbound name, a division by zero, too large a value or no expression at all:
      // `evaluate` says which, as it meets it.
      const r = evaluate(piece.expr, env);
      if (typeof r === 'string') {
        x.error(at, where(), `\`{${piece.inner}}\`: ${r}`);
        return null;
      }
      v = r;
    }
    const digits = String(Math.abs(v)).padStart(piece.width, '0');
    out += v < 0 ? `-${digits}` : digits;
    lastValue = v;
  }
  return parsed.single ? lastValue : out;
}

/** A placeholder as written, or a problem met at this point of the text. */
interface Placeholder {
  /** What is between the braces. */
  inner: string;
  expr: string;
  /** The expression compiled, or null when it does not parse. */
  value: CompiledExpr | null;
  width: number;
  problem: string | null;
}

/** A text cut into literal parts and placeholders, in order; a problem ends it. */
interface ParsedText {
  pieces: (string | Placeholder)[];
  /** The text is one `{EXPR}` without a width and nothing else: its value is a number. */
  single: boolean;
}

/**
 * A text cut into pieces: a group's template is the same text for every member, so each distinct
 * text is read once (and each expression compiled once) however many members use it.
 */
const parseText = memoByText(cutText, 4096);

function cutText(text: string): ParsedText {
  const pieces: (string | Placeholder)[] = [];
  const problem = (message: string): Placeholder => ({ inner: '', expr: '', value: null, width: 0, problem: message });
  let literal = '';
  let placeholders = 0;
  let padded = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c !== '{' && c !== '}') {
      literal += c;
      i++;
      continue;
    }
    if (literal !== '') pieces.push(literal);
    literal = '';
    if (c === '}') {
      pieces.push(problem(`\`${text}\`: a \`}\` without its \`{\`; write \`}}\` for a brace`));
      break;
    }
    const end = text.indexOf('}', i);
    if (end < 0) {
      pieces.push(problem(`\`${text}\`: a \`{\` without its \`}\`; write \`{{\` for a brace`));
      break;
    }
    const inner = text.slice(i + 1, end);
    const colon = inner.indexOf(':');
    const expr = colon < 0 ? inner : inner.slice(0, colon);
    let width = 0;
    if (colon >= 0) {
      const w = /^0([1-9][0-9]?)$/u.exec(inner.slice(colon + 1));
      if (w === null) {
        pieces.push(problem(`\`{${inner}}\`: after \`:\` comes the width with a zero in front, such as \`{i:03}\` for 007`));
        break;
      }
      width = Number(w[1]);
      padded = true;
    }
    pieces.push({ inner, expr, value: compileExpr(expr), width, problem: null });
    placeholders++;
    i = end + 1;
  }
  if (literal !== '') pieces.push(literal);
  const single = placeholders === 1 && !padded && text.startsWith('{') && text.endsWith('}') && text.indexOf('}') === text.length - 1;
  return { pieces, single };
}

/** An expression's value for the bound names; NaN when a name is unbound or a divisor is zero. */
type CompiledExpr = (env: Bindings) => number;

/**
 * The expression as a function, with `evaluate`'s grammar and arithmetic; null when it does not
 * parse (then `evaluate` is asked, and says why).
 */
function compileExpr(expr: string): CompiledExpr | null {
  const tokens = tokenize(expr);
  if (tokens.length === 0) return null;
  let p = 0;
  const primary = (): CompiledExpr | null => {
    const t = tokens[p++];
    if (t === undefined) return null;
    if (t === '(') {
      const v = sum();
      return tokens[p++] === ')' ? v : null;
    }
    if (t === '-') {
      const v = primary();
      return v === null ? null : (env) => -v(env);
    }
    if (/^[0-9]+$/u.test(t)) {
      const n = Number(t);
      return () => n;
    }
    if (/^[A-Za-z_]/u.test(t)) return (env) => env.get(t) ?? NaN;
    return null;
  };
  const product = (): CompiledExpr | null => {
    let v = primary();
    for (;;) {
      const op = tokens[p];
      if (v === null || (op !== '*' && op !== '/' && op !== '%')) return v;
      p++;
      const l = v;
      const r = primary();
      if (r === null) return null;
      if (op === '*') v = (env) => l(env) * r(env);
      else if (op === '/') v = (env) => { const d = r(env); return d === 0 ? NaN : Math.floor(l(env) / d); };
      else v = (env) => { const d = r(env); return d === 0 ? NaN : ((l(env) % d) + d) % d; };
    }
  };
  const sum = (): CompiledExpr | null => {
    let v = product();
    for (;;) {
      const op = tokens[p];
      if (v === null || (op !== '+' && op !== '-')) return v;
      p++;
      const l = v;
      const r = product();
      if (r === null) return null;
      v = op === '+' ? (env) => l(env) + r(env) : (env) => l(env) - r(env);
    }
  };
  const v = sum();
  return v !== null && p === tokens.length ? v : null;
}

function tokenize(expr: string): string[] {
  return expr.match(/\s*([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[-+*/%()]|\S)/gu)?.map((t) => t.trim()) ?? [];
}

/** Integer arithmetic on the bound names; a message when the expression is wrong. */
export function evaluate(expr: string, env: Bindings): number | string {
  const tokens = tokenize(expr);
  let p = 0;
  const fail = (m: string): never => {
    throw new ExprError(m);
  };
  const primary = (): number => {
    const t = tokens[p++];
    if (t === undefined) return fail('the expression ends too early');
    if (t === '(') {
      const v = sum();
      if (tokens[p++] !== ')') fail('a `(` without its `)`');
      return v;
    }
    if (t === '-') return -primary();
    if (/^[0-9]+$/u.test(t)) return Number(t);
    if (/^[A-Za-z_]/u.test(t)) {
      const v = env.get(t);
      if (v === undefined) return fail(env.size === 0 ? `\`${t}\` is no index name here (no group around this value)` : `\`${t}\` is no index name here; the groups around this value name ${[...env.keys()].map((n) => `\`${n}\``).join(', ')}`);
      return v;
    }
    return fail(`unexpected \`${t}\`; placeholders hold index names, whole numbers and + - * / % ( )`);
  };
  const product = (): number => {
    let v = primary();
    for (;;) {
      const op = tokens[p];
      if (op !== '*' && op !== '/' && op !== '%') return v;
      p++;
      const r = primary();
      if (op === '*') v *= r;
      else if (r === 0) fail('division by zero');
      else if (op === '/') v = Math.floor(v / r);
      else v = ((v % r) + r) % r;
    }
  };
  const sum = (): number => {
    let v = product();
    for (;;) {
      const op = tokens[p];
      if (op !== '+' && op !== '-') return v;
      p++;
      v = op === '+' ? v + product() : v - product();
    }
  };
  try {
    if (tokens.length === 0) return 'an empty placeholder; write an index name such as `{i}`';
    const v = sum();
    if (p < tokens.length) return `unexpected \`${tokens[p]}\` in the expression`;
    if (!Number.isSafeInteger(v)) return 'the value is too large';
    return v;
  } catch (e) {
    if (e instanceof ExprError) return e.message;
    throw e;
  }
}

class ExprError extends Error {}
