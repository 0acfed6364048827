/**
 * A small Redis client (RESP2 over node:net) in the shape BullMQ 6 asks of one
 * (`IRedisClient`), installed as BullMQ's client factory. BullMQ's usual drivers (`ioredis`,
 * `redis`) are optional peer dependencies that msrp-sim does not ship; this speaks the few
 * commands BullMQ and the sweep queue use. A connection that drops is not re-opened: the worker
 * or the sweep waiting on it ends with an error, and a chunk it held goes to another worker.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ConnectionClosedError, RedisConnection, type IRedisClient, type IRedisTransaction } from 'bullmq';

export interface RespOptions {
  host: string;
  port: number;
  db: number;
  [key: string]: unknown;
}

type Arg = string | number | Buffer;
type Reply = string | number | null | Error | Reply[];

const CLOSED = 'Connection is closed.';

/** Parses RESP2 replies out of a byte stream. */
class ReplyParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Reply[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Reply[] = [];
    for (;;) {
      const r = this.parse(0);
      if (r === null) break;
      out.push(r.value);
      this.buf = this.buf.subarray(r.end);
    }
    return out;
  }

  private line(at: number): { text: string; next: number } | null {
    const end = this.buf.indexOf('\r\n', at);
    if (end < 0) return null;
    return { text: this.buf.toString('utf8', at + 1, end), next: end + 2 };
  }

  private parse(at: number): { value: Reply; end: number } | null {
    if (at >= this.buf.length) return null;
    const type = this.buf[at];
    const l = this.line(at);
    if (l === null) return null;
    switch (type) {
      case 0x2b: // +
        return { value: l.text, end: l.next };
      case 0x2d: // -
        return { value: new Error(l.text), end: l.next };
      case 0x3a: // :
        return { value: Number(l.text), end: l.next };
      case 0x24: {
        // $
        const n = Number(l.text);
        if (n < 0) return { value: null, end: l.next };
        if (this.buf.length < l.next + n + 2) return null;
        return { value: this.buf.toString('utf8', l.next, l.next + n), end: l.next + n + 2 };
      }
      case 0x2a: {
        // *
        const n = Number(l.text);
        if (n < 0) return { value: null, end: l.next };
        const items: Reply[] = [];
        let pos = l.next;
        for (let i = 0; i < n; i++) {
          const r = this.parse(pos);
          if (r === null) return null;
          items.push(r.value);
          pos = r.end;
        }
        return { value: items, end: pos };
      }
      default:
        throw new Error(`Redis protocol: unexpected reply type 0x${(type ?? 0).toString(16)}`);
    }
  }
}

