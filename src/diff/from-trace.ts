/**
 * A run from its trace records: connections from `tcp.connect` / `tcp.accept` (simulated) and
 * `live.connect` / `live.accept` (live), the bytes of each direction from `msrp.send` and
 * `msrp.raw` writes (or, on a live connection, from `live.bytes`, what crossed the socket), and
 * which frames the other end read from `msrp.recv`.
 *
 * `msrp.recv` is read in both shapes of docs/trace-format.md: format 1's record with the frame's
 * fields, and format 2's reference `{conn, sent}` to the `msrp.send` it read, or its full frame
 * (`text` or `bytesBase64`) when nothing in the trace sent it (a real peer's frame).
 */
import { DiffInputError } from './diff-input-error.js';
import type { DiffConnection, DiffFrame, DiffNode, RunModel } from './diff-model.js';
import { framesOfStream, type StreamPiece } from './frame-stream.js';

/** The trace format versions this reads (docs/trace-format.md). */
export const TRACE_FORMATS_READ = 2;

/** The common fields of a trace record, and the rest read by name. */
export interface LooseRecord {
  t: number;
  seq: number;
  node: string;
  type: string;
  [field: string]: unknown;
}

interface Side {
  connection: Building;
  /** 0: this side is the initiator, so what it writes goes initiator → responder. */
  writes: 0 | 1;
}

interface Building {
  id: string;
  initiator: string;
  responder: string;
  opened: number;
  pieces: [StreamPiece[], StreamPiece[]];
  /** Frames of a format-2 `msrp.recv` in full, per direction, for a direction nobody in the trace wrote. */
  recvFull: [StreamPiece[], StreamPiece[]];
  received: [number, number];
  /** Whether the reader of each direction is in the trace (a real peer's reads are not). */
  reader: [boolean, boolean];
  /** A live connection: its bytes are `live.bytes`, not the frame writes. */
  live: boolean;

}

const str = (r: LooseRecord, k: string): string => {
  const v = r[k];
  if (typeof v !== 'string') throw new DiffInputError(`record seq ${r.seq} (${r.type}) has no string \`${k}\``);
  return v;
};
const num = (r: LooseRecord, k: string): number => {
  const v = r[k];
  if (typeof v !== 'number') throw new DiffInputError(`record seq ${r.seq} (${r.type}) has no number \`${k}\``);
  return v;
};

function bytesOf(r: LooseRecord): Uint8Array | null {
  if (typeof r.text === 'string') return new Uint8Array(Buffer.from(r.text, 'utf8'));
  if (typeof r.bytesBase64 === 'string') return new Uint8Array(Buffer.from(r.bytesBase64, 'base64'));
  return null;
}

/** The host part of `host:port` (`[v6]:port` too). */
function hostOf(address: string): string {
  const m = /^\[(.*)\]:\d+$/.exec(address) ?? /^(.*):\d+$/.exec(address);
  return m ? m[1]! : address;
}

