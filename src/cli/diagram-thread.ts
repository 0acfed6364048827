/**
 * The thread that draws a run's SVG diagrams (diagram-drawer.ts starts it): it imports d3-node at
 * once, while the main thread loads the scenario and simulates, then draws each flow model it is
 * handed, with the same code as in-process (`drawDiagrams`), so the bytes are the same.
 */
import { parentPort } from 'node:worker_threads';
import { drawDiagrams, flowModelOf, type DiagramRequest, type Diagrams, type PlainFlowModel } from '../output/diagrams.js';
import { svgEngine } from '../output/svg-engine.js';

/** One drawing asked of the thread. */
export interface DiagramJob {
  model: PlainFlowModel;
  request: DiagramRequest;
}

export type DiagramReply = { ok: true; diagrams: Diagrams } | { ok: false; error: string };

const engine = svgEngine();
const port = parentPort;
if (port !== null) {
  port.on('message', (job: DiagramJob) => {
    engine
      .then((e) => drawDiagrams(e, flowModelOf(job.model), job.request))
      .then(
        (diagrams): DiagramReply => ({ ok: true, diagrams }),
        (err: unknown): DiagramReply => ({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      )
      .then((reply) => port.postMessage(reply));
  });
}
