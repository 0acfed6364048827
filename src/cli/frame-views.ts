/**
 * How `msrp-sim decode` shows a frame: the NDJSON object of SPEC §6 and the readable text dump.
 */
import { base64Of, utf8Text } from '../wire/bytes-text.js';
import type { MsrpFrame } from '../wire/frame.js';
import type { Style } from './style.js';

/**
 * The fields of SPEC §6, in that order; `stream` and `time` (seconds since the epoch with
 * microseconds, a decimal string) first when the frame came from a capture.
 */
export function frameToJson(frame: MsrpFrame, source?: { stream: string; time?: string }): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (source !== undefined) {
    o.stream = source.stream;
    o.time = source.time ?? null;
  }
  o.kind = frame.kind;
  o.transactionId = frame.transactionId;
  if (frame.kind === 'request') {
    o.method = frame.method;
  } else {
    o.status = frame.statusCode;
    o.comment = frame.comment;
  }
  o.toPath = frame.toPath;
  o.fromPath = frame.fromPath;
  o.headers = frame.headers.map(([name, value]) => [name, value]);
  const body = frame.kind === 'request' ? frame.body : null;
  if (body === null) {
    // Bodiless (W-16) is not the same as an empty body (W-17): null here, "" there.
    o.body = null;
    o.bodyEncoding = null;
    o.bodyLength = 0;
  } else {
    const text = utf8Text(body);
    o.body = text ?? base64Of(body);
    o.bodyEncoding = text !== null ? 'utf8' : 'base64';
    o.bodyLength = body.length;
  }
  o.continuation = frame.continuation;
  // `malformed: true` marks what a receiver cannot act on (docs/tolerance.md).
  o.violations = frame.violations.map((v) => (v.malformed === true ? { rule: v.rule, message: v.message, malformed: true } : { rule: v.rule, message: v.message }));
  return o;
}

export interface TextOptions {
  /** Longest body shown in full, in characters (text) or bytes (binary, as hex). */
  bodyLimit: number;
  hexLimit: number;
}

export const DEFAULT_TEXT_OPTIONS: TextOptions = { bodyLimit: 2048, hexLimit: 64 };

const CONTINUATION_NOTE: Record<string, string> = {
  $: 'last chunk of the message',
  '+': 'more chunks follow',
  '#': 'message aborted',
};

/**
 * Makes untrusted text safe for a terminal: control characters other than tab become visible
 * escapes, so a frame cannot move the cursor or change colours.
 */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A readable dump: title, start line, headers, body, end-line, violations. */
export function frameToText(frame: MsrpFrame, index: number, style: Style, source?: string, options: TextOptions = DEFAULT_TEXT_OPTIONS): string {
  const lines: string[] = [];
  const what = frame.kind === 'request' ? `request ${frame.method}` : `response ${frame.statusCode}`;
  lines.push(style.dim(`# frame ${index}: ${what}${source !== undefined ? ` (${source})` : ''}`));
  const start =
    frame.kind === 'request'
      ? `MSRP ${frame.transactionId} ${frame.method}`
      : `MSRP ${frame.transactionId} ${String(frame.statusCode).padStart(3, '0')}${frame.comment !== null ? ' ' + frame.comment : ''}`;
  lines.push(style.bold(visible(start)));
  for (const [name, value] of frame.headers) lines.push(`${style.cyan(visible(name) + ':')} ${visible(value)}`);
  const body = frame.kind === 'request' ? frame.body : null;
  if (body !== null) {
    lines.push('');
    if (body.length === 0) lines.push(style.dim('[empty body]'));
    else for (const l of bodyLines(body, style, options)) lines.push(l);
  }
  lines.push(`${style.bold(`-------${visible(frame.transactionId)}${frame.continuation}`)}  ${style.dim(`(${CONTINUATION_NOTE[frame.continuation] ?? 'unknown flag'})`)}`);
  if (frame.violations.length > 0) {
    lines.push(style.yellow('violations:'));
    for (const v of frame.violations) lines.push(style.yellow(`  ${v.rule}: ${visible(v.message)}${v.malformed === true ? ' (malformed: a receiver cannot act on it)' : ''}`));
  }
  return lines.join('\n') + '\n\n';
}

function bodyLines(body: Uint8Array, style: Style, options: TextOptions): string[] {
  const text = utf8Text(body);
  // eslint-disable-next-line no-control-regex
  if (text !== null && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text)) {
    if (text.length <= options.bodyLimit) return text.split(/\r?\n/);
    const shown = text.slice(0, options.bodyLimit);
    const rest = body.length - Buffer.byteLength(shown, 'utf8');
    return [...shown.split(/\r?\n/), style.dim(`[... ${rest} more bytes not shown; ${body.length} bytes in all]`)];
  }
  const out = [style.dim(`[binary body, ${body.length} bytes${body.length > options.hexLimit ? `, first ${options.hexLimit} shown` : ''}]`)];
  const n = Math.min(body.length, options.hexLimit);
  for (let off = 0; off < n; off += 16) {
    const row = body.subarray(off, Math.min(off + 16, n));
    let hex = '';
    let ascii = '';
    for (let k = 0; k < 16; k++) {
      if (k === 8) hex += ' ';
      const b = row[k];
      hex += b === undefined ? '   ' : b.toString(16).padStart(2, '0') + ' ';
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    out.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  if (body.length > n) out.push(style.dim(`[... ${body.length - n} more bytes]`));
  return out;
}
