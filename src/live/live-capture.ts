/**
 * The capture of a live run, from the bytes that crossed its sockets (`live.bytes`), with
 * synthesized TCP/IP around them as for a simulated run: a handshake when a connection opens, one
 * segment per read or write (sequence numbers from the stream offsets), a FIN at the end. The MSRP
 * bytes are exactly those that crossed; `tcpdump -i lo` of the same run shows the same frames,
 * in segments the kernel cut differently.
 */
import { captureFileWriter, type CaptureFileWriter } from '../output/capture-files.js';
import type { AnyTraceRecord } from '../sim/trace.js';

interface Flow {
  local: string;
  remote: string;
  node: string;
  /** Initial sequence numbers of this side and the peer (fixed: a capture needs no randomness). */
  isnOut: number;
  isnIn: number;
  out: number;
  in: number;
}

const ISN_OUT = 1_000_000;
const ISN_IN = 2_000_000;

/**
 * Makes capture.pcap from live records. Its packets are in the order of the records, so each is
 * written as it comes: to `write` (a file the run streams to), or kept for `pcap()`.
 */
export class LiveCapture {
  private readonly flows = new Map<string, Flow>();
  private readonly writer: CaptureFileWriter;
  private packets = 0;

  constructor(write: ((bytes: Uint8Array) => void) | null = null) {
    this.writer = captureFileWriter('pcap', write, new Map());
  }

  record(r: AnyTraceRecord): void {
    if (r.type === 'live.open') {
      const f: Flow = { local: String(r.local), remote: String(r.remote), node: r.node, isnOut: ISN_OUT, isnIn: ISN_IN, out: 0, in: 0 };
      this.flows.set(String(r.conn), f);
      // Which side sent the SYN is not known from a socket: the capture shows the peer opening (docs/live.md).
      this.packet(r, f, 'in', 'S', null, f.isnIn - 1, 0);
      this.packet(r, f, 'out', 'SA', null, f.isnOut - 1, f.isnIn);
      this.packet(r, f, 'in', 'A', null, f.isnIn, f.isnOut);
      return;
    }
    const f = this.flows.get(String(r.conn));
    if (!f) return;
    if (r.type === 'live.bytes') {
      const payload = new Uint8Array(Buffer.from(String(r.data), 'base64'));
      const out = r.direction === 'out';
      const seq = (out ? f.isnOut : f.isnIn) + Number(r.offset);
      const ack = (out ? f.isnIn + f.in : f.isnOut + f.out);
      this.packet(r, f, out ? 'out' : 'in', 'PA', payload, seq, ack);
      if (out) f.out += payload.length;
      else f.in += payload.length;
    } else if (r.type === 'live.close') {
      const out = r.kind === 'local';
      this.packet(r, f, out ? 'out' : 'in', r.kind === 'reset' ? 'R' : 'FA', null, out ? f.isnOut + f.out : f.isnIn + f.in, out ? f.isnIn + f.in : f.isnOut + f.out);
      this.flows.delete(String(r.conn));
    }
  }

  private packet(r: AnyTraceRecord, f: Flow, direction: 'in' | 'out', flags: string, payload: Uint8Array | null, seq: number, ack: number): void {
    const out = direction === 'out';
    this.writer.packet({
      t: r.t,
      rec: r.seq,
      sub: this.packets++,
      src: out ? f.local : f.remote,
      dst: out ? f.remote : f.local,
      seq: seq >>> 0,
      ack: ack >>> 0,
      flags,
      payload,
      mss: flags.includes('S') ? 65_495 : null,
      srcNode: out ? f.node : 'peer',
      dstNode: out ? 'peer' : f.node,
      comment: '',
      sip: false,
    });
  }

  /** capture.pcap of what was recorded (when nothing was given to write to). */
  pcap(): Uint8Array {
    return this.writer.whole();
  }

  /** What goes before the bytes written (the file's header, when no packet came). */
  head(): Uint8Array {
    return this.writer.head();
  }
}
