/**
 * msrp-sim used as a library by a project of its own: it imports the installed package
 * (`msrp-sim`), never the sources. test/examples/consumer.test.ts packs msrp-sim, installs the
 * tarball into a fresh project beside this file, compiles it with the package's types and runs it.
 *
 * What it does, one entry point each (docs/library.md explains them):
 * 1. load and check a scenario from text (`loadScenario`), with the problems of a bad one;
 * 2. run it with a trace sink (`runScenario`), and read the expectations' results;
 * 3. render outputs from the same records (`createOutputs`);
 * 4. follow a run's trace as an rxjs Observable (`World`, `trace$`);
 * 5. parse and serialize MSRP frames with the codec on its own (`MsrpParser`, `serializeFrame`).
 */
import { filter, map, toArray } from 'rxjs';
import {
  MsrpParser,
  World,
  createOutputs,
  formatProblem,
  loadScenario,
  parseUri,
  runScenario,
  serializeFrame,
  uriEquals,
  worldSpec,
  type AnyTraceRecord,
  type MsrpFrame,
} from 'msrp-sim';

const SCENARIO = `
name: library-push
seed: 3
duration: 30s
nodes:
  alice: { role: sender, host: alice.example.com, relays: [relay], password: pa }
  relay: { role: relay, host: relay.example.com, users: { alice: pa, bob: pb } }
  bob:   { role: receiver, host: bob.example.com, relays: [relay], password: pb }
links:
  - [alice, relay]
  - [relay, bob]
events:
  - at: 0s
    session: { id: s1, offerer: alice, answerer: bob }
  - at: 1s
    send: { session: s1, from: alice, contentType: text/plain, body: "hello through a relay", successReport: yes }
expect:
  - delivered: { session: s1, to: bob, messages: 1 }
  - report: { to: alice, status: 200 }
`;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`consumer example: ${what}`);
  console.log(`ok: ${what}`);
}

// 1. Load: a bad file gives every problem with its position; a good one a checked Scenario.
const bad = loadScenario('bad.yaml', 'name: x\nnodes:\n  a: { role: sender, hots: a.example.com }\n');
check(!bad.ok && bad.problems.some((p) => formatProblem(p).startsWith('bad.yaml:3:')), 'a bad scenario is refused with FILE:LINE:COL problems');
const loaded = loadScenario('library-push.yaml', SCENARIO);
if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
const scenario = loaded.scenario;

// 2. Run with a sink that sees every record as it is emitted; 3. outputs from the same records.
const outputs = createOutputs({ only: ['summary.json', 'timeline.txt', 'sequence.mmd'], name: scenario.name });
let records = 0;
const result = runScenario(scenario, { sinks: [outputs.record, () => records++] });
check(result.passed && result.expectations.length === 2, 'both expectations hold');
check(records === result.records && records > 0, `the sink saw every record (${records})`);
const files = await outputs.finish({ expectations: result.expectations });
const names = [...files.keys()].sort();
check(names.includes('summary.json') && names.includes('sequence.mmd'), `outputs rendered: ${names.join(', ')}`);

// 4. trace$: the same world, built by hand, followed through rxjs.
const world = new World(worldSpec(scenario));
let delivered: string[] = [];
world.sim.trace.trace$
  .pipe(
    filter((r: AnyTraceRecord) => r.type === 'endpoint.deliver'),
    map((r) => r.node),
    toArray(),
  )
  .subscribe((nodes) => (delivered = nodes));
world.start();
world.at(0, () => world.openSession('s1', 'alice', 'bob'));
world.at(1_000_000, () => world.send('alice', { session: 's1', contentType: 'text/plain', body: 'hi' }));
world.run(30_000_000);
world.sim.trace.complete();
check(delivered.join() === 'bob', 'trace$ shows the delivery at bob');

// 5. The codec on its own: parse a stream split anywhere, serialize back byte for byte.
const wire =
  'MSRP a786hjs2 SEND\r\nTo-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n' +
  'From-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\r\nMessage-ID: 87652491\r\n' +
  'Byte-Range: 1-25/25\r\nContent-Type: text/plain\r\n\r\nHey Bob, are you there?\r\n-------a786hjs2$\r\n';
const frames: MsrpFrame[] = [];
const parser = new MsrpParser({ frame: (f) => frames.push(f), error: (e) => console.error(e) });
const bytes = Buffer.from(wire);
parser.push(bytes.subarray(0, 40));
parser.push(bytes.subarray(40));
check(frames.length === 1 && Buffer.from(serializeFrame(frames[0]!)).toString() === wire, 'parse and serialize round trip');
const a = parseUri('msrp://Bob.Example.com:8888/9di4eae923wzd;tcp');
const b = parseUri('msrp://bob.example.com:8888/9di4eae923wzd;tcp');
check(a.ok && b.ok && uriEquals(a.uri, b.uri), 'URIs compare as RFC 4975 §6.1 says');
