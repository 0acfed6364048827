import { describe, expect, it } from 'vitest';
import { certificateNameMatches } from '../../src/net/tls-session.js';
import type { CloseReason, TlsClientOptions, TlsServerOptions, TlsState } from '../../src/net/net-types.js';
import { text, world } from './helpers.js';

interface Outcome {
  client: { open: number | null; tls: TlsState | null; closed: CloseReason | null; offset?: number };
  server: { open: number | null; tls: TlsState | null; closed: CloseReason | null; got: string };
  records: ReturnType<typeof world>;
}

function handshake(server: TlsServerOptions, client: TlsClientOptions): Outcome {
  const w = world();
  w.net.addHost('c', { name: 'client.example.com' });
  w.net.addHost('s', { name: 'relay.example.com' });
  w.net.addLink('c', 's', { latency: 10_000 });
  const out: Outcome = {
    client: { open: null, tls: null, closed: null },
    server: { open: null, tls: null, closed: null, got: '' },
    records: w,
  };
  w.net.host('s').listen(
    2855,
    (conn) =>
      conn.setHandlers({
        onOpen: (x) => {
          out.server.open = w.sim.now;
          out.server.tls = x.tls;
        },
        onData: (_x, d) => (out.server.got += new TextDecoder().decode(d)),
        onClose: (_x, r) => (out.server.closed = r),
      }),
    server,
  );
  w.net.host('c').connect(
    { host: 'relay.example.com', port: 2855, tls: client },
    {
      onOpen: (x) => {
        out.client.open = w.sim.now;
        out.client.tls = x.tls;
        out.client.offset = x.bytesWritten;
        x.write(text.encode('MSRP a1 SEND\r\n'));
      },
      onClose: (_x, r) => (out.client.closed = r),
    },
  );
  w.sim.run({ until: 5_000_000 });
  return out;
}

describe('TLS', () => {
  it('1.3: one round trip after TCP; data then flows in clear text', () => {
    const o = handshake({ certificateNames: ['relay.example.com'] }, { serverName: 'relay.example.com' });
    // the first application byte lands after the ClientHello (300 bytes) and Finished (80)
    expect(o.client).toEqual({ open: 40_000, tls: { version: '1.3', peerNames: ['relay.example.com'], mutual: false }, closed: null, offset: 380 });
    expect(o.server).toMatchObject({ open: 50_000, got: 'MSRP a1 SEND\r\n', closed: null });
    const flights = o.records.of('tls.handshake').map((r) => [r.t, r.node, r.step]);
    expect(flights).toEqual([
      [20_000, 'c', 'ClientHello'],
      [30_000, 's', 'ServerHello,EncryptedExtensions,Certificate,CertificateVerify,Finished'],
      [40_000, 'c', 'Finished'],
    ]);
    // the handshake travels as real segments; the first payload byte is a TLS handshake record
    const firstData = o.records.of('tcp.segment').find((r) => (r.len as number) > 0)!;
    expect(firstData).toMatchObject({ node: 'c', len: 300 });
  });

  it('1.2: two round trips; the lower version of both sides is used', () => {
    const o = handshake({ certificateNames: ['relay.example.com'], version: '1.2' }, { serverName: 'relay.example.com' });
    expect(o.client.open).toBe(60_000);
    expect(o.server.open).toBe(50_000);
    expect(o.client.tls?.version).toBe('1.2');
    expect(o.records.of('tls.handshake').map((r) => r.step)).toEqual([
      'ClientHello',
      'ServerHello,Certificate,ServerHelloDone',
      'ClientKeyExchange,ChangeCipherSpec,Finished',
      'ChangeCipherSpec,Finished',
    ]);
  });

  it('a name mismatch fails on both sides with tls-failed and says why', () => {
    const o = handshake({ certificateNames: ['other.example.com'] }, { serverName: 'relay.example.com' });
    expect(o.client.open).toBeNull();
    expect(o.server.open).toBeNull();
    expect(o.client.closed).toEqual({
      kind: 'tls-failed',
      detail: "server certificate names [other.example.com] do not match 'relay.example.com'",
    });
    expect(o.server.closed).toEqual({ kind: 'tls-failed', detail: 'peer sent alert bad_certificate (42)' });
    expect(o.records.of('tls.fail').map((r) => r.node)).toEqual(['c', 's']);
    expect(o.server.got).toBe('');
  });

  it('a wildcard name covers exactly one label', () => {
    const o = handshake({ certificateNames: ['*.example.com'] }, { serverName: 'relay.example.com' });
    expect(o.client.tls?.peerNames).toEqual(['*.example.com']);
    expect(certificateNameMatches('*.example.com', 'relay.example.com')).toBe(true);
    expect(certificateNameMatches('*.example.com', 'a.relay.example.com')).toBe(false);
    expect(certificateNameMatches('*.example.com', 'example.com')).toBe(false);
    expect(certificateNameMatches('Relay.Example.com', 'relay.example.COM')).toBe(true);
  });

  it('mutual TLS: the server asks, the client presents its names, both know', () => {
    const o = handshake(
      { certificateNames: ['relay.example.com'], requestClientCertificate: true },
      { serverName: 'relay.example.com', certificateNames: ['client.example.com'] },
    );
    expect(o.client.tls).toEqual({ version: '1.3', peerNames: ['relay.example.com'], mutual: true });
    expect(o.server.tls).toEqual({ version: '1.3', peerNames: ['client.example.com'], mutual: true });
    expect(o.records.of('tls.handshake').map((r) => r.step)).toEqual([
      'ClientHello',
      'ServerHello,EncryptedExtensions,Certificate,CertificateRequest,CertificateVerify,Finished',
      'Certificate,CertificateVerify,Finished',
    ]);
    // asked, but the client has no certificate: not mutual, still open
    const plain = handshake({ certificateNames: ['relay.example.com'], requestClientCertificate: true }, { serverName: 'relay.example.com' });
    expect(plain.server.tls).toEqual({ version: '1.3', peerNames: [], mutual: false });
  });

  it('a TLS client meeting a plain server fails clearly', () => {
    const w = world();
    w.net.addHost('c');
    w.net.addHost('s');
    w.net.addLink('c', 's', { latency: 10_000 });
    let closed: CloseReason | null = null;
    w.net.host('s').listen(2855, (conn) => conn.setHandlers({ onData: (x) => x.write(text.encode('MSRP x 400 Bad\r\n')) }));
    w.net.host('c').connect({ host: 's', port: 2855, tls: { serverName: 's' } }, { onClose: (_x, r) => (closed = r) });
    w.sim.run({ until: 1_000_000 });
    expect(closed).toEqual({ kind: 'tls-failed', detail: 'peer does not speak TLS: first byte 0x4d' });
  });
});
