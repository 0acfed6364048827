#!/usr/bin/env node
// Writes schema/scenario.schema.json from the scenario definition (`npm run schema`, after a
// build). The schema is made by src/scenario/json-schema.ts; this only puts it on disk.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from '../dist/scenario/json-schema.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(root, SCENARIO_SCHEMA_FILE);
writeFileSync(target, scenarioJsonSchemaText());
console.log(`wrote ${SCENARIO_SCHEMA_FILE}`);
