/**
 * R-23, RFC 4976 §3: a relay that re-chunks must "resend the resulting chunks in order". With
 * pipelined chunks arriving while an earlier one is still being forwarded (cut-through under
 * `msrprelay`, or interrupted for a response), the rest of the earlier chunk goes out before any
 * part of the next one.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { RelayProfileName } from '../../src/protocol/relay-profile.js';
import { AG_CLIENT, chain } from './helpers.js';

describe('re-chunked parts of a message leave a relay in order (R-23)', () => {
  for (const profile of ['rfc4976', 'msrprelay', 'kamailio', 'opensips'] as RelayProfileName[]) {
    it(profile, () => {
      // OpenSIPS serves msrp:// only (opensips:scheme-not-served), and delivers to a client by
      // connecting to its URI, which an RFC 4976 client behind a relay of its own refuses (506): its
      // receiver here has no relay, so the order is checked at the one OpenSIPS relay.
      const opensips = profile === 'opensips';
      // An msrprelay relay is reached as AG Projects' client does (once per session, no digest uri).
      const t = chain(1, opensips ? 0 : 1, { relay: { profile, maxChunk: 1000, ...(opensips ? { scheme: 'msrp' as const } : {}) }, ...(profile === 'msrprelay' ? { credentials: AG_CLIENT } : {}) });
      t.world.start();
      t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
      t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 20000, chunkSize: 2048, successReport: 'yes' }));
      t.world.run(20 * SECOND);
      const ranges = t.of('msrp.recv', 'pra')
        .filter((r) => r.method === 'SEND' && (r.bodyLength as number) > 0)
        .map((r) => [(r.byteRange as { start: number }).start, r.bodyLength as number]);
      let next = 1;
      for (const [start, length] of ranges) {
        expect(start).toBe(next);
        next = start! + length!;
      }
      expect(next).toBe(20001);
      expect(t.of('endpoint.deliver', 'pra')).toHaveLength(1);
    });
  }
});
