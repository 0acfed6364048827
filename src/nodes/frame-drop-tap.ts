/**
 * The `dropFrame` fault's tap: it reads the MSRP frames crossing a link, as the firewall policy
 * (firewall-policy.ts) reads those crossing a firewall, and drops the segment that carries the last
 * byte of the n-th frame of a kind. TCP then retransmits that segment, as a real loss would make it.
 */
import type { SegmentInfo, Tap } from '../net/net-types.js';
import { MsrpParser } from '../wire/parser.js';

/** Which frame to drop: the `nth` one (from 1) crossing the link that matches every set field. */
export interface FrameDropMatch {
  nth: number;
  /** Only segments sent by this node (null: either direction). */
  from: string | null;
  /** Only requests of this method (null: any frame). */
  method: string | null;
  /** Only responses with this status (null: any frame). */
  status: number | null;
}

/** What is parsed of one direction of one connection. */
interface DirectionState {
  parser: MsrpParser;
  /** The frame to drop ended in the bytes just pushed. */
  hit: boolean;
  /** Wire sequence number of the next new byte. */
  next: number;
}

/**
 * A tap for `Network.addTap` that drops the segment ending the matching frame, once: `dropped` is
 * told of that segment (to record the fault and remove the tap); after it every segment passes.
 */
export function frameDropTap(match: FrameDropMatch, dropped: (segment: SegmentInfo) => void): Tap {
  let seen = 0;
  let done = false;
  const directions = new Map<string, DirectionState>();
  const direction = (s: SegmentInfo): DirectionState => {
    const key = `${s.src}>${s.dst}`;
    let state = directions.get(key);
    if (!state) {
      const fresh: DirectionState = { parser: null as unknown as MsrpParser, hit: false, next: s.seqNo };
      fresh.parser = new MsrpParser({
        frame: (f) => {
          const method = f.kind === 'request' ? f.method : null;
          const status = f.kind === 'response' ? f.statusCode : null;
          if ((match.method === null || match.method === method) && (match.status === null || match.status === status)) {
            seen++;
            if (seen === match.nth) fresh.hit = true;
          }
        },
        error: () => undefined,
      });
      state = fresh;
      directions.set(key, state);
    }
    return state;
  };
  return (s) => {
    if (done || s.len === 0) return 'pass';
    if (match.from !== null && s.from !== match.from) return 'pass';
    const state = direction(s);
    // Retransmissions repeat bytes already parsed: only new, in-order data is fed.
    if (s.seqNo !== state.next) return 'pass';
    state.next = (s.seqNo + s.len) >>> 0;
    state.parser.push(s.payload);
    if (!state.hit) return 'pass';
    state.hit = false;
    done = true;
    dropped(s);
    return 'drop';
  };
}
