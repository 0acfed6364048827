/**
 * Flows run twice, live against a real Kamailio 5.6 (config/kamailio/msrp-relay.cfg) and simulated
 * with `profile: kamailio`, compared with `msrp-sim diff`. Where they differ, the differences are
 * the known ones of docs/diff.md ("Known differences against Kamailio 5.6"), pinned field by field:
 * a difference that goes away or a new one fails the test. Skips only where kamailio is absent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/exec.js';
import { kamailio, kamailioForFile } from '../helpers/kamailio.js';

/** The flow: a PSA and a PRA AUTH through relay-a; the PSA sends 3000 bytes in 1024-byte chunks with a Success-Report. */
function scenario(name: string, relay: string, psaPassword: string): string {
  return `name: ${name}
seed: 11
duration: 4s
nodes:
  psa:     { role: sender, host: push.example.com, relays: [relay-a], password: ${psaPassword} }
  pra:     { role: receiver, host: phone.example.net, relays: [relay-a], password: hunter2, acceptTypes: [text/plain] }
  relay-a: ${relay}
${relay.includes('live') ? '' : 'links:\n  - [psa, relay-a]\n  - [relay-a, pra]\n'}events:
  - at: 0s
    session: { id: s1, offerer: psa, answerer: pra }
  - at: 1s
    send: { session: s1, from: psa, contentType: text/plain, size: 3000, chunkSize: 1024, successReport: yes }
`;
}

const LIVE = '{ role: relay, scheme: msrp, live: { connect: 127.0.0.1:2855 } }';
const SIMULATED = '{ role: relay, scheme: msrp, profile: kamailio, realm: example.com, users: { psa: s3cret, pra: hunter2 } }';

/** Known differences (docs/diff.md): Kamailio's challenge, its 200 to AUTH, its 200 to SEND. */
const CHALLENGE = 'header WWW-Authenticate';
const AUTH_OK = ['headers (header order)', 'header Expires'];
const SEND_OK = ['headers (only in A: Message-ID)'];

interface Json {
  same: boolean;
  differences: Array<{ message: string; fields: Array<{ field: string; a: string | null; b: string | null }> }>;
}

describe.skipIf(!kamailio)('live Kamailio 5.6 against profile: kamailio, compared with msrp-sim diff', () => {
  const relay = kamailioForFile({ users: { psa: 's3cret', pra: 'hunter2' } });
  const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-diff-live-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function both(name: string, psaPassword: string): Promise<Json> {
    const k = await relay();
    writeFileSync(join(dir, `${name}-live.yaml`), scenario(`${name}-live`, LIVE, psaPassword));
    writeFileSync(join(dir, `${name}-sim.yaml`), scenario(`${name}-sim`, SIMULATED, psaPassword));
    const [live, sim] = await Promise.all([
      runCliAsync(['run', join(dir, `${name}-live.yaml`), '--live', `relay-a=${k.host}:${k.port}`, '--out', join(dir, `${name}-live`)]),
      runCliAsync(['run', join(dir, `${name}-sim.yaml`), '--out', join(dir, `${name}-sim`)]),
    ]);
    expect(live.status, live.stderr).toBe(0);
    expect(sim.status, sim.stderr).toBe(0);
    const d = await runCliAsync(['diff', join(dir, `${name}-live`), join(dir, `${name}-sim`), '--map', `${k.host}:${k.port}=relay-a`, '--json']);
    expect(d.status).toBe(1);
    return JSON.parse(d.stdout.toString()) as Json;
  }

  /** The differences by place and fields, sorted: which comes first depends on the wall clock of the live run. */
  const shape = (j: Json): string[] => j.differences.map((d) => `${d.message.replace(/ \(MSRP T\d+ /, ' (MSRP ')} | ${d.fields.map((f) => f.field).join('; ')}`).sort();
  const known = (list: Array<[string, string[]]>): string[] => list.map(([m, f]) => `${m} | ${f.join('; ')}`).sort();

  it('a chunked push through one relay with a Success-Report: only the known differences', async () => {
    const j = await both('push', 's3cret');
    expect(shape(j)).toEqual(known([
      ['relay-a -> psa frame 1 (MSRP 401 Unauthorized): header WWW-Authenticate', [CHALLENGE]],
      ['relay-a -> pra frame 1 (MSRP 401 Unauthorized): header WWW-Authenticate', [CHALLENGE]],
      ['relay-a -> psa frame 2 (MSRP 200 OK): headers (header order), header Expires', AUTH_OK],
      ['relay-a -> pra frame 2 (MSRP 200 OK): headers (header order), header Expires', AUTH_OK],
      ...[3, 4, 5, 6].map((n): [string, string[]] => [`relay-a -> psa frame ${n} (MSRP 200 OK): headers (only in A: Message-ID)`, SEND_OK]),
    ]));
    // The challenge as each writes it.
    const challenge = j.differences.find((d) => d.message.startsWith('relay-a -> psa frame 1 '))!;
    expect(challenge.fields[0]).toEqual({ field: CHALLENGE, a: 'Digest realm="example.com", nonce="N1", qop="auth"', b: 'Digest realm="example.com", qop="auth", nonce="N1", algorithm=MD5' });
  }, 120_000);

  it('AUTH with a wrong password: 401 again from both, and only the known differences', async () => {
    const j = await both('wrong', 'wrong');
    expect(shape(j)).toEqual(known([
      ['relay-a -> psa frame 1 (MSRP 401 Unauthorized): header WWW-Authenticate', [CHALLENGE]],
      ['relay-a -> psa frame 2 (MSRP 401 Unauthorized): header WWW-Authenticate', [CHALLENGE]],
      ['relay-a -> pra frame 1 (MSRP 401 Unauthorized): header WWW-Authenticate', [CHALLENGE]],
      ['relay-a -> pra frame 2 (MSRP 200 OK): headers (header order), header Expires', AUTH_OK],
    ]));
  }, 120_000);
});
