/**
 * `msrp-sim decode [FILE|-]`: prints the MSRP frames in raw bytes or in a pcap or pcapng capture.
 * The capture reading is src/capture/; this file reads the input and formats what it finds.
 */
import { createReadStream } from 'node:fs';
import { Option, type Command } from 'commander';
import type { MsrpFrame } from '../../wire/frame.js';
import type { ParseError } from '../../wire/parser.js';
import { serializeUnchecked, WireError } from '../../wire/serializer.js';
import { malformedViolation } from '../../wire/tolerance.js';
import type { CliContext, OutStream } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { frameToJson, frameToText } from '../frame-views.js';
import { decodeCapture, type FrameSource } from '../../capture/capture-decoder.js';
import { ruleAnchor } from '../../output/rules.js';
import { detectCapture } from '../../capture/pcap-reader.js';
import { ResyncParser } from '../../capture/resync-parser.js';

export type DecodeFormat = 'text' | 'json' | 'wire';

export interface DecodeOptions {
  format: DecodeFormat;
  strict?: boolean;
  /** Largest capture read; MAX_CAPTURE_BYTES unless given (by tests). */
  maxCaptureBytes?: number;
}

/**
 * A capture is read whole (its TCP streams are reassembled across all of it), so it is bounded;
 * raw MSRP is parsed as it is read, and needs no more memory than the frame being parsed.
 */
export const MAX_CAPTURE_BYTES = 1024 * 1024 * 1024;

const EXAMPLES = `
Examples:
  $ msrp-sim decode frames.msrp                 readable dump of every frame
  $ msrp-sim decode --format json frames.msrp   one JSON object per frame (NDJSON)
  $ msrp-sim decode --format wire frames.msrp   re-serialized bytes
  $ msrp-sim decode capture.pcapng              frames of every MSRP stream in a capture
  $ msrp-sim decode -f json capture.pcapng      the same as NDJSON, with each frame's time
  $ cat frames.msrp | msrp-sim decode -         read standard input
  $ msrp-sim decode --strict frames.msrp        reject what a tolerant receiver would accept

Input is raw MSRP bytes, or a pcap or pcapng capture (recognised by its magic number; Ethernet,
raw IP, Linux cooked and loopback link types; each TCP direction is reassembled and parsed on its
own; a stream that does not start with an MSRP start line, such as SIP, is skipped with a note).
Bytes that are not MSRP frames are skipped up to the next start line at a line start and
reported with their offset ("malformed input at byte N: M bytes skipped"); decoding goes on.
A frame a tolerant receiver cannot act on (a Byte-Range, Status, Expires or report value outside
its grammar, an empty Message-ID or Use-Path, a Digest header that does not parse, a header that
may appear once given twice with different values) is shown, and counts as malformed; cosmetic
deviations (header-name case, extra spaces, a tab after the colon) are listed as violations only
(docs/tolerance.md). --strict refuses both.
Exit status: 0 all frames parsed, 1 a frame was malformed, 2 usage or unreadable input.`;

export function registerDecode(program: Command, ctx: CliContext): void {
  program
    .command('decode')
    .summary('print the MSRP frames in raw bytes or a pcap/pcapng capture')
    .description('Print the MSRP frames in a file of raw MSRP bytes or in a pcap or pcapng capture.')
    .argument('[file]', 'raw MSRP bytes, or a pcap or pcapng file; "-" for standard input', '-')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'wire']).default('text'))
    .option('--strict', 'parse strictly: what a tolerant receiver accepts with a violation is an error')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, options: DecodeOptions) => {
      ctx.status = await decode(file, options, ctx);
    });
}

/** The input as it is read, in the pieces it comes in. */
async function* readInput(file: string, ctx: CliContext): AsyncGenerator<Uint8Array> {
  if (file === '-') {
    if (ctx.io.stdin.isTTY === true) {
      throw new CliError('decode: no input: give a FILE, or pipe bytes into standard input', EXIT.usage);
    }
    for await (const chunk of ctx.io.stdin) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    return;
  }
  try {
    for await (const chunk of createReadStream(file)) yield chunk as Buffer;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CliError(`decode: cannot read ${file}: ${reason}`, EXIT.usage);
  }
}

/** Resolves once `out` takes more, when it says it is full (a pipe to a slow reader). */
async function drained(out: OutStream): Promise<void> {
  if (out.writableNeedDrain === true && out.once !== undefined) await new Promise<void>((resolve) => out.once!('drain', resolve));
}

/** Writes frames in the chosen format and reports parse errors; counts what went wrong. */
class DecodeOutput {
  frames = 0;
  malformed = 0;

  constructor(
    private readonly ctx: CliContext,
    private readonly format: DecodeFormat,
  ) {}

