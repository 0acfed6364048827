import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { FlowCollector } from '../../src/output/flow.js';
import { renderLadder } from '../../src/output/ladder.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { expectGolden, SPEC_TOPOLOGY, twoRelayPush } from './helpers.js';
import { xmlProblems } from './xml.js';

function model(records: AnyTraceRecord[]) {
  const f = new FlowCollector({ topology: SPEC_TOPOLOGY });
  for (const r of records) f.record(r);
  return f.finish();
}

describe('sequence.svg', () => {
  const records = twoRelayPush();
  const m = model(records);
  let pages: Awaited<ReturnType<typeof renderLadder>> = [];
  beforeAll(async () => {
    pages = await renderLadder(m);
  });

  it('pairs every frame sent with the frame received at the other end', () => {
    const sends = records.filter((r) => r.type === 'msrp.send');
    const msrp = m.arrows.filter((a) => a.kind === 'msrp');
    expect(msrp).toHaveLength(sends.length);
    for (const a of msrp) expect(a.t1, `${a.label} arrived`).not.toBeNull();
    const report = msrp.find((a) => a.method === 'REPORT' && a.from === 'pra')!;
    expect([report.from, report.to]).toEqual(['pra', 'relay-b']);
    const forwarded = msrp.find((a) => a.from === 'relay-a' && a.to === 'relay-b' && a.method === 'SEND')!;
    expect(forwarded.rule).toBe('R-19');
    expect(forwarded.pathChange?.toRemoved).toEqual([forwarded.pathChange!.toBefore[0]]);
    expect(m.arrows.filter((a) => a.kind === 'sip').map((a) => a.label)).toEqual(['INVITE (SDP)', '200 OK (SDP)', 'ACK']);
  });

  it('orders lanes: sender, relays and the firewall between, receiver last', () => {
    expect(m.lanes).toEqual(['psa', 'relay-a', 'relay-b', 'fw-b', 'pra']);
  });

  it('is well-formed XML with a title (full frame) on every arrow', () => {
    expect(pages).toHaveLength(1);
    const svg = pages[0]!.svg;
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/ data-arrow="/g)).toHaveLength(m.arrows.length);
    // Said once per message and hop at relay-a: the empty SEND that binds the session, the three
    // chunks of the image (one band), the REPORT back; not once per chunk.
    expect(svg.match(/>To-Path −relay-a</g)).toHaveLength(3);
    expect(svg.match(/>From-Path \+relay-a</g)).toHaveLength(3);
    // The SEND band of a chunked message says which bytes its chunks cover.
    expect(svg).toContain('SEND ×3 chunks');
    expect(svg).toMatch(/ 1-5000\/5000</);
    expect(svg).toContain('>SEND ');
  });

  it('matches the golden ladder of the two-relay push', () => {
    expectGolden('two-relays.sequence.svg', pages[0]!.svg);
  });

  it('splits large runs into pages of at most perPage arrows', async () => {
    const split = await renderLadder(m, { perPage: 10, idPrefix: 'x-' });
    expect(split.map((p) => p.name)).toEqual(Array.from({ length: Math.ceil(m.arrows.length / 10) }, (_, i) => `sequence-${String(i + 1).padStart(3, '0')}.svg`));
    expect(split.reduce((n, p) => n + p.arrows.length, 0)).toBe(m.arrows.length);
    split.forEach((p, i) => {
      expect(p.arrows.length).toBeLessThanOrEqual(10);
      expect(xmlProblems(p.svg)).toEqual([]);
      expect(p.svg).toContain(`id="x-${i + 1}-ah-req"`);
    });
  });

  it('draws a dropped connection attempt as an arrow ending in a cross at the firewall, with the rule', async () => {
    const recs: AnyTraceRecord[] = [
      { t: 0, seq: 0, node: 'relay-b', type: 'tcp.connect', conn: 'c9', local: '10.0.2.4:49153', remote: '10.0.1.1:7654', target: 'phone.b.example.net', tls: false, isn: 1000 },
      { t: 10, seq: 1, node: 'fw-b', type: 'fw.drop', rule: 'default-deny', conn: 'c9', src: '10.0.2.4:49153', dst: '10.0.1.1:7654', seqNo: 1000, ackNo: 0, flags: 'S', len: 0, flow: 'x', direction: 'inbound', reason: 'denied by rule' },
      { t: 3_000_010, seq: 2, node: 'fw-b', type: 'fw.drop', rule: 'default-deny', conn: 'c9', src: '10.0.2.4:49153', dst: '10.0.1.1:7654', seqNo: 1000, ackNo: 0, flags: 'S', len: 0, flow: 'x', direction: 'inbound', reason: 'denied by rule' },
    ];
    const dm = model([...twoRelayPush().slice(0, 12), ...recs.map((r, i) => ({ ...r, seq: 10_000 + i }))]);
    const drop = dm.arrows.find((a) => a.conn === 'c9')!;
    expect(drop.end).toMatchObject({ kind: 'drop', at: 'fw-b', rule: 'default-deny', count: 2 });
    const svg = (await renderLadder(dm))[0]!.svg;
    expect(svg).toContain('dropped by fw-b: denied by rule (x2)');
    expect(svg).toContain('class="cross"');
  });

  it('draws the REPORTs of one message on one hop with one Status as one band, with the Byte-Ranges they cover', async () => {
    // The inter-relay link fails during a 200 KiB push: relay-a answers every chunk it could not
    // pass on with a REPORT carrying 408, all sent at once.
    const file = 'scenarios/inter-relay-link-failure.yaml';
    const loaded = loadScenario(file, readFileSync(file, 'utf8'));
    if (!loaded.ok) throw new Error(`${file} does not load`);
    const recs: AnyTraceRecord[] = [];
    runScenario(loaded.scenario, { sinks: [(r) => recs.push(r)] });
    const fm = model(recs);
    const reports = fm.arrows.filter((a) => a.method === 'REPORT' && a.from === 'relay-a' && a.to === 'psa' && a.sub.startsWith('000 408'));
    expect(reports.length).toBeGreaterThan(10);
    const ids = new Set(reports.map((a) => String(a.id)));
    const svg = (await renderLadder(fm)).map((p) => p.svg).join('');
    const bands = [...svg.matchAll(/class="a report err group" data-band="\d+" data-group="([\d ]+)"/g)].map((b) => b[1]!.split(' '));
    const covered = bands.flat().filter((id) => ids.has(id));
    expect(covered.sort()).toEqual([...ids].sort());
    expect(svg).toContain(`REPORT ×${bands.find((b) => ids.has(b[0]!))!.length}<`);
    expect(svg).toMatch(/>000 408 \d+-204800\/204800</);
  });
});

