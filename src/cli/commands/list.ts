/** `msrp-sim list`: the bundled scenarios, one line each. */
import { basename, extname, relative } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { bundledScenarioDir, findScenarioFiles, loadFile } from '../scenario-files.js';

/** The description's first sentence, on one line, at most 100 characters. */
function firstSentence(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim().split(/(?<=[.:])\s+(?=[A-Z])/)[0]!;
  return one.length > 100 ? `${one.slice(0, 99).trimEnd()}…` : one;
}

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .argument('[folders...]', 'folders to list instead of the bundled scenarios')
    .summary('list the bundled scenarios')
    .description(
      'List the scenarios bundled with msrp-sim (or those in the folders given), one line each: what to give `run` ' +
        '(a bundled scenario by its name, others by their path) and what the scenario shows.',
    )
    .addHelpText('after', `
Examples:
  $ msrp-sim list
  $ msrp-sim run "$(msrp-sim list | head -1 | cut -d' ' -f1)"
  $ msrp-sim list my-scenarios/`)
    .action((folders: string[]) => {
      const bundled = folders.length === 0;
      const dir = bundledScenarioDir();
      const rows: [string, string][] = [];
      for (const file of findScenarioFiles(bundled ? [dir] : folders)) {
        const l = loadFile(file);
        // A bundled scenario by its bare name (which `run` resolves from anywhere); a user's
        // scenario by the path `run` needs from here.
        const ref = bundled && relative(dir, file) === basename(file) ? basename(file, extname(file)) : file;
        rows.push([ref, l.ok ? firstSentence(l.scenario.description) : 'invalid scenario file']);
      }
      const width = rows.reduce((m, [f]) => Math.max(m, f.length), 0);
      for (const [f, what] of rows) ctx.io.stdout.write(`${f.padEnd(width)}  ${what}\n`);
    });
}
