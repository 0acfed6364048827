/**
 * Units as people write them in scenario files: times (`250ms`, `1.5s`, `1m30s`), sizes (`2048`,
 * `40KiB`, `2MB`), bandwidths (`10Mbit/s`, `2Mbps`) and probabilities (`0.01`, `1%`).
 *
 * Every parser takes any value (a scenario file may hold anything where a unit is expected) and
 * returns a result, never throws. Arithmetic is exact: `0.1s` is 100000 microseconds, not
 * 100000.00000000001, because the digits are scaled as integers.
 *
 * The patterns below are also what the JSON Schema gives editors, so an editor and the loader
 * accept the same strings (a test holds them to it).
 */

export type UnitResult = { ok: true; value: number } | { ok: false; message: string };

const NUMBER = '(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)';

// --------------------------------------------------------------------------------------------
// Times

/** Microseconds per time unit. `m` and `min` are minutes; `µs` is accepted for `us`. */
const TIME_UNITS: Record<string, bigint> = {
  us: 1n,
  µs: 1n,
  ms: 1_000n,
  s: 1_000_000n,
  m: 60_000_000n,
  min: 60_000_000n,
  h: 3_600_000_000n,
};
const TIME_UNIT = '(?:us|µs|ms|s|min|m|h)';
const TIME_PART = `${NUMBER} ?${TIME_UNIT}`;

/** A time, or several added up (`1m30s`, `1m 30s`). */
export const DURATION_PATTERN = `^${TIME_PART}(?: ?${TIME_PART})*$`;
const DURATION_RE = new RegExp(DURATION_PATTERN, 'u');
const TIME_PART_RE = new RegExp(`(${NUMBER}) ?(${TIME_UNIT})`, 'gu');

const TIME_HELP = 'write a number and a unit: us, ms, s, m or h (for example `250ms`, `1.5s`, `2m`)';

/** Microseconds per time unit, as numbers, for the common form's fast path. */
const TIME_UNIT_MICROS = new Map<string, number>(Object.entries(TIME_UNITS).map(([unit, size]) => [unit, Number(size)]));

/**
 * The common form, whole number and one unit (`250ms`, `5 s`), in microseconds without BigInt or
 * a regular expression; undefined for anything else (the general parser then reads it). A product
 * above 2^53 is never rounded down to a safe integer, so the bound check stays exact.
 */
function wholeDuration(input: string): number | undefined {
  let i = 0;
  let n = 0;
  while (i < input.length && i < 15) {
    const c = input.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
    i++;
  }
  if (i === 0) return undefined;
  const unit = TIME_UNIT_MICROS.get(input.charCodeAt(i) === 0x20 ? input.slice(i + 1) : input.slice(i));
  if (unit === undefined) return undefined;
  const micros = n * unit;
  return micros <= Number.MAX_SAFE_INTEGER ? micros : undefined;
}

/** Parses a time into integer microseconds. A bare number is an error: which unit was meant? */
export function parseDuration(input: unknown): UnitResult {
  if (typeof input === 'string') {
    const micros = wholeDuration(input);
    if (micros !== undefined) return { ok: true, value: micros };
  }
  if (typeof input === 'number') {
    return { ok: false, message: `a bare number is not a time; add a unit: us, ms, s, m or h (for example \`${bareExample(input)}s\` or \`${bareExample(input)}ms\`)` };
  }
  if (typeof input !== 'string') return { ok: false, message: `expected a time such as \`250ms\` or \`1.5s\`, got ${describeValue(input)}` };
  if (input.trim().startsWith('-')) return { ok: false, message: `\`${input}\` is negative; a time cannot be negative` };
  if (!DURATION_RE.test(input)) {
    if (/^\s*[0-9.]+\s*$/u.test(input)) return { ok: false, message: `\`${input}\` has no unit; ${TIME_HELP}` };
    return { ok: false, message: `\`${input}\` is not a time; ${TIME_HELP}` };
  }
  let total = 0n;
  for (const m of input.matchAll(TIME_PART_RE)) {
    const micros = scaled(m[1]!, TIME_UNITS[m[2]!]!);
    if (micros === null) return { ok: false, message: `\`${input}\` is finer than a microsecond, the simulator's time step` };
    total += micros;
  }
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: `\`${input}\` is too long a time` };
  return { ok: true, value: Number(total) };
}

/** The shortest exact form of a time in microseconds: `1500ms`, `2m`, `0s`. */
export function formatDuration(micros: number): string {
  if (micros === 0) return '0s';
  for (const [unit, size] of [
    ['h', 3_600_000_000],
    ['m', 60_000_000],
    ['s', 1_000_000],
    ['ms', 1_000],
  ] as const) {
    if (micros % size === 0) return `${micros / size}${unit}`;
  }
  return `${micros}us`;
}

