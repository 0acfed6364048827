/**
 * The differential harness: a flow is a list of client actions (connect as client N, write frames
 * built from templates, wait for frames, close), run against one relay at a time over loopback
 * sockets. What each client receives is kept byte for byte, split into frames at their end-lines,
 * with the relay's closes; normalize.ts then replaces the relay's random ids so that the
 * transcripts of a real Kamailio and of the `kamailio` profile can be compared as text.
 */
import { createConnection, type Socket } from 'node:net';
import { computeDigestResponse, parseWwwAuthenticate, type DigestChallenge } from '../../src/wire/digest.js';

/** A relay under test: where clients connect, and the URI they name it by. */
export interface Target {
  host: string;
  port: number;
  /** `msrp://host:port;tcp` */
  uri: string;
}

/** What a template sees: the relay, the clients' URIs, and what each client has received. */
export interface FlowContext {
  relay: Target;
  /** Client N's own URI (`msrp://127.0.0.1:9/cN;tcp`). */
  me(c: number): string;
  /** The Use-Path of the last 200 to AUTH client N received (one URI for one relay). */
  usePath(c: number): string;
  /** The last challenge client N received. */
  challenge(c: number): DigestChallenge;
  /** Transaction id number k of client N (the flow's own ids: identical on both relays). */
  tid(c: number, k: number): string;
  /** The last request (of `method`, if given) client N received, as text; undefined if none. */
  received(c: number, method?: string): string | undefined;
}

export type Template = (ctx: FlowContext) => string;

export type Step =
  | { connect: number }
  | { send: number; frame: Template }
  /** Waits until client N has received `frames` frames in all (or the relay closed it; or the wait ends). */
  | { wait: number; frames: number; ms?: number }
  /** Waits for nothing: lets frames that should not come arrive. */
  | { settle: number }
  | { close: number };

export interface Flow {
  name: string;
  steps: Step[];
  /** How long to wait for frames that do not come (ms); default 400. */
  quiet?: number;
}

/** One thing a client saw: a frame (bytes as latin1 text), the relay closing, or bytes that are not MSRP. */
export type Seen = { frame: string } | { closed: true } | { garbage: string };

