import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BANDWIDTH_PATTERN,
  DURATION_PATTERN,
  formatBandwidth,
  formatDuration,
  formatSize,
  parseBandwidth,
  parseDuration,
  parseProbability,
  parseSeconds,
  parseSize,
  PERCENT_PATTERN,
  SIZE_PATTERN,
} from '../../src/scenario/units.js';

const ok = (value: number) => ({ ok: true, value });

describe('parseDuration', () => {
  it.each([
    ['500us', 500],
    ['500µs', 500],
    ['250ms', 250_000],
    ['1.5s', 1_500_000],
    ['0.1s', 100_000],
    ['.5s', 500_000],
    ['0s', 0],
    ['2m', 120_000_000],
    ['2min', 120_000_000],
    ['1h', 3_600_000_000],
    ['1m30s', 90_000_000],
    ['1m 30s', 90_000_000],
    ['1h2m3s4ms5us', 3_723_004_005],
    ['250 ms', 250_000],
    ['1.000001s', 1_000_001],
  ])('%s is %d µs', (text, micros) => {
    expect(parseDuration(text)).toEqual(ok(micros));
  });

  it.each([
    [5, 'a bare number is not a time; add a unit: us, ms, s, m or h (for example `5s` or `5ms`)'],
    [0, 'a bare number is not a time; add a unit: us, ms, s, m or h (for example `0s` or `0ms`)'],
    ['5', '`5` has no unit; write a number and a unit: us, ms, s, m or h (for example `250ms`, `1.5s`, `2m`)'],
    ['5 sec', '`5 sec` is not a time; write a number and a unit: us, ms, s, m or h (for example `250ms`, `1.5s`, `2m`)'],
    ['5S', '`5S` is not a time; write a number and a unit: us, ms, s, m or h (for example `250ms`, `1.5s`, `2m`)'],
    ['-5s', '`-5s` is negative; a time cannot be negative'],
    ['0.5us', '`0.5us` is finer than a microsecond, the simulator\'s time step'],
    ['1.0000001s', '`1.0000001s` is finer than a microsecond, the simulator\'s time step'],
    ['99999999999h', '`99999999999h` is too long a time'],
    ['', '`` is not a time; write a number and a unit: us, ms, s, m or h (for example `250ms`, `1.5s`, `2m`)'],
    [true, 'expected a time such as `250ms` or `1.5s`, got `true`'],
    [null, 'expected a time such as `250ms` or `1.5s`, got nothing (null)'],
  ])('%j is refused', (input, message) => {
    expect(parseDuration(input)).toEqual({ ok: false, message });
  });
});

describe('parseSeconds (Expires)', () => {
  it.each([
    [600, 600_000_000],
    ['10m', 600_000_000],
    ['1h', 3_600_000_000],
    [0, 0],
  ])('%j', (input, micros) => expect(parseSeconds(input)).toEqual(ok(micros)));

  it.each([
    [1.5, '`1.5` is not a whole number of seconds'],
    [-1, '`-1` is not a whole number of seconds'],
    ['1500ms', '`1500ms` is not a whole number of seconds (Expires counts seconds)'],
  ])('%j is refused', (input, message) => expect(parseSeconds(input)).toEqual({ ok: false, message }));
});

describe('parseSize', () => {
  it.each([
    [2048, 2048],
    [0, 0],
    ['2048', 2048],
    ['2048B', 2048],
    ['40KiB', 40_960],
    ['40 KiB', 40_960],
    ['1kB', 1000],
    ['2MB', 2_000_000],
    ['1.5MiB', 1_572_864],
    ['1GiB', 1_073_741_824],
    ['1GB', 1_000_000_000],
    ['0.5kB', 500],
  ])('%j is %d bytes', (input, n) => expect(parseSize(input)).toEqual(ok(n)));

  it.each([
    [-1, '`-1` is negative; a size cannot be negative'],
    [2.5, '`2.5` is not a whole number of bytes'],
    ['1.5B', '`1.5B` is not a whole number of bytes'],
    ['0.0001kB', '`0.0001kB` is not a whole number of bytes'],
    ['40KB', '`40KB` is ambiguous; write `40kB` (1000 bytes each) or `40KiB` (1024 bytes each)'],
    ['2mb', '`2mb` is not a size; write bytes (`2048`) or a number and a unit: B, kB, MB, GB, KiB, MiB or GiB (for example `40KiB`, `2MB`)'],
    ['-2MB', '`-2MB` is negative; a size cannot be negative'],
    ['lots', '`lots` is not a size; write bytes (`2048`) or a number and a unit: B, kB, MB, GB, KiB, MiB or GiB (for example `40KiB`, `2MB`)'],
    [[1], 'expected a size such as `2048` or `40KiB`, got a list'],
  ])('%j is refused', (input, message) => expect(parseSize(input)).toEqual({ ok: false, message }));
});

describe('parseBandwidth', () => {
  it.each([
    ['10Mbit/s', 10_000_000],
    ['100kbit/s', 100_000],
    ['100Kbit/s', 100_000],
    ['1Gbit/s', 1_000_000_000],
    ['2Mbps', 2_000_000],
    ['64kbps', 64_000],
    ['9600bit/s', 9600],
    ['9600bps', 9600],
    ['1.5Mbit/s', 1_500_000],
    ['2 Mbit/s', 2_000_000],
  ])('%s is %d bit/s', (input, n) => expect(parseBandwidth(input)).toEqual(ok(n)));

  it.each([
    [1000, 'a bare number is not a bandwidth; write a number and a unit: bit/s, kbit/s, Mbit/s, Gbit/s (or bps, kbps, Mbps, Gbps), for example `10Mbit/s`'],
    ['10Mb', '`10Mb` is not a bandwidth; write a number and a unit: bit/s, kbit/s, Mbit/s, Gbit/s (or bps, kbps, Mbps, Gbps), for example `10Mbit/s`'],
    ['1MB/s', '`1MB/s` counts bytes; bandwidth is written in bits (`1MB/s` is `8Mbit/s`)'],
    ['0Mbit/s', '`0Mbit/s` is no bandwidth at all; take the link down with a `linkDown` fault instead'],
    ['0.5bit/s', '`0.5bit/s` is not a whole number of bits per second'],
  ])('%j is refused', (input, message) => expect(parseBandwidth(input)).toEqual({ ok: false, message }));
});

