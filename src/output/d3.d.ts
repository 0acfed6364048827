/**
 * The part of d3's API the diagrams use (d3 ships no types and @types/d3 is not a dependency).
 * d3 comes with d3-node.
 */
declare module 'd3' {
  export interface Selection<E = unknown> {
    append(name: string): Selection;
    attr(name: string, value: string | number | null): this;
    text(value: string): this;
    node(): E | null;
    call(fn: (s: this) => void): this;
  }
  export function select<E>(node: E): Selection<E>;
}
