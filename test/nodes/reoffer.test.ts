/**
 * R-08, RFC 4976 §9.4: "Clients need to re-negotiate the tokens using a new offer/answer exchange
 * (e.g., a SIP re-invite) before the tokens expire." An endpoint re-AUTHs at 80 % of Expires; when
 * the new Use-Path differs, each live session offers the new a=path in a re-INVITE, the
 * peer answers with its own current path (E-11) and both build their To-Path from the new
 * exchange, so messages keep flowing after the old token has expired.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { parseSipMessage, sipHeader, sipSdpBody } from '../../src/signal/sip.js';
import { parseSdp } from '../../src/signal/sdp.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import type { RelayOptions } from '../../src/nodes/relay/relay-node.js';
import { AG_CLIENT, chain, frameOf, specTopology, type Built } from './helpers.js';

/** Expires 20 s at relay-a (psa's relay): psa re-AUTHs at 16 s, 32 s, 48 s ...; its tokens die at 20 s, 36 s ... */
const SHORT: Partial<RelayOptions> = { expiresMin: 10, expiresDefault: 20 };

const sendTimes = [1, 18, 25, 45, 70];

function pushAll(t: Built, reverse = true): void {
  t.world.start();
  t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
  for (const s of sendTimes) t.world.at(s * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: `push at ${s} s` }));
  if (reverse) for (const s of [25, 45]) t.world.at(s * SECOND, () => t.world.send('pra', { session: 's1', contentType: 'text/plain', body: `reply at ${s} s` }));
}

const tokensOf = (t: Built, relay: string, user: string): AnyTraceRecord[] => t.of('relay.auth-ok', relay).filter((r) => r.user === user);

/** The SDP a=path of the SIP message a `sip.send` record carries. */
function sdpPathOf(record: AnyTraceRecord): string[] {
  const msg = parseSipMessage(String(record.text));
  if (!msg.ok) throw new Error('unreadable SIP');
  const sdp = parseSdp(sipSdpBody(msg.message)!);
  if (!sdp.ok) throw new Error('unreadable SDP');
  return sdp.desc.media[0]!.path;
}

