/**
 * MsrpConnection over the connection seam alone (src/nodes/seams.ts): no simulated network, a
 * hand-driven byte stream, as live mode's sockets will drive it.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/sim/simulation.js';
import { NodeContext } from '../../src/nodes/node-context.js';
import { MsrpConnection } from '../../src/nodes/msrp-connection.js';
import type { Connection, ConnectionCloseReason, ConnectionEvents, StreamState } from '../../src/nodes/seams.js';
import { buildRequest } from '../../src/wire/builder.js';
import { serializeFrame } from '../../src/wire/serializer.js';
import { parseFrames } from '../../src/wire/parser.js';
import type { MsrpFrame } from '../../src/wire/frame.js';

/** A byte stream driven by the test: what is written is kept; events are fired by hand. */
class FakeStream implements Connection {
  readonly id = 'c1';
  state: StreamState = 'connecting';
  readonly initiator = true;
  readonly remote = { address: '127.0.0.1', port: 2855 };
  readonly tls = null;
  readonly written: Uint8Array[] = [];
  bytesWritten = 0;
  bytesAcknowledged = 0;
  bufferedAmount = 0;
  sendClosed = false;
  events: ConnectionEvents | null = null;
  closes = 0;
  resets = 0;
  write(bytes: Uint8Array): void {
    this.written.push(bytes);
    this.bytesWritten += bytes.length;
  }
  close(): void {
    this.closes++;
  }
  reset(): void {
    this.resets++;
  }
  listen(events: ConnectionEvents): void {
    this.events = events;
  }
  open(): void {
    this.state = 'open';
    this.events!.opened();
  }
  sent(): MsrpFrame[] {
    return parseFrames(Buffer.concat(this.written)).frames;
  }
}

function setup() {
  const sim = new Simulation({ seed: 1 });
  const ctx = new NodeContext('a', sim);
  const records: Record<string, unknown>[] = [];
  sim.trace.addSink((r) => records.push(r as unknown as Record<string, unknown>));
  const stream = new FakeStream();
  const got: { requests: MsrpFrame[]; closed: ConnectionCloseReason[]; opened: number } = { requests: [], closed: [], opened: 0 };
  const conn = new MsrpConnection(ctx, stream, {
    request: (_c, f) => got.requests.push(f),
    response: () => {},
    closed: (_c, r) => got.closed.push(r),
    opened: () => got.opened++,
  });
  return { conn, stream, got, records };
}

const send = buildRequest({
  transactionId: 'tid1',
  method: 'SEND',
  toPath: ['msrp://b.example.com:2855/s2;tcp'],
  fromPath: ['msrp://a.example.com:2855/s1;tcp'],
  messageId: 'm1',
  byteRange: { start: 1, end: 5, total: 5 },
  contentType: 'text/plain',
  body: 'hello',
});

describe('MsrpConnection over the Connection seam', () => {
  it('holds frames until the stream is open, then writes them with their stream offsets', () => {
    const { conn, stream, got, records } = setup();
    conn.sendFrame(send);
    expect(stream.written).toHaveLength(0);
    stream.open();
    expect(got.opened).toBe(1);
    expect(stream.sent().map((f) => f.transactionId)).toEqual(['tid1']);
    const sendRecord = records.find((r) => r.type === 'msrp.send')!;
    expect(sendRecord.conn).toBe('c1');
    expect(sendRecord.offset).toBe(0);
  });

  it('parses what arrives in any slices into frames for the node', () => {
    const { stream, got } = setup();
    stream.open();
    const bytes = serializeFrame(send);
    for (let i = 0; i < bytes.length; i += 7) stream.events!.data(bytes.slice(i, i + 7));
    expect(got.requests).toHaveLength(1);
    expect(got.requests[0]!.transactionId).toBe('tid1');
  });

  it('waits while the stream holds too much unsent, and writes again when it is drained', () => {
    const { conn, stream } = setup();
    stream.open();
    stream.bufferedAmount = 1 << 20;
    conn.sendFrame(send);
    expect(stream.written).toHaveLength(0);
    stream.bufferedAmount = 0;
    stream.events!.drained();
    expect(stream.sent()).toHaveLength(1);
  });

  it('resets the stream on a fatal framing error and reports the close reason it is given', () => {
    const { conn, stream, got } = setup();
    stream.open();
    stream.events!.data(Buffer.from('GARBAGE THAT IS NOT MSRP\r\n'.repeat(400), 'latin1'));
    expect(stream.resets).toBe(1);
    stream.events!.closed({ kind: 'reset', detail: 'the peer reset the connection' });
    expect(got.closed).toEqual([{ kind: 'reset', detail: 'the peer reset the connection' }]);
    expect(conn.isOpen).toBe(false);
  });
});

/** An open connection with a profile's read limit, and what it traced and handed on. */
function limited(limits: { bufferBytes: number; maxReads: number; rule: string }) {
  const sim = new Simulation({ seed: 1 });
  const ctx = new NodeContext('a', sim);
  const records: Record<string, unknown>[] = [];
  sim.trace.addSink((r) => records.push(r as unknown as Record<string, unknown>));
  const stream = new FakeStream();
  const requests: MsrpFrame[] = [];
  new MsrpConnection(ctx, stream, { request: (_c, f) => requests.push(f), response: () => {}, closed: () => {} }, { limits });
  stream.open();
  return { records, stream, requests };
}

describe('MsrpConnection: the store-and-forward read limit (a profile\'s)', () => {
  it('counts the reads a frame\'s own bytes came in: a frame after one that ended with its read takes 4 reads, not 5', () => {
    const { records, stream, requests } = limited({ bufferBytes: 65_536, maxReads: 4, rule: 'opensips:reads-limit' });
    const a = serializeFrame(send);
    const b = serializeFrame({ ...send, transactionId: 'tid2' });
    // The first frame in one read that ends where it ends; the second in exactly 4 reads.
    stream.events!.data(a);
    const q = Math.ceil(b.length / 4);
    for (let i = 0; i < 4; i++) stream.events!.data(b.subarray(i * q, Math.min(b.length, (i + 1) * q)));
    expect(records.filter((r) => r.type === 'msrp.limit')).toEqual([]);
    expect(requests.map((f) => f.transactionId)).toEqual(['tid1', 'tid2']);
    expect(stream.closes).toBe(0);
    // A fifth read is one too many.
    const c = serializeFrame({ ...send, transactionId: 'tid3' });
    const p = Math.ceil(c.length / 5);
    for (let i = 0; i < 5; i++) stream.events!.data(c.subarray(i * p, Math.min(c.length, (i + 1) * p)));
    expect(records.filter((r) => r.type === 'msrp.limit').map((r) => r.reads)).toEqual([5]);
    expect(stream.closes).toBe(1);
  });

  it('measures a frame by the bytes that came, not the frame serialized again: extra spaces in a header line count', () => {
    const canonical = serializeFrame(send);
    const { records, stream, requests } = limited({ bufferBytes: canonical.length, maxReads: 4, rule: 'msrprelay:reads-limit' });
    // The same frame with four more spaces after a colon: it no longer fits the buffer.
    const padded = Buffer.from(Buffer.from(canonical).toString('latin1').replace('Content-Type: ', 'Content-Type:     '), 'latin1');
    expect(padded.length).toBe(canonical.length + 4);
    stream.events!.data(padded);
    expect(records.filter((r) => r.type === 'msrp.limit').map((r) => r.length)).toEqual([canonical.length + 4]);
    expect(requests).toEqual([]);
    expect(stream.closes).toBe(1);
  });
});