export function runFromTrace(records: Iterable<LooseRecord>, source: string): RunModel {
  const sides = new Map<string, Side>();
  const connections: Building[] = [];
  const nodes = new Map<string, DiffNode>();
  const sends = new Map<number, string>();
  const node = (key: string, named: boolean): string => {
    if (!nodes.has(key)) nodes.set(key, { key, name: key, named });
    return key;
  };
  const open = (id: string, initiator: string, responder: string, opened: number, live: boolean): Building => {
    const c: Building = { id, initiator, responder, opened, pieces: [[], []], recvFull: [[], []], received: [0, 0], reader: [false, false], live };
    connections.push(c);
    return c;
  };
  const sideOf = (r: LooseRecord): Side => {
    const conn = str(r, 'conn');
    let s = sides.get(conn);
    if (s === undefined) {
      // A connection whose opening is not in the trace: its peer is unknown.
      s = { connection: open(conn, node(r.node, true), node(`(peer of ${conn})`, false), r.seq, false), writes: 0 };
      s.connection.reader[1] = true;
      sides.set(conn, s);
    }
    return s;
  };
  let first = true;
  for (const r of records) {
    if (first && r.type === 'trace.format') {
      const v = num(r, 'version');
      if (v > TRACE_FORMATS_READ) throw new DiffInputError(`trace format version ${v} is newer than this msrp-sim reads (${TRACE_FORMATS_READ})`);
    }
    first = false;
    switch (r.type) {
      case 'tcp.connect': {
        const conn = str(r, 'conn');
        // The responder is named by its `tcp.accept`; until then, by the address connected to.
        const c = open(conn, node(r.node, true), node(str(r, 'target'), false), r.seq, false);
        c.reader[1] = true;
        sides.set(conn, { connection: c, writes: 0 });
        break;
      }
      case 'tcp.accept': {
        const peer = sides.get(str(r, 'peer'));
        if (peer === undefined) throw new DiffInputError(`record seq ${r.seq}: tcp.accept names connection ${String(r.peer)}, which no tcp.connect opened`);
        const placeholder = peer.connection.responder;
        peer.connection.responder = node(r.node, true);
        if (!connections.some((c) => c.responder === placeholder || c.initiator === placeholder)) nodes.delete(placeholder);
        peer.connection.reader[0] = true;
        sides.set(str(r, 'conn'), { connection: peer.connection, writes: 1 });
        break;
      }
      case 'live.connect': {
        const c = open(str(r, 'conn'), node(r.node, true), node(str(r, 'target'), false), r.seq, true);
        c.reader[1] = true;
        sides.set(str(r, 'conn'), { connection: c, writes: 0 });
        break;
      }
      case 'live.accept': {
        const c = open(str(r, 'conn'), node(hostOf(str(r, 'remote')), false), node(r.node, true), r.seq, true);
        c.reader[0] = true;
        sides.set(str(r, 'conn'), { connection: c, writes: 1 });
        break;
      }
      case 'live.bytes': {
        const s = sideOf(r);
        const dir = str(r, 'direction') === 'out' ? s.writes : ((1 - s.writes) as 0 | 1);
        s.connection.live = true;
        s.connection.pieces[dir].push({ offset: num(r, 'offset'), bytes: new Uint8Array(Buffer.from(str(r, 'data'), 'base64')), time: r.t, order: r.seq });
        break;
      }
      case 'msrp.send': {
        const s = sideOf(r);
        sends.set(r.seq, str(r, 'conn'));
        const bytes = bytesOf(r);
        if (bytes === null) throw new DiffInputError(`record seq ${r.seq}: msrp.send without the frame's bytes (text or bytesBase64)`);
        if (!s.connection.live) s.connection.pieces[s.writes].push({ offset: num(r, 'offset'), bytes, time: r.t, order: r.seq });
        break;
      }
      case 'msrp.raw': {
        const s = sideOf(r);
        if (!s.connection.live) s.connection.pieces[s.writes].push({ offset: num(r, 'offset'), bytes: new Uint8Array(Buffer.from(str(r, 'text'), 'latin1')), time: r.t, order: r.seq });
        break;
      }
      case 'msrp.recv': {
        const s = sideOf(r);
        const dir = (1 - s.writes) as 0 | 1;
        s.connection.received[dir]++;
        if (typeof r.sent === 'number') {
          // Format 2: a reference to the frame's msrp.send on the peer's connection.
          const from = sends.get(r.sent);
          const peer = from === undefined ? undefined : sides.get(from);
          if (peer === undefined || peer.connection !== s.connection || peer.writes === s.writes) {
            throw new DiffInputError(`record seq ${r.seq}: msrp.recv refers to record ${r.sent}, which is no msrp.send on the other end of ${str(r, 'conn')}`);
          }
          break;
        }
        const bytes = bytesOf(r);
        // Format 2's full frame: what a peer outside the trace wrote. (Format 1's fields carry no bytes.)
        if (bytes !== null) s.connection.recvFull[dir].push({ offset: -1, bytes, time: r.t, order: r.seq });
        break;
      }
    }
  }
  const notes: string[] = [];
  const out: DiffConnection[] = connections.flatMap((c) => {
    const frames = ([0, 1] as const).map((dir) => {
      let pieces = c.pieces[dir];
      if (pieces.length === 0 && c.recvFull[dir].length > 0) {
        let offset = 0;
        pieces = c.recvFull[dir].map((p) => ({ ...p, offset: (offset += p.bytes.length) - p.bytes.length }));
      }
      const label = `${c.id} ${dir === 0 ? `${c.initiator} -> ${c.responder}` : `${c.responder} -> ${c.initiator}`}`;
      const r = framesOfStream(pieces, label, !c.live);
      notes.push(...r.notes);
      // TCP delivers in order: the frames read are the first ones written.
      if (c.reader[dir]) r.frames.forEach((f, i) => (f.received = i < c.received[dir]));
      return r.frames;
    });
    // A connection that carried no MSRP (refused, blocked, closed at once): nothing diff compares.
    if (frames[0]!.length === 0 && frames[1]!.length === 0) return [];
    return [{ id: c.id, initiator: c.initiator, responder: c.responder, opened: c.opened, frames: [frames[0]!, frames[1]!] as [DiffFrame[], DiffFrame[]] }];
  });
  const used = new Set(out.flatMap((c) => [c.initiator, c.responder]));
  return { source, kind: 'trace', nodes: [...nodes.values()].filter((n) => used.has(n.key)), connections: out, notes };
}
