import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunOutputs, FLAG_FILES, OUTPUT_FLAGS, type OutputFlag } from '../../src/cli/outputs.js';
import type { OutputDir } from '../../src/cli/output-dir.js';
import { loadFile } from '../../src/cli/scenario-files.js';
import { OUTPUT_NAMES } from '../../src/output/index.js';
import { runScenario } from '../../src/scenario/run.js';

describe('run outputs (the --only words)', () => {
  it('each --only word names one output file, and every output file has its word', () => {
    const files = OUTPUT_FLAGS.map((f) => FLAG_FILES[f]);
    expect(new Set(files).size).toBe(OUTPUT_FLAGS.length);
    expect([...files].sort()).toEqual([...OUTPUT_NAMES].sort());
  });

  it('writes the files of the words chosen, streamed ones as they come', async () => {
    const loaded = loadFile(join(import.meta.dirname, 'fixtures', 'tiny.yaml'));
    if (!loaded.ok) throw new Error('fixture does not load');
    const written = new Map<string, string>();
    const dir = {
      stream: (name: string) => ({ write: (text: string) => written.set(name, (written.get(name) ?? '') + text), close: () => undefined }),
      write: (name: string, content: string | Uint8Array) => written.set(name, typeof content === 'string' ? content : `${content.length} bytes`),
    } as unknown as OutputDir;
    const chosen = new Set<OutputFlag>(['timeline', 'summary']);
    const outputs = await createRunOutputs(loaded.scenario, chosen, dir);
    const result = runScenario(loaded.scenario, { sinks: [outputs.record] });
    await outputs.finish(result);
    expect([...written.keys()].sort()).toEqual(['summary.json', 'timeline.txt']);
    expect(written.get('timeline.txt')).not.toBe('');
  });
});
