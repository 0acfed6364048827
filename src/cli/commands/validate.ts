/** `msrp-sim validate <scenario...>`: checks scenario files and prints every problem. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import { findScenarioFiles, formatProblem, loadFile } from '../scenario-files.js';

const EXAMPLES = `
Examples:
  $ msrp-sim validate my.yaml                  check one file
  $ msrp-sim validate scenarios/               check every scenario in a folder

Every problem is printed as FILE:LINE:COL: message.
Exit status: 0 all files valid, 2 a file has problems or usage error.`;

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .summary('check scenario files and print every problem')
    .description('Check scenario files; print every problem as FILE:LINE:COL: message.')
    .argument('<scenario...>', 'scenario files or directories of them')
    .addHelpText('after', EXAMPLES)
    .action((paths: string[]) => {
      let status: number = EXIT.ok;
      for (const file of findScenarioFiles(paths)) {
        const l = loadFile(file);
        if (!l.ok) {
          status = EXIT.usage;
          for (const p of l.problems) ctx.io.stderr.write(ctx.err.red(formatProblem(p)) + '\n');
          continue;
        }
        for (const w of l.warnings) ctx.io.stderr.write(ctx.err.yellow(formatProblem(w)) + '\n');
        ctx.io.stdout.write(`${file}: ok (${l.scenario.name})\n`);
      }
      ctx.status = status;
    });
}
