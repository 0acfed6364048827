/**
 * A model of the TLS handshake: the flights of TLS 1.2 (two round trips) and 1.3 (one), carried
 * as real bytes on the TCP stream, with the certificate names the two sides check. Nothing is
 * encrypted; after the handshake the application bytes flow in clear text.
 *
 * Each flight is one record: a 5-byte record header (type 0x16 handshake, 0x14 change cipher spec
 * or 0x15 alert; version 0x03 0x01 for the ClientHello as real clients send it, 0x03 0x03 after)
 * and a body that starts with a 4-byte handshake header and holds `key=value` lines, padded with
 * zeros to a plausible flight size. A firewall that looks for `0x16 0x03` sees a ClientHello.
 *
 *   1.3: C ClientHello -> S ServerHello..Finished -> C [Certificate] Finished     (client open after 1 RTT)
 *   1.2: C ClientHello -> S ServerHello..ServerHelloDone -> C [Certificate] ClientKeyExchange
 *        ChangeCipherSpec Finished -> S ChangeCipherSpec Finished                  (client open after 2 RTT)
 */
import type { TlsClientOptions, TlsServerOptions, TlsState } from './net-types.js';

export type TlsVersion = '1.2' | '1.3';

/** What a session needs of its connection. */
export interface TlsIo {
  /** Put handshake bytes on the stream. */
  send(bytes: Uint8Array, step: string): void;
  established(state: TlsState): void;
  /** The handshake failed; `alert` is sent to the peer first when there is one. */
  fail(detail: string, alert: Uint8Array | null): void;
}

const HANDSHAKE = 0x16;
const CHANGE_CIPHER_SPEC = 0x14;
const ALERT = 0x15;
/** Upper bound of buffered handshake bytes; more means the peer is not doing a handshake. */
const MAX_HANDSHAKE_BYTES = 65536;

/** Nominal flight sizes in bytes (a certificate chain makes the server's flight the big one). */
const SIZE = {
  clientHello: 300,
  serverFlight: 1200,
  clientFinished13: 80,
  clientFlight12: 200,
  serverFinished12: 100,
  clientCertificate: 600,
};

const ALERTS: Record<number, string> = {
  10: 'unexpected_message',
  42: 'bad_certificate',
  40: 'handshake_failure',
  70: 'protocol_version',
};

/** True when a certificate name covers `host`: equal (ignoring case), or `*.` standing for exactly one label. */
export function certificateNameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!p.startsWith('*.')) return p === h;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot) === p.slice(1);
}

function lowerVersion(a: TlsVersion, b: TlsVersion): TlsVersion {
  return a === '1.2' || b === '1.2' ? '1.2' : '1.3';
}

