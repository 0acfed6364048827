import { describe, expect, it } from 'vitest';
import { isFormatEntry, mediaTypeAccepted, mediaTypesOverlap, repeatedWrappedTypes, splitFormatList } from '../../src/signal/media-types.js';
import type { MediaTypePosition } from '../../src/signal/media-types.js';

describe('mediaTypeAccepted (E-05, E-07)', () => {
  const table: [string, string[], string[], MediaTypePosition, boolean][] = [
    ['text/plain', ['text/plain'], [], 'top-level', true],
    ['TEXT/Plain', ['text/plain'], [], 'top-level', true],
    ['text/plain;charset=UTF-8', ['text/plain'], [], 'top-level', true],
    ['text/plain', ['text/plain;charset=UTF-8'], [], 'top-level', true],
    ['text/html', ['text/plain'], [], 'top-level', false],
    ['text/html', ['text/*'], [], 'top-level', true],
    ['image/png', ['text/*'], [], 'top-level', false],
    ['image/png', ['*'], [], 'top-level', true],
    ['application/octet-stream', ['message/cpim', '*'], [], 'top-level', true],
    ['text/html', ['message/cpim'], ['text/html'], 'top-level', false],
    ['text/html', ['message/cpim'], ['text/html'], 'wrapped', true],
    ['text/html', ['message/cpim'], ['text/*'], 'wrapped', true],
    ['image/jpeg', ['message/cpim'], ['*'], 'wrapped', true],
    ['image/jpeg', ['message/cpim'], ['text/*'], 'wrapped', false],
    ['text/plain', ['text/plain'], [], 'wrapped', true],
    ['text/plain', [], [], 'top-level', false],
    ['text', ['*'], [], 'top-level', false],
    ['*', ['*'], [], 'top-level', false],
    ['text/*', ['text/*'], [], 'top-level', false],
  ];
  it.each(table)('%s in accept-types %j, wrapped %j, %s -> %s', (type, accept, wrapped, position, expected) => {
    expect(mediaTypeAccepted(type, accept, wrapped, position)).toBe(expected);
  });
});

describe('mediaTypesOverlap', () => {
  it.each([
    [['text/plain'], ['text/plain'], true],
    [['text/plain'], ['text/html'], false],
    [['text/*'], ['text/html'], true],
    [['text/html'], ['text/*'], true],
    [['*'], ['image/jpeg'], true],
    [['image/jpeg'], ['*'], true],
    [['image/*'], ['text/*'], false],
    [['message/cpim;x=y'], ['MESSAGE/CPIM'], true],
    [[], ['*'], false],
  ])('%j with %j -> %s', (a, b, expected) => {
    expect(mediaTypesOverlap(a, b)).toBe(expected);
  });
});

describe('format lists', () => {
  it('splits at spaces but not inside quoted parameter values', () => {
    expect(splitFormatList('text/plain message/cpim;a="x y" *')).toEqual(['text/plain', 'message/cpim;a="x y"', '*']);
    expect(splitFormatList('  a/b   c/d ')).toEqual(['a/b', 'c/d']);
  });

  it.each([
    ['*', true],
    ['text/plain', true],
    ['text/*', true],
    ['text/plain;charset=utf-8', true],
    ['text/plain;a="q u"', true],
    ['text', false],
    ['*/plain', false],
    ['text/', false],
    ['text/plain;charset', false],
  ])('isFormatEntry(%s) = %s', (entry, expected) => {
    expect(isFormatEntry(entry)).toBe(expected);
  });

  it('finds accept-wrapped-types entries repeated from accept-types (E-06)', () => {
    expect(repeatedWrappedTypes(['message/cpim', 'text/plain'], ['text/plain;charset=utf-8', 'text/html'])).toEqual(['text/plain;charset=utf-8']);
    expect(repeatedWrappedTypes(['message/cpim'], ['*'])).toEqual([]);
  });
});