describe('re-offer after a re-AUTH that changed the Use-Path (R-08)', () => {
  it('offers the new a=path in a re-INVITE; the peer answers and both switch their To-Path', () => {
    const t = specTopology({ relayA: SHORT });
    pushAll(t);
    t.world.run(80 * SECOND);
    const tokens = tokensOf(t, 'relay-a', 'psa').map((r) => String(r.token));
    expect(tokens.length).toBeGreaterThanOrEqual(5); // 0 s, 16 s, 32 s, 48 s, 64 s
    const reoffers = t.of('session.reoffer', 'psa');
    expect(reoffers.length).toBe(tokens.length - 1);
    const psaUri = (t.of('session.offer', 'psa')[0]!.path as string[]).at(-1)!;
    reoffers.forEach((r, i) => {
      expect(r.rule).toBe('R-08');
      // reverse(Use-Path) ++ own URI, with the token of the re-AUTH just done; the same session URI.
      expect(r.path).toEqual([tokens[i + 1], psaUri]);
      expect(r.previous).toEqual([tokens[i], psaUri]);
      // Right after the re-AUTH, long before the old token expires (80 % of 20 s).
      const auth = t.of('auth.ok', 'psa').find((a) => (a.usePath as string[])[0] === tokens[i + 1])!;
      expect(r.t).toBe(auth.t);
    });

    // The re-INVITE: in the dialog of the first INVITE, with the new path in its SDP.
    const invites = t.of('sip.send', 'psa').filter((r) => r.method === 'INVITE');
    expect(invites).toHaveLength(1 + reoffers.length);
    const first = parseSipMessage(String(invites[0]!.text));
    const second = parseSipMessage(String(invites[1]!.text));
    if (!first.ok || !second.ok) throw new Error('unreadable SIP');
    expect(sipHeader(second.message, 'call-id')).toBe(sipHeader(first.message, 'call-id'));
    expect(sipHeader(second.message, 'cseq')).toBe('2 INVITE');
    expect(sipHeader(second.message, 'to')).toMatch(/;tag=/);
    expect(sdpPathOf(invites[1]!)).toEqual([tokens[1], psaUri]);
    // RFC 3264 §8: the same o= line, its version one higher.
    const o1 = parseSdp(sipSdpBody(first.message)!);
    const o2 = parseSdp(sipSdpBody(second.message)!);
    if (!o1.ok || !o2.ok) throw new Error('unreadable SDP');
    expect(o2.desc.origin).toEqual({ ...o1.desc.origin, version: '2' });

    // pra takes it (E-11): its To-Path is now its Use-Path ++ psa's new a=path; its answer (200
    // with SDP) carries its own current path, which has not changed.
    const praToken = String(tokensOf(t, 'relay-b', 'pra')[0]!.token);
    const updates = t.of('session.update', 'pra');
    expect(updates).toHaveLength(reoffers.length);
    updates.forEach((u, i) => {
      expect(u.rule).toBe('E-11');
      expect(u.toPath).toEqual([praToken, tokens[i + 1], psaUri]);
    });
    const oks = t.of('sip.send', 'pra').filter((r) => r.status === 200 && r.hasSdp);
    expect(sdpPathOf(oks[1]!)).toEqual(t.of('session.answer', 'pra')[0]!.path);
    const updated = t.of('session.updated', 'psa');
    expect(updated.map((u) => (u.toPath as string[])[0])).toEqual(tokens.slice(1));
  });

  it('sends every later SEND over the new path, so messages after the old token expired are delivered', () => {
    const t = specTopology({ relayA: SHORT });
    pushAll(t);
    t.world.run(80 * SECOND);
    const tokens = tokensOf(t, 'relay-a', 'psa').map((r) => String(r.token));
    expect(t.of('endpoint.deliver', 'pra').map((r) => r.size)).toEqual(sendTimes.map((s) => `push at ${s} s`.length));
    expect(t.of('endpoint.deliver', 'psa')).toHaveLength(2);
    expect(t.of('relay.refuse')).toHaveLength(0);
    expect(t.of('session.failed')).toHaveLength(0);
    // The SEND psa wrote at 25 s (the first token expired at 20 s) names the second token; the
    // one pra wrote at 25 s reaches psa through it too (its To-Path, seen on the wire).
    const at25 = (node: string) => t.of('msrp.send', node).filter((r) => r.method === 'SEND' && r.t >= 25 * SECOND && r.t < 26 * SECOND).map(frameOf);
    const [psaSend] = at25('psa');
    expect(psaSend!.toPath[0]).toBe(tokens[1]);
    const [praSend] = at25('pra');
    expect(praSend!.toPath).toContain(tokens[1]);
    expect(praSend!.toPath).not.toContain(tokens[0]);
    // The relay forwards on the second token after the first has expired (R-13 enforced).
    const expiry = tokensOf(t, 'relay-a', 'psa')[0]!.t + 20 * SECOND;
    const later = t.of('relay.forward', 'relay-a').filter((r) => r.t > expiry && r.method === 'SEND');
    expect(later.length).toBeGreaterThan(0);
    for (const f of later) expect([...(f.toPathBefore as string[]), ...(f.fromPathBefore as string[])]).not.toContain(tokens[0]);
  });

  it('without the re-offer, the first SEND after the old token expired is refused 481 (R-13) and the session fails', () => {
    const t = specTopology({ relayA: SHORT });
    // An endpoint that re-AUTHs but never re-offers: no re-INVITE can be sent.
    t.world.signalling.reoffer = () => false;
    pushAll(t, false);
    t.world.run(30 * SECOND);
    expect(t.of('sip.send', 'psa').filter((r) => r.method === 'INVITE')).toHaveLength(1);
    const refuse = t.of('relay.refuse', 'relay-a')[0]!;
    expect(refuse).toMatchObject({ rule: 'R-13', status: 481, reason: 'token expired' });
    expect(refuse.t).toBeGreaterThan(25 * SECOND);
    expect(t.of('session.failed', 'psa')[0]).toMatchObject({ rule: 'E-16' });
    // Delivered: the messages of 1 s and 18 s only.
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(2);
  });

  it('without the re-offer a relay that does not enforce Expires (msrprelay) still relays, and says so', () => {
    // psa reaches msrprelay as AG Projects' client does: once per session, never renewed.
    const t = specTopology({ relayA: { ...SHORT, profile: 'msrprelay' }, psa: { relays: [{ uri: 'msrps://relay.a.example.com:2855;tcp', username: 'psa', password: 's3cret', ...AG_CLIENT }] } });
    t.world.signalling.reoffer = () => false;
    pushAll(t, false);
    t.world.run(30 * SECOND);
    expect(t.of('relay.token-past-expiry', 'relay-a')[0]).toMatchObject({ rule: 'msrprelay:expires-not-enforced' });
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(3);
  });

  it('does not re-offer when the re-AUTH gave the same Use-Path back', () => {
    const t = specTopology({ relayA: SHORT });
    pushAll(t, false);
    // A relay that hands out the same token again (its token stream reset to repeat itself).
    const relay = t.world.relays.get('relay-a')!;
    let first: string | null = null;
    const ctx = relay.ctx as unknown as { newToken(): string };
    const original = ctx.newToken.bind(ctx);
    ctx.newToken = () => (first ??= original());
    t.world.run(30 * SECOND);
    expect(t.of('auth.refresh', 'psa').length).toBeGreaterThan(0);
    expect(t.of('session.reoffer')).toHaveLength(0);
  });
});

