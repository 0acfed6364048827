#!/usr/bin/env node
// Writes schema/scenario.schema.json and schema/sweep.schema.json from the definitions of the
// scenario and sweep file formats (`npm run schema`, after a build). The schemas are made by
// src/scenario/json-schema.ts and src/sweep/definition.ts; this only puts them on disk.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from '../dist/scenario/json-schema.js';
import { SWEEP_SCHEMA_FILE, sweepJsonSchemaText } from '../dist/sweep/definition.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
for (const [file, text] of [
  [SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText()],
  [SWEEP_SCHEMA_FILE, sweepJsonSchemaText()],
]) {
  writeFileSync(resolve(root, file), text);
  console.log(`wrote ${file}`);
}
