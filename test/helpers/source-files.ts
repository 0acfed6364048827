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