describe('re-INVITEs that cross (RFC 3261 §14)', () => {
  it('both sides re-AUTH at once: 491 to each, retries per §14.1, and both paths are renegotiated', () => {
    const t = chain(1, 1, { relay: SHORT });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    for (const s of sendTimes) t.world.at(s * SECOND, () => t.world.send('psa', { session: 's1', contentType: 'text/plain', body: `push at ${s} s` }));
    for (const s of [25, 45]) t.world.at(s * SECOND, () => t.world.send('pra', { session: 's1', contentType: 'text/plain', body: `reply at ${s} s` }));
    // Both clients re-AUTH at the same moment: their re-INVITEs cross.
    t.world.at(8 * SECOND, () => {
      t.world.reauth('psa');
      t.world.reauth('pra');
    });
    t.world.run(80 * SECOND);
    // Every 16 s after that both re-AUTH together again (same Expires): each round crosses.
    const glares = t.trace.filter((r) => r.type === 'session.reoffer-rejected' && r.status === 491);
    expect(glares.length).toBe(2 * 5); // 8 s, 24 s, 40 s, 56 s, 72 s
    const glare = glares.filter((r) => r.t < 16 * SECOND);
    expect(glare.map((r) => r.node).sort()).toEqual(['pra', 'psa']);
    for (const g of glare) expect(g.rule).toBe('RFC 3261 §14.1');
    // psa sent the first INVITE (owns the Call-ID): it waits 2.1-4 s; pra 0-2 s.
    const wait = (node: string) => Number(glare.find((g) => g.node === node)!.retryIn);
    expect(wait('psa')).toBeGreaterThanOrEqual(2_100_000);
    expect(wait('psa')).toBeLessThanOrEqual(4_000_000);
    expect(wait('pra')).toBeLessThanOrEqual(2_000_000);
    expect(wait('psa') % 10_000).toBe(0);
    // pra retries first; psa's answer carries psa's new path too (E-11), so psa has nothing left
    // to offer when its own timer runs out.
    const afterGlare = (type: string, node: string) => t.of(type, node).filter((r) => r.t > glare[0]!.t && r.t < 16 * SECOND);
    expect(afterGlare('session.reoffer', 'pra')).toHaveLength(1);
    expect(afterGlare('session.reoffer', 'psa')).toHaveLength(0);
    const psaUpdate = afterGlare('session.update', 'psa')[0]!;
    const psaToken = String(tokensOf(t, 'a1', 'psa')[1]!.token);
    const praToken = String(tokensOf(t, 'b1', 'pra')[1]!.token);
    expect((psaUpdate.path as string[])[0]).toBe(psaToken);
    expect((psaUpdate.toPath as string[]).slice(0, 2)).toEqual([psaToken, praToken]);
    expect((afterGlare('session.updated', 'pra')[0]!.toPath as string[]).slice(0, 2)).toEqual([praToken, psaToken]);
    // Every message arrives, through every later expiry, with no 481.
    // psa's answer follows the offer that got the 491 (o= version 2): version 3 (RFC 3264 §8).
    const answer = t.of('sip.send', 'psa').find((r) => r.status === 200 && r.hasSdp && r.t > glare[0]!.t)!;
    expect(String(answer.text)).toMatch(/\r\no=psa \d+ 3 IN IP4 /);
    expect(t.of('endpoint.deliver', 'pra')).toHaveLength(sendTimes.length);
    expect(t.of('endpoint.deliver', 'psa')).toHaveLength(2);
    expect(t.of('relay.refuse')).toHaveLength(0);
  });

  it('a new offer that arrives during the answerer\'s own re-AUTH is answered with its new path; no second offer follows', () => {
    const t = chain(1, 1, { relay: SHORT });
    t.world.start();
    t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
    // psa's AUTH round takes 40 ms and its re-INVITE 50 ms to arrive: pra is authenticating then.
    t.world.at(8 * SECOND, () => t.world.reauth('psa'));
    t.world.at(8 * SECOND + 60_000, () => t.world.reauth('pra'));
    t.world.at(12 * SECOND, () => t.world.send('pra', { session: 's1', contentType: 'text/plain', body: 'both new' }));
    t.world.run(14 * SECOND);
    const invite = t.of('sip.recv', 'pra').find((r) => r.method === 'INVITE' && r.t > 8 * SECOND)!;
    const praReady = t.of('endpoint.ready', 'pra').at(-1)!;
    expect(t.of('auth.refresh', 'pra')[0]!.t).toBeLessThan(invite.t);
    expect(praReady.t).toBeGreaterThan(invite.t);
    // The answer waited for the AUTH round and carries pra's new token (E-11: valid "at the time").
    const update = t.of('session.update', 'pra')[0]!;
    expect(update.t).toBe(praReady.t);
    const praToken = String(tokensOf(t, 'b1', 'pra')[1]!.token);
    expect((update.path as string[])[0]).toBe(praToken);
    expect(t.of('session.reoffer', 'pra')).toHaveLength(0);
    expect(t.of('sip.send').filter((r) => r.status === 491)).toHaveLength(0);
    expect((t.of('session.updated', 'psa')[0]!.toPath as string[])[1]).toBe(praToken);
    expect(t.of('endpoint.deliver', 'psa')).toHaveLength(1);
  });

  it('is deterministic: the same seed gives the same bytes', () => {
    const once = () => {
      const t = chain(1, 1, { relay: SHORT, seed: 11 });
      t.world.start();
      t.world.at(0, () => t.world.openSession('s1', 'psa', 'pra'));
      t.world.at(8 * SECOND, () => {
        t.world.reauth('psa');
        t.world.reauth('pra');
      });
      t.world.run(40 * SECOND);
      return JSON.stringify(t.trace);
    };
    expect(once()).toBe(once());
  });
});
