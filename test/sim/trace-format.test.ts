/**
 * Trace format 2's first record (docs/trace-format.md "The format record"): every trace written
 * in format 2 starts with `trace.format`, and every reader refuses a newer format with the line and
 * the versions, while still reading version 1 (no such record).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/sim/simulation.js';
import { Trace, TRACE_FORMAT_VERSION, traceFormatProblem, type AnyTraceRecord } from '../../src/sim/trace.js';
import { readNdjson, outputsFromNdjson } from '../../src/output/index.js';
import { ndjsonLine } from '../../src/output/ndjson.js';
import { goldenFormatProblem } from '../../src/scenario/golden.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';

function runTrace(file: string, traceFormat: 1 | 2): AnyTraceRecord[] {
  const l = loadScenario(file, readFileSync(file, 'utf8'));
  if (!l.ok) throw new Error(`${file} does not load`);
  const records: AnyTraceRecord[] = [];
  runScenario(l.scenario, { traceFormat, sinks: [(r) => records.push(r)] });
  return records;
}

describe('trace.format', () => {
  it('is the first record of a format-2 trace, exactly as the doc writes it', () => {
    const records = runTrace('scenarios/direct-session.yaml', 2);
    expect(ndjsonLine(records[0]!)).toBe('{"t":0,"seq":0,"node":"","type":"trace.format","version":2}\n');
    expect(records.filter((r) => r.type === 'trace.format')).toHaveLength(1);
    expect(records[1]!.seq).toBe(1);
  });

  it('comes before the set-up records for a sink attached late, and in a bare simulation', () => {
    const sim = new Simulation({ seed: 1, traceFormat: 2 });
    sim.trace.emit('', 'sim.limit', { limit: 'x', value: 1 });
    const seen: string[] = [];
    sim.trace.addSink((r) => seen.push(r.type));
    sim.run();
    expect(seen).toEqual(['trace.format', 'sim.limit', 'sim.start', 'sim.end']);
  });

  it('is absent from a format-1 trace', () => {
    const trace = new Trace({ now: 0 }, 1);
    expect(trace.count).toBe(0);
    expect(runTrace('scenarios/direct-session.yaml', 1)[0]!.type).not.toBe('trace.format');
  });
});

describe('reading a trace of another format', () => {
  const v1 = '{"t":0,"seq":0,"node":"","type":"sim.start","seed":"1","duration":null}\n{"t":5,"seq":1,"node":"","type":"sim.end","reason":"empty","events":0}\n';

  it('reads version 1 (no format record) and version 2', () => {
    expect([...readNdjson(v1)].map((r) => r.type)).toEqual(['sim.start', 'sim.end']);
    const v2 = '{"t":0,"seq":0,"node":"","type":"trace.format","version":2}\n' + v1.replace('"seq":0', '"seq":1').replace('"seq":1,"node":"","type":"sim.end"', '"seq":2,"node":"","type":"sim.end"');
    expect([...readNdjson(v2)].map((r) => r.type)).toEqual(['trace.format', 'sim.start', 'sim.end']);
  });

  it('refuses a newer version with the line and both versions', () => {
    const v3 = `{"t":0,"seq":0,"node":"","type":"trace.format","version":${TRACE_FORMAT_VERSION + 1}}\n` + v1;
    expect(() => [...readNdjson(v3)]).toThrow(`trace line 1: trace format version ${TRACE_FORMAT_VERSION + 1} is newer than this msrp-sim reads (${TRACE_FORMAT_VERSION})`);
    expect(() => outputsFromNdjson(v3, { only: ['summary.json'] })).toThrow('is newer than this msrp-sim reads');
    // Blank lines before it do not make it any less the first record.
    expect(() => [...readNdjson('\n' + v3)]).toThrow('trace line 2: trace format version 3');
  });

  it('refuses a format record that is not first, or whose version is not a positive integer', () => {
    expect(() => [...readNdjson(v1 + '{"t":5,"seq":2,"node":"","type":"trace.format","version":2}\n')]).toThrow('trace line 3: trace.format must be the first record of a trace');
    expect(() => [...readNdjson('{"t":0,"seq":0,"node":"","type":"trace.format","version":"2"}\n')]).toThrow("trace line 1: trace.format: field 'version' must be a positive integer");
    expect(traceFormatProblem(1.5)).not.toBeNull();
    expect(traceFormatProblem(0)).not.toBeNull();
    expect(traceFormatProblem(1)).toBeNull();
    expect(traceFormatProblem(2)).toBeNull();
  });

  it('the golden comparison refuses a newer golden and compares older ones', () => {
    expect(goldenFormatProblem('{"t":0,"seq":0,"node":"","type":"trace.format","version":3}')).toBe('trace line 1: trace format version 3 is newer than this msrp-sim reads (2)');
    expect(goldenFormatProblem('{"t":0,"seq":0,"node":"","type":"trace.format","version":2}')).toBeNull();
    expect(goldenFormatProblem('{"t":0,"seq":0,"node":"","type":"sim.start","seed":"1","duration":null}')).toBeNull();
    expect(goldenFormatProblem('not json')).toBeNull();
  });
});
