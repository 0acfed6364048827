/**
 * Path arithmetic of RFC 4976: what a relay-using client puts in To-Path and in its SDP a=path,
 * and what a relay does to the path headers of a request it forwards.
 */

import type { MsrpUri } from '../wire/uri.js';

/**
 * R-07, RFC 4976 §5.1: "To-Path of outgoing requests = Use-Path (from the outermost AUTH) ++ peer's
 * SDP a=path".
 */
export function requestToPath(usePath: readonly string[], peerPath: readonly string[]): string[] {
  return [...usePath, ...peerPath];
}

/** R-07, RFC 4976 §5.1: own SDP a=path = reverse(Use-Path) ++ own URI. */
export function sdpPath(usePath: readonly string[], ownUri: string): string[] {
  return [...usePath].reverse().concat(ownUri);
}

/**
 * R-19, RFC 4976 §6.4: a forwarding relay "removes this URI from the To-Path header and inserts
 * this URI in the From-Path header before any other URIs". Used for requests and for
 * responses to non-SEND requests (RFC 4976 §6.4.3).
 */
export function forwardPaths(
  toPath: readonly string[],
  fromPath: readonly string[],
): { toPath: string[]; fromPath: string[] } {
  const own = toPath[0]!;
  return { toPath: toPath.slice(1), fromPath: [own, ...fromPath] };
}

/**
 * E-33, RFC 4975 §7.2: "Responses to SEND requests are returned only to the previous hop": the
 * To-Path of a SEND response is the first From-Path URI; of any other response, the whole From-Path.
 */
export function responseToPath(method: string, requestFromPath: readonly string[]): string[] {
  return method === 'SEND' ? [requestFromPath[0]!] : [...requestFromPath];
}

/** The port of an MSRP URI that names none (RFC 4975 §9: 2855). */
export const DEFAULT_PORT = 2855;

/** A URI's authority as the relay keys connections and relays by: `scheme://host:port`, host in lower case. */
export function authority(uri: MsrpUri): string {
  return `${uri.scheme}://${uri.host.toLowerCase()}:${uri.port ?? DEFAULT_PORT}`;
}

/**
 * Whether `uri` names the relay whose own URI is `base` (its base URI, or one of its tokens): same
 * scheme, host and port. U-04: only the To-Path of an AUTH may omit the port.
 */
export function namesRelay(base: MsrpUri, uri: MsrpUri, auth: boolean): boolean {
  if (uri.scheme !== base.scheme) return false;
  if (uri.host.toLowerCase() !== base.host.toLowerCase()) return false;
  if (uri.port === null) return auth;
  return uri.port === base.port;
}