function encode(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

interface Script {
  sha: string;
  lua: string;
  numberOfKeys: number;
}

function scriptArgs(script: Script, args: unknown[]): { keys: string[]; argv: Arg[] } {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const keys = list.slice(0, script.numberOfKeys).map(String);
  const argv = list.slice(script.numberOfKeys).map((a) => (Buffer.isBuffer(a) ? a : a === undefined || a === null ? '' : String(a)));
  return { keys, argv };
}

export class RespClient extends EventEmitter implements IRedisClient {
  status = 'wait';
  readonly isCluster = false;
  options: RespOptions;
  private socket: Socket | null = null;
  private readonly pending: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private readonly parser = new ReplyParser();
  private readonly scripts = new Map<string, Script>();
  private closing = false;

  constructor(options: RespOptions) {
    super();
    this.options = { ...options };
  }

  connect(): Promise<void> {
    this.status = 'connecting';
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.options.host, port: this.options.port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => {
        for (const reply of this.parser.push(chunk)) {
          const p = this.pending.shift();
          if (p === undefined) continue;
          if (reply instanceof Error) p.reject(reply);
          else p.resolve(reply);
        }
      });
      socket.once('connect', () => {
        this.status = 'connect';
        this.emit('connect');
        const ready = (): void => {
          this.status = 'ready';
          this.emit('ready');
          resolve();
        };
        if (this.options.db) this.command(['SELECT', this.options.db]).then(ready, reject);
        else ready();
      });
      socket.on('error', (err) => {
        if (this.status === 'connecting') reject(err);
        if (!this.closing && this.listenerCount('error') > 0) this.emit('error', err);
      });
      socket.on('close', () => {
        const wasOpen = this.status !== 'end';
        this.status = 'end';
        for (const p of this.pending.splice(0)) p.reject(new ConnectionClosedError(CLOSED));
        if (wasOpen) {
          this.emit('close');
          this.emit('end');
        }
      });
    });
  }

  /** Sends one command; its reply (an error reply rejects). */
  command(args: readonly Arg[]): Promise<Reply> {
    if (this.socket === null || this.status === 'end') return Promise.reject(new ConnectionClosedError(CLOSED));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket!.write(encode(args));
    });
  }

  disconnect(): void {
    this.closing = true;
    this.socket?.destroy();
  }

  async quit(): Promise<string> {
    this.closing = true;
    if (this.socket === null || this.status === 'end') return 'OK';
    try {
      await this.command(['QUIT']);
    } catch {
      // closed already
    }
    this.socket.destroy();
    return 'OK';
  }

  duplicate(...args: unknown[]): RespClient {
    const extra = (args[0] ?? {}) as Record<string, unknown>;
    return new RespClient({ ...this.options, ...extra });
  }

  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void {
    const script = { sha: createHash('sha1').update(definition.lua).digest('hex'), lua: definition.lua, numberOfKeys: definition.numberOfKeys };
    this.scripts.set(name, script);
    (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => this.runCommand(name, args);
  }

  script(name: string): Script {
    const s = this.scripts.get(name);
    if (s === undefined) throw new Error(`BullMQ: unknown command "${name}"`);
    return s;
  }

  async runCommand(name: string, args: unknown[]): Promise<unknown> {
    const script = this.script(name);
    const { keys, argv } = scriptArgs(script, args);
    try {
      return await this.command(['EVALSHA', script.sha, keys.length, ...keys, ...argv]);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return this.command(['EVAL', script.lua, keys.length, ...keys, ...argv]);
      throw err;
    }
  }

  multi(): IRedisTransaction {
    return new RespTransaction(this, true);
  }

  pipeline(): IRedisTransaction {
    return new RespTransaction(this, false);
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    const flat = (await this.command(['HGETALL', key])) as string[];
    const out: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
    return out;
  }
  async hget(key: string, field: string): Promise<string | null> {
    return (await this.command(['HGET', key, field])) as string | null;
  }
  async hmget(key: string, ...fields: string[]): Promise<(string | null)[]> {
    const list = fields.length === 1 && Array.isArray(fields[0]) ? (fields[0] as string[]) : fields;
    return (await this.command(['HMGET', key, ...list])) as (string | null)[];
  }
  async hset(key: string, data: Record<string, string | number>): Promise<number> {
    return (await this.command(['HSET', key, ...Object.entries(data).flat()])) as number;
  }
  async hdel(key: string, ...fields: string[]): Promise<number> {
    return (await this.command(['HDEL', key, ...fields])) as number;
  }
  async hexists(key: string, field: string): Promise<number> {
    return (await this.command(['HEXISTS', key, field])) as number;
  }
  async get(key: string): Promise<string | null> {
    return (await this.command(['GET', key])) as string | null;
  }
  async set(key: string, value: string | number, options?: { PX?: number; EX?: number }): Promise<string | null> {
    const extra: Arg[] = options?.PX !== undefined ? ['PX', options.PX] : options?.EX !== undefined ? ['EX', options.EX] : [];
    return (await this.command(['SET', key, value, ...extra])) as string | null;
  }
  async del(...keys: string[]): Promise<number> {
    return keys.length === 0 ? 0 : ((await this.command(['DEL', ...keys])) as number);
  }
  async zrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean }): Promise<string[]> {
    return (await this.command(['ZRANGE', key, start, end, ...(options?.WITHSCORES ? ['WITHSCORES'] : [])])) as string[];
  }
  async zrevrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean }): Promise<string[]> {
    return (await this.command(['ZREVRANGE', key, start, end, ...(options?.WITHSCORES ? ['WITHSCORES'] : [])])) as string[];
  }
  async zcard(key: string): Promise<number> {
    return (await this.command(['ZCARD', key])) as number;
  }
  async zscore(key: string, member: string): Promise<string | null> {
    return (await this.command(['ZSCORE', key, member])) as string | null;
  }
  async lrange(key: string, start: number, end: number): Promise<string[]> {
    return (await this.command(['LRANGE', key, start, end])) as string[];
  }
  async llen(key: string): Promise<number> {
    return (await this.command(['LLEN', key])) as number;
  }
  async ltrim(key: string, start: number, end: number): Promise<string> {
    return (await this.command(['LTRIM', key, start, end])) as string;
  }
  async lpos(key: string, value: string): Promise<number | null> {
    return (await this.command(['LPOS', key, value])) as number | null;
  }
  async smembers(key: string): Promise<string[]> {
    return (await this.command(['SMEMBERS', key])) as string[];
  }
  async xadd(key: string, id: string, fields: Record<string, string | number>, options?: { MAXLEN?: number; approximate?: boolean }): Promise<string> {
    const trim: Arg[] = options?.MAXLEN !== undefined ? ['MAXLEN', ...(options.approximate ? ['~'] : []), options.MAXLEN] : [];
    return (await this.command(['XADD', key, ...trim, id, ...Object.entries(fields).flat()])) as string;
  }
  async xread(streams: { key: string; id: string }[], options?: { BLOCK?: number; COUNT?: number }): Promise<unknown> {
    const opts: Arg[] = [...(options?.COUNT !== undefined ? ['COUNT', options.COUNT] : []), ...(options?.BLOCK !== undefined ? ['BLOCK', options.BLOCK] : [])];
    return this.command(['XREAD', ...opts, 'STREAMS', ...streams.map((s) => s.key), ...streams.map((s) => s.id)]);
  }
  async xtrim(key: string, strategy: 'MAXLEN', threshold: number, options?: { approximate?: boolean }): Promise<number> {
    return (await this.command(['XTRIM', key, strategy, ...(options?.approximate ? ['~'] : []), threshold])) as number;
  }
  async bzpopmin(key: string, timeout: number): Promise<[key: string, member: string, score: string] | null> {
    try {
      return (await this.command(['BZPOPMIN', key, timeout])) as [string, string, string] | null;
    } catch (err) {
      // A worker closing its blocking connection ends the wait with nothing.
      if (this.closing && err instanceof ConnectionClosedError) return null;
      throw err;
    }
  }
  async info(): Promise<string> {
    return (await this.command(['INFO'])) as string;
  }
  async clientSetName(name: string): Promise<unknown> {
    return this.command(['CLIENT', 'SETNAME', name]);
  }
  async clientList(): Promise<string> {
    return (await this.command(['CLIENT', 'LIST'])) as string;
  }
  async clientInfo(): Promise<string> {
    return (await this.command(['CLIENT', 'INFO'])) as string;
  }
  async scan(cursor: string | number, options: { MATCH?: string; COUNT?: number }): Promise<[string, string[]]> {
    const r = (await this.command(['SCAN', cursor, ...(options.MATCH !== undefined ? ['MATCH', options.MATCH] : []), ...(options.COUNT !== undefined ? ['COUNT', options.COUNT] : [])])) as [string, string[]];
    return [String(r[0]), r[1]];
  }
  /** The keys matching `match`, a batch (an array) at a time, as ioredis's scanStream gives them. */
  scanStream(options: { match: string; count?: number }): Readable {
    let cursor = '0';
    let started = false;
    const stream: Readable = new Readable({
      objectMode: true,
      read: () => {
        if (started && cursor === '0') {
          stream.push(null);
          return;
        }
        started = true;
        this.scan(cursor, { MATCH: options.match, ...(options.count !== undefined ? { COUNT: options.count } : {}) }).then(
          ([next, keys]) => {
            cursor = next;
            stream.push(keys);
          },
          (err: Error) => stream.destroy(err),
        );
      },
    });
    return stream;
  }
}

