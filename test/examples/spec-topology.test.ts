/**
 * The TypeScript example (examples/spec-topology.ts) does what it says: the SPEC §5 topology from
 * start to finish, AUTH through a Digest challenge at both relays, a session with paths through
 * both relays, the 40 KiB image delivered intact behind the firewall, and a success REPORT that
 * covers every byte; the same seed gives the same trace.
 */
import { describe, expect, it } from 'vitest';
import { runSpecExample } from '../../examples/spec-topology.js';

describe('examples/spec-topology.ts', () => {
  const trace = runSpecExample();
  const of = (type: string, node?: string) => trace.filter((r) => r.type === type && (node === undefined || r.node === node));

  it('authenticates both endpoints with a challenge first (R-03, R-04)', () => {
    expect(of('relay.auth-ok').map((r) => r.node).sort()).toEqual(['relay-a', 'relay-b']);
    expect(of('auth.challenged').map((r) => r.node).sort()).toEqual(['pra', 'psa']);
  });

  it('forwards every chunk through both relays with the paths rewritten (R-19)', () => {
    const sent = of('endpoint.message', 'psa')[0]!;
    const delivered = of('endpoint.deliver', 'pra')[0]!;
    expect(delivered.messageId).toBe(sent.messageId);
    expect(delivered.size).toBe(40 * 1024);
    expect(delivered.digest).toBe(sent.digest);
    const atB = of('relay.forward', 'relay-b').filter((r) => r.method === 'SEND');
    // 20 chunks of 2048 bytes and the binding SEND.
    expect(atB).toHaveLength(21);
    for (const r of atB) {
      expect((r.toPathAfter as string[]).length).toBe(1);
      expect((r.fromPathAfter as string[]).length).toBe(3);
    }
  });

  it('lets the message in only over the connection the receiver opened (R-26): no drop at fw-b', () => {
    expect(of('fw.drop', 'fw-b')).toEqual([]);
    expect(of('fw.pass', 'fw-b').map((r) => r.direction)).toEqual(['outbound']);
  });

  it('reports success for every byte (E-32)', () => {
    const [report] = of('endpoint.report', 'psa');
    expect(report).toMatchObject({ status: 200, complete: true, byteRange: { start: 1, end: 40960, total: 40960 } });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(runSpecExample())).toBe(JSON.stringify(trace));
  });
});
