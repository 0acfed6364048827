/**
 * E-28, RFC 4975 §7.1.1: "if the success report has not been received by the time the session is
 * ended, the device SHOULD inform the user": `endpoint.unconfirmed` for each such message.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { chain } from './helpers.js';

function run(endAt: number) {
  const t = chain(1, 1);
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
  t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'are you there?', successReport: 'yes' }));
  t.world.at(endAt, () => t.world.endSession('s1', 'psa'));
  t.world.run(10 * SECOND);
  return t;
}

describe('a session that ends before its success REPORTs came (E-28)', () => {
  it('tells the user about each message not covered', () => {
    // Ended 1 ms after the send: the REPORT cannot be back yet.
    const t = run(2 * SECOND + 1_000);
    const [sent] = t.of('endpoint.message', 'psa');
    expect(t.of('endpoint.unconfirmed', 'psa')).toMatchObject([{ session: 's1', messageId: sent!.messageId, size: 14, reported: 0, rule: 'E-28' }]);
  });

  it('says nothing when the REPORT came before the end', () => {
    const t = run(5 * SECOND);
    expect(t.of('endpoint.report', 'psa')).toMatchObject([{ status: 200, complete: true }]);
    expect(t.of('endpoint.unconfirmed')).toEqual([]);
  });
});
