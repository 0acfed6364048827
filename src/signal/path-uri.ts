/**
 * A minimal reading of the MSRP URIs found in an SDP `a=path` attribute: just what offer/answer
 * checks need (scheme, host, port, session-id, transport). The full URI codec with RFC 4975 §6.1
 * comparison lives in `src/wire/`; this helper is local to the signalling model until that one is
 * available to it, and is meant to be replaced by it.
 *
 * Grammar (CHECKLIST b, RFC 4975 §9):
 *   MSRP-URI = msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter)
 *   session-id = 1*( unreserved / "+" / "=" / "/" )
 */

export type MsrpScheme = 'msrp' | 'msrps';

export interface PathUri {
  /** Lower-cased: the scheme is compared case-insensitively (U-11). */
  scheme: MsrpScheme;
  /** The host as written: a name, an IPv4 address, or an IPv6 literal in brackets. */
  host: string;
  /** Absent when the URI has no explicit port (U-04 forbids that in SDP). */
  port?: number;
  sessionId?: string;
  transport: string;
}

export type PathUriResult = { ok: true; uri: PathUri } | { ok: false; message: string };

const SCHEME = /^(msrps?):\/\//i;
// [userinfo "@"] host [":" port]; the host is an IP literal or runs up to ':' '/' or ';'.
const AUTHORITY = /^(?:[^@/;[\]]*@)?(\[[0-9A-Fa-f:.]+\]|[^:/;@[\]]+)(?::([0-9]*))?/;
const SESSION_ID = /^\/([A-Za-z0-9\-._~+=/]+)/;
const TRANSPORT = /^;([A-Za-z0-9]+)/;
const URI_PARAMETER = /^;[!#$%&'*+\-.^_`|~A-Za-z0-9]+(?:=[!#$%&'*+\-.^_`|~A-Za-z0-9]+)?/;

/** Reads one MSRP URI; never throws. */
export function parsePathUri(text: string): PathUriResult {
  const scheme = SCHEME.exec(text);
  if (scheme === null) return { ok: false, message: `"${text}" does not start with msrp:// or msrps://` };
  let rest = text.slice(scheme[0].length);
  const authority = AUTHORITY.exec(rest);
  if (authority === null) return { ok: false, message: `"${text}" has no host` };
  const host = authority[1] as string;
  const portText = authority[2];
  rest = rest.slice(authority[0].length);
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (portText === '' || portText.length > 5 || port > 65535) {
      return { ok: false, message: `"${text}" has an invalid port "${portText}"` };
    }
  }
  let sessionId: string | undefined;
  const session = SESSION_ID.exec(rest);
  if (session !== null) {
    sessionId = session[1] as string;
    rest = rest.slice(session[0].length);
  }
  // U-02, RFC 4975 §6: "URIs designating MSRP over TCP MUST include the "tcp" transport parameter."
  const transport = TRANSPORT.exec(rest);
  if (transport === null) return { ok: false, message: `"${text}" has no ";transport" parameter (U-02)` };
  rest = rest.slice(transport[0].length);
  while (rest.length > 0) {
    const parameter = URI_PARAMETER.exec(rest);
    if (parameter === null) return { ok: false, message: `"${text}" has a malformed URI parameter at "${rest}"` };
    rest = rest.slice(parameter[0].length);
  }
  const uri: PathUri = {
    scheme: (scheme[1] as string).toLowerCase() as MsrpScheme,
    host,
    transport: (transport[1] as string).toLowerCase(),
  };
  if (port !== undefined) uri.port = port;
  if (sessionId !== undefined) uri.sessionId = sessionId;
  return { ok: true, uri };
}

/** The host as an SDP connection address: IPv6 literals lose their brackets (RFC 4566 §5.7). */
export function hostAsConnectionAddress(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `IP6` for an IPv6 literal, `IP4` otherwise (RFC 4975 examples use IP4 with host names). */
export function addressTypeOfHost(host: string): 'IP4' | 'IP6' {
  return host.startsWith('[') ? 'IP6' : 'IP4';
}
