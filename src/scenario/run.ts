/**
 * Running a loaded scenario: builds the world, schedules the file's events as actions and faults
 * in virtual time, runs to the duration, and checks the expectations against the trace.
 * Trace records reach the caller's sinks as they happen; nothing here keeps the trace.
 */
import type { RunOutcome } from '../sim/scheduler.js';
import type { AnyTraceRecord, TraceFormatVersion, TraceSink } from '../sim/trace.js';
import { World, type WorldOptions } from '../nodes/world.js';
import type { RelayProfileName } from '../nodes/relay-profile.js';
import { frameDropTap } from '../nodes/frame-drop-tap.js';
import { ExpectationChecker, type ExpectationResult } from './expectations.js';
import { endpointOptions, firewallPolicy, firewallRules, linkOptions, relayOptions, worldSpec } from './world-spec.js';
import type { Fault, ScenarioRelay, Scenario, ScenarioEvent } from './types.js';

export interface RunOptions {
  seed?: string | number;
  /** Stop before the scenario's duration. */
  until?: number;
  /** Every relay uses this profile. */
  profile?: RelayProfileName;
  /** Sinks that see every record as it is emitted (writers, progress). */
  sinks?: TraceSink[];
  /**
   * Whether any of `sinks` reads the node state records (`state.*`; default true). False: the run
   * builds none (`Trace.wantsState`), and the other records keep the `seq` they have with them.
   */
  sinksReadState?: boolean;
  /**
   * Whether any of `sinks` reads the `tcp.segment` records (default true). False: the run builds
   * none (`Trace.wantsSegment`), and the other records keep the `seq` they have with them.
   */
  sinksReadSegments?: boolean;
  /** Event budget: reaching it stops the run cleanly (exit status 3 in the CLI). */
  maxEvents?: number;
  /** The trace format to write (docs/trace-format.md); default: the simulation's. */
  traceFormat?: TraceFormatVersion;
}

export interface RunResult {
  scenario: Scenario;
  outcome: RunOutcome;
  records: number;
  expectations: ExpectationResult[];
  passed: boolean;
  world: World;
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const run = prepareRun(scenario, options);
  const outcome = run.world.sim.run({ until: run.until, maxEvents: options.maxEvents ?? 200_000_000 });
  return run.finish(outcome);
}

/** A run made ready: its world built, its events scheduled; whoever drives the kernel calls `finish`. */
export interface PreparedRun {
  world: World;
  /** Where the run stops: the duration, or `until` before it. */
  until: number;
  /** Checks the expectations and completes the trace, once the kernel has stopped. */
  finish(outcome: RunOutcome): RunResult;
}

/**
 * Builds the world of `scenario` and schedules its events, for a driver of the kernel: the
 * deterministic one (`runScenario`) or live mode's wall-clock one (src/live/), which gives the
 * endpoints their transports through `world`.
 */
export function prepareRun(scenario: Scenario, options: RunOptions = {}, world: WorldOptions = {}): PreparedRun {
  const spec = worldSpec(scenario, options.seed);
  if (options.profile) {
    for (const n of spec.nodes) if (n.role === 'relay') n.relay.profile = options.profile;
  }
  const w = new World(spec, options.traceFormat !== undefined && world.traceFormat === undefined ? { ...world, traceFormat: options.traceFormat } : world);
  const checker = new ExpectationChecker(scenario);
  // The expectations read no state record.
  w.sim.trace.addSink((r) => checker.record(r), { states: false, segments: false });
  for (const sink of options.sinks ?? []) w.sim.trace.addSink(sink, { states: options.sinksReadState !== false, segments: options.sinksReadSegments !== false });
  w.start();
  for (const event of scenario.events) schedule(w, scenario, event, options.profile);
  const until = Math.min(options.until ?? scenario.duration, scenario.duration);
  return {
    world: w,
    until,
    finish(outcome) {
      const expectations = checker.finish();
      w.sim.trace.complete();
      return { scenario, outcome, records: w.sim.trace.count, expectations, passed: expectations.every((e) => e.passed), world: w };
    },
  };
}