class Wire {
  buf = '';
  readonly seen: Seen[] = [];
  frames: string[] = [];
  closed = false;
  private waiters: (() => void)[] = [];
  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => {
      this.buf += b.toString('latin1');
      this.split();
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.buf !== '') this.seen.push({ garbage: this.buf });
      this.buf = '';
      if (!this.closed) this.seen.push({ closed: true });
      this.closed = true;
      this.wake();
    });
  }

  /** Splits whole frames off the buffer: start line `MSRP tid ...`, end-line `-------tid` and a flag. */
  private split(): void {
    for (;;) {
      const m = /^MSRP ([A-Za-z0-9.\-+%=]+) /.exec(this.buf);
      if (m === null) {
        if (this.buf.length >= 5 && !this.buf.startsWith('MSRP ')) {
          this.seen.push({ garbage: this.buf });
          this.buf = '';
        }
        return;
      }
      const end = `\r\n-------${m[1]}`;
      let at = this.buf.indexOf(end);
      while (at >= 0 && at + end.length + 3 <= this.buf.length && !/^[$+#]\r\n/.test(this.buf.slice(at + end.length, at + end.length + 3))) at = this.buf.indexOf(end, at + 1);
      if (at < 0 || at + end.length + 3 > this.buf.length) return;
      const frame = this.buf.slice(0, at + end.length + 3);
      this.buf = this.buf.slice(frame.length);
      this.frames.push(frame);
      this.seen.push({ frame });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  until(done: () => boolean, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const check = (): void => {
        if (done() || this.closed) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

function connect(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host, port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function header(frame: string, name: string): string | undefined {
  const head = frame.slice(0, frame.indexOf('\r\n\r\n') >= 0 ? frame.indexOf('\r\n\r\n') : frame.length);
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** What every client saw, by client number. */
export type Transcript = Seen[][];

/** Runs `flow` against `target`; every socket it opened is closed when it returns. */
export async function runFlow(flow: Flow, target: Target): Promise<Transcript> {
  const wires: Wire[] = [];
  const quiet = flow.quiet ?? 400;
  const ctx: FlowContext = {
    relay: target,
    me: (c) => `msrp://127.0.0.1:9/c${c};tcp`,
    usePath: (c) => {
      const ok = [...(wires[c]?.frames ?? [])].reverse().find((f) => / 200 /.test(f.slice(0, f.indexOf('\r\n'))) && header(f, 'Use-Path') !== undefined);
      if (ok === undefined) return `${target.uri.replace(/;tcp$/, '')}/none-granted;tcp`;
      return header(ok, 'Use-Path')!;
    },
    challenge: (c) => {
      const f = [...(wires[c]?.frames ?? [])].reverse().find((x) => header(x, 'WWW-Authenticate') !== undefined);
      const parsed = f === undefined ? null : parseWwwAuthenticate(header(f, 'WWW-Authenticate')!);
      if (parsed?.ok) return parsed.value;
      return { realm: 'example.com', nonce: 'never-challenged', qop: ['auth'] };
    },
    tid: (c, k) => `c${c}t${k}x`,
    received: (c, method) => [...(wires[c]?.frames ?? [])].reverse().find((f) => (method === undefined ? /^MSRP \S+ [A-Z]+\r\n/ : new RegExp(`^MSRP \\S+ ${method}\\r\\n`)).test(f)),
  };
  try {
    for (const step of flow.steps) {
      if ('connect' in step) wires[step.connect] = new Wire(await connect(target.host, target.port));
      else if ('send' in step) {
        const w = wires[step.send]!;
        if (!w.closed) w.socket.write(Buffer.from(step.frame(ctx), 'latin1'));
      } else if ('wait' in step) {
        const w = wires[step.wait]!;
        await w.until(() => w.frames.length >= step.frames, step.ms ?? quiet);
      } else if ('settle' in step) await new Promise((r) => setTimeout(r, step.settle));
      else if ('close' in step) {
        const w = wires[step.close]!;
        w.closed = true;
        w.socket.end();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // Whatever is still on its way.
    await new Promise((r) => setTimeout(r, 150));
  } finally {
    for (const w of wires) {
      if (!w) continue;
      w.closed = true;
      w.socket.destroy();
    }
  }
  return wires.map((w) => (w ? w.seen : []));
}

// ---------------------------------------------------------------------------------------------
// Frame templates

/** A request as text: start line, headers in order, optional body (with Content-Type given among the headers), end-line. */
export function request(tid: string, method: string, headers: [string, string][], body?: string, flag = '$'): string {
  const head = [`MSRP ${tid} ${method}`, ...headers.map(([n, v]) => `${n}: ${v}`)].join('\r\n');
  return body === undefined ? `${head}\r\n-------${tid}${flag}\r\n` : `${head}\r\n\r\n${body}\r\n-------${tid}${flag}\r\n`;
}

/** AUTH to the relay, with `extra` headers after From-Path. */
export function auth(c: number, k: number, extra: (ctx: FlowContext) => [string, string][] = () => []): Template {
  return (ctx) => request(ctx.tid(c, k), 'AUTH', [['To-Path', ctx.relay.uri], ['From-Path', ctx.me(c)], ...extra(ctx)]);
}

export interface DigestOptions {
  user: string;
  password: string;
  /** The digest uri (default: the AUTH's To-Path). */
  uri?: (ctx: FlowContext) => string;
  /** The nonce (default: the last challenge's). */
  nonce?: string;
}

/** The Authorization header answering client N's last challenge. */
export function digest(c: number, o: DigestOptions): (ctx: FlowContext) => [string, string] {
  return (ctx) => {
    const ch = ctx.challenge(c);
    const uri = o.uri ? o.uri(ctx) : ctx.relay.uri;
    const nonce = o.nonce ?? ch.nonce;
    const cnonce = `cn${c}`;
    const response = computeDigestResponse({ username: o.user, realm: ch.realm, password: o.password, uri, nonce, nc: 1, cnonce, qop: 'auth' });
    const value =
      `Digest username="${o.user}", realm="${ch.realm}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=00000001, cnonce="${cnonce}"` +
      (ch.opaque !== undefined ? `, opaque="${ch.opaque}"` : '');
    return ['Authorization', value];
  };
}

/** Connect client N and authenticate it (two AUTHs: challenge, then credentials); transaction ids k and k+1. */
export function login(c: number, user: string, password: string, k = 1): Step[] {
  return [
    { connect: c },
    { send: c, frame: auth(c, k) },
    { wait: c, frames: 1 },
    { send: c, frame: auth(c, k + 1, (ctx) => [digest(c, { user, password })(ctx)]) },
    { wait: c, frames: 2 },
  ];
}

/** A SEND: To-Path from `to`, From-Path client N's path back (its Use-Path, then itself, unless given). */
export function send(
  c: number,
  k: number,
  to: (ctx: FlowContext) => string[],
  body: string,
  o: { headers?: [string, string][]; from?: (ctx: FlowContext) => string[]; range?: string; flag?: string; messageId?: string } = {},
): Template {
  return (ctx) => {
    const tid = ctx.tid(c, k);
    const len = Buffer.byteLength(body, 'latin1');
    return request(
      tid,
      'SEND',
      [
        ['To-Path', to(ctx).join(' ')],
        ['From-Path', (o.from ? o.from(ctx) : [ctx.me(c)]).join(' ')],
        ['Message-ID', o.messageId ?? `m${c}k${k}`],
        ['Byte-Range', o.range ?? `1-${len}/${len}`],
        ...(o.headers ?? []),
        ['Content-Type', 'text/plain'],
      ],
      body,
      o.flag,
    );
  };
}

/** Client N's response to the last request it received (RFC 4975 §7.2: To-Path the first From-Path URI). */
export function respond(c: number, code: number, reason: string, method = 'SEND'): Template {
  return (ctx) => {
    const req = ctx.received(c, method);
    if (req === undefined) return '';
    const tid = /^MSRP (\S+) /.exec(req)![1]!;
    const from = (header(req, 'From-Path') ?? '').split(' ');
    const to = method === 'SEND' ? [from[0]!] : from;
    return `MSRP ${tid} ${code} ${reason}\r\nTo-Path: ${to.join(' ')}\r\nFrom-Path: ${ctx.me(c)}\r\n-------${tid}$\r\n`;
  };
}

/** A REPORT from client N for the last SEND it received (RFC 4975 §7.1.2: To-Path the SEND's From-Path). */
export function report(c: number, k: number, status: string, to?: (ctx: FlowContext) => string[]): Template {
  return (ctx) => {
    const req = ctx.received(c, 'SEND');
    const path = to ? to(ctx) : (header(req ?? '', 'From-Path') ?? '').split(' ');
    const tid = ctx.tid(c, k);
    return request(tid, 'REPORT', [
      ['To-Path', path.join(' ')],
      ['From-Path', ctx.me(c)],
      ['Message-ID', (req && header(req, 'Message-ID')) ?? `m${c}k${k}`],
      ['Byte-Range', (req && header(req, 'Byte-Range')) ?? '1-1/1'],
      ['Status', status],
    ]);
  };
}
