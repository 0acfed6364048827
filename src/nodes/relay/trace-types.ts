/**
 * Trace record types of the relay: each `relay.*` record (and the relay's `auth.challenge`) is the
 * typed event of the same name that the relay's protocol machines emit (src/protocol/relay-events.ts).
 * The `state.*` records of both nodes (src/protocol/state-events.ts) are merged here too.
 */
import type { RelayEvents } from '../../protocol/relay-events.js';
import type { StateEvents } from '../../protocol/state-events.js';

declare module '../../sim/trace.js' {
  interface TraceTypes extends RelayEvents, StateEvents {}
}
