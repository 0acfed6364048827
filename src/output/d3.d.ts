/**
 * The part of d3's and d3-node's API the diagrams use (neither ships types, and @types/d3 is not
 * a dependency). d3 comes with d3-node.
 */
declare module 'd3' {
  export interface Selection<E = unknown> {
    append(name: string): Selection;
    attr(name: string, value: string | number | null): this;
    text(value: string): this;
    node(): E | null;
    call(fn: (s: this) => void): this;
    remove(): this;
  }
  export function select<E>(node: E): Selection<E>;
}

declare module 'd3-node' {
  import type { Selection } from 'd3';
  export class D3Node {
    createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): Selection;
    svgString(): string;
  }
}
