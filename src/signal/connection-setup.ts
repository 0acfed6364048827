/**
 * Who opens the MSRP connection: the RFC 4975 default (E-12, offerer active) and the COMEDIA
 * model of RFC 6135 (E-18, X-05), as pure tables.
 */
import type { SetupValue } from './sdp.js';

export type Party = 'offerer' | 'answerer';

/** What a user agent knows about itself when it picks an a=setup value. */
export interface SetupPreferences {
  /** Supports RFC 6135 (a=setup). Without it a=setup is neither sent nor understood. */
  comedia: boolean;
  /** Known to be behind a NAT (cannot accept inbound TCP). */
  behindNat?: boolean;
  /** Reaches MSRP through a relay (RFC 4976): then it counts as globally reachable. */
  usesRelay?: boolean;
}

export interface SetupOutcome {
  /** The party that opens the connection (or sends the first SEND through its relay) (E-13). */
  active: Party;
  /** The a=setup value the answer carries; absent for an answerer without RFC 6135 support. */
  answerSetup?: 'active' | 'passive';
  /** The rule that decided. */
  rule: 'E-12' | 'E-18';
  /** Offer values that break RFC 6135 (holdconn, passive), as {rule, message}. */
  violations: { rule: string; message: string }[];
}

/**
 * Reachable in the sense of RFC 6135 §4.2.2: "the UA can determine that it is not located behind
 * a NAT; the UA relays its MSRP transport connections via a relay".
 */
function reachable(p: SetupPreferences): boolean {
  return p.behindNat !== true || p.usesRelay === true;
}

/**
 * The a=setup value an offerer sends.
 * E-18, RFC 6135 §4.2.2: "If an MSRP UA can provide a globally reachable IP address ... the UA MUST
 * use the a=setup "actpass" attribute value in SDP offers. ... If an MSRP UA cannot provide the
 * actual transport address, the UA MUST use the a=setup "active" attribute value."
 */
export function chooseOfferSetup(prefs: SetupPreferences): 'actpass' | 'active' | undefined {
  if (!prefs.comedia) return undefined;
  return reachable(prefs) ? 'actpass' : 'active';
}

/**
 * Decides the answer's a=setup and the active party from the offer's a=setup and what the
 * answerer knows about itself.
 */
export function negotiateSetup(offerSetup: SetupValue | undefined, answerer: SetupPreferences): SetupOutcome {
  const violations: { rule: string; message: string }[] = [];
  // An RFC 4975-only answerer does not read a=setup: the offerer is active whatever it says.
  // E-12, RFC 4975 §5.4: "the initiating endpoint MUST act as the "active" endpoint".
  if (!answerer.comedia) return { active: 'offerer', rule: 'E-12', violations };

  let offered = offerSetup;
  if (offered === 'holdconn') {
    // E-18, RFC 6135 §4.2.1: "An MSRP UA MUST NOT send the "holdconn" attribute value. If an MSRP UA
    // receives the "holdconn" attribute value, it MUST ignore it and process the message as if it
    // did not contain an a=setup attribute."
    violations.push({ rule: 'E-18', message: 'offer carries a=setup:holdconn; ignored as if absent' });
    offered = undefined;
  }
  switch (offered) {
    case undefined:
      // The offerer follows RFC 4975 (E-12); RFC 6135 §4.2.1 still wants a=setup in every answer.
      return { active: 'offerer', answerSetup: 'passive', rule: 'E-12', violations };
    case 'active':
      return { active: 'offerer', answerSetup: 'passive', rule: 'E-18', violations };
    case 'passive':
      // E-18, RFC 6135 §4.2.2: "The UA MUST NOT use the a=setup "passive" attribute value in an SDP
      // offer." Read as RFC 4145 would; offer validation rejects such an offer with 488.
      violations.push({ rule: 'E-18', message: 'offer carries a=setup:passive, which RFC 6135 forbids in offers' });
      return { active: 'answerer', answerSetup: 'active', rule: 'E-18', violations };
    case 'actpass':
      // E-18, RFC 6135 §4.2.2: "the SDP answerer MAY include an a=setup "active" attribute value in
      // the SDP answer, but SHOULD include an a=setup "passive" attribute value if it knows that it
      // is not located behind a NAT."
      return reachable(answerer)
        ? { active: 'offerer', answerSetup: 'passive', rule: 'E-18', violations }
        : { active: 'answerer', answerSetup: 'active', rule: 'E-18', violations };
  }
}

/**
 * The active party as the offerer reads a received answer (RFC 4145 §4.1 table, E-12 when neither
 * side speaks RFC 6135). Returns undefined for combinations RFC 4145 does not allow (both active,
 * both passive, actpass in an answer).
 */
export function activePartyFromAnswer(
  offerSetup: SetupValue | undefined,
  answerSetup: SetupValue | undefined,
): Party | undefined {
  const offer = offerSetup === 'holdconn' ? undefined : offerSetup;
  const answer = answerSetup === 'holdconn' ? undefined : answerSetup;
  // An answer without a=setup comes from an RFC 4975 UA, which is passive toward an offerer.
  if (answer === undefined) return offer === 'passive' ? undefined : 'offerer';
  if (answer === 'actpass') return undefined;
  if (offer === undefined || offer === 'active') return answer === 'passive' ? 'offerer' : undefined;
  if (offer === 'passive') return answer === 'active' ? 'answerer' : undefined;
  return answer === 'active' ? 'answerer' : 'offerer';
}
