/**
 * Codec benchmarks: frames/s and MB/s parsed from bytes with every typed header decoded.
 *
 * Each iteration parses a batch (1000 frames back to back, or one 1 MB message) with a fresh
 * parser. Slices: 1460 bytes, the TCP MSS of the simulated links, so frames straddle pushes as on
 * a simulated connection, whose segments are views of the bytes written, back to back in memory
 * (the "apart" cases give every slice memory of its own, as separate socket reads would); and
 * 64 KiB, a socket read. Frames of one session repeat their header
 * lines (paths, Content-Type), as on a real connection; "new session each" gives every frame its
 * own paths and Message-ID, the parser's slow case. The 1 MB message is sent as 512 SENDs of 2048
 * bytes (fixed chunks, W-32), each with its exact Byte-Range. Also: 64 KiB chunks in
 * streamBodies mode (cut-through relays), and the serializer. Parsers run as the simulator's do
 * (bodyViews); two cases show the default, where every body is copied.
 */
import { measure, formatResult, keep, cpuRate, type BenchCase } from './harness.js';
import { MsrpParser, type ParserOptions, type ParserSink } from '../src/wire/parser.js';
import { buildRequest, buildResponse } from '../src/wire/builder.js';
import { serializeFrame } from '../src/wire/serializer.js';
import type { MsrpFrame } from '../src/wire/frame.js';

const TO = 'msrp://bob.example.com:8888/9di4eae923wzd;tcp';
const FROM = 'msrp://alicepc.example.com:7777/iau39soe2843z;tcp';

/** Deterministic filler bytes (no Math.random: the same input on every run). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function tid(i: number): string {
  return `t${(i * 2654435761 >>> 0).toString(36)}x${i.toString(36)}`;
}

/** The stream as one Buffer: its slices are Buffers, as a socket's reads are. */
function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function slices(stream: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < stream.length; o += size) out.push(stream.subarray(o, Math.min(stream.length, o + size)));
  return out;
}

class CountingSink implements ParserSink {
  frames = 0;
  bodyBytes = 0;
  errors = 0;
  last: MsrpFrame | null = null;
  frame(f: MsrpFrame): void {
    this.frames++;
    this.last = f;
    if (f.kind === 'request' && f.body !== null) this.bodyBytes += f.body.length;
  }
  error(): void {
    this.errors++;
  }
}

/**
 * The parser as the simulator's connections run it: lenient, whole frames, and bodies as views of
 * the pushed slices where they lie whole in one (TCP payloads are never changed once written).
 */
const SIMULATOR: ParserOptions = { bodyViews: true };

/** One iteration: a fresh parser over the whole stream, pushed slice by slice. */
function parseCase(name: string, frames: number, parts: Uint8Array[], total: number, options: ParserOptions = SIMULATOR): BenchCase {
  return {
    name,
    units: frames,
    unitName: ' frames',
    bytes: total,
    run: () => {
      const sink = new CountingSink();
      const p = new MsrpParser(sink, options);
      for (let i = 0; i < parts.length; i++) p.push(parts[i]!);
      p.end();
      if (sink.frames !== frames || sink.errors !== 0) throw new Error(`${name}: parsed ${sink.frames} frames, ${sink.errors} errors`);
      return sink.last;
    },
  };
}

function smallSend(i: number): Uint8Array {
  return serializeFrame(
    buildRequest({
      transactionId: tid(i),
      method: 'SEND',
      toPath: [TO],
      fromPath: [FROM],
      messageId: `m${(i * 40503).toString(36)}q${i}`,
      byteRange: { start: 1, end: 23, total: 23 },
      contentType: 'text/plain',
      body: 'Hey Bob, are you there?',
    }),
  );
}

/** A small SEND of its own session: paths and Message-ID differ from frame to frame. */
function smallSendOtherSession(i: number): Uint8Array {
  const sid = (i * 2654435761 >>> 0).toString(36).padStart(7, 'z');
  return serializeFrame(
    buildRequest({
      transactionId: tid(i),
      method: 'SEND',
      toPath: [`msrp://bob.example.com:8888/${sid}wzd;tcp`],
      fromPath: [`msrp://alicepc.example.com:7777/${sid}z;tcp`],
      messageId: `m${(i * 40503).toString(36)}q${i}`,
      byteRange: { start: 1, end: 23, total: 23 },
      contentType: 'text/plain',
      body: 'Hey Bob, are you there?',
    }),
  );
}

function okResponse(i: number): Uint8Array {
  return serializeFrame(buildResponse({ transactionId: tid(i), statusCode: 200, toPath: [FROM], fromPath: [TO] }));
}

