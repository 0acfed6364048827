import { describe, expect, it } from 'vitest';
import { base64Of, textOrBase64, utf8Text } from '../../src/wire/bytes-text.js';

const enc = new TextEncoder();

describe('bytes as text', () => {
  it('valid UTF-8 comes back as text, losslessly (a leading BOM is kept)', () => {
    expect(utf8Text(enc.encode('Hey Bob, är du där? 😀'))).toBe('Hey Bob, är du där? 😀');
    expect(utf8Text(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41))).toBe('\ufeffA');
    expect(utf8Text(new Uint8Array(0))).toBe('');
  });

  it('anything else is not text', () => {
    expect(utf8Text(Uint8Array.of(0x41, 0xff, 0x42))).toBeNull();
    expect(utf8Text(Uint8Array.of(0xe2, 0x82))).toBeNull(); // cut inside a character
  });

  it('base64 of a view covers the view only', () => {
    const all = enc.encode('xxhelloyy');
    expect(base64Of(all.subarray(2, 7))).toBe('aGVsbG8=');
  });

  it('text when it can be, else base64', () => {
    expect(textOrBase64(enc.encode('MSRP a SEND\r\n'))).toEqual({ text: 'MSRP a SEND\r\n' });
    expect(textOrBase64(Uint8Array.of(0x00, 0xff))).toEqual({ base64: 'AP8=' });
  });
});
