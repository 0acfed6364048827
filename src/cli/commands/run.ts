/**
 * `msrp-sim run <scenario...>`: runs scenarios and writes their outputs (SPEC §7) into
 * `out/<scenario name>/` (or `--out DIR`), whole or not at all.
 */
import { dirname, join, resolve } from 'node:path';
import type { LiveRelayTls } from '../../live/live-scenario.js';
import { isLiveScenario, listeningRelays, liveRelays } from '../../scenario/live-relays.js';
import { parseHostPort } from '../../scenario/normalize-live.js';
import type { Scenario } from '../../scenario/types.js';
import { Option, type Command } from 'commander';
import { runScenario, type RunResult } from '../../scenario/run.js';
import type { RelayProfileName } from '../../protocol/relay-profile.js';
import type { AnyTraceRecord } from '../../sim/trace.js';
import { formatTime } from '../../sim/time.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT, IoError } from '../errors.js';
import { MAX_TEXT_INPUT, readFailure, readInputFile } from '../input-files.js';
import { inspectTarget, OutputDir, resolveTarget } from '../output-dir.js';
import { findScenarioFiles, formatProblem, loadFile } from '../scenario-files.js';
import { createRunOutputs, OUTPUT_FLAGS, type OutputFlag } from '../outputs.js';
import { stopDiagramThread } from '../diagram-drawer.js';
import { Progress } from '../progress.js';

export interface RunCommandOptions {
  out?: string;
  seed?: string;
  until?: string;
  profile?: RelayProfileName;
  only?: string;
  pcap?: boolean;
  pcapFormat?: 'pcapng' | 'pcap';
  svg?: boolean;
  html?: boolean;
  force?: boolean;
  live?: string[];
}

const EXAMPLES = `
Examples:
  $ msrp-sim run scenarios/push-via-two-relays.yaml          writes out/push-via-two-relays/
  $ msrp-sim run my.yaml --out /tmp/run1 --seed 42           another seed, another folder
  $ msrp-sim run my.yaml --profile kamailio                  every relay behaves like Kamailio
  $ msrp-sim run my.yaml --only trace,timeline               just these outputs
  $ msrp-sim run my.yaml --until 5s                          stop early
  $ msrp-sim run my.yaml --out notes/ --force                outputs beside other files, which are kept
  $ msrp-sim run scenarios/live/kamailio-push.yaml --live relay-a=127.0.0.1:2855
                                                             live mode: relay-a is the real relay there

A scenario with a live relay (\`live: { connect: HOST:PORT }\`, or --live ID=HOST:PORT) runs in
wall-clock time: its endpoints reach that relay over real sockets (docs/live.md); the capture is
capture.pcap, made of the bytes that crossed them.

--out replaces only what msrp-sim wrote: a folder of its outputs (replaced whole), or an empty
or new folder. A file, or a folder with other files in it, is refused (exit 2); with --force the
outputs go into such a folder beside the other files, replacing only earlier outputs.

Outputs: ${OUTPUT_FLAGS.join(', ')}.
Exit status: 0 all expectations held, 1 an expectation failed, 2 invalid scenario or usage,
3 internal error or a run limit reached.`;

