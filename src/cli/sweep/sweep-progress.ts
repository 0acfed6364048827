/**
 * The progress line of a sweep on a terminal's standard error: runs done, failures, ETA. It reads
 * the real clock, which only the CLI may do; nothing is drawn when standard error is not a
 * terminal (or under CI).
 */
import type { CliContext } from '../context.js';

export class SweepProgress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;
  private done = 0;
  private failed = 0;

  constructor(
    private readonly ctx: CliContext,
    private readonly total: number,
    /** Runs already done before this process started (a resumed sweep): not in the rate. */
    private readonly before = 0,
  ) {
    this.enabled = ctx.io.stderr.isTTY === true && ctx.io.env.CI === undefined;
  }

  update(done: number, failed: number): void {
    this.done = done;
    this.failed = failed;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    this.drawn = true;
    const width = 30;
    const frac = this.total > 0 ? done / this.total : 1;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const ran = done - this.before;
    const elapsed = (now - this.started) / 1000;
    const eta = ran > 0 ? ((this.total - done) * elapsed) / ran : null;
    const etaText = eta === null ? '' : ` · ETA ${eta < 90 ? `${Math.ceil(eta)}s` : `${Math.ceil(eta / 60)}m`}`;
    this.ctx.io.stderr.write(`\r\x1b[K${bar} ${done}/${this.total} runs · ${this.failed} failed${etaText}`);
  }

  finish(): void {
    if (this.drawn) this.ctx.io.stderr.write('\r\x1b[K');
    this.drawn = false;
    void this.done;
    void this.failed;
  }
}