function record(type: number, minor: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type;
  out[1] = 0x03;
  out[2] = minor;
  out[3] = body.length >> 8;
  out[4] = body.length & 0xff;
  out.set(body, 5);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A handshake record whose body is `fields` as text lines, padded to `size` bytes overall. */
function handshakeRecord(msgType: number, minor: number, fields: Record<string, string>, size: number): Uint8Array {
  const text = encoder.encode(Object.entries(fields).map(([k, v]) => `${k}=${v}\n`).join(''));
  const bodyLength = Math.max(size - 5, 4 + text.length);
  const body = new Uint8Array(bodyLength);
  const msgLength = bodyLength - 4;
  body[0] = msgType;
  body[1] = (msgLength >> 16) & 0xff;
  body[2] = (msgLength >> 8) & 0xff;
  body[3] = msgLength & 0xff;
  body.set(text, 4);
  return record(HANDSHAKE, minor, body);
}

export function alertRecord(code: number): Uint8Array {
  return record(ALERT, 0x03, new Uint8Array([2, code]));
}

function parseFields(body: Uint8Array): Map<string, string> {
  const end = body.indexOf(0, 4);
  const text = decoder.decode(body.subarray(4, end < 0 ? body.length : end));
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return fields;
}

function names(value: string | undefined): string[] {
  return value ? value.split(',') : [];
}

type Step = 'wait-client-hello' | 'wait-server-flight' | 'wait-client-finished' | 'wait-server-finished' | 'done' | 'failed';

export class TlsSession {
  private step: Step;
  private version: TlsVersion;
  private buffer: Uint8Array = new Uint8Array(0);
  private peerNames: string[] = [];
  private mutual = false;
  private certificateRequested = false;

  constructor(
    readonly role: 'client' | 'server',
    private readonly client: TlsClientOptions | null,
    private readonly server: TlsServerOptions | null,
    private readonly io: TlsIo,
  ) {
    this.step = role === 'client' ? 'wait-server-flight' : 'wait-client-hello';
    this.version = (role === 'client' ? client?.version : server?.version) ?? '1.3';
  }

  get done(): boolean {
    return this.step === 'done';
  }

  get negotiatedVersion(): TlsVersion {
    return this.version;
  }

  /** The client speaks first. */
  start(): void {
    if (this.role !== 'client') return;
    const c = this.client!;
    this.io.send(handshakeRecord(1, 0x01, { hello: 'client', version: this.version, sni: c.serverName }, SIZE.clientHello), 'ClientHello');
  }

  /**
   * Bytes from the peer during the handshake. Returns the bytes that follow the handshake (the
   * first application data) once it is done, else an empty array.
   */
  receive(bytes: Uint8Array): Uint8Array {
    if (this.over()) return bytes;
    this.append(bytes);
    while (!this.over()) {
      const b = this.buffer;
      if (b.length === 0) break;
      if (b[0] !== HANDSHAKE && b[0] !== CHANGE_CIPHER_SPEC && b[0] !== ALERT) {
        this.failLocal(`peer does not speak TLS: first byte 0x${b[0]!.toString(16).padStart(2, '0')}`, 10);
        break;
      }
      if (b.length < 5) break;
      const length = (b[3]! << 8) | b[4]!;
      if (b.length < 5 + length) break;
      const type = b[0]!;
      const body = b.subarray(5, 5 + length);
      this.buffer = b.subarray(5 + length);
      if (type === ALERT) {
        const code = body[1] ?? 0;
        this.step = 'failed';
        this.io.fail(`peer sent alert ${ALERTS[code] ?? 'unknown'} (${code})`, null);
        break;
      }
      if (type === HANDSHAKE) this.handshake(parseFields(body));
    }
    if (this.done) {
      const rest = this.buffer;
      this.buffer = new Uint8Array(0);
      return rest;
    }
    if (this.buffer.length > MAX_HANDSHAKE_BYTES && !this.over()) {
      this.failLocal(`handshake larger than ${MAX_HANDSHAKE_BYTES} bytes`, 10);
    }
    return new Uint8Array(0);
  }

  /** Done or failed (a method, so that the compiler does not narrow the state across calls). */
  private over(): boolean {
    return this.step === 'done' || this.step === 'failed';
  }

  private append(bytes: Uint8Array): void {
    if (this.buffer.length === 0) {
      this.buffer = bytes;
      return;
    }
    const joined = new Uint8Array(this.buffer.length + bytes.length);
    joined.set(this.buffer);
    joined.set(bytes, this.buffer.length);
    this.buffer = joined;
  }

  private handshake(f: Map<string, string>): void {
    const msg = f.get('hello') ?? f.get('msg') ?? '';
    switch (this.step) {
      case 'wait-client-hello': {
        if (msg !== 'client') return this.failLocal(`expected a ClientHello, got '${msg}'`, 10);
        const s = this.server!;
        const offered = (f.get('version') as TlsVersion | undefined) ?? '1.2';
        this.version = lowerVersion(offered === '1.3' ? '1.3' : '1.2', this.version);
        this.certificateRequested = s.requestClientCertificate === true;
        const fields: Record<string, string> = { hello: 'server', version: this.version, certificate: s.certificateNames.join(',') };
        if (this.certificateRequested) fields.certificateRequest = 'yes';
        const messages =
          this.version === '1.3'
            ? ['ServerHello', 'EncryptedExtensions', 'Certificate', ...(this.certificateRequested ? ['CertificateRequest'] : []), 'CertificateVerify', 'Finished']
            : ['ServerHello', 'Certificate', ...(this.certificateRequested ? ['CertificateRequest'] : []), 'ServerHelloDone'];
        this.io.send(handshakeRecord(2, 0x03, fields, SIZE.serverFlight), messages.join(','));
        this.step = 'wait-client-finished';
        return;
      }
      case 'wait-server-flight': {
        if (msg !== 'server') return this.failLocal(`expected a ServerHello, got '${msg}'`, 10);
        const c = this.client!;
        const version = f.get('version') === '1.3' ? '1.3' : '1.2';
        if (version === '1.3' && this.version === '1.2') return this.failLocal('server chose TLS 1.3, client offered 1.2', 70);
        this.version = version;
        this.peerNames = names(f.get('certificate'));
        if (!this.peerNames.some((n) => certificateNameMatches(n, c.serverName))) {
          return this.failLocal(
            `server certificate names [${this.peerNames.join(', ')}] do not match '${c.serverName}'`,
            42,
          );
        }
        const present = f.get('certificateRequest') === 'yes' && (c.certificateNames?.length ?? 0) > 0;
        this.mutual = present;
        const fields: Record<string, string> = { msg: 'finished' };
        if (present) fields.certificate = c.certificateNames!.join(',');
        const certSize = present ? SIZE.clientCertificate : 0;
        if (this.version === '1.3') {
          const messages = [...(present ? ['Certificate', 'CertificateVerify'] : []), 'Finished'];
          this.io.send(handshakeRecord(20, 0x03, fields, SIZE.clientFinished13 + certSize), messages.join(','));
          this.finish();
        } else {
          const messages = [...(present ? ['Certificate'] : []), 'ClientKeyExchange', ...(present ? ['CertificateVerify'] : []), 'ChangeCipherSpec', 'Finished'];
          this.io.send(handshakeRecord(20, 0x03, fields, SIZE.clientFlight12 + certSize), messages.join(','));
          this.step = 'wait-server-finished';
        }
        return;
      }
      case 'wait-client-finished': {
        if (msg !== 'finished') return this.failLocal(`expected the client's Finished, got '${msg}'`, 10);
        this.peerNames = names(f.get('certificate'));
        this.mutual = this.certificateRequested && this.peerNames.length > 0;
        if (this.version === '1.2') {
          this.io.send(handshakeRecord(20, 0x03, { msg: 'finished' }, SIZE.serverFinished12), 'ChangeCipherSpec,Finished');
        }
        this.finish();
        return;
      }
      case 'wait-server-finished': {
        if (msg !== 'finished') return this.failLocal(`expected the server's Finished, got '${msg}'`, 10);
        this.finish();
        return;
      }
      default:
        return;
    }
  }

  private finish(): void {
    this.step = 'done';
    this.io.established({ version: this.version, peerNames: this.peerNames, mutual: this.mutual });
  }

  private failLocal(detail: string, alert: number): void {
    this.step = 'failed';
    this.io.fail(detail, alertRecord(alert));
  }
}
