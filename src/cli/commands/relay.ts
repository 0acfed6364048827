/**
 * `msrp-sim relay --listen 127.0.0.1:2855 --profile kamailio --realm example.com --user alice:secret`:
 * a simulated relay (the real RelayNode, its profile, every decision traced with its rule) serving
 * real MSRP clients over real sockets (src/live/). A line per frame on the terminal; Ctrl-C or
 * `--for` ends it and writes the outputs: trace.ndjson, timeline.txt, summary.json, capture.pcap.
 */
import { Option, type Command } from 'commander';
import { startLiveRelay } from '../../live/live-relay.js';
import { LiveCapture } from '../../live/live-capture.js';
import { parseAddress } from '../../live/socket-network.js';
import { createOutputs } from '../../output/index.js';
import type { RelayProfileName } from '../../protocol/relay-profile.js';
import { parseDuration } from '../../scenario/units.js';
import { formatTime } from '../../sim/time.js';
import type { AnyTraceRecord, TraceRecord } from '../../sim/trace.js';
import { FrameResolver } from '../../sim/frame-resolver.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { readUserFile } from '../input-files.js';
import { inspectTarget, OutputDir, resolveTarget } from '../output-dir.js';

interface RelayCommandOptions {
  listen: string;
  profile: RelayProfileName;
  realm: string;
  user: string[];
  users?: string;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  for?: string;
  out: string;
  force?: boolean;
  seed?: string;
}

const EXAMPLES = `
Examples:
  $ msrp-sim relay --listen 127.0.0.1:2855 --profile kamailio --realm example.com --user alice:secret
  $ msrp-sim relay --users users.txt --for 30s --out out/relay-run
  $ msrp-sim relay --listen 0.0.0.0:2856 --host relay.example.com --tls-cert cert.pem --tls-key key.pem --user bob:pw

--users FILE: one NAME:PASSWORD a line (# comments), so passwords need not be on the command line.
It listens on 127.0.0.1 unless --listen names another address. Ctrl-C ends it and writes the outputs.`;

