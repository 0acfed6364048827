/**
 * The two seams a node's protocol machines are bound through: a connection and a clock with
 * timers. The simulated network and kernel implement them (sim-connection.ts, sim-clock.ts); live
 * mode will implement them with node:net sockets and the wall clock. Nothing here may name
 * anything simulated: every fact a connection offers is plain data a socket can give too.
 */

import type { Micros } from '../sim/time.js';

/** Microseconds: the unit of every time and duration the model passes around. */
export type { Micros };

/**
 * Where a connection is in its life: `connecting` until its handshakes (TCP, and TLS when there
 * is one) are over, `open` while both directions may carry bytes, `closing` once a side has
 * begun closing, `closed` when it is gone.
 */
export type StreamState = 'connecting' | 'open' | 'closing' | 'closed';

/** Why a connection ended. */
export interface ConnectionCloseReason {
  /** A word for the kind of end: `closed`, `reset`, `timeout`, `tls-failed`, `aborted`, ... */
  kind: string;
  /** A sentence for people: who did what and why. */
  detail: string;
  /** The rule that caused it, when one did (a firewall rule id, `idle-timeout`, ...). */
  rule?: string;
}

/** The facts a completed TLS handshake establishes. */
export interface ConnectionTls {
  version: '1.2' | '1.3';
  /** The names of the peer's certificate (a client's only in mutual TLS). */
  peerNames: string[];
  /** Both sides presented a certificate. */
  mutual: boolean;
}

/** An address and port. */
export interface ConnectionAddress {
  address: string;
  port: number;
}

/** What a connection tells whoever reads it. */
export interface ConnectionEvents {
  /** The handshakes are over (TCP, and TLS when there is one): `tls` is known from here on. */
  opened(): void;
  /**
   * Bytes arrived, in order. The array is never changed afterwards, so a reader may keep views
   * into it instead of copying (the MSRP parser does, for bodies).
   */
  data(bytes: Uint8Array): void;
  /**
   * Little of what was written waits to be sent any more: a writer that paces itself against
   * `bufferedAmount` writes more here.
   */
  drained(): void;
  /** The connection is gone (closed by either side, reset, or failed); `reason` says which. */
  closed(reason: ConnectionCloseReason): void;
}

/** A byte stream to one peer. */
export interface Connection {
  /** Unique among the node's connections; the trace names the connection by it. */
  readonly id: string;
  readonly state: StreamState;
  /** This side opened the connection (it is the client of its handshakes). */
  readonly initiator: boolean;
  /** The peer's address and port. */
  readonly remote: ConnectionAddress;
  /**
   * The id of the peer's own connection when the peer writes into the same trace (a simulated
   * peer); null or absent for a real one. The trace's frame references are made from it.
   */
  readonly peerConnection?: string | null;
  /** What the TLS handshake established, once the connection is open; null for plain TCP. */
  readonly tls: ConnectionTls | null;
  /**
   * Offset in this side's byte stream of the next byte written: where a write lands. Bytes
   * written before the connection opened enter the stream when it opens, so it is meaningful
   * once `opened` has been called.
   */
  readonly bytesWritten: number;
  /** Stream offset up to which the peer has acknowledged (received) this side's bytes. */
  readonly bytesAcknowledged: number;
  /** Bytes written but not yet sent: what a paced writer watches. */
  readonly bufferedAmount: number;
  /** This side has closed its direction: it can still receive, but writes are ignored. */
  readonly sendClosed: boolean;
  /**
   * Queues bytes to send, in order after what was written before. The array is not copied: it
   * must not be changed after it is written. Writes after `close()` are ignored.
   */
  write(bytes: Uint8Array): void;
  /** Closes the connection gracefully once what was written has gone. */
  close(): void;
  /** Ends the connection at once, discarding what waits to be sent (a TCP reset). */
  reset(): void;
  /** Sets who receives the connection's events (once, when a node adopts it). */
  listen(events: ConnectionEvents): void;
}

/**
 * A clock and its timers. Timers due at the same time fire in the order they were set. A timer is
 * set for an absolute time (`now + delay` for a delay): no object per timer on hot paths.
 */
export interface Clock<H = unknown> {
  readonly now: Micros;
  /** Runs `fire` at time `at` (not before now). */
  setTimer(at: Micros, fire: () => void): H;
  /** Cancels a timer that has not fired yet; a null, fired or cancelled handle is ignored. */
  cancel(handle: H | null): void;
}
