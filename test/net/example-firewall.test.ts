/**
 * Example: a phone behind a firewall and a relay outside it, talking over simulated TCP.
 *
 *     relay-b (relay.b.example.net) --5 ms-- fw-b --10 ms-- pra (phone.b.example.net)
 *                                              inside: [pra]
 *
 * 1. At 0 s the relay tries to open a connection to the phone. That is inbound, and no rule allows
 *    it, so the firewall drops the SYN and its retransmissions (`default-deny`); the relay gives
 *    up after its 1 s connect timeout.
 * 2. At 2 s the phone opens a connection to the relay. Outbound is allowed (`default-allow`), the
 *    firewall tracks it, and the replies come back in. The phone says "hello", the relay answers
 *    "world" and closes; both FINs cross the firewall, whose state for the connection lingers 10 s
 *    and then expires.
 *
 * The whole trace is below, one line per record, as the timeline would show it: time, node, what,
 * and the rule that made it happen. Sequence numbers are shown relative to each side's initial
 * sequence number (the records hold the real 32-bit numbers).
 */
import { describe, expect, it } from 'vitest';
import { formatTime } from '../../src/sim/time.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { text, untext, world } from './helpers.js';

function timeline(records: AnyTraceRecord[]): string[] {
  const isn = new Map<string, number>();
  const peer = new Map<string, string>();
  const rel = (conn: string, n: number): number => (n - (isn.get(conn) ?? 0)) >>> 0;
  const lines: string[] = [];
  for (const r of records) {
    if (r.type === 'tcp.connect' || r.type === 'tcp.accept') isn.set(r.conn as string, r.isn as number);
    if (r.type === 'tcp.accept') {
      peer.set(r.conn as string, r.peer as string);
      peer.set(r.peer as string, r.conn as string);
    }
    const at = `${formatTime(r.t)} ${r.node.padEnd(7)}`;
    const rule = r.rule ? `  [${r.rule}]` : '';
    const seg = (): string => {
      const c = r.conn as string;
      const ack = r.flags === 'S' || (r.flags as string).startsWith('R') ? '' : ` ack=${rel(peer.get(c) ?? '', r.ackNo as number)}`;
      return `${c} ${r.src} > ${r.dst} ${r.flags} seq=${rel(c, r.seqNo as number)}${ack} len=${r.len}`;
    };
    switch (r.type) {
      case 'sim.start':
      case 'sim.end':
        break;
      case 'net.link':
        lines.push(`${at} link ${r.link} latency=${r.latency}µs`);
        break;
      case 'net.host':
        lines.push(`${at} ${r.kind} ${r.name} = ${r.address}`);
        break;
      case 'net.route':
        lines.push(`${at} route to ${r.dst}: ${(r.path as string[]).join(' > ')}`);
        break;
      case 'tcp.segment':
        lines.push(`${at} ${seg()}  (to ${r.to}, arrives ${formatTime(r.arrival as number)})`);
        break;
      case 'fw.drop':
      case 'fw.reject':
        lines.push(`${at} ${r.type} ${seg()}: ${r.reason}${rule}`);
        break;
      case 'fw.pass':
        lines.push(`${at} fw.pass ${r.conn} ${r.direction} ${r.flow}${rule}`);
        break;
      case 'fw.expire':
        lines.push(`${at} fw.expire ${r.conn} ${r.flow} idle ${r.idle}µs${r.closed ? ' (closed)' : ''}${rule}`);
        break;
      case 'tcp.connect':
        lines.push(`${at} tcp.connect ${r.conn} ${r.local} > ${r.remote} (${r.target})`);
        break;
      case 'tcp.accept':
        lines.push(`${at} tcp.accept ${r.conn} (peer ${r.peer}) ${r.local} < ${r.remote}`);
        break;
      case 'tcp.open':
        lines.push(`${at} tcp.open ${r.conn} as ${r.role}`);
        break;
      case 'tcp.retransmit':
        lines.push(`${at} tcp.retransmit ${r.conn} ${r.flags} attempt ${r.attempt}, next timeout ${r.rto}µs`);
        break;
      case 'tcp.timeout':
        lines.push(`${at} tcp.timeout ${r.conn} ${r.phase}: ${r.detail}`);
        break;
      case 'tcp.close':
        lines.push(`${at} tcp.close ${r.conn} ${r.kind}: ${r.detail}${rule}`);
        break;
      default:
        lines.push(`${at} ${r.type} ${JSON.stringify(r)}`);
    }
  }
  return lines;
}

