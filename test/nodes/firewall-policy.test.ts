/**
 * MSRP policy at a firewall (SPEC §3.3), as session border controllers apply it: largest frame,
 * methods, content types; a frame that breaks it is dropped (the flow stays blocked) or the
 * connection reset, and the trace names the policy rule.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { MsrpPolicy } from '../../src/nodes/firewall-policy.js';
import type { RelayOptions } from '../../src/nodes/relay/relay-node.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { AG_CLIENT, build, endpoint, frameOf, relay, type Built } from './helpers.js';

/** psa - fw - relay-a - bob, psa inside the firewall, plain TCP unless `scheme` says msrps. */
function behindPolicy(policy: MsrpPolicy, scheme: 'msrp' | 'msrps' = 'msrp', opts: { relay?: Partial<RelayOptions>; mss?: number } = {}): Built {
  const t = build(
    [
      // An msrprelay relay is reached as AG Projects' client does (once per session, no digest uri).
      { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: `${scheme}://relay.a.example.com:2855;tcp`, username: 'psa', password: 's3cret', ...(opts.relay?.profile === 'msrprelay' ? AG_CLIENT : {}) }] }) },
      { id: 'fw', role: 'firewall', firewall: { inside: ['psa'], rules: [{ action: 'allow', direction: 'outbound' }] }, policy },
      { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }, { scheme, ...opts.relay }) },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('bob.example.com', { port: 9000, acceptTypes: ['*'] }) },
    ],
    [
      ['psa', 'fw', { latency: 5_000, ...(opts.mss !== undefined ? { mss: opts.mss } : {}) }],
      ['fw', 'relay-a', { latency: 5_000 }],
      ['relay-a', 'bob', { latency: 5_000 }],
    ],
  );
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'bob'));
  return t;
}

const policyDrops = (t: Built) => t.of('fw.drop', 'fw').filter((r) => String(r.rule).startsWith('fw#policy'));

describe('largest frame', () => {
  it('a frame above maxFrame is dropped and its flow blocked, under fw#policy.maxFrame', () => {
    const t = behindPolicy({ maxFrame: 1000 });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'small' }));
    t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 1500 }));
    t.world.run(60 * SECOND);
    expect(t.of('endpoint.deliver', 'bob').map((r) => r.size)).toEqual([5]);
    const drops = policyDrops(t);
    expect(drops[0]).toMatchObject({ rule: 'fw#policy.maxFrame', direction: 'outbound' });
    // A 1500-byte chunk in a fixed-size SEND: its Byte-Range gives its size with its head.
    expect(drops[0]!.reason).toMatch(/^MSRP frame of \d+ bytes \(Byte-Range 1-1500\) exceeds 1000$/);
    // The flow stays blocked: what follows on it (retransmissions, ACKs) is dropped too.
    expect(drops.slice(1).every((r) => String(r.reason).startsWith('blocked: '))).toBe(true);
    // psa hears no 200 for the big SEND, and its relay connection eventually gives up (E-19).
    expect(t.of('endpoint.relay-lost', 'psa')).toHaveLength(1);
  });

  it('each frame is measured on its own: two frames under the limit sharing a segment pass', () => {
    const t = behindPolicy({ maxFrame: 1000 });
    t.world.at(SECOND, () => {
      t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 400 });
      t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 400 });
    });
    t.world.run(5 * SECOND);
    // Both SENDs went out in one segment (one msrp.send each, one TCP segment between them).
    const frames = t.of('msrp.send', 'psa').filter((r) => r.method === 'SEND' && r.bodyLength === 400);
    expect(frames).toHaveLength(2);
    expect(policyDrops(t)).toHaveLength(0);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(2);
  });
});

describe('methods', () => {
  it('a method the policy does not list is dropped under fw#policy.methods, in either direction', () => {
    const t = behindPolicy({ methods: ['AUTH', 'SEND'] });
    // bob's success REPORT comes back inbound through the firewall.
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'report me', successReport: 'yes' }));
    t.world.run(5 * SECOND);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(1);
    const drop = policyDrops(t)[0]!;
    expect(drop).toMatchObject({ rule: 'fw#policy.methods', reason: 'method REPORT not allowed' });
    // The segment travels inward, from the relay, on the flow psa opened (the record's direction).
    expect(String(drop.src).startsWith(`${t.world.network.host('relay-a').address}:`)).toBe(true);
    expect(drop.direction).toBe('outbound');
    expect(t.of('endpoint.report', 'psa')).toHaveLength(0);
  });

  it('responses always pass: the whole AUTH exchange goes through a SEND-and-AUTH policy', () => {
    const t = behindPolicy({ methods: ['AUTH', 'SEND'] });
    t.world.run(2 * SECOND);
    expect(t.of('auth.ok', 'psa')).toHaveLength(1);
    expect(policyDrops(t)).toHaveLength(0);
  });
});

