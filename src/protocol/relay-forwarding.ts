/**
 * The relay's forwarding decision (RFC 4976 §6.2-§6.4; CHECKLIST d.2 R-10, d.4 R-17 to R-26, d.5):
 * the checks a request passes before it is forwarded (R-10, R-17 with the token table of the AUTH
 * server, the profile's limits), the path rewrite (R-19), what the relay answers itself and when
 * (the d.5 response table: R-20, A-01, A-02, A-11), the transaction ids of what it forwards
 * (R-18), and how it re-chunks a SEND (R-23; cut-through for a profile that streams). Sans-I/O: it
 * acts through a RelayHost, and through RelayLinks for what only the node can do (open a
 * connection, write a SEND's chunks).
 */
import { buildRequest } from '../wire/builder.js';
import { malformedViolation } from '../wire/tolerance.js';
import type { ByteRange, Continuation, FailureReport, MsrpRequest, MsrpResponse } from '../wire/frame.js';
import { pathUri } from '../wire/path-uris.js';
import type { MsrpUri } from '../wire/uri.js';
import type { AuthPeer, AuthServer } from './auth-server.js';
import { authority, forwardPaths, namesRelay } from './paths.js';
import { answer, header, receivedSize, type RelayHost } from './relay-host.js';
import { DISCARD, type ForwardingSettings, type RelayLinks } from './relay-links.js';
import { deviation, reasonFor, type RelayProfile } from './relay-profile.js';
import { Forwarded, type RelayTransactions } from './relay-transactions.js';
import { effectiveFailureReport } from './report.js';
import { routeSession, sessionOf } from './relay-sessions.js';
import { msrprelayPathsReadable, UNREADABLE_PATH } from './msrprelay-uri.js';
import { SessionLegs } from './session-legs.js';
import { ForwardedChunks } from './forwarded-chunks.js';
import { MessageSender } from './message-sender.js';
import type { RequestStream, SendSource } from './send-source.js';

/** What a request that passed the relay's checks is forwarded with. */
interface Admitted<C> {
  /** The request with the paths as this relay consumed them (more than one URI if it was the next hop too). */
  routed: MsrpRequest;
  next: string;
  outConn: C | null;
  own: string;
  fr: FailureReport;
  /** Called with the connection the request goes out on, once known (a profile's session keeps it). */
  onTarget?: (target: C) => void;
}

const KNOWN = new Set([
  'to-path', 'from-path', 'message-id', 'byte-range', 'success-report', 'failure-report', 'status', 'expires',
  'min-expires', 'max-expires', 'use-path', 'www-authenticate', 'authorization', 'authentication-info', 'content-type',
]);

export class RelayForwarding<C, T> {
  /** msrprelay: what its sessions do to a connection beyond routing (session-legs.ts). */
  private readonly legs: SessionLegs<C, T>;

  constructor(
    private readonly host: RelayHost<C, T>,
    private readonly links: RelayLinks<C>,
    private readonly auth: AuthServer<C, T>,
    private readonly transactions: RelayTransactions<C, T>,
    private readonly settings: ForwardingSettings,
    /** The relay's own URI, parsed and as text. */
    private readonly base: MsrpUri,
    private readonly baseUri: string,
    /** The profile every decision from now on follows; the node changes it on a scenario `set`. */
    public profile: RelayProfile,
  ) {
    this.legs = new SessionLegs(host, auth, () => this.profile);
  }

  /** A whole request on `conn` (whose AUTH standing is `peer`). */
  request(conn: C, peer: AuthPeer<C, T>, frame: MsrpRequest): void {
    const admitted = this.admit(conn, peer, frame);
    if (admitted) this.forward(conn, frame, admitted);
    // msrprelay: the whole request came in one read, its end-line with it.
    else this.legs.ended(conn);
  }

  /** A response on `conn`: whether the relay acts on it (a profile may ignore it, session-legs.ts). */
  response(conn: C, frame: MsrpResponse): boolean {
    return this.legs.response(conn, frame);
  }

