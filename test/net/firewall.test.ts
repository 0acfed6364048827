import { describe, expect, it } from 'vitest';
import type { CloseReason, FirewallOptions, InspectorVerdict } from '../../src/net/net-types.js';
import type { TcpConnection } from '../../src/net/tcp-connection.js';
import { bytes, concat, sameBytes, text, world, type World } from './helpers.js';

/** outside host `out` -- firewall `fw` -- inside host `in`, 10 ms per link. */
function zone(opts: Partial<FirewallOptions> = {}): World {
  const w = world();
  w.net.addHost('out', { name: 'out.example.com' });
  w.net.addHost('in', { name: 'in.example.net' });
  w.net.addFirewall('fw', { inside: ['in'], ...opts });
  w.net.addLink('out', 'fw', { latency: 10_000 });
  w.net.addLink('fw', 'in', { latency: 10_000 });
  return w;
}

interface Side {
  conn: TcpConnection | null;
  got: Uint8Array[];
  closed: CloseReason | null;
  opened: number | null;
}

const side = (): Side => ({ conn: null, got: [], closed: null, opened: null });

/** `server` listens on `port` (echoing nothing); `client` connects; both sides are recorded. */
function open(w: World, client: string, server: string, port: number, tls = false): { c: Side; s: Side } {
  const c = side();
  const s = side();
  const serverName = w.net.host(server).name;
  w.net.host(server).listen(
    port,
    (conn) => {
      s.conn = conn;
      conn.setHandlers({
        onOpen: () => (s.opened = w.sim.now),
        onData: (_x, d) => s.got.push(d.slice()),
        onClose: (_x, r) => (s.closed = r),
      });
    },
    tls ? { certificateNames: [serverName] } : undefined,
  );
  c.conn = w.net.host(client).connect(
    { host: serverName, port, ...(tls ? { tls: { serverName } } : {}) },
    {
      onOpen: () => (c.opened = w.sim.now),
      onData: (_x, d) => c.got.push(d.slice()),
      onClose: (_x, r) => (c.closed = r),
    },
  );
  return { c, s };
}

const fw = (w: World): Array<[string, string | undefined, string]> =>
  w.of('fw.pass', 'fw.drop', 'fw.reject', 'fw.expire', 'nat.map').map((r) => [r.type, r.rule, String(r.flags ?? r.direction ?? r.flow)]);

