/**
 * Where each value of a file was written, and the problems found in it, turned into lines and
 * columns for `FILE:LINE:COL: message`.
 */
import { formatPath, pathKey, sortProblems } from './problems.js';
import type { Path, Problem } from './problems.js';
import { LineIndex } from './source.js';
import type { Range } from './source.js';

export interface Place {
  /** The key that holds the value, when it is held by a key. */
  key?: Range;
  value: Range;
}

/** Ranges by path, filled while the file's shape is checked. */
export class Positions {
  private readonly places = new Map<string, Place>();

  set(path: Path, place: Place): void {
    this.places.set(pathKey(path), place);
  }

  get(path: Path): Place | undefined {
    return this.places.get(pathKey(path));
  }

  /** The value at `path`, or the nearest enclosing value that was written. */
  value(path: Path): Range {
    for (let n = path.length; n >= 0; n--) {
      const p = this.get(path.slice(0, n));
      if (p !== undefined) return p.value;
    }
    return [0, 0];
  }

  /** The key that holds the value at `path` (or the value itself, for list items). */
  key(path: Path): Range {
    for (let n = path.length; n >= 0; n--) {
      const p = this.get(path.slice(0, n));
      if (p !== undefined) return p.key ?? p.value;
    }
    return [0, 0];
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
}