function chunk(i: number, size: number, start: number, total: number | null, last: boolean): Uint8Array {
  return serializeFrame(
    buildRequest({
      transactionId: tid(i),
      method: 'SEND',
      toPath: [TO],
      fromPath: [FROM],
      messageId: 'Mx83hd92kslq',
      byteRange: { start, end: size > 2048 ? null : start + size - 1, total },
      failureReport: 'yes',
      contentType: 'application/octet-stream',
      body: bytes(size, i + 1),
      continuation: last ? '$' : '+',
    }),
  );
}

export async function run(): Promise<void> {
  const cases: BenchCase[] = [];
  const batch = 1000;

  const small = concat(Array.from({ length: batch }, (_, i) => smallSend(i)));
  const ok = concat(Array.from({ length: batch }, (_, i) => okResponse(i)));
  const c2k = concat(Array.from({ length: batch }, (_, i) => chunk(i, 2048, 1 + i * 2048, null, false)));
  const c64k = concat(Array.from({ length: 100 }, (_, i) => chunk(i, 65536, 1 + i * 65536, null, false)));
  const msgSize = 1024 * 1024;
  const nChunks = msgSize / 2048;
  const message = concat(Array.from({ length: nChunks }, (_, i) => chunk(i, 2048, 1 + i * 2048, msgSize, i === nChunks - 1)));

  console.log(
    `codec: small SEND ${small.length / batch} B, 200 OK ${ok.length / batch} B, 2 KiB chunk ${c2k.length / batch} B, ` +
      `64 KiB chunk ${c64k.length / 100} B; 1 MB message = ${nChunks} SENDs of 2048 bytes`,
  );

  cases.push(parseCase('codec: small SEND (1460 B slices)', batch, slices(small, 1460), small.length));
  cases.push(parseCase('codec: small SEND (64 KiB slices)', batch, slices(small, 65536), small.length));
  const mixed = concat(Array.from({ length: batch }, (_, i) => smallSendOtherSession(i)));
  cases.push(parseCase('codec: small SEND, new session each (64 KiB)', batch, slices(mixed, 65536), mixed.length));
  cases.push(parseCase('codec: 200 OK (1460 B slices)', batch, slices(ok, 1460), ok.length));
  cases.push(parseCase('codec: 2 KiB chunk (1460 B slices)', batch, slices(c2k, 1460), c2k.length));
  cases.push(parseCase('codec: 2 KiB chunk (64 KiB slices)', batch, slices(c2k, 65536), c2k.length));
  // Slices as separate reads (each in memory of its own): the held tail is copied after all.
  const ownMemory = (parts: Uint8Array[]): Uint8Array[] => parts.map((x) => Buffer.from(x));
  cases.push(parseCase('codec: small SEND (1460 B reads, apart)', batch, ownMemory(slices(small, 1460)), small.length));
  cases.push(parseCase('codec: 2 KiB chunk (1460 B reads, apart)', batch, ownMemory(slices(c2k, 1460)), c2k.length));
  // The default for other callers: every body copied out of the input.
  cases.push(parseCase('codec: small SEND, bodies copied (64 KiB)', batch, slices(small, 65536), small.length, {}));
  cases.push(parseCase('codec: 2 KiB chunk, bodies copied (64 KiB)', batch, slices(c2k, 65536), c2k.length, {}));
  cases.push(parseCase('codec: 64 KiB chunk (1460 B slices)', 100, slices(c64k, 1460), c64k.length));
  cases.push(parseCase('codec: 1 MB message in 2 KiB SENDs (1460 B slices)', nChunks, slices(message, 1460), message.length));

  // Relay cut-through: the same 64 KiB chunks with streamBodies (no body buffering or copying).
  const streamParts = slices(c64k, 1460);
  cases.push({
    name: 'codec: 64 KiB chunk streamed (1460 B slices)',
    units: 100,
    unitName: ' frames',
    bytes: c64k.length,
    run: () => {
      let ends = 0;
      let body = 0;
      const p = new MsrpParser(
        { frame: () => undefined, error: () => undefined, head: () => undefined, bodyPiece: (b) => (body += b.length), end: () => ends++ },
        { streamBodies: true },
      );
      for (const s of streamParts) p.push(s);
      if (ends !== 100) throw new Error('streamed chunks lost');
      return body;
    },
  });

  // The serializer: a frame built once, written 1000 times.
  const toWrite = buildRequest({
    transactionId: tid(1),
    method: 'SEND',
    toPath: [TO],
    fromPath: [FROM],
    messageId: 'm1q1abcd',
    byteRange: { start: 1, end: 23, total: 23 },
    contentType: 'text/plain',
    body: 'Hey Bob, are you there?',
  });
  const written = serializeFrame(toWrite).length;
  cases.push({
    name: 'codec: serialize small SEND',
    units: batch,
    unitName: ' frames',
    bytes: written * batch,
    run: () => {
      let n = 0;
      for (let i = 0; i < batch; i++) n += serializeFrame(toWrite).length;
      return n;
    },
  });

  for (const c of cases) console.log(`${formatResult(measure(c), c.unitName)}${cpuRate(c)}`);
  keep();
}
