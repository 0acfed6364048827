/**
 * The JSON Schema of scenario files, for editors, made from the same definition the loader checks
 * with. `npm run schema` writes it to schema/scenario.schema.json; a test keeps that file in step.
 */
import { ScenarioFileSchema } from './definition.js';

export const SCENARIO_SCHEMA_FILE = 'schema/scenario.schema.json';

/** The JSON Schema document (draft-07, which editors' YAML and JSON support reads). */
export function scenarioJsonSchema(): Record<string, unknown> {
  // JSON.parse(JSON.stringify(...)) drops the definition's symbol-keyed annotations.
  const body = JSON.parse(JSON.stringify(ScenarioFileSchema)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'msrp-sim scenario',
    ...body,
  };
}

/** The schema file's text: two-space indented, with a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
