/**
 * Parse once: the URIs of a received frame's To-Path and From-Path, parsed when first asked for
 * and kept with the path. The parser shares one frozen path list among the frames of a connection
 * that repeat a path header line, so a relay parses each hop's URI once per distinct path, not
 * once per look at it. A frame is a value (frame.ts): nothing changes a path list once made, which
 * is what makes keeping its parses safe.
 */
import { parseUri, type UriParseResult } from './uri.js';

/** Each path list's parses by position; lists that are no longer referenced take theirs along. */
const parsed = new WeakMap<readonly string[], (UriParseResult | undefined)[]>();

/**
 * The URI at `index` of `path` (a frame's `toPath` or `fromPath`) parsed as `parseUri(path[index])`
 * parses it, from the path's cache after the first time; undefined when the path has no such URI.
 */
export function pathUri(path: readonly string[], index: number): UriParseResult | undefined {
  const text = path[index];
  if (text === undefined) return undefined;
  let parses = parsed.get(path);
  if (parses === undefined) {
    parses = [];
    parsed.set(path, parses);
  }
  return (parses[index] ??= parseUri(text));
}
