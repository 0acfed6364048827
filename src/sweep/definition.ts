/**
 * The sweep file format, defined once (TypeBox): the loader's shape checks and the JSON Schema
 * (schema/sweep.schema.json) come from it. docs/sweeps.md follows this file.
 */
import { Type } from '../vendor/typebox.js';
import type { Static } from '../vendor/typebox.js';
import { Expect, StringEnum } from '../scenario/definition-annotations.js';

/** The figures a run yields (run-figures.ts computes them; docs/sweeps.md describes them). */
export const FIGURE_NAMES = ['delivered', 'sent', 'latencyP50', 'latencyP95', 'latencyMax', 'reports', 'failureReports', 'frameHops', 'segmentsLost', 'failures', 'endTime'] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];

/** How a grid cell combines the runs of its parameter set (the seeds). */
export const COMBINE_NAMES = ['median', 'p95', 'mean', 'min', 'max'] as const;
export type CombineName = (typeof COMBINE_NAMES)[number];

const value = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.Unknown()), Type.Record(Type.String(), Type.Unknown())], {
  description: 'A value as the scenario file would hold it at that path (`1%`, `kamailio`, `40KiB`).',
});

const Axis = Type.Record(Type.String({ minLength: 1 }), Type.Array(value, { minItems: 1, description: 'The values this path takes along the axis.' }), {
  minProperties: 1,
  description:
    'An axis: parameter paths of the scenario (`nodes.relay-b.profile`, `links[relay-a,relay-b].loss`, `events[0].send.size`, `events[big-push].at`, `defaults.link.latency`), each with its list of values. Several paths in one axis are zipped: their lists have the same length and their n-th values go together.',
  [Expect]: 'a mapping from parameter paths to lists of values',
});

export const SweepFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'The JSON Schema of this file, for editors; ignored by msrp-sim.' })),
    sweep: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 100, description: 'Name of the sweep; results go to `out/<sweep>/` by default.', [Expect]: 'a name of letters, digits, `.`, `_` and `-`' }),
    description: Type.Optional(Type.String({ description: 'What the sweep asks.' })),
    scenario: Type.String({ minLength: 1, description: 'The scenario file, relative to this file (or the name of a bundled scenario).' }),
    axes: Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }), Axis, {
      description: 'The axes by name, crossed (every combination) in the order written: the first varies slowest.',
      [Expect]: 'a mapping from axis names to axes',
    }),
    seed: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^\\s*\\d+\\s*\\.\\.\\s*\\d+\\s*$' }), Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 })], {
        description: 'The seeds each parameter set runs with: `1..100` (both ends included), a list, or one seed. Default: the scenario\'s own seed.',
        [Expect]: 'a range `1..100`, a list of whole numbers or one whole number',
      }),
    ),
    figures: Type.Optional(Type.Array(StringEnum(FIGURE_NAMES, 'a figure'), { minItems: 1, description: 'The figures summary.csv shows per parameter set. Default: all. runs.ndjson always has them all.' })),
    grid: Type.Optional(
      Type.Object(
        {
          figure: Type.Optional(StringEnum(FIGURE_NAMES, 'The figure of the heat maps. Default: `latencyP95`.')),
          combine: Type.Optional(StringEnum(COMBINE_NAMES, 'How a cell combines its runs\' figure. Default: `median`.')),
        },
        { additionalProperties: false, description: 'The heat maps of sweep.html: a grid per pair of axes.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'An msrp-sim sweep: a scenario run over axes of parameters and seeds.', [Expect]: 'a sweep: a mapping with `sweep`, `scenario` and `axes`' },
);

export type SweepFile = Static<typeof SweepFileSchema>;

/** A value as JSON holds it (a parameter's value as written). */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

export const SWEEP_SCHEMA_FILE = 'schema/sweep.schema.json';

/** The JSON Schema document of sweep files (draft-07). */
export function sweepJsonSchema(): Record<string, unknown> {
  const body = JSON.parse(JSON.stringify(SweepFileSchema)) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: 'msrp-sim sweep', ...body };
}

export function sweepJsonSchemaText(): string {
  return `${JSON.stringify(sweepJsonSchema(), null, 2)}\n`;
}