  /** `base`: the stream offset of the parser that read the frame, for its violations' offsets. */
  frame(frame: MsrpFrame, base: number, source?: FrameSource): void {
    const stream = source?.stream;
    const packet = source?.packet;
    this.frames++;
    const out = this.ctx.io.stdout;
    // docs/tolerance.md: framed, but nothing a receiver could act on (a node answers it 400).
    const unactionable = malformedViolation(frame);
    if (unactionable !== undefined) {
      this.malformed++;
      const where = stream === undefined ? '' : ` [stream ${stream}]`;
      this.ctx.io.stderr.write(
        this.ctx.err.red(`decode: malformed frame at byte ${base + (unactionable.offset ?? 0)}: ${unactionable.rule} ${unactionable.message} (frame ${this.frames}, ${frame.transactionId})${where}; the rule: docs/rules.md#${ruleAnchor(unactionable.rule)}`) + '\n',
      );
    }
    switch (this.format) {
      case 'json':
        out.write(JSON.stringify(frameToJson(frame, source)) + '\n');
        break;
      case 'wire':
        // A received frame is written back as it came: the checks a sender's frame must pass
        // (To-Path first, no end-line text in the body, ...) are the parser's to report, not
        // reasons to refuse it here.
        try {
          out.write(serializeUnchecked(frame));
        } catch (err) {
          if (!(err instanceof WireError)) throw err;
          this.malformed++;
          this.ctx.io.stderr.write(this.ctx.err.red(`decode: frame ${this.frames} (${frame.transactionId}) cannot be written back as bytes: ${err.message}`) + '\n');
        }
        break;
      case 'text': {
        const source = stream === undefined ? undefined : `stream ${stream}${packet !== undefined ? `, packet ${packet}` : ''}`;
        out.write(frameToText(frame, this.frames, this.ctx.out, source));
        break;
      }
    }
  }

  error(e: ParseError, stream?: string): void {
    this.malformed++;
    const where = stream === undefined ? '' : ` [stream ${stream}]`;
    this.ctx.io.stderr.write(this.ctx.err.red(`decode: malformed frame at byte ${e.offset}: ${e.rule} ${e.message}${where}; the rule: docs/rules.md#${ruleAnchor(e.rule)}`) + '\n');
  }

  /** Bytes that are not frames, skipped up to the next start line: an error, like a malformed frame. */
  skipped(offset: number, count: number, cause: ParseError, stream?: string): void {
    this.malformed++;
    const where = stream === undefined ? '' : ` [stream ${stream}]`;
    this.ctx.io.stderr.write(this.ctx.err.red(`decode: malformed input at byte ${offset}: ${count} bytes skipped (${cause.rule} ${cause.message})${where}; the rule: docs/rules.md#${ruleAnchor(cause.rule)}`) + '\n');
  }

  note(message: string): void {
    this.ctx.io.stderr.write(this.ctx.err.dim(`decode: note: ${message}`) + '\n');
  }

  warn(message: string): void {
    this.ctx.io.stderr.write(this.ctx.err.yellow(`decode: warning: ${message}`) + '\n');
  }
}

export async function decode(file: string, options: DecodeOptions, ctx: CliContext): Promise<number> {
  const name = file === '-' ? 'standard input' : file;
  const input = readInput(file, ctx);
  const out = new DecodeOutput(ctx, options.format);
  const parserOptions = { strict: options.strict === true };
  // Enough bytes to tell a capture by its magic number.
  const head: Uint8Array[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < 4) {
    const r = await input.next();
    if (r.done === true) {
      ended = true;
      break;
    }
    head.push(r.value);
    headLength += r.value.length;
  }
  const start = head.length === 1 ? head[0]! : Buffer.concat(head);
  const kind = detectCapture(start);
  if (kind !== null) {
    const max = options.maxCaptureBytes ?? MAX_CAPTURE_BYTES;
    const chunks = [start];
    let length = start.length;
    for await (const chunk of input) {
      length += chunk.length;
      if (length > max) {
        throw new CliError(`decode: ${name}: the capture is larger than ${max / 1024 / 1024} MiB, the most decode reads of a capture; cut it into parts (editcap -c) and decode each`, EXIT.usage);
      }
      chunks.push(chunk);
    }
    const result = decodeCapture(Buffer.concat(chunks), {
      frame: (f, source) => out.frame(f, source.base, source),
      error: (e, stream) => out.error(e, stream),
      skipped: (offset, count, cause, stream) => out.skipped(offset, count, cause, stream),
      warn: (message) => out.warn(message),
      note: (message) => out.note(message),
    }, parserOptions);
    if (!result.ok) throw new CliError(`decode: ${file}: ${result.message}`, EXIT.usage);
  } else {
    const parser = new ResyncParser(
      { frame: (f, base) => out.frame(f, base), error: (e) => out.error(e), skipped: (offset, count, cause) => out.skipped(offset, count, cause) },
      parserOptions,
    );
    parser.push(start);
    if (!ended) {
      for await (const chunk of input) {
        parser.push(chunk);
        await drained(ctx.io.stdout);
      }
    }
    parser.end();
  }
  return out.malformed > 0 ? EXIT.failed : EXIT.ok;
}
