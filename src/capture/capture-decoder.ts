/**
 * Decodes a whole capture (pcap or pcapng) into MSRP frames: reads the packets, finds their TCP
 * segments, puts each direction of each connection back in order and parses it with its own
 * MSRP parser, which resynchronises after bytes that are not frames. Pure: it takes the capture's
 * bytes and reports to a sink; problems with the file itself come back as a value, problems inside
 * it go to the sink.
 */
import type { MsrpFrame } from '../wire/frame.js';
import type { ParseError, ParserOptions } from '../wire/parser.js';
import { decodeTcp, detectCapture, LINKTYPE, readPcap } from './pcap-reader.js';
import { pcapTime, readPcapng, type CapturedPacket } from './pcapng-reader.js';
import { ResyncParser, startLineAt } from './resync-parser.js';
import { TcpReassembler, type ReassemblyEvent } from './tcp-reassembler.js';

/** Where a frame came from in a capture. */
export interface FrameSource {
  /** "10.0.0.1:5000 -> 10.0.0.2:2855" */
  stream: string;
  /** The packet whose bytes completed the frame; absent for frames completed at the capture's end. */
  packet?: number;
  /**
   * When that packet was captured: seconds since the epoch with microseconds ("1700000000.000123").
   * Frames completed at the capture's end carry the time of their stream's last packet; absent
   * when the capture has no times (pcapng Simple Packet Blocks).
   */
  time?: string;
  /** The stream offset the frame's parser started at (add it to violation offsets). */
  base: number;
}

export interface CaptureSink {
  frame(frame: MsrpFrame, source: FrameSource): void;
  /** A parse error; its offset is a stream offset. */
  error(error: ParseError, stream: string): void;
  /** Bytes of a stream that are not frames, skipped to the next start line (ResyncSink.skipped). */
  skipped(offset: number, count: number, cause: ParseError, stream: string): void;
  /** Something about the capture a user should know (a gap, a damaged packet). */
  warn(message: string): void;
  /** Something expected that is no problem (streams of other protocols skipped). */
  note(message: string): void;
}

export type CaptureResult = { ok: true } | { ok: false; message: string };

/** Packets skipped for a reason that are named one by one; the rest are counted. */
const NAMED_SKIPS = 5;
/** Streams of other protocols named in the note; the rest are counted. */
const NAMED_OTHER_STREAMS = 3;

const SUPPORTED = 'Ethernet, raw IPv4/IPv6, Linux cooked, loopback';
const supported = (linkType: number): boolean => (Object.values(LINKTYPE) as number[]).includes(linkType);

/** The packets of a pcap or pcapng file, each with its link type and time. */
export function readCapturePackets(bytes: Uint8Array): { ok: true; packets: CapturedPacket[]; warnings: string[] } | { ok: false; message: string } {
  if (detectCapture(bytes) === 'pcapng') {
    const r = readPcapng(bytes);
    if (!r.ok) return r;
    const types = new Set(r.packets.map((p) => p.linkType));
    const unsupported = [...types].filter((t) => !supported(t));
    if (r.packets.length > 0 && unsupported.length === types.size) {
      return { ok: false, message: `link type ${unsupported.join(', ')} is not supported (${SUPPORTED})` };
    }
    const warnings = [...r.warnings];
    for (const t of unsupported) warnings.push(`link type ${t} is not supported (${SUPPORTED}); its packets are skipped`);
    return { ok: true, packets: r.packets.filter((p) => supported(p.linkType)), warnings };
  }
  const r = readPcap(bytes);
  if (!r.ok) return r;
  const { linkType, nanoseconds } = r.header;
  if (!supported(linkType)) return { ok: false, message: `link type ${linkType} is not supported (${SUPPORTED})` };
  return {
    ok: true,
    packets: r.packets.map((p) => ({ number: p.number, linkType, time: pcapTime(p.seconds, p.fraction, nanoseconds), originalLength: p.originalLength, data: p.data })),
    warnings: r.warnings,
  };
}

interface StreamState {
  parser: ResyncParser;
  /** Stream offset the parser started at (0, or after a gap). */
  base: number;
}

