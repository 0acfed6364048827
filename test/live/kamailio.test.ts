/**
 * The repository's Kamailio configuration (config/kamailio/msrp-relay.cfg) and its harness, with a
 * raw-socket MSRP client: AUTH without credentials is challenged, AUTH with the right Digest gets
 * a Use-Path, and the relay started by the harness is gone once it is stopped.
 */
import { describe, expect, it } from 'vitest';
import { createConnection } from 'node:net';
import { kamailio, kamailioForFile, SKIP_KAMAILIO, startKamailio } from '../helpers/kamailio.js';
import { authFrame, headerOf, RawMsrpClient, sendFrame } from '../helpers/raw-msrp-client.js';
import { parseWwwAuthenticate } from '../../src/wire/digest.js';

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe.skipIf(kamailio === null)('a real Kamailio relay with the repository configuration', () => {
  const relay = kamailioForFile({ users: { alice: 'secret', bob: 'hunter2' }, realm: 'example.com' });

  it('challenges an AUTH without credentials with 401 and a Digest WWW-Authenticate (RFC 4976 §5)', async () => {
    const k = await relay();
    const c = await RawMsrpClient.connect(k.host, k.port);
    try {
      const tid = c.nextTid();
      c.write(authFrame(tid, k.uri, 'msrp://127.0.0.1:9;tcp'));
      const r = await c.response(tid);
      expect(r.statusCode).toBe(401);
      const www = headerOf(r, 'WWW-Authenticate');
      expect(www).toMatch(/^Digest /);
      const parsed = parseWwwAuthenticate(www!);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) {
        expect(parsed.value.realm).toBe('example.com');
        expect(parsed.value.qop).toContain('auth');
        expect(parsed.value.nonce.length).toBeGreaterThan(0);
      }
    } finally {
      await c.close();
    }
  });

  it('answers an AUTH with the right Digest with 200 and a Use-Path naming its msrp:// address', async () => {
    const k = await relay();
    const c = await RawMsrpClient.connect(k.host, k.port);
    try {
      const { challenge, result } = await c.auth(k.uri, 'msrp://127.0.0.1:9/alice;tcp', 'alice', 'secret');
      expect(challenge.statusCode).toBe(401);
      expect(result.statusCode).toBe(200);
      const usePath = headerOf(result, 'Use-Path');
      expect(usePath).toBeDefined();
      // use_path_addr is host:port; the module adds the scheme (plain msrp:// without the tls module).
      expect(usePath!).toMatch(new RegExp(`^msrp://${k.host.replace(/\./g, '\\.')}:${k.port}/[^ ]+;tcp$`));
    } finally {
      await c.close();
    }
  });

  it('refuses a wrong password with another 401', async () => {
    const k = await relay();
    const c = await RawMsrpClient.connect(k.host, k.port);
    try {
      const { result } = await c.auth(k.uri, 'msrp://127.0.0.1:9/bob;tcp', 'bob', 'wrong');
      expect(result.statusCode).toBe(401);
    } finally {
      await c.close();
    }
  });

  it('relays a SEND between two authenticated raw clients', async () => {
    const k = await relay();
    const a = await RawMsrpClient.connect(k.host, k.port);
    const b = await RawMsrpClient.connect(k.host, k.port);
    try {
      const aUri = 'msrp://127.0.0.1:9/a1;tcp';
      const bUri = 'msrp://127.0.0.1:9/b1;tcp';
      const aPath = headerOf((await a.auth(k.uri, aUri, 'alice', 'secret')).result, 'Use-Path')!;
      const bPath = headerOf((await b.auth(k.uri, bUri, 'bob', 'hunter2')).result, 'Use-Path')!;
      const tid = a.nextTid();
      a.write(sendFrame(tid, [aPath, bPath, bUri], [aUri], 'hello through kamailio'));
      expect((await a.response(tid)).statusCode).toBe(200);
      const got = await b.waitFor((f) => f.kind === 'request' && f.method === 'SEND');
      expect(got.kind === 'request' && new TextDecoder().decode(got.body!)).toBe('hello through kamailio');
      expect(got.toPath).toEqual([bUri]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe.skipIf(kamailio === null)('the Kamailio harness', () => {
  it('stops the relay by its PID: no process and no listener left', async () => {
    const k = await startKamailio({ users: { alice: 'secret' } });
    expect(await refused(k.host, k.port)).toBe(false);
    await k.stop();
    expect(processGone(k.pid)).toBe(true);
    expect(await refused(k.host, k.port)).toBe(true);
  });
});

describe.skipIf(kamailio !== null)('a real Kamailio relay', () => {
  it.skip(SKIP_KAMAILIO, () => {});
});
