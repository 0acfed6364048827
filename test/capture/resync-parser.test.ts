import { describe, expect, it } from 'vitest';
import { ResyncParser } from '../../src/capture/resync-parser.js';
import { MALFORMED, OK, SEND, enc } from '../cli/fixtures.js';

/** Parses `input` fed in the given pieces; frames as "tid kind@base", skips as "skip offset+count". */
function run(pieces: Uint8Array[]): string[] {
  const seen: string[] = [];
  const p = new ResyncParser({
    frame: (f) => seen.push(`${f.kind} ${f.transactionId}`),
    error: (e) => seen.push(`error ${e.rule}@${e.offset}`),
    skipped: (offset, count, cause) => seen.push(`skip ${offset}+${count} ${cause.rule}`),
  });
  for (const piece of pieces) p.push(piece);
  p.end();
  return seen;
}

const junk = 'GARBAGE\r\nnot msrp at all\r\n';
const J = junk.length;
const S = enc.encode(SEND).length;
const O = enc.encode(OK).length;

describe('ResyncParser', () => {
  const cases: [string, string, string[]][] = [
    ['garbage before, between and after', junk + SEND + junk + OK + junk, [`skip 0+${J} W-10`, 'request a786hjs2', `skip ${J + S}+${J} W-10`, 'response a786hjs2', `skip ${2 * J + S + O}+${J} W-10`]],
    ['a frame without the MSRP tag', SEND + MALFORMED + OK, ['request a786hjs2', `skip ${S}+${enc.encode(MALFORMED).length} W-10`, 'response a786hjs2']],
    ['"MSRP" in the middle of a line is no start line', SEND + 'x MSRP abcd SEND\r\n' + OK, ['request a786hjs2', `skip ${S}+18 W-10`, 'response a786hjs2']],
    ['a start line whose transaction id is too short is no resync point', SEND + 'junk\r\nMSRP abc SEND\r\n' + OK, ['request a786hjs2', `skip ${S}+21 W-10`, 'response a786hjs2']],
    ['a stream that ends inside a frame, with a start line inside it', SEND + 'MSRP abcd1234 SEND\r\nTo-Path: x\r\nMSRP q', [
      'request a786hjs2',
      // The unfinished frame and the start line-like text in it are skipped to the end.
      `skip ${S}+${'MSRP abcd1234 SEND\r\nTo-Path: x\r\nMSRP q'.length} W-10`,
    ]],
    ['clean frames need no resync', SEND + OK, ['request a786hjs2', 'response a786hjs2']],
  ];

  it.each(cases)('%s: the same at every split of the input and byte by byte', (_name, text, expected) => {
    const bytes = enc.encode(text);
    const whole = run([bytes]);
    // The rule of the skip is whatever lost the framing; compare it apart from the offsets.
    expect(whole.map((l) => l.replace(/ W-\d+$/, ''))).toEqual(expected.map((l) => l.replace(/ W-\d+$/, '')));
    for (let k = 1; k < bytes.length; k++) expect(run([bytes.subarray(0, k), bytes.subarray(k)])).toEqual(whole);
    expect(run([...bytes].map((b) => new Uint8Array([b])))).toEqual(whole);
  });
});
