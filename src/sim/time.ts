/**
 * Virtual time: an integer count of microseconds since the start of the run. Nothing in the model
 * reads a real clock.
 */
export type Micros = number;

export const MICROSECOND: Micros = 1;
export const MILLISECOND: Micros = 1_000;
export const SECOND: Micros = 1_000_000;

export function ms(n: number): Micros {
  return Math.round(n * MILLISECOND);
}

export function seconds(n: number): Micros {
  return Math.round(n * SECOND);
}

/** `+1.234567s`: the form timelines and failure messages use. */
export function formatTime(t: Micros): string {
  const sign = t < 0 ? '-' : '+';
  const abs = Math.abs(t);
  const whole = Math.floor(abs / SECOND);
  const frac = String(abs % SECOND).padStart(6, '0');
  return `${sign}${whole}.${frac}s`;
}
