/**
 * Bounds on what a scenario sends, so that a run that would not finish (or not fit in memory) is
 * refused at validation. A message and a chunk are held whole in memory at the receiver and in
 * the trace; 64 MiB takes about half a minute to run.
 */
import type { Path } from './problems.js';
import type { NormalizeContext } from './normalize-context.js';

export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Content bytes of all sends together (`count` times `size`). */
export const MAX_SCENARIO_CONTENT_BYTES = 256 * 1024 * 1024;
/** Messages of all sends together (the sum of their `count`s). */
export const MAX_SCENARIO_MESSAGES = 1_000_000;

/** `64 MiB (67108864 bytes)`. */
export const sizeText = (n: number): string => `${n / 1024 / 1024} MiB (${n} bytes)`;

/** A chunk is held whole in memory while it is written, so it is bounded as a message is. */
export function checkChunkSize(cx: NormalizeContext, chunkSize: number, path: Path): void {
  if (chunkSize > MAX_MESSAGE_BYTES) cx.err(path, `a chunk of ${chunkSize} bytes is larger than msrp-sim sends: at most ${sizeText(MAX_MESSAGE_BYTES)}`);
}

/**
 * Counts the messages and content bytes of the scenario's sends so far; the send that takes
 * either over its bound is the one reported (once per bound).
 */
export function checkTotals(cx: NormalizeContext, count: number, size: number, path: Path, countGiven: boolean): void {
  const messagesBefore = cx.sentMessages;
  const bytesBefore = cx.sentBytes;
  cx.sentMessages += count;
  cx.sentBytes += count * size;
  if (messagesBefore <= MAX_SCENARIO_MESSAGES && cx.sentMessages > MAX_SCENARIO_MESSAGES) {
    cx.err(countGiven ? [...path, 'count'] : path, `this send makes the scenario send ${cx.sentMessages} messages; a scenario sends at most ${MAX_SCENARIO_MESSAGES}`, countGiven ? 'value' : 'key');
  }
  if (size <= MAX_MESSAGE_BYTES && bytesBefore <= MAX_SCENARIO_CONTENT_BYTES && cx.sentBytes > MAX_SCENARIO_CONTENT_BYTES) {
    cx.err(path, `this send makes the scenario send ${cx.sentBytes} bytes of content; a scenario sends at most ${sizeText(MAX_SCENARIO_CONTENT_BYTES)}`, 'key');
  }
}
