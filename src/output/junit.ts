/**
 * The JUnit XML report of `msrp-sim test --junit FILE`: one testcase per scenario, a failure per
 * expectation that failed or golden trace that differed, an error for a scenario that did not
 * load. Pure: results in, text out; the CLI writes the file.
 */

/** One scenario's result. */
export interface JunitCase {
  /** The scenario file, as given on the command line. */
  file: string;
  /** The scenario's name (its file when it did not load). */
  name: string;
  /** Wall time of its run, seconds. */
  seconds: number;
  /** What failed, one entry each; the first line is the failure's message. */
  failures: string[];
  /** Why it could not run (an invalid scenario), else null. */
  error: string | null;
}

/** Escapes text for an attribute or element, and drops the characters XML 1.0 does not allow. */
function xml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!).replace(/[^\t\n\r\u0020-\uffff]/gu, '');
}

export function junitXml(results: readonly JunitCase[]): string {
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
