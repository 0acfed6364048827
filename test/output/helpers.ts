/** Runs for output tests: the two-relay push of test/nodes/two-relays.test.ts, recorded in full. */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { AnyTraceRecord, TraceFormatVersion } from '../../src/sim/trace.js';
import { SECOND } from '../../src/sim/time.js';
import type { TopologyInfo } from '../../src/output/topology-info.js';
import { build, endpoint, specTopology } from '../nodes/helpers.js';

/** What the scenario would tell the outputs about the SPEC §5 world (roles, zones, links). */
export const SPEC_TOPOLOGY: TopologyInfo = {
  nodes: [
    { id: 'psa', role: 'sender', host: 'push.example.com' },
    { id: 'relay-a', role: 'relay', host: 'relay.a.example.com', profile: 'rfc4976' },
    { id: 'relay-b', role: 'relay', host: 'relay.b.example.net', profile: 'rfc4976' },
    { id: 'fw-b', role: 'firewall', inside: ['pra'] },
    { id: 'pra', role: 'receiver', host: 'phone.b.example.net' },
  ],
  links: [
    { a: 'psa', b: 'relay-a', latency: 10_000, bandwidth: null },
    { a: 'relay-a', b: 'relay-b', latency: 40_000, bandwidth: null },
    { a: 'relay-b', b: 'fw-b', latency: 10_000, bandwidth: null },
    { a: 'fw-b', b: 'pra', latency: 10_000, bandwidth: 2_000_000 },
  ],
};

/** psa pushes a 5000-byte image to pra through relay-a and relay-b, pra behind fw-b. */
export function twoRelayPush(size = 5000, chunkSize = 2048, traceFormat: TraceFormatVersion = 2): AnyTraceRecord[] {
  const t = specTopology({ world: { traceFormat } });
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
  t.world.at(100_000, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size, chunkSize, successReport: 'yes' }));
  t.world.run(20 * SECOND);
  return t.trace;
}

/** A direct session without relays (plain TCP to port 12763), as in RFC 4975 §4. */
export function directSession(): AnyTraceRecord[] {
  const t = build(
    [
      { id: 'alice', role: 'endpoint', endpoint: endpoint('atlanta.example.com') },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('biloxi.example.com', { port: 12763 }) },
    ],
    [['alice', 'bob', { latency: 10_000 }]],
  );
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'alice', 'bob'));
  t.world.at(SECOND, () => t.world.send('alice', { session: 's1', contentType: 'text/plain', body: 'Hey Bob, are you there?' }));
  t.world.run(10 * SECOND);
  return t.trace;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Compares `actual` with test/output/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGolden(name: string, actual: string): void {
  const file = join(here, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`no golden file ${name}: run with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

export function tmpDir(name: string): string {
  const dir = join(here, '../../.tmp/output-tests', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
