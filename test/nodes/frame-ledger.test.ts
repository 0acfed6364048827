import { describe, expect, it } from 'vitest';
import { FrameLedger } from '../../src/nodes/frame-ledger.js';
import { buildRequest } from '../../src/wire/builder.js';
import { MsrpParser } from '../../src/wire/parser.js';
import { serializeFrame } from '../../src/wire/serializer.js';
import type { MsrpFrame } from '../../src/wire/frame.js';
import type { TraceRecord } from '../../src/sim/trace.js';

function send(tid: string, body: string): MsrpFrame {
  return buildRequest({
    transactionId: `tx-${tid}`,
    method: 'SEND',
    toPath: ['msrp://b.example.com:7000/s2;tcp'],
    fromPath: ['msrp://a.example.com:7000/s1;tcp'],
    messageId: `m-${tid}`,
    byteRange: { start: 1, end: body.length, total: body.length },
    contentType: 'text/plain',
    body,
  });
}

/** The frame as the peer's parser reads it from the bytes written. */
function read(frame: MsrpFrame): MsrpFrame {
  const frames: MsrpFrame[] = [];
  const parser = new MsrpParser({ frame: (f) => frames.push(f), error: (e) => expect.fail(e.message) });
  parser.push(serializeFrame(frame));
  return frames[0]!;
}

function record(seq: number): TraceRecord<'msrp.send'> {
  return { seq } as TraceRecord<'msrp.send'>;
}

describe('FrameLedger', () => {
  it('refers each frame read to the frame written on the peer connection, in order', () => {
    const ledger = new FrameLedger();
    const a = send('t1', 'one');
    const b = send('t2', 'two');
    ledger.queue('c1').wrote(record(1), a);
    ledger.queue('c1').wrote(record(2), b);
    expect(ledger.queue('c1').read(read(a))?.seq).toBe(1);
    expect(ledger.queue('c1').peek()).toBe(b);
    expect(ledger.queue('c1').read(read(b))?.seq).toBe(2);
    expect(ledger.queue('c1').peek()).toBeNull();
  });

  it('traces in full a frame read that is not the first one written, which stays waiting', () => {
    const ledger = new FrameLedger();
    const a = send('t1', 'one');
    ledger.queue('c1').wrote(record(1), a);
    expect(ledger.queue('c1').read(read(send('t1', 'uno')))).toBeNull();
    expect(ledger.queue('c1').read(read(a))?.seq).toBe(1);
  });

  it('a connection and its peer share one queue however each end reaches it', () => {
    const ledger = new FrameLedger();
    const queue = ledger.queue('c1');
    const a = send('t1', 'one');
    ledger.queue('c1').wrote(record(1), a);
    expect(queue.peek()).toBe(a);
    expect(queue.read(read(a))?.seq).toBe(1);
    expect(ledger.queue('c1')).toBe(queue);
  });

  it('keeps nothing written after the reading end has closed (it would never be read)', () => {
    const ledger = new FrameLedger();
    const writer = ledger.queue('c1');
    ledger.queue('c1').wrote(record(1), send('t1', 'one'));
    ledger.queue('c1').end();
    expect(ledger.queue('c1').peek()).toBeNull();
    ledger.queue('c1').wrote(record(2), send('t2', 'two'));
    writer.wrote(record(3), send('t3', 'three'));
    expect(ledger.queue('c1').peek()).toBeNull();
    expect(writer.peek()).toBeNull();
  });

  it('reads thousands of frames written ahead in order (the arrays are compacted as they are read)', () => {
    const ledger = new FrameLedger();
    const frames = Array.from({ length: 3000 }, (_, i) => send(`t${i}`, `body ${i}`));
    frames.forEach((f, i) => ledger.queue('c1').wrote(record(i), f));
    for (let i = 0; i < 2500; i++) expect(ledger.queue('c1').read(read(frames[i]!))?.seq).toBe(i);
    ledger.queue('c1').wrote(record(3000), send('t3000', 'late'));
    for (let i = 2500; i < 3000; i++) expect(ledger.queue('c1').read(read(frames[i]!))?.seq).toBe(i);
    expect(ledger.queue('c1').read(read(send('t3000', 'late')))?.seq).toBe(3000);
  });
});
