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

/**
 * What a drawing needs of d3-node: an `<svg>` root in d3-node's document and d3 to drive it. One
 * canvas at a time: `markup()` serializes the root and takes it out of the document.
 */
export interface SvgCanvas {
  /** The `<svg>` root, as a d3 selection. */
  svg: SvgSelection;
  /** The root's markup (XML: the diagrams have no HTML-only entities in them); ends the canvas. */
  markup(): string;
}

export interface SvgEngine {
  /** A new `<svg>` root carrying `attrs` (in this order) in d3-node's document. */
  canvas(attrs: Record<string, string | number>): SvgCanvas;
}

interface D3NodeInstance {
  createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): SvgSelection & { remove(): void };
  svgString(): string;
}
type D3NodeModule = { D3Node: new () => D3NodeInstance };

let loading: Promise<SvgEngine> | null = null;

/**
 * Loads d3-node (once) and returns the engine that draws in its document. The document (a jsdom
 * window) is made once and serves every page: a window costs tens of milliseconds to set up,
 * which a run of many ladder pages paid for each page.
 */
export function svgEngine(): Promise<SvgEngine> {
  loading ??= import('d3-node').then((mod: D3NodeModule) => {
    const d3n = new mod.D3Node();
    let open: { remove(): void } | null = null;
    return {
      canvas(attrs) {
        // A canvas left open (a drawing that threw) goes, so that svgString() reads the new root.
        open?.remove();
        const svg = d3n.createSVG(undefined, undefined, attrs);
        open = svg;
        return {
          svg,
          markup: () => {
            const text = d3n.svgString();
            svg.remove();
            if (open === svg) open = null;
            return text;
          },
        };
      },
    };
  });
  return loading;
}

/** `use(engine)` once d3-node is loaded when `wanted`, else `use(null)` without loading it. */
export function withSvgEngine<T>(wanted: boolean, use: (engine: SvgEngine | null) => T): Promise<T> {
  return wanted ? svgEngine().then(use) : Promise.resolve(use(null));
}