function userLine(text: string, where: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new CliError(`${where}: a user is NAME:PASSWORD, got ${JSON.stringify(text)}`);
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/** The terminal line of a record worth a line (frames, decisions, connections), or null. */
function line(input: AnyTraceRecord, frames: FrameResolver): string | null {
  const r = input as TraceRecord;
  const t = formatTime(r.t).padStart(10);
  frames.see(r);
  switch (r.type) {
    case 'msrp.recv':
    case 'msrp.send': {
      const arrow = r.type === 'msrp.recv' ? '<-' : '->';
      const f = r.type === 'msrp.recv' ? frames.frameOf(r) : r;
      if (!f) return null;
      const what = f.kind === 'request' ? f.method : `${String(f.status)} ${f.comment ?? ''}`.trim();
      return `${t}  ${arrow} ${r.conn}  ${f.transactionId} ${what}`;
    }
    case 'live.accept':
      return `${t}  accepted ${String(r.remote)} as ${String(r.conn)}`;
    case 'live.close':
      return `${t}  ${String(r.conn)} closed (${String(r.kind)}: ${String(r.detail)})`;
    case 'live.lag':
      return `${t}  behind the wall clock by ${formatTime(Number(r.behind))}`;
    case 'msrp.malformed':
      return `${t}  ${String(r.conn)} malformed input [${r.rule ?? ''}] ${String(r.message)}`;
    default:
      if (r.type.startsWith('relay.') && r.rule !== undefined && r.type !== 'relay.respond') return `${t}  ${r.type} [${r.rule}]`;
      return null;
  }
}

export function registerRelay(program: Command, ctx: CliContext): void {
  program
    .command('relay')
    .summary('run a simulated relay for real MSRP clients (live mode)')
    .description('Serve real MSRP clients with a simulated relay: AUTH, Use-Path and forwarding with a profile\'s behaviour, every decision traced.')
    .option('--listen <addr>', 'address and port to listen on', '127.0.0.1:2855')
    .addOption(new Option('--profile <profile>', 'relay behaviour').choices(['rfc4976', 'kamailio', 'msrprelay', 'opensips']).default('rfc4976'))
    .option('--realm <realm>', 'Digest realm', 'example.com')
    .option('--user <name:password>', 'a user (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--users <file>', 'users, one NAME:PASSWORD a line')
    .option('--host <name>', 'host name in the relay URI and Use-Path (default: the listen address)')
    .option('--tls-cert <file>', 'serve msrps with this certificate (PEM)')
    .option('--tls-key <file>', 'and this key (PEM)')
    .option('--for <time>', 'end after this long (e.g. 30s); default: until Ctrl-C')
    .option('--seed <seed>', 'seed of the ids it draws (default: from the clock)')
    .option('-o, --out <dir>', 'output directory (replaced whole, as run does: a folder of earlier outputs, or a new or empty one)', 'out/relay')
    .option('--force', 'write into a folder that holds other files too (they are kept; only earlier outputs are replaced)')
    .addHelpText('after', EXAMPLES)
    .action(async (options: RelayCommandOptions) => {
      const address = parseAddress(options.listen);
      if (!address) throw new CliError(`--listen: expected HOST:PORT, got ${JSON.stringify(options.listen)}`);
      const users: Record<string, string> = {};
      if (options.users !== undefined) {
        const text = readUserFile(options.users, '--users').toString('utf8');
        text.split(/\r?\n/).forEach((l, i) => {
          const s = l.trim();
          if (s === '' || s.startsWith('#')) return;
          const [n, p] = userLine(s, `${options.users}:${i + 1}:1`);
          users[n] = p;
        });
      }
      for (const u of options.user) {
        const [n, p] = userLine(u, '--user');
        users[n] = p;
      }
      if (Object.keys(users).length === 0) throw new CliError('no users: give --user NAME:PASSWORD or --users FILE');
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new CliError('--tls-cert and --tls-key go together');
      let duration = Number.POSITIVE_INFINITY;
      if (options.for !== undefined) {
        const d = parseDuration(options.for);
        if (!d.ok || d.value <= 0) throw new CliError(`--for: expected a duration such as 30s, got ${JSON.stringify(options.for)}`);
        duration = d.value;
      }
      // The output folder is checked before the relay starts: a refused one costs no run.
      inspectTarget(resolveTarget(options.out, ctx.io.fs), options.out, { force: options.force, fs: ctx.io.fs, command: 'relay' });
      const tls = options.tlsCert !== undefined ? { cert: readUserFile(options.tlsCert, '--tls-cert'), key: readUserFile(options.tlsKey!, '--tls-key') } : undefined;
      const frames = new FrameResolver();
      // The trace, the timeline and the capture go to disk as the relay runs (a relay may run for
      // days): into the output folder's temporary, which takes the folder's place at the end.
      const dir = new OutputDir(options.out, { force: options.force, fs: ctx.io.fs });
      const trace = dir.stream('trace.ndjson');
      const timeline = dir.stream('timeline.txt');
      const spool = dir.spooled('capture.pcap');
      const giveUp = (): void => {
        for (const f of [trace, timeline]) {
          try {
            f.close();
          } catch {
            // already closed, or the disk failed: the folder goes anyway
          }
        }
        spool.abandon();
        dir.abandon();
      };
      const outputs = createOutputs({
        only: ['trace.ndjson', 'timeline.txt', 'summary.json', 'sequence.svg', 'report.html'],
        name: 'relay',
        topology: { nodes: [{ id: 'relay', role: 'relay', host: options.host ?? address.host, profile: options.profile }], links: [] },
        stream: { 'trace.ndjson': (chunk) => trace.write(chunk), 'timeline.txt': (chunk) => timeline.write(chunk) },
      });
      const capture = new LiveCapture((b) => spool.write(b));
      const out = ctx.io.stdout;
      let relay: Awaited<ReturnType<typeof startLiveRelay>> | undefined;
      let writeFailed: unknown = null;
      try {
        relay = await startLiveRelay({
          listen: address,
          ...(options.host !== undefined ? { host: options.host } : {}),
          profile: options.profile,
          realm: options.realm,
          users,
          ...(tls ? { tls } : {}),
          duration,
          seed: options.seed ?? String(Date.now()),
          onRecord: (r) => {
            if (writeFailed === null) {
              try {
                outputs.record(r);
                capture.record(r);
              } catch (err) {
                // The disk filled (or went away) while the relay ran: it stops, and says so.
                writeFailed = err;
                relay?.stop('its outputs could not be written');
              }
            }
            const l = line(r, frames);
            if (l !== null) out.write(l + '\n');
          },
        });
      } catch (e) {
        giveUp();
        throw new CliError(`cannot listen on ${options.listen}: ${(e as Error).message}`, EXIT.usage);
      }
      out.write(`relay ${relay.uri} (profile ${options.profile}, realm ${options.realm}, ${Object.keys(users).length} users); Ctrl-C ends it\n`);
      const interrupt = () => relay.stop('interrupted');
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      const outcome = await relay.done;
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      // All or nothing, as for run: the outputs replace the folder's earlier set only once all are written.
      let paths: string[];
      try {
        if (writeFailed !== null) throw writeFailed;
        trace.close();
        timeline.close();
        for (const [name, content] of await outputs.finish()) dir.write(name, content);
        spool.close(capture.head());
        paths = dir.commit();
      } catch (err) {
        giveUp();
        throw err;
      }
      out.write(`ended (${outcome.reason}); outputs in ${options.out}\n`);
      for (const p of paths) out.write(`  ${p}\n`);
    });
}
