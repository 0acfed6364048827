/**
 * Lookups by a name that comes from a scenario or from the wire. A plain object answers to the
 * names it inherits (`__proto__`, `constructor`, `toString`, ...), so `users[name]` finds a
 * "user" nobody declared and `table[name] = x` with `name = "__proto__"` replaces the prototype
 * instead of adding an entry. These helpers read only own properties and build tables without a
 * prototype. Prefer a `Map` for state; use these where the data is a plain object by contract
 * (scenario files, JSON output). In wire/ because every layer that needs them may import it.
 */

/** The value `record` holds under `key` as its own property, or undefined (never an inherited one). */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * An empty object without a prototype, for tables keyed by outside names that end up as plain
 * objects (JSON output): `t["__proto__"] = x` is an ordinary entry there.
 */
export function nullProtoRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