describe('firewall', () => {
  it('lets outbound connections out and their replies back in (default-allow)', () => {
    const w = zone();
    const { c, s } = open(w, 'in', 'out', 2855);
    w.sim.scheduler.at(100_000, () => c.conn!.write(text.encode('hello')));
    w.sim.scheduler.at(200_000, () => s.conn!.write(text.encode('back')));
    w.sim.run({ until: 1_000_000 });
    expect(c.opened).toBe(40_000);
    expect(concat(s.got)).toEqual(text.encode('hello'));
    expect(concat(c.got)).toEqual(text.encode('back'));
    expect(fw(w)).toEqual([['fw.pass', 'default-allow', 'outbound']]);
    expect(w.of('fw.drop')).toEqual([]);
  });

  it('drops inbound connections by default: the caller times out', () => {
    const w = zone();
    const { c } = open(w, 'out', 'in', 2855);
    w.sim.run();
    expect(c.closed).toEqual({ kind: 'timeout', detail: 'no answer to SYN within 10 s' });
    const drops = w.of('fw.drop');
    expect(drops.length).toBe(6); // the SYN and its 5 retransmissions
    expect(drops[0]).toMatchObject({ node: 'fw', rule: 'default-deny', direction: 'inbound', flags: 'S', reason: 'denied by rule' });
  });

  it('rules: first match wins; allow inbound to a port; reject means RST and the caller sees refused', () => {
    const w = zone({
      rules: [
        { action: 'allow', direction: 'inbound', port: 2855 },
        { action: 'deny', direction: 'inbound', port: 80, mode: 'reject', id: 'no-web' },
        { action: 'deny', direction: 'outbound', host: 'out.example.com', port: 25 },
      ],
    });
    const ok = open(w, 'out', 'in', 2855);
    const web = open(w, 'out', 'in', 80);
    const mail = open(w, 'in', 'out', 25);
    w.sim.run({ until: 20_000_000 });
    expect(ok.c.opened).toBe(40_000);
    expect(web.c.closed).toEqual({ kind: 'refused', detail: 'rejected by firewall fw (rule no-web): denied by rule', rule: 'no-web' });
    expect(mail.c.closed?.kind).toBe('timeout');
    expect(w.of('fw.pass').map((r) => r.rule)).toEqual(['fw#1']);
    expect(w.of('fw.reject').map((r) => [r.rule, r.flags, r.t])).toEqual([['no-web', 'S', 10_000]]);
    expect(new Set(w.of('fw.drop').map((r) => r.rule))).toEqual(new Set(['fw#3']));
  });

  it('idle timeout: state expires; the next segment is dropped (idleMode drop)', () => {
    const w = zone({ idleTimeout: 5_000_000 });
    const { c, s } = open(w, 'in', 'out', 2855);
    w.sim.scheduler.at(100_000, () => c.conn!.write(text.encode('x')));
    w.sim.scheduler.at(20_000_000, () => s.conn!.write(text.encode('late reply')));
    w.sim.run({ until: 120_000_000 });
    const expire = w.of('fw.expire');
    // the last segment through the firewall was the ACK of 'x' (x: 100 ms -> fw 110 -> out 120; a
    // lone segment's ACK waits the 40 ms delayed-ACK time: out 160 -> fw 170)
    expect(expire.map((r) => [r.t, r.idle, r.rule, r.closed])).toEqual([[5_170_000, 5_000_000, 'idle-timeout', false]]);
    const drops = w.of('fw.drop');
    expect(drops[0]).toMatchObject({ t: 20_010_000, rule: 'idle-timeout', flags: 'PA', len: 10 });
    expect(c.got).toEqual([]);
    expect(s.closed).toMatchObject({ kind: 'timeout' });
  });

  it('idle timeout with idleMode reset: the next segment is answered with RST naming the rule', () => {
    const w = zone({ idleTimeout: 5_000_000, idleMode: 'reset' });
    const { c, s } = open(w, 'in', 'out', 2855);
    w.sim.scheduler.at(20_000_000, () => s.conn!.write(text.encode('late reply')));
    w.sim.run({ until: 30_000_000 });
    expect(s.closed).toEqual({
      kind: 'reset',
      detail: 'rejected by firewall fw (rule idle-timeout): connection state expired (idle)',
      rule: 'idle-timeout',
    });
    expect(w.of('fw.reject').map((r) => [r.t, r.rule, r.flags])).toEqual([[20_010_000, 'idle-timeout', 'PA']]);
    expect(c.closed).toBeNull(); // the inside end hears nothing until it sends
  });

  it('NAT: the far side sees the firewall address and a mapped port', () => {
    const w = zone({ nat: true, address: '203.0.113.1' });
    const { c, s } = open(w, 'in', 'out', 2855);
    w.sim.scheduler.at(100_000, () => c.conn!.write(text.encode('hi')));
    w.sim.scheduler.at(200_000, () => s.conn!.write(text.encode('ho')));
    w.sim.run({ until: 1_000_000 });
    expect(c.conn!.local).toEqual({ address: '10.0.1.1', port: 49152 });
    expect(s.conn!.remote).toEqual({ address: '203.0.113.1', port: 40000 });
    expect(concat(c.got)).toEqual(text.encode('ho'));
    expect(w.of('nat.map').map((r) => [r.inside, r.outside, r.remote])).toEqual([['10.0.1.1:49152', '203.0.113.1:40000', '10.0.2.1:2855']]);
    // segments on the outside link carry the mapped endpoint, on the inside link the real one
    const syn = w.of('tcp.segment').filter((r) => r.flags === 'S');
    expect(syn.map((r) => [r.link, r.src])).toEqual([
      ['fw<>in', '10.0.1.1:49152'],
      ['fw<>out', '203.0.113.1:40000'],
    ]);
    const synAck = w.of('tcp.segment').filter((r) => r.flags === 'SA');
    expect(synAck.map((r) => [r.link, r.dst])).toEqual([
      ['fw<>out', '203.0.113.1:40000'],
      ['fw<>in', '10.0.1.1:49152'],
    ]);
  });

  it('tls-only lets a TLS handshake through and stops clear text', () => {
    const rules: FirewallOptions['rules'] = [{ action: 'allow', direction: 'inbound', port: 443, tlsOnly: true, mode: 'reject', id: 'tls-in' }];
    const w = zone({ rules });
    const secure = open(w, 'out', 'in', 443, true);
    w.sim.run({ until: 1_000_000 });
    expect(secure.c.opened).not.toBeNull();
    expect(secure.s.opened).not.toBeNull();
    expect(w.of('fw.drop', 'fw.reject')).toEqual([]);

    const w2 = zone({ rules });
    const clear = open(w2, 'out', 'in', 443);
    w2.sim.scheduler.at(100_000, () => clear.c.conn!.write(text.encode('MSRP abc SEND\r\n')));
    w2.sim.run({ until: 1_000_000 });
    expect(clear.c.opened).toBe(40_000); // the SYN got through
    expect(clear.c.closed).toEqual({
      kind: 'reset',
      detail: 'rejected by firewall fw (rule tls-in): tls-only: first bytes are not a TLS handshake record (0x4d)',
      rule: 'tls-in',
    });
    expect(clear.s.got).toEqual([]);
    expect(w2.of('fw.reject').map((r) => [r.rule, r.reason])).toEqual([['tls-in', 'tls-only: first bytes are not a TLS handshake record (0x4d)']]);

    // with drop: the segment and its retransmissions are dropped, the caller times out
    const w3 = zone({ rules: [{ action: 'allow', direction: 'inbound', port: 443, tlsOnly: true }] });
    const quiet = open(w3, 'out', 'in', 443);
    w3.sim.scheduler.at(100_000, () => quiet.c.conn!.write(text.encode('MSRP abc SEND\r\n')));
    w3.sim.run();
    expect(quiet.c.closed).toEqual({ kind: 'timeout', detail: 'no acknowledgement after 6 retransmissions' });
    const drops = w3.of('fw.drop');
    expect(drops.map((r) => r.rule)).toEqual(Array(7).fill('fw#1'));
    expect(drops[0]!.reason).toBe('tls-only: first bytes are not a TLS handshake record (0x4d)');
    expect(drops[1]!.reason).toBe('blocked: tls-only: first bytes are not a TLS handshake record (0x4d)');
    expect(quiet.s.got).toEqual([]);
  });

  it('inspector: sees in-order payload; drop blocks the connection, reset resets both ends', () => {
    const seen: string[] = [];
    const inspect = (verdictOn: string, verdict: 'drop' | 'reset') => (flowText: string, payload: Uint8Array): InspectorVerdict => {
      const t = new TextDecoder().decode(payload);
      seen.push(`${flowText}:${t}`);
      return t.includes(verdictOn) ? { verdict, rule: 'sbc-1', reason: `saw ${verdictOn}` } : { verdict: 'pass' };
    };

    const w = zone();
    w.net.firewall('fw').setInspector((flow, direction, payload) => inspect('BAD', 'drop')(`${flow.direction}/${direction}`, payload));
    const a = open(w, 'in', 'out', 2855);
    w.sim.scheduler.at(100_000, () => a.c.conn!.write(text.encode('good')));
    w.sim.scheduler.at(200_000, () => a.s.conn!.write(text.encode('fine')));
    w.sim.scheduler.at(300_000, () => a.c.conn!.write(text.encode('BAD')));
    w.sim.scheduler.at(400_000, () => a.s.conn!.write(text.encode('more')));
    w.sim.run({ until: 30_000_000 });
    expect(seen).toEqual(['outbound/outbound:good', 'outbound/inbound:fine', 'outbound/outbound:BAD']);
    expect(concat(a.s.got)).toEqual(text.encode('good'));
    expect(concat(a.c.got)).toEqual(text.encode('fine'));
    expect(w.of('fw.drop')[0]).toMatchObject({ rule: 'sbc-1', reason: 'saw BAD', len: 3 });
    expect(new Set(w.of('fw.drop').slice(1).map((r) => r.reason))).toEqual(new Set(['blocked: saw BAD']));
    expect(a.c.closed?.kind).toBe('timeout');

    seen.length = 0;
    const w2 = zone();
    w2.net.firewall('fw').setInspector((flow, direction, payload) => inspect('BAD', 'reset')(`${flow.direction}/${direction}`, payload));
    const b = open(w2, 'in', 'out', 2855);
    w2.sim.scheduler.at(100_000, () => b.c.conn!.write(text.encode('BAD')));
    w2.sim.run({ until: 1_000_000 });
    expect(b.c.closed).toEqual({ kind: 'reset', detail: 'reset by firewall fw (rule sbc-1): saw BAD', rule: 'sbc-1' });
    expect(b.s.closed).toEqual({ kind: 'reset', detail: 'reset by firewall fw (rule sbc-1): saw BAD', rule: 'sbc-1' });
    expect(w2.of('fw.reject').map((r) => [r.rule, r.both])).toEqual([['sbc-1', true]]);
  });

  it('inspector sees bytes once and in order even when segments are lost before the firewall', () => {
    const w = zone();
    const pieces: Uint8Array[] = [];
    w.net.firewall('fw').setInspector((_f, direction, payload) => {
      if (direction === 'outbound') pieces.push(payload.slice());
      return { verdict: 'pass' };
    });
    w.net.setLink('in', 'fw', { bandwidth: 10_000_000 });
    w.net.dropSegment('in', 'fw', 3, (s) => s.len > 0);
    const { c, s } = open(w, 'in', 'out', 2855);
    const data = bytes(20_000, 9);
    w.sim.scheduler.at(100_000, () => c.conn!.write(data));
    w.sim.run({ until: 5_000_000 });
    expect(w.of('net.drop').map((r) => r.reason)).toEqual(['fault']);
    expect(sameBytes(concat(s.got), data)).toBe(true);
    expect(sameBytes(concat(pieces), data)).toBe(true);
  });

  it('flush: state is gone; the outside reply meets the rules as new (dropped), the inside side picks it up again', () => {
    const w = zone();
    const { c, s } = open(w, 'in', 'out', 2855);
    w.sim.scheduler.at(100_000, () => w.net.flushFirewall('fw'));
    w.sim.scheduler.at(200_000, () => s.conn!.write(text.encode('reply')));
    w.sim.scheduler.at(300_000, () => c.conn!.write(text.encode('ping')));
    w.sim.run({ until: 3_000_000 });
    expect(w.of('fault.flush').map((r) => [r.node, r.flows])).toEqual([['fw', 1]]);
    expect(fw(w).slice(0, 3)).toEqual([
      ['fw.pass', 'default-allow', 'outbound'],
      ['fw.drop', 'default-deny', 'PA'],
      ['fw.pass', 'default-allow', 'outbound'],
    ]);
    expect(w.of('fw.pass')[1]).toMatchObject({ midStream: true, t: 310_000 });
    // the reply's retransmission then finds state and arrives
    expect(concat(c.got)).toEqual(text.encode('reply'));
    expect(concat(s.got)).toEqual(text.encode('ping'));
  });
});
