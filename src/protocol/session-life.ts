/**
 * An endpoint session's state (RFC 4975 §5.4, §8; CHECKLIST c.1, c.2), changed only through
 * `transition`, which rejects a move the endpoint can never make (a bug, so it throws).
 */

/**
 * `waiting-auth` (made; its offer or answer waits for the AUTH round), `offering` (its offer is on
 * its way), `answering` (an offer arrived; the answer waits), `connecting` (offer/answer done; the
 * connection is being opened or bound, E-12 to E-16), `established` (its connection is bound),
 * `failed` (E-19, E-32, A-13: it may be made again, E-19), `closed` (ended by a BYE or the user).
 */
export type SessionState = 'waiting-auth' | 'offering' | 'answering' | 'connecting' | 'established' | 'failed' | 'closed';

/**
 * The moves a session makes. A request may bind a passive session before its own offer/answer is
 * over (the peer's SEND can overtake the SIP answer, E-16), hence `established` from the states
 * before `connecting`; a session made while an older one of the same id was established offers
 * again from `established`; ending a failed or ended session again keeps it `closed`.
 */
const MOVES: Record<SessionState, readonly SessionState[]> = {
  'waiting-auth': ['offering', 'answering', 'established', 'failed', 'closed'],
  offering: ['connecting', 'established', 'failed', 'closed'],
  answering: ['connecting', 'established', 'failed', 'closed'],
  connecting: ['established', 'failed', 'closed'],
  established: ['offering', 'failed', 'closed'],
  failed: ['closed'],
  closed: ['closed'],
};

export class SessionLife {
  private current: SessionState = 'waiting-auth';

  get state(): SessionState {
    return this.current;
  }

  /** A session that is over: failed or closed. */
  get over(): boolean {
    return this.current === 'failed' || this.current === 'closed';
  }

  transition(to: SessionState): void {
    if (!MOVES[this.current].includes(to)) throw new Error(`session: illegal move ${this.current} -> ${to}`);
    this.current = to;
  }
}
