/** `raw` events: bytes written as escaped text, lines, hexadecimal or base64, sent as they are. */
import type { ScenarioFileEvent } from './definition.js';
import type { Path } from './problems.js';
import type { NormalizeContext, UsableSession } from './normalize-context.js';
import type { RawAction } from './types.js';

const CRLF = Uint8Array.of(13, 10);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function rawEvent(
  cx: NormalizeContext,
  r: NonNullable<ScenarioFileEvent['raw']>,
  path: Path,
  usable: UsableSession,
): RawAction | undefined {
  let ok = cx.refMsrp([...path, 'node'], r.node) !== undefined;
  if (r.session !== undefined) {
    const s = usable([...path, 'session'], r.session);
    if (s === undefined) ok = false;
    else if (ok && r.node !== s.offerer && r.node !== s.answerer) {
      cx.err([...path, 'node'], `\`${r.node}\` is not a party of session \`${s.id}\` (\`${s.offerer}\` and \`${s.answerer}\`); use \`to\` to pick a connection instead`);
      ok = false;
    }
  }
  if (r.to !== undefined && cx.ref([...path, 'to'], r.to, null) === undefined) ok = false;
  if (r.to === r.node) {
    cx.err([...path, 'to'], `\`${r.node}\` cannot send to itself`);
    ok = false;
  }
  const data = rawBytes(cx, r, path);
  if (data === undefined || !ok) return undefined;
  return { action: 'raw', node: r.node, session: r.session ?? null, to: r.to ?? null, bytes: data };
}

function rawBytes(cx: NormalizeContext, r: NonNullable<ScenarioFileEvent['raw']>, path: Path): Uint8Array | undefined {
  if (r.bytes !== undefined) return unescape(cx, r.bytes, [...path, 'bytes']);
  if (r.lines !== undefined) {
    const parts: Uint8Array[] = [];
    for (const [i, line] of r.lines.entries()) {
      if (line === undefined) return undefined;
      const b = unescape(cx, line, [...path, 'lines', i]);
      if (b === undefined) return undefined;
      parts.push(b, CRLF);
    }
    return concat(parts);
  }
  if (r.hex !== undefined) {
    const digits = r.hex.replace(/\s+/gu, '');
    if (digits.length % 2 !== 0) {
      cx.err([...path, 'hex'], `an odd number of hexadecimal digits (${digits.length}); each byte takes two`);
      return undefined;
    }
    const out = new Uint8Array(digits.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  if (r.base64 !== undefined) {
    const text = r.base64.replace(/\s+/gu, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/u.test(text)) {
      cx.err([...path, 'base64'], 'is not valid base64 (groups of four characters, `=` padding only at the end)');
      return undefined;
    }
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  return undefined;
}

/** Text to bytes (UTF-8), decoding `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH`. */
function unescape(cx: NormalizeContext, text: string, path: Path): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  let plain = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      plain += c;
      continue;
    }
    const e = text[i + 1];
    const simple: Record<string, string> = { r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\' };
    if (e !== undefined && Object.hasOwn(simple, e)) {
      plain += simple[e];
      i++;
    } else if (e === 'x' && /^[0-9A-Fa-f]{2}$/u.test(text.slice(i + 2, i + 4))) {
      parts.push(enc.encode(plain), Uint8Array.of(parseInt(text.slice(i + 2, i + 4), 16)));
      plain = '';
      i += 3;
    } else {
      cx.err(path, `unknown escape \`\\${e ?? ''}\`; the escapes are \\r, \\n, \\t, \\0, \\\\ and \\xHH`);
      return undefined;
    }
  }
  parts.push(enc.encode(plain));
  return concat(parts);
}
