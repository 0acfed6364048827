/**
 * A minimal MSRP client over a raw node:net socket, for tests against a real relay (Kamailio) or
 * `msrp-sim relay`: it writes frames given as text and collects what arrives, parsed by the
 * project's codec. Nothing of the simulator is involved.
 */
import { createConnection, type Socket } from 'node:net';
import { MsrpParser, type ParseError } from '../../src/wire/parser.js';
import type { MsrpFrame, MsrpResponse } from '../../src/wire/frame.js';
import { computeDigestResponse, parseWwwAuthenticate } from '../../src/wire/digest.js';

export class RawMsrpClient {
  readonly frames: MsrpFrame[] = [];
  readonly errors: ParseError[] = [];
  closed = false;
  closeError: Error | null = null;
  private waiters: (() => void)[] = [];
  private readonly parser: MsrpParser;
  private tid = 0;

  private constructor(readonly socket: Socket) {
    this.parser = new MsrpParser({
      frame: (f) => {
        this.frames.push(f);
        this.wake();
      },
      error: (e) => {
        this.errors.push(e);
        this.wake();
      },
    });
    socket.on('data', (b: Buffer) => this.parser.push(b));
    socket.on('error', (e) => {
      this.closeError = e;
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(host: string, port: number): Promise<RawMsrpClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      socket.once('connect', () => resolve(new RawMsrpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** A fresh transaction id. */
  nextTid(): string {
    return `tx${(++this.tid).toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`;
  }

  write(text: string | Uint8Array): void {
    this.socket.write(text);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The first frame (received from `from` on) that `match` accepts; fails after `ms`. */
  waitFor(match: (f: MsrpFrame) => boolean, ms = 5000, from = 0): Promise<MsrpFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms; got ${this.frames.length} frames, closed=${this.closed}`)), ms);
      const check = () => {
        const f = this.frames.slice(from).find(match);
        if (f) {
          clearTimeout(timer);
          resolve(f);
        } else if (this.closed) {
          clearTimeout(timer);
          reject(new Error(`connection closed before a matching frame (${this.frames.length} frames)`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** The response to transaction `tid`. */
  response(tid: string, ms = 5000): Promise<MsrpResponse> {
    return this.waitFor((f) => f.kind === 'response' && f.transactionId === tid, ms) as Promise<MsrpResponse>;
  }

  /** Resolves when the peer closes the connection (or after `ms`, rejecting). */
  waitClosed(ms = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
      const check = () => {
        if (this.closed) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /**
   * AUTH to `relayUri` as `user` (RFC 4976 §5): the unauthenticated AUTH and its 401, then the AUTH
   * with Digest credentials. Returns both responses.
   */
  async auth(relayUri: string, myUri: string, user: string, password: string): Promise<{ challenge: MsrpResponse; result: MsrpResponse }> {
    const t1 = this.nextTid();
    this.write(authFrame(t1, relayUri, myUri));
    const challenge = await this.response(t1);
    const www = challenge.headers.find(([n]) => n.toLowerCase() === 'www-authenticate')?.[1] ?? '';
    const parsed = parseWwwAuthenticate(www);
    if (!parsed.ok) throw new Error(`bad WWW-Authenticate ${JSON.stringify(www)}`);
    const c = parsed.value;
    const cnonce = 'c0ffee' + Math.floor(Math.random() * 1e9).toString(16);
    const response = computeDigestResponse({ username: user, realm: c.realm, password, uri: relayUri, nonce: c.nonce, nc: 1, cnonce, qop: 'auth' });
    const authorization =
      `Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${relayUri}", response="${response}", qop=auth, nc=00000001, cnonce="${cnonce}"` +
      (c.opaque !== undefined ? `, opaque="${c.opaque}"` : '');
    const t2 = this.nextTid();
    this.write(authFrame(t2, relayUri, myUri, [['Authorization', authorization]]));
    return { challenge, result: await this.response(t2) };
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }
}

/** An AUTH request as text. */
export function authFrame(tid: string, relayUri: string, myUri: string, extra: [string, string][] = []): string {
  const lines = [`MSRP ${tid} AUTH`, `To-Path: ${relayUri}`, `From-Path: ${myUri}`, ...extra.map(([n, v]) => `${n}: ${v}`), `-------${tid}$`, ''];
  return lines.join('\r\n');
}

/** A SEND request as text, with a body. */
export function sendFrame(tid: string, toPath: string[], fromPath: string[], body: string, extra: [string, string][] = []): string {
  return [
    `MSRP ${tid} SEND`,
    `To-Path: ${toPath.join(' ')}`,
    `From-Path: ${fromPath.join(' ')}`,
    `Message-ID: m${tid}`,
    `Byte-Range: 1-${Buffer.byteLength(body)}/${Buffer.byteLength(body)}`,
    ...extra.map(([n, v]) => `${n}: ${v}`),
    'Content-Type: text/plain',
    '',
    body,
    `-------${tid}$`,
    '',
  ].join('\r\n');
}

/** A header's value. */
export function headerOf(f: MsrpFrame, name: string): string | undefined {
  return f.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}
