/**
 * The endpoint's state records (trace format 2, docs/trace-format.md "Node state for the teaching
 * panel"): replaying them gives each machine's state, and they agree with the records of what
 * happened. Scenarios of the bundled library, run whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';
import type { AnyTraceRecord, TraceRecord } from '../../src/sim/trace.js';

const root = join(import.meta.dirname, '..', '..');

function trace(name: string): AnyTraceRecord[] {
  const file = join(root, 'scenarios', `${name}.yaml`);
  const loaded = loadScenario(file, readFileSync(file, 'utf8'));
  if (!loaded.ok) throw new Error(`${name} does not load`);
  const records: AnyTraceRecord[] = [];
  runScenario(loaded.scenario, { sinks: [(r: TraceRecord) => records.push(r)] });
  return records;
}

const of = (records: AnyTraceRecord[], type: string, node?: string): AnyTraceRecord[] => records.filter((r) => r.type === type && (node === undefined || r.node === node));

describe('endpoint state records', () => {
  const records = trace('push-via-two-relays');

  it('state.auth: each move of the AUTH client, ending authenticated with the Use-Path of the last auth.ok and its re-AUTH time', () => {
    const auth = of(records, 'state.auth', 'psa');
    expect(auth.map((r) => `${r.state}:${r.change}`)).toEqual(['connecting:connect', 'connecting:auth-sent', 'challenged:credentials-sent', 'authenticated:granted-refresh-set']);
    const last = auth.at(-1)!;
    const ok = of(records, 'auth.ok', 'psa').at(-1)!;
    expect(last.usePath).toBe(ok.usePath.join(' '));
    expect(last.expires).toBe(ok.expires);
    expect(last.refreshAt).toBe(last.t + Math.floor(ok.expires * 0.8 * 1_000_000));
  });

  it('state.session: every transition of a session, in order, at both ends', () => {
    const moves = (node: string): string[] => of(records, 'state.session', node).map((r) => r.state);
    expect(moves('psa')).toEqual(['waiting-auth', 'offering', 'connecting', 'established']);
    expect(moves('pra')).toEqual(['waiting-auth', 'answering', 'connecting', 'established']);
    const established = of(records, 'state.session', 'psa').at(-1)!;
    expect(established.conn).toBe(of(records, 'session.established', 'psa')[0]!.conn);
  });

  it('state.transaction: each transaction started with its timer is ended once, by its response', () => {
    const byId = new Map<string, string[]>();
    for (const r of of(records, 'state.transaction', 'psa')) byId.set(r.transactionId, [...(byId.get(r.transactionId) ?? []), `${r.state}:${r.change}`]);
    expect(byId.size).toBeGreaterThan(3);
    for (const moves of byId.values()) {
      // A transaction still waiting when the run ends has only its first record.
      expect(moves[0]).toBe('waiting:timer-set');
      expect(moves.length).toBeLessThanOrEqual(2);
      if (moves[1] !== undefined) expect(moves[1]).toMatch(/^done:answered-(200|401)$/);
    }
    expect([...byId.values()].filter((m) => m[1] === 'done:answered-401')).toHaveLength(1);
    for (const r of of(records, 'state.transaction', 'psa')) if (r.state === 'waiting') expect(r.timerAt).toBe(r.t + 30_000_000);
  });

  it('state.message: the bytes sent grow chunk by chunk to the message size, sent; the receiver delivers it', () => {
    const out = of(records, 'state.message', 'psa');
    const message = of(records, 'endpoint.message', 'psa')[0]!;
    expect(out.at(-1)).toMatchObject({ messageId: message.messageId, direction: 'out', state: 'sent', bytes: message.size, total: message.size });
    const bytes = out.map((r) => r.bytes as number);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    const sentChunks = of(records, 'msrp.send', 'psa').filter((r) => r.messageId === message.messageId);
    expect(out).toHaveLength(sentChunks.length);
    const delivered = of(records, 'state.message', 'pra').at(-1)!;
    expect(delivered).toMatchObject({ messageId: message.messageId, direction: 'in', state: 'delivered', bytes: message.size });
  });

  it('the same seed gives the same state records', () => {
    const again = trace('push-via-two-relays').filter((r) => r.type.startsWith('state.'));
    expect(again).toEqual(records.filter((r) => r.type.startsWith('state.')));
  });
});
