/** Test helpers for the wire codec: feeding a parser in slices, seeded splits, byte utilities. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Continuation, MsrpFrame } from '../../src/wire/frame.js';
import { MsrpParser, type ParseError, type ParserOptions } from '../../src/wire/parser.js';

export const FIXTURES = fileURLToPath(new URL('fixtures', import.meta.url));

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, 'rfc', name));
}

export function rfcFixtureNames(): string[] {
  return readdirSync(join(FIXTURES, 'rfc'))
    .filter((f) => f.endsWith('.msrp'))
    .sort(compareFixtureNames);
}

/** rfc4975-s4-f1 < rfc4975-s5.1-f1 < rfc4975-s11.1-f1 (numeric section and frame order). */
function compareFixtureNames(a: string, b: string): number {
  const key = (s: string) => {
    const m = /^rfc(\d+)-s([\d.]+)-f(\d+)-/.exec(s)!;
    return [Number(m[1]), ...m[2]!.split('.').map(Number), Number(m[3])];
  };
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (ka[i] ?? -1) - (kb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

export const ascii = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1');

export interface ParseResult {
  frames: MsrpFrame[];
  errors: ParseError[];
  parser: MsrpParser;
}

/** Parses `bytes` pushed as the slices between the given cut offsets (sorted, inside the input). */
export function parseCuts(bytes: Uint8Array, cuts: readonly number[], options?: ParserOptions, end = true): ParseResult {
  const frames: MsrpFrame[] = [];
  const errors: ParseError[] = [];
  const parser = new MsrpParser({ frame: (f) => frames.push(f), error: (e) => errors.push(e) }, options);
  let at = 0;
  for (const c of cuts) {
    parser.push(bytes.subarray(at, c));
    at = c;
  }
  parser.push(bytes.subarray(at));
  if (end) parser.end();
  return { frames, errors, parser };
}

/** As parseCuts, but every slice is copied into a fresh buffer that is scribbled over after push. */
export function parseCutsScribbled(bytes: Uint8Array, cuts: readonly number[], options?: ParserOptions): ParseResult {
  const frames: MsrpFrame[] = [];
  const errors: ParseError[] = [];
  const parser = new MsrpParser({ frame: (f) => frames.push(f), error: (e) => errors.push(e) }, options);
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    const slice = Uint8Array.from(bytes.subarray(at, c));
    parser.push(slice);
    slice.fill(0x58); // the parser must have copied whatever it keeps
    at = c;
  }
  parser.end();
  return { frames, errors, parser };
}

/**
 * As parseCuts, with `bodyViews` (as the simulator's connections parse): each slice is a view of
 * `bytes`, continuing the previous one in memory, or, where `copied(i)` says so, a copy in memory
 * of its own, so the parser's held tail (bodyViews) is exercised both ways.
 */
export function parseCutsViews(bytes: Uint8Array, cuts: readonly number[], copied: (i: number) => boolean, options?: ParserOptions): ParseResult {
  const frames: MsrpFrame[] = [];
  const errors: ParseError[] = [];
  const parser = new MsrpParser({ frame: (f) => frames.push(f), error: (e) => errors.push(e) }, { ...options, bodyViews: true });
  let at = 0;
  [...cuts, bytes.length].forEach((c, i) => {
    const view = bytes.subarray(at, c);
    parser.push(copied(i) ? Buffer.from(view) : view);
    at = c;
  });
  parser.end();
  return { frames, errors, parser };
}

/** A small seeded generator (xorshift32) for reproducible random splits. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** `count` sorted distinct cut offsets in (0, length). */
export function randomCuts(length: number, count: number, next: () => number): number[] {
  const set = new Set<number>();
  while (set.size < Math.min(count, length - 1)) set.add(1 + Math.floor(next() * (length - 1)));
  return [...set].sort((a, b) => a - b);
}

/** A frame with its body as a plain array copy, for comparisons that ignore buffer identity. */
export function plain(frame: MsrpFrame): unknown {
  if (frame.kind === 'request') return { ...frame, body: frame.body === null ? null : Array.from(frame.body) };
  return { ...frame };
}

export interface StreamEvents {
  events: unknown[];
  errors: ParseError[];
}

/** Runs a parser in streamBodies mode and records head / body / end / frame events. */
export function parseStreaming(bytes: Uint8Array, cuts: readonly number[], options?: ParserOptions): StreamEvents {
  const events: unknown[] = [];
  const errors: ParseError[] = [];
  let body: number[] | null = null;
  let head: MsrpFrame | null = null;
  const parser = new MsrpParser(
    {
      frame: (f) => events.push({ frame: plain(f) }),
      error: (e) => errors.push(e),
      head: (h) => {
        head = h;
        body = [];
      },
      bodyPiece: (p) => body!.push(...p),
      end: (c: Continuation) => {
        events.push({ head: plain(head!), body, end: c });
        head = null;
        body = null;
      },
    },
    { ...options, streamBodies: true },
  );
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    parser.push(bytes.subarray(at, c));
    at = c;
  }
  parser.end();
  return { events, errors };
}

export function rules(frameOrErrors: MsrpFrame | ParseError[]): string[] {
  const list = Array.isArray(frameOrErrors) ? frameOrErrors : frameOrErrors.violations;
  return list.map((v) => v.rule);
}
