/**
 * The message sender as a machine, without a World (CHECKLIST c.3 W-25, W-26, W-31, W-35, W-36,
 * E-24): each row gives a message and the inputs (write window, frames waiting, abort, a response,
 * the connection closing) and checks what came out: the chunks and the sender's events and states.
 */
import { describe, expect, it } from 'vitest';
import { ChunkWriter, type ChunkSink } from '../../src/protocol/chunk-writer.js';
import { MessageSender, type SenderEvent, type SenderListener, type SenderState } from '../../src/protocol/message-sender.js';
import type { SendSource } from '../../src/protocol/send-source.js';
import type { MsrpRequest } from '../../src/wire/frame.js';

class Recorder implements ChunkSink, SenderListener {
  bytesWritten = 0;
  private ids = 0;
  readonly out: string[] = [];
  write(bytes: Uint8Array): void {
    this.bytesWritten += bytes.length;
  }
  newTransactionId(): string {
    return `t${++this.ids}`;
  }
  chunkWritten(frame: MsrpRequest, _bytes: Uint8Array, _offset: number, rule: string | undefined): void {
    const r = frame.byteRange!;
    this.out.push(`chunk ${r.start}-${r.end ?? '*'}/${r.total ?? '*'} ${frame.continuation}${rule ? ` ${rule}` : ''}`);
  }
  senderEvent(sender: MessageSender, event: SenderEvent): void {
    this.out.push(event.type === 'chunk' ? `event chunk ${event.flag} @${event.sent}` : event.type === 'abandoned' ? `event abandoned from ${event.from}` : `event ${event.type} @${event.sent} (${sender.state})`);
  }
}

function message(size: number, extra: Partial<SendSource> = {}): SendSource {
  return {
    messageId: 'm1',
    contentType: 'text/plain',
    toPath: ['msrp://b.example.com:2855/b;tcp'],
    fromPath: ['msrp://a.example.com:2855/a;tcp'],
    data: new Uint8Array(size).fill(120),
    firstPosition: 1,
    total: size,
    lastFlag: '$',
    maxChunk: Number.POSITIVE_INFINITY,
    ...extra,
  };
}

/** One input: `step` (the write window is open: one step of the writer, `urgent` when a frame waits), or one of the node's. */
type Input = { step: number; urgent?: boolean } | { abort: true } | { response: number } | { close: true };

interface Row {
  rule: string;
  name: string;
  size: number;
  msg?: Partial<SendSource>;
  inputs: Input[];
  want: string[];
  state: SenderState;
}

/** Runs the inputs; `step: n` runs n writer steps (or until nothing more can be written). */
function run(row: Row): { out: string[]; sender: MessageSender } {
  const rec = new Recorder();
  const w = new ChunkWriter(rec);
  const sender = new MessageSender(message(row.size, row.msg), rec);
  w.queue(sender);
  for (const input of row.inputs) {
    if ('step' in input) {
      for (let i = 0; i < input.step; i++) {
        if (w.writing) {
          if (!w.advance(input.urgent === true)) break;
        } else if (!w.startNext()) break;
      }
    } else if ('abort' in input) sender.abort();
    else if ('response' in input) rec.out.push(`response ${input.response}: ${sender.response(input.response) ? 'aborts' : 'nothing'}`);
    else {
      const unsent = w.detach();
      if (unsent.cut) unsent.cut.sender.abandoned(unsent.cut.sender.message.firstPosition + unsent.cut.startIndex, true);
      for (const s of unsent.queued) s.abandoned(s.message.firstPosition + s.sent, false);
    }
  }
  return { out: rec.out, sender };
}

const ALL = 100;

