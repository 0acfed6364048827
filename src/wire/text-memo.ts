/**
 * A function of a text, each distinct text computed once: for what the model reads again and again
 * from the same few texts (a session's path URIs in every frame, a message's Content-Type at both
 * ends, a group's template in every member). Bounded: when `held` texts are known, they are all let
 * go and the next are computed again, so a run with more distinct texts costs what it did without.
 * The values are shared between callers: they must not be changed. In wire/ because every layer
 * may import it.
 */
export function memoByText<T>(read: (text: string) => T, held: number): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    let value = known.get(text);
    if (value === undefined && !known.has(text)) {
      if (known.size >= held) known.clear();
      value = read(text);
      known.set(text, value);
    }
    return value as T;
  };
}
