/**
 * Parse once: the URIs of a received frame's To-Path and From-Path, parsed when first asked for
 * and kept while the frame is handled. A relay asks for the same URIs several times as it handles
 * one frame (the first To-Path URI to admit it, the next one to route it and again to find the
 * connection, the first From-Path URI for the way back), always for the frame's To-Path and
 * From-Path lists, so the parses of the last two lists asked for are kept. The parser shares one
 * frozen path list among the frames of a connection that repeat a path header line, so a frame
 * that repeats the previous one's path finds its parses too. A frame is a value (frame.ts):
 * nothing changes a path list once made, which is what makes keeping its parses safe.
 *
 * A WeakMap kept every list's parses before: on the scale scenario 85 % of the lists were new
 * (a relay's connections carry the frames of many sessions, so the shared list keeps changing),
 * and the WeakMap's inserts and lookups cost more than the parses they saved
 * (docs/performance.md, "Issues 12 and 13, no slower").
 */
import { memoByText } from './text-memo.js';
import { parseUri, type UriParseResult } from './uri.js';

/** The last two path lists asked for (most recent first) and their parses by position. */
let lastPath: readonly string[] | null = null;
let lastParses: (UriParseResult | undefined)[] = [];
let otherPath: readonly string[] | null = null;
let otherParses: (UriParseResult | undefined)[] = [];

/**
 * The URI at `index` of `path` (a frame's `toPath` or `fromPath`) parsed as `parseUri(path[index])`
 * parses it, kept while `path` is one of the last two lists asked for; undefined when the path has
 * no such URI.
 */
export function pathUri(path: readonly string[], index: number): UriParseResult | undefined {
  const text = path[index];
  if (text === undefined) return undefined;
  if (path !== lastPath) {
    const parses = path === otherPath ? otherParses : [];
    otherPath = lastPath;
    otherParses = lastParses;
    lastPath = path;
    lastParses = parses;
  }
  return (lastParses[index] ??= uriOf(text));
}

/**
 * URI texts parsed so far, by text: a session's URIs come back in every frame of the session, each
 * time in a new list (the frames of other sessions come between) and a new string. Looking the
 * text up costs about a fifth of parsing it again.
 */
const uriOf = memoByText((text) => parseUri(text), 4096);
