/**
 * Entry point of the `msrp-sim` binary: builds the commander program (one file per command under
 * commands/) and is the single error boundary that turns errors into exit statuses.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerDecode } from './commands/decode.js';
import { registerDiff } from './commands/diff.js';
import { registerList } from './commands/list.js';
import { registerNew } from './commands/new.js';
import { registerRun } from './commands/run.js';
import { registerSweep } from './commands/sweep.js';
import { registerTest } from './commands/test.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';
import { registerRelay } from './commands/relay.js';
import { createContext, type CliContext, type CliIo } from './context.js';
import { CliError, EXIT, IoError } from './errors.js';

export type { CliIo } from './context.js';

const EXAMPLES = `
Examples:
  $ msrp-sim run scenarios/push-via-two-relays.yaml   run a scenario, outputs in out/<name>/
  $ msrp-sim test                               every bundled scenario as a regression test
  $ msrp-sim new my.yaml                        write a starter scenario
  $ msrp-sim sweep sweeps/relay-profiles-under-loss.yaml   a grid of runs on every core
  $ msrp-sim decode capture.pcapng              print the MSRP frames in a capture
  $ msrp-sim decode --format json frames.msrp   the same as NDJSON
  $ msrp-sim help decode                        help for one command

Exit status: 0 success, 1 a frame was malformed or an expectation failed, 2 invalid input or
usage, 3 internal error.`;

function packageVersion(): string {
  try {
    // dist/cli/main.js and src/cli/main.ts are both two levels below package.json.
    const pkg = createRequire(import.meta.url)('../../package.json') as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function processIo(): CliIo {
  // A reader that goes away (`msrp-sim decode x | head`) is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
      throw err;
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('msrp-sim')
    .description('Deterministic network simulator for MSRP relay topologies (RFC 4975, RFC 4976).')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: (s, write) => write(ctx.err.red(s)),
      getOutHasColors: () => ctx.out.enabled,
      getErrHasColors: () => ctx.err.enabled,
    })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', EXAMPLES);
  // Subcommands made with .command() inherit the output and exit settings above.
  registerRun(program, ctx);
  registerValidate(program, ctx);
  registerTest(program, ctx);
  registerDecode(program, ctx);
  registerDiff(program, ctx);
  registerList(program, ctx);
  registerNew(program, ctx);
  registerSweep(program, ctx);
  registerWorker(program, ctx);
  registerRelay(program, ctx);
  return program;
}

/**
 * An unknown command is a usage error whatever options follow it: commander would answer
 * `msrp-sim bogus --help` with the main help and status 0, which hides a typo in a script. The
 * program itself takes no option with a value, so its first operand is the command.
 */
function rejectUnknownCommand(program: Command, args: string[]): void {
  const first = args.find((a) => !a.startsWith('-'));
  if (first === undefined || args.includes('--')) return;
  const known = program.commands.some((c) => c.name() === first || c.aliases().includes(first));
  if (known || first === 'help') return;
  program.error(`error: unknown command '${first}'`, { exitCode: EXIT.usage, code: 'commander.unknownCommand' });
}

/**
 * Runs the program on `argv` (as in `process.argv`: node, script, arguments...) and returns the
 * exit status. Output goes to `io` so tests can capture it.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const ctx = createContext(io);
  try {
    const program = buildProgram(ctx);
    rejectUnknownCommand(program, argv.slice(2));
    await program.parseAsync(argv, { from: 'node' });
    return ctx.status;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with status 0; everything else commander rejects
      // (unknown option or command, bad choice, missing argument, no command) is usage.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.stderr.write(ctx.err.red(err.message) + '\n');
      return err.exitStatus;
    }
    if (err instanceof IoError) {
      // Not a bug of ours: the disk, a quota or permissions. The message names the file.
      io.stderr.write(ctx.err.red(`msrp-sim: ${err.message}`) + '\n');
      return EXIT.internal;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.stderr.write(ctx.err.red(`msrp-sim: internal error: ${detail}`) + '\n');
    return EXIT.internal;
  }
}
