import { describe, expect, it } from 'vitest';
import { FlowCollector } from '../../src/output/flow.js';
import { expand, renderTopology } from '../../src/output/topology.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import type { TopologyInfo } from '../../src/output/topology-info.js';
import { SPEC_TOPOLOGY, twoRelayPush } from './helpers.js';
import { xmlProblems } from './xml.js';

function model(records: AnyTraceRecord[], topology?: TopologyInfo) {
  const f = new FlowCollector(topology ? { topology } : {});
  for (const r of records) f.record(r);
  return f.finish();
}

describe('topology.svg', () => {
  const records = twoRelayPush();

  it('draws nodes by role, the firewall zone, labelled links and the session path', async () => {
    const m = model(records, SPEC_TOPOLOGY);
    const svg = await renderTopology(m);
    expect(xmlProblems(svg)).toEqual([]);
    for (const role of ['sender', 'relay', 'firewall', 'receiver']) expect(svg).toContain(`class="${role}"`);
    expect(svg).toContain('zone inside fw-b');
    expect(svg).toContain('>40 ms<');
    expect(svg).toContain('>10 ms · 2 Mbit/s<');
    expect(svg).toContain('session s1: psa › relay-a › relay-b › fw-b › pra');
    expect(expand(m.sessions[0]!, m.routes)).toEqual(['psa', 'relay-a', 'relay-b', 'fw-b', 'pra']);
  });

  it('gets roles, addresses and the firewall zone from the trace when no topology is given', async () => {
    const m = model(records);
    const roles = Object.fromEntries(m.nodes.map((n) => [n.id, n.role]));
    expect(roles).toEqual({ psa: 'sender', 'relay-a': 'relay', 'relay-b': 'relay', 'fw-b': 'firewall', pra: 'endpoint' });
    expect(m.nodes.find((n) => n.id === 'fw-b')!.inside).toEqual(['pra']);
    expect(m.nodes.find((n) => n.id === 'pra')!.address).toBe('10.0.1.1');
    const svg = await renderTopology(m);
    expect(xmlProblems(svg)).toEqual([]);
    // The trace holds the net.link records of the world as it was built: each link's settings.
    expect(svg).not.toContain('latency ?');
    expect(svg).toContain('>40 ms<');
    expect(svg).toContain('>10 ms · 2 Mbit/s<');
  });

  it('sums up crowded columns', async () => {
    const topology: TopologyInfo = {
      nodes: [{ id: 'psa', role: 'sender' }, { id: 'relay', role: 'relay' }, ...Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, role: 'receiver' as const }))],
      links: [{ a: 'psa', b: 'relay' }, ...Array.from({ length: 30 }, (_, i) => ({ a: 'relay', b: `r${i}` }))],
    };
    const svg = await renderTopology(model([], topology), { maxPerColumn: 8 });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('+23 more');
  });
});
