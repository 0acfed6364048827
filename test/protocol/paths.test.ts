import { describe, expect, it } from 'vitest';
import { forwardPaths, requestToPath, responseToPath, sdpPath } from '../../src/protocol/paths.js';
import { typeMatches } from '../../src/protocol/media-types.js';
import { mediaTypeAccepted } from '../../src/signal/media-types.js';

describe('path construction (R-07, RFC 4976 §5.1)', () => {
  it('builds To-Path and a=path as in the RFC example', () => {
    // "Use-Path B C, own URI A -> a=path C B A; peer's a=path D E F -> To-Path B C D E F".
    expect(sdpPath(['B', 'C'], 'A')).toEqual(['C', 'B', 'A']);
    expect(requestToPath(['B', 'C'], ['D', 'E', 'F'])).toEqual(['B', 'C', 'D', 'E', 'F']);
    expect(sdpPath([], 'A')).toEqual(['A']);
  });

  it('moves the relay URI from To-Path to the front of From-Path (R-19)', () => {
    // RFC 4976 §3 header blocks 1 and 2, at relay B.
    expect(forwardPaths(['msrps://b;tcp', 'msrps://bob;tcp'], ['msrps://a;tcp', 'msrps://alice;tcp'])).toEqual({
      toPath: ['msrps://bob;tcp'],
      fromPath: ['msrps://b;tcp', 'msrps://a;tcp', 'msrps://alice;tcp'],
    });
  });

  it('returns SEND responses to the previous hop only (E-33)', () => {
    expect(responseToPath('SEND', ['x', 'y', 'z'])).toEqual(['x']);
    expect(responseToPath('AUTH', ['x', 'y', 'z'])).toEqual(['x', 'y', 'z']);
  });
});

describe('accept-types matching (E-05)', () => {
  it.each([
    ['text/plain', ['text/plain'], true],
    ['TEXT/Plain', ['text/plain'], true],
    ['text/plain;charset=utf-8', ['text/plain'], true],
    ['text/html', ['text/*'], true],
    ['image/jpeg', ['text/*'], false],
    ['image/jpeg', ['*'], true],
    ['image/jpeg', ['text/plain', 'message/cpim'], false],
  ])('%s against %j is %s', (type, list, expected) => {
    expect(mediaTypeAccepted(type, list)).toBe(expected);
  });

  it('never treats accept-wrapped-types as top-level (E-07)', () => {
    expect(mediaTypeAccepted('image/png', ['message/cpim'], ['image/png'])).toBe(false);
    expect(typeMatches('image/png', 'image/*')).toBe(true);
  });
});