export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .summary('run scenarios and write their timelines, diagrams and captures')
    .description('Run scenario files and write the outputs of each run into out/<scenario name>/.')
    .argument('<scenario...>', 'scenario files (YAML or JSON) or directories of them')
    .option('-o, --out <dir>', 'output directory (default: out/<scenario name>; with several scenarios, DIR/<name>)')
    .option('--force', 'write into a folder that holds other files too (they are kept; only earlier outputs are replaced)')
    .option('--seed <seed>', "override the scenario's seed")
    .option('--until <time>', 'stop at this virtual time (e.g. 5s, 250ms)')
    .addOption(new Option('--profile <profile>', "override every relay's profile").choices(['rfc4976', 'kamailio', 'msrprelay', 'opensips']))
    .option('--only <outputs>', `comma-separated outputs to write (${OUTPUT_FLAGS.join(', ')})`)
    .addOption(new Option('--pcap-format <format>', 'capture.pcapng (Wireshark\'s default format, with SIP and packet comments) or the classic capture.pcap').choices(['pcapng', 'pcap']).default('pcapng'))
    .option('--no-pcap', 'do not write the capture')
    .option('--no-svg', 'do not write the SVG diagrams')
    .option('--no-html', 'do not write report.html')
    .option('--live <id=host:port>', 'relay ID is a real relay listening at HOST:PORT (live mode; repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .addHelpText('after', EXAMPLES)
    .action(async (scenarios: string[], options: RunCommandOptions) => {
      ctx.status = await runCommand(scenarios, options, ctx);
    });
}

function parseUntil(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new CliError(`run: --until "${text}" is not a time (write e.g. 250ms, 1.5s, 2m)`, EXIT.usage);
  const scale = { us: 1, µs: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 }[m[2] as 'us'];
  return Math.round(Number(m[1]) * scale);
}

function chooseOutputs(options: RunCommandOptions): Set<OutputFlag> {
  let chosen: Set<OutputFlag>;
  if (options.only) {
    chosen = new Set();
    for (const name of options.only.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!(OUTPUT_FLAGS as readonly string[]).includes(name)) {
        throw new CliError(`run: unknown output "${name}" in --only (outputs: ${OUTPUT_FLAGS.join(', ')})`, EXIT.usage);
      }
      chosen.add(name as OutputFlag);
    }
  } else chosen = new Set(OUTPUT_FLAGS);
  if (options.pcap === false) chosen.delete('pcap');
  if (options.svg === false) {
    chosen.delete('sequence');
    chosen.delete('topology');
  }
  if (options.html === false) chosen.delete('html');
  return chosen;
}

/** `--live ID=HOST:PORT` options as relay id -> address. */
function parseLive(values: readonly string[]): Record<string, { host: string; port: number }> {
  const out: Record<string, { host: string; port: number }> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const address = eq > 0 ? parseHostPort(v.slice(eq + 1)) : null;
    if (address === null) throw new CliError(`run: --live expects ID=HOST:PORT (a relay of the scenario and where the real relay listens, port 1-65535), got ${JSON.stringify(v)}`, EXIT.usage);
    out[v.slice(0, eq)] = address;
  }
  return out;
}

