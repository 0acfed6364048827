/**
 * MSRP policy at a firewall (SPEC §3.3), as session border controllers apply it: largest frame,
 * methods, content types; a frame that breaks it is dropped (the flow stays blocked) or the
 * connection reset, and the trace names the policy rule.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import type { MsrpPolicy } from '../../src/nodes/firewall-policy.js';
import { build, endpoint, relay, type Built } from './helpers.js';

/** psa - fw - relay-a - bob, psa inside the firewall, plain TCP unless `scheme` says msrps. */
function behindPolicy(policy: MsrpPolicy, scheme: 'msrp' | 'msrps' = 'msrp'): Built {
  const t = build(
    [
      { id: 'psa', role: 'sender', endpoint: endpoint('push.example.com', { relays: [{ uri: `${scheme}://relay.a.example.com:2855;tcp`, username: 'psa', password: 's3cret' }] }) },
      { id: 'fw', role: 'firewall', firewall: { inside: ['psa'], rules: [{ action: 'allow', direction: 'outbound' }] }, policy },
      { id: 'relay-a', role: 'relay', relay: relay('relay.a.example.com', { psa: 's3cret' }, { scheme }) },
      { id: 'bob', role: 'endpoint', endpoint: endpoint('bob.example.com', { port: 9000, acceptTypes: ['*'] }) },
    ],
    [
      ['psa', 'fw', { latency: 5_000 }],
      ['fw', 'relay-a', { latency: 5_000 }],
      ['relay-a', 'bob', { latency: 5_000 }],
    ],
  );
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'bob'));
  return t;
}

const policyDrops = (t: Built) => t.of('fw.drop', 'fw').filter((r) => String(r.rule).startsWith('fw#policy'));

describe('largest frame', () => {
  it('a frame above maxFrame is dropped and its flow blocked, under fw#policy.maxFrame', () => {
    const t = behindPolicy({ maxFrame: 1000 });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'small' }));
    t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 1500 }));
    t.world.run(60 * SECOND);
    expect(t.of('endpoint.deliver', 'bob').map((r) => r.size)).toEqual([5]);
    const drops = policyDrops(t);
    expect(drops[0]).toMatchObject({ rule: 'fw#policy.maxFrame', direction: 'outbound' });
    expect(drops[0]!.reason).toMatch(/^MSRP frame of \d+ bytes exceeds 1000$/);
    // The flow stays blocked: what follows on it (retransmissions, ACKs) is dropped too.
    expect(drops.slice(1).every((r) => String(r.reason).startsWith('blocked: '))).toBe(true);
    // psa hears no 200 for the big SEND, and its relay connection eventually gives up (E-19).
    expect(t.of('endpoint.relay-lost', 'psa')).toHaveLength(1);
  });

  it('each frame is measured on its own: two frames under the limit sharing a segment pass', () => {
    const t = behindPolicy({ maxFrame: 1000 });
    t.world.at(SECOND, () => {
      t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 400 });
      t.world.send('psa', { session: 's1', contentType: 'text/plain', size: 400 });
    });
    t.world.run(5 * SECOND);
    // Both SENDs went out in one segment (one msrp.send each, one TCP segment between them).
    const frames = t.of('msrp.send', 'psa').filter((r) => r.method === 'SEND' && r.bodyLength === 400);
    expect(frames).toHaveLength(2);
    expect(policyDrops(t)).toHaveLength(0);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(2);
  });
});

describe('methods', () => {
  it('a method the policy does not list is dropped under fw#policy.methods, in either direction', () => {
    const t = behindPolicy({ methods: ['AUTH', 'SEND'] });
    // bob's success REPORT comes back inbound through the firewall.
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'report me', successReport: 'yes' }));
    t.world.run(5 * SECOND);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(1);
    const drop = policyDrops(t)[0]!;
    expect(drop).toMatchObject({ rule: 'fw#policy.methods', reason: 'method REPORT not allowed' });
    // The segment travels inward, from the relay, on the flow psa opened (the record's direction).
    expect(String(drop.src).startsWith(`${t.world.network.host('relay-a').address}:`)).toBe(true);
    expect(drop.direction).toBe('outbound');
    expect(t.of('endpoint.report', 'psa')).toHaveLength(0);
  });

  it('responses always pass: the whole AUTH exchange goes through a SEND-and-AUTH policy', () => {
    const t = behindPolicy({ methods: ['AUTH', 'SEND'] });
    t.world.run(2 * SECOND);
    expect(t.of('auth.ok', 'psa')).toHaveLength(1);
    expect(policyDrops(t)).toHaveLength(0);
  });
});

describe('content types', () => {
  it('a SEND of a type the policy does not allow is dropped under fw#policy.contentTypes; text/* passes', () => {
    const t = behindPolicy({ contentTypes: ['text/*'] });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: 'fine' }));
    t.world.at(2 * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 100 }));
    t.world.run(5 * SECOND);
    expect(t.of('endpoint.deliver', 'bob').map((r) => r.contentType)).toEqual(['text/plain']);
    expect(policyDrops(t)[0]).toMatchObject({ rule: 'fw#policy.contentTypes', reason: 'content type image/jpeg not allowed' });
  });
});

describe('action reset', () => {
  it('a frame that breaks the policy resets the connection at both ends', () => {
    const t = behindPolicy({ contentTypes: ['text/plain'], action: 'reset' });
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 100 }));
    t.world.run(5 * SECOND);
    const reject = t.of('fw.reject', 'fw');
    expect(reject).toHaveLength(1);
    expect(reject[0]).toMatchObject({ rule: 'fw#policy.contentTypes', both: true });
    expect(t.of('endpoint.relay-lost', 'psa')[0]).toMatchObject({ reason: 'reset' });
    expect(t.of('relay.connection-closed', 'relay-a')[0]).toMatchObject({ reason: 'reset' });
    expect(t.of('session.failed', 'psa')[0]).toMatchObject({ rule: 'E-19' });
  });
});

describe('TLS', () => {
  it('a policy cannot read an msrps connection: the flow passes uninspected, and the trace says so once', () => {
    const t = behindPolicy({ contentTypes: ['text/plain'] }, 'msrps');
    t.world.at(SECOND, () => t.world.send('psa', { session: 's1', contentType: 'image/jpeg', size: 100 }));
    t.world.run(5 * SECOND);
    const skips = t.of('fw.policy-skip', 'fw');
    expect(skips.map((r) => [r.direction, r.rule])).toEqual([['outbound', 'fw#policy'], ['inbound', 'fw#policy']]);
    expect(policyDrops(t)).toHaveLength(0);
    expect(t.of('endpoint.deliver', 'bob')).toHaveLength(1);
  });
});
