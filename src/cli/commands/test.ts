/**
 * `msrp-sim test [paths...]`: the regression runner. Runs every scenario, checks its
 * expectations and compares its canonical trace with the golden trace kept beside it
 * (`<name>.golden.ndjson`); on a difference prints the first divergent record with context from
 * both runs. `--update` rewrites goldens; `--junit FILE` writes a JUnit XML report.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write.js';
import type { Command } from 'commander';
import { runScenario } from '../../scenario/run.js';
import type { ExpectationResult } from '../../scenario/expectations.js';
import { canonicalLine } from '../../scenario/golden.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { findScenarioFiles, formatProblem, loadFile } from '../scenario-files.js';

export interface TestOptions {
  update?: boolean;
  junit?: string;
  context?: string;
}

interface CaseResult {
  file: string;
  name: string;
  seconds: number;
  failures: string[];
  error: string | null;
  skipped: string | null;
}

const EXAMPLES = `
Examples:
  $ msrp-sim test                              every scenario under scenarios/
  $ msrp-sim test my-scenarios/ --junit out/junit.xml
  $ msrp-sim test scenarios/relay-crash.yaml --update    accept a changed trace as golden

A golden trace is the file <scenario>.golden.ndjson beside the scenario (created with --update).
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
    .addHelpText('after', EXAMPLES)
    .action((paths: string[], options: TestOptions) => {
      ctx.status = testCommand(paths, options, ctx);
    });
}

export function testCommand(paths: string[], options: TestOptions, ctx: CliContext): number {
  const files = findScenarioFiles(paths);
  if (files.length === 0) throw new CliError('test: no scenario files found', EXIT.usage);
  const context = Number(options.context ?? '3');
  const results: CaseResult[] = [];
  let invalid = false;
  const w = (s: string): void => void ctx.io.stdout.write(s + '\n');
  for (const file of files) {
    const started = Date.now();
    const l = loadFile(file);
    if (!l.ok) {
      invalid = true;
      for (const p of l.problems) ctx.io.stderr.write(ctx.err.red(formatProblem(p)) + '\n');
      results.push({ file, name: file, seconds: 0, failures: [], error: `invalid scenario: ${l.problems.length} problem(s)`, skipped: null });
      continue;
    }
    const lines: string[] = [];
    const failures: string[] = [];
    const result = runScenario(l.scenario, { sinks: [(r) => lines.push(canonicalLine(r))] });
    for (const e of result.expectations) if (!e.passed) failures.push(describeFailure(e));
    if (result.outcome.reason === 'max-events') failures.push('the run reached its event limit');
    const golden = goldenPath(file);
    let goldenNote = '';
    if (options.update) {
      writeFileAtomic(golden, lines.join('\n') + '\n');
      goldenNote = ' (golden updated)';
    } else if (existsSync(golden)) {
      const expected = readFileSync(golden, 'utf8').split('\n');
      if (expected[expected.length - 1] === '') expected.pop();
      const diff = firstDivergence(expected, lines, context);
      if (diff) failures.push(diff);
    } else goldenNote = ' (no golden trace)';
    const seconds = (Date.now() - started) / 1000;
    results.push({ file, name: l.scenario.name, seconds, failures, error: null, skipped: null });
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

function describeFailure(e: ExpectationResult): string {
  const evidence = e.evidence.length ? `\n  trace records: ${e.evidence.join(', ')}` : '';
  return `expectation #${e.index + 1} (line ${e.line}, column ${e.column}) failed\n  expected: ${e.expected}\n  instead:  ${e.actual}${evidence}`;
}

/** The first record where the run and the golden trace differ, with context from both. */
export function firstDivergence(expected: string[], actual: string[], context: number): string | null {
  const n = Math.min(expected.length, actual.length);
  let i = 0;
  while (i < n && expected[i] === actual[i]) i++;
  if (i === n && expected.length === actual.length) return null;
  const from = Math.max(0, i - context);
  const show = (lines: string[], mark: string): string => {
    const out: string[] = [];
    for (let k = from; k < Math.min(lines.length, i + context + 1); k++) out.push(`${k === i ? mark : ' '} ${String(k + 1).padStart(6)}  ${lines[k]}`);
    if (i >= lines.length) out.push(`${mark}         (trace ends after ${lines.length} records)`);
    return out.join('\n');
  };
  return `trace differs from the golden trace at record ${i + 1}\n  golden:\n${show(expected, '-')}\n  this run:\n${show(actual, '+')}\n  (accept the new trace with --update once it is intended)`;
}

function xml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!).replace(/[^\t\n\r\u0020-\uffff]/gu, "");
}

export function junitXml(results: CaseResult[]): string {
  const failures = results.filter((r) => r.failures.length > 0).length;
  const errors = results.filter((r) => r.error !== null).length;
  const time = results.reduce((a, r) => a + r.seconds, 0);
  const cases = results.map((r) => {
    const open = `    <testcase classname="msrp-sim" name="${xml(r.name)}" file="${xml(r.file)}" time="${r.seconds.toFixed(3)}"`;
    if (r.error !== null) return `${open}>\n      <error message="${xml(r.error)}"/>\n    </testcase>`;
    if (r.failures.length === 0) return `${open}/>`;
    return `${open}>\n${r.failures.map((f) => `      <failure message="${xml(f.split('\n')[0]!)}">${xml(f)}</failure>`).join('\n')}\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="msrp-sim" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">\n  <testsuite name="msrp-sim scenarios" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
