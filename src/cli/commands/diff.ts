/**
 * `msrp-sim diff A B`: two runs compared at the MSRP level (docs/diff.md). Each side is a
 * trace.ndjson, a run's output folder (its trace.ndjson) or a pcap/pcapng capture. This file reads
 * the inputs and prints; the engine is src/diff/.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { detectCapture } from '../../capture/pcap-reader.js';
import { compareRuns, diffJson, DiffInputError, formatDiff, runFromCapture, runFromTrace, type DiffOptions, type LooseRecord, type RunModel } from '../../diff/index.js';
import { NdjsonSyntaxError, readNdjsonLines } from '../../output/ndjson.js';
import { parseDuration } from '../../scenario/units.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { fileLines, InputTooLargeError, LineTooLongError, MAX_TRACE_LINE, readFileHead, readInputFile } from '../input-files.js';
import { MAX_CAPTURE_BYTES } from './decode.js';

export interface DiffCommandOptions {
  context: string;
  json?: boolean;
  times?: boolean;
  tolerance: string;
  bodies: 'auto' | 'exact' | 'size';
  keepHosts?: boolean;
  map: string[];
}

const EXAMPLES = `
Examples:
  $ msrp-sim diff out/run-a out/run-b                     two runs' output folders
  $ msrp-sim diff out/push/trace.ndjson tcpdump.pcapng    a simulated run against a capture
  $ msrp-sim diff sim.pcap live.pcap --map 10.0.0.5:2855=relay-a --map 10.0.0.9=psa
  $ msrp-sim diff a.ndjson b.ndjson --times --tolerance 5ms
  $ msrp-sim diff a.ndjson b.ndjson --json                for tools

Compared: per connection and direction, the frames in order: start line, headers in order,
bodies, continuation flags, and whether the other end read them (traces). Nodes and connections are
matched by role (who connects to whom, in order of opening), nodes with the same name first.
Random ids (transaction ids, Message-IDs, session ids and authorities in MSRP URIs, Use-Path
tokens, Digest nonces, cnonces, responses and opaques) are renamed by order of first appearance.
Exit status: 0 the same, 1 different, 2 usage or unreadable input, 3 internal error.`;

export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .summary('compare two runs (traces, output folders or captures) at the MSRP level')
    .description('Compare two runs frame by frame, connection by connection: traces, run output folders, or pcap/pcapng captures.')
    .argument('<a>', 'a trace.ndjson, a run output folder, or a pcap/pcapng capture')
    .argument('<b>', 'the same for the other run')
    .option('--context <n>', 'frames of context around the first difference', '2')
    .option('--json', 'print the result as JSON')
    .option('--times', 'compare frame times too (since each run\'s first frame)')
    .option('--tolerance <time>', 'with --times: how far times may be apart', '0ms')
    .addOption(new Option('--bodies <how>', 'auto: text bodies byte for byte, others by size; exact: all byte for byte; size: all by size').choices(['auto', 'exact', 'size']).default('auto'))
    .option('--keep-hosts', 'compare URI authorities as written (by default renamed like the ids)')
    .option('--map <addr=name>', 'name a node of a capture or a live peer: ip, ip:port or URI authority host:port (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .addHelpText('after', EXAMPLES)
    .action((a: string, b: string, options: DiffCommandOptions) => {
      ctx.status = diffCommand(a, b, options, ctx);
    });
}

function parseMap(entries: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of entries) {
    const at = e.lastIndexOf('=');
    if (at <= 0 || at === e.length - 1) throw new CliError(`diff: --map takes ADDRESS=NAME (such as 10.0.0.5:2855=relay-a), not \`${e}\``, EXIT.usage);
    map.set(e.slice(0, at).toLowerCase(), e.slice(at + 1));
  }
  return map;
}

/** A run from a path: a capture, a trace, or a folder with either. */
export function readRun(path: string, map: ReadonlyMap<string, string>): RunModel {
  let file = path;
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`diff: cannot read ${path}: ${code === 'ENOENT' ? 'no such file or folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`, EXIT.usage);
  }
  if (stat.isDirectory()) {
    const found = ['trace.ndjson', 'capture.pcapng', 'capture.pcap'].map((n) => join(path, n)).find((p) => existsSync(p));
    if (found === undefined) throw new CliError(`diff: ${path} is a folder without trace.ndjson (nor capture.pcap): not a run's output folder`, EXIT.usage);
    file = found;
  }
  const cannotRead = (err: unknown): CliError => new CliError(`diff: cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
  let head: Buffer;
  try {
    head = readFileHead(file, 4);
  } catch (err) {
    throw cannotRead(err);
  }
  if (head.length === 0) throw new CliError(`diff: ${file} is empty: neither a trace nor a capture`, EXIT.usage);
  try {
    if (detectCapture(head) !== null) {
      let bytes: Buffer;
      try {
        bytes = readInputFile(file, MAX_CAPTURE_BYTES);
      } catch (err) {
        if (err instanceof InputTooLargeError) throw new CliError(`diff: ${file}: the capture is larger than ${MAX_CAPTURE_BYTES / 1024 / 1024} MiB; cut it into parts (editcap -c)`, EXIT.usage);
        throw cannotRead(err);
      }
      return runFromCapture(bytes, file, map);
    }
    // Line by line: a trace may be larger than one string can hold.
    const run = runFromTrace(readNdjsonLines(fileLines(file, MAX_TRACE_LINE)) as Iterable<unknown> as Iterable<LooseRecord>, file);
    for (const n of run.nodes) {
      const name = map.get(n.key.toLowerCase());
      if (name !== undefined) Object.assign(n, { name, named: true });
    }
    return run;
  } catch (err) {
    if (err instanceof NdjsonSyntaxError) {
      throw new CliError(`diff: ${file}:${err.line}: ${err.message.replace(/^trace line \d+: /, '')} (neither a trace nor a pcap/pcapng capture)`, EXIT.usage);
    }
    if (err instanceof DiffInputError) throw new CliError(`diff: ${file}: ${err.message}`, EXIT.usage);
    if (err instanceof LineTooLongError) throw new CliError(`diff: ${err.message}: not a trace msrp-sim wrote`, EXIT.usage);
    if ((err as NodeJS.ErrnoException).syscall !== undefined) throw cannotRead(err);
    throw err;
  }
}

export function diffCommand(a: string, b: string, options: DiffCommandOptions, ctx: CliContext): number {
  const context = Number(options.context);
  if (!Number.isInteger(context) || context < 0) throw new CliError(`diff: --context must be a whole number of frames, not \`${options.context}\``, EXIT.usage);
  const tolerance = parseDuration(options.tolerance);
  if (!tolerance.ok) throw new CliError(`diff: --tolerance: ${tolerance.message}`, EXIT.usage);
  const map = parseMap(options.map);
  const runA = readRun(a, map);
  const runB = readRun(b, map);
  const diffOptions: DiffOptions = { times: options.times === true, tolerance: tolerance.value, bodies: options.bodies, keepHosts: options.keepHosts === true };
  const result = compareRuns(runA, runB, diffOptions);
  if (options.json === true) ctx.io.stdout.write(JSON.stringify(diffJson(result), null, 2) + '\n');
  else ctx.io.stdout.write(formatDiff(result, { context }));
  return result.same ? EXIT.ok : EXIT.failed;
}
