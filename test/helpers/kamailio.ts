/**
 * The Kamailio harness (scripts/kamailio.js) for vitest: whether the program is there (tests that
 * need it skip, with a message that says why, only where it is absent), and a relay started for a
 * test file and stopped by its PID afterwards, also when a test fails.
 */
import { afterAll } from 'vitest';
import { findKamailio, startKamailio, type KamailioOptions, type RunningKamailio } from '../../scripts/kamailio.js';

export { findKamailio, freePort, startKamailio, type RunningKamailio } from '../../scripts/kamailio.js';

/** The kamailio binary, or null (tests skip with SKIP_KAMAILIO as their message). */
export const kamailio = findKamailio();
export const SKIP_KAMAILIO = 'kamailio is not installed: the tests against a real Kamailio relay were skipped (apt-get install kamailio)';

/**
 * A relay for the calling test file: started by the first call of the returned function, stopped
 * in afterAll whatever the tests did.
 */
export function kamailioForFile(options: KamailioOptions): () => Promise<RunningKamailio> {
  let started: Promise<RunningKamailio> | null = null;
  afterAll(async () => {
    if (started) await (await started.catch(() => null))?.stop();
  });
  return () => (started ??= startKamailio(options));
}