/**
 * Expires values (RFC 4976 §7: whole seconds) as seconds or as a time; returned in microseconds
 * like every other time.
 */
export function parseSeconds(input: unknown): UnitResult {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) return { ok: false, message: `\`${input}\` is not a whole number of seconds` };
    if (input > Number.MAX_SAFE_INTEGER / 1_000_000) return { ok: false, message: `\`${input}\` is too many seconds` };
    return { ok: true, value: input * 1_000_000 };
  }
  if (typeof input !== 'string') return { ok: false, message: `expected whole seconds (\`600\`) or a time (\`10m\`), got ${describeValue(input)}` };
  const r = parseDuration(input);
  if (!r.ok) return r;
  if (r.value % 1_000_000 !== 0) return { ok: false, message: `\`${input}\` is not a whole number of seconds (Expires counts seconds)` };
  return r;
}

// --------------------------------------------------------------------------------------------
// Sizes

/** Bytes per size unit: SI (`kB` = 1000) and IEC (`KiB` = 1024). */
const SIZE_UNITS: Record<string, bigint> = {
  B: 1n,
  kB: 1_000n,
  MB: 1_000_000n,
  GB: 1_000_000_000n,
  KiB: 1_024n,
  MiB: 1_048_576n,
  GiB: 1_073_741_824n,
};
const SIZE_UNIT = '(?:B|kB|MB|GB|KiB|MiB|GiB)';
export const SIZE_PATTERN = `^${NUMBER}(?: ?${SIZE_UNIT})?$`;
const SIZE_RE = new RegExp(`^(${NUMBER})(?: ?(${SIZE_UNIT}))?$`, 'u');
const SIZE_HELP = 'write bytes (`2048`) or a number and a unit: B, kB, MB, GB, KiB, MiB or GiB (for example `40KiB`, `2MB`)';

/** Parses a size into bytes: a whole number, or a string with an SI or IEC unit. */
export function parseSize(input: unknown): UnitResult {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, message: `\`${input}\` is not a size` };
    if (input < 0) return { ok: false, message: `\`${input}\` is negative; a size cannot be negative` };
    if (!Number.isSafeInteger(input)) return { ok: false, message: `\`${input}\` is not a whole number of bytes` };
    return { ok: true, value: input };
  }
  if (typeof input !== 'string') return { ok: false, message: `expected a size such as \`2048\` or \`40KiB\`, got ${describeValue(input)}` };
  if (input.trim().startsWith('-')) return { ok: false, message: `\`${input}\` is negative; a size cannot be negative` };
  const m = SIZE_RE.exec(input);
  if (m === null) {
    const k = /^\s*([0-9.]+)\s*(KB|Kb|kb)\s*$/u.exec(input);
    if (k !== null) return { ok: false, message: `\`${input}\` is ambiguous; write \`${k[1]}kB\` (1000 bytes each) or \`${k[1]}KiB\` (1024 bytes each)` };
    return { ok: false, message: `\`${input}\` is not a size; ${SIZE_HELP}` };
  }
  const bytes = scaled(m[1]!, SIZE_UNITS[m[2] ?? 'B']!);
  if (bytes === null) return { ok: false, message: `\`${input}\` is not a whole number of bytes` };
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: `\`${input}\` is too large a size` };
  return { ok: true, value: Number(bytes) };
}

