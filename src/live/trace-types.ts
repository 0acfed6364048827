/**
 * Trace records of live mode (src/live/), merged into the kernel's `TraceTypes`. Times are the
 * run's virtual time, which in a live run follows the wall clock from the start of the run.
 * Addresses are `ip:port` as the operating system reports them.
 */
import type { Micros } from '../sim/time.js';

/** How a live connection ended. */
export type LiveCloseKind =
  /** This side closed it (the node, or the end of the run). */
  | 'local'
  /** The peer closed it (FIN). */
  | 'fin'
  /** The peer reset it (ECONNRESET, EPIPE). */
  | 'reset'
  /** The connect was refused (ECONNREFUSED) or did not complete (unreachable, timeout, TLS). */
  | 'refused'
  /** The peer stopped reading: what it had not read passed the limit, or did not move for too long. */
  | 'stalled'
  /** Another socket error. */
  | 'error';

declare module '../sim/trace.js' {
  interface TraceTypes {
    /** The run fell behind the wall clock: an event due at `due` ran `behind` µs late (best effort, as ns-3's RealtimeSimulatorImpl). */
    'live.lag': { due: Micros; behind: Micros };
    /** A live node listens on a real socket. */
    'live.listen': { address: string; tls: boolean };
    /** Listening failed (address in use, not permitted). */
    'live.listen-failed': { address: string; detail: string };
    /** A real connection was accepted. */
    'live.accept': { conn: string; local: string; remote: string; tls: boolean };
    /** A real connection is being opened to `target` (`host:port`). */
    'live.connect': { conn: string; target: string; tls: boolean };
    /** The connection (and TLS handshake) is up. */
    'live.open': { conn: string; local: string; remote: string; tls: boolean };
    /** The connection ended, how and why, with the bytes that crossed it. */
    'live.close': { conn: string; kind: LiveCloseKind; detail: string; bytesIn: number; bytesOut: number };
    /** Bytes that crossed a live connection, in order, with their offset in its stream (for the capture). */
    'live.bytes': { conn: string; direction: 'in' | 'out'; offset: number; len: number; data: string };
  }
}
