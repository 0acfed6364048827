/**
 * Frame bytes and bodies as text where text is lossless, else base64: how the trace records a
 * frame (`text` or `bytesBase64`) and how `msrp-sim decode` shows a body (`bodyEncoding`).
 */

// fatal: invalid UTF-8 is not text; ignoreBOM: a leading BOM is content, kept, not swallowed.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as text if they are valid UTF-8, else null. */
export function utf8Text(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The bytes (of this view only) in base64. */
export function base64Of(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** `{ text }` when the bytes are valid UTF-8, else `{ base64 }`. */
export function textOrBase64(bytes: Uint8Array): { text: string } | { base64: string } {
  const text = utf8Text(bytes);
  return text !== null ? { text } : { base64: base64Of(bytes) };
}
