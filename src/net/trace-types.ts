/**
 * The network layer's trace records, merged into the kernel's `TraceTypes`. `node` of a record is
 * the host or firewall it is about ('' for the network as a whole). Endpoints are `ip:port`
 * strings as on the wire at that point; `seqNo` and `ackNo` are the real 32-bit TCP numbers (from a
 * random initial sequence number per connection), so a pcap can be written from records alone.
 * No record carries payload bytes.
 */
import type { Micros } from '../sim/time.js';
import type { CloseKind, FirewallDirection, SegmentFields } from './net-types.js';

declare module '../sim/trace.js' {
  interface TraceTypes {
    /** A host or firewall and its address (when the address plan is fixed, or when added later). */
    'net.host': { kind: 'host' | 'firewall'; name: string; address: string; names: string[] };
    /** A link was added; `bandwidth` null means unlimited. */
    'net.link': {
      link: string;
      a: string;
      b: string;
      latency: Micros;
      jitter: Micros;
      bandwidth: number | null;
      loss: number;
      mss: number;
      queueLimit: number;
    };
    /** A route was computed and differs from the last one recorded for that pair (`path` null: none). */
    'net.route': { dst: string; path: string[] | null; latency: Micros | null };
    /** A segment was lost at `node` (on `link` when it was crossing one), and why. */
    'net.drop': SegmentFields & { link: string | null; reason: string };

    /** A connection attempt (`remote` is `0.0.0.0:port` when the name did not resolve). */
    'tcp.connect': { conn: string; local: string; remote: string; target: string; tls: boolean; isn: number };
    /** A SYN reached a listener: the responding side `conn` of the initiator's `peer`. */
    'tcp.accept': { conn: string; peer: string; local: string; remote: string; isn: number };
    /** The TCP handshake completed on this side. */
    'tcp.open': {
      conn: string;
      role: 'initiator' | 'responder';
      local: string;
      remote: string;
      isn: number;
      peerIsn: number;
      mss: number;
    };
    /** A segment put on a link by `node` towards `to`; `hop` counts the links it crossed before, `arrival` is when it reaches `to` unless lost. */
    'tcp.segment': SegmentFields & { link: string; to: string; hop: number; arrival: Micros };
    /** A retransmission after a timeout (`attempt` counts them) or three duplicate ACKs (`attempt` 0). */
    'tcp.retransmit': { conn: string; seqNo: number; len: number; flags: string; attempt: number; rto: Micros };
    /** The connection ended for its application (once per connection). */
    'tcp.close': { conn: string; kind: CloseKind; detail: string };
    /** `node` answered a SYN for a port nobody listens on with RST. */
    'tcp.refused': { conn: string; src: string; dst: string };
    /**
     * A handshake, the retransmissions of a segment, or the wait for the peer's FIN ran out of
     * time. It can follow a `tcp.close` of kind 'fin' (the peer closed, our last data then failed).
     */
    'tcp.timeout': { conn: string; phase: 'connect' | 'data' | 'close'; retries: number; detail: string };

    /** A TLS flight this side sent (`step` lists its messages). */
    'tls.handshake': { conn: string; role: 'client' | 'server'; step: string; version: '1.2' | '1.3'; bytes: number };
    'tls.established': { conn: string; role: 'client' | 'server'; version: '1.2' | '1.3'; peerNames: string[]; mutual: boolean };
    'tls.fail': { conn: string; role: 'client' | 'server'; detail: string };

    /** A firewall let a new connection (or, after lost state, a connection met mid-stream) through. */
    'fw.pass': { conn: string; flow: string; direction: FirewallDirection; midStream: boolean };
    /** A firewall dropped a segment; `rule` names why (a rule id, `default-deny`, `idle-timeout`, ...). */
    'fw.drop': SegmentFields & { flow: string; direction: FirewallDirection; reason: string };
    /** A firewall rejected a segment: RST to its sender (and to the other end for an inspector reset). */
    'fw.reject': SegmentFields & { flow: string; direction: FirewallDirection; reason: string; both: boolean };
    /** Connection state expired: idle for `idle` µs, or lingering after the connection closed. */
    /** A firewall's rules were replaced (scenario action `set`). */
    'fw.rules': { rules: string[] };
    /** A firewall's idle timeout or idle mode changed (scenario action `set`). */
    'fw.idle': { idleTimeout: Micros; idleMode: 'drop' | 'reset' };
    'fw.expire': { conn: string; flow: string; idle: Micros; closed: boolean };
    /** NAT gave an outbound connection an outside endpoint. */
    'nat.map': { conn: string; inside: string; outside: string; remote: string };

    'fault.link-down': { link: string };
    'fault.link-up': { link: string };
    'fault.set-link': { link: string; changes: Record<string, number | null> };
    'fault.partition': { groups: string[][] };
    'fault.heal': Record<never, never>;
    'fault.crash': { connections: number };
    'fault.restart': Record<never, never>;
    'fault.reset': { conn: string; peer: string | null };
    'fault.flush': { flows: number };
    /** Armed: the `n`-th matching segment crossing `link` from now on will be dropped. */
    'fault.drop-segment': { link: string; n: number };
  }
}

export {};