describe('example: a phone behind a firewall', () => {
  it('inbound is dropped by default-deny; outbound passes and its replies come back', () => {
    const w = world('example');
    w.net.addHost('relay-b', { name: 'relay.b.example.net' });
    w.net.addFirewall('fw-b', { inside: ['pra'] });
    w.net.addHost('pra', { name: 'phone.b.example.net' });
    w.net.addLink('relay-b', 'fw-b', { latency: 5_000 });
    w.net.addLink('fw-b', 'pra', { latency: 10_000 });

    const relay = w.net.host('relay-b');
    const phone = w.net.host('pra');
    let heard = '';
    relay.listen(2855, (conn) =>
      conn.setHandlers({
        onData: (c, bytes) => {
          heard += untext.decode(bytes);
          c.write(text.encode('world'));
          c.close();
        },
      }),
    );
    phone.listen(2855, () => undefined);

    // 1. inbound: the relay calls the phone
    relay.connect({ host: 'phone.b.example.net', port: 2855, connectTimeout: 1_000_000 }, {});
    // 2. outbound: the phone calls the relay
    let answer = '';
    w.sim.scheduler.at(2_000_000, () =>
      phone.connect(
        { host: 'relay.b.example.net', port: 2855 },
        { onOpen: (c) => c.write(text.encode('hello')), onData: (_c, bytes) => (answer += untext.decode(bytes)) },
      ),
    );
    w.sim.run();

    expect(heard).toBe('hello');
    expect(answer).toBe('world');
    expect(timeline(w.records)).toEqual([
      '+0.000000s         trace.format {"t":0,"seq":0,"node":"","type":"trace.format","version":2}',
      '+0.000000s         link fw-b<>relay-b latency=5000µs',
      '+0.000000s         link fw-b<>pra latency=10000µs',
      '+0.000000s fw-b    firewall fw-b = 10.0.2.1',
      '+0.000000s pra     host phone.b.example.net = 10.0.1.1',
      '+0.000000s relay-b host relay.b.example.net = 10.0.2.2',
      // 1. inbound: dropped by the default rule, again and again, until the caller gives up
      '+0.000000s relay-b tcp.connect c1 10.0.2.2:49152 > 10.0.1.1:2855 (phone.b.example.net)',
      '+0.000000s relay-b route to pra: relay-b > fw-b > pra',
      '+0.000000s relay-b c1 10.0.2.2:49152 > 10.0.1.1:2855 S seq=0 len=0  (to fw-b, arrives +0.005000s)',
      '+0.005000s fw-b    fw.drop c1 10.0.2.2:49152 > 10.0.1.1:2855 S seq=0 len=0: denied by rule  [default-deny]',
      '+0.200000s relay-b tcp.retransmit c1 S attempt 1, next timeout 400000µs',
      '+0.200000s relay-b c1 10.0.2.2:49152 > 10.0.1.1:2855 S seq=0 len=0  (to fw-b, arrives +0.205000s)',
      '+0.205000s fw-b    fw.drop c1 10.0.2.2:49152 > 10.0.1.1:2855 S seq=0 len=0: denied by rule  [default-deny]',
      '+0.600000s relay-b tcp.retransmit c1 S attempt 2, next timeout 800000µs',
      '+0.600000s relay-b c1 10.0.2.2:49152 > 10.0.1.1:2855 S seq=0 len=0  (to fw-b, arrives +0.605000s)',
      '+0.605000s fw-b    fw.drop c1 10.0.2.2:49152 > 10.0.1.1:2855 S seq=0 len=0: denied by rule  [default-deny]',
      '+1.000000s relay-b tcp.timeout c1 connect: no answer to SYN within 1 s',
      '+1.000000s relay-b tcp.close c1 timeout: no answer to SYN within 1 s',
      // 2. outbound: allowed and tracked; the replies find the state and come back in
      '+2.000000s pra     tcp.connect c2 10.0.1.1:49152 > 10.0.2.2:2855 (relay.b.example.net)',
      '+2.000000s pra     route to relay-b: pra > fw-b > relay-b',
      '+2.000000s pra     c2 10.0.1.1:49152 > 10.0.2.2:2855 S seq=0 len=0  (to fw-b, arrives +2.010000s)',
      '+2.010000s fw-b    fw.pass c2 outbound 10.0.1.1:49152>10.0.2.2:2855  [default-allow]',
      '+2.010000s fw-b    c2 10.0.1.1:49152 > 10.0.2.2:2855 S seq=0 len=0  (to relay-b, arrives +2.015000s)',
      '+2.015000s relay-b tcp.accept c3 (peer c2) 10.0.2.2:2855 < 10.0.1.1:49152',
      '+2.015000s relay-b c3 10.0.2.2:2855 > 10.0.1.1:49152 SA seq=0 ack=1 len=0  (to fw-b, arrives +2.020000s)',
      '+2.020000s fw-b    c3 10.0.2.2:2855 > 10.0.1.1:49152 SA seq=0 ack=1 len=0  (to pra, arrives +2.030000s)',
      '+2.030000s pra     tcp.open c2 as initiator',
      '+2.030000s pra     c2 10.0.1.1:49152 > 10.0.2.2:2855 PA seq=1 ack=1 len=5  (to fw-b, arrives +2.040000s)',
      '+2.040000s fw-b    c2 10.0.1.1:49152 > 10.0.2.2:2855 PA seq=1 ack=1 len=5  (to relay-b, arrives +2.045000s)',
      '+2.045000s relay-b tcp.open c3 as responder',
      '+2.045000s relay-b c3 10.0.2.2:2855 > 10.0.1.1:49152 FPA seq=1 ack=6 len=5  (to fw-b, arrives +2.050000s)',
      '+2.050000s fw-b    c3 10.0.2.2:2855 > 10.0.1.1:49152 FPA seq=1 ack=6 len=5  (to pra, arrives +2.060000s)',
      '+2.060000s pra     tcp.close c2 fin: closed by peer',
      '+2.060000s pra     c2 10.0.1.1:49152 > 10.0.2.2:2855 FA seq=6 ack=7 len=0  (to fw-b, arrives +2.070000s)',
      '+2.070000s fw-b    c2 10.0.1.1:49152 > 10.0.2.2:2855 FA seq=6 ack=7 len=0  (to relay-b, arrives +2.075000s)',
      '+2.075000s relay-b c3 10.0.2.2:2855 > 10.0.1.1:49152 A seq=7 ack=7 len=0  (to fw-b, arrives +2.080000s)',
      '+2.075000s relay-b tcp.close c3 fin: closed by this side',
      '+2.080000s fw-b    c3 10.0.2.2:2855 > 10.0.1.1:49152 A seq=7 ack=7 len=0  (to pra, arrives +2.090000s)',
      // both FINs crossed the firewall: its state lingers 10 s for stragglers, then goes
      '+12.080000s fw-b    fw.expire c2 10.0.1.1:49152>10.0.2.2:2855 idle 10000000µs (closed)',
    ]);
  });
});
