/**
 * The outputs of a run (SPEC §7), fed with trace records as they stream and written into the
 * run's output directory. The canonical trace streams to disk; the other formats are made from
 * the records by src/output/.
 */
import type { RunResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/types.js';
import type { AnyTraceRecord } from '../sim/trace.js';
import { canonicalLine } from '../scenario/golden.js';
import type { OutputDir, StreamFile } from './output-dir.js';

export const OUTPUT_NAMES = ['trace', 'timeline', 'sequence', 'topology', 'pcap', 'summary', 'html', 'mermaid'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

export interface RunOutputs {
  record(r: AnyTraceRecord): void;
  finish(result: RunResult): void;
  abandon(): void;
}

export function createOutputs(scenario: Scenario, chosen: ReadonlySet<OutputName>, dir: OutputDir): RunOutputs {
  const trace: StreamFile | null = chosen.has('trace') ? dir.stream('trace.ndjson') : null;
  return {
    record(r) {
      trace?.write(canonicalLine(r) + '\n');
    },
    finish(result) {
      trace?.close();
      if (chosen.has('summary')) dir.write('summary.json', JSON.stringify(summaryOf(scenario, result), null, 2) + '\n');
    },
    abandon() {
      try {
        trace?.close();
      } catch {
        // already closed
      }
    },
  };
}

function summaryOf(scenario: Scenario, result: RunResult): unknown {
  return {
    scenario: scenario.name,
    seed: String(scenario.seed),
    outcome: result.outcome.reason,
    virtualTime: result.outcome.time,
    records: result.records,
    counters: result.world.counters.toJSON(),
    expectations: result.expectations,
  };
}