/** The shortest exact form of a size: `40KiB`, `2MB`, `2047`. */
export function formatSize(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [unit, size] of [
    ['GiB', 1_073_741_824],
    ['GB', 1_000_000_000],
    ['MiB', 1_048_576],
    ['MB', 1_000_000],
    ['KiB', 1_024],
    ['kB', 1_000],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

// --------------------------------------------------------------------------------------------
// Bandwidth

/** Bits per second per bandwidth unit. `K` is accepted for `k`: with bits it can only mean 1000. */
const BANDWIDTH_UNITS: Record<string, bigint> = {
  'bit/s': 1n,
  'kbit/s': 1_000n,
  'Kbit/s': 1_000n,
  'Mbit/s': 1_000_000n,
  'Gbit/s': 1_000_000_000n,
  bps: 1n,
  kbps: 1_000n,
  Kbps: 1_000n,
  Mbps: 1_000_000n,
  Gbps: 1_000_000_000n,
};
const BANDWIDTH_UNIT = '(?:bit/s|kbit/s|Kbit/s|Mbit/s|Gbit/s|bps|kbps|Kbps|Mbps|Gbps)';
export const BANDWIDTH_PATTERN = `^${NUMBER} ?${BANDWIDTH_UNIT}$`;
const BANDWIDTH_RE = new RegExp(`^(${NUMBER}) ?(${BANDWIDTH_UNIT})$`, 'u');
const BANDWIDTH_HELP = 'write a number and a unit: bit/s, kbit/s, Mbit/s, Gbit/s (or bps, kbps, Mbps, Gbps), for example `10Mbit/s`';

/** Parses a bandwidth into bits per second. */
export function parseBandwidth(input: unknown): UnitResult {
  if (typeof input === 'number') return { ok: false, message: `a bare number is not a bandwidth; ${BANDWIDTH_HELP}` };
  if (typeof input !== 'string') return { ok: false, message: `expected a bandwidth such as \`10Mbit/s\`, got ${describeValue(input)}` };
  const m = BANDWIDTH_RE.exec(input);
  if (m === null) {
    const bytes = /^\s*([0-9.]+)\s*([kKMG]?)B\/s\s*$/u.exec(input);
    if (bytes !== null) {
      const prefix = bytes[2] === 'K' ? 'k' : bytes[2]!;
      return { ok: false, message: `\`${input}\` counts bytes; bandwidth is written in bits (\`${input}\` is \`${times8(bytes[1]!)}${prefix}bit/s\`)` };
    }
    return { ok: false, message: `\`${input}\` is not a bandwidth; ${BANDWIDTH_HELP}` };
  }
  const bits = scaled(m[1]!, BANDWIDTH_UNITS[m[2]!]!);
  if (bits === null) return { ok: false, message: `\`${input}\` is not a whole number of bits per second` };
  if (bits === 0n) return { ok: false, message: `\`${input}\` is no bandwidth at all; take the link down with a \`linkDown\` fault instead` };
  if (bits > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: `\`${input}\` is too large a bandwidth` };
  return { ok: true, value: Number(bits) };
}

/** The shortest exact form of a bandwidth: `10Mbit/s`, `1500bit/s`. */
export function formatBandwidth(bitsPerSecond: number): string {
  for (const [unit, size] of [
    ['Gbit/s', 1_000_000_000],
    ['Mbit/s', 1_000_000],
    ['kbit/s', 1_000],
  ] as const) {
    if (bitsPerSecond % size === 0) return `${bitsPerSecond / size}${unit}`;
  }
  return `${bitsPerSecond}bit/s`;
}

// --------------------------------------------------------------------------------------------
// Probabilities

export const PERCENT_PATTERN = `^${NUMBER} ?%$`;
const PERCENT_RE = new RegExp(`^(${NUMBER}) ?%$`, 'u');

/** A probability: a number from 0 to 1, or a percentage from `0%` to `100%`. */
export function parseProbability(input: unknown): UnitResult {
  if (typeof input === 'number') {
    if (!(input >= 0 && input <= 1)) return { ok: false, message: `\`${input}\` is not a probability; write a number from 0 to 1 or a percentage such as \`1%\`` };
    return { ok: true, value: input };
  }
  if (typeof input !== 'string') return { ok: false, message: `expected a probability such as \`0.01\` or \`1%\`, got ${describeValue(input)}` };
  const m = PERCENT_RE.exec(input);
  if (m === null) return { ok: false, message: `\`${input}\` is not a probability; write a number from 0 to 1 or a percentage such as \`1%\`` };
  const value = Number(m[1]) / 100;
  if (value > 1) return { ok: false, message: `\`${input}\` is more than 100%` };
  return { ok: true, value };
}

// --------------------------------------------------------------------------------------------
// Helpers

/** `digits` (a decimal such as `1.25`) times `unit`, or null if the result is not a whole number. */
function scaled(digits: string, unit: bigint): bigint | null {
  const dot = digits.indexOf('.');
  if (dot < 0) return BigInt(digits) * unit;
  const whole = dot === 0 ? 0n : BigInt(digits.slice(0, dot));
  const frac = digits.slice(dot + 1);
  const denominator = 10n ** BigInt(frac.length);
  const numerator = BigInt(frac) * unit;
  if (numerator % denominator !== 0n) return null;
  return whole * unit + numerator / denominator;
}

function times8(digits: string): string {
  const n = Number(digits) * 8;
  return Number.isFinite(n) ? String(n) : digits;
}

function bareExample(n: number): string {
  return Number.isFinite(n) && n >= 0 ? String(n) : '5';
}

/** How a value found in a file is named in messages: `the string "abc"`, `a list`, `null`. */
/** Longest string quoted whole in a message. */
const MAX_SHOWN = 60;

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (typeof value === 'string') {
    if (value === '') return 'an empty string';
    // A long value (a whole file that is not a mapping, say) is shown by its start.
    const chars = [...value];
    if (chars.length <= MAX_SHOWN) return `the string ${JSON.stringify(value)}`;
    return `a string of ${chars.length} characters starting ${JSON.stringify(chars.slice(0, MAX_SHOWN - 20).join(''))}`;
  }
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return `\`${String(value)}\``;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
