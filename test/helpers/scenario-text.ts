/** Scenario text for tests: problems of a file as users see them, and the live tests' push. */
import { formatProblem, loadScenario } from '../../src/scenario/index.js';

/** What loading `lines` as `file` reports, `FILE:LINE:COL: message` each: its problems, or its warnings when it loads. */
export function scenarioProblems(file: string, lines: string[], options: Parameters<typeof loadScenario>[2] = {}): string[] {
  const r = loadScenario(file, lines.join('\n') + '\n', options);
  return r.ok ? r.warnings.map(formatProblem) : r.problems.map(formatProblem);
}

/**
 * The events and first expectations of the live tests' push: session s1 from psa to pra, at
 * 600 ms a 2,500-byte message in 1,000-byte chunks with a Success-Report, delivered, its REPORT 200.
 */
export const LIVE_PUSH: readonly string[] = [
  'events:',
  '  - at: 0s',
  '    session: { id: s1, offerer: psa, answerer: pra }',
  '  - at: 600ms',
  '    send: { session: s1, from: psa, contentType: text/plain, size: 2500, chunkSize: 1000, successReport: yes }',
  'expect:',
  '  - delivered: { session: s1, to: pra, messages: 1 }',
  '  - report: { to: psa, status: 200 }',
];
