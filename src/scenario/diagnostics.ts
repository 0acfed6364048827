/**
 * Where each value of a file was written, and the problems found in it, turned into lines and
 * columns for `FILE:LINE:COL: message`.
 */
import { formatPath, sortProblems } from './problems.js';
import type { Path, Problem } from './problems.js';
import { LineIndex } from './source.js';
import type { Range, SrcNode } from './source.js';

export interface Place {
  /** The key that holds the value, when it is held by a key. */
  key?: Range;
  value: Range;
}

/** Mappings with more keys than this get an index by key when first searched. */
const INDEXED_KEYS = 8;

/**
 * Where the value at a path was written, found by following the path through the source tree
 * (after node groups are expanded, where every member's values keep their template's ranges).
 * Nothing is recorded while the file is checked: a path is followed only when a problem is
 * reported or a caller asks whether something was written, so a file of 10,000 nodes does not
 * pay for a map of all its values. Of two entries with one key (a duplicate, reported as such)
 * the first counts, as for the checker.
 */
export class Positions {
  private readonly indexes = new WeakMap<SrcNode, Map<string, number>>();

  constructor(private readonly root: SrcNode | null) {}

  /** Where the value at `path` was written; undefined when nothing was written there. */
  get(path: Path): Place | undefined {
    const found = this.follow(path);
    return found.depth === path.length ? found.place : undefined;
  }

  /** The value at `path`, or the nearest enclosing value that was written. */
  value(path: Path): Range {
    return this.follow(path).place?.value ?? [0, 0];
  }

  /** The key that holds the value at `path` (or the value itself, for list items). */
  key(path: Path): Range {
    const place = this.follow(path).place;
    return place === undefined ? [0, 0] : (place.key ?? place.value);
  }

  /**
   * Where `step` leads in `node`: the index of a list's item, or the position of a mapping's first
   * entry with that key ('3' and 3 are one step); -1 when nothing was written there.
   */
  position(node: SrcNode, step: string | number): number {
    if (node.kind === 'seq') {
      const at = typeof step === 'number' ? step : /^(?:0|[1-9][0-9]*)$/u.test(step) ? Number(step) : -1;
      return Number.isInteger(at) && at >= 0 && at < node.items.length ? at : -1;
    }
    if (node.kind !== 'map') return -1;
    const key = String(step);
    if (node.entries.length <= INDEXED_KEYS) return node.entries.findIndex((e) => e.key === key);
    let index = this.indexes.get(node);
    if (index === undefined) {
      index = new Map();
      node.entries.forEach((e, i) => {
        if (!index!.has(e.key)) index!.set(e.key, i);
      });
      this.indexes.set(node, index);
    }
    return index.get(key) ?? -1;
  }

  /** The deepest value along `path` that was written, and how many steps of the path it took. */
  private follow(path: Path): { place: Place | undefined; depth: number } {
    if (this.root === null) return { place: undefined, depth: 0 };
    let node: SrcNode = this.root;
    let place: Place = { value: node.range };
    let depth = 0;
    for (const step of path) {
      const at = this.position(node, step);
      if (at < 0) break;
      if (node.kind === 'map') {
        const entry = node.entries[at]!;
        place = { key: entry.keyRange, value: entry.value.range };
        node = entry.value;
      } else if (node.kind === 'seq') {
        node = node.items[at]!;
        place = { value: node.range };
      }
      depth++;
    }
    return { place, depth };
  }
}

export class Diagnostics {
  readonly problems: Problem[] = [];
  /** Names the group member a path lies in (set once node groups are expanded; see groups.ts). */
  member: ((path: Path) => { text: string; group: number } | undefined) | null = null;
  private readonly lines: LineIndex;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.lines = new LineIndex(text);
  }

  error(at: Range | number, path: Path, message: string): void {
    this.add('error', at, path, message);
  }

  warn(at: Range | number, path: Path, message: string): void {
    this.add('warning', at, path, message);
  }

  /** Where `offset` is, as `line N`, for messages that point elsewhere. */
  where(offset: number): string {
    return `line ${this.lines.position(offset).line}`;
  }

  position(offset: number): { line: number; column: number } {
    return this.lines.position(offset);
  }

  hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }

  sorted(): Problem[] {
    return sortProblems(this.problems);
  }

  private add(severity: Problem['severity'], at: Range | number, path: Path, message: string): void {
    const offset = typeof at === 'number' ? at : at[0];
    const { line, column } = this.lines.position(offset);
    const member = this.member?.(path);
    if (member !== undefined) {
      // A template's problem is every member's: said once, for the first, with a count.
      const fold = `${severity}\0${line}\0${column}\0${message}\0${member.group}`;
      const first = this.folded.get(fold);
      if (first !== undefined) {
        first.others++;
        first.problem.message = `${first.message} (and ${first.others} other member${first.others === 1 ? '' : 's'} of the group)`;
        return;
      }
      // Members whose problems differ (each names its own id, say) are listed up to a point; the
      // rest at that place of the template are counted in one line, so that a group of a million
      // members cannot print a million lines.
      const place = `${severity}\0${line}\0${column}\0${member.group}`;
      const listed = this.listedAt.get(place);
      if (listed !== undefined && listed.count >= MAX_LISTED_PER_PLACE) {
        if (listed.rest === null) {
          listed.rest = { file: this.file, line, column, message: '', severity };
          this.problems.push(listed.rest);
        }
        const n = ++listed.unlisted;
        listed.rest.message = `${n} more member${n === 1 ? '' : 's'} of the group at ${this.where(member.group)} ${n === 1 ? 'has' : 'have'} ${severity === 'error' ? 'an error' : 'a warning'} here, not listed`;
        return;
      }
      if (listed === undefined) this.listedAt.set(place, { count: 1, unlisted: 0, rest: null });
      else listed.count++;
      const text = `${formatPath(path)} (${member.text}): ${message}`;
      const problem: Problem = { file: this.file, line, column, message: text, severity };
      this.folded.set(fold, { problem, message: text, others: 0 });
      this.problems.push(problem);
      return;
    }
    const prefix = formatPath(path);
    const p: Problem = { file: this.file, line, column, message: prefix === '' ? message : `${prefix}: ${message}`, severity };
    // A default applies to many nodes; what is wrong with it is said once.
    const key = `${severity}\0${line}\0${column}\0${p.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push(p);
  }

  private readonly seen = new Set<string>();
  private readonly folded = new Map<string, { problem: Problem; message: string; others: number }>();
  /** Per place of a template (severity, line, column, group): problems listed and not listed. */
  private readonly listedAt = new Map<string, { count: number; unlisted: number; rest: Problem | null }>();
}

/** Distinct problems of members listed at one place of a group's template; the rest are counted. */
export const MAX_LISTED_PER_PLACE = 20;
