/**
 * A progress bar on standard error for runs longer than about a second, only when standard error
 * is a terminal (SPEC §6). It reads the real clock, which only the CLI may do.
 */
import type { CliContext } from './context.js';

export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly ctx: CliContext,
    private readonly label: string,
    private readonly total: number,
  ) {
    this.enabled = ctx.io.stderr.isTTY === true && ctx.io.env.CI === undefined;
  }

  tick(virtual: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.started < 1000 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.drawn = true;
    const width = 30;
    const frac = this.total > 0 ? Math.min(1, virtual / this.total) : 0;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    this.ctx.io.stderr.write(`\r${this.label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% virtual ${(virtual / 1e6).toFixed(1)}s`);
  }

  done(): void {
    if (this.drawn) this.ctx.io.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}
