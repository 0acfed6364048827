import { describe, expect, it } from 'vitest';
import { ALL_OUTPUT_NAMES, createOutputs, loadOutputs, type OutputFiles, type OutputName, type OutputOptions } from '../../src/output/index.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { SPEC_TOPOLOGY, twoRelayPush } from './helpers.js';

async function files(make: (o: OutputOptions) => ReturnType<typeof createOutputs> | Promise<ReturnType<typeof createOutputs>>, only: readonly OutputName[], trace: AnyTraceRecord[]): Promise<OutputFiles> {
  const outputs = await make({ only, topology: SPEC_TOPOLOGY, name: 'two relays' });
  for (const r of trace) outputs.record(r);
  return outputs.finish({ expectations: [] });
}

describe('loadOutputs: the outputs asked for, with only their modules loaded', () => {
  const trace = twoRelayPush(6000);

  it.each([
    ['every output', ALL_OUTPUT_NAMES],
    ['the trace and the summary', ['trace.ndjson', 'summary.json']],
    ['the Mermaid text alone', ['sequence.mmd']],
    ['the capture and the timeline', ['capture.pcapng', 'capture.pcap', 'timeline.txt']],
  ] as const)('makes what createOutputs makes, byte for byte: %s', async (_, only) => {
    const loaded = await files(loadOutputs, only, trace);
    const made = await files(createOutputs, only, trace);
    expect([...loaded.keys()].sort()).toEqual([...made.keys()].sort());
    for (const [name, content] of made) expect(loaded.get(name), name).toEqual(content);
  });

  it('rejects an output it does not know, as createOutputs throws', async () => {
    await expect(loadOutputs({ only: ['nope.txt' as OutputName] })).rejects.toThrow(/unknown output 'nope.txt'/);
  });
});
