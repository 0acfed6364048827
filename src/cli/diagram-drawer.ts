/**
 * The SVG diagrams drawn on a thread of their own (diagram-thread.ts). Importing d3-node (jsdom
 * and d3) takes most of a small run's time, and nothing of the run needs it until the end: so the
 * binary starts the thread first thing (`startDiagramThread`, before the CLI's own modules load),
 * the thread imports d3-node while this one loads the scenario and simulates, and at the end the
 * run hands it the flow model (`threadDrawer`). The thread never keeps the process alive when it
 * has nothing to draw. This file imports nothing but node:worker_threads, so that starting the
 * thread costs the main thread almost nothing.
 */
import { Worker } from 'node:worker_threads';
import type { DiagramDrawer, DiagramRequest, Diagrams } from '../output/diagrams.js';
import type { FlowModel } from '../output/flow-model.js';
import type { DiagramJob, DiagramReply } from './diagram-thread.js';

let thread: Worker | null = null;
let failed: Error | null = null;
const waiting: { resolve(d: Diagrams): void; reject(e: Error): void }[] = [];

/** Starts the diagram thread (once); it begins importing d3-node at once. */
export function startDiagramThread(): void {
  if (thread !== null) return;
  const w = new Worker(new URL('./diagram-thread.js', import.meta.url));
  w.on('message', (reply: DiagramReply) => {
    const next = waiting.shift();
    if (waiting.length === 0) w.unref();
    if (!next) return;
    if (reply.ok) next.resolve(reply.diagrams);
    else next.reject(new Error(`drawing the diagrams failed: ${reply.error}`));
  });
  w.on('error', (err) => {
    failed = err;
    for (const p of waiting.splice(0)) p.reject(err);
  });
  w.on('exit', (code) => {
    failed ??= new Error(`the diagram thread ended (exit code ${code})`);
    for (const p of waiting.splice(0)) p.reject(failed);
  });
  // After the listeners: adding a 'message' listener refs the worker's port again.
  w.unref();
  thread = w;
}

/**
 * Whether the arguments ask for a run whose outputs include an SVG (the ladder, the topology or the
 * report, which inlines them): `run` without an `--only` that leaves them all out, and not with both
 * `--no-svg` and `--no-html`. A guess made before the program parses them; the run command decides
 * for itself and stops a thread it does not need (`stopDiagramThread`).
 */
export function wantsDiagrams(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  if (args[0] !== 'run') return false;
  if (args.includes('--no-svg') && args.includes('--no-html')) return false;
  const at = args.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (at < 0) return true;
  const value = args[at]!.startsWith('--only=') ? args[at]!.slice('--only='.length) : (args[at + 1] ?? '');
  return value.split(',').some((w) => ['sequence', 'topology', 'html'].includes(w.trim()));
}

/** A drawer for `createOutputs` on the started thread, or null when none was started. */
export function threadDrawer(): DiagramDrawer | null {
  const w = thread;
  if (w === null || failed !== null) return null;
  return (model: FlowModel, request: DiagramRequest) =>
    import('../output/diagrams.js').then(
      ({ plainFlowModel }) =>
        new Promise<Diagrams>((resolve, reject) => {
          if (failed !== null) return reject(failed);
          waiting.push({ resolve, reject });
          // Held open while a drawing is asked for.
          w.ref();
          const job: DiagramJob = { model: plainFlowModel(model), request };
          w.postMessage(job);
        }),
    );
}

/** Ends the thread (when the run turned out not to need it, or at the end of the command). */
export function stopDiagramThread(): void {
  const w = thread;
  thread = null;
  if (w !== null) void w.terminate();
}
