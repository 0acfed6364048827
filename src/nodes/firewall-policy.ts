/**
 * MSRP-aware firewall policy, as session border controllers apply it (SPEC §3.3): the firewall
 * parses the MSRP frames of each connection it lets through and stops those that break its policy
 * (largest frame, allowed methods, allowed content types). Each verdict names the policy rule.
 * A firewall in the middle cannot read a TLS connection (msrps): such a flow is let through
 * uninspected, and the flow says so once.
 *
 * A request is judged as soon as the policy can know, not when its last byte is in: the parser
 * streams it (head, body pieces, end-line), so the method and content type are judged when the
 * header section is in, and the size when the frame is known to exceed `maxFrame`: at its head if
 * its Byte-Range announces a chunk end that makes it too large, else at the segment whose bytes,
 * with the end-line the frame still needs, add up to more than `maxFrame`. A cut-through relay
 * behind the firewall has then forwarded no more of it than that. Responses, which have no body,
 * are judged whole.
 *
 * The policy may change during a run (scenario `set`): each frame is judged whole by the policy in
 * force when its header section arrived (a response: when it arrived); a frame under way when the
 * policy changes ends under the one it began with. Without a policy, frames are still parsed (to
 * keep the flow's framing for a policy set later) and all pass.
 */
import { MsrpParser } from '../wire/parser.js';
import type { MsrpFrame } from '../wire/frame.js';
import { typeMatches } from '../protocol/media-types.js';

export interface MsrpPolicy {
  /** Largest MSRP frame (bytes) let through. */
  maxFrame?: number;
  /** Methods let through (requests); responses always pass. */
  methods?: string[];
  /** Content types let through in SEND bodies (`*` and `type/*` patterns). */
  contentTypes?: string[];
  /** What happens to a frame that breaks the policy. */
  action?: 'drop' | 'reset';
}

export type PolicyVerdict = { verdict: 'pass' } | { verdict: 'drop' | 'reset'; rule: string; reason: string };

const PASS: PolicyVerdict = { verdict: 'pass' };
const TLS_HANDSHAKE = 22;

/** The request whose head is in and whose end-line is not yet. */
interface Incoming {
  /** The policy in force when its head arrived, which judges it to its end. */
  policy: MsrpPolicy;
  /** Its length without body bytes: start line, headers, and the blank line and end-line when it has a body. */
  base: number;
  /** Body bytes seen so far. */
  body: number;
  /** A verdict was given on it: nothing more to judge. */
  judged: boolean;
}

/** One direction of one connection: parses what crosses and judges each frame. */
export class PolicyFlow {
  private readonly parser: MsrpParser;
  private pending: PolicyVerdict = PASS;
  private blocked: PolicyVerdict | null = null;
  /** null until the first byte; false for a TLS flow, which cannot be inspected. */
  private readable: boolean | null = null;
  private incoming: Incoming | null = null;

  constructor(
    private readonly firewallId: string,
    /** The policy in force now (null: none, everything passes). */
    private readonly policyNow: () => MsrpPolicy | null,
    /** Told (once) why the flow cannot be inspected. */
    private readonly uninspectable: (reason: string) => void = () => undefined,
  ) {
    this.parser = new MsrpParser(
      {
        frame: (frame) => this.judgeWhole(frame),
        error: () => undefined,
        head: (head) => this.onHead(head),
        bodyPiece: (piece) => this.onPiece(piece.length),
        end: () => {
          this.incoming = null;
        },
      },
      { streamBodies: true },
    );
  }

  /** Judges the bytes of one segment: once a frame breaks the policy, the flow stays blocked. */
  inspect(payload: Uint8Array): PolicyVerdict {
    if (this.blocked) return this.blocked;
    if (this.readable === null && payload.length > 0) {
      // A TLS record starts with its content type, 22 for the handshake; MSRP with "MSRP ".
      this.readable = payload[0] !== TLS_HANDSHAKE;
      if (!this.readable) this.uninspectable('a TLS connection: the MSRP frames inside cannot be read');
    }
    if (this.readable === false) return PASS;
    this.pending = PASS;
    this.parser.push(payload);
    if (this.pending.verdict !== 'pass') this.blocked = this.pending;
    return this.pending;
  }

