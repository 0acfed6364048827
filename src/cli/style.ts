/**
 * Terminal colours: on a TTY, or anywhere when FORCE_COLOR asks for them; never when NO_COLOR is
 * set to a non-empty value (https://no-color.org), which wins over FORCE_COLOR, so pipes, files
 * and CI logs get plain text unless someone asked otherwise. This is the convention of picocolors
 * and chalk: FORCE_COLOR set to anything but `0` or `false` forces colours on, `0` or `false`
 * forces them off even on a terminal.
 */

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

export interface StyledStream {
  isTTY?: boolean;
}

export function colorEnabled(stream: StyledStream, env: Record<string, string | undefined>): boolean {
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true;
}

function sgr(enabled: boolean, open: number, close: number): (s: string) => string {
  return enabled ? (s) => `\u001b[${open}m${s}\u001b[${close}m` : (s) => s;
}

export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: sgr(enabled, 1, 22),
    dim: sgr(enabled, 2, 22),
    red: sgr(enabled, 31, 39),
    yellow: sgr(enabled, 33, 39),
    green: sgr(enabled, 32, 39),
    cyan: sgr(enabled, 36, 39),
  };
}

/** Removes the SGR sequences this module writes. */
export function stripStyle(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}