  /**
   * The checks a request passes before it is forwarded (R-10, R-17, the profile's limits), and
   * where it goes. Anything refused is answered or dropped here, and null returned. For a request
   * that is streamed (cut-through) this runs on its head, before the body has arrived.
   */
  private admit(conn: C, peer: AuthPeer<C, T>, frame: MsrpRequest): Admitted<C> | null {
    if (this.links.sendClosed(conn)) {
      // This relay has closed the connection (probation, failed AUTHs): the response "MUST be
      // transmitted back on the same connection" (E-33), which can carry nothing more, so the
      // request is not acted on (no token is granted on a connection being closed).
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: 'the relay has closed this connection; no response can go back on it' }, 'E-33');
      return null;
    }
    if (this.profile.unreadablePathDropped && !msrprelayPathsReadable(frame)) {
      // msrprelay reads every path URI first and, when one does not read, has nowhere to send a
      // response (relay.py 361-364 and 486-489; protocol.py `parse_uri`).
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: UNREADABLE_PATH }, deviation(this.profile, 'unreadable-path'));
      return null;
    }
    // docs/tolerance.md: a request the relay cannot act on (a Byte-Range, Status, Expires or
    // report value outside its grammar, an empty Message-ID, a Digest header that does not parse,
    // a header given twice with different values) is not forwarded; RFC 4975 §10.2: "A 400
    // response indicates that a request was unintelligible", unless no response is due at all
    // (a REPORT, Failure-Report no: A-11).
    const unactionable = malformedViolation(frame);
    if (unactionable !== undefined) {
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: `malformed: ${unactionable.message}` }, unactionable.rule);
      this.reject(conn, frame, effectiveFailureReport(frame.failureReport), 400, unactionable.rule);
      return null;
    }
    const size = this.profile.dropConnectionAt !== null || this.profile.rejectFramesAbove !== null ? receivedSize(frame) : 0;
    if (this.profile.dropConnectionAt !== null && size >= this.profile.dropConnectionAt) {
      this.host.emit('relay.drop-connection', { conn: this.host.connId(conn), size }, deviation(this.profile, 'drop-connection-large-frame'));
      this.host.reset(conn);
      return null;
    }
    if (this.profile.closeOnNonSendBodyAbove !== null && frame.method !== 'SEND' && (frame.body?.length ?? 0) > this.profile.closeOnNonSendBodyAbove) {
      this.host.emit('relay.drop-connection', { conn: this.host.connId(conn), bodyLength: frame.body?.length ?? 0 }, deviation(this.profile, 'close-large-non-send'));
      this.host.close(conn);
      return null;
    }
    const fr = effectiveFailureReport(frame.failureReport);
    const first = pathUri(frame.toPath, 0);
    if (this.profile.servedScheme !== null && first?.ok && first.uri.scheme !== this.profile.servedScheme) {
      // opensips registers its handler for one scheme: a request for another is handled by nobody.
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason: `no handler for a ${first.uri.scheme} To-Path URI` }, deviation(this.profile, 'scheme-not-served'));
      return null;
    }
    if (this.profile.dropNotMine && (!first?.ok || !this.isMine(first.uri, frame.method === 'AUTH'))) {
      // opensips drops, unanswered, a request not addressed to it, or (but AUTH) without a port.
      const reason = first?.ok && first.uri.port === null && frame.method !== 'AUTH' ? 'no port in the first To-Path URI' : 'not addressed to this relay';
      this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason }, deviation(this.profile, 'drop-not-mine'));
      return null;
    }
    if (frame.method !== 'SEND' && frame.method !== 'REPORT' && frame.method !== 'AUTH' && this.profile.rejectUnknownMethods) {
      // Kamailio answers 501 before any path check (it has no drop above); OpenSIPS after them (msrp_relay.c:414-431, 549).
      this.reject(conn, frame, fr, 501, deviation(this.profile, 'unknown-method-501'));
      return null;
    }
    // msrprelay looks at no URI of a request on a session's leg: it pops the first To-Path URI
    // unread (its check is commented out) and takes the request as the session's.
    const onLeg = this.profile.sessionPerAuth && first?.ok === true && sessionOf(this.auth.all, conn) !== null;
    if (!onLeg && (!first || !first.ok || !this.isMine(first.uri, frame.method === 'AUTH'))) {
      // A-01 (our choice, docs/ambiguities.md): R-19, RFC 4976 §6.4.1 — the relay "SHOULD discard
      // the message"; the SEND is answered with 481 so that the previous hop reports it (A-02),
      // rather than dropping the connection (§6.2), which would fail unrelated sessions.
      this.host.emit('relay.not-mine', { conn: this.host.connId(conn), transactionId: frame.transactionId, toPath: frame.toPath }, 'A-01');
      this.reject(conn, frame, fr, 481, 'A-01');
      return null;
    }
    if (frame.toPath.length === 1) {
      if (frame.method === 'AUTH') {
        this.auth.auth(peer, frame);
        return null;
      }
      if (this.profile.sessionPerAuth) {
        // msrprelay: on a new connection a request other than AUTH for the relay alone is an
        // unknown method; on a session's leg it has nowhere to go.
        const leg = peer.state === 'trusted' || !peer.client;
        if (leg) this.reject(conn, frame, fr, 481, deviation(this.profile, 'session-per-auth'), `${reasonFor(this.profile, 481)}: Non-response with me as endpoint, nowhere to relay to`);
        else this.reject(conn, frame, fr, 501, deviation(this.profile, 'session-per-auth'), `Unknown method: ${frame.method}`);
        return null;
      }
      const mine = this.profile.cmapRouting ? this.auth.token(first.uri) : undefined;
      if (mine !== undefined && !this.auth.expired(mine)) {
        // Kamailio finds the session of a token alone in To-Path, answers, and has nowhere to send it.
        this.silent(conn, frame, deviation(this.profile, 'token-alone-in-to-path'), 'To-Path names only a session of this relay: nowhere to forward');
        return null;
      }
      this.reject(conn, frame, fr, 481, 'R-10');
      return null;
    }
    if (this.profile.sessionPerAuth) return this.admitSession(conn, peer, frame, first.uri, fr);
    if (this.profile.rejectFramesAbove !== null && size > this.profile.rejectFramesAbove) {
      this.reject(conn, frame, fr, 501, deviation(this.profile, 'large-frame-501'));
      return null;
    }
    const unchecked = this.profile.cmapRouting && frame.toPath.length > 2 && (frame.method === 'SEND' || frame.method === 'REPORT');
    if (unchecked) {
      // Kamailio looks a session up only at the last relay hop (nexthops <= 1): before that it
      // forwards to the next To-Path URI whatever the first one names (an open relay).
      this.host.emit('relay.unauthenticated', { conn: this.host.connId(conn), transactionId: frame.transactionId, token: frame.toPath[0]!, next: frame.toPath[1]! }, deviation(this.profile, 'no-lookup-before-last-hop'));
    }
    const route: ReturnType<RelayForwarding<C, T>['route']> = unchecked ? { ok: true, next: frame.toPath[1]!, conn: null, own: frame.toPath[0]! } : this.route(conn, frame, first.uri);
    if (!route.ok) {
      if (route.silent) {
        this.silent(conn, frame, route.rule, route.reason);
        return null;
      }
      this.refuse(conn, frame, fr, route.status, route.rule, route.reason);
      return null;
    }
    // R-19 (our choice, docs/ambiguities.md): when the next To-Path URI is this relay again (both
    // clients use it), the relay consumes that URI too, with the same checks, instead of opening a
    // connection to itself.
    let routed = frame;
    let hop = route;
    for (let nextUri = pathUri(routed.toPath, 1)!; hop.conn === null && routed.toPath.length > 2 && nextUri.ok && this.isMine(nextUri.uri, false); nextUri = pathUri(routed.toPath, 1)!) {
      const paths = forwardPaths(routed.toPath, routed.fromPath);
      routed = { ...routed, toPath: paths.toPath, fromPath: paths.fromPath };
      this.host.emit('relay.local-hop', { transactionId: frame.transactionId, toPathAfter: routed.toPath, fromPathAfter: routed.fromPath }, 'R-19');
      const next = this.route(conn, routed, nextUri.uri);
      if (!next.ok && (next.silent || this.profile.cmapRouting)) {
        // Kamailio relays to itself over a connection of its own: its error goes back on that
        // connection, and the sender has its 200 already.
        this.silent(conn, frame, next.silent ? next.rule : deviation(this.profile, 'self-hop-error-lost'), `${next.reason}${next.silent ? '' : ` (${next.status} on the relay's hop to itself)`}`);
        return null;
      }
      if (!next.ok) {
        this.refuse(conn, frame, fr, next.status, next.rule, next.reason);
        return null;
      }
      hop = next;
    }
    this.auth.accept(peer);
    // A-05: remember which peer is at the far end of this connection.
    const back = frame.fromPath[0] ? pathUri(frame.fromPath, 0) : undefined;
    if (back && back.ok) this.links.cameFrom(conn, authority(back.uri));
    return { routed, next: hop.next, outConn: hop.conn, own: route.own, fr };
  }

  /** msrprelay: the request goes to the other leg of the session `conn` is a leg of, or is refused (relay-sessions.ts). */
  private admitSession(conn: C, peer: AuthPeer<C, T>, frame: MsrpRequest, first: MsrpUri, fr: FailureReport): Admitted<C> | null {
    const rule = deviation(this.profile, 'session-per-auth');
    const route = routeSession(this.auth.all, conn, peer, frame, this.auth.token(first), rule);
    if (!route.ok) {
      this.legs.refused(conn, frame, fr, route, (c, f, r, status, why, comment) => this.reject(c, f, r, status, why, comment));
      return null;
    }
    this.auth.accept(peer);
    const token = route.token;
    // msrprelay stores the session's Expires and never reads it (relay.py Session.expire).
    if (token.expiredAt === null && this.profile.expiresNotEnforced && this.host.now >= token.grantedUntil) {
      this.host.emit('relay.token-past-expiry', { token: token.uri, grantedUntil: token.grantedUntil }, deviation(this.profile, 'expires-not-enforced'));
    }
    const onTarget = route.bind
      ? (target: C): void => {
          if (token.peer !== null && token.peer.conn === null) token.peer = { conn: target, path: token.peer.path };
        }
      : undefined;
    return { routed: frame, next: frame.toPath[1]!, outConn: route.conn as C | null, own: frame.toPath[0]!, fr, onTarget };
  }

  /**
   * A route check refused the request (R-12, R-13, R-14, R-17). The strict relay answers the
   * transaction (A-02, R-14 in docs/ambiguities.md); a profile may answer a SEND 200 and report
   * the error instead.
   */
  private refuse(conn: C, frame: MsrpRequest, fr: FailureReport, status: number, rule: string, reason: string): void {
    this.host.emit('relay.refuse', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason, status }, rule);
    if (frame.method === 'SEND' && fr !== 'no' && this.profile.errorsAsReports?.has(status)) {
      this.reportOnly(conn, frame, fr, status, deviation(this.profile, 'report-not-response'));
      return;
    }
    this.reject(conn, frame, fr, status, rule);
  }

  /** A SEND answered 200 (as its Failure-Report allows), its failure told in a REPORT with `status`. */
  private reportOnly(conn: C, frame: MsrpRequest, fr: FailureReport, status: number, rule: string): void {
    const literal = frame.failureReport ?? 'yes';
    if (this.profile.okFor.has(literal)) this.answer(conn, frame, 200, literal === 'yes' ? 'R-20' : deviation(this.profile, `200-for-${literal}`));
    const range = frame.byteRange ?? { start: 1, end: null, total: null };
    const length = frame.body?.length ?? 0;
    const f = new Forwarded<C, T>('SEND', frame, conn, conn, frame.toPath[0]!, fr, { start: range.start, end: range.start + length - 1, total: range.total }, length, { bytes: length }, 'done');
    this.transactions.failureReport(f, status, rule);
  }

  /** Whether `uri` names this relay (its base URI, or one of its tokens). */
  private isMine(uri: MsrpUri, auth: boolean): boolean {
    return namesRelay(this.base, uri, auth);
  }

  /**
   * R-17, RFC 4976 §6.4: before forwarding the relay "MUST check that the first URI in the To-Path
   * header corresponds to a URI that this relay has created and handed out in the Use-Path header
   * of an AUTH request", and that the request goes to, or comes from, the client that owns it.
   */
  private route(
    conn: C,
    frame: MsrpRequest,
    first: MsrpUri,
  ):
    | { ok: true; next: string; conn: C | null; own: string }
    | { ok: false; status: number; rule: string; reason: string; silent?: boolean } {
    const own = frame.toPath[0]!;
    const token = this.auth.token(first);
    const next = frame.toPath[1]!;
    const lastHop = frame.toPath.length === 2;
    if (this.profile.routeByToPath) {
      // opensips: a token that exists and has not expired is all it checks; tokens outlive their
      // connection; the request goes where the next To-Path URI says, except the owner's, which go
      // to the peer's own connection if the peer connected first.
      if (!token || this.auth.expired(token)) return { ok: false, status: 481, rule: !token ? 'R-14' : 'R-13', reason: !token ? 'unknown token' : 'token expired' };
      const fromOwner = frame.fromPath[0] === token.fromPath[0];
      if (!fromOwner && frame.method === 'SEND' && token.peer === null) token.peer = { conn, path: null };
      // A profile without deliverByConnecting reaches a client on its own connection.
      const ownerConn = !fromOwner && lastHop && !this.profile.deliverByConnecting && token.conn !== null && this.host.isOpen(token.conn) ? token.conn : null;
      const peerConn = fromOwner && token.peer !== null ? token.peer.conn : ownerConn;
      if (frame.method === 'SEND' && token.peer === null) token.peer = { conn: null, path: null };
      return { ok: true, next, conn: peerConn, own };
    }
    if (token && this.profile.keepTokensOnClose && token.conn !== null && !this.host.isOpen(token.conn) && !this.auth.expired(token)) {
      return { ok: false, status: 200, rule: deviation(this.profile, 'keeps-closed-sessions'), reason: 'the session\'s connection has closed, the profile keeps the session: nowhere to forward', silent: true };
    }
    if (!token || this.auth.expired(token) || (token.conn !== null && !this.host.isOpen(token.conn))) {
      if (this.profile.unknownSession481OnlyLastHop && frame.method === 'SEND') {
        // The profile answers an unknown session 481 only as the last relay hop; before that, the
        // SEND gets its 200 and goes nowhere.
        if (lastHop) return { ok: false, status: 481, rule: deviation(this.profile, 'unknown-session-481-last-hop'), reason: 'unknown session at the last relay hop' };
        return { ok: false, status: 200, rule: deviation(this.profile, 'unknown-session-silent-drop'), reason: 'unknown session: 200 and drop', silent: true };
      }
      // R-14, RFC 4976 §6.3: a request for an invalid or expired token: the relay "MUST discard
      // the message"; the SEND is answered 481 (our choice for the MAY-REPORT, docs/ambiguities.md).
      const [rule, why] = !token ? ['R-14', 'unknown token'] : token.conn !== null && !this.host.isOpen(token.conn) ? ['R-12', 'the connection the token was issued on has closed'] : ['R-13', 'token expired'];
      return { ok: false, status: 481, rule, reason: why };
    }
    if (token.expiredAt === null && this.profile.expiresNotEnforced && this.host.now >= token.grantedUntil) {
      this.host.emit('relay.token-past-expiry', { token: token.uri, grantedUntil: token.grantedUntil }, deviation(this.profile, 'expires-not-enforced'));
    }
    const fromOwner = token.conn !== null ? token.conn === conn : this.host.leadsTo(conn, token.viaRelay!);
    if (fromOwner) {
      // Outbound: from the token's owner toward the next To-Path URI (R-25: reuse, else open).
      return { ok: true, next, conn: null, own };
    }
    // Inbound: the request must go to the token's owner and nowhere else (S-01, no open relay).
    if (frame.method === 'SEND' && this.profile.relayUnauthenticated && !(token.conn !== null && lastHop)) {
      // The profile relays a SEND through a known token whatever connection it came from.
      this.host.emit('relay.unauthenticated', { conn: this.host.connId(conn), transactionId: frame.transactionId, token: token.uri, next }, deviation(this.profile, 'relay-unauthenticated'));
      return { ok: true, next, conn: null, own };
    }
    if (token.conn !== null) {
      if (!lastHop) {
        // R-12, RFC 4976 §6.3: a client's URI "MUST only be valid to route across the same
        // connection over which the AUTH request was received": used to route on from any other
        // connection it is no valid URI, which R-14 discards (481, docs/ambiguities.md R-14).
        return { ok: false, status: 481, rule: 'R-12', reason: 'a client token used on another connection, not toward its owner' };
      }
      // R-26: deliver to a client over the connection it authenticated on.
      return { ok: true, next, conn: token.conn, own };
    }
    const nextUri = pathUri(frame.toPath, 1)!;
    if (!nextUri.ok || authority(nextUri.uri) !== token.viaRelay) {
      return { ok: false, status: 403, rule: 'R-17', reason: 'the next hop is not the way back to the token owner' };
    }
    return { ok: true, next, conn: null, own };
  }

  /**
   * Forwards `frame` (as received on `inConn`) to `next`; `routed` is the frame with the paths as
   * this relay has consumed them so far (the frame itself, unless it was also the next hop).
   */
  private forward(inConn: C, frame: MsrpRequest, { routed, next, outConn, own, fr, onTarget }: Admitted<C>): void {
    const paths = forwardPaths(routed.toPath, routed.fromPath);
    const target = outConn !== null && this.host.isOpen(outConn) ? outConn : outConn === null ? this.links.connectionFor(next, routed) : null;
    if (!target) {
      this.failForward(inConn, frame, fr, 408, 'next hop unreachable', 'R-22');
      return;
    }
    onTarget?.(target);
    if (frame.method === 'SEND') {
      this.forwardSend(inConn, frame, target, paths, own, fr);
      return;
    }
    const keep = this.profile.keepTransactionId;
    const tid = keep ? frame.transactionId : this.host.newTransactionId();
    const out = buildRequest({
      transactionId: tid,
      method: frame.method,
      toPath: paths.toPath,
      fromPath: paths.fromPath,
      messageId: frame.messageId,
      byteRange: frame.byteRange,
      status: frame.status,
      expires: frame.expires,
      authorization: header(frame, 'authorization'),
      extraHeaders: frame.headers.filter(([n]) => !KNOWN.has(n.toLowerCase())),
      contentType: frame.body !== null ? frame.contentType : undefined,
      body: frame.body,
    });
    let f: Forwarded<C, T> | null = null;
    if (frame.method !== 'REPORT') {
      // Responses to non-SEND requests come back end to end and are mapped to the original id (W-05).
      f = new Forwarded(frame.method, frame, inConn, target, own, fr, null, 0, { bytes: 0 });
      this.transactions.add(tid, f);
    }
    this.host.emit(
      'relay.forward',
      { method: frame.method, inConn: this.host.connId(inConn), outConn: this.host.connId(target), inTransactionId: frame.transactionId, outTransactionId: tid, toPathBefore: frame.toPath, toPathAfter: paths.toPath, fromPathBefore: frame.fromPath, fromPathAfter: paths.fromPath },
      keep ? deviation(this.profile, 'keep-tid') : 'R-24',
    );
    const kept = f;
    this.links.sendFrame(target, out, kept === null ? undefined : () => this.transactions.written(kept, tid, frame));
  }

  private forwardSend(
    inConn: C,
    frame: MsrpRequest,
    target: C,
    paths: { toPath: string[]; fromPath: string[] },
    own: string,
    fr: FailureReport,
  ): void {
    this.answerSend(inConn, frame);
    if (frame.body === null) {
      this.forwardBodiless(inConn, frame, target, paths, own, fr);
      return;
    }
    const body = frame.body;
    const range = frame.byteRange ?? { start: 1, end: body.length, total: frame.continuation === '$' ? body.length : null };
    // W-06: the last chunk forwarded keeps the flag received: `$`, `+`, or `#` for an aborted
    // message (E-24), which the receiver must learn of.
    const sender = this.sendSource(inConn, frame, target, paths, own, fr, { data: body, range, lastFlag: frame.continuation, received: { bytes: body.length } });
    this.links.sendData(target, sender);
  }

  /**
   * R-20, RFC 4976 §6.4.1: with Failure-Report yes the relay "MUST respond with a final response
   * immediately"; never a 200 for partial (A-03) or no — unless the profile says otherwise.
   */
  private answerSend(inConn: C, frame: MsrpRequest): void {
    const literal = frame.failureReport ?? 'yes';
    if (!this.profile.okFor.has(literal)) return;
    this.answer(inConn, frame, 200, literal === 'yes' ? 'R-20' : deviation(this.profile, `200-for-${literal}`));
  }

  /** The sender of the SEND data the relay forwards for one received chunk; ForwardedChunks makes each chunk written a transaction. */
  private sendSource(
    inConn: C,
    frame: MsrpRequest,
    target: C,
    paths: { toPath: string[]; fromPath: string[] },
    own: string,
    fr: FailureReport,
    body: { data: Uint8Array; range: ByteRange; lastFlag: Continuation; received: { bytes: number } },
  ): MessageSender {
    const { range, received } = body;
    const keep = this.profile.keepTransactionId;
    const source: SendSource = {
      messageId: frame.messageId ?? this.host.newMessageId(),
      contentType: frame.contentType ?? 'application/octet-stream',
      toPath: paths.toPath,
      fromPath: paths.fromPath,
      successReport: frame.successReport,
      failureReport: frame.failureReport,
      data: body.data,
      firstPosition: range.start,
      total: range.total,
      lastFlag: body.lastFlag,
      // R-23: the relay MAY split what it received into smaller chunks; Byte-Range follows.
      maxChunk: this.settings.maxChunk,
      sent: 0,
      extraHeaders: frame.headers.filter(([n]) => /^content-(?!type)/i.test(n)) as [string, string][],
      firstTransactionId: keep ? frame.transactionId : undefined,
      headerOrder: this.profile.forwardAsReceived ? frame.headers.map(([n]) => n.toLowerCase()) : undefined,
      uninterruptible: this.profile.forwardAsReceived || undefined,
    };
    return new MessageSender(source, new ForwardedChunks<C, T>(this.host, this.transactions, this, { inConn, frame, target, paths, own, fr, range, received }));
  }

  /**
   * A SEND whose head has arrived, on a cut-through relay: once it passes the checks its body is
   * forwarded as it arrives, in a chunk that any other frame for that connection interrupts with
   * `+` and that resumes in a new transaction; the 200 goes back when the end-line has arrived.
   */
  head(conn: C, peer: AuthPeer<C, T>, head: MsrpRequest): RequestStream | null {
    if (!this.profile.cutThrough) return null;
    const admitted = this.admit(conn, peer, head);
    if (!admitted) return this.legs.stream(conn) ?? DISCARD;
    const { routed, next, outConn, own, fr, onTarget } = admitted;
    const target = outConn !== null && this.host.isOpen(outConn) ? outConn : outConn === null ? this.links.connectionFor(next, routed) : null;
    if (!target) {
      this.failForward(conn, head, fr, 408, 'next hop unreachable', 'R-22');
      return DISCARD;
    }
    onTarget?.(target);
    const paths = forwardPaths(routed.toPath, routed.fromPath);
    const range = head.byteRange ?? { start: 1, end: null, total: null };
    const received = { bytes: 0 };
    let data = new Uint8Array(range.end !== null && range.end >= range.start ? Math.min(range.end - range.start + 1, 1 << 20) : 4096);
    const sender = this.sendSource(conn, head, target, paths, own, fr, { data, range, lastFlag: '+', received });
    const source = sender.message;
    source.streaming = true;
    source.available = 0;
    source.cutThrough = deviation(this.profile, 'cut-through');
    this.host.emit('relay.cut-through', { inConn: this.host.connId(conn), outConn: this.host.connId(target), inTransactionId: head.transactionId, toPathAfter: paths.toPath }, source.cutThrough);
    this.links.sendData(target, sender);
    return {
      piece: (bytes) => {
        if (received.bytes + bytes.length > data.length) {
          const grown = new Uint8Array(Math.max(2 * data.length, received.bytes + bytes.length));
          grown.set(data.subarray(0, received.bytes));
          data = grown;
          source.data = data;
        }
        data.set(bytes, received.bytes);
        received.bytes += bytes.length;
        source.available = received.bytes;
        this.links.kick(target);
      },
      end: (frame) => {
        source.data = data.subarray(0, received.bytes);
        source.available = undefined;
        source.streaming = false;
        source.lastFlag = frame.continuation;
        this.answerSend(conn, frame);
        this.links.kick(target);
      },
      abort: () => {
        // The sender's connection went away mid-chunk: what was forwarded ends with `#` (E-24).
        source.abort = true;
        this.links.kick(target);
      },
    };
  }

  /** A bodiless SEND (E-13 binding, keepalive) is forwarded as it is: no body, no Content-Type (W-16). */
  private forwardBodiless(
    inConn: C,
    frame: MsrpRequest,
    target: C,
    paths: { toPath: string[]; fromPath: string[] },
    own: string,
    fr: FailureReport,
  ): void {
    const tid = this.profile.keepTransactionId ? frame.transactionId : this.host.newTransactionId();
    const out = buildRequest({
      transactionId: tid,
      method: 'SEND',
      toPath: paths.toPath,
      fromPath: paths.fromPath,
      messageId: frame.messageId,
      byteRange: frame.byteRange,
      successReport: frame.successReport,
      failureReport: frame.failureReport,
    });
    const f = new Forwarded<C, T>('SEND', frame, inConn, target, own, fr, frame.byteRange ?? null, 0, { bytes: 0 });
    if (fr !== 'no') this.transactions.add(tid, f);
    this.host.emit(
      'relay.forward',
      { method: 'SEND', inConn: this.host.connId(inConn), outConn: this.host.connId(target), inTransactionId: frame.transactionId, outTransactionId: tid, toPathBefore: frame.toPath, toPathAfter: paths.toPath, fromPathBefore: frame.fromPath, fromPathAfter: paths.fromPath },
      this.profile.keepTransactionId ? deviation(this.profile, 'keep-tid') : 'R-19',
    );
    this.links.sendFrame(target, out, () => this.transactions.written(f, tid, frame));
  }

  private failForward(inConn: C, frame: MsrpRequest, fr: FailureReport, code: number, reason: string, rule: string): void {
    const report = this.profile.forwardFailureReport;
    if (report !== null) {
      // opensips: a SEND it cannot forward has its 200 and gets a REPORT; a forwarded AUTH that
      // cannot go on is answered 403; anything else is dropped.
      const why = deviation(this.profile, 'forward-failure-report');
      this.host.emit('relay.undeliverable', { transactionId: frame.transactionId, reason }, why);
      if (frame.method === 'AUTH') this.answer(inConn, frame, 403, why);
      else if (frame.method === 'SEND' && fr !== 'no') this.reportOnly(inConn, frame, fr, report, why);
      return;
    }
    this.host.emit('relay.undeliverable', { transactionId: frame.transactionId, reason }, rule);
    if (frame.method !== 'SEND') {
      if (frame.method !== 'REPORT') this.answer(inConn, frame, code, rule);
      return;
    }
    // A-02 (our choice): not yet answered => the error goes in the transaction response.
    this.reject(inConn, frame, fr, code, rule);
  }

  /**
   * Answers `frame` with `code` when Failure-Report allows (never for REPORTs, E-31), or always for
   * a profile that does; `comment` words the reason phrase where the profile's relay words it so.
   */
  private reject(conn: C, frame: MsrpRequest, fr: FailureReport, code: number, rule: string, comment?: string): void {
    if (!this.profile.answerEveryError) {
      if (frame.method === 'REPORT') return;
      if (frame.method === 'SEND' && fr === 'no') return; // A-11
    } else if (frame.fromPath.length === 0) {
      // No From-Path: a response would have no To-Path (W-11); nothing can be answered.
      return;
    }
    this.answer(conn, frame, code, rule, comment);
  }

  /** A request the relay answers as if it forwarded it (a SEND: 200 where the profile gives one), then drops. */
  private silent(conn: C, frame: MsrpRequest, rule: string, reason: string): void {
    if (frame.method === 'SEND' && this.profile.okFor.has(frame.failureReport ?? 'yes')) this.answer(conn, frame, 200, rule);
    this.host.emit('relay.discard', { conn: this.host.connId(conn), transactionId: frame.transactionId, reason }, rule);
  }

  /** The relay's own response (reason phrase from the profile's `reasons`, unless `comment` words it). */
  private answer(conn: C, frame: MsrpRequest, code: number, rule: string, comment?: string): void {
    answer(this.host, conn, frame, code, rule, this.baseUri, comment === undefined ? undefined : { comment }, this.profile);
  }

}
