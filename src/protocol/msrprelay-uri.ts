/**
 * How AG Projects' msrprelay reads and compares MSRP URIs (docs/relay-profiles.md,
 * `msrprelay:unreadable-path` and `msrprelay:session-per-auth`), which is not how RFC 4975 §6.1
 * (U-11) or msrp-sim's own parser (wire/uri.ts) do it:
 * - reading (protocol.py `parse_uri`, 453-475): one regular expression; the scheme is exactly
 *   `msrp` or `msrps` (case-sensitive), the transport exactly `tcp`, every further parameter a
 *   `name=value` pair; anything else makes the whole path header unreadable;
 * - comparing (protocol.py `URI.__eq__`, 509-523): the scheme, the host case-insensitively as
 *   text (no IPv6 or percent-encoding normal form), the port (none differs from any), the session
 *   id, the transport; the user part and the parameters are not looked at.
 */

/** A URI as msrprelay keeps it, for its comparison. */
export interface MsrprelayUri {
  tls: boolean;
  host: string;
  port: number | null;
  sessionId: string | null;
  transport: string;
}

// protocol.py 453: the same pattern, group for group (lazy quantifiers backtrack alike in both).
const URI = /^(.*?):\/\/(?:(?:.*?@)?(.*?)(?::([0-9]+?))?)(?:\/(.*?))?;(.*?)(?:;(.*))?$/;

/** `text` read as msrprelay reads a path URI, or null where it raises ParsingError. */
export function readMsrprelayUri(text: string): MsrprelayUri | null {
  const m = URI.exec(text);
  if (m === null) return null;
  const [, scheme, host, port, sessionId, transport, params] = m;
  // `dict(param.split("=") for param in ...split(";"))`: each parameter exactly one `=`.
  if (params !== undefined && params.split(';').some((p) => p.split('=').length !== 2)) return null;
  if (scheme !== 'msrp' && scheme !== 'msrps') return null;
  if (transport !== 'tcp') return null;
  return { tls: scheme === 'msrps', host: host!, port: port === undefined ? null : Number(port), sessionId: sessionId ?? null, transport: transport };
}

/** Whether every URI of `path` reads (protocol.py `URIHeader._decode`: one that does not makes the header unreadable). */
function pathReadable(path: readonly string[]): boolean {
  return path.length > 0 && path.every((uri) => readMsrprelayUri(uri) !== null);
}

/** Why msrprelay drops a frame whose paths it cannot read (`msrprelay:unreadable-path`). */
export const UNREADABLE_PATH = 'To-Path or From-Path unreadable: no response can be addressed';

/** Whether msrprelay reads both path headers of `frame`, and so has somewhere to send a response. */
export function msrprelayPathsReadable(frame: { toPath: readonly string[]; fromPath: readonly string[] }): boolean {
  return pathReadable(frame.toPath) && pathReadable(frame.fromPath);
}

/** `a == b` for msrprelay (`URI.__eq__`); a URI it cannot read equals only the same text. */
export function msrprelayUriEquals(a: string, b: string): boolean {
  if (a === b) return true;
  const x = readMsrprelayUri(a);
  const y = readMsrprelayUri(b);
  if (x === null || y === null) return false;
  return x.tls === y.tls && x.host.toLowerCase() === y.host.toLowerCase() && x.port === y.port && x.sessionId === y.sessionId && x.transport.toLowerCase() === y.transport.toLowerCase();
}

/**
 * msrprelay's check of a request's path against the path a session's leg is bound to
 * (relay.py 501-503 for From-Path, 516-518 for To-Path): `for index, uri in enumerate(path): if
 * uri != bound[index]`: `differs` at the first URI that differs; `index-error` when `path` runs
 * past the end of `bound` before any differs (a Python IndexError that nothing catches there).
 */
export function compareLegPath(path: readonly string[], bound: readonly string[]): 'same' | 'differs' | 'index-error' {
  for (let i = 0; i < path.length; i++) {
    if (i >= bound.length) return 'index-error';
    if (!msrprelayUriEquals(path[i]!, bound[i]!)) return 'differs';
  }
  return 'same';
}
