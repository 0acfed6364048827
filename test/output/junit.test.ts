import { describe, expect, it } from 'vitest';
import { junitXml, type JunitCase } from '../../src/output/junit.js';
import { xmlProblems } from './xml.js';

const ok: JunitCase = { file: 'scenarios/a.yaml', name: 'a', seconds: 0.25, failures: [], error: null };
const failed: JunitCase = { file: 'scenarios/b.yaml', name: 'b <&> "quoted"', seconds: 1.5, failures: ['expectation #1 failed\n  expected: x', 'trace differs\u0001'], error: null };
const invalid: JunitCase = { file: 'bad.yaml', name: 'bad.yaml', seconds: 0, failures: [], error: 'invalid scenario: 2 problem(s)' };

describe('junitXml', () => {
  it('one testcase per scenario, with counts and times in both elements', () => {
    expect(junitXml([ok, invalid])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<testsuites name="msrp-sim" tests="2" failures="0" errors="1" time="0.250">\n' +
        '  <testsuite name="msrp-sim scenarios" tests="2" failures="0" errors="1" time="0.250">\n' +
        '    <testcase classname="msrp-sim" name="a" file="scenarios/a.yaml" time="0.250"/>\n' +
        '    <testcase classname="msrp-sim" name="bad.yaml" file="bad.yaml" time="0.000">\n' +
        '      <error message="invalid scenario: 2 problem(s)"/>\n' +
        '    </testcase>\n' +
        '  </testsuite>\n' +
        '</testsuites>\n',
    );
  });

  it('a failure per failed check, its first line as the message, escaped, no control characters', () => {
    const xml = junitXml([failed]);
    expect(xml).toContain('name="b &lt;&amp;&gt; &quot;quoted&quot;"');
    expect(xml).toContain('<failure message="expectation #1 failed">expectation #1 failed\n  expected: x</failure>');
    expect(xml).toContain('<failure message="trace differs">trace differs</failure>');
    expect(xmlProblems(xml)).toEqual([]);
  });
});
