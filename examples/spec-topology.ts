/**
 * Driving msrp-sim from TypeScript: the SPEC §5 example topology, built with the node layer's API
 * instead of a scenario file, run from start to finish, with the full trace.
 *
 *   psa ── relay-a ═════ relay-b ── fw-b ── pra
 *   (Push Sender Agent)                (Push Receiver Agent, behind a firewall that lets
 *                                        nothing in that it did not ask for)
 *
 * Each endpoint authenticates to its relay (AUTH, 401 + Digest, 200 with Use-Path), the two set
 * up a session over SIP/SDP with paths through both relays (RFC 4976 §5.1), and psa pushes a
 * 40 KiB JPEG in 2 KiB chunks with Success-Report. pra reaches relay-b from behind fw-b: the
 * connection it opened for its AUTH is the way in for the message.
 *
 * Run: `npm run example` (prints the timeline; `npm run example -- --ndjson` prints the trace).
 * test/examples/spec-topology.test.ts runs it and checks what it shows.
 */
import { pathToFileURL } from 'node:url';
import { World, type NodeSpec } from '../src/nodes/world.js';
import type { EndpointOptions } from '../src/nodes/endpoint/endpoint-node.js';
import type { RelayOptions } from '../src/nodes/relay/relay-node.js';
import type { AnyTraceRecord } from '../src/sim/trace.js';
import { MILLISECOND, SECOND } from '../src/sim/time.js';
import { createTimelineWriter } from '../src/output/timeline.js';

function endpoint(host: string, relay: string, username: string, password: string): EndpointOptions {
  return {
    host,
    port: 7654,
    scheme: 'msrp',
    relays: [{ uri: `msrps://${relay}:2855;tcp`, username, password }],
    acceptTypes: ['text/plain', 'image/jpeg'],
    acceptWrappedTypes: [],
    maxSize: 10 * 1024 * 1024,
    chunkSize: 2048,
    chunkStrategy: 'fixed',
    successReport: 'yes',
    failureReport: 'yes',
    transactionTimeout: 30 * SECOND,
    authExpires: null,
    connectionModel: 'rfc4975',
    reachable: true,
    onSessionFailure: 'report',
    tlsVersion: '1.3',
  };
}

function relay(host: string, users: Record<string, string>): RelayOptions {
  return {
    host,
    port: 2855,
    scheme: 'msrps',
    realm: host,
    users,
    maxChunk: Number.POSITIVE_INFINITY,
    idleLimit: Number.POSITIVE_INFINITY,
    transactionTimeout: 30 * SECOND,
    profile: 'rfc4976',
    tlsVersion: '1.3',
  };
}

/** Builds and runs the example; returns the whole trace, in order. */
export function runSpecExample(seed: string | number = 7): AnyTraceRecord[] {
  const nodes: NodeSpec[] = [
    { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', 'relay.a.example.com', 'psa', 's3cret') },
    { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }) },
    { id: 'relay-b', role: 'relay', relay: relay('relay.b.example.net', { pra: 'hunter2' }) },
    {
      id: 'fw-b',
      role: 'firewall',
      firewall: { inside: ['pra'], rules: [{ action: 'allow', direction: 'outbound' }, { action: 'deny', direction: 'inbound' }] },
    },
    { id: 'pra', role: 'receiver', endpoint: endpoint('phone.b.example.net', 'relay.b.example.net', 'pra', 'hunter2') },
  ];
  const world = new World({
    seed,
    nodes,
    links: [
      { a: 'psa', b: 'relay-a', options: { latency: 10 * MILLISECOND } },
      { a: 'relay-a', b: 'relay-b', options: { latency: 40 * MILLISECOND } },
      { a: 'relay-b', b: 'fw-b', options: { latency: 10 * MILLISECOND } },
      { a: 'fw-b', b: 'pra', options: { latency: 10 * MILLISECOND, bandwidth: 2_000_000 } },
    ],
  });
  const trace: AnyTraceRecord[] = [];
  world.sim.trace.addSink((r) => trace.push(r));
  world.start();
  // Virtual time, in microseconds: the session at 0 (it waits for both AUTHs), the image at 1 s.
  world.at(0, () => world.openSession('s1', 'psa', 'pra'));
  world.at(1 * SECOND, () => world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 40 * 1024 }));
  world.at(10 * SECOND, () => world.endSession('s1', 'psa'));
  world.run(20 * SECOND);
  return trace;
}

// As a program: print the timeline (or, with --ndjson, the trace itself).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const trace = runSpecExample();
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  if (process.argv.includes('--ndjson')) {
    for (const r of trace) process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    const timeline = createTimelineWriter({ nodes: ['psa', 'relay-a', 'relay-b', 'fw-b', 'pra'] });
    for (const r of trace) process.stdout.write(timeline.write(r));
  }
}