export function decodeCapture(bytes: Uint8Array, sink: CaptureSink, parserOptions: ParserOptions = {}): CaptureResult {
  const capture = readCapturePackets(bytes);
  if (!capture.ok) return { ok: false, message: capture.message };
  for (const w of capture.warnings) sink.warn(w);
  const reassembler = new TcpReassembler();
  const parsers = new Map<string, StreamState>();
  /**
   * Streams not yet known to be MSRP: their first bytes, until they show a start line or not.
   * A stream whose capture holds its start and whose first bytes are no start line is another
   * protocol (SIP, HTTP, ...) and is skipped whole.
   */
  const undecided = new Map<string, Uint8Array>();
  const otherStreams = new Set<string>();
  const lastTime = new Map<string, string>();
  let packetNumber: number | undefined;
  let packetTime: string | null = null;
  const parserFor = (stream: string, base: number): ResyncParser => {
    let entry = parsers.get(stream);
    if (entry === undefined) {
      const parser = new ResyncParser(
        {
          frame: (f, from) => {
            const source: FrameSource = { stream, base: base + from };
            if (packetNumber !== undefined) source.packet = packetNumber;
            const time = packetNumber !== undefined ? packetTime : (lastTime.get(stream) ?? null);
            if (time !== null) source.time = time;
            sink.frame(f, source);
          },
          error: (e) => sink.error({ ...e, offset: base + e.offset }, stream),
          skipped: (offset, count, cause) => sink.skipped(base + offset, count, { ...cause, offset: base + cause.offset }, stream),
        },
        parserOptions,
      );
      entry = { parser, base };
      parsers.set(stream, entry);
    }
    return entry.parser;
  };
  /** Data for a stream: held until its first bytes tell whether it is MSRP. */
  const data = (stream: string, offset: number, bytes: Uint8Array): void => {
    if (otherStreams.has(stream)) return;
    if (parsers.has(stream) || offset !== 0 || !reassembler.startSeen(stream)) {
      parserFor(stream, offset).push(bytes);
      return;
    }
    const held = undecided.get(stream);
    const first = held === undefined ? bytes : concat(held, bytes);
    const m = startLineAt(first, 0);
    if (m === 'more') {
      undecided.set(stream, first);
      return;
    }
    undecided.delete(stream);
    if (m === 'no') otherStreams.add(stream);
    else parserFor(stream, 0).push(first);
  };
  const apply = (events: ReassemblyEvent[]): void => {
    for (const ev of events) {
      if (ev.kind === 'data') {
        data(ev.stream, ev.offset, ev.bytes);
      } else {
        // A hole or a new connection: what the old parser holds can never complete.
        if (ev.kind === 'gap' && !otherStreams.has(ev.stream)) sink.warn(`stream ${ev.stream}: ${ev.missing} bytes missing from the capture at stream byte ${ev.offset}`);
        flushUndecided(ev.stream);
        parsers.get(ev.stream)?.parser.end();
        parsers.delete(ev.stream);
        if (ev.kind === 'restart') otherStreams.delete(ev.stream);
      }
    }
  };
  /** A stream too short to tell: whatever it holds goes to the parser, which says what it is. */
  const flushUndecided = (stream: string): void => {
    const held = undecided.get(stream);
    if (held === undefined) return;
    undecided.delete(stream);
    parserFor(stream, 0).push(held);
  };
  let segments = 0;
  let skipped = 0;
  for (const packet of capture.packets) {
    packetNumber = packet.number;
    packetTime = packet.time;
    const r = decodeTcp(packet, packet.linkType);
    if (!r.ok) {
      if (r.reason !== null) {
        skipped++;
        if (skipped <= NAMED_SKIPS) sink.warn(`packet ${packet.number} skipped: ${r.reason}`);
      }
      continue;
    }
    segments++;
    if (r.segment.truncated && r.segment.payload.length > 0) sink.warn(`packet ${packet.number} was cut by the snap length; its stream will have a gap`);
    const events = reassembler.push(r.segment);
    if (packet.time !== null && r.segment.payload.length > 0) {
      for (const ev of events) if (ev.kind === 'data') lastTime.set(ev.stream, packet.time);
    }
    apply(events);
  }
  if (skipped > NAMED_SKIPS) sink.warn(`${skipped - NAMED_SKIPS} more packets skipped`);
  // Frames completed from here on have no single packet that completed them.
  packetNumber = undefined;
  apply(reassembler.finish());
  for (const stream of [...undecided.keys()]) flushUndecided(stream);
  for (const { parser } of parsers.values()) parser.end();
  if (segments === 0) sink.warn('the capture holds no TCP segments');
  if (otherStreams.size > 0) {
    const names = [...otherStreams];
    const shown = names.slice(0, NAMED_OTHER_STREAMS).join(', ') + (names.length > NAMED_OTHER_STREAMS ? `, and ${names.length - NAMED_OTHER_STREAMS} more` : '');
    sink.note(`${names.length} TCP ${names.length === 1 ? 'stream' : 'streams'} skipped: ${names.length === 1 ? 'it does' : 'they do'} not start with an MSRP start line (${shown})`);
  }
  return { ok: true };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
