/** Parse once: a path's URIs are parsed on first use and kept while the frame is handled. */
import { describe, expect, it } from 'vitest';
import { parseFrames } from '../../src/wire/parser.js';
import { pathUri } from '../../src/wire/path-uris.js';
import { parseUri } from '../../src/wire/uri.js';
import { ascii } from './helpers.js';

const PATHS = 'To-Path: msrp://relay.example:2855/t1;tcp msrp://bob.example:2855/b;tcp\nFrom-Path: msrp://alice.example:2855/a;tcp\n';

describe('pathUri', () => {
  it('parses as parseUri does, and says undefined past the end', () => {
    const path = ['msrp://relay.example:2855/t1;tcp', 'msrp://bad host/x;tcp'];
    expect(pathUri(path, 0)).toEqual(parseUri(path[0]!));
    expect(pathUri(path, 1)).toEqual(parseUri(path[1]!));
    expect(pathUri(path, 1)!.ok).toBe(false);
    expect(pathUri(path, 2)).toBeUndefined();
  });

  it('parses each URI of a path once: later looks get the same result', () => {
    const path = ['msrp://relay.example:2855/t1;tcp'];
    expect(pathUri(path, 0)).toBe(pathUri(path, 0));
  });

  it('frames of a connection that repeat a path line share its parses', () => {
    const stream = ascii(`MSRP a1 SEND\n${PATHS}Message-ID: m1\n-------a1$\nMSRP a2 SEND\n${PATHS}Message-ID: m2\n-------a2$\n`);
    const [a, b] = parseFrames(stream).frames;
    expect(a!.toPath).toBe(b!.toPath);
    expect(Object.isFrozen(a!.toPath)).toBe(true);
    expect(pathUri(a!.toPath, 1)).toBe(pathUri(b!.toPath, 1));
    expect(pathUri(b!.fromPath, 0)).toEqual(parseUri('msrp://alice.example:2855/a;tcp'));
  });

  it('a URI text seen in another list is not parsed again, and many distinct texts still parse right', () => {
    const text = 'msrp://relay.example:2855/t9;tcp';
    const first = pathUri([text, 'msrp://x.example:2855/y;tcp'], 0);
    // Other lists in between, as the frames of other sessions come between a session's frames.
    pathUri(['msrp://other.example:2855/o;tcp'], 0);
    pathUri(['msrp://third.example:2855/o;tcp'], 0);
    expect(pathUri([`${text}`.slice(0)], 0)).toBe(first);
    // More distinct texts than are held: each is still the parse of its own text.
    for (let i = 0; i < 10_000; i++) {
      const uri = i % 7 === 0 ? `msrp://bad host${i}/x;tcp` : `msrp://h${i}.example:${1000 + (i % 5000)}/s${i};tcp`;
      expect(pathUri([uri], 0), uri).toEqual(parseUri(uri));
    }
  });
});
