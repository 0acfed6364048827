/**
 * The message sender's cursor without a connection (CHECKLIST c.3 W-25, W-26, W-31, W-35, W-36,
 * E-24): each row queues a message, drives the writer as a connection would (with or without
 * other frames waiting), and checks the chunks it wrote: their byte ranges, flags, the bytes on
 * the stream and what the source was told.
 */
import { describe, expect, it } from 'vitest';
import { ChunkWriter, type ChunkSink } from '../../src/protocol/chunk-writer.js';
import type { SendSource } from '../../src/protocol/send-source.js';
import { MessageSender } from '../../src/protocol/message-sender.js';
import type { ByteRange, Continuation, MsrpRequest } from '../../src/wire/frame.js';
import { parseFrames } from '../../src/wire/parser.js';

class RecordingSink implements ChunkSink {
  readonly stream: Uint8Array[] = [];
  bytesWritten = 0;
  readonly chunks: { frame: MsrpRequest; offset: number; rule: string | undefined; length: number }[] = [];
  private ids = 0;
  write(bytes: Uint8Array): void {
    this.stream.push(bytes);
    this.bytesWritten += bytes.length;
  }
  newTransactionId(): string {
    return `t${++this.ids}`;
  }
  chunkWritten(frame: MsrpRequest, bytes: Uint8Array, offset: number, rule: string | undefined): void {
    this.chunks.push({ frame, offset, rule, length: bytes.length });
  }
  /** What the chunks say, one word each: `start-end/total flag [rule]`. */
  summary(): string[] {
    return this.chunks.map(({ frame, rule }) => {
      const r = frame.byteRange!;
      return `${r.start}-${r.end ?? '*'}/${r.total ?? '*'} ${frame.continuation}${rule ? ` ${rule}` : ''}`;
    });
  }
}

function source(size: number, extra: Partial<SendSource> = {}): SendSource & { done: number; written: { range: ByteRange; flag: Continuation }[] } {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = 97 + (i % 26);
  const s = {
    messageId: 'm1',
    contentType: 'text/plain',
    toPath: ['msrp://b.example.com:2855/b;tcp'],
    fromPath: ['msrp://a.example.com:2855/a;tcp'],
    data,
    firstPosition: 1,
    total: size,
    lastFlag: '$' as Continuation,
    maxChunk: Number.POSITIVE_INFINITY,
    sent: 0,
    done: 0,
    written: [] as { range: ByteRange; flag: Continuation }[],
    ...extra,
  };
  return s;
}

/** The source's sender; its events land in the source's `written` and `done`, which the rows check. */
function senderOf(s: ReturnType<typeof source>): MessageSender {
  return new MessageSender(s, {
    senderEvent: (_sender, e) => {
      if (e.type === 'chunk') s.written.push({ range: e.range, flag: e.flag });
      else if (e.type !== 'abandoned') s.done++;
    },
  });
}

/** Drives the writer to the end; `urgentAt(step)` says whether another frame waits at that step. */
function drain(w: ChunkWriter, urgentAt: (step: number) => boolean = () => false): void {
  for (let step = 0; step < 10_000; step++) {
    if (w.writing) {
      if (!w.advance(urgentAt(step))) return;
      continue;
    }
    if (!w.startNext()) return;
  }
  throw new Error('the writer did not finish');
}

