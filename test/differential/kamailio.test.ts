/**
 * The differential suite (issue 15 §2): every flow of flows.ts runs against a real Kamailio 5.6
 * (config/kamailio/msrp-relay.cfg, started here on a free loopback port and stopped by its PID)
 * and against the simulated relay with `profile: kamailio` serving the same clients over loopback
 * (startLiveRelay, what `msrp-sim relay --profile kamailio` runs). What each client received is
 * compared after normalize.ts; a flow may differ only as its row of KNOWN_DIFFERENCES says, each
 * row naming its entry in docs/relay-profiles.md. DIFF_SHOW=1 prints both transcripts of every flow.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startLiveRelay, type LiveRelay } from '../../src/live/live-relay.js';
import { kamailio, kamailioForFile, SKIP_KAMAILIO } from '../helpers/kamailio.js';
import { FLOWS, USERS } from './flows.js';
import { runFlow, type Flow, type Target } from './harness.js';
import { normalize } from './normalize.js';

/**
 * Flows whose transcripts differ on purpose: flow name -> the docs/relay-profiles.md entry that
 * gives the reason and the evidence, and what the profile's transcript is made of Kamailio's (so
 * that the difference is exactly the documented one, and nothing else).
 */
export const KNOWN_DIFFERENCES: Record<string, { doc: string; expected: (kamailio: string) => string }> = Object.fromEntries(
  ['low (1)', 'in range (600)', 'high (1000000)'].map((what) => [
    `AUTH with Expires ${what}`,
    {
      doc: 'docs/relay-profiles.md, "Kamailio\'s 423": the 17 bytes of memory before its end-line are not reproduced',
      // Kamailio writes 17 bytes (NUL, 0xC0, 0xED) where a header and CRLF should be: its 423 has no end-line a parser can find.
      // eslint-disable-next-line no-control-regex -- the NUL bytes Kamailio writes are what is matched
      expected: (k: string) => k.replace(/<not MSRP> (MSRP \S+ 423 [^\n]*\n(?:[^\n]*\n)*?)[\x00\xc0\xed]{17}(-------\S+\$)/, '$1$2'),
    },
  ]),
);

let sim: LiveRelay | null = null;
afterAll(async () => {
  sim?.stop('suite over');
  await sim?.done;
});

async function simulated(): Promise<Target> {
  sim ??= await startLiveRelay({
    listen: { host: '127.0.0.1', port: 0 },
    profile: 'kamailio',
    realm: 'example.com',
    users: USERS,
    duration: 3_600_000_000,
    seed: 15,
  });
  return { host: sim.address.host, port: sim.address.port, uri: sim.uri };
}

async function both(flow: Flow, real: Target): Promise<{ real: string; simulated: string }> {
  const s = await simulated();
  const [a, b] = [await runFlow(flow, real), await runFlow(flow, s)];
  return { real: normalize(a, real), simulated: normalize(b, s) };
}

describe.skipIf(kamailio === null)('the kamailio profile against a real Kamailio 5.6, flow by flow', () => {
  const relay = kamailioForFile({ users: USERS, realm: 'example.com' });
  const target = async (): Promise<Target> => {
    const k = await relay();
    return { host: k.host, port: k.port, uri: k.uri };
  };

  for (const flow of FLOWS) {
    it(flow.name, async () => {
      const t = await both(flow, await target());
      if (process.env.DIFF_SHOW) console.log(`### ${flow.name}\n--- kamailio\n${t.real}\n--- profile\n${t.simulated}\n`);
      const known = KNOWN_DIFFERENCES[flow.name];
      if (known !== undefined) {
        // The difference is there (else the row is stale), and it is the documented one only.
        expect(t.simulated, known.doc).not.toBe(t.real);
        expect(t.simulated, known.doc).toBe(known.expected(t.real));
      } else expect(t.simulated).toBe(t.real);
    });
  }
});

describe.skipIf(kamailio !== null)('the differential suite against Kamailio', () => {
  it.skip(SKIP_KAMAILIO, () => {});
});
