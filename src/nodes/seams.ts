/**
 * The two seams a node's protocol machines are bound through: a connection and a clock with
 * timers. The simulated network and kernel implement them (sim-seams.ts); live mode will implement
 * them with node:net sockets and the wall clock. Nothing here may name anything simulated.
 */

import type { Micros } from '../sim/time.js';

/** Microseconds: the unit of every time and duration the model passes around. */
export type { Micros };

/** What a connection tells whoever reads it. */
export interface ConnectionEvents {
  /** Bytes arrived, in order. The slice is only valid during the call. */
  data(bytes: Uint8Array): void;
  /** The connection is gone (closed by either side, reset, or failed); `reason` says which. */
  closed(reason: string): void;
}

/** A byte stream to one peer. */
export interface Connection {
  /** Unique among the node's connections; the trace names the connection by it. */
  readonly id: string;
  /** Queues bytes to send, in order after what was written before. */
  write(bytes: Uint8Array): void;
  /** Closes the connection gracefully once what was written has gone. */
  close(): void;
  /** Sets who receives the connection's data and closed events (once, when a node adopts it). */
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
