import { describe, expect, it } from 'vitest';
import { createNdjsonWriter, NdjsonSyntaxError, readNdjson } from '../../src/output/ndjson.js';
import { expectGolden, twoRelayPush } from './helpers.js';

describe('trace.ndjson', () => {
  const records = twoRelayPush();

  it('writes one line per record, fields in the order they were emitted', () => {
    const w = createNdjsonWriter();
    const first = w.write(records[0]!);
    expect(first.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(first)).slice(0, 4)).toEqual(['t', 'seq', 'node', 'type']);
    const withRule = records.find((r) => r.rule !== undefined)!;
    expect(Object.keys(JSON.parse(w.write(withRule))).slice(0, 5)).toEqual(['t', 'seq', 'node', 'type', 'rule']);
    expect(w.lines).toBe(2);
  });

  it('keeps frame bytes as they are and reads back to the same records', () => {
    const w = createNdjsonWriter();
    const text = records.map((r) => w.write(r)).join('');
    const back = [...readNdjson(text)];
    expect(back).toEqual(records.map((r) => JSON.parse(JSON.stringify(r))));
    const binary = back.find((r) => r.type === 'msrp.send' && typeof r.bytesBase64 === 'string');
    expect(binary).toBeDefined();
  });

  it('gives the same bytes for the same run (golden)', () => {
    const w = createNdjsonWriter();
    const text = records.map((r) => w.write(r)).join('');
    expect(twoRelayPush().map((r) => createNdjsonWriter().write(r)).join('')).toBe(text);
    expectGolden('two-relays.trace.ndjson', text);
  });

  it('names the line of a broken record', () => {
    const ok = '{"t":0,"seq":0,"node":"","type":"sim.end","reason":"done","events":1}';
    expect(() => [...readNdjson(`${ok}\n\n{oops}\n`)]).toThrow(NdjsonSyntaxError);
    expect(() => [...readNdjson(`${ok}\n[1]\n`)]).toThrow(/line 2/);
  });

  it('refuses a record of a type msrp-sim does not write, naming its line', () => {
    expect(() => [...readNdjson('{"t":0,"seq":0,"node":"","type":"sim.end","reason":"done","events":1}\n{"t":0,"seq":1,"node":"","type":"x"}\n')]).toThrow(/line 2: unknown record type 'x'/);
  });
});
