/**
 * Message bodies for `send` actions: the text given, or generated content of the given size
 * (readable text for text types, bytes from the node's seeded `content` stream otherwise), and
 * a digest so that "delivered intact" can be checked from the trace.
 *
 * Generated content is produced when it is written, piece by piece, never held whole: a byte's
 * value depends only on its position (text) or on the draws of the `content` stream up to it
 * (binary), so the bytes are those a whole body made at once would have.
 */
import * as crypto from 'node:crypto';
import type { Rng } from '../sim/index.js';
import type { NodeContext } from './node-context.js';

const TEXT = Buffer.from('msrp-sim generated text. The quick brown fox jumps over the lazy dog 0123456789.\n', 'latin1');

import { readBytes, type LazyBytes, type MessageBytes } from '../protocol/send-source.js';

export { readBytes, type LazyBytes, type MessageBytes };

export function contentFor(ctx: NodeContext, action: { contentType: string; body?: string; size?: number }): MessageBytes {
  if (action.body !== undefined) return new Uint8Array(Buffer.from(action.body, 'utf8'));
  const size = action.size ?? 0;
  if (action.contentType.toLowerCase().startsWith('text/')) return new GeneratedText(size);
  const rng = ctx.rng('content');
  const bytes = new GeneratedBinary(size, rng.fork());
  // The node's stream moves on past this message's draws, as if the body had been made now.
  for (let w = Math.ceil(size / 4); w > 0; w--) rng();
  return bytes;
}

/**
 * Node's one-shot digest (Node 20.12 on; undefined before): no Hash object per message, about a
 * third of the time for the small bodies every message of a relay benchmark has.
 */
const oneShotMd5: typeof crypto.hash | undefined = (crypto as { hash?: typeof crypto.hash }).hash;

/** MD5 of the body, hex: compared between `endpoint.message` and `endpoint.deliver` records. */
export function digestOf(body: MessageBytes): string {
  if (body instanceof Uint8Array) return oneShotMd5 ? oneShotMd5('md5', body, 'hex') : crypto.createHash('md5').update(body).digest('hex');
  const hash = crypto.createHash('md5');
  const BLOCK = 1 << 20;
  for (let at = 0; at < body.length; at += BLOCK) hash.update(body.bytes(at, Math.min(body.length, at + BLOCK)));
  return hash.digest('hex');
}

/** The readable text, repeated: byte i is TEXT[i mod its length]. */
class GeneratedText implements LazyBytes {
  constructor(readonly length: number) {}

  bytes(from: number, to: number): Uint8Array {
    const out = new Uint8Array(to - from);
    for (let i = 0; i < out.length; i++) out[i] = TEXT[(from + i) % TEXT.length]!;
    return out;
  }
}

/**
 * Bytes of the `content` stream, four per draw (low byte first). Reading is sequential, as the
 * writer reads: the last block made is kept, and a read before it starts over from the stream's
 * state at the first byte (a message sent again in a re-established session).
 */
class GeneratedBinary implements LazyBytes {
  private rng: Rng;
  /** Bytes [blockStart, blockStart + block.length) as last made; the end is a multiple of 4. */
  private block = new Uint8Array(0);
  private blockStart = 0;

  constructor(
    readonly length: number,
    private readonly start: Rng,
  ) {
    this.rng = start.fork();
  }

  bytes(from: number, to: number): Uint8Array {
    const blockEnd = this.blockStart + this.block.length;
    if (from >= this.blockStart && to <= blockEnd) return this.block.subarray(from - this.blockStart, to - this.blockStart);
    if (from < this.blockStart) {
      this.rng = this.start.fork();
      this.block = new Uint8Array(0);
      this.blockStart = 0;
    }
    let at = this.blockStart + this.block.length;
    // Draws for bytes no one asked for (never, when reading in order) are made and dropped.
    for (; at + 4 <= from; at += 4) this.rng();
    // From `from` on, what is kept of the block included; else from the word `from` falls in.
    const keepFrom = Math.min(from, at);
    const end = Math.ceil(to / 4) * 4;
    const next = new Uint8Array(end - keepFrom);
    if (keepFrom < at) next.set(this.block.subarray(keepFrom - this.blockStart), 0);
    for (; at < end; at += 4) {
      let v = Math.floor(this.rng() * 0x100000000);
      for (let j = 0; j < 4; j++) {
        // Never ';' (0x3B): Wireshark's MSRP dissector misreads a ';' in a body's first 10 bytes
        // as a Content-Type parameter and marks the frame malformed (see src/output/pcap.ts),
        // and a chunk can start at any byte.
        next[at - keepFrom + j] = (v & 0xff) === 0x3b ? 0x3a : v & 0xff;
        v >>>= 8;
      }
    }
    this.block = next;
    this.blockStart = keepFrom;
    return next.subarray(from - keepFrom, to - keepFrom);
  }
}
