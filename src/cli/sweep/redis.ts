/**
 * The sweep queue's Redis connections, through ioredis (the driver BullMQ is built for): the
 * `--queue` URL checked and shown without its password, a connection opened with a deadline so an
 * unreachable Redis is a prompt error naming the address, and reconnects after a drop bounded so a
 * Redis gone for good ends the sweep or worker instead of retrying for ever.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { CliError, EXIT } from '../errors.js';

/** How long opening a connection (TCP, TLS, AUTH, SELECT and the ready check) may take. */
export const CONNECT_TIMEOUT_MS = 5000;
/** Reconnect attempts after a connection that was up drops (about a minute in all), then give up. */
export const RECONNECT_ATTEMPTS = 20;

/** A checked `--queue` URL. */
export interface QueueAddress {
  /** The URL as given, handed to ioredis (which reads the user, password, TLS and database from it). */
  url: string;
  host: string;
  port: number;
  db: number;
  tls: boolean;
  /** `HOST:PORT` (an IPv6 address in brackets), for messages. */
  hostPort: string;
  /** The URL without user or password, for messages. */
  shown: string;
}

/** `redis://[USER:PASSWORD@]HOST[:PORT][/DB]` or `rediss://...` (TLS); anything else is a usage error. */
export function parseQueueUrl(url: string): QueueAddress {
  const bad = (): CliError => new CliError(`--queue takes redis://HOST:PORT/DB (or rediss:// for TLS, with USER:PASSWORD@ if Redis asks for them), not \`${url}\``, EXIT.usage);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad();
  }
  if ((u.protocol !== 'redis:' && u.protocol !== 'rediss:') || u.hostname === '') throw bad();
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0 || !/^\/?\d*$/u.test(u.pathname)) throw bad();
  const tls = u.protocol === 'rediss:';
  const port = u.port === '' ? 6379 : Number(u.port);
  const host = u.hostname.replace(/^\[(.*)\]$/u, '$1');
  const hostPort = `${u.hostname}:${port}`;
  return { url, host, port, db, tls, hostPort, shown: `${u.protocol}//${hostPort}/${db}` };
}

/** ioredis options for a sweep connection. `maxRetriesPerRequest: null`, as BullMQ requires of a Worker's connection. */
export function redisOptions(): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: null,
    // After a drop: RECONNECT_ATTEMPTS tries, 250 ms apart growing to 3 s, then the connection
    // ends and every command waiting on it fails.
    retryStrategy: (times: number) => (times > RECONNECT_ATTEMPTS ? null : Math.min(times * 250, 3000)),
  };
}

/**
 * An open ioredis connection to `address`, ready for commands (database selected). One that
 * cannot be opened within CONNECT_TIMEOUT_MS is closed again and is an internal error (exit 3)
 * naming the address; `who` starts the message (`sweep`, `worker`).
 */
export async function connectRedis(address: QueueAddress, who: string): Promise<Redis> {
  const client = new Redis(address.url, redisOptions());
  let lastError: Error | null = null;
  // Errors while (re)connecting are reported through the commands that fail, and here.
  client.on('error', (err: Error) => void (lastError = err));
  // BullMQ's Worker duplicates the connection for its blocking waits and stops listening to the
  // duplicate's errors when it closes it; an error after that (a reconnect attempt under way when
  // Redis is gone) would reach no listener, and ioredis prints it as an "Unhandled error event".
  // While BullMQ listens, its own listener reports them (the worker's `error` event).
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (override?: Partial<RedisOptions>): Redis => {
    const copy = duplicate(override);
    copy.on('error', () => undefined);
    return copy;
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    client.disconnect();
    const reason = err instanceof Error && err.message !== 'Connection is closed.' ? err.message : (lastError as Error | null)?.message ?? 'the connection closed';
    throw new CliError(`${who}: cannot reach Redis at ${address.hostPort} (${address.shown}): ${reason}`, EXIT.internal);
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** Closes a connection: QUIT if it is up, else drop it; never throws. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // it closed meanwhile
    }
  }
  client.disconnect();
}
