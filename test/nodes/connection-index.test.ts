import { describe, expect, it } from 'vitest';
import { ConnectionIndex } from '../../src/nodes/relay/connection-index.js';

const A = 'msrp://relay-b.example:2855';
const B = 'msrp://bob.example:2855';

describe('ConnectionIndex: the connections a relay tests for a next hop (A-05)', () => {
  it('gives the connections opened to the authority, those whose peer is a relay, and for the last hop those a request came from, oldest first', () => {
    const ix = new ConnectionIndex<string>();
    ix.add('c1', null); // accepted
    ix.add('c2', A); // opened to relay-b
    ix.add('c3', null);
    ix.add('c4', B);
    ix.cameFrom('c3', B);
    ix.cameFrom('c1', B);
    ix.peerRelay('c3');
    expect([...ix.candidates(A, false, false)]).toEqual(['c2', 'c3']);
    // c3 both a relay and a source of B: once, in its place.
    expect([...ix.candidates(B, true, false)]).toEqual(['c1', 'c3', 'c4']);
    expect([...ix.candidates(B, false, false)]).toEqual(['c3', 'c4']);
    // Profiles that deliver by connecting match only what they opened.
    expect([...ix.candidates(B, true, true)]).toEqual(['c4']);
    expect([...ix.candidates('msrp://nobody:1', true, false)]).toEqual(['c3']);
  });

  it('forgets a closed connection and everything after a crash', () => {
    const ix = new ConnectionIndex<string>();
    ix.add('c1', A);
    ix.add('c2', null);
    ix.cameFrom('c2', B);
    ix.delete('c2');
    expect([...ix.candidates(B, true, false)]).toEqual([]);
    // A request seen on a connection already gone does not bring it back.
    ix.cameFrom('c2', B);
    expect([...ix.candidates(B, true, false)]).toEqual([]);
    ix.clear();
    expect([...ix.candidates(A, true, false)]).toEqual([]);
  });
});
