/** The dropFrame fault's tap: the segment ending the n-th matching frame is dropped, once. */
import { describe, expect, it } from 'vitest';
import type { SegmentInfo } from '../../src/net/net-types.js';
import { frameDropTap, type FrameDropMatch } from '../../src/nodes/frame-drop-tap.js';

const enc = new TextEncoder();
const send = (tid: string, body: string): string =>
  `MSRP ${tid} SEND\r\nTo-Path: msrp://b.example:2855/b;tcp\r\nFrom-Path: msrp://a.example:2855/a;tcp\r\nMessage-ID: m${tid}\r\nByte-Range: 1-${body.length}/${body.length}\r\nContent-Type: text/plain\r\n\r\n${body}\r\n-------${tid}$\r\n`;
const ok = (tid: string): string => `MSRP ${tid} 200 OK\r\nTo-Path: msrp://a.example:2855/a;tcp\r\nFrom-Path: msrp://b.example:2855/b;tcp\r\n-------${tid}$\r\n`;

/** Segments of one direction carrying `text` cut at `cuts`, numbered from `seq`. */
function segments(text: string, cuts: number[], from = 'a', seq = 1000): SegmentInfo[] {
  const bytes = enc.encode(text);
  const out: SegmentInfo[] = [];
  const bounds = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const payload = bytes.subarray(bounds[i], bounds[i + 1]);
    out.push({ conn: `${from}#1`, src: `${from}:1`, dst: 'x:2', seqNo: (seq + bounds[i]!) >>> 0, ackNo: 0, flags: 'PA', len: payload.length, link: 'a-b', from, to: 'b', payload });
  }
  return out;
}

function run(match: FrameDropMatch, segs: SegmentInfo[]): { verdicts: string[]; dropped: number[] } {
  const dropped: number[] = [];
  const tap = frameDropTap(match, (s) => dropped.push(s.seqNo));
  return { verdicts: segs.map((s) => tap(s)), dropped };
}

describe('frameDropTap', () => {
  const stream = send('t1', 'hello') + ok('t9') + send('t2', 'world') + send('t3', 'again');
  const ends = [send('t1', 'hello').length, (send('t1', 'hello') + ok('t9')).length, (send('t1', 'hello') + ok('t9') + send('t2', 'world')).length];

  it('drops the segment carrying the last byte of the n-th SEND, and nothing else', () => {
    // Cut inside the second SEND's end-line: its last byte is in the segment after the cut.
    const cut = ends[2]! - 3;
    const segs = segments(stream, [ends[0]!, cut]);
    const { verdicts, dropped } = run({ nth: 2, from: null, method: 'SEND', status: null }, segs);
    expect(verdicts).toEqual(['pass', 'pass', 'drop']);
    expect(dropped).toEqual([segs[2]!.seqNo]);
  });

  it('matches responses by status, and counts only the frames that match', () => {
    const segs = segments(stream, [ends[0]!, ends[1]!]);
    expect(run({ nth: 1, from: null, method: null, status: 200 }, segs).verdicts).toEqual(['pass', 'drop', 'pass']);
    expect(run({ nth: 1, from: null, method: null, status: 481 }, segs).verdicts).toEqual(['pass', 'pass', 'pass']);
  });

  it('drops once: the retransmission of the dropped segment and all later segments pass', () => {
    const segs = segments(stream, [ends[0]!]);
    const tap = frameDropTap({ nth: 1, from: null, method: null, status: null }, () => undefined);
    expect(tap(segs[0]!)).toBe('drop');
    expect(tap(segs[0]!)).toBe('pass');
    expect(tap(segs[1]!)).toBe('pass');
  });

  it('feeds only new in-order bytes: a repeated segment is not counted twice', () => {
    const segs = segments(stream, [ends[0]!, ends[1]!]);
    // The first SEND crosses twice (a retransmission): still the 2nd frame overall is the 200.
    const { verdicts } = run({ nth: 2, from: null, method: null, status: null }, [segs[0]!, segs[0]!, segs[1]!]);
    expect(verdicts).toEqual(['pass', 'pass', 'drop']);
  });

  it('keeps each direction apart and honours `from`', () => {
    const a = segments(send('t1', 'hello'), [], 'a', 5);
    const b = segments(send('u1', 'hi'), [], 'b', 9000);
    expect(run({ nth: 1, from: 'b', method: 'SEND', status: null }, [a[0]!, b[0]!]).verdicts).toEqual(['pass', 'drop']);
  });
});
