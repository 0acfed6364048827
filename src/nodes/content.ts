/**
 * Message bodies for `send` actions: the text given, or generated content of the given size
 * (readable text for text types, bytes from the node's seeded `content` stream otherwise), and
 * a digest so that "delivered intact" can be checked from the trace.
 */
import { createHash } from 'node:crypto';
import type { NodeContext } from './node-context.js';

const TEXT = 'msrp-sim generated text. The quick brown fox jumps over the lazy dog 0123456789.\n';

export function contentFor(ctx: NodeContext, action: { contentType: string; body?: string; size?: number }): Uint8Array {
  if (action.body !== undefined) return new Uint8Array(Buffer.from(action.body, 'utf8'));
  const size = action.size ?? 0;
  const out = new Uint8Array(size);
  if (action.contentType.toLowerCase().startsWith('text/')) {
    const pattern = Buffer.from(TEXT, 'latin1');
    for (let i = 0; i < size; i++) out[i] = pattern[i % pattern.length]!;
    return out;
  }
  const rng = ctx.rng('content');
  for (let i = 0; i < size; i += 4) {
    let v = Math.floor(rng() * 0x100000000);
    for (let j = 0; j < 4 && i + j < size; j++) {
      // Never ';' (0x3B): Wireshark's MSRP dissector misreads a ';' in a body's first 10 bytes as a
      // Content-Type parameter and marks the frame malformed (see src/output/pcap.ts), and a
      // chunk can start at any byte.
      out[i + j] = (v & 0xff) === 0x3b ? 0x3a : v & 0xff;
      v >>>= 8;
    }
  }
  return out;
}

/** MD5 of the body, hex: compared between `endpoint.message` and `endpoint.deliver` records. */
export function digestOf(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex');
}
