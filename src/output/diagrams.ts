/**
 * The SVG diagrams of a run (topology.svg and the ladder pages), drawn from the flow model in one
 * call, here or on another thread: d3-node's import (jsdom and d3) costs most of a small run's
 * start-up, so the CLI starts a thread that loads it while the run is simulated, and hands it the
 * model at the end (src/cli/diagram-thread.ts). The model crosses as plain data (`plainFlowModel`):
 * the URI-to-node names the drawing asks for travel as a table, so the thread draws the same bytes.
 */
import type { FlowModel } from './flow-model.js';
import { drawLadder, type LadderOptions, type LadderPage } from './ladder.js';
import type { SvgEngine } from './svg-engine.js';
import { drawTopology, type TopologyOptions } from './topology.js';

/** Which diagrams to draw, and how. */
export interface DiagramRequest {
  /** The ladder pages' options; null: no ladder. */
  ladder: LadderOptions | null;
  /** topology.svg's options; null: no topology. */
  topology: TopologyOptions | null;
}

export interface Diagrams {
  /** topology.svg, when asked for. */
  topologySvg: string | null;
  /** The ladder's pages (none when not asked for). */
  pages: LadderPage[];
}

/**
 * Draws a run's diagrams; `createOutputs` calls it once, at the end, when an SVG output or the
 * report is asked for (`OutputOptions.drawDiagrams`; by default they are drawn in this thread).
 */
export type DiagramDrawer = (model: FlowModel, request: DiagramRequest) => Promise<Diagrams>;

/** A flow model as plain data (structured-clonable): `nodeOfUri` as the table of the URIs it names. */
export type PlainFlowModel = Omit<FlowModel, 'nodeOfUri'> & { uriNames: Map<string, string> };

/** Draws the diagrams asked for on `engine`. */
export function drawDiagrams(engine: SvgEngine, model: FlowModel, request: DiagramRequest): Diagrams {
  const topologySvg = request.topology ? drawTopology(engine, model, request.topology) : null;
  const pages = request.ladder ? drawLadder(engine, model, request.ladder) : [];
  return { topologySvg, pages };
}

/** The model as plain data, with every URI the diagrams name (paths and path changes) in its table. */
export function plainFlowModel(model: FlowModel): PlainFlowModel {
  const uriNames = new Map<string, string>();
  const name = (uri: string): void => {
    if (!uriNames.has(uri)) uriNames.set(uri, model.nodeOfUri(uri));
  };
  for (const a of model.arrows) {
    for (const u of a.toPath) name(u);
    for (const u of a.fromPath) name(u);
    if (a.pathChange) {
      for (const u of a.pathChange.toRemoved) name(u);
      for (const u of a.pathChange.fromAdded) name(u);
    }
  }
  const { nodeOfUri: _named, ...rest } = model;
  return { ...rest, uriNames };
}

/** The model back from plain data; an URI not in the table names itself. */
export function flowModelOf(plain: PlainFlowModel): FlowModel {
  const { uriNames, ...rest } = plain;
  return { ...rest, nodeOfUri: (uri) => uriNames.get(uri) ?? uri };
}
