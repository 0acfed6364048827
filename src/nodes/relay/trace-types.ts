/**
 * Trace record types of the relay: each `relay.*` record (and the relay's `auth.challenge`) is the
 * typed event of the same name that the relay's protocol machines emit (src/protocol/relay-events.ts).
 */
import type { RelayEvents } from '../../protocol/relay-events.js';

declare module '../../sim/trace.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface TraceTypes extends RelayEvents {}
}
