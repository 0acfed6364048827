/**
 * Trace record types of the node layer (merged into the kernel's TraceTypes). `msrp.send` and
 * `msrp.recv` carry a whole frame (frame-record.ts); the others carry the decision's own fields.
 * The relay's records are typed in relay/trace-types.ts.
 */
import type { FrameFields } from './frame-record.js';
import './relay/trace-types.js';

/** Fields of a node decision record: plain JSON data. */
export type Fields = Record<string, unknown>;

declare module '../sim/trace.js' {
  interface TraceTypes {
    'sip.send': Fields;
    'sip.recv': Fields;
    'sip.stale': Fields;
    /** RFC 3261 §17.1.1.2: an INVITE got no final response before Timer B. */
    'sip.timeout': Fields;
    'action.auth': Fields;
    'action.end': Fields;
    'action.raw': Fields;
    'action.raw-connect': Fields;
    'action.send': Fields;
    'action.fault': Fields;
    'action.set': Fields;
    'action.session': Fields;
    'auth.challenged': Fields;
    'auth.fail': Fields;
    'auth.ok': Fields;
    'auth.refresh': Fields;
    'auth.request': Fields;
    'auth.retry-expires': Fields;
    'fw.policy': Fields;
    'fw.policy-skip': Fields;
    'endpoint.abort': Fields;
    'endpoint.aborted': Fields;
    'endpoint.chunk': Fields;
    'endpoint.connect': Fields;
    'endpoint.deliver': Fields;
    'endpoint.forced': Fields;
    'endpoint.message': Fields;
    'endpoint.no-response': Fields;
    'endpoint.ready': Fields;
    'endpoint.reject': Fields;
    'endpoint.relay-connected': Fields;
    'endpoint.relay-lost': Fields;
    'endpoint.report': Fields;
    'endpoint.report-ignored': Fields;
    'endpoint.report-sent': Fields;
    'endpoint.response': Fields;
    'endpoint.reuse': Fields;
    'endpoint.send-refused': Fields;
    /** A send that waited for its session, which failed or ended before it was established. */
    'endpoint.send-failed': Fields;
    /** A send waits for its session to be established. */
    'endpoint.send-queued': Fields;
    'endpoint.sent': Fields;
    'endpoint.stray-response': Fields;
    'endpoint.timeout': Fields;
    'endpoint.too-large': Fields;
    'endpoint.violation': Fields;
    'msrp.limit': Fields;
    'msrp.malformed': Fields;
    'msrp.raw': Fields;
    'msrp.recv': FrameFields & { conn: string };
    'msrp.send': FrameFields & { conn: string; offset: number; length: number };
    'msrp.violation': Fields;
    'node.crash': Fields;
    'node.restart': Fields;
    'session.answer': Fields;
    'session.answer-ignored': Fields;
    /** E-28: the session ended before success REPORTs covered a message that asked for them. */
    'endpoint.unconfirmed': Fields;
    /** A session ended while its offer or answer waited for the AUTH: that step is not taken. */
    'session.abandoned': Fields;
    'session.bind': Fields;
    'session.bound': Fields;
    'session.closed': Fields;
    'session.established': Fields;
    'session.failed': Fields;
    'session.offer': Fields;
    'session.reestablish': Fields;
    'session.reject': Fields;
    'session.rejected': Fields;
    'session.reoffer': Fields;
    'session.reoffer-refused': Fields;
    'session.reoffer-rejected': Fields;
    'session.update': Fields;
    'session.updated': Fields;
  }
}