describe('parseProbability', () => {
  it.each([
    [0, 0],
    [1, 1],
    [0.25, 0.25],
    ['1%', 0.01],
    ['100%', 1],
    ['0.5 %', 0.005],
  ])('%j is %d', (input, p) => expect(parseProbability(input)).toEqual(ok(p)));

  it.each([
    [1.5, '`1.5` is not a probability; write a number from 0 to 1 or a percentage such as `1%`'],
    [-0.1, '`-0.1` is not a probability; write a number from 0 to 1 or a percentage such as `1%`'],
    ['150%', '`150%` is more than 100%'],
    ['half', '`half` is not a probability; write a number from 0 to 1 or a percentage such as `1%`'],
  ])('%j is refused', (input, message) => expect(parseProbability(input)).toEqual({ ok: false, message }));
});

describe('format and parse', () => {
  it.each([
    [0, '0s'],
    [1, '1us'],
    [1500, '1500us'],
    [250_000, '250ms'],
    [1_500_000, '1500ms'],
    [120_000_000, '2m'],
    [3_600_000_000, '1h'],
  ])('formatDuration(%d) is %s', (n, text) => expect(formatDuration(n)).toBe(text));

  it.each([
    [0, '0'],
    [2047, '2047'],
    [2048, '2KiB'],
    [40_960, '40KiB'],
    [2_000_000, '2MB'],
    [1_572_864, '1536KiB'],
  ])('formatSize(%d) is %s', (n, text) => expect(formatSize(n)).toBe(text));

  it.each([
    [10_000_000, '10Mbit/s'],
    [1500, '1500bit/s'],
    [64_000, '64kbit/s'],
  ])('formatBandwidth(%d) is %s', (n, text) => expect(formatBandwidth(n)).toBe(text));
});

describe('properties', () => {
  const unitChars = fc.constantFrom(...'0123456789.  -µusmhinkKMGBbit/ps%iB'.split(''));
  const unitish = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ unit: unitChars, maxLength: 12 }));
  const anything = fc.oneof(unitish, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));

  it('the parsers never throw, and every answer is a value or a message', () => {
    fc.assert(
      fc.property(anything, (input) => {
        for (const parse of [parseDuration, parseSize, parseBandwidth, parseProbability, parseSeconds]) {
          const r = parse(input);
          if (r.ok) expect(Number.isFinite(r.value)).toBe(true);
          else expect(r.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('durations, sizes and bandwidths come back from their formatted form', () => {
    const n = fc.maxSafeNat();
    fc.assert(
      fc.property(n, (micros) => {
        expect(parseDuration(formatDuration(micros))).toEqual(ok(micros));
      }),
    );
    fc.assert(
      fc.property(n, (b) => {
        expect(parseSize(formatSize(b))).toEqual(ok(b));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (b) => {
        expect(parseBandwidth(formatBandwidth(b))).toEqual(ok(b));
      }),
    );
  });

  it('a whole number and one unit is the exact product, and too long a time past 2^53 microseconds', () => {
    const units = fc.constantFrom<[string, bigint]>(['us', 1n], ['µs', 1n], ['ms', 1000n], ['s', 1_000_000n], ['m', 60_000_000n], ['min', 60_000_000n], ['h', 3_600_000_000n]);
    // Digits near where the product crosses Number.MAX_SAFE_INTEGER for each unit, and beyond.
    const digits = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.bigInt({ min: 2_501_999n, max: 2_502_000n }), fc.bigInt({ min: 9_007_199_254n, max: 9_007_199_255n }));
    fc.assert(
      fc.property(digits, units, fc.constantFrom('', ' '), fc.constantFrom('', '0'), (n, [unit, size], space, zero) => {
        const text = `${zero}${n}${space}${unit}`;
        const exact = n * size;
        const want = exact > BigInt(Number.MAX_SAFE_INTEGER) ? { ok: false, message: `\`${text}\` is too long a time` } : ok(Number(exact));
        expect(parseDuration(text)).toEqual(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('whole numbers of a unit are exact', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.constantFrom(['us', 1], ['ms', 1000], ['s', 1_000_000], ['m', 60_000_000], ['h', 3_600_000_000]), (k, [unit, size]) => {
        expect(parseDuration(`${k}${unit}`)).toEqual(ok(k * (size as number)));
      }),
    );
  });

  it('the JSON Schema patterns accept a string exactly when the parser does (editor and loader agree)', () => {
    const pairs: [string, (v: unknown) => { ok: boolean }][] = [
      [DURATION_PATTERN, parseDuration],
      [BANDWIDTH_PATTERN, parseBandwidth],
    ];
    fc.assert(
      fc.property(unitish, (s) => {
        for (const [pattern, parse] of pairs) {
          const matches = new RegExp(pattern, 'u').test(s);
          // A string the pattern accepts may still be refused for its value (too fine, zero); a
          // string the pattern refuses is always refused.
          if (!matches) expect(parse(s).ok).toBe(false);
        }
        if (!new RegExp(SIZE_PATTERN, 'u').test(s)) expect(parseSize(s).ok).toBe(false);
        if (!new RegExp(PERCENT_PATTERN, 'u').test(s)) expect(parseProbability(s).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});
