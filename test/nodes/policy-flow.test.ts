/**
 * The firewall policy measures a frame by the bytes it took on the wire (the parser's count), not
 * by writing it again: a peer's frame with spacing the serializer would not write is as large as
 * its bytes.
 */
import { describe, expect, it } from 'vitest';
import { PolicyFlow, type MsrpPolicy } from '../../src/nodes/firewall-policy.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s.replace(/\n/g, '\r\n'));
// No space after the colons (RFC 4975 §9 allows none; the serializer writes one): written again,
// each header line would be a byte longer than it came.
const PATHS = 'To-Path:msrp://b.example:2855/b;tcp\nFrom-Path:msrp://a.example:2855/a;tcp\n';
const OK = enc(`MSRP r1 200 OK\n${PATHS}-------r1$\n`);
const SEND = enc(`MSRP s1 SEND\n${PATHS}Message-ID:m1\nByte-Range:1-5/5\nContent-Type:text/plain\n\nhello\n-------s1$\n`);

const verdict = (policy: MsrpPolicy, bytes: Uint8Array, cut?: number): string[] => {
  const flow = new PolicyFlow('fw', () => policy);
  const parts = cut === undefined ? [bytes] : [bytes.subarray(0, cut), bytes.subarray(cut)];
  return parts.map((p) => flow.inspect(p).verdict);
};

describe('PolicyFlow sizes frames by their wire bytes', () => {
  it('a response is as large as its bytes', () => {
    expect(verdict({ maxFrame: OK.length - 1 }, OK)).toEqual(['drop']);
    expect(verdict({ maxFrame: OK.length }, OK)).toEqual(['pass']);
  });

  it('a request is measured by its header section as received, then by its body as it arrives', () => {
    const headerEnd = new TextDecoder().decode(SEND).indexOf('\r\n\r\n') + 4;
    // Byte-Range 1-5/5 announces the body: the whole size is known at the head.
    expect(verdict({ maxFrame: SEND.length - 1 }, SEND, headerEnd)).toEqual(['drop', 'drop']);
    expect(verdict({ maxFrame: SEND.length }, SEND, headerEnd)).toEqual(['pass', 'pass']);
    // Range end `*`: the head passes (it and the end-line it needs fit), its body tips it over.
    const open = enc(new TextDecoder().decode(SEND).replace(/\r\n/g, '\n').replace('Byte-Range:1-5/5', 'Byte-Range:1-*/5'));
    expect(verdict({ maxFrame: open.length - 1 }, open, headerEnd)).toEqual(['pass', 'drop']);
    expect(verdict({ maxFrame: open.length }, open, headerEnd)).toEqual(['pass', 'pass']);
  });
});
