/**
 * Who owns a body: by default every body is a copy (the caller may reuse its buffers); with
 * `bodyViews` a body that lies whole in one pushed slice, or in slices that continue each other in
 * memory, is a view of them, and a body the parser assembled or held in its own (reused) buffer
 * is still a copy. And cached header lines never
 * make two frames share a mutable part.
 */
import { describe, expect, it } from 'vitest';
import type { MsrpFrame, MsrpRequest } from '../../src/wire/frame.js';
import { MsrpParser, type ParserOptions } from '../../src/wire/parser.js';
import { ascii } from './helpers.js';

const PATHS = 'To-Path: msrp://bob.example.com:8888/s1bob;tcp\nFrom-Path: msrp://alice.example.com:7777/s2alice;tcp\n';
const frame = (tid: string, body: string): Buffer =>
  ascii(`MSRP ${tid} SEND\n${PATHS}Message-ID: m${tid}\nByte-Range: 1-${body.length}/${body.length}\nContent-Type: text/plain\n\n${body}\n-------${tid}$\n`);

function collect(options: ParserOptions, pushes: Uint8Array[]): MsrpRequest[] {
  const frames: MsrpFrame[] = [];
  const p = new MsrpParser({ frame: (f) => frames.push(f), error: (e) => expect.fail(e.message) }, options);
  for (const b of pushes) p.push(b);
  p.end();
  return frames as MsrpRequest[];
}

const text = (b: Uint8Array | null): string => Buffer.from(b!).toString('latin1');

describe('body ownership', () => {
  it('copies bodies by default: reusing the pushed buffer afterwards changes nothing', () => {
    const input = frame('abcd1234', 'hello there');
    const [f] = collect({}, [input]);
    input.fill(0x58);
    expect(text(f!.body)).toBe('hello there');
  });

  it('with bodyViews, a body whole inside one slice is a view of that slice (no copy)', () => {
    const input = frame('abcd1234', 'hello there');
    const [f] = collect({ bodyViews: true }, [input]);
    expect(f!.body!.buffer).toBe(input.buffer);
    expect(text(f!.body)).toBe('hello there');
  });

  it('with bodyViews, a body split across slices that continue each other in memory is a view of them', () => {
    // As a simulated TCP connection delivers a frame: segments are views of the bytes written.
    const input = frame('abcd1234', 'x'.repeat(3000));
    const at = input.indexOf('xxxx') + 1500;
    const [f] = collect({ bodyViews: true }, [input.subarray(0, at), input.subarray(at)]);
    expect(f!.body!.buffer).toBe(input.buffer);
    expect(text(f!.body)).toBe('x'.repeat(3000));
  });

  it('with bodyViews, a body split across slices apart in memory is assembled into its own bytes', () => {
    const input = frame('abcd1234', 'x'.repeat(3000));
    const at = input.indexOf('xxxx') + 1500;
    const a = Buffer.from(input.subarray(0, at));
    const b = Buffer.from(input.subarray(at));
    const [f] = collect({ bodyViews: true }, [a, b]);
    expect(f!.body!.buffer).not.toBe(a.buffer);
    expect(f!.body!.buffer).not.toBe(b.buffer);
    expect(text(f!.body)).toBe('x'.repeat(3000));
  });

  it('with bodyViews, a tail held from one slice is not copied, and is gone once the frame is done', () => {
    const input = frame('abcd1234', 'y'.repeat(5000));
    const frames: MsrpFrame[] = [];
    const p = new MsrpParser({ frame: (f) => frames.push(f), error: (e) => expect.fail(e.message) }, { bodyViews: true });
    p.push(input.subarray(0, 2000));
    expect(p.bufferCapacity).toBe(0); // nothing copied into the parser's buffer
    expect(p.bufferedBytes).toBeGreaterThan(1800); // the frame so far, held
    p.push(input.subarray(2000));
    expect(p.bufferedBytes).toBe(0);
    expect(frames).toHaveLength(1);
  });

  it('with bodyViews, a small frame completed from the internal buffer is copied out of it', () => {
    // The first slice ends inside the header section: the frame is finished in the parser's own
    // buffer, which the next frame overwrites.
    const one = frame('abcd1234', 'first body');
    const two = frame('efgh5678', 'other text');
    const cut = 30;
    const frames = collect({ bodyViews: true }, [one.subarray(0, cut), Buffer.concat([one.subarray(cut), two.subarray(0, cut)]), two.subarray(cut)]);
    expect(frames.map((f) => text(f.body))).toEqual(['first body', 'other text']);
  });

  it('frames whose header lines repeat do not share their typed values', () => {
    const [a, b] = collect({}, [Buffer.concat([frame('abcd1234', 'same'), frame('abcd1235', 'same')])]);
    expect(a!.byteRange).toEqual({ start: 1, end: 4, total: 4 });
    expect(b!.byteRange).toEqual(a!.byteRange);
    expect(b!.byteRange).not.toBe(a!.byteRange);
    expect(a!.violations).toEqual([]);
  });
});