/** MULTI/EXEC (or a pipeline): commands queued, replies as `[error, value]` pairs. */
class RespTransaction implements IRedisTransaction {
  private readonly commands: { args: Arg[]; map?: (r: Reply) => unknown }[] = [];

  constructor(
    private readonly client: RespClient,
    private readonly atomic: boolean,
  ) {}

  private add(args: Arg[], map?: (r: Reply) => unknown): this {
    this.commands.push({ args, ...(map ? { map } : {}) });
    return this;
  }
  hgetall(key: string): this {
    return this.add(['HGETALL', key], (r) => {
      const flat = r as string[];
      const out: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
      return out;
    });
  }
  hset(key: string, data: Record<string, string | number>): this {
    return this.add(['HSET', key, ...Object.entries(data).flat()]);
  }
  hscan(key: string, cursor: string | number, options?: { COUNT?: number }): this {
    return this.add(['HSCAN', key, cursor, ...(options?.COUNT !== undefined ? ['COUNT', options.COUNT] : [])]);
  }
  smembers(key: string): this {
    return this.add(['SMEMBERS', key]);
  }
  sscan(key: string, cursor: string | number, options?: { COUNT?: number }): this {
    return this.add(['SSCAN', key, cursor, ...(options?.COUNT !== undefined ? ['COUNT', options.COUNT] : [])]);
  }
  zrange(key: string, start: number, end: number): this {
    return this.add(['ZRANGE', key, start, end]);
  }
  lrange(key: string, start: number, end: number): this {
    return this.add(['LRANGE', key, start, end]);
  }
  llen(key: string): this {
    return this.add(['LLEN', key]);
  }
  del(...keys: string[]): this {
    return this.add(['DEL', ...keys]);
  }
  runCommand(name: string, args: unknown[]): this {
    // EVAL, not EVALSHA: inside MULTI a NOSCRIPT could not be retried.
    const script = this.client.script(name);
    const { keys, argv } = scriptArgs(script, args);
    return this.add(['EVAL', script.lua, keys.length, ...keys, ...argv]);
  }

