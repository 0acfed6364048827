import { describe, expect, it } from 'vitest';
import { FlowCollector } from '../../src/output/flow.js';
import { mermaidText, renderMermaid } from '../../src/output/mermaid.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { expectGolden, SPEC_TOPOLOGY, twoRelayPush } from './helpers.js';

function model(records: AnyTraceRecord[]) {
  const f = new FlowCollector({ topology: SPEC_TOPOLOGY });
  for (const r of records) f.record(r);
  return f.finish();
}

/**
 * The statements this writer uses, as Mermaid's sequence grammar reads them (no Mermaid parser is
 * a dependency of the project): participant with alias, a message with one of the arrows, a note.
 */
const STATEMENT = [
  /^ {4}participant [A-Za-z_][A-Za-z0-9_]* as [^;#\n]+(#\d+;[^;#\n]*)*$/,
  /^ {4}[A-Za-z_][A-Za-z0-9_]*(->>|-->>|-\)|-x|--x)[A-Za-z_][A-Za-z0-9_]*: [^;\n]*$/,
  /^ {4}Note over [A-Za-z_][A-Za-z0-9_]*(,[A-Za-z_][A-Za-z0-9_]*)?: [^;\n]*$/,
  /^ {4}%%.*$/,
];

describe('sequence.mmd', () => {
  const records = twoRelayPush();
  const text = renderMermaid(model(records));

  it('matches the golden diagram of the two-relay push', () => {
    expectGolden('two-relays.sequence.mmd', text);
  });

  it('declares participants in lane order and uses only well-formed statements', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    for (const line of lines.slice(1)) expect(STATEMENT.some((re) => re.test(line)), line).toBe(true);
    const participants = lines.filter((l) => l.includes('participant')).map((l) => l.split(' as ')[1]);
    expect(participants).toEqual(['psa (sender)', 'relay-a (relay)', 'relay-b (relay)', 'fw-b (firewall)', 'pra (receiver)']);
  });

  it('has a message per frame: MSRP solid, SIP dashed, with paths as node names', () => {
    const sends = records.filter((r) => r.type === 'msrp.send').length;
    expect(text.match(/^ {4}\w+->>\w+:/gm)).toHaveLength(sends);
    expect(text.match(/^ {4}\w+-->>\w+:/gm)).toHaveLength(3);
    expect(text).toContain('psa-->>pra: INVITE (SDP)');
    expect(text).toMatch(/relay_a->>relay_b: SEND \w+ 1-2048\/5000 \+<br\/>To: relay-b pra From: relay-a psa/);
  });

  it('escapes what Mermaid would read as syntax and stays under its size limit', () => {
    expect(mermaidText('a;b#c\nd')).toBe('a#59;b#35;c d');
    const small = renderMermaid(model(records), { maxChars: 3000 });
    expect(small.length).toBeLessThanOrEqual(3000);
    expect(small).toMatch(/Note over psa,pra: \d+ more steps not shown here: see sequence.svg/);
  });
});