function schedule(world: World, scenario: Scenario, event: ScenarioEvent, profile: RelayProfileName | undefined): void {
  switch (event.action) {
    case 'session':
      world.at(event.at, () => world.openSession(event.session, event.offerer, event.answerer));
      return;
    case 'send':
      for (let i = 0; i < event.count; i++) {
        world.at(event.at + i * event.interval, () =>
          world.send(event.from, {
            session: event.session,
            contentType: event.contentType,
            ...(event.content.kind === 'text' ? { body: event.content.text } : { size: event.content.size }),
            chunkSize: event.chunkSize,
            chunkStrategy: event.chunkStrategy,
            successReport: event.successReport,
            failureReport: event.failureReport,
            force: event.force,
            ...(event.abortAfter !== null ? { abortAfter: event.abortAfter } : {}),
          }),
        );
      }
      return;
    case 'end':
      world.at(event.at, () => world.endSession(event.session, event.by));
      return;
    case 'auth':
      world.at(event.at, () => world.reauth(event.node));
      return;
    case 'raw':
      world.at(event.at, () => world.raw(event.node, event.bytes, event.session ?? undefined, event.to ?? undefined));
      return;
    case 'fault':
      world.at(event.at, () => applyFault(world, scenario, event.fault));
      return;
    case 'set':
      world.at(event.at, () => {
        world.sim.trace.emit('', 'action.set', { node: event.node, changed: event.changed });
        const s = event.settings;
        if (s.role === 'firewall') {
          const fw = world.network.firewall(s.id);
          fw.setRules(firewallRules(s));
          if (event.changed.includes('idleTimeout') || event.changed.includes('idleMode')) fw.setIdle(s.idleTimeout, s.idleMode);
          // The policy as the event leaves it (changed keys merged into the old ones), for the
          // frames judged from now on.
          if (event.changed.includes('policy')) world.setFirewallPolicy(s.id, firewallPolicy(s));
        } else if (s.role === 'relay') {
          // A profile forced on every relay for the run (`--profile`) holds over a `set` too.
          world.relays.get(s.id)!.reconfigure({ ...relayOptions(s), ...(profile ? { profile } : {}) });
        }
        else {
          const relays = new Map<string, ScenarioRelay>();
          for (const n of scenario.nodes) if (n.role === 'relay') relays.set(n.id, n);
          world.endpoint(s.id).reconfigure(endpointOptions(s, relays));
        }
      });
      return;
  }
}

function applyFault(world: World, scenario: Scenario, fault: Fault): void {
  const net = world.network;
  world.sim.trace.emit('', 'action.fault', { fault: fault.kind });
  switch (fault.kind) {
    case 'linkDown':
      net.linkDown(fault.link.a, fault.link.b);
      return;
    case 'linkUp':
      net.linkUp(fault.link.a, fault.link.b);
      return;
    case 'crash':
      net.crash(fault.node);
      return;
    case 'restart':
      net.restart(fault.node);
      return;
    case 'resetConnection': {
      const host = net.host(fault.node);
      const peer = fault.peer === null ? null : addressOf(world, fault.peer);
      let reset = 0;
      for (const conn of [...host.connections]) {
        if (peer === null || conn.remote.address === peer) {
          net.resetConnection(conn.id);
          reset++;
        }
      }
      // Say so when there was nothing to reset (the connection went through a relay, say).
      if (reset === 0) world.sim.trace.emit(fault.node, 'action.fault', { fault: 'resetConnection', peer: fault.peer, reset });
      return;
    }
    case 'flushFirewall':
      net.flushFirewall(fault.firewall);
      return;
    case 'partition':
      net.partition(fault.groups);
      return;
    case 'heal':
      net.healPartition();
      return;
    case 'setLink':
      net.setLink(fault.link.a, fault.link.b, pick(linkOptions(fault.settings), fault.changed));
      return;
    case 'expireTokens':
      world.relays.get(fault.relay)?.expireTokens();
      return;
    case 'dropSegment':
      net.dropSegment(fault.link.a, fault.link.b, fault.nth, fault.from === null ? undefined : (s) => s.from === fault.from);
      return;
    case 'dropFrame': {
      const remove = net.addTap(
        fault.link.a,
        fault.link.b,
        frameDropTap(fault, (s) => {
          world.sim.trace.emit('', 'action.fault', { fault: 'dropFrame', nth: fault.nth, conn: s.conn, link: s.link });
          remove();
        }),
      );
      return;
    }
  }
  void scenario;
}

function pick<T extends object>(o: T, keys: readonly string[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (Object.hasOwn(o, k)) (out as Record<string, unknown>)[k] = (o as Record<string, unknown>)[k];
  return out;
}

function addressOf(world: World, node: string): string | null {
  try {
    return world.network.host(node).address;
  } catch {
    return null;
  }
}

export type { AnyTraceRecord };
