#!/usr/bin/env node
// Writes docs/rules.md (`npm run docs:rules`, after a build) from the rule catalogue of
// src/output/rules.ts, the checklist texts of src/output/rule-texts.ts and the deviation tables of
// docs/relay-profiles.md; src/output/rules-doc.ts makes the text, this only puts it on disk.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rulesMarkdown } from '../dist/output/rules-doc.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (name) => readFileSync(resolve(root, 'docs', name), 'utf8');
writeFileSync(resolve(root, 'docs/rules.md'), rulesMarkdown({ relayProfilesMd: read('relay-profiles.md'), ambiguitiesMd: read('ambiguities.md') }));
console.log('wrote docs/rules.md');
