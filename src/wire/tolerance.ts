/**
 * What a tolerant receiver does with a frame that breaks a rule (docs/tolerance.md). The parser
 * notes every rule a frame breaks as a violation on it; most are cosmetic (header-name case, extra
 * white space, a tab after the colon) and the frame is acted on as if it were canonical. A few
 * leave the receiver nothing it can act on (a Byte-Range, Status, Expires, Success-Report or
 * Failure-Report value outside its grammar, an empty Message-ID or Use-Path, a Digest header that
 * does not parse, a header that may appear once given twice with different values): such a
 * violation is marked `malformed`, nodes answer the request 400 (or what the RFC says for it), and
 * `msrp-sim decode` exits 1.
 */
import type { FrameCommon, Violation } from './frame.js';

/** The first violation that leaves a receiver nothing to act on, or undefined (most frames). */
export function malformedViolation(frame: Pick<FrameCommon, 'violations'>): Violation | undefined {
  const list = frame.violations;
  for (let i = 0; i < list.length; i++) if (list[i]!.malformed === true) return list[i];
  return undefined;
}
