/**
 * Which of a relay's connections can lead to an authority (`scheme://host:port`), so that finding
 * the connection for a frame's next hop (RelayNode.connectionFor, A-05) looks at those few and not
 * at every connection the relay holds: a relay with a hundred clients used to test a hundred
 * connections for every frame it forwarded.
 *
 * A connection leads to an authority when the relay opened it to that authority (its target), when
 * the peer proved by mutual TLS that it is a relay (any authority its certificate names; few such
 * connections, so they are all candidates), or, for the last hop only, when a request on it came
 * from that authority. `candidates` returns every connection of these kinds in the order they were
 * added, which is the order the relay's own table keeps, so the first match is the one a scan of
 * the whole table finds. The index is where the relay keeps which authorities a connection's
 * requests came from.
 */
const NONE: readonly never[] = [];

interface Entry {
  /** When the connection was added, for the order of `candidates`. */
  order: number;
  target: string | null;
  /** Authorities requests on the connection came from. */
  from: Set<string>;
}

export class ConnectionIndex<C> {
  private readonly entries = new Map<C, Entry>();
  private next = 0;
  private readonly targets = new Map<string, Set<C>>();
  private readonly from = new Map<string, Set<C>>();
  private readonly relays = new Set<C>();

  /** A new connection, opened to `target` (null: accepted). */
  add(conn: C, target: string | null): void {
    this.entries.set(conn, { order: this.next++, target, from: new Set() });
    if (target !== null) addTo(this.targets, target, conn);
  }

  /** A request on `conn` came from `authority`. */
  cameFrom(conn: C, authority: string): void {
    const entry = this.entries.get(conn);
    // Once per authority and connection, not per frame.
    if (!entry || entry.from.has(authority)) return;
    entry.from.add(authority);
    addTo(this.from, authority, conn);
  }

  /** Whether a request on `conn` came from `authority`. */
  hasComeFrom(conn: C, authority: string): boolean {
    return this.entries.get(conn)?.from.has(authority) === true;
  }

  /** The peer on `conn` proved it is a relay (mutual TLS). */
  peerRelay(conn: C): void {
    if (this.entries.has(conn)) this.relays.add(conn);
  }

  delete(conn: C): void {
    const entry = this.entries.get(conn);
    if (!entry) return;
    this.entries.delete(conn);
    if (entry.target !== null) removeFrom(this.targets, entry.target, conn);
    for (const a of entry.from) removeFrom(this.from, a, conn);
    this.relays.delete(conn);
  }

  clear(): void {
    this.entries.clear();
    this.targets.clear();
    this.from.clear();
    this.relays.clear();
  }

  /**
   * The connections that may lead to `authority`, oldest first: those opened to it, those whose
   * peer is a relay unless `openedOnly`, and those a request came from it on when `lastHop`.
   */
  candidates(authority: string, lastHop: boolean, openedOnly: boolean): Iterable<C> {
    const opened = this.targets.get(authority);
    const seen = lastHop && !openedOnly ? this.from.get(authority) : undefined;
    const relays = openedOnly || this.relays.size === 0 ? undefined : this.relays;
    // One kind alone (what nearly every frame meets) is already in order: no copy.
    const kinds = (opened ? 1 : 0) + (seen ? 1 : 0) + (relays ? 1 : 0);
    if (kinds === 0) return NONE;
    if (kinds === 1) return (opened ?? seen ?? relays)!;
    const entries = this.entries;
    const all = new Set<C>([...(opened ?? []), ...(relays ?? []), ...(seen ?? [])]);
    return [...all].sort((a, b) => entries.get(a)!.order - entries.get(b)!.order);
  }
}

function addTo<C>(index: Map<string, Set<C>>, key: string, conn: C): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(conn);
}

function removeFrom<C>(index: Map<string, Set<C>>, key: string, conn: C): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(conn);
  if (set.size === 0) index.delete(key);
}