describe('message sender: inputs -> chunks and events (CHECKLIST c.3)', () => {
  const rows: Row[] = [
    { rule: 'W-25', name: 'a small message: one chunk with its range end, then sent', size: 100, inputs: [{ step: ALL }], want: ['chunk 1-100/100 $', 'event chunk $ @100', 'event sent @100 (sent)'], state: 'sent' },
    { rule: 'W-26', name: 'an empty message: one chunk 1-0/0', size: 0, inputs: [{ step: ALL }], want: ['chunk 1-0/0 $', 'event chunk $ @0', 'event sent @0 (sent)'], state: 'sent' },
    {
      rule: 'W-25',
      name: 'fixed chunks of 1000: paused between them, each in its own transaction',
      size: 2500,
      msg: { maxChunk: 1000 },
      inputs: [{ step: ALL }],
      want: ['chunk 1-1000/2500 +', 'event chunk + @1000', 'chunk 1001-2000/2500 +', 'event chunk + @2000', 'chunk 2001-2500/2500 $', 'event chunk $ @2500', 'event sent @2500 (sent)'],
      state: 'sent',
    },
    { rule: 'W-31', name: 'a chunk of 2048 octets is not interrupted by a waiting frame', size: 2048, inputs: [{ step: ALL, urgent: true }], want: ['chunk 1-2048/2048 $', 'event chunk $ @2048', 'event sent @2048 (sent)'], state: 'sent' },
    {
      rule: 'W-35',
      name: 'above 2048 octets the chunk is interruptible (*) and is cut when a frame waits; W-36: it resumes',
      size: 10_000,
      inputs: [{ step: 2 }, { step: 1, urgent: true }, { step: ALL }],
      want: ['chunk 1-*/10000 + W-35', 'event chunk + @4096', 'chunk 4097-*/10000 $', 'event chunk $ @10000', 'event sent @10000 (sent)'],
      state: 'sent',
    },
    { rule: 'E-24', name: 'an abort ends the chunk being written with #', size: 10_000, inputs: [{ step: 2 }, { abort: true }, { step: ALL }], want: ['chunk 1-*/10000 #', 'event chunk # @4096', 'event aborted @4096 (aborted)'], state: 'aborted' },
    { rule: 'E-24', name: 'an abort before the first byte: nothing is written', size: 100, inputs: [{ abort: true }, { step: ALL }], want: ['event aborted @0 (aborted)'], state: 'aborted' },
    {
      rule: 'E-24',
      name: 'abortAt: the chunk that reaches it ends there with #',
      size: 2500,
      msg: { maxChunk: 1000, abortAt: 1500 },
      inputs: [{ step: ALL }],
      want: ['chunk 1-1000/2500 +', 'event chunk + @1000', 'chunk 1001-1500/2500 #', 'event chunk # @1500', 'event aborted @1500 (aborted)'],
      state: 'aborted',
    },
    {
      rule: 'E-24',
      name: 'a failure response aborts the rest: the chunk whose head is out ends with #, empty',
      size: 2500,
      msg: { maxChunk: 1000 },
      inputs: [{ step: 3 }, { response: 500 }, { step: ALL }],
      want: ['chunk 1-1000/2500 +', 'event chunk + @1000', 'response 500: aborts', 'chunk 1001-2000/2500 #', 'event chunk # @1000', 'event aborted @1000 (aborted)'],
      state: 'aborted',
    },
    {
      rule: 'E-24',
      name: '413 between chunks: no further chunk, not even a #',
      size: 2500,
      msg: { maxChunk: 1000 },
      inputs: [{ step: 2 }, { response: 413 }, { step: ALL }],
      want: ['chunk 1-1000/2500 +', 'event chunk + @1000', 'response 413: aborts', 'event aborted @1000 (aborted)'],
      state: 'aborted',
    },
    {
      rule: 'E-24',
      name: '413 while a chunk is written: it is interrupted with #',
      size: 10_000,
      inputs: [{ step: 2 }, { response: 413 }, { step: ALL }],
      want: ['response 413: aborts', 'chunk 1-*/10000 #', 'event chunk # @4096', 'event aborted @4096 (aborted)'],
      state: 'aborted',
    },
    { rule: 'R-02', name: 'a 200 changes nothing', size: 100, inputs: [{ response: 200 }, { step: ALL }], want: ['response 200: nothing', 'chunk 1-100/100 $', 'event chunk $ @100', 'event sent @100 (sent)'], state: 'sent' },
    { rule: 'E-19', name: 'the connection closes mid-chunk: abandoned from the chunk\'s first byte', size: 10_000, inputs: [{ step: 2 }, { close: true }], want: ['event abandoned from 1'], state: 'abandoned' },
    {
      rule: 'E-19',
      name: 'the connection closes between chunks: abandoned from the first byte not written',
      size: 2500,
      msg: { maxChunk: 1000 },
      inputs: [{ step: 3 }, { close: true }],
      want: ['chunk 1-1000/2500 +', 'event chunk + @1000', 'event abandoned from 1001'],
      state: 'abandoned',
    },
    { rule: 'E-24', name: 'an aborting message queued when the connection closes lost nothing', size: 2500, msg: { maxChunk: 1000 }, inputs: [{ step: 2 }, { abort: true }, { close: true }], want: ['chunk 1-1000/2500 +', 'event chunk + @1000'], state: 'abandoned' },
  ];
  it.each(rows)('$rule: $name', (row) => {
    const { out, sender } = run(row);
    expect(out).toEqual(row.want);
    expect(sender.state).toBe(row.state);
  });
});

describe('message sender: states change only through transition()', () => {
  const moves: { from: SenderState[]; to: SenderState; legal: boolean }[] = [
    { from: ['queued'], to: 'writing', legal: true },
    { from: ['queued', 'writing'], to: 'paused', legal: true },
    { from: ['queued'], to: 'sent', legal: false },
    { from: ['queued', 'writing', 'sent'], to: 'writing', legal: false },
    { from: ['queued', 'aborted'], to: 'writing', legal: false },
    { from: ['queued', 'abandoned'], to: 'abandoned', legal: false },
  ];
  it.each(moves)('$from -> $to: legal $legal', ({ from, to, legal }) => {
    const s = new MessageSender(message(10), { senderEvent: () => undefined });
    for (const f of from.slice(1)) s.transition(f);
    if (legal) expect(() => s.transition(to)).not.toThrow();
    else expect(() => s.transition(to)).toThrow(/illegal move/);
  });

  it('retarget: chunks written after a new offer/answer carry the new To-Path', () => {
    const rec = new Recorder();
    const w = new ChunkWriter(rec);
    const sender = new MessageSender(message(2500, { maxChunk: 1000 }), rec);
    w.queue(sender);
    w.startNext();
    w.advance(false);
    sender.retarget(['msrp://c.example.com:2855/c;tcp']);
    expect(w.startNext()).toBe(true);
    expect(sender.message.toPath).toEqual(['msrp://c.example.com:2855/c;tcp']);
  });
});
