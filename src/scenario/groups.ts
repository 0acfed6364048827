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
import type { Diagnostics } from './diagnostics.js';
import type { Path } from './problems.js';
import type { Range, Scalar, SrcEntry, SrcNode } from './source.js';

/** Values after expansion, as the source parsers bound them (building takes about 800 bytes each). */
export const MAX_EXPANDED_VALUES = 4_000_000;
/** Members of one group, all names crossed. */
export const MAX_GROUP_MEMBERS = 1_000_000;

const NAME = /^[a-z][A-Za-z0-9_]*$/u;

type Bindings = ReadonlyMap<string, number>;

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

class Expansion {
  values = 0;
  failed = false;
  /**
   * Path key of a list item or entry made by a group → the member it is: its own names' values
   * and the group's offset, put into words only when a problem is reported in it.
   */
  readonly memberAt = new Map<string, { own: Bindings; group: number }>();

  member(path: Path, own: Bindings, groupAt: number): void {
    this.memberAt.set(key(path), { own, group: groupAt });
  }

  describe(path: Path): MemberOf | undefined {
    for (let n = path.length; n > 0; n--) {
      const m = this.memberAt.get(key(path.slice(0, n)));
      if (m !== undefined) return { text: `member ${describeMember(m.own)} of the group at ${this.diag.where(m.group)}`, group: m.group };
    }
    return undefined;
  }

  constructor(readonly diag: Diagnostics) {}

  error(at: Range | number, path: Path, message: string): void {
    this.failed = true;
    this.diag.error(at, path, message);
  }
}

type MapNode = Extract<SrcNode, { kind: 'map' }>;

function isGroup(node: SrcNode): boolean {
  return node.kind === 'map' && node.entries.length === 2 && node.entries.some((e) => e.key === 'group') && node.entries.some((e) => e.key === 'each');
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
  const out = expand(x, root, new Map(), []);
  if (x.failed) return null;
  const members: GroupMembers = { describe: (path) => x.describe(path) };
  return { root: out, members };
}

const key = (path: Path): string => path.join('\0');

