/**
 * The command line of live mode's second direction: `--live ID=HOST:PORT` checked (exit 2 with a
 * message, no run), live scenarios refused by `msrp-sim test`, and scenarios/live/ left out of
 * folder walks unless named.
 */
import { describe, expect, it } from 'vitest';
import { ensureBuilt, runCliAsync } from '../helpers/exec.js';

const LIVE = 'scenarios/live/kamailio-push.yaml';

describe('msrp-sim run --live', () => {
  it('refuses an id that is no relay of the scenario, and an address without a usable port', async () => {
    ensureBuilt();
    const noRelay = await runCliAsync(['run', LIVE, '--live', 'psa=127.0.0.1:2855', '--out', '/tmp/msrp-sim-never']);
    expect(noRelay.status).toBe(2);
    expect(noRelay.stderr).toMatch(/--live psa: kamailio-push has no relay `psa` \(its relays: relay-a\)/);
    const badPort = await runCliAsync(['run', LIVE, '--live', 'relay-a=127.0.0.1:0']);
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toMatch(/--live expects ID=HOST:PORT/);
    const noEq = await runCliAsync(['run', LIVE, '--live', '127.0.0.1:2855']);
    expect(noEq.status).toBe(2);
  });

  it('makes a simulated relay live; what cannot apply to it is then refused where it is written', async () => {
    ensureBuilt();
    const r = await runCliAsync(['validate', 'scenarios/push-via-two-relays.yaml']);
    expect(r.status).toBe(0);
    const live = await runCliAsync(['run', 'scenarios/push-via-two-relays.yaml', '--live', 'relay-a=127.0.0.1:2855', '--out', '/tmp/msrp-sim-never']);
    expect(live.status).toBe(2);
    expect(live.stderr).toMatch(/push-via-two-relays\.yaml:\d+:\d+: links\[0\]: `relay-a` is a live relay \(a real one, at 127\.0\.0\.1:2855\)/);
  });
});

describe('live scenarios and folder walks', () => {
  it('msrp-sim test refuses a live scenario: it has no golden trace', async () => {
    ensureBuilt();
    const r = await runCliAsync(['test', LIVE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/a live scenario .* has no golden trace; run it with `msrp-sim run`/);
  });

  it('scenarios/live/ is walked only when named', async () => {
    ensureBuilt();
    const all = (await runCliAsync(['validate', 'scenarios/'])).stdout.toString('utf8');
    expect(all).not.toContain('kamailio-push');
    const named = (await runCliAsync(['validate', 'scenarios/live/'])).stdout.toString('utf8');
    expect(named).toContain('kamailio-push');
    const list = (await runCliAsync(['list'])).stdout.toString('utf8');
    expect(list).not.toContain('kamailio-push');
  });
});
