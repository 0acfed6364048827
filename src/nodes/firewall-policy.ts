/**
 * MSRP-aware firewall policy, as session border controllers apply it (SPEC §3.3): the firewall
 * parses the MSRP frames of each connection it lets through and stops those that break its policy
 * (largest frame, allowed methods, allowed content types). Each verdict names the policy rule.
 * A firewall in the middle cannot read a TLS connection (msrps): such a flow is let through
 * uninspected, and the flow says so once.
 */
import { MsrpParser } from '../wire/parser.js';
import { serializedLength } from '../wire/serializer.js';
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

/** One direction of one connection: parses what crosses and judges each frame. */
export class PolicyFlow {
  private readonly parser: MsrpParser;
  private pending: PolicyVerdict = { verdict: 'pass' };
  private blocked: PolicyVerdict | null = null;
  /** null until the first byte; false for a TLS flow, which cannot be inspected. */
  private readable: boolean | null = null;

  constructor(
    private readonly firewallId: string,
    private readonly policy: MsrpPolicy,
    /** Told (once) why the flow cannot be inspected. */
    private readonly uninspectable: (reason: string) => void = () => undefined,
  ) {
    this.parser = new MsrpParser(
      {
        frame: (frame) => this.judge(frame),
        error: () => undefined,
      },
      { maxBodySize: 64 * 1024 * 1024 },
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
    this.pending = { verdict: 'pass' };
    this.parser.push(payload);
    if (this.pending.verdict !== 'pass') this.blocked = this.pending;
    return this.pending;
  }

  private judge(frame: MsrpFrame): void {
    // The frame's own length (several frames may share a segment, and one frame span several).
    const size = serializedLength(frame);
    const action = this.policy.action ?? 'drop';
    const id = this.firewallId;
    if (this.policy.maxFrame !== undefined && size > this.policy.maxFrame) {
      this.pending = { verdict: action, rule: `${id}#policy.maxFrame`, reason: `MSRP frame of ${size} bytes exceeds ${this.policy.maxFrame}` };
      return;
    }
    if (frame.kind !== 'request') return;
    if (this.policy.methods && !this.policy.methods.includes(frame.method)) {
      this.pending = { verdict: action, rule: `${id}#policy.methods`, reason: `method ${frame.method} not allowed` };
      return;
    }
    if (this.policy.contentTypes && frame.contentType !== undefined && !this.policy.contentTypes.some((p) => typeMatches(frame.contentType!, p))) {
      this.pending = { verdict: action, rule: `${id}#policy.contentTypes`, reason: `content type ${frame.contentType} not allowed` };
    }
  }
}
