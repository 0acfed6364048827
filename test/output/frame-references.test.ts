/**
 * Trace format 2 writes a frame's bytes once (docs/trace-format.md, "A frame's bytes once"): a
 * frame read whose sending is in the trace is `{conn, sent}`. Every consumer reads it through the
 * one resolver, so every output made from a format-2 trace equals the one made from the same run
 * traced in format 1; and every reference resolves to exactly the frame format 1 recorded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyTraceRecord, TraceRecord } from '../../src/sim/trace.js';
import { FrameResolver } from '../../src/sim/frame-resolver.js';
import { createOutputs, ALL_OUTPUT_NAMES, type OutputFiles } from '../../src/output/index.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { topologyOf } from '../../src/cli/outputs.js';

const SCENARIOS = ['push-via-two-relays', 'open-relay-attempt', 'interrupted-chunk', 'relay-rechunking', 'profile-kamailio'];

function run(name: string, traceFormat: 1 | 2): { records: AnyTraceRecord[]; files: OutputFiles; passed: boolean; outputsOf: (records: AnyTraceRecord[]) => OutputFiles } {
  const file = `scenarios/${name}.yaml`;
  const l = loadScenario(file, readFileSync(file, 'utf8'));
  if (!l.ok) throw new Error(`${file} does not load`);
  const scenario = l.scenario;
  const records: AnyTraceRecord[] = [];
  const result = runScenario(scenario, { traceFormat, sinks: [(r) => records.push(r)] });
  const outputsOf = (rs: AnyTraceRecord[]): OutputFiles => {
    const outputs = createOutputs({ only: ALL_OUTPUT_NAMES, topology: topologyOf(scenario), name: scenario.name });
    for (const r of rs) outputs.record(r);
    return outputs.finish({ expectations: result.expectations });
  };
  return { records, files: outputsOf(records), passed: result.passed, outputsOf };
}

/** The trace with each reference replaced by the receive in full, as format 1 wrote it. */
function expanded(records: AnyTraceRecord[]): AnyTraceRecord[] {
  const frames = new FrameResolver();
  return records.map((r) => {
    frames.see(r);
    if (r.type !== 'msrp.recv' || r.sent === undefined) return r;
    const { text: _t, bytesBase64: _b, conn: _c, offset: _o, length: _l, t: _tt, seq: _s, node: _n, type: _ty, rule: _r, ...fields } = frames.frameOf(r as TraceRecord<'msrp.recv'>) as unknown as AnyTraceRecord;
    return { t: r.t, seq: r.seq, node: r.node, type: r.type, ...(r.rule !== undefined ? { rule: r.rule } : {}), conn: r.conn, ...fields };
  });
}

function sameFile(a: string | Uint8Array | undefined, b: string | Uint8Array | undefined): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b));
}

/** Records format 2 adds: the format record and the node state records. */
const added = (r: AnyTraceRecord): boolean => r.type === 'trace.format' || r.type.startsWith('state.');

describe.each(SCENARIOS)('%s in trace format 2', (name) => {
  const v1 = run(name, 1);
  const v2 = run(name, 2);

  it('refers to sent frames, and each reference resolves to the frame format 1 recorded', () => {
    expect(v2.passed).toBe(v1.passed);
    const frames = new FrameResolver();
    const r1 = v1.records.filter((r) => r.type === 'msrp.recv') as TraceRecord<'msrp.recv'>[];
    const resolved: unknown[] = [];
    let refs = 0;
    for (const r of v2.records) {
      frames.see(r);
      if (r.type !== 'msrp.recv') continue;
      const recv = r as TraceRecord<'msrp.recv'>;
      if (recv.sent !== undefined) {
        refs++;
        const send = v2.records[recv.sent]!;
        expect(send.type).toBe('msrp.send');
        expect(send.seq).toBeLessThan(recv.seq);
        expect(Object.keys(recv)).toEqual(['t', 'seq', 'node', 'type', 'conn', 'sent']);
      }
      const f = frames.frameOf(recv);
      expect(f).not.toBeNull();
      // The fields format 1 wrote on the receive (it carried no bytes).
      const { text: _t, bytesBase64: _b, conn: _c, offset: _o, length: _l, t: _tt, seq: _s, node: _n, type: _ty, rule: _r, ...fields } = f as unknown as AnyTraceRecord;
      resolved.push({ node: recv.node, conn: recv.conn, ...fields });
    }
    expect(refs).toBeGreaterThan(0);
    expect(resolved).toEqual(r1.map(({ t: _t, seq: _s, type: _ty, rule: _r, ...rest }) => rest));
    // Nothing else changes: the records format 1 wrote, in order, but for the receives.
    const strip = (r: AnyTraceRecord): unknown => (r.type === 'msrp.recv' ? { node: r.node, t: r.t, conn: r.conn } : { ...r, seq: 0 });
    expect(v2.records.filter((r) => !added(r)).map(strip)).toEqual(v1.records.map(strip));
    expect(v1.records.filter(added)).toEqual([]);
  });

  it('makes every output as the same trace with each receive written in full does', () => {
    const full = v2.outputsOf(expanded(v2.records));
    for (const [file, content] of full) {
      if (file === 'trace.ndjson') continue;
      expect(sameFile(v2.files.get(file), content), file).toBe(true);
    }
  });

  it('makes the same packets as format 1 (the pcapng comments name records, whose seq moves)', () => {
    expect(sameFile(v2.files.get('capture.pcap'), v1.files.get('capture.pcap'))).toBe(true);
  });
});

describe('a frame read that is not the frame sent', () => {
  it('raw bytes of the scenario are read in full, with their bytes', () => {
    const v2 = run('open-relay-attempt', 2);
    const full = v2.records.filter((r) => r.type === 'msrp.recv' && r.sent === undefined);
    expect(full.map((r) => r.transactionId)).toEqual(['mal1', 'mal2']);
    expect(full[0]!.text).toContain('MSRP mal1 SEND\r\n');
    expect(full[0]!.text).toContain('spam\r\n-------mal1$\r\n');
  });
});
