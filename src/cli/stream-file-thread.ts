/**
 * The thread that writes a large StreamFile's pieces to disk (stream-file.ts), so that the run
 * goes on while the kernel takes them. It writes the slots the run thread hands over, in order,
 * and says in the shared block how far it got, or which error stopped it. No messages: the run
 * thread never yields to its event loop while it writes.
 */
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { Control, SharedBlock, type StreamThreadData } from './stream-file-shared.js';

const { fd, shared, slots, slotSize } = workerData as StreamThreadData;
const block = new SharedBlock(shared, slots, slotSize);
const ctrl = block.ctrl;

// The run thread may have given up waiting for this one to start and written the file itself.
if (Atomics.compareExchange(ctrl, Control.started, 0, 1) === 0) {
  Atomics.notify(ctrl, Control.written);
  writeSlots();
}

/** Writes the slots handed over, in order, until the last one; a failure is told in the block. */
function writeSlots(): void {
  let next = Atomics.load(ctrl, Control.written);
  try {
    while (true) {
      const submitted = Atomics.load(ctrl, Control.submitted);
      if (next === submitted) {
        if (Atomics.load(ctrl, Control.stop) === 1) return;
        Atomics.wait(ctrl, Control.submitted, submitted);
        continue;
      }
      const slot = next % slots;
      const length = block.lengths[slot]!;
      const data = block.slot(slot);
      let done = 0;
      while (done < length) done += writeSync(fd, data, done, length - done);
      next++;
      Atomics.store(ctrl, Control.written, next);
      Atomics.notify(ctrl, Control.written);
    }
  } catch (err) {
    block.setError(String((err as NodeJS.ErrnoException).code ?? (err as Error).message));
    Atomics.store(ctrl, Control.failed, 1);
    Atomics.notify(ctrl, Control.written);
  }
}
