import { describe, expect, it } from 'vitest';
import { normalize } from './normalize.js';

const relay = { host: '127.0.0.1', port: 2855 };
/** A SEND as the receiver gets it through the relay: its From-Path holds the relay's session id. */
const frame = (session: string, body: string, range = `1-${body.length}/${body.length}`): string =>
  `MSRP c0t10x SEND\r\nTo-Path: msrp://127.0.0.1:9/c1;tcp\r\nFrom-Path: msrp://127.0.0.1:2855/${session};tcp msrp://127.0.0.1:9/c0;tcp\r\nMessage-ID: m0k10\r\nByte-Range: ${range}\r\nFailure-Report: yes\r\nContent-Type: text/plain\r\n\r\n${body}\r\n-------c0t10x$\r\n`;

describe('normalize: a sized flow\'s body', () => {
  it('says a whole body of x without its length, which differs with the length of the relay\'s ids', () => {
    // The frame was sized to one total on each side: a session id two hex digits longer leaves the body two bytes shorter.
    const a = normalize([[{ frame: frame('msrp-5f2a1b3c-1a2b-1', 'x'.repeat(10_937)) }]], relay);
    const b = normalize([[{ frame: frame('msrp-5f2a1b3c9d-1a2b-1', 'x'.repeat(10_935)) }]], relay);
    expect(a).toBe(b);
    expect(a).toContain('Byte-Range: 1-<N>/<N>');
  });

  it('keeps the length of a body that arrived cut, or whose Byte-Range says another length', () => {
    const whole = normalize([[{ frame: frame('msrp-5f2a1b3c-1a2b-1', 'x'.repeat(10_937)) }]], relay);
    const cut = normalize([[{ frame: frame('msrp-5f2a1b3c-1a2b-1', 'x'.repeat(10_000), '1-10937/10937') }]], relay);
    expect(cut).not.toBe(whole);
    expect(cut).toContain('Byte-Range: 1-10937/10937');
  });
});
