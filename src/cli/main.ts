/**
 * Entry point of the `msrp-sim` binary: builds the commander program (one file per command under
 * commands/) and is the single error boundary that turns errors into exit statuses.
 */
import { Command, CommanderError } from 'commander';
import { createContext, type CliContext, type CliIo } from './context.js';
import { CliError, EXIT, IoError } from './errors.js';
import { packageVersion } from './package-files.js';

export type { CliIo } from './context.js';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * The commands, in the order the help lists them, each loaded with what it needs only when it
 * runs: `msrp-sim run` does not load the capture decoder, the diff, the sweep engine or the test
 * runner's golden files (start-up is most of a small run's time; docs/performance.md). The main
 * help and an unknown command load them all.
 */
const COMMANDS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['run', async () => (await import('./commands/run.js')).registerRun],
  ['validate', async () => (await import('./commands/validate.js')).registerValidate],
  ['test', async () => (await import('./commands/test.js')).registerTest],
  ['decode', async () => (await import('./commands/decode.js')).registerDecode],
  ['diff', async () => (await import('./commands/diff.js')).registerDiff],
  ['list', async () => (await import('./commands/list.js')).registerList],
  ['new', async () => (await import('./commands/new.js')).registerNew],
  ['sweep', async () => (await import('./commands/sweep.js')).registerSweep],
  ['worker', async () => (await import('./commands/worker.js')).registerWorker],
  ['relay', async () => (await import('./commands/relay.js')).registerRelay],
];

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

/**
 * The command `args` name: the program takes no option with a value, so its first operand is
 * the command (none after a `--`).
 */
function commandOperand(args: readonly string[]): string | undefined {
  return args.includes('--') ? undefined : args.find((a) => !a.startsWith('-'));
}

/** The program with the command `args` name, or with every command when they name none of them. */
export async function buildProgram(ctx: CliContext, args: readonly string[] = []): Promise<Command> {
  const first = commandOperand(args);
  const named = COMMANDS.find(([name]) => name === first);
  const registers = await Promise.all((named ? [named] : COMMANDS).map(([, load]) => load()));
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
  for (const register of registers) register(program, ctx);
  return program;
}

/**
 * An unknown command is a usage error whatever options follow it: commander would answer
 * `msrp-sim bogus --help` with the main help and status 0, which hides a typo in a script. The
 * program itself takes no option with a value, so its first operand is the command.
 */
function rejectUnknownCommand(program: Command, args: string[]): void {
  const first = commandOperand(args);
  if (first === undefined) return;
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
    const program = await buildProgram(ctx, argv.slice(2));
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