describe('content types', () => {
  it('a SEND of a type the policy does not allow is dropped under fw#policy.contentTypes; text/* passes', () => {
    const t = behindPolicy({ contentTypes: ['text/*'] });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'fine' }));
    t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 100 }));
    t.world.run(5 * SECOND);
    expect(t.of('endpoint.deliver', 'bob').map((r) => r.contentType)).toEqual(['text/plain']);
    expect(policyDrops(t)[0]).toMatchObject({ rule: 'fw#policy.contentTypes', reason: 'content type image/jpeg not allowed' });
  });
});

describe('action reset', () => {
  it('a frame that breaks the policy resets the connection at both ends', () => {
    const t = behindPolicy({ contentTypes: ['text/plain'], action: 'reset' });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 100 }));
    t.world.run(5 * SECOND);
    const reject = t.of('fw.reject', 'fw');
    expect(reject).toHaveLength(1);
    expect(reject[0]).toMatchObject({ rule: 'fw#policy.contentTypes', both: true });
    expect(t.of('endpoint.relay-lost', 'psa')[0]).toMatchObject({ reason: 'reset' });
    expect(t.of('relay.connection-closed', 'relay-a')[0]).toMatchObject({ reason: 'reset' });
    expect(t.of('session.failed', 'psa')[0]).toMatchObject({ rule: 'E-19' });
  });
});

describe('TLS', () => {
  it('a policy cannot read an msrps connection: the flow passes uninspected, and the trace says so once', () => {
    const t = behindPolicy({ contentTypes: ['text/plain'] }, 'msrps');
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 100 }));
    t.world.run(5 * SECOND);
    const skips = t.of('fw.policy-skip', 'fw');
    expect(skips.map((r) => [r.direction, r.rule])).toEqual([['outbound', 'fw#policy'], ['inbound', 'fw#policy']]);
    expect(policyDrops(t)).toHaveLength(0);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(1);
  });
});

/**
 * The SEND psa wrote for `messageBytes` and where it lies in psa's byte stream, with the segments
 * psa put on the wire for it (stream offsets from the SYN's sequence number).
 */
function bigSend(t: Built, messageBytes: number): { start: number; end: number; tail: number; segments: { record: AnyTraceRecord; from: number; to: number }[] } {
  const send = t.of('msrp.send', 'psa').find((r) => r.method === 'SEND' && (r.bodyLength as number) > 0 && (r.bodyLength as number) <= messageBytes && (r.byteRange as { start: number }).start === 1)!;
  const conn = String(send.conn);
  const syn = t.trace.find((r) => r.type === 'tcp.segment' && r.node === 'psa' && r.conn === conn && r.flags === 'S')!;
  const isn = (syn.seqNo as number) + 1;
  const seen = new Set<number>();
  const segments = t.trace
    .filter((r) => r.type === 'tcp.segment' && r.node === 'psa' && r.conn === conn && (r.len as number) > 0)
    .map((record) => ({ record, from: ((record.seqNo as number) - isn) >>> 0, to: (((record.seqNo as number) - isn) >>> 0) + (record.len as number) }))
    .filter((s) => s.to > (send.offset as number) && s.from < (send.offset as number) + (send.length as number))
    .filter((s) => !seen.has(s.from) && seen.add(s.from) !== undefined);
  // The CRLF before the end-line and the end-line: what a frame needs after its last body byte.
  const tail = 2 + 7 + frameOf(send).transactionId.length + 1 + 2;
  return { start: send.offset as number, end: (send.offset as number) + (send.length as number), tail, segments };
}

/** The segment a fw.drop record names, by its sequence number. */
const droppedAt = (drop: AnyTraceRecord, segments: ReturnType<typeof bigSend>['segments']) => segments.findIndex((s) => s.record.seqNo === drop.seqNo);

