/**
 * A sweep's files for the CLI: the sweep file and its scenario read and planned (problems as
 * `FILE:LINE:COL: message`, exit 2), and its output folder:
 *
 *   sweep.json       the sweep's source (both files' text and the msrp-sim version), for --merge
 *   progress.ndjson  each run's record as it finishes, in completion order: a run again reads it
 *                    and runs only what is missing
 *   runs.ndjson, summary.csv, sweep.html   the aggregate, in the order of the axes
 *   runs/<run id>/   a run's full outputs, with --keep-outputs or --keep-failed
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { makeDirectory } from '../atomic-write.js';
import { dirname, join, resolve } from 'node:path';
import { junitXml } from '../../output/junit.js';
import { formatProblem } from '../../scenario/problems.js';
import { checkCells, junitCases, parseRunLine, parseSweepFile, planSweep, runLine, runsNdjson, summaryCsv, sweepHtml, type RunRecord, type SweepPlan, type SweepSource } from '../../sweep/index.js';
import { writeFileAtomic } from '../atomic-write.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT, ioCall } from '../errors.js';
import { InputTooLargeError, MAX_TEXT_INPUT, readFailure, readInputFile } from '../input-files.js';
import { packageVersion } from '../package-files.js';
import { resolveScenarioPath } from '../scenario-files.js';

function readText(path: string, what: string): string {
  try {
    return readInputFile(path, MAX_TEXT_INPUT).toString('utf8');
  } catch (err) {
    throw new CliError(`sweep: cannot read ${what} ${path}: ${err instanceof InputTooLargeError ? readFailure(err) : ((err as NodeJS.ErrnoException).code ?? String(err))}`, EXIT.usage);
  }
}

function printProblems(ctx: CliContext, problems: readonly { file: string; line: number; column: number; message: string; severity: 'error' | 'warning' }[]): void {
  for (const p of problems) ctx.io.stderr.write(ctx.err.red(formatProblem(p)) + '\n');
}

/** Plans a sweep from its source; every problem printed and exit 2 when it has any. */
export function planFromSource(ctx: CliContext, source: SweepSource): SweepPlan {
  const parsed = parseSweepFile(source.sweepFile, source.sweepText);
  if (!parsed.ok) {
    printProblems(ctx, parsed.problems);
    throw new CliError(`sweep: ${source.sweepFile}: ${parsed.problems.length} problem(s)`, EXIT.usage);
  }
  const planned = planSweep(parsed.spec, source);
  if (!planned.ok) {
    printProblems(ctx, planned.problems);
    throw new CliError(`sweep: ${source.sweepFile}: ${planned.problems.length} problem(s)`, EXIT.usage);
  }
  const problems = checkCells(planned.plan);
  if (problems.length > 0) {
    printProblems(ctx, problems);
    throw new CliError(`sweep: ${source.sweepFile}: ${problems.length} problem(s)`, EXIT.usage);
  }
  return planned.plan;
}

/** Reads the sweep file and its scenario (relative to the sweep file, or a bundled scenario's name). */
export function loadSweep(ctx: CliContext, file: string): SweepPlan {
  const sweepText = readText(file, 'the sweep file');
  const parsed = parseSweepFile(file, sweepText);
  if (!parsed.ok) {
    printProblems(ctx, parsed.problems);
    throw new CliError(`sweep: ${file}: ${parsed.problems.length} problem(s)`, EXIT.usage);
  }
  const beside = join(dirname(file), parsed.spec.scenario);
  const scenarioFile = existsSync(beside) ? beside : resolveScenarioPath(parsed.spec.scenario);
  if (!existsSync(scenarioFile)) {
    const p = { file, ...lineColumn(parsed.spec.text, parsed.spec.scenarioRange[0]), message: `scenario: no file \`${parsed.spec.scenario}\` beside the sweep file (${beside}), nor a bundled scenario of that name`, severity: 'error' as const };
    printProblems(ctx, [p]);
    throw new CliError(`sweep: ${file}: 1 problem(s)`, EXIT.usage);
  }
  return planFromSource(ctx, { sweepFile: file, sweepText, scenarioFile, scenarioText: readText(scenarioFile, 'the scenario'), version: packageVersion() });
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export class SweepFolder {
  readonly dir: string;
  readonly progress: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.progress = join(this.dir, 'progress.ndjson');
  }

  /**
   * The records of `plan`'s runs already in the folder's progress file (a line cut short by a
   * kill, or a record of another sweep, is left out), which is rewritten with those only.
   */
  open(plan: SweepPlan): Map<number, RunRecord> {
    ioCall(this.dir, 'create', () => makeDirectory(this.dir));
    const done = readRecords(this.progress, plan);
    writeFileAtomic(join(this.dir, 'sweep.json'), JSON.stringify(plan.source, null, 2) + '\n');
    writeFileAtomic(this.progress, [...done.values()].map((r) => runLine(r) + '\n').join(''));
    return done;
  }

  append(records: readonly RunRecord[]): void {
    if (records.length === 0) return;
    ioCall(this.progress, 'write', () => appendFileSync(this.progress, records.map((r) => runLine(r) + '\n').join('')));
  }

  /** Writes runs.ndjson, summary.csv and sweep.html (and the JUnit file, when asked). */
  writeAggregate(plan: SweepPlan, records: ReadonlyMap<number, RunRecord>, junit?: string, seconds?: ReadonlyMap<string, number>): void {
    const links = new Map<number, string>();
    for (const run of plan.runs) if (existsSync(join(this.dir, 'runs', run.id, 'report.html'))) links.set(run.index, `runs/${run.id}/report.html`);
    writeFileAtomic(join(this.dir, 'runs.ndjson'), runsNdjson(plan, records));
    writeFileAtomic(join(this.dir, 'summary.csv'), summaryCsv(plan, records));
    writeFileAtomic(join(this.dir, 'sweep.html'), sweepHtml(plan, records, links));
    if (junit !== undefined) writeFileAtomic(junit, junitXml(junitCases(plan, records, seconds)));
  }
}

/** The records of `plan`'s runs in a progress file or a runs.ndjson, by run index. */
export function readRecords(path: string, plan: SweepPlan): Map<number, RunRecord> {
  const byId = new Map(plan.runs.map((r) => [r.id, r.index]));
  const out = new Map<number, RunRecord>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const r = line === '' ? null : parseRunLine(line);
    if (r === null) continue;
    const index = byId.get(r.id);
    if (index !== undefined && index === r.run) out.set(index, r);
  }
  return out;
}

/** The status of a sweep as for `test`: 0 every run passed, 1 some did not. */
export function sweepStatus(records: ReadonlyMap<number, RunRecord>): number {
  for (const r of records.values()) if (r.outcome !== 'pass') return EXIT.failed;
  return EXIT.ok;
}

/** The sweep's line on standard output; its exit status. */
export function report(ctx: CliContext, plan: SweepPlan, records: ReadonlyMap<number, RunRecord>, dir: string): number {
  const passed = [...records.values()].filter((r) => r.outcome === 'pass').length;
  const errors = [...records.values()].filter((r) => r.outcome === 'error').length;
  const failed = records.size - passed - errors;
  const mark = failed + errors === 0 ? ctx.out.green('✓') : ctx.out.red('✗');
  ctx.io.stdout.write(`${mark} ${plan.spec.name}: ${records.size} runs, ${passed} passed, ${failed} failed${errors > 0 ? `, ${errors} errors` : ''}  ${ctx.out.dim(join(dir, 'sweep.html'))}\n`);
  return sweepStatus(records);
}

