/**
 * The capture written as the run goes (src/output/pcap.ts): the same bytes as the capture made
 * whole at the end always were, and what it holds back bounded by what is live, not by the
 * length of the run (SPEC §9).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topologyOf } from '../../src/cli/outputs.js';
import { createOutputs } from '../../src/output/index.js';
import type { CaptureOutput } from '../../src/output/output-set.js';
import { createCapturePackets } from '../../src/output/pcap.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { root } from '../helpers/exec.js';

/**
 * sha256 of capture.pcap and capture.pcapng of each scenario, as `msrp-sim run` wrote them when
 * the capture was made whole in `finish()` (dff48a3), before it was written as the run goes.
 */
const golden = JSON.parse(readFileSync(join(root, 'test/output/golden/captures.sha256.json'), 'utf8')) as Record<string, Record<CaptureOutput, string>>;

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function load(file: string) {
  const loaded = loadScenario(file, readFileSync(join(root, file), 'utf8'));
  if (!loaded.ok) throw new Error(`${file}: ${loaded.problems[0]?.message ?? ''}`);
  return loaded.scenario;
}

describe('the capture written as the run goes', () => {
  it('has golden captures for the bundled scenarios and the SPEC-written fixtures', () => {
    expect(Object.keys(golden).filter((f) => f.startsWith('scenarios/')).length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(golden).filter((f) => f.includes('spec-written')).length).toBeGreaterThanOrEqual(7);
  });

  for (const file of Object.keys(golden)) {
    it(`${file}: the same bytes streamed and kept, and as the capture made whole at the end`, async () => {
      const scenario = load(file);
      const names = ['capture.pcapng', 'capture.pcap'] as const;
      const pieces = new Map<CaptureOutput, Uint8Array[]>(names.map((n) => [n, []]));
      const heads = new Map<CaptureOutput, Uint8Array>();
      let duringRun = 0;
      let running = true;
      const captureSinks = Object.fromEntries(
        names.map((n) => [
          n,
          {
            write: (b: Uint8Array) => {
              pieces.get(n)!.push(b);
              if (running) duringRun++;
            },
            close: (head: Uint8Array) => heads.set(n, head),
          },
        ]),
      );
      const topology = topologyOf(scenario);
      const streamed = createOutputs({ only: [...names], topology, captureSinks });
      const kept = createOutputs({ only: [...names], topology });
      runScenario(scenario, { sinks: [streamed.record, kept.record] });
      running = false;
      const streamedFiles = await streamed.finish();
      const keptFiles = await kept.finish();
      expect([...streamedFiles.keys()], 'streamed files are not in the map').toEqual([]);
      for (const n of names) {
        const whole = Buffer.concat([heads.get(n)!, ...pieces.get(n)!]);
        expect(sha(whole), n).toBe(golden[file]![n]);
        expect(sha(keptFiles.get(n) as Uint8Array), n).toBe(golden[file]![n]);
      }
      expect(duringRun, 'pieces written while the run went on').toBeGreaterThan(0);
    });
  }
});

/** The records of a scenario run. */
function recordsOf(text: string): AnyTraceRecord[] {
  const loaded = loadScenario('capture-growth.yaml', text);
  if (!loaded.ok) throw new Error(loaded.problems[0]?.message ?? '');
  const records: AnyTraceRecord[] = [];
  runScenario(loaded.scenario, { sinks: [(r) => records.push(r)] });
  return records;
}

/** One sender pushing `count` messages through two relays, one every 100 ms. */
function pushes(count: number): string {
  return `name: capture-growth
seed: 7
duration: ${Math.ceil(count / 10) + 5}s
nodes:
  psa: { role: sender, relays: [r1], password: pw }
  r1: { role: relay, users: { psa: pw } }
  r2: { role: relay, users: { pra: pw2 } }
  pra: { role: receiver, relays: [r2], password: pw2 }
links:
  - [psa, r1, { latency: 5ms }]
  - [r1, r2, { latency: 20ms }]
  - [r2, pra, { latency: 5ms }]
events:
  - { at: 0s, session: { id: s1, offerer: psa, answerer: pra } }
  - { at: 1s, send: { session: s1, from: psa, body: "a message", count: ${count}, interval: 100ms } }
`;
}

describe('what the capture holds back', () => {
  /** The most packets held at once, and how many came out. */
  function heldOver(records: readonly AnyTraceRecord[]): { max: number; packets: number; order: boolean } {
    let packets = 0;
    let last: [number, number, number] = [-Infinity, -Infinity, -Infinity];
    let order = true;
    const capture = createCapturePackets({}, (p) => {
      packets++;
      const key: [number, number, number] = [p.t, p.rec, p.sub];
      if (key[0] < last[0] || (key[0] === last[0] && (key[1] < last[1] || (key[1] === last[1] && key[2] <= last[2])))) order = false;
      last = key;
    });
    let max = 0;
    for (const r of records) {
      capture.record(r);
      max = Math.max(max, capture.held);
    }
    capture.end();
    expect(capture.held).toBe(0);
    return { max, packets, order };
  }

  it('does not grow with the length of the run: ten times the messages, the same packets held at most', () => {
    const short = heldOver(recordsOf(pushes(20)));
    const long = heldOver(recordsOf(pushes(200)));
    expect(short.order && long.order, 'packets come out in (time, record, sub) order').toBe(true);
    expect(long.packets).toBeGreaterThan(5 * short.packets);
    // What is held is the traffic of the last moments: a message's frames and segments in flight.
    expect(long.max).toBeLessThanOrEqual(short.max + 2);
    expect(long.max).toBeLessThan(long.packets / 20);
  });
});
