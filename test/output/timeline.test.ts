import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { createTimelineWriter, messageLines } from '../../src/output/timeline.js';
import { expectGolden, SPEC_TOPOLOGY, twoRelayPush } from './helpers.js';

function timeline(records = twoRelayPush(), options = {}): string {
  const w = createTimelineWriter({ nodes: SPEC_TOPOLOGY.nodes.map((n) => n.id), ...options });
  return records.map((r) => w.write(r)).join('');
}

describe('timeline.txt', () => {
  const text = timeline();

  it('matches the golden timeline of the two-relay push', () => {
    expectGolden('two-relays.timeline.txt', text);
  });

  it('aligns time and node, and names the rule with its RFC section', () => {
    expect(text).toMatch(/^ \+0\.232428s {2}relay-a {3}answers SEND \w+ with 200 on c3 {3}\[R-20 RFC 4976 §6\.4\.1\]$/m);
    for (const line of text.split('\n').filter((l) => /^\s*[+-]\d/.test(l))) expect(line.slice(0, 11)).toMatch(/^ *\+\d+\.\d{6}s$/);
  });

  it('shows full frames under the event, binary bodies by their length', () => {
    expect(text).toContain('MSRP ');
    expect(text).toContain('[2048 bytes of binary body]');
    expect(text).toContain('[904 bytes of binary body]');
  });

  it('shows what each relay changed in To-Path and From-Path', () => {
    const at = text.indexOf('relay-b   forwards SEND');
    expect(at).toBeGreaterThan(0);
    const block = text.slice(at, text.indexOf('\n +', at));
    expect(block).toMatch(/To-Path {3}removed msrps:\/\/relay\.b\.example\.net/);
    expect(block).toMatch(/From-Path added {3}msrps:\/\/relay\.b\.example\.net/);
  });

  it('shortens long text bodies with a note', () => {
    const frame = 'MSRP a1 SEND\r\nTo-Path: msrp://b:1/s;tcp\r\nFrom-Path: msrp://a:1/s;tcp\r\nContent-Type: text/plain\r\n\r\n' + 'x'.repeat(5000) + '\r\n-------a1$\r\n';
    const lines = messageLines(frame, 48);
    expect(lines.at(-2)).toBe('x'.repeat(48) + ' [4952 more bytes]');
    expect(lines.at(-1)).toBe('-------a1$');
  });

  it('leaves TCP segments out unless asked', () => {
    expect(text).not.toContain(' segment to ');
    expect(timeline(undefined, { segments: true })).toContain(' segment to ');
  });
});

describe('timeline.txt for every kind of record', () => {
  // Every record type the model declares (the TraceTypes interfaces), read from the sources.
  // Every type msrp-sim writes: the list the compiler keeps equal to TraceTypes.
  const declared = [...readFileSync(new URL('../../src/output/trace-types-known.ts', import.meta.url), 'utf8').matchAll(/^\s+'([a-z]+\.[a-z-]+)': true,/gmu)].map((m) => m[1]!);

  it('describes each in words, none as raw `type key=value` fields', () => {
    expect(declared.length).toBeGreaterThan(100);
    const w = createTimelineWriter({ nodes: ['n'] });
    const raw = declared.filter((type) => {
      // A record as the type declares it: its lists and maps present (empty), as every emitter writes them.
      const line = w.write({ t: 0, seq: 0, node: 'n', type, conn: 'c1', step: '', peerNames: [], rules: [], changes: {}, groups: [], changed: [], usePath: [], fromPath: [], toPath: [], toPathAfter: [], fromPathAfter: [], toPathBefore: [], fromPathBefore: [], path: [], previous: [] } as unknown as AnyTraceRecord);
      return line.includes(` ${type}`);
    });
    expect(raw).toEqual([]);
  });

  it('says when a reset fault found no connection, and what a link change set, in units', () => {
    const w = createTimelineWriter({ nodes: ['alice'] });
    const rec = (type: string, fields: Record<string, unknown>) => w.write({ t: 0, seq: 0, node: 'alice', type, ...fields } as unknown as AnyTraceRecord);
    expect(rec('action.fault', { fault: 'resetConnection', peer: 'carol', reset: 0 })).toContain('fault: no connection to carol to reset');
    expect(rec('fault.set-link', { link: 'a<>b', changes: { latency: 100_000, loss: 0.01, bandwidth: 2_000_000 } })).toContain('fault: link a<>b changed: latency 100 ms, loss 1%, bandwidth 2 Mbit/s');
  });
});
