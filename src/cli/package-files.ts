/**
 * Files shipped with the msrp-sim package (package.json, scenarios/, schema/), found from where the
 * running module lies. The CLI runs from its bundle (dist/cli-bundle/, scripts/build-cli.js), the
 * library and the tests from dist/ or src/, each at its own depth below the package root: the root
 * is the nearest folder above this module whose package.json names msrp-sim.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root and its package.json, once found (null: none above this module). */
let found: { dir: string; pkg: PackageJson } | null | undefined;

interface PackageJson {
  name?: unknown;
  version?: unknown;
}

function findPackage(): { dir: string; pkg: PackageJson } | null {
  if (found !== undefined) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = readPackage(dir);
    if (pkg?.name === 'msrp-sim') return (found = { dir, pkg });
    const up = dirname(dir);
    if (up === dir) return (found = null);
    dir = up;
  }
}

/** The package's root folder, or null if no package.json above this module names msrp-sim. */
export function packageRoot(): string | null {
  return findPackage()?.dir ?? null;
}

/** A path inside the package (`packagePath('schema', 'scenario.schema.json')`). */
export function packagePath(...parts: string[]): string {
  const at = packageRoot();
  if (at === null) throw new Error('msrp-sim: cannot find the package root (no package.json named msrp-sim above the CLI)');
  return join(at, ...parts);
}

/** msrp-sim's version, from its package.json ('0.0.0' if it cannot be read). */
export function packageVersion(): string {
  const version = findPackage()?.pkg.version;
  return typeof version === 'string' ? version : '0.0.0';
}

function readPackage(dir: string): PackageJson | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return null;
  }
}
