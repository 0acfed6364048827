/**
 * The typed model of SDP for MSRP media (RFC 4566 as used by RFC 4975 §8, RFC 4976 §11, RFC 6135,
 * RFC 6714 and RFC 5547): what sdp.ts writes and reads, and what offer/answer reasons about.
 */

export type AddressType = 'IP4' | 'IP6';
/** E-01, RFC 4975 §8.1: the only protocol values of an MSRP media line. */
export type MsrpProto = 'TCP/MSRP' | 'TCP/TLS/MSRP';
export const MSRP_PROTOS: readonly MsrpProto[] = ['TCP/MSRP', 'TCP/TLS/MSRP'];
/** RFC 4145 a=setup values, as used by RFC 6135 (E-18). */
export type SetupValue = 'active' | 'passive' | 'actpass' | 'holdconn';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** An attribute the model has no field for, kept in order: `a=name` or `a=name:value`. */
export interface SdpAttribute {
  name: string;
  value?: string;
}

/** RFC 5547 §5 `a=file-selector`; `name` stays percent-encoded as written. */
export interface FileSelector {
  name?: string;
  type?: string;
  size?: number;
  hash?: { algorithm: string; value: string }[];
}

/**
 * One m-line with its attributes. `media`, `proto` and `formats` hold what was written, so that a
 * line breaking E-01 (`m=text`, `TCP/WS/MSRP`, a format other than `*`) can still be represented
 * and answered with a 488 naming the rule; for MSRP they are `message`, a {@link MsrpProto} and
 * `['*']`. Other media (an audio line beside the MSRP one) keep their attributes in `attributes`.
 */
export interface MsrpMediaDescription {
  media: string;
  /** E-01: the port of the endpoint's own URI (the last of `path`); 0 = rejected. */
  port: number;
  proto: MsrpProto | string;
  formats: string[];
  /** E-02: the host of the endpoint's own URI (c=, from the media or the session level). */
  connectionAddress: string;
  addressType: AddressType;
  /** E-03: `a=path` URIs, first hop first, endpoint last; empty when the attribute is absent. */
  path: string[];
  /** E-05: `a=accept-types` entries; empty when the attribute is absent. */
  acceptTypes: string[];
  acceptWrappedTypes?: string[];
  maxSize?: number;
  setup?: SetupValue;
  direction?: Direction;
  /** X-06, RFC 6714 `a=msrp-cema`; `false` and absent mean the same. */
  cema?: boolean;
  fileSelector?: FileSelector;
  fileTransferId?: string;
  /** Other attributes, in order; omitted when there are none. */
  attributes?: SdpAttribute[];
}

export interface SdpOrigin {
  username: string;
  /** Digits, kept as text: RFC 4566 suggests NTP timestamps, which need not fit a double exactly. */
  sessionId: string;
  version: string;
  addressType: AddressType;
  address: string;
}

export interface SdpConnection {
  addressType: AddressType;
  address: string;
}

export interface SessionDescription {
  origin: SdpOrigin;
  /** The s= text as written (RFC 4975 examples write `s= -`, a name of " -"). */
  sessionName: string;
  /** The session-level c= line, when there is one. */
  connection?: SdpConnection;
  time: { start: number; stop: number };
  /** Session-level attributes, in order; omitted when there are none. */
  attributes?: SdpAttribute[];
  media: MsrpMediaDescription[];
}

/** A problem in SDP text: the rule (a CHECKLIST id or an RFC section), what, and the 1-based line. */
export interface SdpIssue {
  rule: string;
  message: string;
  line: number;
}

/** A line the model does not hold (i=, u=, e=, p=, b=, z=, k=, r=, extra t= or c=). */
export interface SdpIgnoredLine {
  line: number;
  text: string;
}

export type SdpParseResult =
  | { ok: true; desc: SessionDescription; violations: SdpIssue[]; ignored: SdpIgnoredLine[] }
  | { ok: false; errors: SdpIssue[] };

/** Whether a media line proposes MSRP (E-01): `m=message` with TCP/MSRP or TCP/TLS/MSRP. */
export function isMsrpMedia(m: MsrpMediaDescription): boolean {
  return m.media === 'message' && (MSRP_PROTOS as readonly string[]).includes(m.proto);
}
