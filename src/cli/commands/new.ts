/** `msrp-sim new <file>`: writes a commented starter scenario. */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { starterScenario } from '../../scenario/index.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { packagePath } from '../package-files.js';

function schemaFile(): string {
  return packagePath('schema', 'scenario.schema.json');
}

export function registerNew(program: Command, ctx: CliContext): void {
  program
    .command('new')
    .summary('write a commented starter scenario')
    .description('Write a commented starter scenario to FILE (a push through one relay per side, with expectations).')
    .argument('<file>', 'the scenario file to create (.yaml)')
    .option('-f, --force', 'overwrite FILE if it exists')
    .addHelpText('after', `
Examples:
  $ msrp-sim new my-push.yaml && msrp-sim run my-push.yaml`)
    .action((file: string, options: { force?: boolean }) => {
      if (existsSync(file) && !options.force) throw new CliError(`new: ${file} exists (use --force to overwrite)`, EXIT.usage);
      const name = basename(file).replace(/\.(ya?ml|json)$/i, '');
      // The modeline points editors at the JSON Schema shipped with the package.
      const schema = relative(dirname(resolve(file)), schemaFile()).split('\\').join('/');
      writeFileSync(file, starterScenario({ name, schema }));
      ctx.io.stdout.write(`wrote ${file}\nrun it with: msrp-sim run ${file}\n`);
    });
}
