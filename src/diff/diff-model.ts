/**
 * What `msrp-sim diff` compares: a run seen as its TCP connections, each with the MSRP frames that
 * crossed it in each direction, whatever the run was read from (a trace or a capture). Frames are
 * kept as text: start line, headers in order, body, continuation flag, so that ids can be
 * normalized and differences shown without the codec's types.
 */
import type { HeaderField, MsrpFrame } from '../wire/frame.js';

/** One frame as it crossed a connection. */
export interface DiffFrame {
  /** `MSRP <transaction-id> <method>` or `MSRP <transaction-id> <status> <comment>`. */
  startLine: string;
  /** Names and values as on the wire, in order. */
  headers: HeaderField[];
  /** The body, one character per byte (latin1); `null` for a frame without one. */
  body: string | null;
  /** The end-line's flag: `$`, `+` or `#`. */
  continuation: string;
  /** µs: the trace's time of the write, or the capture time of the packet that completed it. */
  time: number | null;
  /** Where the frame is in its run (trace `seq`, or capture order): the first divergence is the earliest. */
  order: number;
  /** Whether the other end read it: known from a trace's `msrp.recv` records, `null` from a capture. */
  received: boolean | null;
}

/** A node of a run: its key (how the run names it) and whether that is a name to match by. */
export interface DiffNode {
  key: string;
  /** Shown to the user: the node id of a trace, a `--map` name, or the URI authority or address. */
  name: string;
  /** True for a trace's node ids and `--map` names: nodes with the same name on both sides are matched first. */
  named: boolean;
}

/** One TCP connection of a run. */
export interface DiffConnection {
  /** How the source names it: the initiator's connection id of a trace, or `ip:port -> ip:port` of a capture. */
  id: string;
  /** Node keys. */
  initiator: string;
  responder: string;
  /** When it was opened, in the run's order (for matching the n-th connection between two nodes). */
  opened: number;
  /** `[initiator → responder, responder → initiator]`. */
  frames: [DiffFrame[], DiffFrame[]];
}

export type RunKind = 'trace' | 'capture';

/** A run as `diff` sees it. */
export interface RunModel {
  /** The file or folder it was read from. */
  source: string;
  kind: RunKind;
  nodes: DiffNode[];
  /** In order of opening. */
  connections: DiffConnection[];
  /** Things about the input a user should know (bytes that were not frames, gaps). */
  notes: string[];
}

/** The text form of a parsed frame. */
export function diffFrame(frame: MsrpFrame, time: number | null, order: number): DiffFrame {
  const startLine = frame.kind === 'request' ? `MSRP ${frame.transactionId} ${frame.method}` : `MSRP ${frame.transactionId} ${frame.statusCode}${frame.comment === null ? '' : ` ${frame.comment}`}`;
  const body = frame.kind === 'request' && frame.body !== null ? Buffer.from(frame.body.buffer, frame.body.byteOffset, frame.body.byteLength).toString('latin1') : null;
  return { startLine, headers: frame.headers.map(([n, v]) => [n, v]), body, continuation: frame.continuation, time, order, received: null };
}