  async exec(): Promise<[Error | null, unknown][] | null> {
    if (this.atomic) {
      const sent = [this.client.command(['MULTI']), ...this.commands.map((c) => this.client.command(c.args)), this.client.command(['EXEC'])];
      const settled = await Promise.allSettled(sent);
      const exec = settled[settled.length - 1]!;
      if (exec.status === 'rejected') throw exec.reason;
      const replies = exec.value as Reply[] | null;
      if (replies === null) return null;
      return replies.map((r, i) => (r instanceof Error ? [r, null] : [null, this.commands[i]!.map ? this.commands[i]!.map!(r) : r]));
    }
    const settled = await Promise.allSettled(this.commands.map((c) => this.client.command(c.args)));
    return settled.map((s, i) => (s.status === 'rejected' ? [s.reason as Error, null] : [null, this.commands[i]!.map ? this.commands[i]!.map!(s.value) : s.value]));
  }
}

/** BullMQ connects through RespClient from now on (in this process). */
export function useRespClient(): void {
  RedisConnection.clientFactory = (opts) => new RespClient(opts as unknown as RespOptions);
}

/** `redis://HOST:PORT/DB` as connection options. */
export function parseRedisUrl(url: string): RespOptions | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'redis:' || u.hostname === '') return null;
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0) return null;
  return { host: u.hostname, port: u.port === '' ? 6379 : Number(u.port), db };
}
