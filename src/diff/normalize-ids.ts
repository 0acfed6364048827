/**
 * Random identifiers renamed by order of first appearance, so that two runs that differ only in
 * their random draws read the same: transaction ids (`T1`), Message-IDs (`M1`), session ids in MSRP
 * URIs, Use-Path tokens among them (`S1`), URI authorities (`H1`, unless hosts are kept), and the
 * Digest values a relay or client draws: nonce and nextnonce (`N1`), cnonce (`C1`), response and
 * rspauth (`R1`), opaque (`O1`). Each kind has its own numbering; a value seen again gets its first name.
 */
import type { HeaderField } from '../wire/frame.js';
import type { DiffFrame } from './diff-model.js';

type Kind = 'T' | 'M' | 'S' | 'H' | 'N' | 'C' | 'R' | 'O';

const DIGEST_RANDOM: Record<string, Kind> = { nonce: 'N', nextnonce: 'N', cnonce: 'C', response: 'R', rspauth: 'R', opaque: 'O' };
const URI = /msrps?:\/\/[^\s",]+/gi;

export interface IdNormalizeOptions {
  /** Compare URI authorities as written (by default they are renamed too: a capture's addresses are not a simulation's names). */
  keepHosts?: boolean;
}

export class IdNormalizer {
  private readonly names = new Map<string, string>();
  private readonly counts = new Map<Kind, number>();

  constructor(private readonly options: IdNormalizeOptions = {}) {}

  /** The name of `value` as an id of `kind`: the same value, the same name. */
  id(kind: Kind, value: string): string {
    const key = `${kind}\0${value}`;
    let name = this.names.get(key);
    if (name === undefined) {
      const n = (this.counts.get(kind) ?? 0) + 1;
      this.counts.set(kind, n);
      this.names.set(key, (name = `${kind}${n}`));
    }
    return name;
  }

  frame(f: DiffFrame): DiffFrame {
    const m = /^(MSRP )(\S+)( .*)?$/s.exec(f.startLine);
    const startLine = m ? `${m[1]}${this.id('T', m[2]!)}${m[3] ?? ''}` : f.startLine;
    return { ...f, startLine, headers: f.headers.map((h) => this.header(h)) };
  }

  private header([name, value]: HeaderField): HeaderField {
    const lower = name.toLowerCase();
    if (lower === 'message-id') return [name, this.id('M', value.trim())];
    if (lower === 'www-authenticate' || lower === 'authorization' || lower === 'authentication-info') return [name, this.digest(value)];
    return [name, this.uris(value)];
  }

  /** `msrp://[user@]host:port/session;transport`: the authority and the session id renamed. */
  uri(uri: string): string {
    const m = /^(msrps?:\/\/)([^/;]+)(\/[^;]*)?(;.*)?$/i.exec(uri);
    if (!m) return uri;
    const authority = this.options.keepHosts ? m[2]! : this.id('H', m[2]!.toLowerCase());
    const session = m[3] === undefined || m[3] === '/' ? (m[3] ?? '') : `/${this.id('S', m[3].slice(1))}`;
    return `${m[1]}${authority}${session}${m[4] ?? ''}`;
  }

  private uris(text: string): string {
    return text.replace(URI, (u) => this.uri(u));
  }

  /** `Digest k=v, k="v", ...`: the drawn values renamed, URIs in `uri` too. */
  private digest(value: string): string {
    return value.replace(/([A-Za-z-]+)=("([^"]*)"|[^,\s]*)/g, (all, key: string, raw: string, quoted: string | undefined) => {
      const kind = DIGEST_RANDOM[key.toLowerCase()];
      const inner = quoted ?? raw;
      const q = quoted !== undefined ? '"' : '';
      if (kind !== undefined) return `${key}=${q}${this.id(kind, inner)}${q}`;
      if (key.toLowerCase() === 'uri') return `${key}=${q}${this.uris(inner)}${q}`;
      return all;
    });
  }
}
