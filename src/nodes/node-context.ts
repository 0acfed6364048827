/**
 * What every node gets from the world it lives in: its id, the kernel, its own random streams
 * and a trace emitter that stamps its id on every record.
 */
import type { Simulation } from '../sim/simulation.js';
import type { Rng } from '../sim/random.js';
import type { TraceRecord, TraceType, TraceTypes } from '../sim/trace.js';
import type { FrameLedger } from './frame-ledger.js';
import type { StateEvents } from '../protocol/state-events.js';
import { newMessageId, newTransactionId, newSessionId, newToken, newNonce, newCnonce } from '../wire/ids.js';

export class NodeContext {
  private readonly ids: Rng;

  /**
   * `frames`: the world's ledger of frames written and not yet read, shared by every node, when the
   * trace refers to sent frames (format 2); null: every frame read is traced in full.
   */
  constructor(
    readonly id: string,
    readonly sim: Simulation,
    readonly frames: FrameLedger | null = null,
  ) {
    this.ids = sim.rng(id, 'ids');
  }

  get now(): number {
    return this.sim.now;
  }

  /** `few`: a stream drawn from a few times in a run (see RandomStreams.stream). */
  rng(purpose: string, few = false): Rng {
    return this.sim.rng(this.id, purpose, few);
  }

  /** Emits a record about this node; returns its `seq`. */
  emit<K extends TraceType>(type: K, fields: TraceTypes[K], rule?: string): number {
    return this.sim.trace.emit(this.id, type, fields, rule).seq;
  }

  /** Emits a record about this node; returns the record (a frame's `msrp.send`, for the ledger). */
  emitRecord<K extends TraceType>(type: K, fields: TraceTypes[K], rule?: string): TraceRecord<K> {
    return this.sim.trace.emit(this.id, type, fields, rule);
  }

  /**
   * Whether to build a node state record now (`Trace.wantsState`): false when no consumer of the
   * trace reads them, and the record is then not to be built (its `seq` is taken here). Call it
   * once per state change, just before building the fields for `emitState`:
   *
   *   if (ctx.wantsState()) ctx.emitState('state.session', { ... });
   */
  wantsState(): boolean {
    return this.sim.trace.wantsState();
  }

  /**
   * Emits a node state record (`state.*`): written from trace format 2 on, dropped in a format-1
   * trace, which has no such records (docs/trace-format.md). Asked for through `wantsState`.
   */
  emitState<K extends keyof StateEvents & TraceType>(type: K, fields: TraceTypes[K]): void {
    if (this.sim.trace.version >= 2) this.sim.trace.emit(this.id, type, fields);
  }

  // W-04 / W-38: identifiers with the RFC's randomness widths, from this node's seeded stream.
  newTransactionId(): string {
    return newTransactionId(this.ids);
  }
  newMessageId(): string {
    return newMessageId(this.ids);
  }
  newSessionId(): string {
    return newSessionId(this.ids);
  }
  newToken(): string {
    return newToken(this.ids);
  }
  newNonce(): string {
    return newNonce(this.ids);
  }
  newCnonce(): string {
    return newCnonce(this.ids);
  }
}
