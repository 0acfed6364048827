/** The `--queue` URL: what ioredis is given, what messages show (never a password), what is refused. */
import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../src/cli/errors.js';
import { parseQueueUrl, redisOptions } from '../../src/cli/sweep/redis.js';

describe('parseQueueUrl', () => {
  it('reads host, port and database, with the defaults', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/2')).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, tls: false, hostPort: '10.0.0.5:6380', shown: 'redis://10.0.0.5:6380/2' });
    expect(parseQueueUrl('redis://queue.example')).toMatchObject({ host: 'queue.example', port: 6379, db: 0, shown: 'redis://queue.example:6379/0' });
    expect(parseQueueUrl('redis://[::1]:7000/1')).toMatchObject({ host: '::1', port: 7000, hostPort: '[::1]:7000' });
  });

  it('rediss:// is TLS, and user and password reach ioredis but never the messages', () => {
    const a = parseQueueUrl('rediss://sweeper:s3cret@10.0.0.5:6380/1');
    expect(a.tls).toBe(true);
    expect(a.url).toBe('rediss://sweeper:s3cret@10.0.0.5:6380/1');
    expect(a.shown).toBe('rediss://10.0.0.5:6380/1');
    expect(a.hostPort).not.toContain('s3cret');
  });

  it('anything but a redis:// or rediss:// URL with a whole database number is a usage error', () => {
    for (const url of ['http://h:6379/0', 'redis://h:6379/x', 'redis://h:6379/1/2', 'redis://h:6379/-1', 'redis:///0', 'h:6379', '']) {
      let err: unknown = null;
      try {
        parseQueueUrl(url);
      } catch (e) {
        err = e;
      }
      expect(err, url).toBeInstanceOf(CliError);
      expect((err as CliError).exitStatus, url).toBe(EXIT.usage);
    }
  });

  it('connections give up: no retry loop without end, and the Worker\'s maxRetriesPerRequest: null', () => {
    const o = redisOptions();
    expect(o.maxRetriesPerRequest).toBeNull();
    expect(o.lazyConnect).toBe(true);
    expect(o.connectTimeout).toBeGreaterThan(0);
    expect(o.retryStrategy!(1)).toBeGreaterThan(0);
    expect(o.retryStrategy!(1000)).toBeNull();
  });
});
