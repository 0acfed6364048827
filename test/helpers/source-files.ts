/** The repository's TypeScript sources, for tests of the code's shape (file sizes, exported names). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The `.ts` files under `dir` (declarations excluded), sorted. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** Lines in a file. */
export const lines = (file: string): number => readFileSync(file, 'utf8').split('\n').length - 1;

/** `export function|const|class|interface|type|enum NAME`: a definition, not a re-export. */
const DEFINITION = /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;

/** Each name the `.ts` files under `dir` export by defining it, with the files (as `rel` gives them) that define it. */
export function exportedDefinitions(dir: string, rel: (file: string) => string): Map<string, string[]> {
  const where = new Map<string, string[]>();
  for (const f of tsFiles(dir)) {
    for (const m of readFileSync(f, 'utf8').matchAll(DEFINITION)) {
      const list = where.get(m[1]!) ?? [];
      list.push(rel(f));
      where.set(m[1]!, list);
    }
  }
  return where;
}
