/**
 * Parameter paths over a scenario's own structure, and setting a value at one in the scenario's
 * source tree:
 *
 *   nodes.relay-b.profile            a node's setting (the node must exist)
 *   links[relay-a,relay-b].loss      a link's setting, the link named by its ends (either order)
 *   events[0].send.size              an event by its index in `events`
 *   events[big-push].at              an event by the `id` it is given
 *   defaults.link.latency, duration  any other key of the file
 *
 * A path is resolved once against the scenario as written, into keys and indices (`links[...]`
 * becomes the link's index and its options, created if the link has none). A key that is not
 * written yet is created; whether the scenario format knows it is then the scenario loader's
 * check, reported where the sweep file names the path.
 */
import { ScenarioFileSchema } from '../scenario/definition.js';
import { didYouMean, listOr } from '../scenario/problems.js';
import type { Range, SrcNode } from '../scenario/source.js';

export type PathStep = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'ends'; a: string; b: string } | { kind: 'name'; name: string };

/** A resolved path: keys of mappings and indices of lists, from the scenario's root. */
export type ConcretePath = readonly (string | number)[];

const KEY = /^[A-Za-z0-9_$][A-Za-z0-9_$-]*/u;

/** Parses `nodes.relay-b.profile`; a message says what is wrong with a malformed path. */
export function parseParameterPath(text: string): { ok: true; steps: PathStep[] } | { ok: false; message: string } {
  const steps: PathStep[] = [];
  let i = 0;
  const fail = (what: string) => ({ ok: false as const, message: `the parameter path \`${text}\` is malformed at column ${i + 1}: ${what}; paths look like \`nodes.relay-b.profile\`, \`links[relay-a,relay-b].loss\` or \`events[0].send.size\`` });
  while (i < text.length) {
    if (steps.length > 0 && text[i] === '.') i++;
    else if (steps.length > 0 && text[i] !== '[') return fail('expected `.` or `[`');
    if (text[i] === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) return fail('`[` without `]`');
      const inner = text.slice(i + 1, end).trim();
      if (/^\d+$/u.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (inner.includes(',')) {
        const ends = inner.split(',').map((s) => s.trim());
        if (ends.length !== 2 || ends.some((e) => !KEY.test(e))) return fail('a link is named by its two ends, `[a,b]`');
        steps.push({ kind: 'ends', a: ends[0]!, b: ends[1]! });
      } else if (KEY.test(inner) && KEY.exec(inner)![0] === inner) steps.push({ kind: 'name', name: inner });
      else return fail('expected an index, an id or the ends of a link between `[` and `]`');
      i = end + 1;
      continue;
    }
    const m = KEY.exec(text.slice(i));
    if (m === null) return fail('expected a key');
    steps.push({ kind: 'key', key: m[0] });
    i += m[0].length;
  }
  if (steps.length === 0) return { ok: false, message: 'a parameter path is empty' };
  if (steps[0]!.kind !== 'key') return { ok: false, message: `the parameter path \`${text}\` must start with a key of the scenario, such as \`nodes\`, \`links\` or \`events\`` };
  return { ok: true, steps };
}

function scalarText(n: SrcNode | undefined): string | null {
  return n !== undefined && n.kind === 'scalar' && n.value !== null ? String(n.value) : null;
}

function entry(n: SrcNode, key: string): SrcNode | undefined {
  if (n.kind !== 'map') return undefined;
  for (const e of n.entries) if (e.key === key) return e.value;
  return undefined;
}

