import { describe, expect, it } from 'vitest';
import { contentFor, digestOf, readBytes } from '../../src/nodes/content.js';
import type { NodeContext } from '../../src/nodes/node-context.js';
import { RandomStreams } from '../../src/sim/random.js';

const TEXT = 'msrp-sim generated text. The quick brown fox jumps over the lazy dog 0123456789.\n';

/** Generated content as msrp-sim made it before it was made lazily: the whole body at once. */
function eager(rng: () => number, contentType: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  if (contentType.startsWith('text/')) {
    for (let i = 0; i < size; i++) out[i] = TEXT.charCodeAt(i % TEXT.length);
    return out;
  }
  for (let i = 0; i < size; i += 4) {
    let v = Math.floor(rng() * 0x100000000);
    for (let j = 0; j < 4 && i + j < size; j++) {
      out[i + j] = (v & 0xff) === 0x3b ? 0x3a : v & 0xff;
      v >>>= 8;
    }
  }
  return out;
}

const ctxFor = (streams: RandomStreams) => ({ rng: (purpose: string) => streams.stream('alice', purpose) }) as unknown as NodeContext;

/** Reads `data` in pieces of the given lengths, in order, as the writer does. */
function readInPieces(data: Parameters<typeof readBytes>[0], pieces: number[]): Uint8Array {
  const out = new Uint8Array(data.length);
  let at = 0;
  for (let k = 0; at < data.length; k++) {
    const n = Math.min(pieces[k % pieces.length]!, data.length - at);
    out.set(readBytes(data, at, at + n), at);
    at += n;
  }
  return out;
}

describe('generated content', () => {
  it('gives the bytes msrp-sim always gave, read lazily in any pieces, message after message', () => {
    const reference = new RandomStreams(7).stream('alice', 'content');
    const streams = new RandomStreams(7);
    for (const [contentType, size, pieces] of [
      ['application/octet-stream', 10_003, [1, 3, 2048, 5, 4096]],
      ['image/jpeg', 8192, [2048]],
      ['text/plain', 5000, [7, 1000]],
      ['application/octet-stream', 1, [1]],
      ['application/octet-stream', 65_537, [1460, 3]],
    ] as const) {
      const want = eager(reference, contentType, size);
      const data = contentFor(ctxFor(streams), { contentType, size });
      expect(data.length).toBe(size);
      expect(Buffer.from(readInPieces(data, [...pieces])).equals(Buffer.from(want))).toBe(true);
      expect(digestOf(data)).toBe(digestOf(want));
      // Read again from the start (a message sent again after its session is re-established).
      expect(Buffer.from(readBytes(data, 0, size)).equals(Buffer.from(want))).toBe(true);
    }
  });

  it('holds no more than the piece asked for: 16 MiB of content is a few bytes until it is read', () => {
    const streams = new RandomStreams(1);
    const data = contentFor(ctxFor(streams), { contentType: 'application/octet-stream', size: 16 * 1024 * 1024 });
    expect(data instanceof Uint8Array).toBe(false);
    expect(readBytes(data, 1000, 1010)).toHaveLength(10);
  });
});
