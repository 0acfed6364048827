/** The diff engine from the package's entry point, as docs/library.md shows it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareRuns, DiffInputError, formatDiff, loadScenario, readNdjson, runFromCapture, runFromTrace, runScenario, type AnyTraceRecord } from '../../src/index.js';

function trace(seed: number): string {
  const file = 'scenarios/push-via-two-relays.yaml';
  const l = loadScenario(file, readFileSync(file, 'utf8').replace(/^seed: .*$/m, `seed: ${seed}`));
  if (!l.ok) throw new Error('does not load');
  const records: AnyTraceRecord[] = [];
  runScenario(l.scenario, { sinks: [(r) => records.push(r)] });
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

describe('msrp-sim diff as a library', () => {
  it('two seeds of a run do not differ at the MSRP level; a changed body does, and is printed', () => {
    const a = runFromTrace(readNdjson(trace(1)), 'a');
    const b = runFromTrace(readNdjson(trace(2)), 'b');
    expect(compareRuns(a, b).differences).toEqual([]);
    // A header of the first SEND that has one changed: Failure-Report yes becomes partial.
    const changed = trace(2).replace(/("type":"msrp\.send"[^\n]*"method":"SEND"[^\n]*?)Failure-Report: yes/, '$1Failure-Report: partial');
    expect(changed).not.toBe(trace(2));
    const c = compareRuns(a, runFromTrace(readNdjson(changed), 'c'));
    expect(c.differences.length).toBeGreaterThan(0);
    expect(formatDiff(c)).toContain('B: c');
  });

  it('a capture that is no capture is a DiffInputError', () => {
    expect(() => runFromCapture(new Uint8Array([1, 2, 3, 4]), 'x.pcap')).toThrow(DiffInputError);
  });
});
