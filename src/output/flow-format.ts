/**
 * Text for people in the diagrams and the timeline: a frame's text with long or binary bodies
 * shortened, durations and bit rates.
 */
import type { AnyTraceRecord } from '../sim/trace.js';
import type { Micros } from '../sim/time.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A frame's text for people: the bytes when they are text, long bodies shortened with a note;
 * a binary body is replaced by a one-line note (the pcap has the bytes).
 */
export function frameText(r: AnyTraceRecord, maxBody: number): string {
  if (typeof r.text === 'string') return shortenBody(r.text, maxBody, false);
  if (typeof r.bytesBase64 === 'string') {
    const bytes = Buffer.from(r.bytesBase64, 'base64');
    return shortenBody(utf8.decode(bytes), maxBody, true, bytes);
  }
  return '';
}

/** Splits an MSRP frame's text into head, body and end-line, and shortens the body. */
function shortenBody(text: string, maxBody: number, binary: boolean, bytes?: Uint8Array): string {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return text;
  const endLine = text.lastIndexOf('\r\n-------');
  if (endLine < headEnd + 4) return text;
  const head = text.slice(0, headEnd + 4);
  const tail = text.slice(endLine);
  if (binary && bytes) {
    // Body length in bytes: total minus the (ASCII) head and end-line.
    const bodyBytes = bytes.length - Buffer.byteLength(head, 'latin1') - Buffer.byteLength(tail, 'latin1');
    return `${head}[${bodyBytes} bytes of binary body]${tail}`;
  }
  const body = text.slice(headEnd + 4, endLine);
  if (body.length <= maxBody) return text;
  const kept = body.slice(0, maxBody);
  const more = Buffer.byteLength(body, 'utf8') - Buffer.byteLength(kept, 'utf8');
  return `${head}${kept}[${more} more bytes]${tail}`;
}

/** `40 ms`, `1.5 s`, `250 µs`. */
export function formatMs(us: Micros): string {
  if (us >= 1_000_000) return `${trimNum(us / 1_000_000)} s`;
  if (us >= 1000) return `${trimNum(us / 1000)} ms`;
  return `${us} µs`;
}

/**
 * `100 Mbit/s`, `2 Mbit/s`, `64 kbit/s`: a link's bandwidth for people, rounded, `unlimited` for
 * null (the scenario's own spelling, `100Mbit/s`, is scenario/units.ts's `formatBandwidth`).
 */
export function formatBitRate(bps: number | null): string {
  if (bps === null) return 'unlimited';
  if (bps >= 1e9) return `${trimNum(bps / 1e9)} Gbit/s`;
  if (bps >= 1e6) return `${trimNum(bps / 1e6)} Mbit/s`;
  if (bps >= 1e3) return `${trimNum(bps / 1e3)} kbit/s`;
  return `${bps} bit/s`;
}

function trimNum(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}
