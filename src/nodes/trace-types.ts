/**
 * Trace record types of the node layer, merged into the kernel's TraceTypes. Each record's fields
 * are an interface in records/ (one file per family), or the typed event of the endpoint's protocol
 * machine that emits it; `msrp.send` and `msrp.recv` carry a frame
 * (frame-record.ts). The relay's records are typed in relay/trace-types.ts. docs/trace-format.md
 * describes every record.
 */
import type * as E from './records/endpoint-records.js';
import type * as M from './records/msrp-records.js';
import type * as S from './records/session-records.js';
import type * as A from './records/scenario-records.js';
import type { EndpointEvents } from '../protocol/endpoint-events.js';
import './relay/trace-types.js';

declare module '../sim/trace.js' {
  // The endpoint machines' events are their records (src/protocol/endpoint-events.ts).
  interface TraceTypes extends EndpointEvents {
    'sip.send': A.SipSendRecord;
    'sip.recv': A.SipRecvRecord;
    'sip.stale': A.SipStaleRecord;
    'sip.timeout': A.SipTimeoutRecord;
    'action.auth': A.ActionAuthRecord;
    'action.end': A.ActionEndRecord;
    'action.raw': A.ActionRawRecord;
    'action.raw-connect': A.ActionRawConnectRecord;
    'action.send': A.ActionSendRecord;
    'action.fault': A.ActionFaultRecord;
    'action.set': A.ActionSetRecord;
    'action.session': A.ActionSessionRecord;
    'fw.policy': A.FirewallPolicyRecord;
    'fw.policy-skip': A.FirewallPolicySkipRecord;
    'node.crash': A.NodeCrashRecord;
    'node.restart': A.NodeRestartRecord;
    'endpoint.abort': E.EndpointAbortRecord;
    'endpoint.aborted': E.EndpointAbortedRecord;
    'endpoint.chunk': E.EndpointChunkRecord;
    'endpoint.connect': E.EndpointConnectRecord;
    'endpoint.deliver': E.EndpointDeliverRecord;
    'endpoint.forced': E.EndpointForcedRecord;
    'endpoint.message': E.EndpointMessageRecord;
    'endpoint.no-response': E.EndpointNoResponseRecord;
    'endpoint.reject': E.EndpointRejectRecord;
    'endpoint.relay-connected': E.EndpointRelayConnectedRecord;
    'endpoint.relay-lost': E.EndpointRelayLostRecord;
    'endpoint.report': E.EndpointReportRecord;
    'endpoint.report-ignored': E.EndpointReportIgnoredRecord;
    'endpoint.report-sent': E.EndpointReportSentRecord;
    'endpoint.response': E.EndpointResponseRecord;
    'endpoint.reuse': E.EndpointReuseRecord;
    'endpoint.send-refused': E.EndpointSendRefusedRecord;
    'endpoint.send-failed': E.EndpointSendFailedRecord;
    'endpoint.send-queued': E.EndpointSendQueuedRecord;
    'endpoint.sent': E.EndpointSentRecord;
    'endpoint.too-large': E.EndpointTooLargeRecord;
    'endpoint.unconfirmed': E.EndpointUnconfirmedRecord;
    'msrp.limit': M.MsrpLimitRecord;
    'msrp.malformed': M.MsrpMalformedRecord;
    'msrp.raw': M.MsrpRawRecord;
    'msrp.recv': M.MsrpRecvRecord;
    'msrp.send': M.MsrpSendRecord;
    'msrp.violation': M.MsrpViolationRecord;
    'session.abandoned': S.SessionAbandonedRecord;
    'session.answer': S.SessionAnswerRecord;
    'session.answer-ignored': S.SessionAnswerIgnoredRecord;
    'session.bind': S.SessionBindRecord;
    'session.bound': S.SessionBoundRecord;
    'session.closed': S.SessionClosedRecord;
    'session.established': S.SessionEstablishedRecord;
    'session.failed': S.SessionFailedRecord;
    'session.offer': S.SessionOfferRecord;
    'session.reestablish': S.SessionReestablishRecord;
    'session.reject': S.SessionRejectRecord;
    'session.rejected': S.SessionRejectedRecord;
    'session.reoffer': S.SessionReofferRecord;
    'session.reoffer-refused': S.SessionReofferRefusedRecord;
    'session.reoffer-rejected': S.SessionReofferRejectedRecord;
    'session.update': S.SessionUpdateRecord;
    'session.updated': S.SessionUpdatedRecord;
  }
}