function expand(x: Expansion, node: SrcNode, env: Bindings, path: Path): SrcNode {
  if (++x.values > MAX_EXPANDED_VALUES) {
    if (x.values === MAX_EXPANDED_VALUES + 1) x.error(node.range, path, `the groups make more than ${MAX_EXPANDED_VALUES} values; msrp-sim reads no larger scenario`);
    return node;
  }
  if (node.kind === 'scalar') return env.size === 0 ? node : substituteScalar(x, node, env, path);
  if (node.kind === 'seq') {
    const items: SrcNode[] = [];
    for (const item of node.items) {
      if (isGroup(item)) {
        for (const member of members(x, item as MapNode, env, [...path, items.length])) {
          const at = [...path, items.length];
          x.member(at, member.own, item.range[0]);
          items.push(expand(x, member.each, member.env, at));
        }
      } else items.push(expand(x, item, env, [...path, items.length]));
    }
    return { kind: 'seq', items, range: node.range };
  }
  if (isGroup(node)) {
    x.error(node.range, path, 'a group (`group` and `each`) stands for list items or for entries of a mapping; here it is neither: put it in a list, or under a key with placeholders such as `rcv-{i}`');
    return node;
  }
  const entries: SrcEntry[] = [];
  for (const e of node.entries) {
    const at = [...path, e.key];
    if (isGroup(e.value)) {
      if (!/\{[^{]/u.test(e.key.replace(/\{\{/gu, ''))) {
        x.error(e.keyRange, at, `a group's key names one entry per member: write a placeholder in it, such as \`${e.key}-{i}\``);
        continue;
      }
      for (const member of members(x, e.value as MapNode, env, at)) {
        const k = substitute(x, e.key, member.env, e.keyRange, at);
        if (k === null) break;
        x.member([...path, String(k)], member.own, e.value.range[0]);
        entries.push({ key: String(k), keyRange: e.keyRange, value: expand(x, member.each, member.env, [...path, String(k)]) });
      }
      continue;
    }
    const k = env.size === 0 ? e.key : substitute(x, e.key, env, e.keyRange, at);
    if (k === null) continue;
    entries.push({ key: String(k), keyRange: e.keyRange, value: expand(x, e.value, env, [...path, String(k)]) });
  }
  return { kind: 'map', entries, range: node.range };
}

interface Member {
  own: Bindings;
  env: Bindings;
  each: SrcNode;
}

function describeMember(own: Bindings): string {
  return [...own].map(([n, v]) => `${n}=${v}`).join(', ');
}

/** The members of a group, in order (the last name varies fastest). */
function* members(x: Expansion, group: MapNode, env: Bindings, path: Path): Generator<Member> {
  const spec = group.entries.find((e) => e.key === 'group')!;
  const each = group.entries.find((e) => e.key === 'each')!.value;
  const at = [...path, 'group'];
  if (spec.value.kind !== 'map' || spec.value.entries.length === 0) {
    x.error(spec.value.range, at, 'expected a mapping of index names to counts, such as `{ i: 100 }` (or `{ r: 100, k: 100 }` for every pair)');
    return;
  }
  const names: string[] = [];
  const counts: number[] = [];
  for (const e of spec.value.entries) {
    const where = [...at, e.key];
    if (!NAME.test(e.key)) {
      x.error(e.keyRange, where, `\`${e.key}\` is no index name: a name starts with a small letter and holds letters, digits and _`);
      return;
    }
    if (env.has(e.key) || names.includes(e.key)) {
      x.error(e.keyRange, where, `the index \`${e.key}\` is already a name of ${env.has(e.key) ? 'a group around this one' : 'this group'}; give it another name`);
      return;
    }
    const v = e.value;
    if (v.kind !== 'scalar' || typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value < 0) {
      x.error(v.range, where, 'expected a count: a whole number of members, 0 or more');
      return;
    }
    names.push(e.key);
    counts.push(v.value);
  }
  const total = counts.reduce((a, b) => a * b, 1);
  if (total > MAX_GROUP_MEMBERS) {
    x.error(spec.value.range, at, `the group has ${total} members; msrp-sim takes at most ${MAX_GROUP_MEMBERS} in one group`);
    return;
  }
  const index = counts.map(() => 0);
  for (let m = 0; m < total; m++) {
    const own = new Map<string, number>();
    names.forEach((n, i) => own.set(n, index[i]!));
    const all = new Map(env);
    for (const [n, v] of own) all.set(n, v);
    yield { own, env: all, each };
    if (x.failed) return;
    for (let i = counts.length - 1; i >= 0; i--) {
      if (++index[i]! < counts[i]!) break;
      index[i] = 0;
    }
  }
}

function substituteScalar(x: Expansion, node: Extract<SrcNode, { kind: 'scalar' }>, env: Bindings, path: Path): SrcNode {
  if (typeof node.value !== 'string' || !node.value.includes('{') && !node.value.includes('}')) return node;
  const value = substitute(x, node.value, env, node.range, path);
  return value === null ? node : { kind: 'scalar', value, range: node.range };
}

/**
 * `text` with its placeholders replaced; a number when the text is a single `{EXPR}`; null (with
 * the problem reported) when a placeholder is wrong.
 */
export function substitute(x: { error(at: Range | number, path: Path, message: string): void }, text: string, env: Bindings, at: Range, path: Path): Scalar {
  let out = '';
  let i = 0;
  let placeholders = 0;
  let lastValue = 0;
  let padded = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{' && text[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    if (c === '}' && text[i + 1] === '}') {
      out += '}';
      i += 2;
      continue;
    }
    if (c === '}') {
      x.error(at, path, `\`${text}\`: a \`}\` without its \`{\`; write \`}}\` for a brace`);
      return null;
    }
    if (c !== '{') {
      out += c;
      i++;
      continue;
    }
    const end = text.indexOf('}', i);
    if (end < 0) {
      x.error(at, path, `\`${text}\`: a \`{\` without its \`}\`; write \`{{\` for a brace`);
      return null;
    }
    const inner = text.slice(i + 1, end);
    const colon = inner.indexOf(':');
    const expr = colon < 0 ? inner : inner.slice(0, colon);
    let width = 0;
    if (colon >= 0) {
      const w = /^0([1-9][0-9]?)$/u.exec(inner.slice(colon + 1));
      if (w === null) {
        x.error(at, path, `\`{${inner}}\`: after \`:\` comes the width with a zero in front, such as \`{i:03}\` for 007`);
        return null;
      }
      width = Number(w[1]);
      padded = true;
    }
    const v = evaluate(expr, env);
    if (typeof v === 'string') {
      x.error(at, path, `\`{${inner}}\`: ${v}`);
      return null;
    }
    const digits = String(Math.abs(v)).padStart(width, '0');
    out += v < 0 ? `-${digits}` : digits;
    placeholders++;
    lastValue = v;
    i = end + 1;
  }
  if (placeholders === 1 && !padded && text.startsWith('{') && text.endsWith('}') && text.indexOf('}') === text.length - 1) return lastValue;
  return out;
}

/** Integer arithmetic on the bound names; a message when the expression is wrong. */
export function evaluate(expr: string, env: Bindings): number | string {
  const tokens = expr.match(/\s*([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[-+*/%()]|\S)/gu)?.map((t) => t.trim()) ?? [];
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
