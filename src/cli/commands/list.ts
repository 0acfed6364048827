/** `msrp-sim list`: the bundled scenarios, one line each. */
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { findScenarioFiles, loadFile } from '../scenario-files.js';

/** The `scenarios/` folder shipped with the package (dist/cli/commands -> package root). */
export function bundledScenarioDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scenarios');
}

/** The description's first sentence, on one line, at most 100 characters. */
function firstSentence(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim().split(/(?<=[.:])\s+(?=[A-Z])/)[0]!;
  return one.length > 100 ? `${one.slice(0, 99).trimEnd()}…` : one;
}

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .summary('list the bundled scenarios')
    .description('List the scenarios bundled with msrp-sim, one line each: file, name and what it shows.')
    .addHelpText('after', `
Examples:
  $ msrp-sim list
  $ msrp-sim run "$(msrp-sim list | head -1 | cut -d' ' -f1)"`)
    .action(() => {
      const dir = bundledScenarioDir();
      const rows: [string, string][] = [];
      for (const file of findScenarioFiles([dir])) {
        const l = loadFile(file);
        rows.push([join('scenarios', relative(dir, file)), l.ok ? firstSentence(l.scenario.description) : 'invalid scenario file']);
      }
      const width = rows.reduce((m, [f]) => Math.max(m, f.length), 0);
      for (const [f, what] of rows) ctx.io.stdout.write(`${f.padEnd(width)}  ${what}\n`);
    });
}
