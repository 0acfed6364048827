/**
 * Normalizes a transcript so that two relays that differ only in their random draws do not differ:
 * the relay's address becomes RELAY, and each random id it generated (transaction ids, Message-IDs,
 * nonces, opaque values, the session ids of its URIs) becomes a name numbered by order of first
 * appearance (clients in order, frames in order). Ids the flow itself wrote (`cNtKx`, `mNkK`) stay
 * as they are, so a relay that replaces them differs. A session id keeps its shape: its length and
 * the kinds of characters in it, since that shape is part of what a profile reproduces.
 */
import type { Transcript } from './harness.js';

/**
 * The shape of a random id: its length and alphabet (hex, alnum, base64), or, for an id of parts
 * joined by `-`, each part's shape (`msrp-h8-h4-h1`: a fixed word is kept, hex parts by length).
 */
export function shape(id: string): string {
  if (id.includes('-') && /^[0-9A-Za-z-]+$/.test(id)) return id.split('-').map((p) => (/^[a-z]+$/.test(p) && !/^[0-9a-f]+$/.test(p) ? p : /^[0-9a-f]+$/.test(p) ? 'h' : `a${p.length}`)).join('-');
  const kind = /^[0-9a-f]+$/.test(id) ? 'hex' : /^[0-9A-Za-z]+$/.test(id) ? 'alnum' : /^[0-9A-Za-z+/]+={0,2}$/.test(id) ? 'base64' : 'other';
  return `${id.length}:${kind}`;
}

export function normalize(t: Transcript, relay: { host: string; port: number }): string {
  const names = new Map<string, string>();
  const counters: Record<string, number> = {};
  const name = (kind: string, id: string, withShape = false): string => {
    const key = `${kind}\u0000${id}`;
    let n = names.get(key);
    if (n === undefined) {
      counters[kind] = (counters[kind] ?? 0) + 1;
      n = `${kind}${counters[kind]}${withShape ? `<${shape(id)}>` : ''}`;
      names.set(key, n);
    }
    return n;
  };
  const own = (tid: string): boolean => /^c\d+t\d+x$/.test(tid);
  const addr = `${relay.host}:${relay.port}`;
  const lines: string[] = [];
  t.forEach((seen, c) => {
    lines.push(`== client ${c}`);
    for (const s of seen) {
      if ('closed' in s) {
        lines.push('<closed by the relay>');
        continue;
      }
      let text = 'frame' in s ? s.frame : `<not MSRP> ${s.garbage}`;
      text = text.split(addr).join('RELAY');
      text = text.replace(/^MSRP (\S+) /, (_m, tid: string) => `MSRP ${own(tid) ? tid : name('T', tid)} `);
      text = text.replace(/\r\n-------(\S+?)([$+#])\r\n$/, (_m, tid: string, flag: string) => `\r\n-------${own(tid) ? tid : name('T', tid)}${flag}\r\n`);
      text = text.replace(/(msrps?:\/\/RELAY\/)([^;\s]+)(;tcp)/g, (_m, a: string, id: string, b: string) => `${a}${name('S', id, true)}${b}`);
      text = text.replace(/(nonce=")([^"]*)(")/g, (_m, a: string, id: string, b: string) => `${a}${name('N', id, true)}${b}`);
      text = text.replace(/(opaque=")([^"]*)(")/g, (_m, a: string, id: string, b: string) => `${a}${name('O', id, true)}${b}`);
      text = text.replace(/(\r\nMessage-ID: )(\S+)/gi, (m, a: string, id: string) => (/^m\d+k\d+$/.test(id) ? m : `${a}${name('M', id)}`));
      text = sizedBody(text);
      lines.push(text.replace(/\r\n/g, '\n').replace(/\n$/, ''));
    }
  });
  return lines.join('\n');
}

/**
 * A sized flow's body (flows.ts `sizedSend`), said without its length. Each side's frame is sized
 * to the same total from that side's Use-Paths, whose session ids Kamailio writes with hex parts
 * of varying length from run to run (`shape` keeps no hex length for that reason): the body's
 * length then differs between the sides by those few bytes. A body of at least 1000 `x` whose
 * Byte-Range is `1-N/N` for its own length N becomes `x × N`, N said once for both; a body that
 * arrived cut, or a Byte-Range that does not say its length, stays as it is, and differs.
 */
function sizedBody(text: string): string {
  const head = text.indexOf('\r\n\r\n');
  const end = text.lastIndexOf('\r\n-------');
  if (head < 0 || end < head + 4) return text;
  const body = text.slice(head + 4, end);
  if (body.length < 1000 || !/^x+$/.test(body)) return text;
  const range = `\r\nByte-Range: 1-${body.length}/${body.length}\r\n`;
  const at = text.indexOf(range);
  if (at < 0 || at > head) return text;
  return `${text.slice(0, at)}\r\nByte-Range: 1-<N>/<N>\r\n${text.slice(at + range.length, head + 4)}<x × N>${text.slice(end)}`;
}

/**
 * The outline of a normalized transcript: per client, the method or status code of each frame it
 * received, and the relay's closes; no ids, reason phrases, headers or bodies. The rfc4976 profile
 * is compared with Kamailio on this: what happens, not how each frame is written (the strict relay
 * draws a new transaction id per hop, A-06, and uses RFC 4975's reason phrases).
 */
export function outline(normalized: string): string {
  return normalized
    .split('\n')
    .map((l) => (l.startsWith('== client') ? l : /^(?:<not MSRP> )?MSRP \S+ (\S+)/.exec(l)?.[1] ?? (l.startsWith('<closed') ? 'closed' : null)))
    .filter((l): l is string => l !== null)
    .join(' ');
}
