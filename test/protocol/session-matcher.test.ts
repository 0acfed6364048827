/**
 * Session matching and the session's states without a World (CHECKLIST c.2 E-16, E-17; b U-09 for
 * URI comparison): each row registers sessions, then asks where a SEND arriving on a connection
 * goes, and checks the decision and the rule behind it.
 */
import { describe, expect, it } from 'vitest';
import { SessionMatcher, sessionKey, type MatchableSession } from '../../src/protocol/session-matcher.js';
import { SessionLife, type SessionState } from '../../src/protocol/session-life.js';
import { buildRequest } from '../../src/wire/builder.js';

const MINE = 'msrp://bob.example.com:2855/s1;tcp';

interface FakeSession extends MatchableSession<string> {
  name: string;
  conn: string | null;
  active: boolean;
}

function session(name: string, states: SessionState[], conn: string | null, active = false): FakeSession {
  const life = new SessionLife();
  for (const s of states) life.transition(s);
  return { name, life, conn, active };
}

function sendTo(...toPath: string[]) {
  return buildRequest({ transactionId: 't1', method: 'SEND', toPath, fromPath: ['msrp://alice.example.com:2855/a;tcp'], messageId: 'm1', byteRange: { start: 1, end: 0, total: 0 } });
}

describe('session matching (E-16, E-17)', () => {
  const rows: { rule: string; name: string; s: () => FakeSession; conn: string; toPath: string[]; direct?: boolean; want: string }[] = [
    { rule: 'E-17', name: 'a To-Path naming no session: 481', s: () => session('x', ['offering', 'connecting', 'established'], 'c1'), conn: 'c1', toPath: ['msrp://bob.example.com:2855/other;tcp'], want: 'unknown' },
    { rule: 'E-17', name: 'a To-Path of two URIs names no session at an endpoint', s: () => session('x', ['offering', 'connecting', 'established'], 'c1'), conn: 'c1', toPath: ['msrp://relay.example.com:2855;tcp', MINE], want: 'unknown' },
    { rule: 'E-17', name: 'a failed session is unknown', s: () => session('x', ['offering', 'failed'], 'c1'), conn: 'c1', toPath: [MINE], want: 'unknown' },
    { rule: 'E-17', name: 'a closed session is unknown', s: () => session('x', ['closed'], 'c1'), conn: 'c1', toPath: [MINE], want: 'unknown' },
    { rule: 'U-09', name: 'scheme and host compare case-insensitively', s: () => session('x', ['offering', 'connecting', 'established'], 'c1'), conn: 'c1', toPath: ['MSRP://BOB.example.com:2855/s1;tcp'], want: 'session x' },
    { rule: 'U-09', name: 'the session part compares exactly', s: () => session('x', ['offering', 'connecting', 'established'], 'c1'), conn: 'c1', toPath: ['msrp://bob.example.com:2855/S1;tcp'], want: 'unknown' },
    { rule: 'E-16', name: 'a passive session not yet bound binds to the connection of its first request', s: () => session('x', ['answering', 'connecting'], null), conn: 'c7', toPath: [MINE], want: 'bind x' },
    { rule: 'E-16', name: 'with relays there is no binding: the relay connection carries the session', s: () => session('x', ['answering', 'connecting'], null), conn: 'c7', toPath: [MINE], direct: false, want: 'elsewhere x' },
    { rule: 'E-16', name: 'an active session binds its own connection: a request elsewhere is 506', s: () => session('x', ['offering', 'connecting'], null, true), conn: 'c7', toPath: [MINE], want: 'elsewhere x' },
    { rule: 'E-16', name: 'a session bound to another connection: 506', s: () => session('x', ['offering', 'connecting', 'established'], 'c1'), conn: 'c2', toPath: [MINE], want: 'elsewhere x' },
    { rule: 'E-15', name: 'the first request on its own connection establishes a connecting session', s: () => session('x', ['offering', 'connecting'], 'c1'), conn: 'c1', toPath: [MINE], want: 'session x establish' },
    { rule: 'E-17', name: 'an established session on its connection', s: () => session('x', ['offering', 'connecting', 'established'], 'c1'), conn: 'c1', toPath: [MINE], want: 'session x' },
  ];
  it.each(rows)('$rule: $name', ({ s, conn, toPath, direct, want }) => {
    const m = new SessionMatcher<FakeSession, string>();
    m.add(sessionKey(MINE), s());
    const r = m.send(conn, sendTo(...toPath), direct ?? true);
    const got = r.kind === 'unknown' ? 'unknown' : r.kind === 'session' ? `session ${r.session.name}${r.establish ? ' establish' : ''}` : `${r.kind} ${r.session.name}`;
    expect(got).toBe(want);
  });

  it('remove with a session forgets the key only while it is that session\'s', () => {
    const m = new SessionMatcher<FakeSession, string>();
    const a = session('a', [], null);
    const b = session('b', [], null);
    m.add(sessionKey(MINE), a);
    m.add(sessionKey(MINE), b);
    m.remove(sessionKey(MINE), a);
    expect(m.lookup(sendTo(MINE))).toBe(b);
    m.remove(sessionKey(MINE));
    expect(m.lookup(sendTo(MINE))).toBeUndefined();
  });
});

describe('session states', () => {
  it.each([
    [['offering', 'connecting', 'established', 'closed']],
    [['answering', 'connecting', 'established', 'failed', 'closed']],
    [['offering', 'established']],
    [['failed']],
    [['closed', 'closed']],
  ] as SessionState[][][])('a legal life: %j', (moves) => {
    const life = new SessionLife();
    for (const m of moves) life.transition(m);
    expect(life.state).toBe(moves[moves.length - 1]);
  });

  it.each([
    [['closed'], 'established'],
    [['failed'], 'established'],
    [['offering', 'connecting'], 'offering'],
    [[], 'connecting'],
  ] as [SessionState[], SessionState][])('transition() rejects an illegal move: %j then %s', (moves, to) => {
    const life = new SessionLife();
    for (const m of moves) life.transition(m);
    expect(() => life.transition(to)).toThrow(/illegal move/);
  });
});
