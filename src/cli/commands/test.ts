/**
 * `msrp-sim test [paths...]`: the regression runner. Runs every scenario, checks its
 * expectations and compares its canonical trace with the golden trace kept beside it
 * (`<name>.golden.ndjson`); on a difference prints the first divergent record with context from
 * both runs. `--update` rewrites goldens; `--junit FILE` writes a JUnit XML report.
 */
import { closeSync, existsSync, openSync, readSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { compareRuns, DiffInputError, formatDiff, runFromTrace, type LooseRecord } from '../../diff/index.js';
import { NdjsonSyntaxError, readNdjsonLines } from '../../output/ndjson.js';
import type { GoldenMode } from '../../scenario/types.js';
import { runScenario } from '../../scenario/run.js';
import type { ExpectationResult } from '../../scenario/expectations.js';
import { canonicalLine, formatGoldenDifference, GoldenComparator, goldenFormatProblem } from '../../scenario/golden.js';
import { junitXml, type JunitCase } from '../../output/junit.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { GoldenFileReader, GoldenFileWriter } from '../golden-file.js';
import { fileLines, LineTooLongError, MAX_TRACE_LINE } from '../input-files.js';
import { findScenarioFiles, formatProblem, loadFile } from '../scenario-files.js';

export interface TestOptions {
  update?: boolean;
  junit?: string;
  context?: string;
  /** For every scenario of the run, whatever its file's `golden` says. */
  golden?: GoldenMode;
}

const EXAMPLES = `
Examples:
  $ msrp-sim test                              every scenario under scenarios/
  $ msrp-sim test my-scenarios/ --junit out/junit.xml
  $ msrp-sim test scenarios/relay-crash.yaml --update    accept a changed trace as golden
  $ msrp-sim test --golden msrp                compare the frames at the MSRP level only

A golden trace is the file <scenario>.golden.ndjson beside the scenario (created with --update).
It is compared record by record, byte for byte (golden: exact, the default), or frame by frame at
the MSRP level as msrp-sim diff does (golden: msrp in the scenario file, or --golden msrp for the
whole run): ids renamed, times and other records ignored (docs/diff.md).
Exit status: 0 all held, 1 an expectation failed or a golden differed, 2 invalid scenario or usage.`;

export function goldenPath(file: string): string {
  return file.replace(/\.(ya?ml|json)$/i, '') + '.golden.ndjson';
}

export function registerTest(program: Command, ctx: CliContext): void {
  program
    .command('test')
    .summary('run scenarios as regression tests against their expectations and golden traces')
    .description('Run scenarios, check their expectations and compare their traces with the golden traces beside them.')
    .argument('[paths...]', 'scenario files or directories', ['scenarios'])
    .option('-u, --update', 'write the golden traces from this run')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--context <n>', 'records of context around a divergence', '3')
    .addOption(new Option('--golden <mode>', 'compare every scenario with its golden this way, whatever its file says: exact (byte for byte) or msrp (frames at the MSRP level)').choices(['exact', 'msrp']))
    .addHelpText('after', EXAMPLES)
    .action((paths: string[], options: TestOptions) => {
      ctx.status = testCommand(paths, options, ctx);
    });
}

export function testCommand(paths: string[], options: TestOptions, ctx: CliContext): number {
  const files = findScenarioFiles(paths);
  if (files.length === 0) throw new CliError('test: no scenario files found', EXIT.usage);
  const context = Number(options.context ?? '3');
  if (!Number.isInteger(context) || context < 0) throw new CliError(`test: --context must be a whole number of records, not \`${options.context}\``, EXIT.usage);
  const results: JunitCase[] = [];
  let invalid = false;
  const w = (s: string): void => void ctx.io.stdout.write(s + '\n');
  for (const file of files) {
    const started = Date.now();
    const l = loadFile(file);
    if (!l.ok) {
      invalid = true;
      for (const p of l.problems) ctx.io.stderr.write(ctx.err.red(formatProblem(p)) + '\n');
      results.push({ file, name: file, seconds: 0, failures: [], error: `invalid scenario: ${l.problems.length} problem(s)` });
      continue;
    }
    if (l.scenario.nodes.some((n) => n.role === 'relay' && (n.live !== null || n.listen !== null))) {
      // Its times are the wall clock's and its relay real: no golden trace can hold.
      invalid = true;
      ctx.io.stderr.write(ctx.err.red(`${file}: a live scenario (a relay with \`live\`) has no golden trace; run it with \`msrp-sim run\` (docs/live.md)`) + '\n');
      results.push({ file, name: l.scenario.name, seconds: 0, failures: [], error: 'live scenario: run it with msrp-sim run' });
      continue;
    }
    const failures: string[] = [];
    const golden = goldenPath(file);
    let goldenNote = '';
    // The trace streams: into the new golden with --update, else against the golden as it is
    // read; neither side is held.
    let writer: GoldenFileWriter | null = null;
    let reader: GoldenFileReader | null = null;
    let comparator: GoldenComparator | null = null;
    let sink: (line: string) => void = () => undefined;
    const mode = options.golden ?? l.scenario.golden;
    /** The MSRP-level mode: the records `diff` reads, kept. */
    const kept: LooseRecord[] | null = !options.update && mode === 'msrp' && existsSync(golden) ? [] : null;
    if (kept !== null) {
      sink = (line) => {
        if (MSRP_LEVEL.test(line)) kept.push(JSON.parse(line) as LooseRecord);
      };
    } else if (options.update) {
      const w = (writer = new GoldenFileWriter(golden));
      sink = (line) => w.line(line);
    } else if (existsSync(golden)) {
      const problem = goldenFormatProblem(firstLineOf(golden));
      if (problem !== null) {
        ctx.io.stderr.write(ctx.err.red(`${golden}: ${problem}`) + '\n');
        results.push({ file, name: l.scenario.name, seconds: 0, failures: [], error: `golden trace: ${problem}` });
        w(`${ctx.out.red('✗')} ${l.scenario.name}  ${ctx.out.dim(file)}`);
        continue;
      }
      reader = new GoldenFileReader(golden);
      const c = (comparator = new GoldenComparator(reader, { context }));
      sink = (line) => c.push(line);
    } else goldenNote = ' (no golden trace)';
    try {
      const result = runScenario(l.scenario, { sinks: [(r) => sink(canonicalLine(r))] });
      for (const e of result.expectations) if (!e.passed) failures.push(describeFailure(e));
      if (result.outcome.reason === 'max-events') failures.push('the run reached its event limit');
      if (writer) {
        writer.commit();
        goldenNote = ' (golden updated)';
      }
      const diff = comparator?.finish() ?? null;
      if (diff) failures.push(formatGoldenDifference(diff));
      if (kept !== null) {
        const msrpDiff = compareWithGolden(golden, kept, context);
        if (msrpDiff !== null) failures.push(msrpDiff);
        goldenNote = ' (golden: msrp)';
      }
    } finally {
      writer?.abandon();
      reader?.close();
    }
    const seconds = (Date.now() - started) / 1000;
    results.push({ file, name: l.scenario.name, seconds, failures, error: null });
    if (failures.length === 0) w(`${ctx.out.green('✓')} ${l.scenario.name}  ${ctx.out.dim(file)}${goldenNote}`);
    else {
      w(`${ctx.out.red('✗')} ${l.scenario.name}  ${ctx.out.dim(file)}`);
      for (const f of failures) w(f.split('\n').map((x) => `    ${x}`).join('\n'));
    }
  }
  const failed = results.filter((r) => r.failures.length > 0 || r.error !== null).length;
  w(`${results.length - failed} passed, ${failed} failed`);
  if (options.junit) writeFileSync(options.junit, junitXml(results));
  if (invalid) return EXIT.usage;
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

/** The records `msrp-sim diff` reads from a trace (connections, frames, the format). */
const MSRP_LEVEL = /^\{"t":\d+,"seq":\d+,"node":"[^"]*","type":"(?:tcp\.connect|tcp\.accept|live\.[a-z]+|msrp\.send|msrp\.recv|msrp\.raw|trace\.format)"/;

/** The run's frames against the golden's at the MSRP level: the difference as text, or null. */
function compareWithGolden(golden: string, kept: LooseRecord[], context: number): string | null {
  let goldenRun;
  try {
    goldenRun = runFromTrace(readNdjsonLines(fileLines(golden, MAX_TRACE_LINE)) as Iterable<unknown> as Iterable<LooseRecord>, golden);
  } catch (err) {
    if (err instanceof NdjsonSyntaxError || err instanceof DiffInputError || err instanceof LineTooLongError) return `golden trace ${golden} cannot be read: ${err.message}`;
    throw err;
  }
  const result = compareRuns(goldenRun, runFromTrace(kept, 'this run'));
  if (result.same) return null;
  const text = formatDiff(result, { context: Math.min(context, 3) }).trimEnd();
  return `frames differ from the golden trace at the MSRP level (golden: msrp; A is the golden, B this run)\n${text}\n(accept the new trace with --update once it is intended)`;
}

function describeFailure(e: ExpectationResult): string {
  const evidence = e.evidence.length ? `\n  trace records: ${e.evidence.join(', ')}` : '';
  return `expectation #${e.index + 1} (line ${e.line}, column ${e.column}) failed\n  expected: ${e.expected}\n  instead:  ${e.actual}${evidence}`;
}

/** The first line of a file (its first 64 KiB at most: a format record is short). */
function firstLineOf(path: string): string {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(65536);
  let n = 0;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  const head = buf.subarray(0, n).toString('utf8');
  const lf = head.indexOf('\n');
  return lf < 0 ? head : head.slice(0, lf);
}
