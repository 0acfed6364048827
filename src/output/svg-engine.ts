/**
 * The SVG diagrams are drawn by d3 on d3-node's document (jsdom). d3-node is imported here, on
 * first use, so that a run that writes no SVG never loads jsdom (about half a second of start-up).
 *
 * This file is the output layer's one asynchronous piece (eslint.config.js exempts it): the
 * import of d3-node is all it waits for; the drawing itself is synchronous and reads nothing but
 * the flow model, so the same trace still gives the same bytes.
 */
/**
 * The part of a d3 selection the diagrams use (declared here, not taken from d3, so that the
 * package's types do not need d3's).
 */
export interface SvgSelection {
  append(name: string): SvgSelection;
  attr(name: string, value: string | number | null): SvgSelection;
  text(value: string): SvgSelection;
}

/** What a drawing needs of d3-node: a fresh document with an `<svg>` root and d3 to drive it. */
export interface SvgCanvas {
  /** The `<svg>` root, as a d3 selection. */
  svg: SvgSelection;
  /** The root's markup (XML: the diagrams have no HTML-only entities in them). */
  markup(): string;
}

export interface SvgEngine {
  /** A new document with an `<svg>` root carrying `attrs` (in this order). */
  canvas(attrs: Record<string, string | number>): SvgCanvas;
}

interface D3NodeInstance {
  createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): SvgSelection;
  svgString(): string;
}
type D3NodeModule = { D3Node: new () => D3NodeInstance };

let loading: Promise<SvgEngine> | null = null;

/** Loads d3-node (once) and returns the engine that makes documents with it. */
export function svgEngine(): Promise<SvgEngine> {
  loading ??= import('d3-node').then((mod: D3NodeModule) => ({
    canvas(attrs) {
      const d3n = new mod.D3Node();
      const svg = d3n.createSVG(undefined, undefined, attrs);
      return { svg, markup: () => d3n.svgString() };
    },
  }));
  return loading;
}

/** The engine when `wanted`, else null without loading d3-node. */
export function svgEngineIf(wanted: boolean): Promise<SvgEngine | null> {
  return wanted ? svgEngine() : Promise.resolve(null);
}