describe('judged as soon as the policy can know (a streaming parser in the firewall)', () => {
  it('a large frame sent in many segments is dropped at the segment where it crosses maxFrame, not at its end', () => {
    const t = behindPolicy({ maxFrame: 8000 });
    // One interruptible chunk (Byte-Range 1-*/20000): its size is known only as it arrives.
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 20_000, chunkStrategy: 'interruptible' }));
    t.world.run(3 * SECOND);
    const drop = policyDrops(t)[0]!;
    expect(drop).toMatchObject({ rule: 'fw#policy.maxFrame', direction: 'outbound' });
    expect(drop.reason).toMatch(/^MSRP frame exceeds 8000 bytes: \d+ with what has arrived of it$/);
    const { start, end, tail, segments } = bigSend(t, 20_000);
    expect(segments.length).toBeGreaterThan(10);
    const i = droppedAt(drop, segments);
    // The dropped segment carries the byte after which the frame, with the end-line it still
    // needs, is longer than 8000 bytes; the segments before it passed.
    const crossing = start + 8000 - tail;
    expect(segments[i]!.from).toBeLessThanOrEqual(crossing);
    expect(segments[i]!.to).toBeGreaterThan(crossing);
    expect(t.of('fw.drop', 'fw').filter((d) => d.seq < drop.seq)).toHaveLength(0);
    expect(i).toBeGreaterThan(4);
    // ... far from the frame's end, which a judge of whole frames would have waited for.
    expect(end - segments[i]!.to).toBeGreaterThan(10_000);
    // The figure: what the parser has handed over of the frame, plus the end-line still due. The
    // parser keeps back the last few bytes of a segment until it knows they are not an end-line.
    const counted = Number(/: (\d+) with/.exec(String(drop.reason))![1]);
    expect(counted).toBeGreaterThan(8000);
    expect(counted).toBeLessThanOrEqual(segments[i]!.to - start + tail);
    expect(counted).toBeGreaterThanOrEqual(segments[i]!.to - start + tail - 8);
  });

  it('a Byte-Range that announces a chunk end beyond maxFrame drops the frame with the segment of its head', () => {
    const t = behindPolicy({ maxFrame: 1500 }, 'msrp', { mss: 536 });
    // A 2000-byte fixed chunk (Byte-Range 1-2000/2000), over four 536-byte segments.
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 2000 }));
    t.world.run(3 * SECOND);
    const drop = policyDrops(t)[0]!;
    expect(drop.reason).toMatch(/^MSRP frame of \d+ bytes \(Byte-Range 1-2000\) exceeds 1500$/);
    const { start, segments } = bigSend(t, 2000);
    expect(segments.length).toBeGreaterThanOrEqual(4);
    const i = droppedAt(drop, segments);
    expect(segments[i]!.from).toBeLessThanOrEqual(start);
    expect(segments[i]!.to).toBeGreaterThan(start);
    expect(t.of('msrp.recv', 'relay-a').some((r) => r.method === 'SEND' && r.bodyLength === 2000)).toBe(false);
  });

  it('a content type not allowed is dropped with the header section, before its body has crossed', () => {
    const t = behindPolicy({ contentTypes: ['text/*'] });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 20_000, chunkStrategy: 'interruptible' }));
    t.world.run(3 * SECOND);
    const drop = policyDrops(t)[0]!;
    expect(drop).toMatchObject({ rule: 'fw#policy.contentTypes', reason: 'content type image/jpeg not allowed' });
    const { start, segments } = bigSend(t, 20_000);
    expect(segments[droppedAt(drop, segments)]!.from).toBeLessThanOrEqual(start);
  });

  it('a cut-through relay behind the firewall forwards no more of the frame than the policy let through', () => {
    const t = behindPolicy({ maxFrame: 8000, action: 'reset' }, 'msrp', { relay: { profile: 'msrprelay' } });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 20_000, chunkStrategy: 'interruptible' }));
    t.world.run(3 * SECOND);
    expect(t.of('fw.reject', 'fw')[0]).toMatchObject({ rule: 'fw#policy.maxFrame', both: true });
    expect(t.of('relay.cut-through', 'relay-a')).toHaveLength(1);
    // The relay streamed what arrived, and the reset ended the chunk with # (E-24).
    const forwarded = t.of('msrp.send', 'relay-a').filter((r) => r.method === 'SEND' && r.continuation === '#');
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.bodyLength as number).toBeLessThan(8000);
    const atBob = t.of('msrp.recv', 'bob').filter((r) => r.method === 'SEND').reduce((n, r) => n + ((r.bodyLength as number | null) ?? 0), 0);
    expect(atBob).toBeLessThan(8000);
    expect(t.of('endpoint.deliver', 'bob').filter((r) => r.size === 20_000)).toHaveLength(0);
  });
});