function shown(path: ConcretePath): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** Resolves parsed steps against the scenario's tree: the concrete path, or what it names nothing of. */
export function resolveParameterPath(root: SrcNode, steps: readonly PathStep[]): { ok: true; path: ConcretePath } | { ok: false; message: string } {
  const path: (string | number)[] = [];
  let cur: SrcNode | undefined = root;
  const topKeys = Object.keys(ScenarioFileSchema.properties).filter((k) => k !== '$schema');
  for (const step of steps) {
    const here = path.length === 0 ? 'the scenario' : `\`${shown(path)}\``;
    if (step.kind === 'key') {
      if (cur !== undefined && cur.kind === 'seq') return { ok: false, message: `${here} is a list: name an item by its index (\`${shown(path)}[0]\`)${path[0] === 'links' && path.length === 1 ? ' or a link by its ends (`links[a,b]`)' : path[0] === 'events' && path.length === 1 ? ' or an event by its `id` (`events[name]`)' : ''}, not \`.${step.key}\`` };
      if (cur !== undefined && cur.kind === 'scalar' && cur.value !== null) return { ok: false, message: `${here} is a value, not a mapping: it has no \`${step.key}\`` };
      if (path.length === 0 && !topKeys.includes(step.key)) return { ok: false, message: `a scenario has no key \`${step.key}\`${didYouMean(step.key, topKeys) || `; its keys are ${listOr(topKeys)}`}` };
      if (path.length === 0 && step.key === 'seed') return { ok: false, message: 'the seed is swept by the sweep\'s own `seed` (`seed: 1..100`), not by an axis' };
      const next: SrcNode | undefined = cur === undefined ? undefined : entry(cur, step.key);
      if (next === undefined && path.length === 1 && path[0] === 'nodes') {
        const ids = cur?.kind === 'map' ? cur.entries.map((e) => e.key) : [];
        return { ok: false, message: `the scenario has no node \`${step.key}\`${didYouMean(step.key, ids) || (ids.length > 0 ? `; its nodes are ${listOr(ids)}` : '')}` };
      }
      path.push(step.key);
      cur = next;
      continue;
    }
    if (cur === undefined || cur.kind !== 'seq') return { ok: false, message: `${here} is not a list${cur === undefined ? ' in the scenario' : ''}, so \`${step.kind === 'index' ? `[${step.index}]` : step.kind === 'ends' ? `[${step.a},${step.b}]` : `[${step.name}]`}\` names nothing` };
    if (step.kind === 'index') {
      if (step.index >= cur.items.length) return { ok: false, message: `${here} has ${cur.items.length} item${cur.items.length === 1 ? '' : 's'}; \`[${step.index}]\` names none (the first is \`[0]\`)` };
      path.push(step.index);
      cur = cur.items[step.index];
    } else if (step.kind === 'ends') {
      const pairs = cur.items.map((l) => (l.kind === 'seq' ? [scalarText(l.items[0]), scalarText(l.items[1])] : [null, null]));
      const i = pairs.findIndex(([a, b]) => (a === step.a && b === step.b) || (a === step.b && b === step.a));
      if (i < 0) {
        const written = pairs.filter(([a, b]) => a !== null && b !== null).map(([a, b]) => `${a},${b}`);
        return { ok: false, message: `${here} has no link between \`${step.a}\` and \`${step.b}\`${didYouMean(`${step.a},${step.b}`, written) || (written.length > 0 ? `; the links are ${listOr(written.map((w) => `[${w}]`))}` : '')}` };
      }
      // A link's settings are its third item, `[a, b, { ... }]`.
      path.push(i, 2);
      const link = cur.items[i]!;
      cur = link.kind === 'seq' ? link.items[2] : undefined;
    } else {
      const ids = cur.items.map((e) => scalarText(entry(e, 'id')));
      const i = ids.indexOf(step.name);
      if (i < 0) {
        const named = ids.filter((x): x is string => x !== null);
        return { ok: false, message: `${here} has no item with \`id: ${step.name}\`${didYouMean(step.name, named) || (named.length > 0 ? `; the ids are ${listOr(named)}` : '; give the event an `id`, or name it by its index')}` };
      }
      if (ids.indexOf(step.name, i + 1) >= 0) return { ok: false, message: `${here} has more than one item with \`id: ${step.name}\`; name it by its index` };
      path.push(i);
      cur = cur.items[i];
    }
  }
  return { ok: true, path };
}

/** `node` shifted by `by` characters (a value from the sweep file placed after the scenario's text). */
export function shiftRanges(node: SrcNode, by: number): SrcNode {
  const r = (x: Range): Range => [x[0] + by, x[1] + by];
  if (node.kind === 'scalar') return { ...node, range: r(node.range) };
  if (node.kind === 'seq') return { kind: 'seq', items: node.items.map((i) => shiftRanges(i, by)), range: r(node.range) };
  return { kind: 'map', entries: node.entries.map((e) => ({ key: e.key, keyRange: r(e.keyRange), value: shiftRanges(e.value, by) })), range: r(node.range) };
}

/**
 * A copy of `node` with `value` at `path`; only the nodes along the path are copied. Keys and
 * list items that are not there are created, placed at `at` (where the sweep names the path).
 */
export function setAtPath(node: SrcNode | undefined, path: ConcretePath, value: SrcNode, at: Range): SrcNode {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const base: SrcNode = node !== undefined && node.kind !== 'scalar' ? node : node !== undefined && node.value !== null ? node : { kind: typeof head === 'number' ? 'seq' : 'map', ...(typeof head === 'number' ? { items: [] } : { entries: [] }), range: at } as SrcNode;
  if (typeof head === 'number') {
    if (base.kind !== 'seq') return base;
    const items = [...base.items];
    items[head] = setAtPath(items[head], rest, value, at);
    return { kind: 'seq', items, range: base.range };
  }
  if (base.kind !== 'map') return base;
  const entries = [...base.entries];
  const i = entries.findIndex((e) => e.key === head);
  if (i >= 0) entries[i] = { ...entries[i]!, value: setAtPath(entries[i]!.value, rest, value, at) };
  else entries.push({ key: head!, keyRange: at, value: setAtPath(undefined, rest, value, at) });
  return { kind: 'map', entries, range: base.range };
}
