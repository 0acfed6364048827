/**
 * The outputs of a run (SPEC §7), made by src/output/ from the trace records as they stream, and
 * written into the run's output directory. The canonical trace, the timeline and the capture go
 * to disk as they are made, so memory does not grow with them; the other files are written at
 * the end.
 */
import { loadOutputs } from '../output/output-loading.js';
import type { CaptureFileSink, CaptureOutput, OutputName } from '../output/output-set.js';
import type { CaptureFormat } from '../output/pcap.js';
import type { TopologyInfo } from '../output/topology-info.js';
import type { RunResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/types.js';
import type { AnyTraceRecord } from '../sim/trace.js';
import type { OutputDir, SpooledFile, StreamFile } from './output-dir.js';
import { threadDrawer } from './diagram-drawer.js';

/**
 * The words of `--only`, in the order of SPEC §7. Not the library's `OUTPUT_NAMES`, which are the
 * file names (`timeline.txt`); `FLAG_FILES` maps one to the other.
 */
export const OUTPUT_FLAGS = ['trace', 'timeline', 'sequence', 'topology', 'pcap', 'summary', 'html', 'mermaid'] as const;
export type OutputFlag = (typeof OUTPUT_FLAGS)[number];

/** The output file each `--only` word stands for. */
export const FLAG_FILES: Readonly<Record<OutputFlag, OutputName>> = {
  trace: 'trace.ndjson',
  timeline: 'timeline.txt',
  sequence: 'sequence.svg',
  topology: 'topology.svg',
  pcap: 'capture.pcapng',
  summary: 'summary.json',
  html: 'report.html',
  mermaid: 'sequence.mmd',
};

export interface RunOutputs {
  record(r: AnyTraceRecord): void;
  /** Whether the outputs chosen read the node state records (`OutputSet.readsState`). */
  readonly readsState: boolean;
  /** Whether they read the `tcp.segment` records (`OutputSet.readsSegments`). */
  readonly readsSegments: boolean;
  finish(result: RunResult): Promise<void>;
  abandon(): void;
}

/** Node roles, firewall zones and link settings from the scenario, for the diagrams. */
export function topologyOf(scenario: Scenario): TopologyInfo {
  return {
    nodes: scenario.nodes.map((n) => ({
      id: n.id,
      role: n.role,
      host: n.host,
      ...(n.address !== null ? { address: n.address } : {}),
      ...(n.role === 'firewall' ? { inside: n.inside } : {}),
      ...(n.role === 'relay' ? { profile: n.profile } : {}),
    })),
    links: scenario.links.map((l) => ({ a: l.a, b: l.b, latency: l.latency, bandwidth: Number.isFinite(l.bandwidth) ? l.bandwidth : null, jitter: l.jitter, loss: l.loss })),
  };
}

/**
 * The library's outputs (`createOutputs`) for a run of the CLI, written into its output directory.
 * `pcap` stands for capture.pcapng, or capture.pcap with `pcapFormat: 'pcap'`.
 */
export async function createRunOutputs(scenario: Scenario, chosen: ReadonlySet<OutputFlag>, dir: OutputDir, options: { pcapFormat?: CaptureFormat } = {}): Promise<RunOutputs> {
  const files = [...chosen].map((n) => (n === 'pcap' && options.pcapFormat === 'pcap' ? 'capture.pcap' : FLAG_FILES[n]));
  const streams: StreamFile[] = [];
  const stream: Partial<Record<'trace.ndjson' | 'timeline.txt', (chunk: string) => void>> = {};
  for (const name of ['trace.ndjson', 'timeline.txt'] as const) {
    if (!files.includes(name)) continue;
    const file = dir.stream(name);
    streams.push(file);
    stream[name] = (chunk) => file.write(chunk);
  }
  const spooled: SpooledFile[] = [];
  const captureSinks: Partial<Record<CaptureOutput, CaptureFileSink>> = {};
  for (const name of ['capture.pcapng', 'capture.pcap'] as const) {
    if (!files.includes(name)) continue;
    const file = dir.spooled(name);
    spooled.push(file);
    captureSinks[name] = file;
  }
  // The diagrams on the thread the binary started, d3-node loaded while the run went on.
  const drawDiagrams = threadDrawer();
  // Only the modules of the outputs asked for are loaded.
  const set = await loadOutputs({ only: files, topology: topologyOf(scenario), name: scenario.name, stream, captureSinks, ...(drawDiagrams ? { drawDiagrams } : {}) });
  return {
    record: set.record,
    readsState: set.readsState,
    readsSegments: set.readsSegments,
    async finish(result) {
      // The streamed files first (the trace is written before the capture's head and the rest).
      for (const s of streams) s.close();
      const made = await set.finish({ expectations: result.expectations });
      for (const [name, content] of made) dir.write(name, content);
    },
    abandon() {
      for (const s of spooled) s.abandon();
      for (const s of streams) {
        try {
          s.close();
        } catch {
          // already closed
        }
      }
    },
  };
}
