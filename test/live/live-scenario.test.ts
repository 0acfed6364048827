/**
 * Live mode's second direction driven by the project's own relay: a scenario whose relay is live
 * runs its simulated endpoints in wall-clock time against `msrp-sim relay`'s relay
 * (startLiveRelay) over real loopback sockets, plain and TLS (CA and SNI from the scenario);
 * expectations are checked as in a simulated run, path expectations naming the live relay by id.
 * A relay that is not there is a failed session with its reason, not a crash or a hang.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startLiveRelay, type LiveRelay } from '../../src/live/live-relay.js';
import { runLiveScenario } from '../../src/live/live-scenario.js';
import { loadScenario } from '../../src/scenario/index.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { freePort } from '../helpers/kamailio.js';
import { LIVE_PUSH } from '../helpers/scenario-text.js';

let relay: LiveRelay | null = null;
afterEach(async () => {
  relay?.stop('test over');
  await relay?.done;
  relay = null;
});

function scenario(scheme: 'msrp' | 'msrps', live: string, port: number) {
  const text = [
    'name: live-own-relay',
    'seed: 5',
    'duration: 2500ms',
    'nodes:',
    '  psa: { role: sender, relays: [relay-a], password: s3cret }',
    '  pra: { role: receiver, relays: [relay-a], password: hunter2 }',
    `  relay-a: { role: relay, scheme: ${scheme}, live: { ${live} } }`,
    ...LIVE_PUSH,
    '  # One relay for both: its URI for each side (the PSA\'s token, then the PRA\'s).',
    '  - path: { at: pra, method: SEND, fromPath: [relay-a, relay-a, psa] }',
  ].join('\n');
  const loaded = loadScenario('live.yaml', text, { live: { 'relay-a': { host: '127.0.0.1', port } } });
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return loaded.scenario;
}

async function ownRelay(tls?: { cert: string; key: string }) {
  relay = await startLiveRelay({
    listen: { host: '127.0.0.1', port: 0 },
    ...(tls ? { host: 'localhost', tls } : {}),
    profile: 'rfc4976',
    realm: 'example.com',
    users: { psa: 's3cret', pra: 'hunter2' },
    duration: 20_000_000,
    seed: 9,
  });
  return relay;
}

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-live-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulated endpoints against a live relay', () => {
  it('AUTH through it, a chunked message with Success-Report, the REPORT back; its URIs stand for its id', async () => {
    const r = await ownRelay();
    const records: AnyTraceRecord[] = [];
    const result = await runLiveScenario(scenario('msrp', 'connect: 127.0.0.1:1', r.address.port), { sinks: [(x) => records.push(x)] });
    expect(result.expectations.map((e) => [e.expected, e.passed, e.actual])).toEqual(result.expectations.map((e) => [e.expected, true, e.actual]));
    expect(result.live.reason).toBe('until');
    // The relay saw the frames for real: two AUTH rounds and the chunks, over two connections.
    const opened = records.filter((x) => x.type === 'live.open');
    expect(opened.map((x) => x.node).sort()).toEqual(['pra', 'psa']);
    expect(records.filter((x) => x.type === 'live.close').length).toBe(2);
    // The end of the run is no failure of the session.
    expect(records.some((x) => x.type === 'session.failed')).toBe(false);
  }, 30_000);

  it.skipIf(!openssl)('speaks msrps with the CA and server name of the scenario', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const r = await ownRelay({ cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') });
    const records: AnyTraceRecord[] = [];
    const s = scenario('msrps', 'connect: 127.0.0.1:1, serverName: localhost, ca: cert.pem', r.address.port);
    const result = await runLiveScenario(s, { sinks: [(x) => records.push(x)], tls: { 'relay-a': { ca: readFileSync(cert) } } });
    expect(records.filter((x) => x.type === 'live.open').every((x) => x.tls === true)).toBe(true);
    expect(result.expectations.every((e) => e.passed), JSON.stringify(result.expectations)).toBe(true);
    // Without the CA the relay's certificate is not trusted: the connection fails with its reason.
    const untrusted: AnyTraceRecord[] = [];
    const refused = await runLiveScenario(s, { sinks: [(x) => untrusted.push(x)], until: 800_000 });
    expect(refused.passed).toBe(false);
    expect(untrusted.find((x) => x.type === 'live.close')).toMatchObject({ kind: 'refused' });
  }, 30_000);

  it('a relay that is not there: a refused connect, the AUTH and the session fail with their reason, the run ends on time', async () => {
    const port = await freePort();
    const records: AnyTraceRecord[] = [];
    const started = performance.now();
    const result = await runLiveScenario(scenario('msrp', 'connect: 127.0.0.1:1', port), { sinks: [(x) => records.push(x)], until: 1_000_000 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.passed).toBe(false);
    expect(records.filter((x) => x.type === 'live.close').map((x) => x.kind)).toContain('refused');
    expect(result.expectations[0]!.actual).toMatch(/0 delivered/);
    expect(records.some((x) => x.type === 'endpoint.relay-lost' || x.type === 'session.failed')).toBe(true);
  }, 30_000);
});
