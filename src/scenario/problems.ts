/**
 * Problems found in a scenario file, each pointing at a line and column, and the helpers that
 * make their messages useful: dotted paths and "did you mean" suggestions.
 */

export interface Problem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
  message: string;
  /** Errors make the file invalid; warnings point at something that is legal but likely wrong. */
  severity: 'error' | 'warning';
}

/** `FILE:LINE:COL: message`, the form compilers use and editors and CI logs link. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

/** Problems in file order; for one position, in the order they were found. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((x, y) => x.p.line - y.p.line || x.p.column - y.p.column || x.i - y.i)
    .map(({ p }) => p);
}

/** A path into the file: keys and list indices. */
export type Path = readonly (string | number)[];

/** `nodes.pra.relays[0]`, `users["a b"]`: how messages name the place they talk about. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/u.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment), so `usres` is one edit
 * from `users`. The callers bound the lengths.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, cur[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      cur[j] = d;
    }
    rows.push(cur);
  }
  return rows[a.length]![b.length]!;
}

/** Folds case and separators: `tls-only`, `TLS_only` and `tlsOnly` all fold to `tlsonly`. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[-_ ]/gu, '');
}

/**
 * The candidate `word` most likely stands for, if any is close enough: the same word in another
 * case or with other separators, a prefix of at least three letters, or a few typos away.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  const folded = fold(word);
  const same = candidates.find((c) => fold(c) === folded);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.length > 64) continue;
    const d = editDistance(folded, fold(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(folded.length / 3));
  if (best !== undefined && bestDistance <= allowed) return best;
  if (folded.length >= 3) {
    const prefixed = candidates.filter((c) => fold(c).startsWith(folded));
    if (prefixed.length === 1) return prefixed[0];
  }
  // A long shared beginning (`interupt`, `interruptible`) when only one candidate has it.
  const sharing = candidates.filter((c) => commonPrefix(folded, fold(c)) >= 5);
  if (sharing.length === 1) return sharing[0];
  return undefined;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** `; did you mean \`x\`?` or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s === undefined ? '' : `; did you mean \`${s}\`?`;
}

/** `a`, `a or b`, `a, b or c`, each in backticks. */
export function listOr(words: readonly string[]): string {
  const q = words.map((w) => `\`${w}\``);
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}