  /** The first verdict of a segment is the one it gets (the flow is blocked from there). */
  private refuse(policy: MsrpPolicy, rule: string, reason: string): void {
    if (this.pending.verdict === 'pass') this.pending = { verdict: policy.action ?? 'drop', rule: `${this.firewallId}#${rule}`, reason };
  }

  /** A response (or anything the parser hands over whole): the bytes it took on the wire. */
  private judgeWhole(frame: MsrpFrame): void {
    const policy = this.policyNow();
    if (policy === null) return;
    const size = frame.wireLength!;
    if (policy.maxFrame !== undefined && size > policy.maxFrame) {
      this.refuse(policy, 'policy.maxFrame', `MSRP frame of ${size} bytes exceeds ${policy.maxFrame}`);
      return;
    }
    if (frame.kind === 'request') this.judgeRequest(policy, frame.method, frame.contentType);
  }

  /** A request's header section is in: what can be judged before its body. */
  private onHead(head: MsrpFrame): void {
    const policy = this.policyNow();
    if (policy === null) {
      this.incoming = null;
      return;
    }
    // What came before the body, and what must still come after it: with a body (a Content-Type
    // says one follows) the CRLF ending it, then the end-line (`-------` tid flag CRLF).
    const base = head.headLength! + (head.contentType !== undefined ? 2 : 0) + head.transactionId.length + 10;
    const incoming: Incoming = { policy, base, body: 0, judged: false };
    this.incoming = incoming;
    const max = policy.maxFrame;
    if (max !== undefined) {
      const range = head.byteRange;
      // The chunk end its Byte-Range announces (not `*`) gives the body length before it arrives.
      const announced = range !== undefined && range.end !== null && range.end >= range.start - 1 ? range.end - range.start + 1 : 0;
      if (base + announced > max) {
        incoming.judged = true;
        const why = announced > 0 ? `MSRP frame of ${base + announced} bytes (Byte-Range ${range!.start}-${range!.end}) exceeds ${max}` : `MSRP frame of at least ${base} bytes exceeds ${max}`;
        this.refuse(policy, 'policy.maxFrame', why);
        return;
      }
    }
    if (head.kind === 'request' && this.judgeRequest(policy, head.method, head.contentType)) incoming.judged = true;
  }

  /**
   * Body bytes of the request under way: too many once they and the end-line exceed maxFrame. They
   * are counted as the parser hands them over, which may be a few bytes behind the segment's end
   * (bytes that could still begin the end-line wait for the next segment).
   */
  private onPiece(length: number): void {
    const incoming = this.incoming;
    if (!incoming) return;
    incoming.body += length;
    const max = incoming.policy.maxFrame;
    if (incoming.judged || max === undefined || incoming.base + incoming.body <= max) return;
    incoming.judged = true;
    this.refuse(incoming.policy, 'policy.maxFrame', `MSRP frame exceeds ${max} bytes: ${incoming.base + incoming.body} with what has arrived of it`);
  }

  /** Method and content type; true when the request breaks the policy. */
  private judgeRequest(policy: MsrpPolicy, method: string, contentType: string | undefined): boolean {
    if (policy.methods && !policy.methods.includes(method)) {
      this.refuse(policy, 'policy.methods', `method ${method} not allowed`);
      return true;
    }
    if (policy.contentTypes && contentType !== undefined && !policy.contentTypes.some((p) => typeMatches(contentType, p))) {
      this.refuse(policy, 'policy.contentTypes', `content type ${contentType} not allowed`);
      return true;
    }
    return false;
  }
}
