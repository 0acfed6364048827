/**
 * Decodes a whole capture into MSRP frames: reads the packets, finds their TCP segments, puts
 * each direction of each connection back in order and parses it with its own MSRP parser. Pure:
 * it takes the capture's bytes and reports to a sink; problems with the file itself come back as
 * a value, problems inside it go to the sink.
 */
import type { MsrpFrame } from '../wire/frame.js';
import type { ParseError, ParserOptions } from '../wire/parser.js';
import { decodeTcp, LINKTYPE, readPcap } from './pcap-reader.js';
import { ResyncParser } from './resync-parser.js';
import { TcpReassembler, type ReassemblyEvent } from './tcp-reassembler.js';

/** Where a frame came from in a capture. */
export interface FrameSource {
  /** "10.0.0.1:5000 -> 10.0.0.2:2855" */
  stream: string;
  /** The packet whose bytes completed the frame; absent for frames completed at the capture's end. */
  packet?: number;
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
}

export type CaptureResult = { ok: true } | { ok: false; message: string };

/** Packets skipped for a reason that are named one by one; the rest are counted. */
const NAMED_SKIPS = 5;

export function decodeCapture(bytes: Uint8Array, sink: CaptureSink, parserOptions: ParserOptions = {}): CaptureResult {
  const capture = readPcap(bytes);
  if (!capture.ok) return { ok: false, message: capture.message };
  const linkType = capture.header.linkType;
  if (!(Object.values(LINKTYPE) as number[]).includes(linkType)) {
    return { ok: false, message: `link type ${linkType} is not supported (Ethernet, raw IPv4/IPv6, Linux cooked, loopback)` };
  }
  for (const w of capture.warnings) sink.warn(w);
  const reassembler = new TcpReassembler();
  // One parser per direction; `base` is the stream offset it started at (0, or after a gap), so
  // error offsets are stream offsets.
  const parsers = new Map<string, { parser: ResyncParser; base: number }>();
  let packetNumber: number | undefined;
  const parserFor = (stream: string, base: number): ResyncParser => {
    let entry = parsers.get(stream);
    if (entry === undefined) {
      const parser = new ResyncParser(
        {
          frame: (f, from) => sink.frame(f, packetNumber === undefined ? { stream, base: base + from } : { stream, packet: packetNumber, base: base + from }),
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
  const apply = (events: ReassemblyEvent[]): void => {
    for (const ev of events) {
      if (ev.kind === 'data') {
        parserFor(ev.stream, ev.offset).push(ev.bytes);
      } else {
        // A hole or a new connection: what the old parser holds can never complete.
        if (ev.kind === 'gap') sink.warn(`stream ${ev.stream}: ${ev.missing} bytes missing from the capture at stream byte ${ev.offset}`);
        parsers.get(ev.stream)?.parser.end();
        parsers.delete(ev.stream);
      }
    }
  };
  let segments = 0;
  let skipped = 0;
  for (const packet of capture.packets) {
    packetNumber = packet.number;
    const r = decodeTcp(packet, linkType);
    if (!r.ok) {
      if (r.reason !== null) {
        skipped++;
        if (skipped <= NAMED_SKIPS) sink.warn(`packet ${packet.number} skipped: ${r.reason}`);
      }
      continue;
    }
    segments++;
    if (r.segment.truncated && r.segment.payload.length > 0) sink.warn(`packet ${packet.number} was cut by the snap length; its stream will have a gap`);
    apply(reassembler.push(r.segment));
  }
  if (skipped > NAMED_SKIPS) sink.warn(`${skipped - NAMED_SKIPS} more packets skipped`);
  // Frames completed from here on have no single packet that completed them.
  packetNumber = undefined;
  apply(reassembler.finish());
  for (const { parser } of parsers.values()) parser.end();
  if (segments === 0) sink.warn('the capture holds no TCP segments');
  return { ok: true };
}