/** The CA, client certificate and key files of a scenario's live relays, read (names relative to the scenario file). */
function liveTls(file: string, scenario: Scenario): Record<string, LiveRelayTls> {
  const out: Record<string, LiveRelayTls> = {};
  const read = (relay: string, key: string, name: string | null): Buffer | undefined => {
    if (name === null) return undefined;
    const path = resolve(dirname(file), name);
    try {
      return readInputFile(path, MAX_TEXT_INPUT);
    } catch (err) {
      throw new CliError(`${file}: relay ${relay}: cannot read its \`live.${key}\` ${path}: ${readFailure(err)}`, EXIT.usage);
    }
  };
  for (const r of liveRelays(scenario)) {
    const ca = read(r.id, 'ca', r.live!.ca);
    const cert = read(r.id, 'clientCert', r.live!.clientCert);
    const key = read(r.id, 'clientKey', r.live!.clientKey);
    out[r.id] = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  return out;
}

/** The certificate and key files of a scenario's listening relays (`live: { listen, cert, key }`), read. */
function listenTls(file: string, scenario: Scenario): Record<string, { cert: Buffer; key: Buffer }> {
  const out: Record<string, { cert: Buffer; key: Buffer }> = {};
  for (const r of listeningRelays(scenario)) {
    const { cert, key } = r.listen!;
    if (cert === null || key === null) continue;
    const read = (k: string, name: string): Buffer => {
      const path = resolve(dirname(file), name);
      try {
        return readInputFile(path, MAX_TEXT_INPUT);
      } catch (err) {
        throw new CliError(`${file}: relay ${r.id}: cannot read its \`live.${k}\` ${path}: ${readFailure(err)}`, EXIT.usage);
      }
    };
    out[r.id] = { cert: read('cert', cert), key: read('key', key) };
  }
  return out;
}

export async function runCommand(paths: string[], options: RunCommandOptions, ctx: CliContext): Promise<number> {
  const files = findScenarioFiles(paths);
  if (files.length === 0) throw new CliError('run: no scenario files found', EXIT.usage);
  const live = parseLive(options.live ?? []);
  // --profile is applied at load time, so that a profile's own defaults (Expires, nonce life) apply.
  const loaded = files.map((f) => loadFile(f, { ...(options.profile ? { profile: options.profile } : {}), ...(options.live?.length ? { live } : {}) }));
  const bad = loaded.filter((l) => !l.ok);
  if (bad.length > 0) {
    // SPEC §5: every problem at once, exit status 2, and no output written.
    for (const l of bad) if (!l.ok) for (const p of l.problems) ctx.io.stderr.write(ctx.err.red(formatProblem(p)) + '\n');
    return EXIT.usage;
  }
  for (const l of loaded) {
    if (!l.ok) continue;
    for (const id of Object.keys(live)) {
      if (!l.scenario.nodes.some((n) => n.id === id && n.role === 'relay')) {
        const relays = l.scenario.nodes.filter((n) => n.role === 'relay').map((n) => n.id);
        throw new CliError(`run: --live ${id}: ${l.scenario.name} has no relay \`${id}\` (its relays: ${relays.join(', ') || 'none'})`, EXIT.usage);
      }
    }
  }
  const tlsOf = new Map(loaded.map((l) => [l.file, l.ok ? liveTls(l.file, l.scenario) : {}]));
  const listenTlsOf = new Map(loaded.map((l) => [l.file, l.ok ? listenTls(l.file, l.scenario) : {}]));
  const until = options.until === undefined ? undefined : parseUntil(options.until);
  const outputs = chooseOutputs(options);
  // The binary guessed from the arguments; without an SVG to draw, its thread has nothing to do.
  if (!outputs.has('sequence') && !outputs.has('topology') && !outputs.has('html')) stopDiagramThread();
  const partial = outputs.size < OUTPUT_FLAGS.length ? OUTPUT_FLAGS.filter((n) => outputs.has(n)) : null;
  const dirOf = (name: string): string => (options.out === undefined ? join('out', name) : loaded.length > 1 ? join(options.out, name) : options.out);
  const fs = ctx.io.fs;
  // Every target is checked before the first run, so a refused one costs no run and leaves no
  // half-done batch.
  for (const l of loaded) if (l.ok) inspectTarget(resolveTarget(dirOf(l.scenario.name), fs), dirOf(l.scenario.name), { force: options.force, fs });
  let status: number = EXIT.ok;
  for (const l of loaded) {
    if (!l.ok) continue;
    for (const w of l.warnings) ctx.io.stderr.write(ctx.err.yellow(formatProblem(w)) + '\n');
    const scenario = l.scenario;
    const dir = dirOf(scenario.name);
    const out = new OutputDir(dir, { force: options.force, fs });
    let result: RunResult;
    const isLive = isLiveScenario(scenario);
    // A live run's capture is made of the bytes that crossed its sockets (capture.pcap). Live
    // mode's modules (sockets, the wall-clock driver) load only for a live run.
    const spool = isLive && outputs.has('pcap') ? out.spooled('capture.pcap') : null;
    const capture = spool ? new (await import('../../live/live-capture.js')).LiveCapture((b) => spool.write(b)) : null;
    const simulatedOutputs = new Set(outputs);
    if (isLive) simulatedOutputs.delete('pcap');
    const writers = await createRunOutputs(scenario, simulatedOutputs, out, { pcapFormat: options.pcapFormat });
    const progress = new Progress(ctx, scenario.name, until ?? scenario.duration);
    try {
      const runOptions = {
        seed: options.seed,
        until,
        profile: options.profile,
        sinks: [(r: AnyTraceRecord) => writers.record(r), (r: AnyTraceRecord) => progress.tick(r.t), ...(capture ? [(r: AnyTraceRecord) => capture.record(r)] : [])],
        // Of these, only the outputs may read state and segment records (not the progress; the
        // live capture reads the frames only).
        sinksReadState: writers.readsState,
        sinksReadSegments: writers.readsSegments,
      };
      if (isLive) {
        const against = [
          ...liveRelays(scenario).map((r) => `against ${r.id} at ${r.live!.connect.host}:${r.live!.connect.port}`),
          ...listeningRelays(scenario).map((r) => `${r.id} listening for real clients on ${r.listen!.address.host}:${r.listen!.address.port}`),
        ];
        ctx.io.stderr.write(`${scenario.name}: live run, ${against.join(', ')}, up to ${formatTime(until ?? scenario.duration)} of wall-clock time\n`);
        const { runLiveScenario } = await import('../../live/live-scenario.js');
        result = await runLiveScenario(scenario, { ...runOptions, tls: tlsOf.get(l.file) ?? {}, listenTls: listenTlsOf.get(l.file) ?? {} });
      } else result = runScenario(scenario, runOptions);
      progress.done();
      await writers.finish(result);
      if (capture) spool!.close(capture.head());
    } catch (err) {
      progress.done();
      writers.abandon();
      spool?.abandon();
      out.abandon();
      if (err instanceof IoError) throw err.withNote(`${resolve(dir)} is as it was before this run`);
      throw err;
    }
    let paths: string[];
    try {
      paths = out.commit();
    } catch (err) {
      // A swap that failed has put the old set back; the new one is not left behind either.
      out.abandon();
      throw err;
    }
    status = Math.max(status, printSummary(ctx, result, paths, partial));
  }
  return status;
}

function printSummary(ctx: CliContext, result: RunResult, paths: string[], partial: readonly OutputFlag[] | null): number {
  const w = (s: string): void => void ctx.io.stdout.write(s + '\n');
  const s = result.scenario;
  const limit = result.outcome.reason === 'max-events';
  w(`${ctx.out.bold(s.name)}: ${result.records} trace records, virtual time ${formatTime(result.outcome.time)}${limit ? ' (event limit reached)' : ''}`);
  for (const line of summaryLines(result)) w(`  ${line}`);
  let failed = 0;
  for (const e of result.expectations) {
    if (e.passed) w(`  ${ctx.out.green('✓')} ${e.expected}`);
    else {
      failed++;
      w(`  ${ctx.out.red('✗')} ${e.expected}`);
      w(`      instead: ${e.actual}${e.evidence.length ? ` (trace records ${e.evidence.join(', ')})` : ''}`);
      w(`      at ${s.name} expectation #${e.index + 1} (line ${e.line}, column ${e.column})`);
    }
  }
  // An output folder holds one run's set: outputs an earlier run wrote there and this one did not are gone.
  w(partial ? `  outputs (only ${partial.join(', ')}; the folder holds no other output):` : '  outputs:');
  for (const p of paths) w(`    ${p}`);
  if (limit) return EXIT.internal;
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

/** Sessions, messages delivered, REPORTs by status and failures, from the world's counters. */
function summaryLines(result: RunResult): string[] {
  const c = result.world.counters;
  const reports = [...c.reports.entries()].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0)).map(([st, n]) => `${n}×${st}`).join(', ') || 'none';
  return [
    `sessions: ${c.sessionsEstablished} established, ${c.sessionsFailed} failed`,
    `messages: ${c.messagesDelivered} delivered of ${c.messagesSent} sent${c.messagesNotSent > 0 ? `, ${c.messagesNotSent} never sent` : ''}`,
    `REPORTs at senders: ${reports}`,
  ];
}
