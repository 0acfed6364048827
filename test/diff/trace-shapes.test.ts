/**
 * Frames from a trace, in the record shapes of docs/trace-format.md: format 1 (`msrp.recv` with the
 * frame's fields) and format 2 (`msrp.recv` as a reference `{conn, sent}` to its `msrp.send`, or the
 * frame in full when nothing in the trace sent it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareRuns, DiffInputError, runFromTrace, type LooseRecord } from '../../src/diff/index.js';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';
import { root } from '../helpers/exec.js';

function records(file: string, seed?: number): LooseRecord[] {
  let text = readFileSync(`${root}/scenarios/${file}`, 'utf8');
  if (seed !== undefined) text = text.replace(/^seed: .*$/m, `seed: ${seed}`);
  const l = loadScenario(file, text);
  if (!l.ok) throw new Error('scenario did not load');
  const out: LooseRecord[] = [];
  // Through JSON, as a trace file gives them; in trace format 1, which toFormat2 turns into 2.
  runScenario(l.scenario, { traceFormat: 1, sinks: [(r) => out.push(JSON.parse(JSON.stringify(r)) as LooseRecord)] });
  return out;
}

/** Format 2 from format 1: the first record names the format; a frame read is a reference to its write when every field matches. */
function toFormat2(trace: LooseRecord[]): LooseRecord[] {
  const peerOf = new Map<string, string>();
  for (const r of trace) if (r.type === 'tcp.accept') {
    peerOf.set(r.conn as string, r.peer as string);
    peerOf.set(r.peer as string, r.conn as string);
  }
  const unread = new Map<string, LooseRecord[]>();
  const out: LooseRecord[] = [{ t: 0, seq: -1, node: '', type: 'trace.format', version: 2 }];
  for (const r of trace) {
    if (r.type === 'msrp.send') {
      const list = unread.get(r.conn as string) ?? [];
      list.push(r);
      unread.set(r.conn as string, list);
      out.push(r);
    } else if (r.type === 'msrp.recv') {
      const sent = unread.get(peerOf.get(r.conn as string)!)!.shift()!;
      expect(sent.transactionId).toBe(r.transactionId);
      out.push({ t: r.t, seq: r.seq, node: r.node, type: 'msrp.recv', conn: r.conn, sent: sent.seq });
    } else out.push(r);
  }
  return out;
}

describe('frames from a trace', () => {
  const v1 = records('push-via-two-relays.yaml');

  it('format 1: every direction of every connection, the frames the other end read marked', () => {
    const run = runFromTrace(v1, 'v1');
    // In order of opening: both clients connect to their relays at 0 s, the relays to each other later.
    expect(run.connections.map((c) => [c.initiator, c.responder])).toEqual([
      ['psa', 'relay-a'],
      ['pra', 'relay-b'],
      ['relay-a', 'relay-b'],
    ]);
    const sends = v1.filter((r) => r.type === 'msrp.send').length;
    const frames = run.connections.reduce((n, c) => n + c.frames[0].length + c.frames[1].length, 0);
    expect(frames).toBe(sends);
    const recvs = v1.filter((r) => r.type === 'msrp.recv').length;
    const read = run.connections.flatMap((c) => [...c.frames[0], ...c.frames[1]]).filter((f) => f.received === true).length;
    expect(read).toBe(recvs);
    // Each frame as on the wire: start line, headers in order, the end-line's flag.
    const first = run.connections[1]!.frames[0][0]!;
    expect(first.startLine).toMatch(/^MSRP \S+ AUTH$/);
    expect(first.headers.map(([n]) => n)).toEqual(['To-Path', 'From-Path']);
    expect(first.continuation).toBe('$');
  });

  it('format 2 references read as format 1 records do: no difference', () => {
    const v2 = toFormat2(v1);
    expect(v2.filter((r) => r.type === 'msrp.recv' && typeof r.sent === 'number').length).toBeGreaterThan(50);
    const r = compareRuns(runFromTrace(v1, 'v1'), runFromTrace(v2, 'v2'));
    expect(r.differences).toEqual([]);
    expect(runFromTrace(v2, 'v2').connections.flatMap((c) => [...c.frames[0], ...c.frames[1]]).every((f) => f.received === true)).toBe(true);
  });

  it('format 2 frames in full stand for a peer whose writes are not in the trace', () => {
    // relay-a's writes to psa removed, psa's reads carry them in full (as a live run's real relay's).
    const accept = v1.find((r) => r.type === 'tcp.accept' && r.node === 'relay-a' && v1.some((c) => c.type === 'tcp.connect' && c.node === 'psa' && c.conn === r.peer))!;
    const conn = accept.peer as string;
    const peer = accept.conn as string;
    const texts = new Map(v1.filter((r) => r.type === 'msrp.send' && r.conn === peer).map((r, i) => [i, r]));
    let i = 0;
    const v2 = toFormat2(v1)
      .filter((r) => !(r.type === 'msrp.send' && r.conn === peer))
      .map((r) => {
        if (r.type !== 'msrp.recv' || r.conn !== conn) return r;
        const s = texts.get(i++)!;
        const full: LooseRecord = { ...s, seq: r.seq, t: r.t, node: r.node, type: 'msrp.recv', conn };
        delete full.offset;
        delete full.length;
        return full;
      });
    expect(compareRuns(runFromTrace(v1, 'v1'), runFromTrace(v2, 'v2')).differences).toEqual([]);
  });

  it('a reference to no msrp.send, and a newer format, are refused', () => {
    const v2 = toFormat2(v1);
    const bad = v2.map((r) => (r.type === 'msrp.recv' ? { ...r, sent: 999999 } : r));
    expect(() => runFromTrace(bad, 'bad')).toThrow(DiffInputError);
    expect(() => runFromTrace(bad, 'bad')).toThrow(/msrp.recv refers to record 999999, which is no msrp.send on the other end/);
    const v3 = [{ t: 0, seq: 0, node: '', type: 'trace.format', version: 3 }, ...v1];
    expect(() => runFromTrace(v3, 'v3')).toThrow('trace format version 3 is newer than this msrp-sim reads (2)');
  });

  it('two seeds of one scenario do not differ; a changed header does', () => {
    const other = records('push-via-two-relays.yaml', 12345);
    // The draws did change: the ids on the wire are not the same.
    const tid = (t: LooseRecord[]): unknown => t.find((r) => r.type === 'msrp.send')!.transactionId;
    expect(tid(other)).not.toBe(tid(v1));
    expect(compareRuns(runFromTrace(v1, 'a'), runFromTrace(other, 'b')).same).toBe(true);
    let done = false;
    const changed = other.map((r) => {
      if (done || r.type !== 'msrp.send' || typeof r.text !== 'string' || !r.text.includes('Failure-Report: yes')) return r;
      done = true;
      return { ...r, text: r.text.replace('Failure-Report: yes', 'Failure-Report: no') };
    });
    const d = compareRuns(runFromTrace(v1, 'a'), runFromTrace(changed, 'b'));
    expect(d.same).toBe(false);
    expect(d.differences[0]!.fields).toEqual([{ field: 'header Failure-Report', a: 'yes', b: 'no' }]);
  });
});