describe('chunk writer: chunking (W-25, W-26, W-31)', () => {
  const rows: { rule: string; name: string; size: number; src?: Partial<SendSource>; want: string[] }[] = [
    { rule: 'W-25', name: 'a small message is one chunk with its range end', size: 100, want: ['1-100/100 $'] },
    { rule: 'W-31', name: 'above 2048 octets a chunk is interruptible: range end *', size: 3000, want: ['1-*/3000 $'] },
    { rule: 'W-25', name: 'fixed chunks of 1000: each with its end, + until the last', size: 2500, src: { maxChunk: 1000 }, want: ['1-1000/2500 +', '1001-2000/2500 +', '2001-2500/2500 $'] },
    { rule: 'W-26', name: 'an empty message is one empty chunk, 1-0/0', size: 0, want: ['1-0/0 $'] },
    { rule: 'E-24', name: 'abortAt: the chunk that reaches it ends there with #', size: 2500, src: { maxChunk: 1000, abortAt: 1500 }, want: ['1-1000/2500 +', '1001-1500/2500 #'] },
  ];
  it.each(rows)('$rule: $name', ({ size, src, want }) => {
    const sink = new RecordingSink();
    const w = new ChunkWriter(sink);
    const s = source(size, src);
    const sender = senderOf(s);
    w.queue(sender);
    drain(w);
    expect(sink.summary()).toEqual(want);
    expect(s.done).toBe(1);
    expect(w.busy).toBe(false);
    // The stream is exactly the chunks, in order, and parses back to them.
    const parsed = parseFrames(Buffer.concat(sink.stream)).frames as MsrpRequest[];
    expect(parsed.map((f) => f.transactionId)).toEqual(sink.chunks.map((c) => c.frame.transactionId));
    expect(Buffer.concat(parsed.map((f) => f.body ?? new Uint8Array(0)))).toEqual(Buffer.from(s.data as Uint8Array).subarray(0, sender.sent));
    let offset = 0;
    for (const c of sink.chunks) {
      expect(c.offset).toBe(offset);
      offset += c.length;
    }
  });
});

describe('chunk writer: interruption and abort (W-35, W-36, E-24)', () => {
  it('W-35, W-36: an interruptible chunk is cut when another frame waits, and resumes in a new transaction', () => {
    const sink = new RecordingSink();
    const w = new ChunkWriter(sink);
    const s = source(10_000);
    w.queue(senderOf(s));
    // Step 0 starts the chunk, step 1 writes a piece of 4096, step 2 finds a frame waiting.
    drain(w, (step) => step === 2);
    expect(sink.summary()).toEqual(['1-*/10000 + W-35', '4097-*/10000 $']);
    expect(new Set(sink.chunks.map((c) => c.frame.transactionId)).size).toBe(2);
    expect(s.written.map((x) => x.flag)).toEqual(['+', '$']);
  });

  it('W-31: a chunk of 2048 octets or less is not interrupted by a waiting frame', () => {
    const sink = new RecordingSink();
    const w = new ChunkWriter(sink);
    w.queue(senderOf(source(2048)));
    drain(w, () => true);
    expect(sink.summary()).toEqual(['1-2048/2048 $']);
  });

  it('E-24: an abort ends the chunk being written with #, and no more chunks follow', () => {
    const sink = new RecordingSink();
    const w = new ChunkWriter(sink);
    const s = source(10_000);
    w.queue(senderOf(s));
    w.startNext();
    w.advance(false);
    s.abort = true;
    drain(w);
    expect(sink.summary()).toEqual(['1-*/10000 #']);
    expect(s.done).toBe(1);
  });

  it('E-24: after a 413 (stop) a queued message sends nothing at all', () => {
    const sink = new RecordingSink();
    const w = new ChunkWriter(sink);
    const s = source(100, { stop: true });
    w.queue(senderOf(s));
    drain(w);
    expect(sink.chunks).toEqual([]);
    expect(sink.stream).toEqual([]);
    expect(s.done).toBe(1);
  });

  it('a resumed message goes before a later part of the same message queued meanwhile (R-23)', () => {
    const sink = new RecordingSink();
    const w = new ChunkWriter(sink);
    const first = source(10_000);
    const later = source(10, { firstPosition: 10_001, total: 10_010 });
    w.queue(senderOf(first));
    w.startNext();
    w.advance(false);
    w.queue(senderOf(later));
    w.advance(true);
    drain(w);
    expect(sink.summary()).toEqual(['1-*/10000 + W-35', '4097-*/10000 $', '10001-10010/10010 $']);
  });

  it('detach: what was cut and what was queued are handed back when the connection closes', () => {
    const w = new ChunkWriter(new RecordingSink());
    const a = source(10_000);
    const b = source(10);
    const senderA = senderOf(a);
    const senderB = senderOf(b);
    w.queue(senderA);
    w.queue(senderB);
    w.startNext();
    w.advance(false);
    const unsent = w.detach();
    expect(unsent.cut?.sender).toBe(senderA);
    expect(unsent.cut?.startIndex).toBe(0);
    expect(unsent.queued).toEqual([senderB]);
    expect(w.busy).toBe(false);
  });
});
